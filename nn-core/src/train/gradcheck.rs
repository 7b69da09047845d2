//! Finite-difference gradient checks (std): of any function of a parameter
//! vector ([`check_gradient`], e.g. a whole network through its trainer's
//! `gradient` and `eval_loss`), of any [`Layer`] ([`check_layer`]) and of any
//! [`Loss`] ([`check_loss`]). Every layer and loss of nn is checked with them.
//!
//! Centered differences `(f(x+h) − f(x−h)) / 2h` on f32 values, with the
//! objective summed in f64. With `h = 1e-2` the truncation error is O(h²) ≈
//! 1e-4 relative and f32 rounding contributes ≈ 1e-7·|Δf|/h (only the
//! outputs a component moves change between the two evaluations), so each
//! component `i` must satisfy `|a_i − n_i| ≤ ATOL + RTOL·max(|a_i|, |n_i|)`
//! with `RTOL = 1e-2`, `ATOL = 1e-5`: a wrong factor or sign (off by ≥ 10%)
//! fails on every component above ~1e-3, however large the others are.
//!
//! ```
//! use nn_core::train::gradcheck::check_gradient;
//! // f(θ) = θ₀² + 3θ₀θ₁, ∇f = (2θ₀ + 3θ₁, 3θ₀)
//! let f = |t: &[f32]| (t[0] * t[0] + 3.0 * t[0] * t[1]) as f64;
//! assert!(check_gradient(&[1.0, 2.0], &[8.0, 3.0], f).passed());
//! assert!(!check_gradient(&[1.0, 2.0], &[8.0, 6.0], f).passed()); // a wrong factor
//! ```
use crate::layer::{Context, Layer, Mode, Shape, flat, flat_mut};
use crate::loss::Loss;
use crate::mem::Zeroable;
use crate::rng::TrainRng;
use rand::{Rng, SeedableRng};
use std::vec::Vec;

/// The difference step.
pub const H: f32 = 1e-2;
/// Allowed error relative to a component's own size.
pub const RTOL: f64 = 1e-2;
/// Allowed absolute error on every component (the f32 rounding floor).
pub const ATOL: f64 = 1e-5;

/// How an analytic gradient compared with centered differences.
///
/// ```
/// let r = nn_core::train::gradcheck::check_gradient(&[2.0], &[4.0], |t| (t[0] * t[0]) as f64);
/// assert!(r.passed() && r.worst.is_none() && r.checked == 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Components compared.
    pub checked: usize,
    /// The component whose error most exceeds what it is allowed
    /// (`ATOL + RTOL·max(|analytic|, |numeric|)`), if any does.
    pub worst: Option<Mismatch>,
}

/// One component where the analytic and numeric derivatives disagree.
///
/// ```
/// let r = nn_core::train::gradcheck::check_gradient(&[2.0], &[1.0], |t| (t[0] * t[0]) as f64);
/// let m = r.worst.unwrap();
/// assert_eq!((m.index, m.analytic), (0, 1.0));
/// assert!((m.numeric - 4.0).abs() < 1e-3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mismatch {
    /// The component's index.
    pub index: usize,
    /// The gradient given.
    pub analytic: f64,
    /// The centered difference.
    pub numeric: f64,
}

impl Mismatch {
    /// The error this component is allowed.
    ///
    /// ```
    /// let m = nn_core::train::gradcheck::Mismatch { index: 0, analytic: 2.0, numeric: 1.0 };
    /// assert_eq!(m.allowed(), 1e-5 + 1e-2 * 2.0);
    /// ```
    pub fn allowed(&self) -> f64 {
        ATOL + RTOL * self.analytic.abs().max(self.numeric.abs())
    }

    /// How many times its allowance the error is (above 1 fails).
    fn excess(&self) -> f64 {
        (self.analytic - self.numeric).abs() / self.allowed()
    }
}

impl Report {
    fn compare(analytic: &[f32], numeric: &[f64]) -> Self {
        let worst = analytic
            .iter()
            .zip(numeric)
            .enumerate()
            .map(|(index, (&a, &n))| Mismatch {
                index,
                analytic: a as f64,
                numeric: n,
            })
            // A NaN on either side fails too.
            .filter(|m| m.excess() > 1.0 || m.excess().is_nan())
            .max_by(|a, b| a.excess().total_cmp(&b.excess()));
        Self {
            checked: analytic.len(),
            worst,
        }
    }

