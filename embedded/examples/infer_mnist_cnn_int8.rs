//! Footprint build: the MNIST CNN of `examples/cnn_mnist.rs` in int8,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "mnist_cnn": nets::MnistCnnInt8, nets::MnistCnnInt8Activations, int8);
