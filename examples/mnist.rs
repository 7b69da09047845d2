//! Trains the design's MLP on the vendored 10k MNIST digits.
//!
//! `cargo run --release --example mnist [-- --epochs N] [-- --plot PATH]`
//!
//! Seeded 8k/2k train/test split, per-epoch shuffling, mini-batch SGD with
//! the fused softmax + cross-entropy gradient. Prints loss, accuracies and
//! epoch time, writes a PNG of the curves, and saves the trained weights
//! (`target/mnist-mlp.nnw`, for `cargo run --release --example classify`,
//! and `target/mnist-mlp.safetensors`, which PyTorch's
//! `nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2),
//! nn.Linear(128, 10))` loads with `load_state_dict`).
mod common;

use common::{
    MNIST_WEIGHTS, Mnist, MnistMlp as Net, MnistMlpTrainer as NetTrainer, Options, Result,
};
use nn::prelude::*;

const BATCH: usize = 32;
const SEED: u64 = 42;

fn main() -> Result<()> {
    let opts = Options::parse(30, "target/mnist-training.png")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mnist = Mnist::load(&mut rng)?;
    println!(
        "MNIST: {} training and {} test digits; {} parameters",
        mnist.train.len(),
        mnist.test.len(),
        Net::NUM_PARAMS
    );
    let mut trainer = NetTrainer::<Sgd, BATCH>::new_boxed(Init::HeNormal, Sgd::new(0.2), SEED);
    let history = common::train_classifier::<_, BATCH, _>(
        &mnist,
        &mnist.data.images,
        opts.epochs,
        &mut rng,
        &mut trainer,
        |t, x, labels, rows| t.train_batch(x, labels, rows, &CrossEntropy),
        |t, x| t.model.predict(x),
    )?;
    common::plot(&history.panels("cross-entropy"), &opts.plot)?;
    println!(
        "final test accuracy {:.2}% after {} epochs",
        history.final_test(),
        history.test.len()
    );
    trainer.model.save(MNIST_WEIGHTS)?;
    let torch = std::path::Path::new(MNIST_WEIGHTS).with_extension("safetensors");
    trainer.model.save_safetensors(&torch)?;
    println!(
        "weights saved to {MNIST_WEIGHTS} ({} bytes) and, with PyTorch's names and layouts, {}",
        Net::WEIGHTS_BYTES,
        torch.display()
    );
    println!(
        "plot of the loss and accuracy curves written to {}",
        opts.plot.display()
    );
    Ok(())
}
