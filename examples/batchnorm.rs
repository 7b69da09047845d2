//! Batch normalization lets the same MLP train faster at a higher learning
//! rate: three runs on the vendored MNIST digits, same seed and data order.
//!
//! `cargo run --release --example batchnorm [-- --epochs N] [-- --plot PATH]`
//!
//! 1. a deep sigmoid MLP (four hidden layers) at a conventional rate (SGD 0.1),
//! 2. the same at ten times that rate (SGD 1.0),
//! 3. the same MLP with `BatchNorm1d` after each hidden `Linear`, at SGD 1.0.
//!
//! Prints test accuracy per epoch and writes the curves as a PNG.
mod common;

use common::{Mnist, Options, Panel, Result};
use nn::prelude::*;

network! {
    /// 784 → 4 × 100 → 10, sigmoid units.
    pub Plain = <
        Linear<784, 100>, Sigmoid, Linear<100, 100>, Sigmoid,
        Linear<100, 100>, Sigmoid, Linear<100, 100>, Sigmoid,
        Linear<100, 10>, Softmax,
    >
}

network! {
    /// The same, with batch normalization before each hidden activation.
    pub Normalized = <
        Linear<784, 100>, BatchNorm1d<100>, Sigmoid, Linear<100, 100>, BatchNorm1d<100>, Sigmoid,
        Linear<100, 100>, BatchNorm1d<100>, Sigmoid, Linear<100, 100>, BatchNorm1d<100>, Sigmoid,
        Linear<100, 10>, Softmax,
    >
}

const BATCH: usize = 32;
const SEED: u64 = 3;
const LOW_RATE: f32 = 0.1;
const HIGH_RATE: f32 = 1.0;

/// Trains one configuration from the same seeds and returns its history.
macro_rules! run {
    ($trainer:ident, $lr:expr, $mnist:expr, $epochs:expr) => {{
        let mnist: &Mnist = $mnist;
        println!("{} with SGD {}", stringify!($trainer), $lr);
        let mut t = $trainer::<Sgd, BATCH>::new_boxed(Init::XavierUniform, Sgd::new($lr), SEED);
        let (mut x, mut labels) = (Box::new([[0.0f32; 784]; BATCH]), [0usize; BATCH]);
        let images = &mnist.data.images;
        common::train(
            mnist,
            $epochs,
            BATCH,
            &mut rand::rngs::StdRng::seed_from_u64(SEED),
            &mut t,
            |t, epochs, b| {
                let rows = epochs.gather(b, images, &mnist.classes, &mut x, &mut labels);
                t.train_batch(&x, &labels, rows, &CrossEntropy)
            },
            "accuracy",
            |t, digits| mnist.accuracy(digits, |i| t.model.predict(&images[i])),
        )?
    }};
}

fn main() -> Result<()> {
    let opts = Options::parse(8, "target/batchnorm.png")?;
    let mnist = Mnist::load(&mut rand::rngs::StdRng::seed_from_u64(SEED))?;
    let slow = run!(PlainTrainer, LOW_RATE, &mnist, opts.epochs);
    let fast = run!(PlainTrainer, HIGH_RATE, &mnist, opts.epochs);
    let normalized = run!(NormalizedTrainer, HIGH_RATE, &mnist, opts.epochs);
    let labels = [
        format!("plain, lr {LOW_RATE}"),
        format!("plain, lr {HIGH_RATE}"),
        format!("BatchNorm, lr {HIGH_RATE}"),
    ];
    let runs = [
        (labels[0].as_str(), &slow),
        (labels[1].as_str(), &fast),
        (labels[2].as_str(), &normalized),
    ];
    common::plot(
        &[
            Panel::new(
                "training loss (cross-entropy)",
                runs.map(|(l, h)| (l, &h.loss)),
            ),
            Panel::new("test accuracy (%)", runs.map(|(l, h)| (l, &h.test))),
        ],
        &opts.plot,
    )?;
    println!("\n| run | epoch 1 | epoch 2 | epoch {} |", opts.epochs);
    println!("|---|---|---|---|");
    for (label, h) in runs {
        println!(
            "| {label} | {:.2}% | {:.2}% | {:.2}% |",
            h.test[0],
            h.test[1.min(h.test.len() - 1)],
            h.final_test()
        );
    }
    println!("curves written to {}", opts.plot.display());
    Ok(())
}
