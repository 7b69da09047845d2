//! The MLPerf Tiny reference architectures (`examples/common/mlperf_tiny.rs`
//! and `resnet8.rs`): the reference's parameter counts, weights and
//! safetensors round trips, and training that lowers the loss on a batch.
use nn::prelude::*;
use nn::rng::TrainRng;
use rand::{Rng, SeedableRng};

#[path = "../examples/common/mlperf_tiny.rs"]
mod mlperf_tiny;
use mlperf_tiny::{
    AnomalyAutoencoder, AnomalyAutoencoderTrainer, DsCnn, DsCnnTrainer, MobileNetV1,
    MobileNetV1Trainer,
};

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
        let model = $net::new_boxed(Init::HeNormal, &mut TrainRng::seed_from_u64(1));
        let mut back = $net::new_boxed(Init::HeNormal, &mut TrainRng::seed_from_u64(2));
        back.from_safetensors(&model.to_safetensors().unwrap())
            .unwrap();
        assert_eq!(*back, *model);
        let mut bytes = vec![0u8; $net::WEIGHTS_BYTES];
        model.save_to(&mut bytes).unwrap();
        let mut again = $net::new_boxed(Init::HeNormal, &mut TrainRng::seed_from_u64(3));
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
