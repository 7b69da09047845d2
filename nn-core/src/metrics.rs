//! Evaluation metrics.

/// Index of the largest value (the first one on ties; NaNs never win).
/// Returns 0 for an empty slice.
///
/// ```
/// assert_eq!(nn_core::metrics::argmax(&[0.1, 0.7, 0.2]), 1);
/// ```
pub fn argmax(x: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in x.iter().enumerate() {
        if v > x[best] || x[best].is_nan() {
            best = i;
        }
    }
    best
}
