//! Autoencoders on the vendored MNIST digits: an undercomplete MLP
//! (784 → 32 → 784) and a convolutional one that downsamples with strided
//! convolutions and upsamples with transposed convolutions
//! (28 → 14 → 7 → 14 → 28). Both learn to reproduce their input through a
//! 32- and 392-value bottleneck, trained on mean squared error.
//!
//! `cargo run --release --example autoencoder [-- --epochs N] [-- --plot PATH]`
//!
//! Prints the reconstruction MSE per epoch and writes a PNG: a grid of test
//! digits (top row) with the MLP's (middle) and the CNN's (bottom)
//! reconstructions, plus the MSE curves beside it (`…-curves.png`).
mod common;

use common::{Image, Mnist, Options, Panel, Result};
use nn::prelude::*;

network! {
    /// 784 → 32 → 784.
    pub MlpAutoencoder = < Linear<784, 32>, ReLU, Linear<32, 784>, Sigmoid >
}

network! {
    /// 1×28×28 → 16×14×14 → 8×7×7 → 16×14×14 → 1×28×28.
    pub ConvAutoencoder = <
        Input<1, 28, 28>,
        Conv2d<1, 16, 3, 2, 1>, ReLU,
        Conv2d<16, 8, 3, 2, 1>, ReLU,
        ConvTranspose2d<8, 16, 2, 2>, ReLU,
        ConvTranspose2d<16, 1, 2, 2>, Sigmoid,
    >
}

const BATCH: usize = 32;
const SEED: u64 = 7;
/// Digits shown in the reconstruction grid.
const SHOWN: usize = 12;

/// Mean squared error between `digits` and their reconstructions.
fn mse(mnist: &Mnist, digits: &[usize], reconstruct: impl Fn(usize) -> [f32; 784]) -> f64 {
    let total: f64 = digits
        .iter()
        .map(|&i| nn::metrics::mse(&reconstruct(i), &mnist.data.images[i]) as f64)
        .sum();
    total / digits.len() as f64
}

fn main() -> Result<()> {
    let opts = Options::parse(10, "target/autoencoder.png")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mnist = Mnist::load(&mut rng)?;
    let (flat, images) = (&mnist.data.images, mnist.images());

    println!("MLP autoencoder, {} parameters", MlpAutoencoder::NUM_PARAMS);
    let mut mlp =
        MlpAutoencoderTrainer::<Adam, BATCH>::new_boxed(Init::HeNormal, Adam::new(2e-3), SEED);
    let (mut x, mut targets) = (
        Box::new([[0.0f32; 784]; BATCH]),
        Box::new([[0.0f32; 784]; BATCH]),
    );
    let mlp_history = common::train(
        &mnist,
        opts.epochs,
        BATCH,
        &mut rng,
        &mut mlp,
        |t, epochs, b| {
            let rows = epochs.gather(b, flat, flat, &mut x, &mut targets);
            t.train_batch(&x, &targets, rows, &Mse)
        },
        "MSE",
        |t, digits| mse(&mnist, digits, |i| t.model.forward(&flat[i])),
    )?;

    println!(
        "convolutional autoencoder, {} parameters",
        ConvAutoencoder::NUM_PARAMS
    );
    let mut cnn =
        ConvAutoencoderTrainer::<Adam, BATCH>::new_boxed(Init::HeNormal, Adam::new(2e-3), SEED);
    let mut x: Box<[Image; BATCH]> = Box::new([[[[0.0; 28]; 28]; 1]; BATCH]);
    let cnn_history = common::train(
        &mnist,
        opts.epochs,
        BATCH,
        &mut rng,
        &mut cnn,
        |t, epochs, b| {
            let rows = epochs.gather(b, images, flat, &mut x, &mut targets);
            t.train_batch(&x, &targets, rows, &Mse)
        },
        "MSE",
        |t, digits| {
            mse(&mnist, digits, |i| {
                nn::bytemuck::cast(t.model.forward(&images[i]))
            })
        },
    )?;

    let shown = &mnist.test[..SHOWN];
    let rows: [Vec<[f32; 784]>; 3] = [
        shown.iter().map(|&i| flat[i]).collect(),
        shown.iter().map(|&i| mlp.model.forward(&flat[i])).collect(),
        shown
            .iter()
            .map(|&i| nn::bytemuck::cast(cnn.model.forward(&images[i])))
            .collect(),
    ];
    write_grid(&rows, &opts.plot)?;
    let curves = opts.plot.with_file_name("autoencoder-curves.png");
    common::plot(
        &[Panel::new(
            "test reconstruction MSE",
            [
                ("MLP 784-32-784", &mlp_history.test),
                ("convolutional", &cnn_history.test),
            ],
        )],
        &curves,
    )?;
    println!(
        "test MSE: MLP {:.4} (epoch 1: {:.4}), convolutional {:.4} (epoch 1: {:.4})",
        mlp_history.final_test(),
        mlp_history.test[0],
        cnn_history.final_test(),
        cnn_history.test[0],
    );
    println!(
        "reconstructions written to {}, curves to {}",
        opts.plot.display(),
        curves.display()
    );
    Ok(())
}

/// Lays out rows of 28×28 digits, scaled ×3 with a 6-pixel gap, as a
/// grayscale PNG.
fn write_grid(rows: &[Vec<[f32; 784]>], path: &std::path::Path) -> Result<()> {
    const SCALE: usize = 3;
    const CELL: usize = 28 * SCALE + 6;
    let (w, h) = (rows[0].len() * CELL, rows.len() * CELL);
    let mut gray = vec![255u8; w * h];
    for (r, row) in rows.iter().enumerate() {
        for (c, digit) in row.iter().enumerate() {
            for (p, &v) in digit.iter().enumerate() {
                let ink = 255 - (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                for dy in 0..SCALE {
                    let y = r * CELL + 3 + (p / 28) * SCALE + dy;
                    let x = c * CELL + 3 + (p % 28) * SCALE;
                    gray[y * w + x..y * w + x + SCALE].fill(ink);
                }
            }
        }
    }
    common::write_png(path, (w as u32, h as u32), png::ColorType::Grayscale, &gray)
}
