//! Fused parameter-update loops shared by the optimizers. The state they
//! keep (moments, velocities, sums of squares) is flushed to zero when it
//! turns subnormal ([`crate::math::flush_subnormal`]): the moments of a
//! parameter that stops receiving gradient (a dead ReLU's weights) decay
//! through the subnormal range for thousands of steps otherwise, at ~100×
//! the cost per operation on Intel cores. Such a state is below 1.2e-38,
//! so the step it would give is far under a parameter's rounding.
//!
//! ```
//! let mut p = [1.0, 1.0];
//! nn_kernels::update::axpy(-0.5, &[2.0, 4.0], &mut p); // an SGD step
//! assert_eq!(p, [0.0, -1.0]);
//! ```

dispatched! {
    /// `y += alpha · x`.
    ///
    /// ```
    /// let mut y = [1.0];
    /// nn_kernels::update::axpy(2.0, &[3.0], &mut y);
    /// assert_eq!(y, [7.0]);
    /// ```
    pub fn axpy / axpy_on(alpha: f32, x: &[f32], y: &mut [f32]) {
        y.iter_mut().zip(x).for_each(|(y, x)| *y += alpha * x);
    }
}

dispatched! {
    /// `x *= alpha`.
    ///
    /// ```
    /// let mut x = [2.0, -4.0];
    /// nn_kernels::update::scale(0.5, &mut x);
    /// assert_eq!(x, [1.0, -2.0]);
    /// ```
    pub fn scale / scale_on(alpha: f32, x: &mut [f32]) {
        x.iter_mut().for_each(|x| *x *= alpha);
    }
}

/// One momentum step's constants. The two conventions of momentum differ
/// only in where the learning rate sits: PyTorch's `SGD` (the state
/// accumulates gradients) is `c_in = 1, c_out = −α`; the velocity form
/// `v ← βv − αg, θ ← θ + v` is `c_in = −α, c_out = 1`.
///
/// ```
/// let torch = nn_kernels::update::MomentumStep { c_in: 1.0, c_out: -0.1, beta: 0.9, nesterov: false };
/// assert_eq!(torch.beta, 0.9);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MomentumStep {
    /// Scale of the gradient entering the state.
    pub c_in: f32,
    /// Scale of the step taken from the state.
    pub c_out: f32,
    /// Momentum `β`.
    pub beta: f32,
    /// Nesterov's look-ahead step.
    pub nesterov: bool,
}

dispatched! {
    /// Momentum in either convention ([`MomentumStep`]): `u ← βu + c_in·g`,
    /// then `θ ← θ + c_out·u`, or with `nesterov`, `θ ← θ + c_out·(βu + c_in·g)`.
    ///
    /// ```
    /// use nn_kernels::update::{momentum, MomentumStep};
    /// let velocity = MomentumStep { c_in: -0.5, c_out: 1.0, beta: 0.9, nesterov: false };
    /// let (mut p, mut v) = ([1.0], [0.0]);
    /// momentum(&velocity, &[2.0], &mut v, &mut p);
    /// assert_eq!((p, v), ([0.0], [-1.0]));
    /// ```
    pub fn momentum / momentum_on(s: &MomentumStep, g: &[f32], u: &mut [f32], p: &mut [f32]) {
        for ((p, u), &g) in p.iter_mut().zip(u.iter_mut()).zip(g) {
            *u = crate::math::flush_subnormal(s.beta * *u + s.c_in * g);
            *p += s.c_out * if s.nesterov { s.beta * *u + s.c_in * g } else { *u };
        }
    }
}

dispatched! {
    /// AdaGrad: `G ← G + g²`, `θ ← θ − α g / (√G + ε)`.
    ///
    /// ```
    /// let (mut p, mut s) = ([1.0], [0.0]);
    /// nn_kernels::update::adagrad(0.1, 0.0, &[2.0], &mut s, &mut p);
    /// assert_eq!((p, s), ([0.9], [4.0]));
    /// ```
    pub fn adagrad / adagrad_on(lr: f32, eps: f32, g: &[f32], sum_sq: &mut [f32], p: &mut [f32]) {
        for ((p, s), &g) in p.iter_mut().zip(sum_sq.iter_mut()).zip(g) {
            *s = crate::math::flush_subnormal(*s + g * g);
            *p -= lr * g / (crate::math::sqrt(*s) + eps);
        }
    }
}

