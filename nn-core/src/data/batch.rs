//! Data-set plumbing that allocates nothing: seeded splits, per-epoch
//! shuffled mini-batches gathered into caller buffers, one-hot targets and
//! feature standardization (fit on the training rows, applied to all).
//!
//! ```
//! use nn_core::data::batch::Epochs;
//! use rand::SeedableRng;
//! let rows = [[0.0f32; 2], [1.0; 2], [2.0; 2], [3.0; 2], [4.0; 2]];
//! let labels = [0usize, 1, 2, 3, 4];
//! let mut order = [0usize; 5];
//! let mut epochs = Epochs::new(&mut order);
//! epochs.shuffle(&mut nn_core::rng::TrainRng::seed_from_u64(1));
//! let (mut x, mut t) = ([[0.0f32; 2]; 2], [0usize; 2]);
//! for k in 0..epochs.batches(2) { // 2 full batches; the 5th row waits for another epoch
//!     epochs.gather(k, &rows, &labels, &mut x, &mut t);
//!     assert_eq!(x[0][0] as usize, t[0]);
//! }
//! ```
use rand::Rng;
use rand::seq::SliceRandom;

/// Fills `indices` with `0..len`, shuffles it with `rng`, and cuts it into
/// train / validation / test parts of the given fractions (test gets the
/// rest; fractions are clamped to `[0, 1]`). The parts are mutable, so the
/// training part can be an [`Epochs`] permutation as it is.
///
/// ```
/// use rand::SeedableRng;
/// let mut idx = [0usize; 10];
/// let (train, val, test) = nn_core::data::batch::split(&mut idx, 0.6, 0.2, &mut nn_core::rng::TrainRng::seed_from_u64(3));
/// assert_eq!((train.len(), val.len(), test.len()), (6, 2, 2));
/// let epochs = nn_core::data::batch::Epochs::over(train); // no copy
/// assert_eq!(epochs.batches(4), 2);
/// ```
pub fn split<'a, R: Rng + ?Sized>(
    indices: &'a mut [usize],
    train: f32,
    validation: f32,
    rng: &mut R,
) -> (&'a mut [usize], &'a mut [usize], &'a mut [usize]) {
    indices.iter_mut().enumerate().for_each(|(i, v)| *v = i);
    indices.shuffle(rng);
    let n = indices.len();
    let cut = |f: f32| ((f.clamp(0.0, 1.0) * n as f32) as usize).min(n);
    let n_train = cut(train);
    let n_val = cut(validation).min(n - n_train);
    let (a, rest) = indices.split_at_mut(n_train);
    let (b, c) = rest.split_at_mut(n_val);
    (a, b, c)
}

/// A bootstrap resample (bagging's "sampling with replacement"): fills
/// `out` with rows drawn uniformly, with replacement, from `from`. With
/// `out.len() == from.len()`, about 63% of the rows appear (some several
/// times) and the rest are left out.
///
/// # Panics
/// If `from` is empty and `out` is not.
///
/// ```
/// use rand::SeedableRng;
/// let rows = [10, 11, 12, 13];
/// let mut sample = [0usize; 4];
/// nn_core::data::batch::bootstrap(&rows, &mut sample, &mut nn_core::rng::TrainRng::seed_from_u64(1));
/// assert!(sample.iter().all(|r| rows.contains(r)));
/// ```
pub fn bootstrap<R: Rng + ?Sized>(from: &[usize], out: &mut [usize], rng: &mut R) {
    assert!(
        !from.is_empty() || out.is_empty(),
        "a bootstrap sample needs rows to draw from"
    );
    for o in out.iter_mut() {
        *o = from[rng.random_range(0..from.len())];
    }
}

