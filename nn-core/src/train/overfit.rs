//! The course notes' debugging recipe: "start with a single training
//! sample, check the output; increase to a handful; move from overfitting to
//! more samples". A network that cannot drive its loss to nearly zero on one
//! fixed batch has a bug (a wrong gradient, a dead layer, a learning rate
//! off by orders of magnitude) that more data will only hide.
//!
//! ```
//! use nn_core::train::overfit::overfit;
//! // A stand-in for `|| trainer.train_step(&x, &y, &loss)`: loss halves per step.
//! let mut loss = 1.0f32;
//! let report = overfit(|| { loss *= 0.5; loss }, 0.01, 100).unwrap();
//! assert_eq!(report.steps, 7); // 1/2^7 < 0.01
//! ```
use core::fmt;

/// How a run of [`overfit`] went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overfit {
    /// Steps taken: to reach the target, or all of them.
    pub steps: usize,
    /// The loss the first step reported.
    pub first_loss: f32,
    /// The loss the last step reported.
    pub last_loss: f32,
    /// The loss to get below.
    pub target: f32,
}

/// [`overfit`] did not get the loss below its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OverfitError {
    /// A step's loss was NaN or infinite (exploding updates, a bad input).
    NotFinite(Overfit),
    /// The steps ran out first.
    TooSlow(Overfit),
}

impl fmt::Display for OverfitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverfitError::NotFinite(r) => write!(
                f,
                "the loss became {} at step {} (from {}): the updates diverge",
                r.last_loss, r.steps, r.first_loss
            ),
            OverfitError::TooSlow(r) => write!(
                f,
                "{} steps took the loss from {} to {}, not below {}: the network does not overfit one batch",
                r.steps, r.first_loss, r.last_loss, r.target
            ),
        }
    }
}

impl core::error::Error for OverfitError {}

/// Runs `step` (one training step on one fixed batch, returning its loss)
/// until the loss is below `target`, at most `max_steps` times, and reports
/// how many steps that took — the check that a network can overfit a batch.
///
/// # Errors
/// [`OverfitError::NotFinite`] if a loss is NaN or infinite,
/// [`OverfitError::TooSlow`] if `max_steps` steps leave it above `target`.
///
/// ```
/// use nn_core::train::overfit::{overfit, OverfitError};
/// let stuck = overfit(|| 0.7, 0.01, 50);
/// assert!(matches!(stuck, Err(OverfitError::TooSlow(r)) if r.steps == 50));
/// ```
pub fn overfit(
    mut step: impl FnMut() -> f32,
    target: f32,
    max_steps: usize,
) -> Result<Overfit, OverfitError> {
    let mut report = Overfit {
        steps: 0,
        first_loss: f32::NAN,
        last_loss: f32::NAN,
        target,
    };
    while report.steps < max_steps {
        let loss = step();
        report.steps += 1;
        if report.steps == 1 {
            report.first_loss = loss;
        }
        report.last_loss = loss;
        if !loss.is_finite() {
            return Err(OverfitError::NotFinite(report));
        }
        if loss < target {
            return Ok(report);
        }
    }
    Err(OverfitError::TooSlow(report))
}
