//! Footprint build: the 1-16-16-1 sine model (as in the TFLite-Micro and
//! microflow comparisons) in f32, inference only, executed in place from
//! flash.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

use nets::{Sine, SineActivations};

footprint!(
    Sine,
    SineActivations,
    "sine.nni",
    |_| &[core::f32::consts::FRAC_PI_2],
    |_, y: &[f32; 1]| {
        // Integers only: float formatting would add its code to the measurement.
        board::hprintln!("sin(pi/2) * 1000 = {}", (y[0] * 1000.0) as i32);
        (y[0] - 1.0).abs() < 0.1
    },
);
