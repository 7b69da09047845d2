//! Small dense linear algebra in f64 over caller buffers: the Cholesky
//! factorization and solve that normal equations and second-order
//! optimizers need, and the symmetric eigenproblem behind PCA (Jacobi
//! rotations, subspace iteration, principal angles between subspaces).
//! Matrices are row-major; no allocation; `no_std`.
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

/// Why a spectral routine refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpectralError {
    /// An entry is NaN or infinite.
    NotFinite,
    /// Column `column` lies (numerically) in the span of the columns
    /// before it, so the columns have no orthonormal basis of their count.
    RankDeficient {
        /// The dependent column.
        column: usize,
    },
}

impl fmt::Display for SpectralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite => write!(f, "the matrix has a NaN or infinite entry"),
            Self::RankDeficient { column } => write!(
                f,
                "column {column} depends linearly on the columns before it"
            ),
        }
    }
}

impl core::error::Error for SpectralError {}

fn finite(m: &[f64]) -> Result<(), SpectralError> {
    match m.iter().all(|v| v.is_finite()) {
        true => Ok(()),
        false => Err(SpectralError::NotFinite),
    }
}

/// Eigenvalues and eigenvectors of the symmetric `n × n` matrix `a` by
/// cyclic Jacobi rotations (accurate to a few ulps of the largest
/// eigenvalue, even for clustered ones): `values` receives the `n`
/// eigenvalues in decreasing order and column `j` of `vectors` (`n × n`) the
/// unit eigenvector of `values[j]`. `a` is used as scratch; only its upper
/// triangle is read.
///
/// # Panics
/// If `a` and `vectors` are not both `values.len()²` long.
///
/// ```
/// use nn_core::linalg::symmetric_eigen;
/// let mut a = [2.0, 1.0, 1.0, 2.0];
/// let (mut vectors, mut values) = ([0.0; 4], [0.0; 2]);
/// symmetric_eigen(&mut a, &mut vectors, &mut values)?;
/// assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
/// assert!((vectors[0].abs() - 0.5f64.sqrt()).abs() < 1e-12); // (1, 1)/√2
/// # Ok::<(), nn_core::linalg::SpectralError>(())
/// ```
pub fn symmetric_eigen(
    a: &mut [f64],
    vectors: &mut [f64],
    values: &mut [f64],
) -> Result<(), SpectralError> {
    let n = values.len();
    assert!(
        a.len() == n * n && vectors.len() == n * n,
        "symmetric_eigen: a and vectors must be {n}x{n}"
    );
    finite(a)?;
    for i in 0..n {
        for j in 0..i {
            a[i * n + j] = a[j * n + i];
        }
    }
    vectors.fill(0.0);
    (0..n).for_each(|i| vectors[i * n + i] = 1.0);
    let scale = a.iter().map(|v| v * v).sum::<f64>();
    // Quadratic convergence: a handful of sweeps reach the threshold; the
    // cap only guards against an endless loop.
    for _ in 0..64 {
        let off: f64 = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off <= scale * 1e-30 || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, 8.5.2).
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + libm::sqrt(theta * theta + 1.0));
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / libm::sqrt(t * t + 1.0);
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (vectors[k * n + p], vectors[k * n + q]);
                    vectors[k * n + p] = c * vkp - s * vkq;
                    vectors[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    (0..n).for_each(|i| values[i] = a[i * n + i]);
    // Selection sort, decreasing, swapping eigenvector columns along.
    for i in 0..n {
        let best = (i..n)
            .max_by(|&x, &y| values[x].total_cmp(&values[y]))
            .expect("non-empty range");
        if best != i {
            values.swap(i, best);
            (0..n).for_each(|k| vectors.swap(k * n + i, k * n + best));
        }
    }
    Ok(())
}

