//! Learning-rate schedules: the rate for an epoch (or step) as a function of
//! its index, plus reduce-on-plateau, which follows a validation metric.
//! Apply one by setting the optimizer's rate before each epoch:
//!
//! ```
//! use nn_core::prelude::*;
//! use nn_core::schedule::{Schedule, StepDecay};
//! let schedule = StepDecay { initial: 0.1, factor: 0.5, every: 10 };
//! let mut sgd = Sgd::new(schedule.lr(0));
//! for epoch in 0..30 {
//!     sgd.set_lr(schedule.lr(epoch));
//!     // ... train an epoch ...
//! }
//! assert_eq!(sgd.lr(), 0.025);
//! ```

/// A learning rate as a function of the epoch (or step) index, from 0.
pub trait Schedule {
    /// The rate for epoch `t`.
    fn lr(&self, t: u32) -> f32;
}

/// Inverse-time decay `α0 / (1 + k·t)`.
///
/// ```
/// use nn_core::schedule::{InverseTime, Schedule};
/// assert_eq!(InverseTime { initial: 1.0, k: 0.5 }.lr(2), 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InverseTime {
    /// `α0`.
    pub initial: f32,
    /// Decay rate `k`.
    pub k: f32,
}

impl Schedule for InverseTime {
    fn lr(&self, t: u32) -> f32 {
        self.initial / (1.0 + self.k * t as f32)
    }
}

/// Step decay: `α0 · factor^⌊t / every⌋`.
///
/// ```
/// use nn_core::schedule::{Schedule, StepDecay};
/// assert_eq!(StepDecay { initial: 1.0, factor: 0.1, every: 5 }.lr(12), 0.010000001);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    /// `α0`.
    pub initial: f32,
    /// Multiplier applied every `every` epochs.
    pub factor: f32,
    /// Epochs between drops (at least 1).
    pub every: u32,
}

impl Schedule for StepDecay {
    fn lr(&self, t: u32) -> f32 {
        self.initial * libm::powf(self.factor, (t / self.every.max(1)) as f32)
    }
}

/// Exponential decay `α0 · k^t` (the notes' `t^epoch · α0`, with `k < 1`).
///
/// ```
/// use nn_core::schedule::{Exponential, Schedule};
/// assert_eq!(Exponential { initial: 2.0, k: 0.5 }.lr(3), 0.25);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exponential {
    /// `α0`.
    pub initial: f32,
    /// Per-epoch factor `k`.
    pub k: f32,
}

impl Schedule for Exponential {
    fn lr(&self, t: u32) -> f32 {
        self.initial * libm::powf(self.k, t as f32)
    }
}

/// Inverse-square-root decay `α0 · k / √t` (the notes' `α0·t/√epoch`),
/// counting epochs from 1 so the first rate is `α0 · k`.
///
/// ```
/// use nn_core::schedule::{InverseSqrt, Schedule};
/// assert_eq!(InverseSqrt { initial: 1.0, k: 1.0 }.lr(3), 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InverseSqrt {
    /// `α0`.
    pub initial: f32,
    /// Constant `k`.
    pub k: f32,
}

impl Schedule for InverseSqrt {
    fn lr(&self, t: u32) -> f32 {
        self.initial * self.k / libm::sqrtf((t + 1) as f32)
    }
}

/// Cosine annealing from `max` to `min` over `period` epochs; with
/// `restart_mult`, warm restarts (SGDR): after each cycle the rate jumps back
/// to `max` and the next cycle is `restart_mult` times longer (0 means no
/// restarts: the rate stays at `min`).
///
/// ```
/// use nn_core::schedule::{Cosine, Schedule};
/// let c = Cosine { max: 1.0, min: 0.0, period: 10, restart_mult: 1 };
/// assert_eq!((c.lr(0), c.lr(10)), (1.0, 1.0)); // a restart every 10 epochs
/// assert!((c.lr(5) - 0.5).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cosine {
    /// Rate at the start of each cycle.
    pub max: f32,
    /// Rate the cycle anneals to.
    pub min: f32,
    /// Length of the first cycle, in epochs (at least 1).
    pub period: u32,
    /// Growth of each next cycle's length; 0 disables restarts.
    pub restart_mult: u32,
}

impl Schedule for Cosine {
    fn lr(&self, t: u32) -> f32 {
        let (mut start, mut len) = (0u32, self.period.max(1));
        if self.restart_mult == 0 {
            if t >= len {
                return self.min;
            }
        } else {
            while t >= start + len {
                start += len;
                len = len.saturating_mul(self.restart_mult);
            }
        }
        let phase = (t - start) as f32 / len as f32;
        self.min + 0.5 * (self.max - self.min) * (1.0 + libm::cosf(core::f32::consts::PI * phase))
    }
}

/// Linear warm-up for the first `epochs` epochs (from `inner.lr(0) / epochs`
/// up to `inner.lr(epochs)`), then `inner`.
///
/// ```
/// use nn_core::schedule::{Exponential, Schedule, Warmup};
/// let w = Warmup { epochs: 4, inner: Exponential { initial: 1.0, k: 1.0 } };
/// assert_eq!((w.lr(0), w.lr(1), w.lr(4)), (0.25, 0.5, 1.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup<S> {
    /// Warm-up length.
    pub epochs: u32,
    /// The schedule after warm-up.
    pub inner: S,
}

