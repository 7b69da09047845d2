//! The networks the firmware runs, shared with `build.rs`, which trains or
//! quantizes them on the host and records the host's results.
use nn::prelude::*;

// The examples' MNIST networks and the MLPerf Tiny reference models, in
// their files (all `no_std`).
#[path = "../../examples/common/mnist_nets.rs"]
mod mnist_nets;
pub use mnist_nets::*;
#[path = "../../examples/common/mlperf_tiny.rs"]
mod mlperf_tiny;
pub use mlperf_tiny::*;
#[path = "../../examples/common/resnet8.rs"]
#[allow(dead_code)] // `digit_as_rgb` serves the examples
mod resnet8;
pub use resnet8::*;

network! {
    /// Sized for the board: trained on the device on the 8×8 UCI digits.
    pub DigitsMlp = < Linear<64, 32>, Tanh, Linear<32, 10>, Softmax >
}

network! {
    /// The digits network with dropout, trained on the device with the
    /// host's seed: its masks must be the host's.
    pub DropoutMlp = < Linear<64, 32>, Tanh, Dropout<0.3>, Linear<32, 10>, Softmax >
}

network! {
    /// Every layer kind nn has, in a small CNN for 1×12×12 inputs.
    pub Cnn = <
        Input<1, 12, 12>,
        Conv2d<1, 4, 3, 1, 1>, BatchNorm2d<4>, PReLU<4>, MaxPool2d<2>,
        Conv2d<4, 4, 3, 1, 0, 2>, ELU, AvgPool2d<2>,
        ConvTranspose2d<4, 2, 2, 2>, LeakyReLU, GaussianNoise<0.1>,
        Flatten, Reshape<2, 4>, Conv1d<2, 2, 3>, HardTanh, Flatten,
        Dropout<0.2>, Linear<4, 24>, BatchNorm1d<24>, Maxout<2>, Softplus,
        Linear<12, 10>, Identity, Tanh, Sigmoid, ReLU, BinaryStep, Softmax,
    >
}

/// MNIST digits the device classifies.
pub const DIGITS: usize = 200;
/// UCI digits the device trains on, batch size and steps.
pub const TRAIN_ROWS: usize = 128;
pub const BATCH: usize = 16;
pub const STEPS: usize = 60;
/// CNN inputs compared with the host.
pub const CNN_INPUTS: usize = 4;
/// Adam's learning rate for on-device training.
pub const LEARNING_RATE: f32 = 0.01;
/// The seed of the dropout run and of the compared random draws.
pub const STREAM_SEED: u64 = 42;
/// `u64` draws of `TrainRng::seed_from_u64(STREAM_SEED)` compared with the host's.
pub const DRAWS: usize = 16;

/// The training batch of `step`: rows `step·BATCH ..` of the digits, cyclically.
pub fn batch_start(step: usize) -> usize {
    (step * BATCH) % TRAIN_ROWS
}

network! {
    /// The TFLite-Micro / microflow "sine" model shape (1-16-16-1), for
    /// footprint comparisons; tanh units fit the sine where ReLUs stalled.
    #[nn(int8)]
    pub Sine = < Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1> >
}