    /// Whether every component is within the tolerance.
    ///
    /// ```
    /// assert!(nn_core::train::gradcheck::check_gradient(&[], &[], |_| 0.0).passed());
    /// ```
    pub fn passed(&self) -> bool {
        self.worst.is_none()
    }

    /// Panics with the worst mismatch, naming `what`, unless [`Self::passed`].
    ///
    /// ```
    /// nn_core::train::gradcheck::check_gradient(&[3.0], &[6.0], |t| (t[0] * t[0]) as f64).assert_passed("x²");
    /// ```
    pub fn assert_passed(&self, what: &str) {
        if let Some(m) = self.worst {
            panic!(
                "{what}: component {}: analytic {}, numeric {} (error {:.3e}, allowed {:.3e})",
                m.index,
                m.analytic,
                m.numeric,
                (m.analytic - m.numeric).abs(),
                m.allowed()
            );
        }
    }
}

/// Compares `analytic` with centered differences of `f` around `theta`
/// (one pair of evaluations per component).
///
/// # Panics
/// If `theta` and `analytic` differ in length.
///
/// ```
/// use nn_core::train::gradcheck::check_gradient;
/// let report = check_gradient(&[0.5], &[0.5f32.exp()], |t| (t[0] as f64).exp());
/// assert!(report.passed());
/// ```
pub fn check_gradient(theta: &[f32], analytic: &[f32], mut f: impl FnMut(&[f32]) -> f64) -> Report {
    assert_eq!(theta.len(), analytic.len(), "one derivative per parameter");
    let mut probe = theta.to_vec();
    let numeric: Vec<f64> = (0..theta.len())
        .map(|i| {
            probe[i] = theta[i] + H;
            let plus = f(&probe);
            probe[i] = theta[i] - H;
            let minus = f(&probe);
            probe[i] = theta[i];
            (plus - minus) / (2.0 * H as f64)
        })
        .collect();
    Report::compare(analytic, &numeric)
}

/// What a pass needs besides the layer: GEMM workspace (enough for any
/// product) and an RNG reseeded for every pass, so stochastic layers draw the
/// same mask each time.
struct Scratch {
    rng: TrainRng,
    workspace: Vec<f32>,
}

impl Scratch {
    fn new() -> Self {
        let workspace = std::vec![0.0; nn_kernels::gemm::workspace_len(usize::MAX)];
        Self {
            rng: TrainRng::seed_from_u64(99),
            workspace,
        }
    }

    fn context(&mut self, mode: Mode) -> Context<'_> {
        self.rng = TrainRng::seed_from_u64(99);
        Context {
            mode,
            rng: &mut self.rng,
            workspace: &mut self.workspace,
            parallel: &nn_kernels::parallel::Serial,
            rows: usize::MAX,
        }
    }

    /// `Σ r ⊙ layer(x)` in f64.
    fn objective<In: Shape, L: Layer<In>, const B: usize>(
        &mut self,
        layer: &mut L,
        x: &[In; B],
        r: &[L::Out; B],
        mode: Mode,
    ) -> f64 {
        let mut y = <[L::Out; B]>::zeroed();
        let mut cache = L::Cache::<B>::zeroed();
        layer.forward_batch(x, &mut y, &mut cache, &mut self.context(mode));
        flat(&y)
            .iter()
            .zip(flat(r))
            .map(|(y, r)| *y as f64 * *r as f64)
            .sum()
    }
}

fn random_batch<S: Shape, const B: usize>(rng: &mut TrainRng) -> [S; B] {
    let mut batch = <[S; B]>::zeroed();
    flat_mut(&mut batch)
        .iter_mut()
        .for_each(|v| *v = rng.random_range(-1.0..1.0));
    batch
}

