//! The MLPerf Tiny reference architectures (`examples/common/mlperf_tiny.rs`
//! and `resnet8.rs`): the reference's parameter counts, weights and
//! safetensors round trips, training that lowers the loss on a batch, and
//! int8 forms that follow the float networks and fit a 256 KB-RAM / 1 MB-flash
//! microcontroller.
use nn::prelude::*;
use nn::rng::TrainRng;
use rand::{Rng, SeedableRng};

#[path = "../examples/common/mlperf_tiny.rs"]
mod mlperf_tiny;
use mlperf_tiny::{
    AnomalyAutoencoder, AnomalyAutoencoderInt8, AnomalyAutoencoderTrainer, DsCnn, DsCnnInt8,
    DsCnnTrainer, MobileNetV1, MobileNetV1Int8, MobileNetV1Trainer,
};
#[path = "../examples/common/resnet8.rs"]
#[allow(dead_code)] // `digit_as_rgb` serves the example
mod resnet8;
use resnet8::{ResNet8, ResNet8Int8};

#[test]
fn parameter_counts_equal_the_references() {
    // Trainable parameters, and the Keras summary's total (running
    // statistics included), as computed from the MLCommons scripts.
    assert_eq!(DsCnn::NUM_PARAMS, 23_756);
    assert_eq!(DsCnn::STATE_LEN, 23_756 + 2 * 9 * 64);
    assert_eq!(MobileNetV1::NUM_PARAMS, 216_322);
    assert_eq!(MobileNetV1::STATE_LEN, 221_794);
    assert_eq!(AnomalyAutoencoder::NUM_PARAMS, 267_928);
    assert_eq!(AnomalyAutoencoder::STATE_LEN, 269_992);
}

/// A batch of `B` samples with values in ±1.
fn random_batch<T: nn::bytemuck::Pod, const B: usize>(seed: u64) -> Vec<T> {
    let rng = &mut TrainRng::seed_from_u64(seed);
    let values: Vec<f32> = (0..B * size_of::<T>() / 4)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    nn::bytemuck::cast_slice(&values).to_vec()
}

/// The batch as the trainers take it.
fn batch<T, const B: usize>(v: &[T]) -> &[T; B] {
    v.try_into().expect("B samples")
}

/// Saves `model` as a weights file and as safetensors and loads both back.
macro_rules! round_trips {
    ($net:ident, $x:expr) => {{
        let model = $net::new_boxed(Init::HeNormal, 1);
        let mut back = $net::new_boxed(Init::HeNormal, 2);
        back.from_safetensors(&model.to_safetensors().unwrap())
            .unwrap();
        assert_eq!(*back, *model);
        let mut bytes = vec![0u8; $net::WEIGHTS_BYTES];
        model.save_to(&mut bytes).unwrap();
        let mut again = $net::new_boxed(Init::HeNormal, 3);
        again.load_from(&bytes).unwrap();
        assert_eq!(again.forward($x), model.forward($x));
    }};
}

