//! Whole-model parameter operations for training loops: the
//! [`Parameters`] view that `network!` models implement, an exponential
//! moving average of the weights, and early stopping that keeps the best
//! weights. None of them allocates: copies go into storage the caller owns.
//!
//! ```
//! use nn_core::train::averaging::{Ema, Parameters};
//! use nn_core::layers::Linear;
//! let model = Linear::<1, 1> { weight: [[1.0]], bias: [0.0] };
//! let mut avg = Linear::<1, 1> { weight: [[0.0]], bias: [0.0] };
//! Ema { rate: 0.5 }.update(&mut avg, &model);
//! assert_eq!(avg.weight, [[0.5]]);
//! ```
use crate::layer::Layer;
use crate::layers::Linear;

/// A model's parameters as a sequence of flat tensors in layer order.
/// `network!` models implement it; so does a lone `Linear`.
pub trait Parameters {
    /// Calls `f` with each pair of same-shaped tensors of `self` and `other`.
    fn zip_tensors(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32]));

    /// Copies every parameter of `other` into `self` (no allocation, no
    /// stack temporary of the model's size).
    fn copy_params_from(&mut self, other: &Self) {
        self.zip_tensors(other, &mut |dst, src| dst.copy_from_slice(src));
    }
}

impl<const I: usize, const O: usize> Parameters for Linear<I, O> {
    fn zip_tensors(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        f(
            Layer::<[f32; I]>::params_mut(self),
            Layer::<[f32; I]>::params(other),
        );
    }
}

/// Exponential moving average of the weights, `θ_ema ← (1 − λ) θ_ema + λ θ`,
/// whose average is typically what gets evaluated.
///
/// ```
/// use nn_core::train::averaging::Ema;
/// use nn_core::layers::Linear;
/// let model = Linear::<1, 1> { weight: [[4.0]], bias: [2.0] };
/// let mut avg = model;
/// Ema { rate: 0.25 }.update(&mut avg, &Linear { weight: [[0.0]], bias: [0.0] });
/// assert_eq!((avg.weight, avg.bias), ([[3.0]], [1.5]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ema {
    /// `λ`: the weight of the newest parameters.
    pub rate: f32,
}

impl Ema {
    /// Folds `model`'s current parameters into `average`.
    pub fn update<M: Parameters>(&self, average: &mut M, model: &M) {
        let rate = self.rate;
        average.zip_tensors(model, &mut |avg, p| {
            avg.iter_mut()
                .zip(p)
                .for_each(|(a, &p)| *a += rate * (p - *a));
        });
    }
}

/// What [`EarlyStopping::observe`] concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A new best: its weights were saved.
    Improved,
    /// No improvement yet; still within patience.
    Wait,
    /// Patience ran out: stop, and [`EarlyStopping::restore`] the best.
    Stop,
}

/// Early stopping on a validation metric to be minimized, keeping the best
/// weights in caller-provided storage.
///
/// ```
/// use nn_core::train::averaging::{EarlyStopping, Verdict};
/// use nn_core::layers::Linear;
/// let mut stop = EarlyStopping::new(2);
/// let mut best = Linear::<1, 1>::zeroed();
/// let mut model = Linear::<1, 1>::zeroed();
/// model.bias = [1.0];
/// assert_eq!(stop.observe(0.5, &model, &mut best), Verdict::Improved);
/// model.bias = [2.0];
/// assert_eq!(stop.observe(0.7, &model, &mut best), Verdict::Wait);
/// assert_eq!(stop.observe(0.6, &model, &mut best), Verdict::Stop);
/// stop.restore(&mut model, &best);
/// assert_eq!(model.bias, [1.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: u32,
    /// Smallest decrease that counts as improvement.
    pub min_delta: f32,
    best: f32,
    waited: u32,
}

impl EarlyStopping {
    /// Stops after `patience` epochs without improvement.
    ///
    /// ```
    /// assert_eq!(nn_core::train::averaging::EarlyStopping::new(3).best(), f32::INFINITY);
    /// ```
    pub fn new(patience: u32) -> Self {
        Self {
            patience,
            min_delta: 0.0,
            best: f32::INFINITY,
            waited: 0,
        }
    }

    /// The best metric so far.
    ///
    /// ```
    /// assert!(nn_core::train::averaging::EarlyStopping::new(1).best().is_infinite());
    /// ```
    pub fn best(&self) -> f32 {
        self.best
    }

    /// Records an epoch's metric; on improvement copies `model` into `best`.
    /// A NaN metric never improves.
    pub fn observe<M: Parameters>(&mut self, metric: f32, model: &M, best: &mut M) -> Verdict {
        if metric < self.best - self.min_delta {
            self.best = metric;
            self.waited = 0;
            best.copy_params_from(model);
            Verdict::Improved
        } else {
            self.waited += 1;
            if self.waited >= self.patience {
                Verdict::Stop
            } else {
                Verdict::Wait
            }
        }
    }

    /// Puts the best weights back into `model`.
    pub fn restore<M: Parameters>(&self, model: &mut M, best: &M) {
        model.copy_params_from(best);
    }
}
