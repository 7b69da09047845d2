//! Footprint build: the MLPerf Tiny ResNet-8 (image classification) in int8,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "resnet8": nets::ResNet8Int8, nets::ResNet8Int8Activations, int8);