dispatched! {
    /// RMSProp: `s ← βs + (1 − β) g²`, `θ ← θ − α g / (√s + ε)`.
    ///
    /// ```
    /// let (mut p, mut s) = ([1.0], [0.0]);
    /// nn_kernels::update::rmsprop(0.1, 0.75, 0.0, &[2.0], &mut s, &mut p);
    /// assert_eq!((p, s), ([0.8], [1.0]));
    /// ```
    pub fn rmsprop / rmsprop_on(lr: f32, beta: f32, eps: f32, g: &[f32], mean_sq: &mut [f32], p: &mut [f32]) {
        for ((p, s), &g) in p.iter_mut().zip(mean_sq.iter_mut()).zip(g) {
            *s = crate::math::flush_subnormal(beta * *s + (1.0 - beta) * g * g);
            *p -= lr * g / (crate::math::sqrt(*s) + eps);
        }
    }
}

/// Hyperparameters of one Adam step, with the bias corrections for step `t`
/// folded in (`c1 = 1 − β1^t`, `c2 = 1 − β2^t`).
///
/// ```
/// let step = nn_kernels::update::AdamStep { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 0.1, c2: 0.001, l2: 0.0, decoupled: 0.0, maximize: false };
/// assert!(step.c1 > 0.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AdamStep {
    /// Learning rate `α`.
    pub lr: f32,
    /// First-moment decay `β1`.
    pub beta1: f32,
    /// Second-moment decay `β2`.
    pub beta2: f32,
    /// `ε` in the denominator.
    pub eps: f32,
    /// `1 − β1^t`.
    pub c1: f32,
    /// `1 − β2^t`.
    pub c2: f32,
    /// L2 penalty folded into the gradient (`g + l2·θ`, Adam's weight decay).
    pub l2: f32,
    /// Decoupled decay `θ ← θ − α·decoupled·θ` (AdamW).
    pub decoupled: f32,
    /// Ascend instead of descend.
    pub maximize: bool,
}

