//! Inverted dropout, of single features (`Dropout`) or of whole channels
//! (`Dropout1d` for sequences, `Dropout2d` for images), as PyTorch's.
use crate::layer::{Context, Forward, Layer, Mode, Shape, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use rand::Rng;

/// Inverted dropout: in training each feature is zeroed with probability `p`
/// and the survivors are scaled by `1 / (1 - p)`; in evaluation it is the
/// identity.
///
/// Scaling at training time makes the expected training activation equal the
/// evaluation activation, which is exactly what the classic formulation gets
/// by instead multiplying the weights by `1 - p` at inference (the
/// weight-scaling rule). Both give the same network function; the inverted
/// form leaves inference untouched.
///
/// ```
/// use nn_core::prelude::*;
/// let d = Dropout::new(0.5);
/// assert_eq!(d.forward(&[1.0, 2.0]), [1.0, 2.0]); // evaluation: identity
/// ```
pub type Dropout = DropoutOver<0>;

/// Channel dropout for sequences (`C × L`, PyTorch's `Dropout1d`): each
/// channel of each sample is zeroed whole with probability `p` and the
/// others scaled by `1 / (1 - p)` — neighbouring positions are correlated,
/// so dropping single features regularizes little (the course notes:
/// "dropout for 2D structures usually drops entire channels").
///
/// ```
/// use nn_core::prelude::*;
/// let d = Dropout1d::new(0.5);
/// assert_eq!(d.forward(&[[1.0, 2.0]]), [[1.0, 2.0]]); // evaluation: identity
/// ```
pub type Dropout1d = DropoutOver<1>;

/// Channel dropout for images (`C × H × W`, PyTorch's `Dropout2d`): each
/// channel's whole map is zeroed with probability `p`, the others scaled by
/// `1 / (1 - p)`.
///
/// ```
/// use nn_core::prelude::*;
/// let d = Dropout2d::new(0.25);
/// assert_eq!(d.forward(&[[[1.0]]]), [[[1.0]]]); // evaluation: identity
/// ```
pub type Dropout2d = DropoutOver<2>;

/// Inverted dropout of units spanning the sample's last `D` dimensions:
/// single features for `D = 0` ([`Dropout`]), channels of a sequence for
/// `D = 1` ([`Dropout1d`]), channels of an image for `D = 2`
/// ([`Dropout2d`]).
///
/// ```
/// use nn_core::layers::{Dropout, DropoutOver};
/// let d: DropoutOver<0> = Dropout::new(0.1);
/// assert_eq!(d.p(), 0.1);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DropoutOver<const D: usize> {
    p: f32,
}

// SAFETY: a single f32; zero (p = 0, no dropout) is a valid value.
unsafe impl<const D: usize> Zeroable for DropoutOver<D> {}
// SAFETY: `repr(C)` of one f32; any bit pattern is a valid value.
unsafe impl<const D: usize> Plain for DropoutOver<D> {}

impl<const D: usize> DropoutOver<D> {
    /// Dropout with drop probability `p` (PyTorch's default is 0.5).
    ///
    /// # Panics
    /// If `p` is not in `[0, 1)` (also at compile time in a `const`).
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Dropout::new(0.2).p(), 0.2);
    /// ```
    pub const fn new(p: f32) -> Self {
        assert!(p >= 0.0 && p < 1.0, "dropout probability must be in [0, 1)");
        Self { p }
    }

    /// The drop probability.
    ///
    /// ```
    /// assert_eq!(nn_core::layers::Dropout::new(0.0).p(), 0.0);
    /// ```
    pub const fn p(&self) -> f32 {
        self.p
    }
}

/// PyTorch's default, `p = 0.5`.
///
/// ```
/// assert_eq!(nn_core::layers::Dropout::default().p(), 0.5);
/// ```
impl<const D: usize> Default for DropoutOver<D> {
    fn default() -> Self {
        Self::new(nn_shape::defaults::DROPOUT)
    }
}

impl<S: Shape, const D: usize> Forward<S> for DropoutOver<D> {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        *y = *x;
    }
}

/// The dropout masks of a batch of `x`: each run of `unit` values is
/// dropped (0) or kept (`1 / (1 − p)`) together; all 1 in evaluation.
/// Writes `y = x · mask`.
fn forward_masked(
    p: f32,
    unit: usize,
    x: &[f32],
    y: &mut [f32],
    mask: &mut [f32],
    ctx: &mut Context,
) {
    if ctx.mode == Mode::Eval || p == 0.0 {
        mask.fill(1.0);
    } else {
        let keep = 1.0 / (1.0 - p);
        for run in mask.chunks_exact_mut(unit) {
            run.fill(if ctx.rng.random::<f32>() < p {
                0.0
            } else {
                keep
            });
        }
    }
    y.iter_mut()
        .zip(x)
        .zip(mask.iter())
        .for_each(|((y, x), m)| *y = x * m);
}

