//! Footprint build: the MNIST CNN of `examples/cnn_mnist.rs` in f32,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "mnist_cnn": nets::MnistCnn, nets::MnistCnnActivations, f32);
