//! Trains three MLPerf Tiny reference models (`examples/common/mlperf_tiny.rs`;
//! ResNet-8 has `examples/resnet8.rs`) on stand-ins made from the vendored
//! MNIST digits — their real data sets (Speech Commands, Visual Wake Words,
//! ToyADMOS) are not vendored — then quantizes each to int8 and measures it
//! against its f32 form on held-out digits.
//!
//! `cargo run --release --example mlperf_tiny [-- --epochs N]` (default 3;
//! the autoencoder trains 10× as many on its tenth of the digits)
//!
//! Stand-ins, on the seeded 8k/2k split:
//! - **DS-CNN** (keyword spotting, 49×10 MFCC frames × coefficients, 12
//!   classes): each digit resampled to 49×10, classes 0–9 of the 12.
//! - **MobileNetV1** (visual wake words: person or not, 96×96 RGB): each digit
//!   upscaled to 96×96 in three equal channels; the two classes are "digit
//!   ≥ 5" and "digit < 5". Trained on the first 3,000 training digits.
//! - **Autoencoder** (anomaly detection, 640 values = 5 frames × 128 mel
//!   bands, scored by reconstruction error): each digit resampled to 32×20;
//!   trained on the zeros only ("normal" machine sound), and the test score
//!   is the ROC AUC of reconstruction error separating the other digits
//!   (anomalies) from held-out zeros.
mod common;
#[path = "common/mlperf_tiny.rs"]
mod mlperf_tiny;

use common::{Mnist, Options, Result};
use mlperf_tiny::{
    AnomalyAutoencoder, AnomalyAutoencoderTrainer, DsCnn, DsCnnTrainer, MobileNetV1,
    MobileNetV1Trainer,
};
use nn::prelude::*;

const SEED: u64 = 13;
/// Training digits the int8 forms are calibrated on.
const CALIBRATION: usize = 500;

/// `pixels` (28×28) resampled to `H×W` by bilinear interpolation (pixel
/// centres aligned, as PyTorch's `interpolate(align_corners=False)`).
fn resample<const H: usize, const W: usize>(pixels: &[f32; 784]) -> [[f32; W]; H] {
    let at = |r: usize, c: usize| pixels[r.min(27) * 28 + c.min(27)];
    let source = |i: usize, n: usize| ((i as f32 + 0.5) * 28.0 / n as f32 - 0.5).max(0.0);
    std::array::from_fn(|i| {
        let y = source(i, H);
        let (r, fy) = (y as usize, y.fract());
        std::array::from_fn(|j| {
            let x = source(j, W);
            let (c, fx) = (x as usize, x.fract());
            let top = at(r, c) * (1.0 - fx) + at(r, c + 1) * fx;
            let bottom = at(r + 1, c) * (1.0 - fx) + at(r + 1, c + 1) * fx;
            top * (1.0 - fy) + bottom * fy
        })
    })
}

/// Trains a classifier on `mnist`'s training digits as `input` makes them,
/// with `label` as the class; prints each epoch and returns the final test
/// accuracy. `step` trains on a batch, `predict` classifies one input.
#[allow(clippy::too_many_arguments)]
fn train_on<S: Copy + nn::mem::Zeroable, const B: usize, T>(
    mnist: &Mnist,
    epochs: usize,
    rng: &mut impl Rng,
    trainer: &mut T,
    input: impl Fn(&[f32; 784]) -> S,
    label: impl Fn(usize) -> usize,
    mut step: impl FnMut(&mut T, &[S; B], &[usize; B], usize) -> f32,
    predict: impl Fn(&T, &S) -> usize,
) -> Result<f64> {
    let mut x: Box<[S; B]> = nn::mem::boxed_in_place(|slot| nn::mem::zero_in_place(slot));
    let mut y = [0usize; B];
    let images = &mnist.data.images;
    let history = common::train(
        mnist,
        epochs,
        B,
        rng,
        trainer,
        |t, order, b| {
            let rows = order.gather_with(b, &mut x, &mut y, |i| {
                (input(&images[i]), label(mnist.classes[i]))
            });
            step(t, &x, &y, rows)
        },
        "accuracy",
        |t, digits| {
            accuracy(digits, |i| {
                predict(t, &input(&images[i])) == label(mnist.classes[i])
            })
        },
    )?;
    Ok(history.final_test())
}

/// Share of `digits` for which `correct` holds, in percent.
fn accuracy(digits: &[usize], correct: impl Fn(usize) -> bool) -> f64 {
    100.0 * digits.iter().filter(|&&i| correct(i)).count() as f64 / digits.len() as f64
}

