//! Footprint build: the MNIST MLP in f32, executed in place from flash
//! (`include_model!`: nothing copied, no initializer or RNG linked), on a
//! digit whose pixels are scaled into a static input buffer.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

use nets::{MnistMlp, MnistMlpActivations};

/// The input sample.
static mut INPUT: [f32; 784] = [0.0; 784];

footprint!(
    MnistMlp,
    MnistMlpActivations,
    "mnist.nni",
    |_| {
        // SAFETY: the only reference to INPUT.
        let x = unsafe { board::slot(&raw mut INPUT) };
        let pixels = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit.bin"));
        for (x, &p) in x.iter_mut().zip(pixels) {
            *x = p as f32 / 255.0;
        }
        &*x
    },
    |_, y: &[f32; 10]| {
        let host = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit_logits.bin"));
        board::hprintln!("digit: {}", nn::metrics::argmax(y));
        measure::near_host(y, host)
    },
);
