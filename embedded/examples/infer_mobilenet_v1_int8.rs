//! Footprint build: the MLPerf Tiny MobileNetV1 (visual wake words) in int8,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "mobilenet_v1": nets::MobileNetV1Int8, nets::MobileNetV1Int8Activations, int8);
