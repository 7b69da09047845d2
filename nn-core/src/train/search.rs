//! Model selection (`std`): k-fold cross-validation and grid / random
//! hyperparameter search, reporting each candidate's mean ± standard
//! deviation over the folds.
//!
//! ```
//! use nn_core::train::search::{cross_validate, grid_search};
//! // A "model" that predicts the training mean; the metric is validation MSE.
//! let ys: Vec<f32> = (0..20).map(|i| i as f32).collect();
//! let score = |shrink: f32| cross_validate(ys.len(), 5, 7, |train, val| {
//!     let mean = train.iter().map(|&i| ys[i]).sum::<f32>() / train.len() as f32 * shrink;
//!     val.iter().map(|&i| (ys[i] - mean).powi(2)).sum::<f32>() / val.len() as f32
//! });
//! let best = grid_search(&[0.5, 1.0, 1.5], |&s| score(s)).unwrap();
//! assert_eq!(*best.0, 1.0);
//! println!("validation MSE {}", best.1); // e.g. "33.2 ± 9.1"
//! ```
use rand::SeedableRng;
use rand::seq::SliceRandom;
use std::fmt;
use std::vec::Vec;

/// Mean and (sample) standard deviation of a metric over folds or runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f32,
    /// Sample standard deviation (0 for a single value).
    pub std: f32,
    /// How many values.
    pub count: usize,
}

impl Summary {
    /// Summarizes `values`.
    ///
    /// ```
    /// let s = nn_core::train::search::Summary::of(&[1.0, 3.0]);
    /// assert_eq!((s.mean, s.std), (2.0, std::f32::consts::SQRT_2));
    /// ```
    pub fn of(values: &[f32]) -> Self {
        let n = values.len();
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n.max(1) as f64;
        let var = if n > 1 {
            values
                .iter()
                .map(|&v| (v as f64 - mean).powi(2))
                .sum::<f64>()
                / (n - 1) as f64
        } else {
            0.0
        };
        Self {
            mean: mean as f32,
            std: var.sqrt() as f32,
            count: n,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4} ± {:.4}", self.mean, self.std)
    }
}

/// Runs `evaluate(train, validation)` on each of `k` folds of a seeded
/// shuffle of `0..n` and summarizes the returned metric. Folds differ in
/// size by at most one row.
///
/// # Panics
/// If `k < 2` or `k > n`.
pub fn cross_validate(
    n: usize,
    k: usize,
    seed: u64,
    mut evaluate: impl FnMut(&[usize], &[usize]) -> f32,
) -> Summary {
    assert!(
        (2..=n).contains(&k),
        "k-fold needs 2 <= k <= n (k = {k}, n = {n})"
    );
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut crate::rng::TrainRng::seed_from_u64(seed));
    let mut train = Vec::with_capacity(n);
    let scores: Vec<f32> = (0..k)
        .map(|fold| {
            let (start, end) = (fold * n / k, (fold + 1) * n / k);
            train.clear();
            train.extend_from_slice(&order[..start]);
            train.extend_from_slice(&order[end..]);
            evaluate(&train, &order[start..end])
        })
        .collect();
    Summary::of(&scores)
}

/// Scores every candidate and returns the one with the lowest mean (NaN
/// scores never win), or `None` if there are no candidates.
pub fn grid_search<P>(
    candidates: &[P],
    mut score: impl FnMut(&P) -> Summary,
) -> Option<(&P, Summary)> {
    lowest(candidates.iter().map(|p| (p, score(p))))
}

/// The scored candidate with the lowest mean, ignoring NaN scores.
fn lowest<T>(scored: impl Iterator<Item = (T, Summary)>) -> Option<(T, Summary)> {
    scored
        .filter(|(_, s)| !s.mean.is_nan())
        .min_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
}

/// Draws `trials` candidates with `sample` from a seeded RNG, scores each,
/// and returns the best (lowest mean), as [`grid_search`] does.
///
/// ```
/// use nn_core::train::search::{random_search, Summary};
/// use rand::Rng;
/// let (lr, s) = random_search(50, 3, |rng| rng.random_range(0.0f32..1.0), |&lr| Summary::of(&[(lr - 0.3).abs()])).unwrap();
/// assert!((lr - 0.3).abs() < 0.05 && s.mean < 0.05);
/// ```
pub fn random_search<P>(
    trials: usize,
    seed: u64,
    mut sample: impl FnMut(&mut crate::rng::TrainRng) -> P,
    mut score: impl FnMut(&P) -> Summary,
) -> Option<(P, Summary)> {
    let mut rng = crate::rng::TrainRng::seed_from_u64(seed);
    lowest((0..trials).map(|_| {
        let candidate = sample(&mut rng);
        let summary = score(&candidate);
        (candidate, summary)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn folds_partition_the_data_and_each_row_validates_once() {
        let mut validated = [0u32; 23];
        let summary = cross_validate(23, 4, 1, |train, val| {
            assert_eq!(train.len() + val.len(), 23);
            assert!(val.iter().all(|v| !train.contains(v)));
            val.iter().for_each(|&i| validated[i] += 1);
            val.len() as f32
        });
        assert!(validated.iter().all(|&c| c == 1));
        assert_eq!(summary.count, 4);
        assert!((summary.mean - 23.0 / 4.0).abs() < 1e-6);
    }

    #[test]
    fn summary_and_search_pick_the_lowest_mean() {
        let s = Summary::of(&[2.0, 4.0, 6.0]);
        assert_eq!(
            (s.mean, s.std, s.to_string().as_str()),
            (4.0, 2.0, "4.0000 ± 2.0000")
        );
        let best = grid_search(&[3, 1, 2], |&p| {
            Summary::of(&[p as f32, f32::NAN.min(p as f32)])
        });
        assert_eq!(best.map(|b| *b.0), Some(1));
        assert!(grid_search(&[1], |_| Summary::of(&[f32::NAN])).is_none());
        assert!(grid_search::<u8>(&[], |_| Summary::of(&[0.0])).is_none());
    }
}