/// Checks `∂/∂x` and `∂/∂θ` of `layer` on a batch of `B` random inputs
/// (seeded) against centered differences of `Σ r ⊙ layer(x)` for a random
/// `r`, in `mode`; inputs within `H` of a kink (`kinks`, e.g. `[0.0]` for
/// ReLU) are nudged away so the difference quotient is valid.
///
/// # Panics
/// With the worst mismatch, if a gradient disagrees: a test helper.
///
/// ```
/// use nn_core::{train::gradcheck::check_layer, layer::Mode, layers::Linear};
/// check_layer::<[f32; 3], _, 2>(Linear::<3, 2>::zeroed(), Mode::Train, &[], 1);
/// ```
pub fn check_layer<In: Shape, L: Layer<In>, const B: usize>(
    layer: L,
    mode: Mode,
    kinks: &[f32],
    seed: u64,
) {
    let rng = &mut TrainRng::seed_from_u64(seed);
    let mut x: [In; B] = random_batch(rng);
    for v in flat_mut(&mut x) {
        for &k in kinks {
            if (*v - k).abs() < 2.0 * H {
                *v = k + 3.0 * H;
            }
        }
    }
    check_layer_at(layer, &x, mode, rng);
}

/// A batch whose values are distinct multiples of `4H` in random (seeded)
/// order, so no two are within a difference step of each other: inputs for
/// checking max-type layers (pooling, maxout), whose derivative jumps where
/// two inputs tie.
///
/// ```
/// let x: [[f32; 3]; 2] = nn_core::train::gradcheck::spread_batch(1);
/// let mut v: Vec<f32> = x.as_flattened().to_vec();
/// v.sort_by(f32::total_cmp);
/// assert!(v.windows(2).all(|w| w[1] - w[0] > 0.03));
/// ```
pub fn spread_batch<S: Shape, const B: usize>(seed: u64) -> [S; B] {
    let rng = &mut TrainRng::seed_from_u64(seed);
    let mut x = <[S; B]>::zeroed();
    let values = flat_mut(&mut x);
    let n = values.len();
    for (i, v) in values.iter_mut().enumerate() {
        *v = (i as f32 - n as f32 / 2.0) * 4.0 * H;
    }
    for i in (1..n).rev() {
        values.swap(i, rng.random_range(0..=i));
    }
    x
}

/// [`check_layer`] at the given inputs, with `rng` drawing the output weights.
///
/// # Panics
/// With the worst mismatch, if a gradient disagrees: a test helper.
///
/// ```
/// use nn_core::{train::gradcheck::{check_layer_at, spread_batch}, layer::Mode, layers::Maxout};
/// use rand::SeedableRng;
/// let x = spread_batch::<[f32; 6], 2>(3);
/// check_layer_at(Maxout::<3, 2>, &x, Mode::Train, &mut nn_core::rng::TrainRng::seed_from_u64(4));
/// ```
pub fn check_layer_at<In: Shape, L: Layer<In>, const B: usize>(
    mut layer: L,
    x: &[In; B],
    mode: Mode,
    rng: &mut TrainRng,
) {
    let x = *x;
    let r: [L::Out; B] = random_batch(rng);
    layer
        .params_mut()
        .iter_mut()
        .for_each(|p| *p = rng.random_range(-1.0..1.0));
    let scratch = &mut Scratch::new();

    // Analytic gradients, with the same mask as `objective`.
    let mut y = <[L::Out; B]>::zeroed();
    let mut cache = L::Cache::<B>::zeroed();
    let mut dx = <[In; B]>::zeroed();
    flat_mut(&mut dx).fill(f32::NAN);
    let mut grad = std::vec![f32::NAN; L::NUM_PARAMS];
    {
        let mut ctx = scratch.context(mode);
        layer.forward_batch(&x, &mut y, &mut cache, &mut ctx);
        layer.backward(&x, &y, &r, &mut cache, Some(&mut dx), &mut grad, &mut ctx);
    }

    let numeric_dx: Vec<f64> = (0..In::LEN * B)
        .map(|i| {
            let (mut plus, mut minus) = (x, x);
            flat_mut(&mut plus)[i] += H;
            flat_mut(&mut minus)[i] -= H;
            (scratch.objective(&mut layer, &plus, &r, mode)
                - scratch.objective(&mut layer, &minus, &r, mode))
                / (2.0 * H as f64)
        })
        .collect();
    Report::compare(flat(&dx), &numeric_dx).assert_passed("input gradient");

    let theta = layer.params().to_vec();
    check_gradient(&theta, &grad, |t| {
        layer.params_mut().copy_from_slice(t);
        scratch.objective(&mut layer, &x, &r, mode)
    })
    .assert_passed("parameter gradient");
}