/// Replaces the columns of the `rows × (m.len() / rows)` matrix `m` with an
/// orthonormal basis of their span, column by column (modified Gram–Schmidt,
/// run twice so the result is orthonormal to rounding even for nearly
/// dependent columns).
///
/// # Panics
/// If `m.len()` is not a multiple of `rows`.
///
/// ```
/// use nn_core::linalg::orthonormalize;
/// let mut m = [3.0, 1.0, 4.0, 1.0]; // columns (3, 4) and (1, 1)
/// orthonormalize(&mut m, 2)?;
/// assert!((m[0] - 0.6).abs() < 1e-12 && (m[2] - 0.8).abs() < 1e-12);
/// assert!((m[0] * m[1] + m[2] * m[3]).abs() < 1e-12);
/// # Ok::<(), nn_core::linalg::SpectralError>(())
/// ```
pub fn orthonormalize(m: &mut [f64], rows: usize) -> Result<(), SpectralError> {
    assert!(
        rows > 0 && m.len().is_multiple_of(rows),
        "orthonormalize: {} entries are not whole rows of {rows}",
        m.len()
    );
    finite(m)?;
    let cols = m.len() / rows;
    for j in 0..cols {
        let before = libm::sqrt((0..rows).map(|r| m[r * cols + j] * m[r * cols + j]).sum());
        for _ in 0..2 {
            for i in 0..j {
                let d: f64 = (0..rows).map(|r| m[r * cols + i] * m[r * cols + j]).sum();
                (0..rows).for_each(|r| m[r * cols + j] -= d * m[r * cols + i]);
            }
        }
        let norm = libm::sqrt((0..rows).map(|r| m[r * cols + j] * m[r * cols + j]).sum());
        if norm <= 1e-10 * before {
            return Err(SpectralError::RankDeficient { column: j });
        }
        (0..rows).for_each(|r| m[r * cols + j] /= norm);
    }
    Ok(())
}

/// The leading eigenvectors of the symmetric `n × n` matrix `a` (a
/// covariance, for PCA) by subspace iteration with a final Rayleigh–Ritz
/// step: `basis` (`n × p`, `p = values.len()`) holds a starting guess (e.g.
/// random) and receives orthonormal approximations of the eigenvectors of
/// the `p` largest eigenvalues, as columns in decreasing order of the
/// estimates written to `values`. Each iteration shrinks the error of the
/// leading `k < p` columns' span by about `λ_{p+1} / λ_k`, so a few more
/// columns than needed converge much faster. `work` is scratch of
/// `n·p + 2·p²` floats.
///
/// # Panics
/// If the buffers' lengths disagree.
///
/// ```
/// use nn_core::linalg::principal_subspace;
/// let a = [4.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 2.0]; // eigenvalues 4, 2, 1
/// let mut basis = [1.0, 0.2, 0.3, -0.5, 0.4, 1.0];
/// let (mut values, mut work) = ([0.0; 2], [0.0; 3 * 2 + 2 * 4]);
/// principal_subspace(&a, &mut basis, &mut values, &mut work, 100)?;
/// assert!((values[0] - 4.0).abs() < 1e-9 && (values[1] - 2.0).abs() < 1e-9);
/// assert!((basis[0].abs() - 1.0).abs() < 1e-9 && (basis[5].abs() - 1.0).abs() < 1e-9);
/// # Ok::<(), nn_core::linalg::SpectralError>(())
/// ```
pub fn principal_subspace(
    a: &[f64],
    basis: &mut [f64],
    values: &mut [f64],
    work: &mut [f64],
    iterations: usize,
) -> Result<(), SpectralError> {
    let (n, p) = (order(a.len()), values.len());
    assert!(
        basis.len() == n * p && work.len() == n * p + 2 * p * p,
        "principal_subspace: basis must be {n}x{p} and work {} long",
        n * p + 2 * p * p
    );
    finite(a)?;
    let (product, rest) = work.split_at_mut(n * p);
    let (rayleigh, rotation) = rest.split_at_mut(p * p);
    // product = A · basis
    let multiply = |basis: &[f64], product: &mut [f64]| {
        product.fill(0.0);
        for i in 0..n {
            let out = &mut product[i * p..(i + 1) * p];
            for k in 0..n {
                let aik = a[i * n + k];
                out.iter_mut()
                    .zip(&basis[k * p..(k + 1) * p])
                    .for_each(|(o, b)| *o += aik * b);
            }
        }
    };
    orthonormalize(basis, n)?;
    for _ in 0..iterations {
        multiply(basis, product);
        basis.copy_from_slice(product);
        orthonormalize(basis, n)?;
    }
    // Rayleigh–Ritz: the eigenvectors of basisᵀ A basis rotate the basis
    // into eigenvector estimates.
    multiply(basis, product);
    for i in 0..p {
        for j in 0..p {
            rayleigh[i * p + j] = (0..n).map(|r| basis[r * p + i] * product[r * p + j]).sum();
        }
    }
    symmetric_eigen(rayleigh, rotation, values)?;
    for r in 0..n {
        let row = &mut product[r * p..(r + 1) * p];
        for (j, out) in row.iter_mut().enumerate() {
            *out = (0..p).map(|k| basis[r * p + k] * rotation[k * p + j]).sum();
        }
    }
    basis.copy_from_slice(product);
    Ok(())
}