dispatched! {
    /// One fused Adam/AdamW step: `m ← β1 m + (1−β1) g`, `v ← β2 v + (1−β2) g²`,
    /// `θ ← θ − α (m / c1) / (√(v̂) + ε)` with `v̂ = v / c2`, or, when
    /// `v_max` is given (AMSGrad), `v_max ← max(v_max, v)` and
    /// `v̂ = v_max / c2` (PyTorch's `amsgrad=True`: the running maximum of the
    /// raw second moment, bias-corrected with the current step's `c2`).
    ///
    /// ```
    /// use nn_kernels::update::{adam, AdamStep};
    /// let s = AdamStep { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0.0, c1: 0.1, c2: 0.001, l2: 0.0, decoupled: 0.0, maximize: false };
    /// let (mut p, mut m, mut v) = ([1.0], [0.0], [0.0]);
    /// adam(&s, &[4.0], &mut m, &mut v, None, &mut p);
    /// assert!((p[0] - 0.9).abs() < 1e-6); // the first step moves by α·sign(g)
    /// ```
    pub fn adam / adam_on(s: &AdamStep, g: &[f32], m: &mut [f32], v: &mut [f32], v_max: Option<&mut [f32]>, p: &mut [f32]) {
        let (inv_c1, inv_c2) = (1.0 / s.c1, 1.0 / s.c2);
        let step = |p: &mut f32, m: &mut f32, v: &mut f32, g: f32| {
            let g = if s.maximize { -g } else { g } + s.l2 * *p;
            *m = crate::math::flush_subnormal(s.beta1 * *m + (1.0 - s.beta1) * g);
            *v = crate::math::flush_subnormal(s.beta2 * *v + (1.0 - s.beta2) * g * g);
        };
        match v_max {
            None => {
                for (((p, m), v), &g) in p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
                    step(p, m, v, g);
                    *p -= s.lr * (s.decoupled * *p + *m * inv_c1 / (crate::math::sqrt(*v * inv_c2) + s.eps));
                }
            }
            Some(v_max) => {
                for ((((p, m), v), vm), &g) in p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(v_max.iter_mut()).zip(g) {
                    step(p, m, v, g);
                    *vm = vm.max(*v);
                    *p -= s.lr * (s.decoupled * *p + *m * inv_c1 / (crate::math::sqrt(*vm * inv_c2) + s.eps));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Isa;
    use crate::testing::{SIZES, assert_close, isas, random_slice, rng};

    #[test]
    fn axpy_matches_naive_on_every_isa() {
        let r = &mut rng(9);
        for isa in isas() {
            for &n in SIZES {
                let x = random_slice(r, n);
                let y0 = random_slice(r, n);
                let mut y = y0.clone();
                axpy_on(isa, -0.3, &x, &mut y);
                let expected: std::vec::Vec<f32> =
                    x.iter().zip(&y0).map(|(x, y)| y - 0.3 * x).collect();
                assert_close(&y, &expected, 1e-7, "axpy");
                scale_on(isa, 3.0, &mut y);
                let expected: std::vec::Vec<f32> = expected.iter().map(|v| v * 3.0).collect();
                assert_close(&y, &expected, 1e-7, "scale");
            }
        }
    }

    #[test]
    fn optimizer_kernels_agree_across_isas_and_alignments() {
        let r = &mut rng(17);
        let step = AdamStep {
            lr: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            c1: 0.19,
            c2: 0.002,
            l2: 0.01,
            decoupled: 0.02,
            maximize: false,
        };
        for &n in SIZES {
            let g = random_slice(r, n);
            let state = random_slice(r, n)
                .iter()
                .map(|v| v.abs())
                .collect::<std::vec::Vec<f32>>();
            let p0 = random_slice(r, n);
            // (kernel name, run on isa) -> (params, state) after one step
            type Run<'a> = &'a dyn Fn(Isa, &mut [f32], &mut [f32], &mut [f32]);
            let kernels: [(&str, Run); 5] = [
                ("momentum", &|isa, p, s, _| {
                    let step = MomentumStep {
                        c_in: 1.0,
                        c_out: -0.1,
                        beta: 0.9,
                        nesterov: false,
                    };
                    momentum_on(isa, &step, &g, s, p)
                }),
                ("nesterov", &|isa, p, s, _| {
                    let step = MomentumStep {
                        c_in: -0.1,
                        c_out: 1.0,
                        beta: 0.9,
                        nesterov: true,
                    };
                    momentum_on(isa, &step, &g, s, p)
                }),
                ("adagrad", &|isa, p, s, _| {
                    adagrad_on(isa, 0.1, 1e-8, &g, s, p)
                }),
                ("rmsprop", &|isa, p, s, _| {
                    rmsprop_on(isa, 0.1, 0.9, 1e-8, &g, s, p)
                }),
                ("amsgrad", &|isa, p, s, vm| {
                    adam_on(isa, &step, &g, s, &mut s.to_vec(), Some(vm), p)
                }),
            ];
            for (name, run) in kernels {
                let reference = {
                    let (mut p, mut s, mut vm) = (p0.to_vec(), state.clone(), state.clone());
                    run(Isa::Portable, &mut p, &mut s, &mut vm);
                    (p, s, vm)
                };
                for isa in isas() {
                    let (mut p, mut s, mut vm) = (p0.to_vec(), state.clone(), state.clone());
                    run(isa, &mut p, &mut s, &mut vm);
                    assert_close(&p, &reference.0, 1e-6, name);
                    assert_close(&s, &reference.1, 1e-6, name);
                    assert_close(&vm, &reference.2, 1e-6, name);
                }
            }
        }
    }

    /// A parameter whose gradient stops (a dead unit's weight): its state
    /// decays geometrically and must step from normal values to zero, on
    /// every instruction set, never resting on a subnormal.
    #[test]
    fn decaying_state_never_turns_subnormal() {
        let adam_step = AdamStep {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            c1: 1.0,
            c2: 1.0,
            l2: 0.0,
            decoupled: 0.0,
            maximize: false,
        };
        let no_gradient = [0.0f32; 19];
        for isa in isas() {
            // Just above the smallest normal, where the decay crosses into
            // the subnormal range within the loop (v's β2 = 0.999 in ~20 steps).
            let near = 1.2e-38f32;
            let (mut p, mut m, mut v, mut u, mut s) =
                ([0.5f32; 19], [near; 19], [near; 19], [near; 19], [near; 19]);
            for _ in 0..500 {
                adam_on(isa, &adam_step, &no_gradient, &mut m, &mut v, None, &mut p);
                let velocity = MomentumStep {
                    c_in: 1.0,
                    c_out: -0.1,
                    beta: 0.9,
                    nesterov: false,
                };
                momentum_on(isa, &velocity, &no_gradient, &mut u, &mut p);
                rmsprop_on(isa, 0.1, 0.999, 1e-8, &no_gradient, &mut s, &mut p);
                let states = m.iter().chain(&v).chain(&u).chain(&s);
                assert!(states.clone().all(|x| !x.is_subnormal()), "{isa:?}");
            }
            assert!(m.iter().chain(&v).chain(&u).chain(&s).all(|&x| x == 0.0));
        }
        // A gradient whose square underflows: the second moment stays zero.
        let (mut p, mut m, mut v) = ([0.5f32], [0.0f32], [0.0f32]);
        adam(&adam_step, &[1e-21], &mut m, &mut v, None, &mut p);
        assert_eq!(v, [0.0]);
        assert!(m[0] > 0.0);
    }
}
