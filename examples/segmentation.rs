//! Pixel-wise classification (segmentation) with `PixelCrossEntropy`: a
//! small fully convolutional network learns which pixels of noisy MNIST
//! digits belong to the digit.
//!
//! `cargo run --release --example segmentation`
//!
//! Inputs are the vendored digits with uniform noise (±0.15), targets the
//! clean digit's pixels above 0.5; 150 Adam steps on batches of 16 from the
//! first 320 digits, then the pixel accuracy on 16 held-out digits, next to
//! the "everything is background" baseline.
use nn::data::idx;
use nn::loss::PixelCrossEntropy;
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    /// Two 3×3 convolutions to two score maps (background, digit) per pixel.
    Segmenter = <
        Input<1, 28, 28>,
        Conv2d<1, 8, 3, padding = same>, ReLU,
        Conv2d<8, 2, 3, padding = same>,
    >
}

const B: usize = 16;
type Image = [[[f32; 28]; 28]; 1];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let data = idx::load_labeled::<784>(
        format!("{root}/data/mnist10k-images-idx3-ubyte.gz"),
        format!("{root}/data/mnist10k-labels-idx1-ubyte.gz"),
    )?;
    let rng = &mut TrainRng::seed_from_u64(4);
    // Inputs: digits with uniform noise (±0.15); targets: the clean digit's
    // pixels above 0.5. One pair of buffers, refilled for every batch.
    let (mut x, mut t) = (
        Box::new([[[[0.0f32; 28]; 28]; 1]; B]),
        Box::new([[0usize; 784]; B]),
    );
    let mut fill = |start: usize, x: &mut [Image; B], t: &mut [[usize; 784]; B]| {
        for k in 0..B {
            let image = &data.images[start + k];
            for (p, &v) in image.iter().enumerate() {
                x[k][0][p / 28][p % 28] = v + 0.3 * (rng.random::<f32>() - 0.5);
                t[k][p] = (v > 0.5) as usize;
            }
        }
    };
    let mut trainer = SegmenterTrainer::<Adam, B>::new_boxed(Init::HeNormal, Adam::new(1e-2), 1);
    let loss = PixelCrossEntropy::<2>;
    for step in 0..150 {
        fill((step % 20) * B, &mut x, &mut t);
        trainer.train_step(&x, &t, &loss);
    }
    // Held-out digits: pixel accuracy of the argmax class at each pixel.
    fill(9000, &mut x, &mut t);
    let (mut correct, mut total) = (0, 0);
    for (x, t) in x.iter().zip(t.iter()) {
        let scores = trainer.model.forward(x);
        for p in 0..784 {
            let (bg, fg) = (scores[0][p / 28][p % 28], scores[1][p / 28][p % 28]);
            correct += ((fg > bg) as usize == t[p]) as usize;
            total += 1;
        }
    }
    let accuracy = correct as f64 / total as f64;
    // "Everything is background" scores the share of background pixels.
    let background = t.iter().flatten().filter(|&&c| c == 0).count() as f64 / total as f64;
    println!(
        "pixel accuracy on noisy held-out digits: {:.2}% (all-background: {:.2}%)",
        100.0 * accuracy,
        100.0 * background
    );
    Ok(())
}