#[test]
fn weights_round_trip() {
    // Single-sample inference runs in planned activation memory (two
    // 48×48×16 slots for MobileNetV1): a spawned thread's 2 MiB stack holds it
    // even unoptimized.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            round_trips!(DsCnn, &random_batch::<[[[f32; 10]; 49]; 1], 1>(4)[0]);
            round_trips!(MobileNetV1, &random_batch::<[[[f32; 96]; 96]; 3], 1>(5)[0]);
            round_trips!(AnomalyAutoencoder, &random_batch::<[f32; 640], 1>(6)[0]);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn inference_memory_fits_the_reference_boards() {
    // f32 activations; int8 needs a quarter.
    assert_eq!(DsCnn::INFER_RAM_BYTES, 4 * 2 * 64 * 25 * 5);
    assert_eq!(MobileNetV1::INFER_RAM_BYTES, 4 * 2 * 16 * 48 * 48);
    // The 640-value reconstruction and one 128-value slot for the rest.
    assert_eq!(AnomalyAutoencoder::INFER_RAM_BYTES, 4 * (640 + 128));
}

#[test]
fn each_model_fits_a_batch() {
    let x = random_batch::<[[[f32; 10]; 49]; 1], 8>(7);
    let x = batch::<_, 8>(&x);
    let labels: [usize; 8] = std::array::from_fn(|i| i % 12);
    let mut t = DsCnnTrainer::<Adam, 8>::new_boxed(Init::HeNormal, Adam::new(3e-3), 1);
    let first = t.eval_loss(x, &labels, &CrossEntropy);
    for _ in 0..30 {
        t.train_step(x, &labels, &CrossEntropy);
    }
    let last = t.eval_loss(x, &labels, &CrossEntropy);
    assert!(last < first / 2.0, "DS-CNN: {first} -> {last}");

    let x = random_batch::<[[[f32; 96]; 96]; 3], 4>(8);
    let x = batch::<_, 4>(&x);
    let labels = [0usize, 1, 1, 0];
    let mut t = MobileNetV1Trainer::<Adam, 4>::new_boxed(Init::HeNormal, Adam::new(3e-3), 2);
    let first = t.eval_loss(x, &labels, &CrossEntropy);
    for _ in 0..60 {
        t.train_step(x, &labels, &CrossEntropy);
    }
    let last = t.eval_loss(x, &labels, &CrossEntropy);
    assert!(last < first / 2.0, "MobileNetV1: {first} -> {last}");

    // The autoencoder learns to reconstruct its inputs.
    let x = random_batch::<[f32; 640], 16>(9);
    let x = batch::<_, 16>(&x);
    let mut t =
        AnomalyAutoencoderTrainer::<Adam, 16>::new_boxed(Init::HeNormal, Adam::new(1e-3), 3);
    let first = t.eval_loss(x, x, &Mse);
    for _ in 0..40 {
        t.train_step(x, x, &Mse);
    }
    let last = t.eval_loss(x, x, &Mse);
    assert!(last < first / 2.0, "autoencoder: {first} -> {last}");
}

/// Quantizes a float network with trained-looking batch norms (running
/// statistics and affine parameters away from their defaults, so folding
/// matters) on `calibration`, and returns the largest int8 − float output
/// difference relative to the float outputs' range over `xs`.
macro_rules! int8_error {
    ($net:ident, $calibration:expr, $xs:expr) => {{
        let mut model = $net::new_boxed(Init::HeNormal, 10);
        let rng = &mut TrainRng::seed_from_u64(11);
        for v in model.state_mut().into_iter().flatten() {
            *v += rng.random_range(-0.3..0.3) * *v + rng.random_range(-0.2..0.2);
        }
        let q = model.quantize(&model.calibrate($calibration));
        let (mut worst, mut lo, mut hi) = (0.0f32, f32::MAX, f32::MIN);
        for x in $xs {
            for (a, b) in model.forward(x).iter().zip(&q.forward(x)) {
                worst = worst.max((a - b).abs());
                (lo, hi) = (lo.min(*a), hi.max(*a));
            }
        }
        worst / (hi - lo)
    }};
}

#[test]
fn int8_models_follow_the_float_networks() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(|| {
            let x = random_batch::<[[[f32; 10]; 49]; 1], 48>(12);
            let e = int8_error!(DsCnn, &x[..16], &x[16..]);
            assert!(e < 0.1, "DS-CNN: int8 off by {e} of the output range");
            let x = random_batch::<[[[f32; 96]; 96]; 3], 24>(13);
            let e = int8_error!(MobileNetV1, &x[..8], &x[8..]);
            assert!(e < 0.1, "MobileNetV1: int8 off by {e} of the output range");
            let x = random_batch::<[[[f32; 32]; 32]; 3], 48>(14);
            // Random weights spread its logits over ~40, which the softmax
            // sharpens; trained, its int8 accuracy is within 0.3 pp of f32
            // (`cargo run --release --example resnet8`).
            let e = int8_error!(ResNet8, &x[..16], &x[16..]);
            assert!(e < 0.25, "ResNet-8: int8 off by {e} of the output range");
            let x = random_batch::<[f32; 640], 48>(15);
            let e = int8_error!(AnomalyAutoencoder, &x[..16], &x[16..]);
            assert!(e < 0.03, "autoencoder: int8 off by {e} of the output range");
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn int8_models_fit_a_256_kb_ram_1_mb_flash_part() {
    // Flash: the int8 model image; RAM: its planned activation memory.
    for (name, flash, ram) in [
        ("DS-CNN", DsCnnInt8::MODEL_BYTES, DsCnnInt8::INFER_RAM_BYTES),
        (
            "MobileNetV1",
            MobileNetV1Int8::MODEL_BYTES,
            MobileNetV1Int8::INFER_RAM_BYTES,
        ),
        (
            "ResNet-8",
            ResNet8Int8::MODEL_BYTES,
            ResNet8Int8::INFER_RAM_BYTES,
        ),
        (
            "autoencoder",
            AnomalyAutoencoderInt8::MODEL_BYTES,
            AnomalyAutoencoderInt8::INFER_RAM_BYTES,
        ),
    ] {
        println!("{name}: {flash} B of int8 model, {ram} B of activations");
        assert!(
            flash < 1 << 20 && ram < 256 << 10,
            "{name}: {flash} B flash, {ram} B RAM"
        );
    }
    // A quarter of the f32 activation memory.
    assert_eq!(DsCnnInt8::INFER_RAM_BYTES * 4, DsCnn::INFER_RAM_BYTES);
    // Less for MobileNetV1, whose int8 ReLUs run fused, not into a buffer.
    const { assert!(MobileNetV1Int8::INFER_RAM_BYTES * 4 < MobileNetV1::INFER_RAM_BYTES) };
}