/// A permutation of a data set's rows, reshuffled every epoch, from which
/// mini-batches are gathered into fixed-size buffers. Every row is used each
/// epoch: the last batch may be short (train on it with the trainer's
/// `train_batch` and the row count [`Epochs::gather`] returns), unless
/// [`Epochs::drop_last`] asks for full batches only, as PyTorch's
/// `drop_last=True`.
///
/// ```
/// let mut order = [0usize; 5];
/// let epochs = nn_core::data::batch::Epochs::new(&mut order);
/// assert_eq!(epochs.batches(2), 3); // 2 + 2 + 1
/// let (mut x, mut t) = ([0.0f32; 2], [0u8; 2]);
/// let n = epochs.gather(2, &[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 2, 3, 4, 5], &mut x, &mut t);
/// assert_eq!((n, x[0], t[0]), (1, 5.0, 5));
/// ```
pub struct Epochs<'a> {
    order: &'a mut [usize],
    drop_last: bool,
}

impl<'a> Epochs<'a> {
    /// Uses `order` (one slot per row) as the permutation, starting in order.
    pub fn new(order: &'a mut [usize]) -> Self {
        order.iter_mut().enumerate().for_each(|(i, v)| *v = i);
        Self::over(order)
    }

    /// Batches over the rows `indices` names (e.g. a training split), in the
    /// order given until the first shuffle.
    ///
    /// ```
    /// let mut train = [4usize, 2];
    /// let epochs = nn_core::data::batch::Epochs::over(&mut train);
    /// assert_eq!(epochs.order(), &[4, 2]);
    /// ```
    pub fn over(indices: &'a mut [usize]) -> Self {
        Self {
            order: indices,
            drop_last: false,
        }
    }

    /// Only full batches: the rows past the last full batch wait for a later
    /// epoch's shuffle (PyTorch's `drop_last=True`), so every step sees `B`
    /// rows.
    ///
    /// ```
    /// let mut order = [0usize; 5];
    /// assert_eq!(nn_core::data::batch::Epochs::new(&mut order).drop_last().batches(2), 2);
    /// ```
    pub fn drop_last(self) -> Self {
        Self {
            drop_last: true,
            ..self
        }
    }

    /// The rows in their current order.
    pub fn order(&self) -> &[usize] {
        self.order
    }

    /// Reshuffles for a new epoch.
    pub fn shuffle<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.order.shuffle(rng);
    }

    /// Batches of `b` rows per epoch: every row once, the last batch short
    /// when `b` does not divide the rows (full batches only after
    /// [`Epochs::drop_last`]).
    pub fn batches(&self, b: usize) -> usize {
        let b = b.max(1);
        match self.drop_last {
            true => self.order.len() / b,
            false => self.order.len().div_ceil(b),
        }
    }

    /// Copies batch `k`'s rows (samples of any shape: vectors, images, …)
    /// and targets into `x` and `t`, and returns how many rows it holds:
    /// `B`, or fewer for a short last batch, whose remaining slots get
    /// copies of its first row (finite values the trainer ignores).
    ///
    /// # Panics
    /// If `k >= self.batches(B)`, or `rows`/`targets` are shorter than the
    /// permutation.
    pub fn gather<S: Copy, const B: usize, T: Copy>(
        &self,
        k: usize,
        rows: &[S],
        targets: &[T],
        x: &mut [S; B],
        t: &mut [T; B],
    ) -> usize {
        self.gather_with(k, x, t, |i| (rows[i], targets[i]))
    }

    /// [`Epochs::gather`] for samples made on the fly: `make(i)` builds row
    /// `i`'s sample and target (e.g. resampled, augmented or one-hot), so no
    /// transformed copy of the data set is needed. Returns the real rows.
    ///
    /// ```
    /// let mut order = [0usize; 3];
    /// let epochs = nn_core::data::batch::Epochs::new(&mut order);
    /// let (mut x, mut t) = ([0.0f32; 2], [false; 2]);
    /// let n = epochs.gather_with(1, &mut x, &mut t, |i| (i as f32 * 10.0, i == 2));
    /// assert_eq!((n, x, t), (1, [20.0, 20.0], [true, true]));
    /// ```
    ///
    /// # Panics
    /// If `k >= self.batches(B)`.
    pub fn gather_with<S, T, const B: usize>(
        &self,
        k: usize,
        x: &mut [S; B],
        t: &mut [T; B],
        mut make: impl FnMut(usize) -> (S, T),
    ) -> usize {
        assert!(k < self.batches(B), "batch {k} of {}", self.batches(B));
        let picked = &self.order[k * B..((k + 1) * B).min(self.order.len())];
        for (slot, (x, t)) in x.iter_mut().zip(t.iter_mut()).enumerate() {
            (*x, *t) = make(picked[if slot < picked.len() { slot } else { 0 }]);
        }
        picked.len()
    }
}

