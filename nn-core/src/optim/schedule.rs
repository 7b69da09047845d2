//! Learning-rate schedules: the rate for an epoch (or step) as a function of
//! its index, plus reduce-on-plateau, which follows a validation metric.
//! Where PyTorch has the same schedule, nn's follows it (tests compare
//! against fixtures PyTorch produced); [`Cosine`] without restarts is the
//! one that differs, and [`CosineAnnealing`] is PyTorch's.
//! Apply one by setting the optimizer's rate before each epoch:
//!
//! ```
//! use nn_core::prelude::*;
//! use nn_core::optim::schedule::{Schedule, StepDecay};
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
/// use nn_core::optim::schedule::{InverseTime, Schedule};
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
/// use nn_core::optim::schedule::{Schedule, StepDecay};
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
/// use nn_core::optim::schedule::{Exponential, Schedule};
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
/// use nn_core::optim::schedule::{InverseSqrt, Schedule};
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
        self.initial * self.k / nn_kernels::math::sqrt((t + 1) as f32)
    }
}

/// Cosine annealing from `max` to `min` over `period` epochs; with
/// `restart_mult`, warm restarts (SGDR): after each cycle the rate jumps back
/// to `max` and the next cycle is `restart_mult` times longer (0 means no
/// restarts: the rate stays at `min`, where PyTorch's `CosineAnnealingLR`
/// climbs back up; that one is [`CosineAnnealing`]).
///
/// ```
/// use nn_core::optim::schedule::{Cosine, Schedule};
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
        cosine_between(self.max, self.min, phase)
    }
}

/// Linear warm-up for the first `epochs` epochs (from `inner.lr(0) / epochs`
/// up to `inner.lr(epochs)`), then `inner`.
///
/// ```
/// use nn_core::optim::schedule::{Exponential, Schedule, Warmup};
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

/// `min + (max − min)(1 + cos(π·phase)) / 2`: `max` at phase 0, `min` at 1.
fn cosine_between(max: f32, min: f32, phase: f32) -> f32 {
    min + 0.5 * (max - min) * (1.0 + libm::cosf(core::f32::consts::PI * phase))
}

/// Cosine annealing as PyTorch's `CosineAnnealingLR`:
/// `min + (max − min)(1 + cos(π t / t_max)) / 2` for every `t`, so past
/// `t_max` the rate climbs back to `max` over the next `t_max` epochs (a
/// cosine of period `2·t_max`). [`Cosine`] instead holds `min` after its
/// cycle, or restarts at `max` (SGDR).
///
/// ```
/// use nn_core::optim::schedule::{CosineAnnealing, Schedule};
/// let c = CosineAnnealing { max: 1.0, min: 0.0, t_max: 10 };
/// assert_eq!((c.lr(0), c.lr(10)), (1.0, 0.0));
/// assert!((c.lr(20) - 1.0).abs() < 1e-6); // back up, as PyTorch's
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineAnnealing {
    /// Rate at `t = 0`.
    pub max: f32,
    /// Rate at `t = t_max`.
    pub min: f32,
    /// Half period, in epochs (at least 1).
    pub t_max: u32,
}

impl Schedule for CosineAnnealing {
    fn lr(&self, t: u32) -> f32 {
        let phase = t as f32 / self.t_max.max(1) as f32;
        cosine_between(self.max, self.min, phase)
    }
}

/// Whether [`ReduceOnPlateau`] watches a metric to minimize (a loss) or to
/// maximize (an accuracy).
///
/// ```
/// assert_eq!(nn_core::optim::schedule::PlateauMode::default(), nn_core::optim::schedule::PlateauMode::Min);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better.
    #[default]
    Min,
    /// Higher is better.
    Max,
}

/// How [`ReduceOnPlateau`] decides that a metric improved on the best so far.
///
/// ```
/// assert_eq!(nn_core::optim::schedule::Threshold::default(), nn_core::optim::schedule::Threshold::Relative);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Threshold {
    /// By more than `threshold · |best|`: `m < best·(1 − threshold)` when
    /// minimizing, `m > best·(1 + threshold)` when maximizing.
    #[default]
    Relative,
    /// By more than `threshold`: `m < best − threshold` or `m > best + threshold`.
    Absolute,
}

/// Reduce-on-plateau with PyTorch's `ReduceLROnPlateau` semantics: after
/// more than `patience` consecutive epochs without improvement, the rate is
/// multiplied by `factor` (never below `min`, and only if it falls by more
/// than `eps`), then `cooldown` epochs pass before bad epochs count again.
/// Defaults are PyTorch's: relative threshold 1e-4, cooldown 0, min 0,
/// eps 1e-8, minimizing. Every setting is a public field, so struct-update
/// syntax works; the running state is [`PlateauState`].
///
/// ```
/// use nn_core::optim::schedule::ReduceOnPlateau;
/// let mut r = ReduceOnPlateau::new(0.1, 0.5, 2);
/// for loss in [1.0, 0.9, 0.95, 0.92, 0.91] {
///     r.observe(loss);
/// }
/// assert_eq!(r.lr(), 0.05); // three epochs without beating 0.9: more than patience
///
/// let cooled = ReduceOnPlateau { cooldown: 3, min: 0.01, ..ReduceOnPlateau::new(0.1, 0.5, 2) };
/// assert_eq!(cooled.cooldown, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReduceOnPlateau {
    /// Multiplier on a plateau.
    pub factor: f32,
    /// Epochs without improvement tolerated; the next one reduces the rate.
    pub patience: u32,
    /// Smallest improvement that counts (see [`Threshold`]).
    pub threshold: f32,
    /// Whether `threshold` is relative to the best value or absolute.
    pub threshold_mode: Threshold,
    /// Minimize or maximize the metric.
    pub mode: PlateauMode,
    /// Epochs after a reduction during which bad epochs are not counted.
    pub cooldown: u32,
    /// Floor for the rate.
    pub min: f32,
    /// A reduction smaller than this is skipped.
    pub eps: f32,
    /// The rate and the counters, advanced by [`ReduceOnPlateau::observe`].
    pub state: PlateauState,
}

