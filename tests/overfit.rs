//! The course notes' debugging recipe on the examples' MNIST networks:
//! overfit one digit, then a handful, then a batch, counting the steps
//! (`nn::train::overfit`); a network that cannot learn fails it.
use nn::data::idx;
use nn::prelude::*;
use nn::train::overfit::{OverfitError, overfit};

#[path = "../examples/common/mnist_nets.rs"]
mod mnist_nets;
use mnist_nets::{MnistCnnTrainer, MnistMlpTrainer};

/// The first `B` vendored digits and their classes.
fn digits<const B: usize>() -> (Box<[[f32; 784]; B]>, [usize; B]) {
    let root = env!("CARGO_MANIFEST_DIR");
    let data = idx::load_labeled::<784>(
        format!("{root}/data/mnist10k-images-idx3-ubyte.gz"),
        format!("{root}/data/mnist10k-labels-idx1-ubyte.gz"),
    )
    .unwrap();
    let x = Box::new(std::array::from_fn(|i| data.images[i]));
    (x, std::array::from_fn(|i| data.labels[i] as usize))
}

/// Steps the MLP needs to overfit `B` digits (cross-entropy below 0.01).
fn mlp_steps<const B: usize>() -> usize {
    let (x, y) = digits::<B>();
    let mut t = MnistMlpTrainer::<Adam, B>::new_boxed(Init::HeNormal, Adam::new(1e-3), 1);
    let report = overfit(|| t.train_step(&x, &y, &CrossEntropy), 0.01, 500)
        .unwrap_or_else(|e| panic!("MLP on {B} digits: {e}"));
    report.steps
}

#[test]
fn the_mnist_networks_overfit_one_digit_then_a_handful_then_a_batch() {
    let steps = [mlp_steps::<1>(), mlp_steps::<8>(), mlp_steps::<32>()];
    eprintln!("MLP overfits 1 / 8 / 32 digits in {steps:?} steps");
    // More digits take at least as long to memorize.
    assert!(steps[0] <= steps[1] && steps[1] <= steps[2], "{steps:?}");

    let (x, y) = digits::<8>();
    let images: &[[[[f32; 28]; 28]; 1]; 8] = nn::bytemuck::cast_ref(&*x);
    let mut cnn = MnistCnnTrainer::<Adam, 8>::new_boxed(Init::HeNormal, Adam::new(1e-3), 2);
    let report = overfit(|| cnn.train_step(images, &y, &CrossEntropy), 0.01, 500).unwrap();
    eprintln!("CNN overfits 8 digits in {} steps", report.steps);
}

#[test]
fn a_network_that_cannot_learn_fails_the_check() {
    let (x, y) = digits::<8>();
    // A learning rate of zero: the loss only wanders with the dropout masks.
    let mut t = MnistMlpTrainer::<Sgd, 8>::new_boxed(Init::HeNormal, Sgd::new(0.0), 3);
    match overfit(|| t.train_step(&x, &y, &CrossEntropy), 0.01, 50) {
        Err(OverfitError::TooSlow(r)) => {
            assert!(r.steps == 50 && r.last_loss > 1.0, "{r:?}");
            assert!(
                OverfitError::TooSlow(r)
                    .to_string()
                    .contains("does not overfit one batch")
            );
        }
        other => panic!("{other:?}"),
    }
    // A NaN in the batch is reported as a loss that is not finite.
    let mut bad = x.clone();
    bad[3][100] = f32::NAN;
    let mut t = MnistMlpTrainer::<Adam, 8>::new_boxed(Init::HeNormal, Adam::new(1e-3), 4);
    assert!(matches!(
        overfit(|| t.train_step(&bad, &y, &CrossEntropy), 0.01, 50),
        Err(OverfitError::NotFinite(r)) if r.steps == 1
    ));
}
