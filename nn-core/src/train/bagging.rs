//! Bagging (bootstrap aggregating, the course notes' ensemble method):
//! train `k` copies of a network, each on its own bootstrap resample of the
//! training rows ([`bootstrap`](crate::data::batch::bootstrap): drawn with
//! replacement), and predict with the average of their output
//! probabilities, `p(x) = (1/k) Σᵢ pᵢ(x)`. The members' errors are partly
//! independent, so the average errs less than a typical member. The
//! members are ordinary trainers; nothing here allocates.
//!
//! ```
//! use nn_core::train::bagging::average;
//! let members = [[0.9, 0.1], [0.4, 0.6], [0.8, 0.2]];
//! let p = average(&members);
//! assert!((p[0] - 0.7).abs() < 1e-6 && (p[1] - 0.3).abs() < 1e-6);
//! ```

/// The mean of the members' outputs for one sample (all zero for no
/// members).
///
/// ```
/// assert_eq!(nn_core::train::bagging::average::<2>(&[]), [0.0, 0.0]);
/// ```
pub fn average<const N: usize>(outputs: &[[f32; N]]) -> [f32; N] {
    let mut mean = [0.0f32; N];
    for output in outputs {
        mean.iter_mut().zip(output).for_each(|(m, &o)| *m += o);
    }
    if !outputs.is_empty() {
        let k = outputs.len() as f32;
        mean.iter_mut().for_each(|m| *m /= k);
    }
    mean
}