/// The running part of a [`ReduceOnPlateau`]: the current rate, the best
/// metric so far and the epoch counters.
///
/// ```
/// let r = nn_core::optim::schedule::ReduceOnPlateau::new(0.1, 0.5, 3);
/// assert_eq!((r.state.lr(), r.state.bad_epochs()), (0.1, 0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlateauState {
    lr: f32,
    best: Option<f32>,
    bad_epochs: u32,
    cooldown_left: u32,
}

impl PlateauState {
    /// The current rate.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::schedule::ReduceOnPlateau::new(0.2, 0.5, 1).state.lr(), 0.2);
    /// ```
    pub fn lr(&self) -> f32 {
        self.lr
    }

    /// The best metric observed, if any.
    ///
    /// ```
    /// let mut r = nn_core::optim::schedule::ReduceOnPlateau::new(0.2, 0.5, 1);
    /// r.observe(3.0);
    /// assert_eq!(r.state.best(), Some(3.0));
    /// ```
    pub fn best(&self) -> Option<f32> {
        self.best
    }

    /// Consecutive epochs without improvement (outside cooldown).
    ///
    /// ```
    /// let mut r = nn_core::optim::schedule::ReduceOnPlateau::new(0.2, 0.5, 5);
    /// r.observe(3.0);
    /// r.observe(4.0);
    /// assert_eq!(r.state.bad_epochs(), 1);
    /// ```
    pub fn bad_epochs(&self) -> u32 {
        self.bad_epochs
    }
}

impl ReduceOnPlateau {
    /// Starts at `lr`, with PyTorch's other defaults.
    ///
    /// ```
    /// let r = nn_core::optim::schedule::ReduceOnPlateau::new(0.1, 0.5, 3);
    /// assert_eq!((r.lr(), r.threshold, r.cooldown), (0.1, 1e-4, 0));
    /// ```
    pub fn new(lr: f32, factor: f32, patience: u32) -> Self {
        Self {
            factor,
            patience,
            threshold: 1e-4,
            threshold_mode: Threshold::Relative,
            mode: PlateauMode::Min,
            cooldown: 0,
            min: 0.0,
            eps: 1e-8,
            state: PlateauState {
                lr,
                best: None,
                bad_epochs: 0,
                cooldown_left: 0,
            },
        }
    }

    /// Whether `metric` beats `best` by more than the threshold.
    fn improves(&self, metric: f32, best: f32) -> bool {
        let sign = match self.mode {
            PlateauMode::Min => -1.0,
            PlateauMode::Max => 1.0,
        };
        let bar = match self.threshold_mode {
            Threshold::Relative => best * (1.0 + sign * self.threshold),
            Threshold::Absolute => best + sign * self.threshold,
        };
        match self.mode {
            PlateauMode::Min => metric < bar,
            PlateauMode::Max => metric > bar,
        }
    }

    /// Records an epoch's metric and returns the rate for the next epoch.
    /// A NaN metric counts as no improvement.
    ///
    /// ```
    /// let mut r = nn_core::optim::schedule::ReduceOnPlateau::new(1.0, 0.1, 1);
    /// assert_eq!(r.observe(5.0), 1.0);
    /// assert_eq!(r.observe(6.0), 1.0); // one bad epoch is tolerated
    /// assert_eq!(r.observe(6.0), 0.1);
    /// ```
    pub fn observe(&mut self, metric: f32) -> f32 {
        // The first finite metric is the first best (PyTorch starts from ±inf).
        let improved = match self.state.best {
            None => !metric.is_nan(),
            Some(best) => self.improves(metric, best),
        };
        let s = &mut self.state;
        if improved {
            s.best = Some(metric);
            s.bad_epochs = 0;
        } else {
            s.bad_epochs += 1;
        }
        if s.cooldown_left > 0 {
            s.cooldown_left -= 1;
            s.bad_epochs = 0;
        }
        if s.bad_epochs > self.patience {
            let reduced = (s.lr * self.factor).max(self.min);
            if s.lr - reduced > self.eps {
                s.lr = reduced;
            }
            s.cooldown_left = self.cooldown;
            s.bad_epochs = 0;
        }
        s.lr
    }

    /// The current rate.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::schedule::ReduceOnPlateau::new(0.3, 0.5, 1).lr(), 0.3);
    /// ```
    pub fn lr(&self) -> f32 {
        self.state.lr
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
    fn plateau_waits_past_patience_and_respects_the_floor() {
        let mut r = ReduceOnPlateau {
            min: 0.02,
            ..ReduceOnPlateau::new(0.1, 0.5, 1)
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
