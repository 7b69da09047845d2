//! Footprint build: the MLPerf Tiny ResNet-8 (image classification) in f32,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "resnet8": nets::ResNet8, nets::ResNet8Activations, f32);
