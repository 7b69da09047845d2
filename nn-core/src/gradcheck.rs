//! Finite-difference gradient checks for every layer and loss.
//!
//! Centered differences `(f(x+h) − f(x−h)) / 2h` on f32 layers, with the
//! objective summed in f64. With `h = 1e-2` the truncation error is O(h²) ≈
//! 1e-4 relative and f32 rounding contributes ≈ 1e-7·|f|/h ≈ 1e-5, so a
//! tolerance of 1e-2 relative to the gradient's scale separates a correct
//! formula from a wrong one (a wrong factor or sign is off by ≥ 10%).
use crate::layer::{Context, Layer, Mode, Shape, flat, flat_mut};
use crate::loss::Loss;
use crate::storage::Zeroable;
use rand::{Rng, SeedableRng, rngs::SmallRng};
use std::vec::Vec;

const H: f32 = 1e-2;
const TOL: f64 = 1e-2;

fn assert_grads_close(analytic: &[f32], numeric: &[f64], what: &str) {
    let scale = numeric.iter().fold(1e-3f64, |m, v| m.max(v.abs()));
    for (i, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        assert!(
            (*a as f64 - n).abs() <= TOL * scale,
            "{what}: component {i}: analytic {a}, numeric {n}"
        );
    }
}

/// What a pass needs besides the layer: GEMM workspace (enough for any
/// product) and an RNG reseeded for every pass, so stochastic layers draw the
/// same mask each time.
struct Scratch {
    rng: SmallRng,
    workspace: Vec<f32>,
}

impl Scratch {
    fn new() -> Self {
        let workspace = std::vec![0.0; nn_kernels::gemm::workspace_len(usize::MAX)];
        Self {
            rng: SmallRng::seed_from_u64(99),
            workspace,
        }
    }

    fn context(&mut self, mode: Mode) -> Context<'_> {
        self.rng = SmallRng::seed_from_u64(99);
        Context {
            mode,
            rng: &mut self.rng,
            workspace: &mut self.workspace,
            parallel: &nn_kernels::split::Serial,
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

fn random_batch<S: Shape, const B: usize>(rng: &mut SmallRng) -> [S; B] {
    let mut batch = <[S; B]>::zeroed();
    flat_mut(&mut batch)
        .iter_mut()
        .for_each(|v| *v = rng.random_range(-1.0..1.0));
    batch
}

/// Checks `∂/∂x` and `∂/∂θ` of `layer` at random inputs; inputs within `H` of
/// a kink (`kinks`) are nudged away so the difference quotient is valid.
pub fn check_layer<In: Shape, L: Layer<In>, const B: usize>(
    layer: L,
    mode: Mode,
    kinks: &[f32],
    seed: u64,
) {
    let rng = &mut SmallRng::seed_from_u64(seed);
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

/// Inputs that are distinct multiples of `4H` in random order, so no two are
/// within a difference step of each other (for max-type layers, whose
/// derivative jumps where two inputs tie).
fn spread_batch<S: Shape, const B: usize>(seed: u64) -> [S; B] {
    let rng = &mut SmallRng::seed_from_u64(seed);
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

/// [`check_layer`] at the given inputs.
fn check_layer_at<In: Shape, L: Layer<In>, const B: usize>(
    mut layer: L,
    x: &[In; B],
    mode: Mode,
    rng: &mut SmallRng,
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
    assert_grads_close(flat(&dx), &numeric_dx, "input gradient");

    let numeric_dp: Vec<f64> = (0..L::NUM_PARAMS)
        .map(|i| {
            let p = layer.params()[i];
            layer.params_mut()[i] = p + H;
            let plus = scratch.objective(&mut layer, &x, &r, mode);
            layer.params_mut()[i] = p - H;
            let minus = scratch.objective(&mut layer, &x, &r, mode);
            layer.params_mut()[i] = p;
            (plus - minus) / (2.0 * H as f64)
        })
        .collect();
    assert_grads_close(&grad, &numeric_dp, "parameter gradient");
}

/// Checks a loss's three gradient entry points against differences of its
/// own value (through softmax and sigmoid heads for the fused entry points).
pub fn check_loss<const N: usize, T>(loss: &impl Loss<N, T>, target: &T, seed: u64) {
    let rng = &mut SmallRng::seed_from_u64(seed);
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
        assert_grads_close(&dz, &numeric, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::*;
    use crate::loss::{Bce, CrossEntropy, L1, Mse};

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
        check_layer::<[[[f32; 2]; 2]; 1], _, 3>(
            ConvTranspose2d::<1, 2, 2, 4, 4, 2>::zeroed(),
            Mode::Train,
            &[],
            29,
        );
    }

    #[test]
    fn pooling_and_reshaping() {
        let rng = &mut SmallRng::seed_from_u64(30);
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
        let rng = &mut SmallRng::seed_from_u64(43);
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
    }

    #[test]
    fn losses() {
        let mut rng = SmallRng::seed_from_u64(10);
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
    }
}