/// `dx = dy · mask`.
fn backward_masked(dy: &[f32], mask: &[f32], dx: Option<&mut [f32]>) {
    if let Some(dx) = dx {
        dx.iter_mut()
            .zip(dy)
            .zip(mask)
            .for_each(|((dx, dy), m)| *dx = dy * m);
    }
}

/// The `Layer` impl of a dropout over units of `$unit` values of shape `$s`.
macro_rules! dropout_layer {
    ($d:literal, [$($generics:tt)*], $s:ty, $unit:expr) => {
        impl<$($generics)*> Layer<$s> for DropoutOver<$d> {
            /// The mask: `0` for dropped values, `1 / (1 - p)` for kept ones.
            type Cache<const B: usize> = [$s; B];
            const NUM_PARAMS: usize = 0;

            fn forward_batch<const B: usize>(
                &mut self,
                x: &[$s; B],
                y: &mut [$s; B],
                mask: &mut [$s; B],
                ctx: &mut Context,
            ) {
                forward_masked(self.p, $unit, flat(x), flat_mut(y), flat_mut(mask), ctx);
            }

            fn backward<const B: usize>(
                &self,
                _x: &[$s; B],
                _y: &[$s; B],
                dy: &[$s; B],
                mask: &mut [$s; B],
                dx: Option<&mut [$s; B]>,
                _grad: &mut [f32],
                _: &mut Context,
            ) {
                backward_masked(flat(dy), flat(mask), dx.map(|dx| flat_mut(dx)));
            }
        }
    };
}

dropout_layer!(0, [S: Shape], S, 1);
dropout_layer!(1, [const C: usize, const L: usize], [[f32; L]; C], L);
dropout_layer!(2, [const C: usize, const H: usize, const W: usize], [[[f32; W]; H]; C], H * W);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::TrainRng;
    use rand::SeedableRng;

    /// A training pass of `d` over a batch of ones.
    fn masked<S: Shape, const B: usize>(d: &mut impl Layer<S, Out = S>) -> [S; B] {
        let mut rng = TrainRng::seed_from_u64(3);
        let mut ctx = Context {
            mode: Mode::Train,
            rng: &mut rng,
            workspace: &mut [],
            parallel: &nn_kernels::parallel::Serial,
            rows: usize::MAX,
        };
        let x: [S; B] = core::array::from_fn(|_| {
            let mut s = S::zeroed();
            flat_mut(core::slice::from_mut(&mut s)).fill(1.0);
            s
        });
        let (mut y, mut cache) = ([S::zeroed(); B], Zeroable::zeroed());
        d.forward_batch(&x, &mut y, &mut cache, &mut ctx);
        y
    }

    #[test]
    fn channel_dropout_drops_whole_channels_at_rate_p() {
        // 64 samples × 8 channels of 4×5 images.
        let y = masked::<[[[f32; 5]; 4]; 8], 64>(&mut Dropout2d::new(0.25));
        let mut dropped = 0;
        for channel in y.iter().flatten() {
            let values = channel.as_flattened();
            // A whole channel is dropped or kept, and kept ones are scaled.
            assert!(values.iter().all(|&v| v == values[0]), "{values:?}");
            assert!(values[0] == 0.0 || (values[0] - 1.0 / 0.75).abs() < 1e-6);
            dropped += (values[0] == 0.0) as usize;
        }
        // 512 channels at p = 0.25: 128 expected, σ ≈ 9.8.
        assert!((98..=158).contains(&dropped), "{dropped} of 512 dropped");
        // Sequences: channels of `L` values.
        let y = masked::<[[f32; 6]; 4], 64>(&mut Dropout1d::new(0.5));
        let dropped = y
            .iter()
            .flatten()
            .filter(|c| c.iter().all(|&v| v == 0.0))
            .count();
        assert!(y.iter().flatten().all(|c| c.iter().all(|&v| v == c[0])));
        assert!((98..=158).contains(&dropped), "{dropped} of 256 dropped");
    }

    #[test]
    fn feature_dropout_drops_single_features() {
        let y = masked::<[[f32; 6]; 4], 16>(&mut Dropout::new(0.5));
        // Some channel holds both dropped and kept features.
        assert!(
            y.iter()
                .flatten()
                .any(|c| c.contains(&0.0) && c.contains(&2.0))
        );
    }
}
