//! Footprint build: the 1-16-16-1 sine model in int8 (tanh as a 256-entry
//! lookup table), executed in place from flash.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

use nets::{SineInt8, SineInt8Activations};

/// The quantized input sample.
static mut INPUT: [i8; 1] = [0];

footprint!(
    SineInt8,
    SineInt8Activations,
    "sine_int8.nni",
    |model: &SineInt8| {
        // SAFETY: the only reference to INPUT.
        let x = unsafe { board::slot(&raw mut INPUT) };
        x[0] = model.input.quantize(core::f32::consts::FRAC_PI_2);
        &*x
    },
    |model: &SineInt8, y: &[i8; 1]| {
        let y = model.output.dequantize(y[0]);
        // Integers only: float formatting would add its code to the measurement.
        board::hprintln!("sin(pi/2) * 1000 = {}", (y * 1000.0) as i32);
        (y - 1.0).abs() < 0.1
    },
);