impl<S: Schedule> Schedule for Warmup<S> {
    fn lr(&self, t: u32) -> f32 {
        if t < self.epochs {
            self.inner.lr(self.epochs) * (t + 1) as f32 / self.epochs as f32
        } else {
            self.inner.lr(t)
        }
    }
}

/// Reduce-on-plateau: multiplies the rate by `factor` when a metric to be
/// minimized (e.g. validation loss) has not improved by more than
/// `threshold` for `patience` consecutive epochs, never below `min`.
///
/// ```
/// use nn_core::schedule::ReduceOnPlateau;
/// let mut r = ReduceOnPlateau::new(0.1, 0.5, 2);
/// for loss in [1.0, 0.9, 0.95, 0.92] {
///     r.observe(loss);
/// }
/// assert_eq!(r.lr(), 0.05); // two epochs without beating 0.9
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReduceOnPlateau {
    lr: f32,
    /// Multiplier on a plateau.
    pub factor: f32,
    /// Epochs without improvement that make a plateau.
    pub patience: u32,
    /// Smallest improvement that counts.
    pub threshold: f32,
    /// Floor for the rate.
    pub min: f32,
    best: f32,
    bad_epochs: u32,
}

impl ReduceOnPlateau {
    /// Starts at `lr`; `threshold` 0 and `min` 0.
    ///
    /// ```
    /// assert_eq!(nn_core::schedule::ReduceOnPlateau::new(0.1, 0.5, 3).lr(), 0.1);
    /// ```
    pub fn new(lr: f32, factor: f32, patience: u32) -> Self {
        Self {
            lr,
            factor,
            patience,
            threshold: 0.0,
            min: 0.0,
            best: f32::INFINITY,
            bad_epochs: 0,
        }
    }

    /// Records an epoch's metric and returns the rate for the next epoch.
    /// A NaN metric counts as no improvement.
    ///
    /// ```
    /// let mut r = nn_core::schedule::ReduceOnPlateau::new(1.0, 0.1, 1);
    /// assert_eq!(r.observe(5.0), 1.0);
    /// assert_eq!(r.observe(6.0), 0.1);
    /// ```
    pub fn observe(&mut self, metric: f32) -> f32 {
        if metric < self.best - self.threshold {
            self.best = metric;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
            if self.bad_epochs >= self.patience {
                self.lr = (self.lr * self.factor).max(self.min);
                self.bad_epochs = 0;
            }
        }
        self.lr
    }

    /// The current rate.
    ///
    /// ```
    /// assert_eq!(nn_core::schedule::ReduceOnPlateau::new(0.3, 0.5, 1).lr(), 0.3);
    /// ```
    pub fn lr(&self) -> f32 {
        self.lr
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn close(a: f32, b: f64) -> bool {
        (a as f64 - b).abs() < 1e-6 * (1.0 + b.abs())
    }

    #[test]
    fn closed_forms_match_their_formulas() {
        for t in 0..40u32 {
            let tf = t as f64;
            assert!(close(
                InverseTime {
                    initial: 0.5,
                    k: 0.1
                }
                .lr(t),
                0.5 / (1.0 + 0.1 * tf)
            ));
            assert!(close(
                StepDecay {
                    initial: 0.5,
                    factor: 0.3,
                    every: 7
                }
                .lr(t),
                0.5 * 0.3f64.powi((t / 7) as i32)
            ));
            assert!(close(
                Exponential {
                    initial: 0.5,
                    k: 0.95
                }
                .lr(t),
                0.5 * 0.95f64.powi(t as i32)
            ));
            assert!(close(
                InverseSqrt {
                    initial: 0.5,
                    k: 2.0
                }
                .lr(t),
                1.0 / (tf + 1.0).sqrt()
            ));
            let no_restart = Cosine {
                max: 0.5,
                min: 0.01,
                period: 25,
                restart_mult: 0,
            };
            let expected = if t >= 25 {
                0.01
            } else {
                0.01 + 0.245 * (1.0 + (std::f64::consts::PI * tf / 25.0).cos())
            };
            assert!(close(no_restart.lr(t), expected), "cosine at {t}");
        }
    }

    #[test]
    fn warm_restarts_lengthen_each_cycle() {
        let c = Cosine {
            max: 1.0,
            min: 0.0,
            period: 2,
            restart_mult: 2,
        };
        // cycles: [0, 2), [2, 6), [6, 14)
        let starts: Vec<u32> = (0..14).filter(|&t| c.lr(t) == 1.0).collect();
        assert_eq!(starts, [0, 2, 6]);
        assert!(close(c.lr(4), 0.5));
    }

    #[test]
    fn plateau_waits_for_patience_and_respects_the_floor() {
        let mut r = ReduceOnPlateau {
            min: 0.02,
            ..ReduceOnPlateau::new(0.1, 0.5, 2)
        };
        let rates: Vec<f32> = [1.0, 0.8, 0.8, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7, f32::NAN]
            .iter()
            .map(|&m| r.observe(m))
            .collect();
        assert_eq!(
            rates,
            [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]
        );
    }
}
