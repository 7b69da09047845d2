//! What training uses besides layers, losses and optimizers: weight
//! penalties and gradient clipping ([`regularize`]), weight averaging
//! ([`averaging`]), bagging ensembles ([`bagging`]), gradient checks ([`gradcheck`]), the overfit-one-batch
//! check ([`overfit`]) and model selection by
//! cross-validation and hyperparameter search ([`search`]).
//!
//! ```
//! let r = nn_core::train::regularize::Regularization { l2: 1e-4, ..Default::default() };
//! assert!(r.is_active());
//! ```
pub mod averaging;
pub mod bagging;
#[cfg(any(test, feature = "std"))]
pub mod gradcheck;
pub mod overfit;
pub mod regularize;
#[cfg(feature = "std")]
pub mod search;