/// Checks a loss's three gradient entry points against differences of its
/// own value (through softmax and sigmoid heads for the fused entry points)
/// at a random output (seeded).
///
/// # Panics
/// With the worst mismatch, if a gradient disagrees: a test helper.
///
/// ```
/// use nn_core::{train::gradcheck::check_loss, loss::Mse};
/// check_loss(&Mse, &[0.5f32, -0.5], 7);
/// ```
pub fn check_loss<const N: usize, T>(loss: &impl Loss<N, T>, target: &T, seed: u64) {
    let rng = &mut TrainRng::seed_from_u64(seed);
    let z: [f32; N] = core::array::from_fn(|_| rng.random_range(-2.0..2.0));
    type Entry<'a, const N: usize> = &'a dyn Fn(&[f32; N], Option<&mut [f32; N]>) -> f32;
    let plain = |z: &[f32; N], d: Option<&mut [f32; N]>| loss.loss_grad(z, target, d);
    let softmax = |z: &[f32; N], d: Option<&mut [f32; N]>| {
        let mut y = [0.0; N];
        nn_kernels::softmax::softmax(z, &mut y);
        loss.loss_grad_softmax(z, &y, target, d)
    };
    let sigmoid = |z: &[f32; N], d: Option<&mut [f32; N]>| {
        let mut y = [0.0; N];
        nn_kernels::activation::sigmoid(z, &mut y);
        loss.loss_grad_sigmoid(z, &y, target, d)
    };
    let entries: [(&str, Entry<N>); 3] = [
        ("plain", &plain),
        ("softmax", &softmax),
        ("sigmoid", &sigmoid),
    ];
    for (name, f) in entries {
        let mut dz = [f32::NAN; N];
        let value = f(&z, Some(&mut dz));
        assert_eq!(
            value,
            f(&z, None),
            "{name}: loss differs with and without gradient"
        );
        let numeric: Vec<f64> = (0..N)
            .map(|i| {
                let (mut plus, mut minus) = (z, z);
                plus[i] += H;
                minus[i] -= H;
                (f(&plus, None) as f64 - f(&minus, None) as f64) / (2.0 * H as f64)
            })
            .collect();
        Report::compare(&dz, &numeric).assert_passed(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Forward;
    use crate::layers::*;
    use crate::loss::{Bce, CrossEntropy, L1, Mse};
    use std::string::String;

    #[test]
    fn linear() {
        check_layer::<[f32; 7], _, 3>(Linear::<7, 5>::zeroed(), Mode::Train, &[], 1);
        check_layer::<[f32; 1], _, 1>(Linear::<1, 1>::zeroed(), Mode::Train, &[], 2);
        check_layer::<[f32; 33], _, 9>(Linear::<33, 17>::zeroed(), Mode::Train, &[], 3);
    }

    #[test]
    fn activations() {
        check_layer::<[f32; 9], _, 4>(ReLU, Mode::Train, &[0.0], 4);
        check_layer::<[f32; 9], _, 4>(Sigmoid, Mode::Train, &[], 5);
        check_layer::<[f32; 9], _, 4>(Tanh, Mode::Train, &[], 6);
        check_layer::<[f32; 9], _, 4>(Softmax, Mode::Train, &[], 7);
        check_layer::<[f32; 9], _, 4>(Identity, Mode::Train, &[], 17);
        check_layer::<[f32; 9], _, 4>(Softplus, Mode::Train, &[], 18);
        check_layer::<[f32; 9], _, 4>(LeakyReLU::new(0.1), Mode::Train, &[0.0], 19);
        check_layer::<[f32; 9], _, 4>(ELU::new(0.7), Mode::Train, &[0.0], 20);
        check_layer::<[f32; 9], _, 4>(HardTanh::new(-0.5, 0.5), Mode::Train, &[-0.5, 0.5], 21);
        check_layer::<[f32; 9], _, 4>(BinaryStep, Mode::Train, &[0.0], 22);
        // Elementwise activations take any shape: here a 2-channel 3×4 image.
        check_layer::<[[[f32; 4]; 3]; 2], _, 2>(Tanh, Mode::Train, &[], 23);
    }

    #[test]
    fn convolutions() {
        // Padding 1 keeps 5×6; stride 2 with dilation 2 gives 2×2.
        check_layer::<[[[f32; 6]; 5]; 2], _, 2>(
            Conv2d::<2, 3, 3, 5, 6, 1, 1>::zeroed(),
            Mode::Train,
            &[],
            24,
        );
        check_layer::<[[[f32; 8]; 7]; 2], _, 3>(
            Conv2d::<2, 3, 3, 2, 2, 2, 0, 2>::zeroed(),
            Mode::Train,
            &[],
            25,
        );
        check_layer::<[[[f32; 1]; 1]; 1], _, 1>(
            Conv2d::<1, 1, 1, 1, 1>::zeroed(),
            Mode::Train,
            &[],
            26,
        );
        check_layer::<[[f32; 9]; 2], _, 2>(
            Conv1d::<2, 3, 3, 5, 2, 1>::zeroed(),
            Mode::Train,
            &[],
            27,
        );
        check_layer::<[[[f32; 4]; 3]; 2], _, 2>(
            ConvTranspose2d::<2, 3, 3, 5, 7, 2, 1>::zeroed(),
            Mode::Train,
            &[],
            28,
        );
        // Two groups of two channels, a 3×2 kernel with strides 1×2.
        check_layer::<[[[f32; 7]; 5]; 4], _, 2>(
            Conv2d::<4, 6, 3, 5, 3, 1, 1, 1, 2, 2, 2, 2, 0>::zeroed(),
            Mode::Train,
            &[],
            60,
        );
        // Depthwise, stride 2 ("same"-sized: 7 → 4).
        check_layer::<[[[f32; 7]; 7]; 3], _, 2>(
            DepthwiseConv2d::<3, 3, 4, 4, 2, 1>::zeroed(),
            Mode::Train,
            &[],
            61,
        );
        // DS-CNN's first layer in miniature: 10×4 kernel, stride 2, padding (5, 1).
        check_layer::<[[[f32; 6]; 11]; 1], _, 2>(
            Conv2d::<1, 2, 10, 6, 3, 2, 5, 1, 1, 1, 4, 2, 1>::zeroed(),
            Mode::Train,
            &[],
            62,
        );
        // Reflect (rows and columns, padding 1 and 2), replicate at stride
        // 2, circular 1-D: gradients reach the input through the border too.
        check_layer::<[[[f32; 6]; 5]; 2], _, 2>(
            Conv2d::<2, 3, 3, 5, 8, 1, 1, 1, 1, 2, 3, 1, 2, 1>::zeroed(),
            Mode::Train,
            &[],
            64,
        );
        check_layer::<[[[f32; 4]; 3]; 2], _, 2>(
            Conv2d::<2, 2, 3, 2, 4, 2, 1, 1, 1, 2, 3, 1, 1, 2>::zeroed(),
            Mode::Train,
            &[],
            65,
        );
        check_layer::<[[f32; 5]; 2], _, 2>(
            Conv1d::<2, 3, 3, 7, 1, 2, 1, 1, 2, 3>::zeroed(),
            Mode::Train,
            &[],
            66,
        );
        // A depthwise 1-D convolution with two filters per channel.
        check_layer::<[[f32; 6]; 2], _, 2>(
            Conv1d::<2, 4, 3, 6, 1, 1, 1, 2, 1>::zeroed(),
            Mode::Train,
            &[],
            63,
        );
        check_layer::<[[[f32; 2]; 2]; 1], _, 3>(
            ConvTranspose2d::<1, 2, 2, 4, 4, 2>::zeroed(),
            Mode::Train,
            &[],
            29,
        );
    }

    #[test]
    fn pooling_and_reshaping() {
        let rng = &mut TrainRng::seed_from_u64(30);
        let x = spread_batch::<[[[f32; 6]; 5]; 2], 2>(30);
        check_layer_at(MaxPool2d::<2, 2, 3>, &x, Mode::Train, rng);
        let x = spread_batch::<[[[f32; 7]; 7]; 3], 2>(31);
        check_layer_at(MaxPool2d::<3, 3, 3, 2>, &x, Mode::Train, rng);
        check_layer::<[[[f32; 6]; 5]; 2], _, 2>(AvgPool2d::<2, 2, 3>, Mode::Train, &[], 32);
        check_layer::<[[[f32; 7]; 7]; 1], _, 2>(AvgPool2d::<3, 3, 3, 2>, Mode::Train, &[], 33);
        check_layer::<[[[f32; 3]; 2]; 2], _, 2>(Flatten::<12>::default(), Mode::Train, &[], 34);
        check_layer::<[f32; 12], _, 2>(Reshape::<[[f32; 4]; 3]>::default(), Mode::Train, &[], 35);
    }

    #[test]
    fn learned_and_normalizing_layers() {
        check_layer::<[f32; 5], _, 4>(BatchNorm1d::<5>::new(), Mode::Train, &[], 36);
        check_layer::<[f32; 5], _, 4>(BatchNorm1d::<5>::new(), Mode::Eval, &[], 37);
        check_layer::<[[[f32; 3]; 2]; 3], _, 3>(BatchNorm2d::<3>::new(), Mode::Train, &[], 38);
        check_layer::<[[[f32; 3]; 2]; 3], _, 3>(BatchNorm2d::<3>::new(), Mode::Eval, &[], 39);
        check_layer::<[f32; 6], _, 3>(PReLU::<1>::new(), Mode::Train, &[0.0], 40);
        check_layer::<[f32; 6], _, 3>(PReLU::<6>::new(), Mode::Train, &[0.0], 41);
        check_layer::<[[[f32; 3]; 2]; 2], _, 3>(PReLU::<2>::new(), Mode::Train, &[0.0], 42);
        let rng = &mut TrainRng::seed_from_u64(43);
        check_layer_at(
            Maxout::<3, 4>,
            &spread_batch::<[f32; 12], 3>(43),
            Mode::Train,
            rng,
        );
        check_layer::<[f32; 7], _, 3>(GaussianNoise::new(0.5), Mode::Train, &[], 44);
        check_layer::<[f32; 7], _, 3>(GaussianNoise::new(0.5), Mode::Eval, &[], 45);
    }

    #[test]
    fn dropout_in_both_modes() {
        check_layer::<[f32; 16], _, 4>(Dropout::new(0.3), Mode::Train, &[], 8);
        check_layer::<[f32; 16], _, 4>(Dropout::new(0.3), Mode::Eval, &[], 9);
        check_layer::<[[f32; 5]; 3], _, 4>(Dropout1d::new(0.3), Mode::Train, &[], 48);
        check_layer::<[[f32; 5]; 3], _, 4>(Dropout1d::new(0.3), Mode::Eval, &[], 49);
        check_layer::<[[[f32; 3]; 2]; 4], _, 3>(Dropout2d::new(0.4), Mode::Train, &[], 50);
        check_layer::<[[[f32; 3]; 2]; 4], _, 3>(Dropout2d::new(0.4), Mode::Eval, &[], 51);
    }

    /// `Linear<4, 3>` whose weight gradient is 10% too large: a bug that
    /// hides behind the bias gradients when inputs are small.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    struct WrongWeightGradient(Linear<4, 3>);

    // SAFETY: a transparent wrapper of a Zeroable type.
    unsafe impl Zeroable for WrongWeightGradient {}

    impl Forward<[f32; 4]> for WrongWeightGradient {
        type Out = [f32; 3];
        fn forward_into(&self, x: &[f32; 4], y: &mut [f32; 3]) {
            self.0.forward_into(x, y)
        }
    }

    impl Layer<[f32; 4]> for WrongWeightGradient {
        type Cache<const B: usize> = ();
        const NUM_PARAMS: usize = 15;
        fn forward_batch<const B: usize>(
            &mut self,
            x: &[[f32; 4]; B],
            y: &mut [[f32; 3]; B],
            _: &mut (),
            ctx: &mut Context,
        ) {
            self.0.forward_batch(x, y, &mut (), ctx);
        }
        fn backward<const B: usize>(
            &self,
            x: &[[f32; 4]; B],
            y: &[[f32; 3]; B],
            dy: &[[f32; 3]; B],
            _: &mut (),
            dx: Option<&mut [[f32; 4]; B]>,
            grad: &mut [f32],
            ctx: &mut Context,
        ) {
            self.0.backward(x, y, dy, &mut (), dx, grad, ctx);
            grad[..12].iter_mut().for_each(|g| *g *= 1.1);
        }
        fn params(&self) -> &[f32] {
            self.0.params()
        }
        fn params_mut(&mut self) -> &mut [f32] {
            self.0.params_mut()
        }
    }

    #[test]
    fn a_wrong_small_gradient_is_caught_beside_large_ones() {
        let rng = &mut TrainRng::seed_from_u64(47);
        // Inputs of ~1e-2 make weight gradients ~100× smaller than bias ones.
        let mut x: [[f32; 4]; 4] = random_batch(rng);
        flat_mut(&mut x).iter_mut().for_each(|v| *v *= 0.02);
        let layer = WrongWeightGradient(Linear::zeroed());
        let caught = std::panic::catch_unwind(|| {
            check_layer_at(layer, &x, Mode::Train, &mut TrainRng::seed_from_u64(1))
        });
        let message = *caught
            .expect_err("the wrong weight gradient passed")
            .downcast::<String>()
            .unwrap();
        assert!(
            message.starts_with("parameter gradient: component "),
            "{message}"
        );
        let index: usize = message["parameter gradient: component ".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(index < 12, "a weight, not a bias: {message}");

        // The former criterion (error ≤ 1e-2 × the largest component of the
        // whole vector) lets the same gradient through.
        let mut wrong = layer;
        wrong
            .params_mut()
            .iter_mut()
            .for_each(|p| *p = rng.random_range(-1.0..1.0));
        let r: [[f32; 3]; 4] = random_batch(rng);
        let scratch = &mut Scratch::new();
        let mut grad = [0.0f32; 15];
        let mut y = [[0.0f32; 3]; 4];
        {
            let mut ctx = scratch.context(Mode::Train);
            wrong.forward_batch(&x, &mut y, &mut (), &mut ctx);
            wrong.backward(&x, &y, &r, &mut (), None, &mut grad, &mut ctx);
        }
        let theta = wrong.params().to_vec();
        let report = check_gradient(&theta, &grad, |t| {
            wrong.params_mut().copy_from_slice(t);
            scratch.objective(&mut wrong, &x, &r, Mode::Train)
        });
        let m = report.worst.expect("caught per component");
        let scale = grad.iter().fold(1e-3f64, |s, g| s.max(g.abs() as f64));
        assert!(
            (m.analytic - m.numeric).abs() < 1e-2 * scale,
            "the old whole-vector tolerance would have caught it too: {m:?}, scale {scale}"
        );
    }

    #[test]
    fn losses() {
        let mut rng = TrainRng::seed_from_u64(10);
        let t: [f32; 6] = core::array::from_fn(|_| rng.random_range(0.0..1.0));
        check_loss(&Mse, &t, 11);
        check_loss(&L1, &t, 12);
        check_loss(&Bce, &t, 13);
        check_loss(
            &crate::loss::Perceptron,
            &[1.0, -1.0, 1.0, -1.0, -1.0, 1.0],
            46,
        );
        check_loss::<6, usize>(&CrossEntropy, &3usize, 14);
        let total: f32 = t.iter().sum();
        check_loss::<6, [f32; 6]>(&CrossEntropy, &t.map(|v| v / total), 15);
        check_loss::<6, usize>(
            &crate::loss::SmoothedCrossEntropy { epsilon: 0.1 },
            &2usize,
            16,
        );
        // A distribution with a zero (0 · ln 0 = 0).
        let mut p = t.map(|v| v / total);
        p[4] = 0.0;
        let rest: f32 = p.iter().sum();
        check_loss::<6, [f32; 6]>(&crate::loss::KlDiv, &p.map(|v| v / rest), 47);
        // Three classes at two positions.
        check_loss::<6, [usize; 2]>(&crate::loss::PixelCrossEntropy::<3>, &[2, 0], 52);
    }
}
