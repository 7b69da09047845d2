//! [`GaussianNoise`]: additive noise as a regularizer.
//!
//! ```
//! use nn_core::prelude::*;
//! // Evaluation (and single-sample inference) is the identity.
//! assert_eq!(GaussianNoise::new(0.3).forward(&[1.0, 2.0]), [1.0, 2.0]);
//! ```
use crate::layer::{Context, Layer, Mode, Shape, flat, flat_mut};

setting_layer! {
    /// Adds independent `N(0, σ²)` noise to every value in training mode and
    /// passes values through unchanged in evaluation (the "noise injection"
    /// regularizer; on the input layer it is data augmentation).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(GaussianNoise::new(0.1).sigma(), 0.1);
    /// ```
    GaussianNoise {
        /// The standard deviation.
        sigma
    },
    "sigma must be finite and non-negative"
}

impl<S: Shape> Layer<S> for GaussianNoise {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [S; B],
        _: &mut (),
        ctx: &mut Context,
    ) {
        let y = flat_mut(y);
        y.copy_from_slice(flat(x));
        if ctx.mode == Mode::Train && self.sigma > 0.0 {
            crate::data::batch::add_noise(y, self.sigma, ctx.rng);
        }
    }

    fn backward<const B: usize>(
        &self,
        _x: &[S; B],
        _y: &[S; B],
        dy: &[S; B],
        _: &mut (),
        dx: Option<&mut [S; B]>,
        _grad: &mut [f32],
        _: &mut Context,
    ) {
        crate::layer::pass_gradient(dy, dx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::TrainRng;
    use rand::SeedableRng;

    #[test]
    fn noise_only_in_training_with_the_requested_spread() {
        let mut layer = GaussianNoise::new(0.5);
        let x = [[1.0f32; 1000]; 4];
        let mut y = [[0.0; 1000]; 4];
        let rng = &mut TrainRng::seed_from_u64(3);
        let mut ctx = Context {
            mode: Mode::Eval,
            rng,
            workspace: &mut [],
            parallel: &nn_kernels::parallel::Serial,
            rows: usize::MAX,
        };
        layer.forward_batch(&x, &mut y, &mut (), &mut ctx);
        assert_eq!(y, x);
        ctx.mode = Mode::Train;
        layer.forward_batch(&x, &mut y, &mut (), &mut ctx);
        let noise: std::vec::Vec<f32> = y.as_flattened().iter().map(|v| v - 1.0).collect();
        let mean = noise.iter().sum::<f32>() / 4000.0;
        let var = noise.iter().map(|n| (n - mean) * (n - mean)).sum::<f32>() / 4000.0;
        assert!(
            mean.abs() < 0.03 && (var.sqrt() - 0.5).abs() < 0.02,
            "{mean} {var}"
        );
    }
}
