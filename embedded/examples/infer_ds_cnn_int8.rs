//! Footprint build: the MLPerf Tiny DS-CNN (keyword spotting) in int8,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/measure.rs"]
#[allow(dead_code)] // f32 builds compare with a tolerance, int8 builds exactly
mod measure;
#[path = "../src/nets.rs"]
#[allow(dead_code, unused_imports)] // each build uses one network
mod nets;

footprint!(reference "ds_cnn": nets::DsCnnInt8, nets::DsCnnInt8Activations, int8);
