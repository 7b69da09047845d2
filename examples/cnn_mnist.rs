//! A small CNN on the vendored 10k MNIST digits, against the MLP of
//! `examples/mnist.rs` on the same seeded 8k/2k split.
//!
//! `cargo run --release --example cnn_mnist [-- --epochs N] [-- --plot PATH]`
//!
//! Two 5×5 convolutions with max pooling, then a dense head; the macro
//! computes every shape (28 → 24 → 12 → 8 → 4) at compile time. SGD with
//! momentum on a cosine schedule, training digits randomly shifted by up to
//! ±2 pixels. Saves the trained weights to `target/mnist-cnn.nnw` (for
//! `cargo run --release --example quantize`).
mod common;

use common::{
    MNIST_CNN_WEIGHTS, Mnist, MnistCnn as Cnn, MnistCnnTrainer as CnnTrainer, Options, Result,
};
use nn::prelude::*;

const BATCH: usize = 32;
const SEED: u64 = 42;

fn main() -> Result<()> {
    let opts = Options::parse(12, "target/cnn-mnist-training.png")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mnist = Mnist::load(&mut rng)?;
    println!(
        "MNIST: {} training and {} test digits\n{}",
        mnist.train.len(),
        mnist.test.len(),
        Cnn::summary()
    );
    let mut trainer =
        CnnTrainer::<Momentum, BATCH>::new_boxed(Init::HeNormal, Momentum::new(0.02), SEED);
    let images = mnist.images();
    // Cosine annealing settles the final epochs; shifting each training digit
    // by up to ±2 pixels (seeded) keeps the CNN from memorizing the 8k digits.
    let schedule = nn::optim::schedule::Cosine {
        max: 0.02,
        min: 0.0005,
        period: opts.epochs as u32,
        restart_mult: 0,
    };
    let mut augment = nn::rng::TrainRng::seed_from_u64(SEED + 1);
    let batches = mnist.train.len() / BATCH;
    let mut steps = 0;
    let history = common::train_classifier::<_, BATCH, _>(
        &mnist,
        images,
        opts.epochs,
        &mut rng,
        &mut trainer,
        |t, x, labels, rows| {
            t.optimizer.set_lr(nn::optim::schedule::Schedule::lr(
                &schedule,
                (steps / batches) as u32,
            ));
            steps += 1;
            for image in x.iter_mut() {
                nn::data::batch::random_shift(
                    image.as_flattened_mut().as_flattened_mut(),
                    28,
                    2,
                    &mut augment,
                );
            }
            t.train_batch(x, labels, rows, &CrossEntropy)
        },
        |t, x| t.model.predict(x),
    )?;
    common::plot(&history.panels("cross-entropy"), &opts.plot)?;
    println!(
        "final test accuracy {:.2}% after {} epochs (compare the MLP: cargo run --release --example mnist)",
        history.final_test(),
        history.test.len()
    );
    trainer.model.save(MNIST_CNN_WEIGHTS)?;
    println!("weights saved to {MNIST_CNN_WEIGHTS}");
    println!(
        "plot of the loss and accuracy curves written to {}",
        opts.plot.display()
    );
    Ok(())
}
