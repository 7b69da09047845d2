//! Networks built and trained without `std` or an allocator. Building this
//! crate for `thumbv7em-none-eabihf` instantiates every layer's forward and
//! backward code for that target (generic code is only compiled when used).
#![no_std]

use nn::prelude::*;

network! {
    /// Every layer kind `nn` has, in a small CNN for 1×12×12 inputs.
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

/// One Adam step on a batch of four, from a trainer in caller storage.
pub fn train_step(
    trainer: &mut CnnTrainer<Adam, 4>,
    x: &[[[[f32; 12]; 12]; 1]; 4],
    labels: &[usize; 4],
) -> f32 {
    trainer.train_step(x, labels, &CrossEntropy)
}

/// Builds a trainer in place (firmware keeps it in a `static`).
pub fn init(slot: &mut core::mem::MaybeUninit<CnnTrainer<Adam, 4>>) -> &mut CnnTrainer<Adam, 4> {
    CnnTrainer::init_in_place(slot, Init::HeNormal, Adam::new(1e-3), 7)
}

/// Classifies one sample.
pub fn predict(model: &Cnn, x: &[[[f32; 12]; 12]; 1]) -> usize {
    model.predict(x)
}

/// Loads weights saved on a host (e.g. `include_bytes!`), without an allocator.
pub fn load(model: &mut Cnn, bytes: &[u8]) -> Result<(), nn::weights::FormatError> {
    model.load_from(bytes)
}

/// Saves the weights into caller memory.
pub fn save(
    model: &Cnn,
    out: &mut [u8; Cnn::WEIGHTS_BYTES],
) -> Result<usize, nn::weights::FormatError> {
    model.save_to(out)
}
