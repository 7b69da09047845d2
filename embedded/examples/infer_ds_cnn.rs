//! Footprint build: the MLPerf Tiny DS-CNN (keyword spotting) in f32,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "ds_cnn": nets::DsCnn, nets::DsCnnActivations, f32);