/// The one-hot vector of `class` among `C` classes, or `None` if
/// `class >= C`.
///
/// ```
/// assert_eq!(nn_core::data::batch::one_hot::<3>(1), Some([0.0, 1.0, 0.0]));
/// assert_eq!(nn_core::data::batch::one_hot::<3>(3), None);
/// ```
pub fn one_hot<const C: usize>(class: usize) -> Option<[f32; C]> {
    (class < C).then(|| core::array::from_fn(|k| (k == class) as u8 as f32))
}

/// Per-feature standardization, fitted on training rows: a layer as well,
/// so it can travel inside the model (see [`crate::layers::Standardizer`]).
pub use crate::layers::Standardizer;

/// Input noise injection: adds `N(0, σ²)` noise to every value.
///
/// ```
/// use rand::SeedableRng;
/// let mut x = [0.0f32; 1000];
/// nn_core::data::batch::add_noise(&mut x, 0.5, &mut nn_core::rng::TrainRng::seed_from_u64(2));
/// let var = x.iter().map(|v| v * v).sum::<f32>() / 1000.0;
/// assert!((var - 0.25).abs() < 0.05);
/// ```
///
/// # Panics
/// If `sigma` is negative or not finite.
pub fn add_noise<R: Rng + ?Sized>(x: &mut [f32], sigma: f32, rng: &mut R) {
    let noise = rand_distr::Normal::new(0.0, sigma).expect("finite, non-negative sigma");
    x.iter_mut()
        .for_each(|v| *v += rand_distr::Distribution::sample(&noise, rng));
}

/// Shifts a row-major image `width` pixels wide by `dx` columns (right is
/// positive) and `dy` rows (down is positive), in place; uncovered pixels
/// become 0.
///
/// ```
/// let mut img = [1.0, 2.0, 3.0, 4.0]; // 2x2
/// nn_core::data::batch::shift_image(&mut img, 2, 1, 0);
/// assert_eq!(img, [0.0, 1.0, 0.0, 3.0]);
/// ```
pub fn shift_image(image: &mut [f32], width: usize, dx: isize, dy: isize) {
    let height = image.len() / width.max(1);
    let (w, h) = (width as isize, height as isize);
    // Walk against the shift so every source pixel is read before it is overwritten.
    let rows: &mut dyn Iterator<Item = isize> = if dy > 0 {
        &mut (0..h).rev()
    } else {
        &mut (0..h)
    };
    for y in rows {
        let cols: &mut dyn Iterator<Item = isize> = if dx > 0 {
            &mut (0..w).rev()
        } else {
            &mut (0..w)
        };
        for x in cols {
            let (sx, sy) = (x - dx, y - dy);
            let v = if (0..w).contains(&sx) && (0..h).contains(&sy) {
                image[(sy * w + sx) as usize]
            } else {
                0.0
            };
            image[(y * w + x) as usize] = v;
        }
    }
}

