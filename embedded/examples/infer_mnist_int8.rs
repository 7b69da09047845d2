//! Footprint build: the MNIST MLP quantized to int8 on the host, executed
//! in place from flash in integers only, on a digit whose pixels are
//! quantized into a static input buffer (784 B, not 3,136).
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

use nets::{MnistMlpInt8, MnistMlpInt8Activations};

/// The quantized input sample.
static mut INPUT: [i8; 784] = [0; 784];

footprint!(
    MnistMlpInt8,
    MnistMlpInt8Activations,
    "mnist_int8.nni",
    |model: &MnistMlpInt8| {
        // SAFETY: the only reference to INPUT.
        let x = unsafe { board::slot(&raw mut INPUT) };
        let pixels = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit.bin"));
        for (x, &p) in x.iter_mut().zip(pixels) {
            *x = model.input.quantize(p as f32 / 255.0);
        }
        &*x
    },
    |_, y: &[i8; 10]| {
        let host = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit_int8_outputs.bin"));
        board::hprintln!("digit: {}", nn::metrics::argmax(y));
        nn::bytemuck::bytes_of(y) == host
    },
);
