//! Trains the MLPerf Tiny ResNet-8 (`examples/common/resnet8.rs`) on the
//! vendored MNIST digits, padded to 32×32 and repeated over three channels
//! as a stand-in for CIFAR-10, which the repository does not vendor.
//!
//! `cargo run --release --example resnet8 [-- --epochs N] [-- --plot PATH]`
//!
//! Adam, its rate annealed step by step on a cosine to 1% by the last
//! step, batches of 32, the seeded 8k/2k split; prints each epoch's loss
//! and accuracies, then saves the weights and a PyTorch-named safetensors
//! file and checks that both reload to the same predictions, and quantizes
//! the trained network to int8 (calibrated on 1,000 training digits) and
//! reports its test accuracy next to the f32 network's.
mod common;

use common::resnet8::{ResNet8, ResNet8Trainer, digit_as_rgb};
use common::{Mnist, Options, Result};
use nn::prelude::*;

const BATCH: usize = 32;
const SEED: u64 = 8;

fn main() -> Result<()> {
    let opts = Options::parse(2, "target/resnet8-training.png")?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mnist = Mnist::load(&mut rng)?;
    let images: Vec<[[[f32; 32]; 32]; 3]> = mnist.data.images.iter().map(digit_as_rgb).collect();
    println!(
        "ResNet-8: {} parameters ({} values with batch-norm statistics), {} KiB to train at batch {BATCH}",
        ResNet8::NUM_PARAMS,
        ResNet8::STATE_LEN,
        ResNet8Trainer::<Adam, BATCH>::TRAIN_STATE_BYTES / 1024
    );
    let mut trainer =
        ResNet8Trainer::<Adam, BATCH>::new_boxed(Init::HeNormal, Adam::new(2e-3), SEED);
    let mut lr = common::Annealing::new(2e-3, opts.epochs * mnist.train.len().div_ceil(BATCH));
    let history = common::train_classifier::<_, BATCH, _>(
        &mnist,
        &images,
        opts.epochs,
        &mut rng,
        &mut trainer,
        |t, x, labels, rows| {
            t.optimizer.set_lr(lr.next_lr());
            t.train_batch(x, labels, rows, &CrossEntropy)
        },
        |t, x| t.model.predict(x),
    )?;
    common::plot(&history.panels("cross-entropy"), &opts.plot)?;

    let dir = std::env::temp_dir();
    let (weights, torch) = (
        dir.join("nn-resnet8.nnw"),
        dir.join("nn-resnet8.safetensors"),
    );
    trainer.model.save(&weights)?;
    trainer.model.save_safetensors(&torch)?;
    let reloaded = ResNet8::load_boxed(&weights)?;
    let mut from_torch = ResNet8::blank_boxed();
    from_torch.load_safetensors(&torch)?;
    let same = |m: &ResNet8| mnist.accuracy(&mnist.test, |i| m.predict(&images[i]));
    println!(
        "final test accuracy {:.2}% after {} epochs; reloaded {:.2}%, from safetensors {:.2}%",
        history.final_test(),
        history.test.len(),
        same(&reloaded),
        same(&from_torch)
    );
    let calibration = mnist.train[..1000].iter().map(|&i| &images[i]);
    let int8 = trainer
        .model
        .quantize(&trainer.model.calibrate(calibration));
    println!(
        "int8: test accuracy {:.2}% (f32 {:.2}%), model {} B (f32 weights {} B)",
        mnist.accuracy(&mnist.test, |i| int8.predict(&images[i])),
        history.final_test(),
        common::resnet8::ResNet8Int8::MODEL_BYTES,
        ResNet8::WEIGHTS_BYTES
    );
    Ok(())
}
