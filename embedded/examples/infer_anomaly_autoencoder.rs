//! Footprint build: the MLPerf Tiny dense autoencoder (anomaly detection) in f32,
//! executed in place from flash on the build script's reference input.
#![no_std]
#![no_main]

include!("../src/footprint_build.rs");

footprint!(reference "anomaly_autoencoder": nets::AnomalyAutoencoder, nets::AnomalyAutoencoderActivations, f32);