/// The ROC AUC of `scores` for telling `positive` from the rest: the chance
/// that a random positive scores higher than a random negative (ties half).
fn auc(scores: &[(f32, bool)]) -> f64 {
    let (mut pairs, mut above) = (0.0f64, 0.0f64);
    for &(p, _) in scores.iter().filter(|s| s.1) {
        for &(n, _) in scores.iter().filter(|s| !s.1) {
            pairs += 1.0;
            above += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    above / pairs
}

/// Mean squared difference of a reconstruction from its input.
fn mse(x: &[f32; 640], y: &[f32; 640]) -> f32 {
    x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum::<f32>() / 640.0
}

fn main() -> Result<()> {
    let opts = Options::parse(3, "target/mlperf-tiny.png")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mnist = Mnist::load(&mut rng)?;
    let images = &mnist.data.images;
    let calibration = &mnist.train[..CALIBRATION];

    // DS-CNN on 49×10 digits.
    let spectrogram = |p: &[f32; 784]| [resample::<49, 10>(p)];
    let mut trainer = DsCnnTrainer::<Adam, 32>::new_boxed(Init::HeNormal, Adam::new(3e-3), SEED);
    println!(
        "DS-CNN ({} parameters) on digits as 49×10 frames",
        DsCnn::NUM_PARAMS
    );
    let f32_accuracy = train_on::<_, 32, _>(
        &mnist,
        opts.epochs,
        &mut rng,
        &mut trainer,
        spectrogram,
        |class| class,
        |t, x, y, rows| t.train_batch(x, y, rows, &CrossEntropy),
        |t, x| t.model.predict(x),
    )?;
    let model = &trainer.model;
    let inputs: Vec<_> = calibration
        .iter()
        .map(|&i| spectrogram(&images[i]))
        .collect();
    let int8 = model.quantize(&model.calibrate(&inputs));
    let int8_accuracy = accuracy(&mnist.test, |i| {
        int8.predict(&spectrogram(&images[i])) == mnist.classes[i]
    });
    println!("DS-CNN: test accuracy f32 {f32_accuracy:.2}%, int8 {int8_accuracy:.2}%");

    // MobileNetV1 on 96×96 digits, "≥ 5" or not.
    let picture = |p: &[f32; 784]| [resample::<96, 96>(p); 3];
    let high = |class: usize| (class >= 5) as usize;
    let mut subset = Mnist {
        train: mnist.train[..3000].to_vec(),
        ..mnist.clone()
    };
    subset.test.truncate(1000);
    let mut trainer =
        MobileNetV1Trainer::<Adam, 32>::new_boxed(Init::HeNormal, Adam::new(1e-2), SEED);
    println!(
        "MobileNetV1 ({} parameters) on 96×96 digits: ≥ 5 or not",
        MobileNetV1::NUM_PARAMS
    );
    let mut lr = common::Annealing::new(1e-2, opts.epochs * subset.train.len().div_ceil(32));
    let f32_accuracy = train_on::<_, 32, _>(
        &subset,
        opts.epochs,
        &mut rng,
        &mut trainer,
        picture,
        high,
        |t, x, y, rows| {
            t.optimizer.set_lr(lr.next_lr());
            t.train_batch(x, y, rows, &CrossEntropy)
        },
        |t, x| t.model.predict(x),
    )?;
    let model = &trainer.model;
    let inputs: Vec<_> = calibration.iter().map(|&i| picture(&images[i])).collect();
    let int8 = model.quantize(&model.calibrate(&inputs));
    let int8_accuracy = accuracy(&subset.test, |i| {
        int8.predict(&picture(&images[i])) == high(mnist.classes[i])
    });
    println!("MobileNetV1: test accuracy f32 {f32_accuracy:.2}%, int8 {int8_accuracy:.2}%");

    // The autoencoder on the zeros; the other digits are the anomalies.
    let frames = |p: &[f32; 784]| -> [f32; 640] { nn::bytemuck::cast(resample::<32, 20>(p)) };
    let normal: Vec<usize> = mnist
        .train
        .iter()
        .copied()
        .filter(|&i| mnist.classes[i] == 0)
        .collect();
    let test_zeros = mnist
        .test
        .iter()
        .copied()
        .filter(|&i| mnist.classes[i] == 0)
        .collect();
    let zeros = Mnist {
        train: normal,
        test: test_zeros,
        ..mnist.clone()
    };
    let mut trainer =
        AnomalyAutoencoderTrainer::<Adam, 32>::new_boxed(Init::HeNormal, Adam::new(1e-3), SEED);
    println!(
        "autoencoder ({} parameters) on {} zeros as 32×20 frames",
        AnomalyAutoencoder::NUM_PARAMS,
        zeros.train.len()
    );
    let mut x = Box::new([[0.0f32; 640]; 32]);
    let scores = |m: &dyn Fn(&[f32; 640]) -> [f32; 640]| -> Vec<(f32, bool)> {
        mnist
            .test
            .iter()
            .map(|&i| {
                let x = frames(&images[i]);
                (mse(&x, &m(&x)), mnist.classes[i] != 0)
            })
            .collect()
    };
    // Ten times the epochs: the zeros are a tenth of the training digits.
    common::train(
        &zeros,
        opts.epochs * 10,
        32,
        &mut rng,
        &mut trainer,
        |t, order, b| {
            let rows = order.gather_with(b, &mut x, &mut [(); 32], |i| (frames(&images[i]), ()));
            t.train_batch(&x, &x, rows, &Mse)
        },
        "reconstruction MSE",
        |t, digits| {
            digits
                .iter()
                .map(|&i| {
                    let x = frames(&images[i]);
                    mse(&x, &t.model.forward(&x)) as f64
                })
                .sum::<f64>()
                / digits.len() as f64
        },
    )?;
    let model = &trainer.model;
    let f32_auc = auc(&scores(&|x| model.forward(x)));
    let inputs: Vec<_> = zeros.train[..CALIBRATION.min(zeros.train.len())]
        .iter()
        .map(|&i| frames(&images[i]))
        .collect();
    let int8 = model.quantize(&model.calibrate(&inputs));
    let int8_auc = auc(&scores(&|x| int8.forward(x)));
    println!("autoencoder: anomaly AUC f32 {f32_auc:.4}, int8 {int8_auc:.4}");
    Ok(())
}
