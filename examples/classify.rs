//! Loads the weights `examples/mnist.rs` saved and classifies digits, with
//! no retraining.
//!
//! `cargo run --release --example classify [-- --weights PATH] [INDEX ...]`
//!
//! For each index into the vendored 10k MNIST digits, prints the prediction,
//! the label and the class probabilities; without indices, classifies the
//! 2,000 held-out test digits of the training run's split and prints the
//! accuracy (it matches the training run's final test accuracy).
mod common;

use common::{MNIST_WEIGHTS, Mnist, MnistMlp, Result};
use nn::prelude::*;

fn main() -> Result<()> {
    let mut weights = String::from(MNIST_WEIGHTS);
    let mut indices = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--weights" => weights = args.next().ok_or("--weights needs a path")?,
            index => indices.push(
                index
                    .parse::<usize>()
                    .map_err(|_| format!("`{index}` is not a digit index"))?,
            ),
        }
    }
    let model = MnistMlp::load_boxed(&weights).map_err(|e| {
        format!("{weights}: {e} (train first: cargo run --release --example mnist)")
    })?;
    // The same seeded split as the training run.
    let mnist = Mnist::load(&mut rand::rngs::StdRng::seed_from_u64(42))?;
    if indices.is_empty() {
        let accuracy = mnist.accuracy(&mnist.test, |i| model.predict(&mnist.data.images[i]));
        println!(
            "held-out test accuracy with {weights}: {accuracy:.2}% on {} digits",
            mnist.test.len()
        );
        return Ok(());
    }
    for i in indices {
        let image = mnist
            .data
            .images
            .get(i)
            .ok_or(format!("index {i} is past the {} digits", mnist.data.len()))?;
        let p = model.forward(image);
        let guess = nn::metrics::argmax(&p);
        let probabilities: Vec<String> = p
            .iter()
            .enumerate()
            .map(|(d, v)| format!("{d}: {v:.3}"))
            .collect();
        println!(
            "digit {i}: predicted {guess}, label {} [{}]",
            mnist.classes[i],
            probabilities.join(", ")
        );
    }
    Ok(())
}