/// Augmentation: shifts the image by a random `(dx, dy)`, each uniform in
/// `[−k, k]`, drawn from `rng` (so a seed reproduces the augmentation).
///
/// ```
/// use rand::SeedableRng;
/// let mut img = [0.0f32; 28 * 28];
/// img[14 * 28 + 14] = 1.0;
/// nn_core::data::batch::random_shift(&mut img, 28, 2, &mut nn_core::rng::TrainRng::seed_from_u64(5));
/// assert_eq!(img.iter().sum::<f32>(), 1.0); // moved, not lost
/// ```
pub fn random_shift<R: Rng + ?Sized>(image: &mut [f32], width: usize, k: usize, rng: &mut R) {
    // i64 because rand samples fixed-width integers, not isize.
    let k = k as i64;
    let (dx, dy) = (rng.random_range(-k..=k), rng.random_range(-k..=k));
    shift_image(image, width, dx as isize, dy as isize);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::TrainRng;
    use rand::SeedableRng;

    #[test]
    fn split_is_a_seeded_partition() {
        let (mut a, mut b) = ([0usize; 101], [0usize; 101]);
        let first = split(&mut a, 0.7, 0.15, &mut TrainRng::seed_from_u64(9));
        let (f0, f1, f2) = (first.0.to_vec(), first.1.to_vec(), first.2.to_vec());
        let (s0, s1, s2) = split(&mut b, 0.7, 0.15, &mut TrainRng::seed_from_u64(9));
        assert_eq!((&f0[..], &f1[..], &f2[..]), (&s0[..], &s1[..], &s2[..]));
        assert_eq!((f0.len(), f1.len(), f2.len()), (70, 15, 16));
        let mut all: std::vec::Vec<usize> = f0.iter().chain(&f1).chain(&f2).copied().collect();
        all.sort();
        assert!(
            all.iter().enumerate().all(|(i, &v)| i == v),
            "every row exactly once"
        );
    }

    #[test]
    fn every_epoch_visits_each_row_once_and_drop_last_keeps_full_batches() {
        let rows: std::vec::Vec<[f32; 1]> = (0..10).map(|i| [i as f32]).collect();
        let labels: std::vec::Vec<usize> = (0..10).collect();
        let mut order = [0usize; 10];
        let mut epochs = Epochs::new(&mut order);
        let rng = &mut TrainRng::seed_from_u64(4);
        let mut orders = std::vec::Vec::new();
        for _ in 0..3 {
            epochs.shuffle(rng);
            let mut seen = std::vec::Vec::new();
            let (mut x, mut t) = ([[0.0f32; 1]; 3], [0usize; 3]);
            for k in 0..epochs.batches(3) {
                let n = epochs.gather(k, &rows, &labels, &mut x, &mut t);
                assert!(x.iter().zip(&t).all(|(x, &t)| x[0] as usize == t));
                seen.extend_from_slice(&t[..n]);
            }
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(sorted, labels, "every row exactly once");
            orders.push(seen);
        }
        let full = Epochs::new(&mut order).drop_last();
        assert_eq!(full.batches(3), 3);
        assert_ne!(orders[0], orders[1], "reshuffled between epochs");
    }

    #[test]
    fn standardized_training_rows_have_zero_mean_and_unit_variance() {
        let mut rows = [
            [1.0f32, 10.0, 3.0],
            [2.0, 20.0, 3.0],
            [4.0, 60.0, 3.0],
            [5.0, 30.0, 3.0],
        ];
        let s = Standardizer::fit(&rows);
        s.apply(&mut rows);
        for j in 0..2 {
            let mean: f32 = rows.iter().map(|r| r[j]).sum::<f32>() / 4.0;
            let var: f32 = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f32>() / 4.0;
            assert!(
                mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5,
                "feature {j}: {mean} {var}"
            );
        }
        assert!(
            rows.iter().all(|r| r[2] == 0.0),
            "a constant feature is only centered"
        );
    }

    #[test]
    fn shifts_move_every_pixel_by_the_offset_and_blank_the_rest() {
        let original: std::vec::Vec<f32> = (1..=12).map(|v| v as f32).collect(); // 4 wide, 3 tall
        for (dx, dy) in [
            (1isize, 0isize),
            (-1, 0),
            (0, 1),
            (0, -2),
            (2, 1),
            (-3, -1),
            (4, 0),
            (0, 0),
        ] {
            let mut img = original.clone();
            shift_image(&mut img, 4, dx, dy);
            for y in 0..3isize {
                for x in 0..4isize {
                    let (sx, sy) = (x - dx, y - dy);
                    let want = if (0..4).contains(&sx) && (0..3).contains(&sy) {
                        original[(sy * 4 + sx) as usize]
                    } else {
                        0.0
                    };
                    assert_eq!(
                        img[(y * 4 + x) as usize],
                        want,
                        "shift ({dx}, {dy}) at ({x}, {y})"
                    );
                }
            }
        }
    }
}
