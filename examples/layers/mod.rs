//! Two layers written outside nn, the way a user of the crate writes them,
//! for `examples/custom_layer.rs` and `tests/custom_layers.rs`.
//!
//! A parameter-free elementwise map only needs [`Activation`] (nn's blanket
//! impl makes it a `Layer` for every shape); a layer with parameters
//! implements [`Forward`] and [`Layer`] itself. Either is then named by path
//! in `network!` (`layers::Mish`, `crate::layers::Scale<32>`) and gets
//! training, zero-allocation steps, weights files and safetensors like
//! nn's own layers.
use nn::init::Init;
use nn::io::torch::TorchTensor;
use nn::layer::{Context, Forward, Layer};
use nn::layers::Activation;
use nn::mem::Zeroable;
use nn::rand::Rng;

/// Mish, `x · tanh(softplus(x))` (Misra, 2019): smooth and non-monotonic,
/// an activation nn does not ship.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mish;

// SAFETY: a unit struct has no bytes, so all-zero memory is a valid `Mish`.
unsafe impl Zeroable for Mish {}

/// `ln(1 + eˣ)` without overflow.
fn softplus(x: f32) -> f32 {
    if x > 20.0 { x } else { x.exp().ln_1p() }
}

impl Activation for Mish {
    fn apply(&self, x: &[f32], y: &mut [f32]) {
        for (x, y) in x.iter().zip(y) {
            *y = x * softplus(*x).tanh();
        }
    }

    fn backprop(&self, x: &[f32], _y: &[f32], d: &mut [f32]) {
        for (x, d) in x.iter().zip(d) {
            let t = softplus(*x).tanh();
            let sigmoid = 1.0 / (1.0 + (-x).exp());
            *d *= t + x * (1.0 - t * t) * sigmoid;
        }
    }
}

/// A learned per-feature gain and offset, `y = γ ⊙ x + β` (as "LayerScale"
/// or the affine part of a normalization), starting at the identity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale<const N: usize> {
    /// `[γ, β]`, so the parameters are one flat slice.
    pub params: [[f32; N]; 2],
}

// SAFETY: only f32 arrays; all-zero bits are a valid (if degenerate) layer.
unsafe impl<const N: usize> Zeroable for Scale<N> {}

impl<const N: usize> Forward<[f32; N]> for Scale<N> {
    type Out = [f32; N];
    fn forward_into(&self, x: &[f32; N], y: &mut [f32; N]) {
        let [gamma, beta] = &self.params;
        for i in 0..N {
            y[i] = gamma[i] * x[i] + beta[i];
        }
    }
}

impl<const N: usize> Layer<[f32; N]> for Scale<N> {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 2 * N;
    // The gains are weights (penalties apply to them); the offsets are biases.
    const NUM_WEIGHTS: usize = N;
    const TORCH: &'static [TorchTensor] = &[
        TorchTensor::new("weight", 0, &[N]),
        TorchTensor::new("bias", N, &[N]),
    ];

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[[f32; N]; B],
        y: &mut [[f32; N]; B],
        _: &mut (),
        _: &mut Context,
    ) {
        for (x, y) in x.iter().zip(y) {
            *y = self.forward(x);
        }
    }

    fn backward<const B: usize>(
        &self,
        x: &[[f32; N]; B],
        _y: &[[f32; N]; B],
        dy: &[[f32; N]; B],
        _: &mut (),
        dx: Option<&mut [[f32; N]; B]>,
        grad: &mut [f32],
        _: &mut Context,
    ) {
        let (d_gamma, d_beta) = grad.split_at_mut(N);
        d_gamma.fill(0.0);
        d_beta.fill(0.0);
        for (x, dy) in x.iter().zip(dy) {
            for i in 0..N {
                d_gamma[i] += dy[i] * x[i];
                d_beta[i] += dy[i];
            }
        }
        if let Some(dx) = dx {
            for (dx, dy) in dx.iter_mut().zip(dy) {
                for i in 0..N {
                    dx[i] = dy[i] * self.params[0][i];
                }
            }
        }
    }

    fn params(&self) -> &[f32] {
        self.params.as_flattened()
    }

    fn params_mut(&mut self) -> &mut [f32] {
        self.params.as_flattened_mut()
    }

    /// Starts at the identity whatever `init` says, as normalization
    /// layers' affine parameters do.
    fn init_params<R: Rng + ?Sized>(&mut self, _: Init, _: &mut R) {
        self.params = [[1.0; N], [0.0; N]];
    }
}
