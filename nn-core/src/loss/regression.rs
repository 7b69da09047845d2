//! Regression losses, averaged over the output features as PyTorch's
//! `reduction="mean"` does.
use super::Loss;

/// Mean squared error, `(1/N) Σ (y − t)²`.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(Mse.loss_grad(&[1.0, 2.0], &[0.0, 0.0], None), 2.5);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Mse;

/// Mean absolute error, `(1/N) Σ |y − t|`; its gradient at `y = t` is taken as 0.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(L1.loss_grad(&[1.0, -2.0], &[0.0, 0.0], None), 1.5);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct L1;

/// `(1/N) Σ f(y − t)` with gradient `f'(y − t) / N`.
pub(super) fn mean_elementwise<const N: usize>(
    y: &[f32; N],
    t: &[f32; N],
    dy: Option<&mut [f32; N]>,
    f: impl Fn(f32) -> (f32, f32),
) -> f32 {
    let inv_n = 1.0 / N as f32;
    let mut sum = 0.0;
    match dy {
        Some(dy) => y.iter().zip(t).zip(dy.iter_mut()).for_each(|((y, t), d)| {
            let (v, g) = f(y - t);
            sum += v;
            *d = g * inv_n;
        }),
        None => y.iter().zip(t).for_each(|(y, t)| sum += f(y - t).0),
    }
    sum * inv_n
}

impl<const N: usize> Loss<N, [f32; N]> for Mse {
    fn loss_grad(&self, y: &[f32; N], t: &[f32; N], dy: Option<&mut [f32; N]>) -> f32 {
        mean_elementwise(y, t, dy, |e| (e * e, 2.0 * e))
    }
}

impl<const N: usize> Loss<N, [f32; N]> for L1 {
    fn loss_grad(&self, y: &[f32; N], t: &[f32; N], dy: Option<&mut [f32; N]>) -> f32 {
        let sign = |e: f32| {
            if e > 0.0 {
                1.0
            } else if e < 0.0 {
                -1.0
            } else {
                0.0
            }
        };
        mean_elementwise(y, t, dy, |e| (e.abs(), sign(e)))
    }
}
