//! A linear autoencoder recovers the PCA subspace (the course notes,
//! §4.1.2): trained on mean squared error, a linear `784 → k → 784`
//! network's decoder spans the same subspace as the top `k` principal
//! components of the data (Baldi & Hornik, 1989), though its columns are
//! any basis of it, not the components themselves.
//!
//! `cargo run --release --example pca_autoencoder`
//!
//! On the 8,000 training digits of the vendored MNIST sample (centered),
//! computes the covariance's top `k` eigenvectors with `nn::linalg`
//! (subspace iteration), trains the autoencoder with Adam, then prints the
//! principal angles between the decoder's column space and the PCA subspace
//! (and, for scale, those of a random subspace) and both reconstruction
//! errors on the 2,000 test digits.
mod common;

use common::{Mnist, Result};
use nn::linalg::{orthonormalize, principal_angles, principal_subspace};
use nn::prelude::*;
use nn::rng::TrainRng;

/// The bottleneck: how many principal components. Gradient descent turns
/// the code toward component `k` at a speed that grows with the gap
/// `λ_k − λ_{k+1}`; the sample's sixth and seventh eigenvalues are 25%
/// apart (the eighth and ninth, 5%), so six components settle within the
/// epochs below.
const K: usize = 6;
const PIXELS: usize = 784;
const B: usize = 64;
const EPOCHS: usize = 30;

network! {
    /// 784 → K → 784, no activation: a linear map of rank at most K.
    LinearAutoencoder = < Linear<784, K>, Linear<K, 784> >
}

/// The mean image and the covariance `(1/N) Σ (x − μ)(x − μ)ᵀ` of `digits`,
/// in f64. MNIST pixels are mostly zero, so `Σ x xᵀ` is accumulated over
/// each digit's nonzero pixels and the mean's outer product subtracted once.
fn mean_and_covariance(images: &[[f32; PIXELS]], digits: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = digits.len() as f64;
    let mut mean = vec![0.0f64; PIXELS];
    let mut cov = vec![0.0f64; PIXELS * PIXELS];
    let mut nonzero = Vec::with_capacity(PIXELS);
    for &d in digits {
        let x = &images[d];
        nonzero.clear();
        nonzero.extend((0..PIXELS).filter(|&i| x[i] != 0.0));
        for &i in &nonzero {
            mean[i] += x[i] as f64 / n;
            for &j in &nonzero {
                cov[i * PIXELS + j] += x[i] as f64 * x[j] as f64 / n;
            }
        }
    }
    for i in 0..PIXELS {
        for j in 0..PIXELS {
            cov[i * PIXELS + j] -= mean[i] * mean[j];
        }
    }
    (mean, cov)
}

/// Mean squared error per pixel of `reconstruct` over `digits` (centered).
fn mse(
    centered: &[[f32; PIXELS]],
    digits: &[usize],
    reconstruct: impl Fn(&[f32; PIXELS]) -> [f32; PIXELS],
) -> f64 {
    digits
        .iter()
        .map(|&d| nn::metrics::mse(&reconstruct(&centered[d]), &centered[d]) as f64)
        .sum::<f64>()
        / digits.len() as f64
}

fn main() -> Result<()> {
    let rng = &mut TrainRng::seed_from_u64(11);
    let mnist = Mnist::load(rng)?;
    let (mean, cov) = mean_and_covariance(&mnist.data.images, &mnist.train);
    let centered: Vec<[f32; PIXELS]> = mnist
        .data
        .images
        .iter()
        .map(|x| std::array::from_fn(|i| x[i] - mean[i] as f32))
        .collect();

    // PCA: the covariance's top K eigenvectors, with K extra columns so the
    // leading K converge fast.
    const P: usize = 2 * K;
    let mut pcs: Vec<f64> = (0..PIXELS * P)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let mut variances = [0.0f64; P];
    let mut work = vec![0.0f64; PIXELS * P + 2 * P * P];
    principal_subspace(&cov, &mut pcs, &mut variances, &mut work, 300)?;
    let top: Vec<f64> = (0..PIXELS)
        .flat_map(|r| pcs[r * P..r * P + K].to_vec())
        .collect();
    let total_variance: f64 = (0..PIXELS).map(|i| cov[i * PIXELS + i]).sum();
    println!(
        "PCA: the top {K} components explain {:.1}% of the training digits' variance (eigenvalues {:.3?})",
        100.0 * variances[..K].iter().sum::<f64>() / total_variance,
        &variances[..K + 4]
    );

    let mut ae =
        LinearAutoencoderTrainer::<Adam, B>::new_boxed(Init::XavierUniform, Adam::new(1e-3), 3);
    let mut order = mnist.train.clone();
    let mut epochs = nn::data::batch::Epochs::over(&mut order);
    let mut x = Box::new([[0.0f32; PIXELS]; B]);
    for epoch in 1..=EPOCHS {
        // Step decay: the last epochs settle into the minimum.
        ae.optimizer.lr = 1e-3 * 0.3f32.powi((3 * (epoch - 1) / EPOCHS) as i32);
        epochs.shuffle(rng);
        let mut loss = 0.0;
        for b in 0..epochs.batches(B) {
            let rows = epochs.gather(b, &centered, &centered, &mut x, &mut [[0.0; PIXELS]; B]);
            loss += ae.train_batch(&x, &x, rows, &Mse);
        }
        if epoch % 5 == 0 {
            println!(
                "epoch {epoch:>2}: training MSE {:.5}",
                loss / epochs.batches(B) as f32
            );
        }
    }

    // The decoder maps a code c to W c + b; its weight is stored input-major
    // (`weight[j][r]`, K × 784), so the reconstructions span its rows,
    // gathered here as the columns of a 784 × K matrix.
    let weight = &ae.model.linear1.weight;
    let mut decoder: Vec<f64> = (0..PIXELS)
        .flat_map(|r| (0..K).map(move |j| weight[j][r] as f64))
        .collect();
    orthonormalize(&mut decoder, PIXELS)?;
    let (mut angles, mut scratch) = ([0.0f64; K], [0.0f64; 3 * K * K]);
    principal_angles(&decoder, &top, PIXELS, &mut angles, &mut scratch)?;
    let degrees: Vec<f64> = angles.iter().map(|a| a.to_degrees()).collect();
    println!(
        "principal angles between the decoder's span and the top {K} PCs (degrees): {degrees:.2?}"
    );
    let mut random: Vec<f64> = (0..PIXELS * K)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    orthonormalize(&mut random, PIXELS)?;
    principal_angles(&random, &top, PIXELS, &mut angles, &mut scratch)?;
    println!(
        "(a random {K}-dimensional subspace: {:.2?})",
        angles.map(f64::to_degrees)
    );

    // Reconstruction through the PCA subspace: x ↦ U Uᵀ x.
    let project = |x: &[f32; PIXELS]| {
        let code: [f64; K] =
            std::array::from_fn(|j| (0..PIXELS).map(|r| top[r * K + j] * x[r] as f64).sum());
        std::array::from_fn(|r| (0..K).map(|j| top[r * K + j] * code[j]).sum::<f64>() as f32)
    };
    let (ae_mse, pca_mse) = (
        mse(&centered, &mnist.test, |x| ae.model.forward(x)),
        mse(&centered, &mnist.test, project),
    );
    println!(
        "test MSE: autoencoder {ae_mse:.5}, PCA projection {pca_mse:.5} (ratio {:.4})",
        ae_mse / pca_mse
    );
    println!(
        "largest principal angle: {:.2} degrees",
        degrees.iter().cloned().fold(0.0, f64::max)
    );
    Ok(())
}
