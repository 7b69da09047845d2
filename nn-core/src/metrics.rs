//! Evaluation metrics: classification (accuracy, confusion matrix,
//! precision / recall / F1), information (entropy, cross-entropy) and
//! regression (MSE, MAE, R²). No allocation:
//! the confusion matrix's size is the number of classes, a const generic.
//!
//! ```
//! use nn_core::metrics::{accuracy, argmax};
//! assert_eq!(argmax(&[0.1, 0.7, 0.2]), 1);
//! assert_eq!(accuracy(&[1, 2, 3], &[1, 0, 3]), 2.0 / 3.0);
//! ```

/// Index of the largest value (the first one on ties; NaNs never win):
/// of float scores, or of quantized ones such as an int8 network's output.
/// Returns 0 for an empty slice.
///
/// ```
/// assert_eq!(nn_core::metrics::argmax(&[f32::NAN, 1.0]), 1);
/// assert_eq!(nn_core::metrics::argmax(&[-128i8, 5, 5]), 1);
/// ```
pub fn argmax<T: PartialOrd>(x: &[T]) -> usize {
    let mut best = 0;
    for (i, v) in x.iter().enumerate() {
        // Only a NaN is unordered with itself.
        if *v > x[best] || x[best].partial_cmp(&x[best]).is_none() {
            best = i;
        }
    }
    best
}

/// The Shannon entropy of a distribution in nats, `H(p) = −Σ_k p_k ln p_k`
/// (with `0 · ln 0 = 0`): how uncertain a prediction is, from 0 (certain)
/// to `ln N` (uniform).
///
/// ```
/// use nn_core::metrics::entropy;
/// assert_eq!(entropy(&[1.0, 0.0]), 0.0);
/// assert!((entropy(&[0.5, 0.5]) - core::f32::consts::LN_2).abs() < 1e-6);
/// ```
pub fn entropy(p: &[f32]) -> f32 {
    -p.iter()
        .filter(|&&p| p != 0.0)
        .map(|&p| p * libm::logf(p))
        .sum::<f32>()
}

/// The cross-entropy of `q` relative to `p` in nats, `H(p, q) = −Σ_k p_k ln
/// q_k = H(p) + KL(p ‖ q)` (terms with `p_k = 0` are 0): the expected
/// code length of `p`'s outcomes under `q`, and the loss
/// [`CrossEntropy`](crate::loss::CrossEntropy) minimizes.
///
/// ```
/// use nn_core::metrics::{cross_entropy, entropy};
/// let p = [0.25, 0.75];
/// assert!((cross_entropy(&p, &p) - entropy(&p)).abs() < 1e-6);
/// assert!(cross_entropy(&p, &[0.5, 0.5]) > entropy(&p));
/// ```
pub fn cross_entropy<const N: usize>(p: &[f32; N], q: &[f32; N]) -> f32 {
    -p.iter()
        .zip(q)
        .filter(|&(&p, _)| p != 0.0)
        .map(|(&p, &q)| p * libm::logf(q))
        .sum::<f32>()
}

/// Share of positions where `predicted` equals `actual` (0 for no samples).
///
/// ```
/// assert_eq!(nn_core::metrics::accuracy(&[0, 1], &[0, 0]), 0.5);
/// ```
pub fn accuracy(predicted: &[usize], actual: &[usize]) -> f32 {
    let n = predicted.len().min(actual.len());
    if n == 0 {
        return 0.0;
    }
    predicted.iter().zip(actual).filter(|(p, a)| p == a).count() as f32 / n as f32
}

/// Counts of (actual, predicted) class pairs for `C` classes:
/// `counts[actual][predicted]`.
///
/// ```
/// use nn_core::metrics::Confusion;
/// let mut m = Confusion::<2>::new();
/// m.record(&[1, 1, 0], &[1, 0, 0]);
/// assert_eq!(m.counts, [[1, 1], [0, 1]]);
/// assert_eq!(m.accuracy(), 2.0 / 3.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confusion<const C: usize> {
    /// `counts[actual][predicted]`.
    pub counts: [[u32; C]; C],
    /// Pairs with a class index `>= C`, which no cell can hold.
    pub out_of_range: u32,
}

impl<const C: usize> Default for Confusion<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const C: usize> Confusion<C> {
    /// An empty matrix.
    ///
    /// ```
    /// assert_eq!(nn_core::metrics::Confusion::<3>::new().total(), 0);
    /// ```
    pub const fn new() -> Self {
        Self {
            counts: [[0; C]; C],
            out_of_range: 0,
        }
    }

    /// Adds predictions for samples whose true classes are `actual`.
    pub fn record(&mut self, predicted: &[usize], actual: &[usize]) {
        for (&p, &a) in predicted.iter().zip(actual) {
            match self.counts.get_mut(a).and_then(|row| row.get_mut(p)) {
                Some(cell) => *cell += 1,
                None => self.out_of_range += 1,
            }
        }
    }

    /// Samples recorded in the matrix.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Share on the diagonal.
    pub fn accuracy(&self) -> f32 {
        ratio((0..C).map(|k| self.counts[k][k]).sum(), self.total())
    }

    /// Of the samples predicted as `class`, the share that are (0 if none).
    ///
    /// ```
    /// let m = nn_core::metrics::Confusion::<2> { counts: [[3, 1], [2, 4]], out_of_range: 0 };
    /// assert_eq!(m.precision(1), 0.8);
    /// ```
    pub fn precision(&self, class: usize) -> f32 {
        ratio(
            self.counts[class][class],
            (0..C).map(|a| self.counts[a][class]).sum(),
        )
    }