/// The principal angles between the spans of the orthonormal columns of
/// `u` and `w` (both `rows × k`, `k = angles.len()`), in radians and
/// increasing: all zero when the spans are the same subspace, `π/2` for
/// directions of one orthogonal to the other. They are the arccosines of
/// the singular values of `uᵀw` (Björck & Golub). `work` is scratch of `3k²`
/// floats.
///
/// # Panics
/// If the buffers' lengths disagree.
///
/// ```
/// use nn_core::linalg::principal_angles;
/// // The x-axis against the line at 60° in the plane.
/// let (u, w) = ([1.0, 0.0], [0.5, 0.75f64.sqrt()]);
/// let (mut angles, mut work) = ([0.0], [0.0; 3]);
/// principal_angles(&u, &w, 2, &mut angles, &mut work)?;
/// assert!((angles[0] - std::f64::consts::FRAC_PI_3).abs() < 1e-7);
/// # Ok::<(), nn_core::linalg::SpectralError>(())
/// ```
pub fn principal_angles(
    u: &[f64],
    w: &[f64],
    rows: usize,
    angles: &mut [f64],
    work: &mut [f64],
) -> Result<(), SpectralError> {
    let k = angles.len();
    assert!(
        u.len() == rows * k && w.len() == rows * k && work.len() == 3 * k * k,
        "principal_angles: u and w must be {rows}x{k} and work {} long",
        3 * k * k
    );
    finite(u)?;
    finite(w)?;
    let (cross, rest) = work.split_at_mut(k * k);
    let (gram, vectors) = rest.split_at_mut(k * k);
    for i in 0..k {
        for j in 0..k {
            cross[i * k + j] = (0..rows).map(|r| u[r * k + i] * w[r * k + j]).sum();
        }
    }
    // The squared singular values of uᵀw are the eigenvalues of (uᵀw)ᵀ(uᵀw).
    for i in 0..k {
        for j in 0..k {
            gram[i * k + j] = (0..k).map(|r| cross[r * k + i] * cross[r * k + j]).sum();
        }
    }
    symmetric_eigen(gram, vectors, angles)?;
    angles
        .iter_mut()
        .for_each(|v| *v = libm::acos(libm::sqrt(v.clamp(0.0, 1.0))));
    Ok(())
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

    /// A random symmetric matrix with known eigenpairs: `Q diag(λ) Qᵀ` for
    /// an orthonormal `Q`.
    fn with_spectrum(
        values: &[f64],
        rng: &mut crate::rng::TrainRng,
    ) -> (std::vec::Vec<f64>, std::vec::Vec<f64>) {
        let n = values.len();
        let mut q: std::vec::Vec<f64> = (0..n * n).map(|_| rng.random_range(-1.0..1.0)).collect();
        orthonormalize(&mut q, n).unwrap();
        let a = (0..n * n)
            .map(|ij| {
                let (i, j) = (ij / n, ij % n);
                (0..n)
                    .map(|k| q[i * n + k] * values[k] * q[j * n + k])
                    .sum()
            })
            .collect();
        (a, q)
    }

    #[test]
    fn jacobi_recovers_known_spectra_including_repeated_eigenvalues() {
        let rng = &mut crate::rng::TrainRng::seed_from_u64(8);
        for values in [
            &[5.0][..],
            &[3.0, -1.0],
            &[9.0, 4.0, 4.0, 1.0, -2.0],
            &[1.0, 0.999, 0.5, 1e-3, 0.0, -7.0, 2.0],
        ] {
            let n = values.len();
            let (a, _) = with_spectrum(values, rng);
            let (mut scratch, mut vectors, mut found) =
                (a.clone(), std::vec![0.0; n * n], std::vec![0.0; n]);
            symmetric_eigen(&mut scratch, &mut vectors, &mut found).unwrap();
            let mut expected = values.to_vec();
            expected.sort_by(|x, y| y.total_cmp(x));
            for (f, e) in found.iter().zip(&expected) {
                assert!((f - e).abs() < 1e-12 * 10.0, "{found:?} vs {expected:?}");
            }
            // A v = λ v for every column.
            for j in 0..n {
                for i in 0..n {
                    let av: f64 = (0..n).map(|k| a[i * n + k] * vectors[k * n + j]).sum();
                    assert!((av - found[j] * vectors[i * n + j]).abs() < 1e-10);
                }
            }
        }
        let (mut nan, mut v, mut l) = ([f64::NAN], [0.0], [0.0]);
        assert_eq!(
            symmetric_eigen(&mut nan, &mut v, &mut l),
            Err(SpectralError::NotFinite)
        );
    }

    #[test]
    fn dependent_columns_are_reported() {
        let mut m = [1.0, 2.0, 2.0, 4.0, 3.0, 6.0]; // second column = 2 × first
        assert_eq!(
            orthonormalize(&mut m, 3),
            Err(SpectralError::RankDeficient { column: 1 })
        );
    }

    #[test]
    fn subspace_iteration_finds_the_leading_eigenspace() {
        let rng = &mut crate::rng::TrainRng::seed_from_u64(9);
        let n = 30;
        let values: std::vec::Vec<f64> = (0..n).map(|i| 0.8f64.powi(i as i32)).collect();
        let (a, q) = with_spectrum(&values, rng);
        let (k, p) = (4, 8);
        let mut basis: std::vec::Vec<f64> =
            (0..n * p).map(|_| rng.random_range(-1.0..1.0)).collect();
        let (mut found, mut work) = (std::vec![0.0; p], std::vec![0.0; n * p + 2 * p * p]);
        principal_subspace(&a, &mut basis, &mut found, &mut work, 200).unwrap();
        for (f, e) in found.iter().zip(&values) {
            assert!((f - e).abs() < 1e-9, "{found:?}");
        }
        // The first k columns span the first k eigenvectors.
        let leading = |m: &[f64], cols: usize| -> std::vec::Vec<f64> {
            (0..n)
                .flat_map(|r| m[r * cols..r * cols + k].to_vec())
                .collect()
        };
        let (mut angles, mut scratch) = (std::vec![0.0; k], std::vec![0.0; 3 * k * k]);
        principal_angles(
            &leading(&basis, p),
            &leading(&q, n),
            n,
            &mut angles,
            &mut scratch,
        )
        .unwrap();
        assert!(angles.iter().all(|t| *t < 1e-6), "{angles:?}");
        // Against a different subspace the largest angle is far from zero.
        let shifted: std::vec::Vec<f64> = (0..n)
            .flat_map(|r| q[r * n + 1..r * n + 1 + k].to_vec())
            .collect();
        principal_angles(&leading(&basis, p), &shifted, n, &mut angles, &mut scratch).unwrap();
        assert!(
            angles[..k - 1].iter().all(|t| *t < 1e-6)
                && (angles[k - 1] - core::f64::consts::FRAC_PI_2).abs() < 1e-6,
            "{angles:?}"
        );
    }
}
