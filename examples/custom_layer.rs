//! A network with layers defined outside nn: `layers::Mish` (an activation)
//! and `layers::Scale<N>` (a layer with parameters), trained on the vendored
//! MNIST digits beside nn's own layers, then saved and reloaded.
//!
//! `cargo run --release --example custom_layer [-- --epochs N]`
mod common;
mod layers;

use common::{Mnist, Options, Result};
use nn::prelude::*;

/// Widths can be named constants.
const HIDDEN: usize = 64;

network! {
    /// An MLP whose hidden layer goes through a learned per-feature gain and
    /// a Mish activation, both from `examples/layers`.
    Net = < Linear<784, HIDDEN>, layers::Scale<HIDDEN>, layers::Mish, Linear<HIDDEN, 10>, Softmax >
}

const BATCH: usize = 32;
const SEED: u64 = 7;

fn main() -> Result<()> {
    let opts = Options::parse(5, "target/custom-layer.png")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mnist = Mnist::load(&mut rng)?;
    println!("{}: {} parameters", Net::SIGNATURE, Net::NUM_PARAMS);
    let mut trainer = NetTrainer::<Adam, BATCH>::new_boxed(Init::HeNormal, Adam::new(1e-3), SEED);
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
    let path = std::env::temp_dir().join("nn-custom-layer.nnw");
    trainer.model.save(&path)?;
    let mut reloaded = trainer.model.clone();
    reloaded.reset(Init::HeNormal, &mut rng);
    reloaded.load(&path)?;
    let same = mnist.accuracy(&mnist.test, |i| reloaded.predict(&mnist.data.images[i]));
    println!(
        "final test accuracy {:.2}% after {} epochs; reloaded from {}: {same:.2}%",
        history.final_test(),
        history.test.len(),
        path.display()
    );
    Ok(())
}