    /// Of the samples of `class`, the share predicted as it (0 if none).
    ///
    /// ```
    /// let m = nn_core::metrics::Confusion::<2> { counts: [[3, 1], [2, 4]], out_of_range: 0 };
    /// assert!((m.recall(1) - 4.0 / 6.0).abs() < 1e-6);
    /// ```
    pub fn recall(&self, class: usize) -> f32 {
        ratio(self.counts[class][class], self.counts[class].iter().sum())
    }

    /// Harmonic mean of precision and recall for `class` (0 if both are 0).
    ///
    /// ```
    /// let m = nn_core::metrics::Confusion::<2> { counts: [[3, 1], [2, 4]], out_of_range: 0 };
    /// assert!((m.f1(1) - 2.0 * 0.8 * (4.0 / 6.0) / (0.8 + 4.0 / 6.0)).abs() < 1e-6);
    /// ```
    pub fn f1(&self, class: usize) -> f32 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// The unweighted mean of the per-class F1 scores.
    ///
    /// ```
    /// let m = nn_core::metrics::Confusion::<2> { counts: [[1, 0], [0, 1]], out_of_range: 0 };
    /// assert_eq!(m.macro_f1(), 1.0);
    /// ```
    pub fn macro_f1(&self) -> f32 {
        (0..C).map(|k| self.f1(k)).sum::<f32>() / C.max(1) as f32
    }
}

fn ratio(num: u32, den: u32) -> f32 {
    if den == 0 {
        0.0
    } else {
        num as f32 / den as f32
    }
}

/// Mean squared error `(1/n) Σ (p − y)²` (0 for no samples).
///
/// ```
/// assert_eq!(nn_core::metrics::mse(&[1.0, 3.0], &[0.0, 1.0]), 2.5);
/// ```
pub fn mse(predicted: &[f32], actual: &[f32]) -> f32 {
    mean(
        predicted.iter().zip(actual).map(|(p, y)| (p - y) * (p - y)),
        predicted.len().min(actual.len()),
    )
}

/// Mean absolute error `(1/n) Σ |p − y|` (0 for no samples).
///
/// ```
/// assert_eq!(nn_core::metrics::mae(&[1.0, 3.0], &[0.0, 1.0]), 1.5);
/// ```
pub fn mae(predicted: &[f32], actual: &[f32]) -> f32 {
    mean(
        predicted.iter().zip(actual).map(|(p, y)| (p - y).abs()),
        predicted.len().min(actual.len()),
    )
}

/// Coefficient of determination `1 − Σ(p − y)² / Σ(y − ȳ)²`: 1 is a perfect
/// fit, 0 is no better than predicting the mean. When `actual` is constant
/// the ratio is undefined; like scikit-learn, the result is then 1 for a
/// perfect prediction and 0 otherwise.
///
/// ```
/// assert_eq!(nn_core::metrics::r2(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 1.0);
/// assert_eq!(nn_core::metrics::r2(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]), 0.0);
/// ```
pub fn r2(predicted: &[f32], actual: &[f32]) -> f32 {
    let n = predicted.len().min(actual.len());
    let mean_y = mean(actual[..n].iter().copied(), n);
    let ss_res: f32 = predicted
        .iter()
        .zip(actual)
        .map(|(p, y)| (p - y) * (p - y))
        .sum();
    let ss_tot: f32 = actual[..n]
        .iter()
        .map(|y| (y - mean_y) * (y - mean_y))
        .sum();
    match (ss_tot == 0.0, ss_res == 0.0) {
        (true, true) => 1.0,
        (true, false) => 0.0,
        (false, _) => 1.0 - ss_res / ss_tot,
    }
}

fn mean(values: impl Iterator<Item = f32>, n: usize) -> f32 {
    if n == 0 {
        0.0
    } else {
        values.sum::<f32>() / n as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_matrix_metrics_match_hand_counts() {
        let actual = [0, 0, 0, 1, 1, 2, 2, 2, 2, 7];
        let predicted = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1];
        let mut m = Confusion::<3>::new();
        m.record(&predicted, &actual);
        assert_eq!(m.counts, [[2, 1, 0], [0, 1, 1], [1, 0, 3]]);
        assert_eq!((m.total(), m.out_of_range), (9, 1));
        assert_eq!(m.accuracy(), 6.0 / 9.0);
        // class 2: predicted 4 times (1 wrong), actual 4 times (3 right)
        assert_eq!((m.precision(2), m.recall(2)), (0.75, 0.75));
        assert_eq!(m.f1(2), 0.75);
        assert_eq!((m.precision(1), m.recall(1)), (0.5, 0.5));
        let f1_0 = 2.0 * (2.0 / 3.0) * (2.0 / 3.0) / (4.0 / 3.0);
        assert!((m.macro_f1() - (f1_0 + 0.5 + 0.75) / 3.0).abs() < 1e-6);
    }

    #[test]
    fn regression_metrics_match_their_formulas() {
        let y = [3.0f32, -0.5, 2.0, 7.0];
        let p = [2.5f32, 0.0, 2.0, 8.0];
        assert!((mse(&p, &y) - 0.375).abs() < 1e-6);
        assert!((mae(&p, &y) - 0.5).abs() < 1e-6);
        // scikit-learn's r2_score on this example: 0.9486081...
        assert!((r2(&p, &y) - 0.948_608_1).abs() < 1e-5);
        assert_eq!(
            (r2(&[1.0, 1.0], &[2.0, 2.0]), r2(&[2.0, 2.0], &[2.0, 2.0])),
            (0.0, 1.0)
        );
        assert_eq!(
            (mse(&[], &[]), mae(&[], &[]), accuracy(&[], &[])),
            (0.0, 0.0, 0.0)
        );
    }
}
