//! Small dense linear algebra in f64 over caller buffers: the Cholesky
//! factorization and solve that normal equations and second-order
//! optimizers need. No allocation; `no_std`.
//!
//! ```
//! use nn_core::linalg::cholesky_solve;
//! // [4 2; 2 3] x = [2; 1]  →  x = [0.5, 0]
//! let mut a = [4.0, 2.0, 2.0, 3.0];
//! let mut b = [2.0, 1.0];
//! cholesky_solve(&mut a, &mut b)?;
//! assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
//! # Ok::<(), nn_core::linalg::NotPositiveDefinite>(())
//! ```
use core::fmt;

/// The matrix has a non-positive pivot: it is not (numerically) symmetric
/// positive definite, e.g. collinear columns in normal equations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotPositiveDefinite {
    /// The pivot's row.
    pub row: usize,
}

impl fmt::Display for NotPositiveDefinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "matrix is not positive definite (pivot {} is not positive)",
            self.row
        )
    }
}

impl core::error::Error for NotPositiveDefinite {}

/// Overwrites the lower triangle of the row-major `n × n` matrix `a` with
/// its Cholesky factor `L` (`A = L Lᵀ`), reading only the lower triangle.
///
/// # Panics
/// If `a.len()` is not a square number.
///
/// ```
/// let mut a = [4.0, 0.0, 2.0, 2.0];
/// nn_core::linalg::cholesky(&mut a)?;
/// assert_eq!((a[0], a[2], a[3]), (2.0, 1.0, 1.0));
/// # Ok::<(), nn_core::linalg::NotPositiveDefinite>(())
/// ```
pub fn cholesky(a: &mut [f64]) -> Result<(), NotPositiveDefinite> {
    let n = order(a.len());
    for j in 0..n {
        let d = a[j * n + j] - (0..j).map(|k| a[j * n + k] * a[j * n + k]).sum::<f64>();
        if d.is_nan() || d <= 0.0 {
            return Err(NotPositiveDefinite { row: j });
        }
        let d = libm::sqrt(d);
        a[j * n + j] = d;
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>();
            a[i * n + j] = s / d;
        }
    }
    Ok(())
}

/// Solves `A x = b` for symmetric positive definite `A` (row-major, lower
/// triangle read and overwritten with its factor); `b` becomes `x`.
///
/// # Panics
/// If `a` is not `b.len() × b.len()`.
pub fn cholesky_solve(a: &mut [f64], b: &mut [f64]) -> Result<(), NotPositiveDefinite> {
    let n = b.len();
    assert_eq!(a.len(), n * n, "A must be {n}x{n}");
    cholesky(a)?;
    // L y = b, then Lᵀ x = y.
    for i in 0..n {
        b[i] = (b[i] - (0..i).map(|k| a[i * n + k] * b[k]).sum::<f64>()) / a[i * n + i];
    }
    for i in (0..n).rev() {
        b[i] = (b[i] - (i + 1..n).map(|k| a[k * n + i] * b[k]).sum::<f64>()) / a[i * n + i];
    }
    Ok(())
}

/// Least squares with an intercept through the normal equations,
/// `θ = (XᵀX)⁻¹ Xᵀy` for `X` = the rows with a trailing 1, solved by Cholesky
/// (never an explicit inverse). `gram` is scratch of `(N+1)²` floats;
/// `theta` receives the `N` weights, then the intercept.
///
/// # Panics
/// If `gram` or `theta` has the wrong length, or `y` is not one per row.
///
/// ```
/// // y = 2x + 1, exactly
/// let x = [[0.0f32], [1.0], [2.0]];
/// let y = [1.0f32, 3.0, 5.0];
/// let (mut gram, mut theta) = ([0.0; 4], [0.0; 2]);
/// nn_core::linalg::normal_equations(&x, &y, &mut gram, &mut theta)?;
/// assert!((theta[0] - 2.0).abs() < 1e-12 && (theta[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), nn_core::linalg::NotPositiveDefinite>(())
/// ```
pub fn normal_equations<const N: usize>(
    x: &[[f32; N]],
    y: &[f32],
    gram: &mut [f64],
    theta: &mut [f64],
) -> Result<(), NotPositiveDefinite> {
    let m = N + 1;
    assert!(
        gram.len() == m * m && theta.len() == m && y.len() == x.len(),
        "normal_equations: wrong buffer sizes"
    );
    let feature = |row: &[f32; N], j: usize| if j < N { row[j] as f64 } else { 1.0 };
    gram.fill(0.0);
    theta.fill(0.0);
    for (row, &target) in x.iter().zip(y) {
        for i in 0..m {
            let xi = feature(row, i);
            theta[i] += xi * target as f64;
            for j in 0..=i {
                gram[i * m + j] += xi * feature(row, j);
            }
        }
    }
    cholesky_solve(gram, theta)
}

fn order(len: usize) -> usize {
    let n = len.isqrt();
    assert_eq!(
        n * n,
        len,
        "a square matrix has a square number of elements, not {len}"
    );
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn solves_random_spd_systems() {
        let rng = &mut crate::rng::TrainRng::seed_from_u64(3);
        for n in [1usize, 2, 5, 11] {
            // A = MᵀM + nI is symmetric positive definite.
            let m: std::vec::Vec<f64> = (0..n * n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let a: std::vec::Vec<f64> = (0..n * n)
                .map(|ij| {
                    let (i, j) = (ij / n, ij % n);
                    (0..n).map(|k| m[k * n + i] * m[k * n + j]).sum::<f64>()
                        + if i == j { n as f64 } else { 0.0 }
                })
                .collect();
            let x: std::vec::Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..2.0)).collect();
            let mut b: std::vec::Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| a[i * n + j] * x[j]).sum())
                .collect();
            let mut factor = a.clone();
            cholesky_solve(&mut factor, &mut b).unwrap();
            assert!(
                b.iter().zip(&x).all(|(b, x)| (b - x).abs() < 1e-10),
                "n = {n}"
            );
        }
    }

    #[test]
    fn refuses_matrices_that_are_not_positive_definite() {
        let mut singular = [1.0, 1.0, 1.0, 1.0];
        assert_eq!(
            cholesky_solve(&mut singular, &mut [1.0, 1.0]),
            Err(NotPositiveDefinite { row: 1 })
        );
        let mut negative = [-1.0];
        assert_eq!(cholesky(&mut negative), Err(NotPositiveDefinite { row: 0 }));
        let mut nan = [f64::NAN];
        assert!(cholesky(&mut nan).is_err());
    }
}
