//! [`PReLU`]: a leaky ReLU whose negative slope is learned.
//!
//! ```
//! use nn_core::prelude::*;
//! let p = PReLU::<1>::new(); // one slope for the whole layer, starting at 0.25
//! assert_eq!(p.forward(&[-4.0, 2.0]), [-1.0, 2.0]);
//! ```
use crate::init::Init;
use crate::layer::{Context, Forward, Layer, Shape, flat, flat_mut};
use crate::mem::{Plain, Zeroable};
use core::slice::{from_mut, from_ref};
use nn_kernels::activation::{leaky_relu, leaky_relu_backward};

/// Parametric ReLU (He et al., 2015): `x` for `x > 0`, else `αx`, with `α`
/// learned. `A = 1` shares one `α` across the layer; `A` = the input's
/// channel count ([`Shape::CHANNELS`]: features of a vector, channels of an
/// image) learns one per channel. `α` starts at 0.25 and, like a bias, gets
/// no weight decay.
///
/// ```
/// use nn_core::prelude::*;
/// let mut p = PReLU::<2>::new(); // per channel of a 2-channel image
/// p.alpha = [0.5, 0.0];
/// assert_eq!(p.forward(&[[[-2.0]], [[-2.0]]]), [[[-1.0]], [[0.0]]]);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PReLU<const A: usize> {
    /// The negative slopes.
    pub alpha: [f32; A],
}

// SAFETY: an f32 array; zero bits are valid.
unsafe impl<const A: usize> Zeroable for PReLU<A> {}
// SAFETY: `repr(C)` of an f32 array: no padding, any bit pattern is valid.
unsafe impl<const A: usize> Plain for PReLU<A> {}

impl<const A: usize> PReLU<A> {
    /// Every slope 0.25 (PyTorch's default).
    ///
    /// ```
    /// assert_eq!(nn_core::layers::PReLU::<3>::new().alpha, [0.25; 3]);
    /// ```
    pub const fn new() -> Self {
        Self { alpha: [0.25; A] }
    }

    /// Calls `f(slope, range)` for each run of the sample sharing one slope.
    fn groups<S: Shape>(&self, mut f: impl FnMut(usize, core::ops::Range<usize>)) {
        const {
            assert!(
                A == 1 || A == S::CHANNELS,
                "PReLU<A>: A must be 1 or the input's channel count"
            )
        };
        let len = S::LEN / A;
        for a in 0..A {
            f(a, a * len..(a + 1) * len);
        }
    }
}

impl<const A: usize> Default for PReLU<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Shape, const A: usize> Forward<S> for PReLU<A> {
    type Out = S;
    fn forward_into(&self, x: &S, y: &mut S) {
        let (x, out) = (flat(from_ref(x)), flat_mut(from_mut(y)));
        self.groups::<S>(|a, r| leaky_relu(&x[r.clone()], &mut out[r], self.alpha[a]));
    }
}

impl<S: Shape, const A: usize> Layer<S> for PReLU<A> {
    type Cache<const B: usize> = ();
    const NUM_PARAMS: usize = A;
    const TORCH: &'static [crate::io::torch::TorchTensor] =
        &[crate::io::torch::TorchTensor::new("weight", 0, &[A])];

    fn forward_batch<const B: usize>(
        &mut self,
        x: &[S; B],
        y: &mut [S; B],
        _: &mut (),
        _: &mut Context,
    ) {
        crate::layer::forward_each(self, x, y);
    }

    fn backward<const B: usize>(
        &self,
        x: &[S; B],
        _y: &[S; B],
        dy: &[S; B],
        _: &mut (),
        mut dx: Option<&mut [S; B]>,
        grad: &mut [f32],
        _: &mut Context,
    ) {
        grad.fill(0.0);
        for (b, (x, dy)) in x.iter().zip(dy).enumerate() {
            let (x, dy) = (flat(from_ref(x)), flat(from_ref(dy)));
            // ∂y/∂α = x where x ≤ 0.
            self.groups::<S>(|a, r| {
                grad[a] += x[r.clone()]
                    .iter()
                    .zip(&dy[r])
                    .filter(|(x, _)| **x <= 0.0)
                    .map(|(x, d)| x * d)
                    .sum::<f32>();
            });
            if let Some(dx) = dx.as_deref_mut() {
                let dx = flat_mut(from_mut(&mut dx[b]));
                dx.copy_from_slice(dy);
                self.groups::<S>(|a, r| {
                    leaky_relu_backward(&x[r.clone()], &mut dx[r], self.alpha[a])
                });
            }
        }
    }

    fn params(&self) -> &[f32] {
        &self.alpha
    }

    fn params_mut(&mut self) -> &mut [f32] {
        &mut self.alpha
    }

    /// Slopes back to 0.25; `init` is not used.
    fn init_params<R: rand::Rng + ?Sized>(&mut self, _: Init, _: &mut R) {
        *self = Self::new();
    }
}
