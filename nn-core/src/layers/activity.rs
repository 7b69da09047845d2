//! [`ActivityL1`]: representation sparsity, an L1 penalty on the
//! activations that pass through it.
//!
//! ```
//! use nn_core::prelude::*;
//! // Inference is the identity: the penalty only shapes training.
//! assert_eq!(ActivityL1::new(0.01).forward(&[1.0, -2.0]), [1.0, -2.0]);
//! ```
use crate::layer::{Context, Layer, Mode, Shape, flat, flat_mut};

setting_layer! {
    /// An L1 penalty `λ Σᵢ |hᵢ|` on the activations `h` of the layer before it,
    /// added to each sample's loss in training: the course notes' representation
    /// sparsity, which pushes a layer's *outputs* toward zero (most units off for
    /// a given input) where an L1 penalty on weights
    /// ([`Regularization::l1`](crate::train::regularize::Regularization::l1))
    /// pushes its *parameters* toward zero. Keras calls it an activity
    /// regularizer.
    ///
    /// Forward is the identity. In training mode, backward adds the penalty's
    /// gradient `(λ/n)·sign(h)` (the loss is a mean over the batch's `n` real
    /// samples) to the gradient
    /// passing through; in evaluation mode it passes the gradient unchanged, so
    /// `gradient()` and `eval_loss` stay the data objective. A train step's
    /// returned loss is the data loss, without the penalty.
    ///
    /// In `network!` it follows the layer whose outputs it penalizes:
    /// `Linear<64, 32>, ReLU, ActivityL1<0.001>, Linear<32, 64>`.
    ///
    /// ```
    /// use nn_core::layers::ActivityL1;
    /// let sparsity = ActivityL1::new(0.01);
    /// assert_eq!(sparsity.penalty(&[0.5, 0.0, -1.5]), 0.02); // 0.01 · (0.5 + 1.5)
    /// ```
    ActivityL1 {
        /// λ, the penalty per unit of activation magnitude.
        strength
    },
    "the penalty must be finite and non-negative"
}

impl ActivityL1 {
    /// The penalty `λ Σ |h|` of one sample's activations `h`.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::ActivityL1::new(0.5).penalty(&[1.0, -3.0, 0.0]), 2.0);
    /// ```
    pub fn penalty(&self, h: &[f32]) -> f32 {
        self.strength * h.iter().map(|v| v.abs()).sum::<f32>()
    }
}

impl<S: Shape> Layer<S> for ActivityL1 {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = 0;

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [S; B],
        _: &mut (),
        _: &mut Context,
    ) {
        flat_mut(y).copy_from_slice(flat(x));
    }

    fn backward<const B: usize>(
        &self,
        x: &[S; B],
        _y: &[S; B],
        dy: &[S; B],
        _: &mut (),
        dx: Option<&mut [S; B]>,
        _grad: &mut [f32],
        ctx: &mut Context,
    ) {
        let Some(dx) = dx else { return };
        // The penalty is a mean over the batch's real samples; padding of a
        // short batch passes its (zero) gradient through.
        let rows = ctx.real_rows::<B>();
        let step = if ctx.mode == Mode::Train {
            self.strength / rows as f32
        } else {
            0.0
        };
        let real = rows * S::LEN;
        flat_mut(dx)[real..].copy_from_slice(&flat(dy)[real..]);
        // |h| has no derivative at 0; its subgradient 0 leaves zeros alone,
        // as PyTorch's `abs` backward does.
        let (dx, dy, x) = (
            &mut flat_mut(dx)[..real],
            &flat(dy)[..real],
            &flat(x)[..real],
        );
        for ((d, &g), &h) in dx.iter_mut().zip(dy).zip(x) {
            *d = g + if h > 0.0 {
                step
            } else if h < 0.0 {
                -step
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::Zeroable;
    use crate::rng::TrainRng;
    use crate::train::gradcheck::check_gradient;
    use rand::{Rng, SeedableRng};

    const B: usize = 3;

    fn backward(
        layer: &ActivityL1,
        x: &[[f32; 5]; B],
        dy: &[[f32; 5]; B],
        mode: Mode,
    ) -> [[f32; 5]; B] {
        let mut dx = <[[f32; 5]; B]>::zeroed();
        let rng = &mut TrainRng::seed_from_u64(0);
        let mut ctx = Context {
            mode,
            rng,
            workspace: &mut [],
            parallel: &nn_kernels::parallel::Serial,
            rows: usize::MAX,
        };
        layer.backward(x, x, dy, &mut (), Some(&mut dx), &mut [], &mut ctx);
        dx
    }

    /// The objective a batch trains on through the layer: `Σ r ⊙ y` for a
    /// random upstream gradient `r`, plus the batch mean of the penalty.
    #[test]
    fn training_gradient_is_the_penalised_objective_s_and_evaluation_passes_through() {
        let layer = ActivityL1::new(0.3);
        let rng = &mut TrainRng::seed_from_u64(5);
        // Away from 0, where |h| has no derivative.
        let mut x = [[0.0f32; 5]; B];
        x.as_flattened_mut().iter_mut().for_each(|v| {
            let m = rng.random_range(0.1..1.0f32);
            *v = if rng.random::<bool>() { m } else { -m };
        });
        let r: [[f32; 5]; B] =
            core::array::from_fn(|_| core::array::from_fn(|_| rng.random_range(-1.0..1.0)));
        let dx = backward(&layer, &x, &r, Mode::Train);
        let objective = |x: &[f32]| -> f64 {
            let data: f64 = x
                .iter()
                .zip(r.as_flattened())
                .map(|(a, b)| (a * b) as f64)
                .sum();
            let penalty: f64 = x.chunks(5).map(|h| layer.penalty(h) as f64).sum();
            data + penalty / B as f64
        };
        check_gradient(x.as_flattened(), dx.as_flattened(), objective)
            .assert_passed("input gradient");

        assert_eq!(backward(&layer, &x, &r, Mode::Eval), r);
        let zero = [[0.0f32; 5]; B];
        assert_eq!(
            backward(&layer, &zero, &r, Mode::Train),
            r,
            "zeros get the subgradient 0"
        );
    }
}
