//! Adam and its variants. Each tensor's state holds the moment estimates and
//! its own step count, for the bias corrections `1 − β^t`.
use super::Optimizer;
use crate::mem::Zeroable;
use nn_kernels::update::{AdamStep, adam};

/// Adam's per-tensor state: first and second moment estimates and the step.
///
/// ```
/// use nn_core::mem::Zeroable;
/// let s = nn_core::optim::AdamState::<3>::zeroed();
/// assert_eq!(s.t, 0);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct AdamState<const N: usize> {
    /// First moment `m`.
    pub m: [f32; N],
    /// Second moment `v`.
    pub v: [f32; N],
    /// Steps taken.
    pub t: u32,
}

// SAFETY: f32 arrays and a u32; all-zero is the initial state.
unsafe impl<const N: usize> Zeroable for AdamState<N> {}
// SAFETY: `repr(C)` of 4-byte fields: no padding, any bit pattern is valid.
unsafe impl<const N: usize> bytemuck::Pod for AdamState<N> {}

/// AMSGrad's per-tensor state: Adam's plus the running maximum of `v`.
///
/// ```
/// use nn_core::mem::Zeroable;
/// assert_eq!(nn_core::optim::AmsGradState::<2>::zeroed().v_max, [0.0; 2]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct AmsGradState<const N: usize> {
    /// Adam's moments and step.
    pub adam: AdamState<N>,
    /// `max` over steps of the raw second moment `v` (PyTorch's
    /// `max_exp_avg_sq`).
    pub v_max: [f32; N],
}

// SAFETY: as for AdamState.
unsafe impl<const N: usize> Zeroable for AmsGradState<N> {}
// SAFETY: as for AdamState.
unsafe impl<const N: usize> bytemuck::Pod for AmsGradState<N> {}

/// Adam (Kingma & Ba) with bias correction: `m ← β1 m + (1−β1)∇`,
/// `v ← β2 v + (1−β2)∇²`, `θ ← θ − α m̂ / (√v̂ + ε)` with `m̂ = m / (1−β1^t)`,
/// `v̂ = v / (1−β2^t)`. Defaults β1 0.9, β2 0.999, ε 1e-8; `weight_decay`
/// adds the L2 term `λθ` to the gradient (coupled, as PyTorch's `Adam`);
/// `maximize` ascends.
///
/// ```
/// use nn_core::optim::{Adam, AdamState, Optimizer};
/// use nn_core::mem::Zeroable;
/// let mut p = [1.0];
/// let mut s = AdamState::<1>::zeroed();
/// Adam::new(0.1).update::<1>(&mut p, &[5.0], &mut s);
/// assert!((p[0] - 0.9).abs() < 1e-6); // the first step moves by α
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    /// Learning rate `α`.
    pub lr: f32,
    /// First-moment decay.
    pub beta1: f32,
    /// Second-moment decay.
    pub beta2: f32,
    /// `ε` in the denominator.
    pub eps: f32,
    /// L2 penalty `λ` added to the gradient.
    pub weight_decay: f32,
    /// Ascend the objective instead.
    pub maximize: bool,
}

impl Adam {
    /// Adam with learning rate `lr` and the defaults above.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::Adam::new(1e-3).beta2, 0.999);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            maximize: false,
        }
    }

    /// The fused step's parameters for step `t` (1-based).
    fn step(&self, t: u32, decoupled: f32) -> AdamStep {
        AdamStep {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            c1: 1.0 - libm::powf(self.beta1, t as f32),
            c2: 1.0 - libm::powf(self.beta2, t as f32),
            l2: self.weight_decay,
            decoupled,
            maximize: self.maximize,
        }
    }
}

impl Optimizer for Adam {
    type State<const N: usize> = AdamState<N>;

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], s: &mut AdamState<N>) {
        s.t += 1;
        adam(
            &self.step(s.t, 0.0),
            grads,
            &mut s.m,
            &mut s.v,
            None,
            params,
        );
    }

    fn lr(&self) -> f32 {
        self.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
}

/// AMSGrad (Reddi et al.) exactly as PyTorch's `Adam(amsgrad=True)`: Adam's
/// moments as above, then `v_max ← max(v_max, v)` over the raw second moment
/// and `θ ← θ − α m̂ / (√(v_max / (1−β2^t)) + ε)`. The maximum is taken
/// before bias correction (not over the corrected `v̂`, which would differ
/// from step 2 on); `weight_decay` is coupled (`∇ + λθ`) as in [`Adam`].
///
/// ```
/// use nn_core::optim::{Adam, AmsGrad, AmsGradState, Optimizer};
/// use nn_core::mem::Zeroable;
/// let mut p = [1.0];
/// let mut s = AmsGradState::<1>::zeroed();
/// AmsGrad(Adam::new(0.1)).update::<1>(&mut p, &[5.0], &mut s);
/// assert!(s.v_max[0] > 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AmsGrad(pub Adam);

impl Optimizer for AmsGrad {
    type State<const N: usize> = AmsGradState<N>;

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], s: &mut AmsGradState<N>) {
        let a = &mut s.adam;
        a.t += 1;
        adam(
            &self.0.step(a.t, 0.0),
            grads,
            &mut a.m,
            &mut a.v,
            Some(&mut s.v_max),
            params,
        );
    }

    fn lr(&self) -> f32 {
        self.0.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.0.lr = lr;
    }
}

/// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay,
/// `θ ← θ − α (λθ + m̂ / (√v̂ + ε))`; `λ` defaults to 0.01.
///
/// ```
/// use nn_core::optim::{AdamState, AdamW, Optimizer};
/// use nn_core::mem::Zeroable;
/// let mut p = [1.0];
/// let mut s = AdamState::<1>::zeroed();
/// AdamW::new(0.1).update::<1>(&mut p, &[0.0], &mut s);
/// assert!((p[0] - (1.0 - 0.1 * 0.01)).abs() < 1e-7); // decay alone
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamW {
    /// The Adam part (its `weight_decay` is ignored: decay is decoupled).
    pub adam: Adam,
    /// Decoupled decay `λ`.
    pub weight_decay: f32,
}

impl AdamW {
    /// AdamW with learning rate `lr`, Adam's defaults and `λ = 0.01`.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::AdamW::new(1e-3).weight_decay, 0.01);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self {
            adam: Adam::new(lr),
            weight_decay: 0.01,
        }
    }
}

impl Optimizer for AdamW {
    type State<const N: usize> = AdamState<N>;

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], s: &mut AdamState<N>) {
        s.t += 1;
        let step = AdamStep {
            l2: 0.0,
            ..self.adam.step(s.t, self.weight_decay)
        };
        adam(&step, grads, &mut s.m, &mut s.v, None, params);
    }

    fn lr(&self) -> f32 {
        self.adam.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.adam.lr = lr;
    }
}
