//! Every first-order optimizer trains a real network on real data: 2,000
//! vendored MNIST digits, a 784-32-10 MLP, three epochs from the same seed.
use nn::data::idx;
use nn::prelude::*;

network! {
    Small = < Linear<784, 32>, ReLU, Linear<32, 10>, Softmax >
}

const B: usize = 32;
const N: usize = 2000;

fn digits() -> idx::Labeled<784> {
    let root = env!("CARGO_MANIFEST_DIR");
    idx::load_labeled(
        format!("{root}/data/mnist10k-images-idx3-ubyte.gz"),
        format!("{root}/data/mnist10k-labels-idx1-ubyte.gz"),
    )
    .expect("vendored MNIST")
}

/// Train accuracy (percent) after three epochs with `optimizer`.
fn train<O: Optimizer>(data: &idx::Labeled<784>, optimizer: O) -> f64 {
    let mut t = SmallTrainer::<O, B>::new_boxed(Init::HeNormal, optimizer, 7);
    let mut x = Box::new([[0.0f32; 784]; B]);
    let mut y = [0usize; B];
    for _ in 0..3 {
        for start in (0..N).step_by(B).take(N / B) {
            for k in 0..B {
                x[k] = data.images[start + k];
                y[k] = data.labels[start + k] as usize;
            }
            t.train_step(&x, &y, &CrossEntropy);
        }
    }
    let correct = (0..N)
        .filter(|&i| t.model.predict(&data.images[i]) == data.labels[i] as usize)
        .count();
    100.0 * correct as f64 / N as f64
}

#[test]
fn every_optimizer_learns_mnist_digits() {
    let data = digits();
    let results = [
        ("SGD", train(&data, Sgd::new(0.1))),
        ("Momentum", train(&data, Momentum::new(0.02))),
        ("Nesterov", train(&data, Momentum::nesterov(0.02))),
        ("AdaGrad", train(&data, AdaGrad::new(0.05))),
        ("RMSProp", train(&data, RmsProp::new(1e-3))),
        ("Adam", train(&data, Adam::new(1e-3))),
        ("AMSGrad", train(&data, AmsGrad(Adam::new(1e-3)))),
        ("AdamW", train(&data, AdamW::new(1e-3))),
    ];
    for (name, accuracy) in results {
        assert!(
            accuracy > 88.0,
            "{name}: train accuracy {accuracy:.1}% after 3 epochs; all: {results:?}"
        );
    }
}
