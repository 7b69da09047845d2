//! Trains the firmware's networks on the host with the same nn code and
//! writes what the firmware embeds: weights files and flash images, data,
//! and the host's results that the device must reproduce.
#[path = "src/nets.rs"]
#[allow(dead_code)]
mod nets;

use nets::*;
use nn::prelude::*;
use nn::rand::rngs::SmallRng as StdRng;
use std::path::{Path, PathBuf};

/// One training step on a batch of digits, returning its loss.
type TrainStep<'a> = dyn FnMut(&[[f32; 64]; BATCH], &[usize; BATCH]) -> f32 + 'a;

/// Training digits the int8 MNIST network is calibrated on.
const CALIBRATION: usize = 1000;

/// `n` seeded samples of `T` with values uniform in ±1.
fn random_samples<T: nn::bytemuck::Pod>(n: usize, seed: u64) -> Vec<T> {
    let mut rng = StdRng::seed_from_u64(seed);
    let values: Vec<f32> = (0..n * size_of::<T>() / 4)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    nn::bytemuck::cast_slice(&values).to_vec()
}

/// A reference model for the footprint builds and the int8 test: seeded
/// weights with batch norms moved off their defaults (so folding matters),
/// quantized on 8 random samples; writes `NAME.nni` and `NAME_int8.nni`,
/// one more random sample (`NAME_input.bin`, `NAME_int8_input.bin`) and the
/// host's outputs for it (`NAME_output.bin`, `NAME_int8_output.bin`).
macro_rules! reference_model {
    ($write:ident, $out:ident, $net:ident, $memory:ident, $name:literal, $seed:expr) => {{
        let mut model = $net::new_boxed(Init::HeNormal, $seed);
        let mut rng = StdRng::seed_from_u64($seed + 1);
        for v in model.state_mut().into_iter().flatten() {
            *v += rng.random_range(-0.3..0.3) * *v + rng.random_range(-0.2..0.2);
        }
        let samples = random_samples(9, $seed + 2);
        let int8 = model.quantize(&model.calibrate(&samples[1..]));
        model.save_image($out.join(concat!($name, ".nni"))).unwrap();
        int8.save_image($out.join(concat!($name, "_int8.nni")))
            .unwrap();
        let x = &samples[0];
        $write(concat!($name, "_input.bin"), nn::bytemuck::bytes_of(x));
        $write(
            concat!($name, "_output.bin"),
            nn::bytemuck::bytes_of(&model.forward(x)),
        );
        let q = int8.quantize_input(x);
        $write(
            concat!($name, "_int8_input.bin"),
            nn::bytemuck::bytes_of(&q),
        );
        let memory = &mut $memory::new();
        let y = int8.infer(&q, memory);
        $write(
            concat!($name, "_int8_output.bin"),
            nn::bytemuck::bytes_of(y),
        );
    }};
}

fn f32_bytes(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
    values.into_iter().flat_map(f32::to_le_bytes).collect()
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    let write = |name: &str, bytes: &[u8]| std::fs::write(out.join(name), bytes).unwrap();
    println!("cargo:rerun-if-changed=src/nets.rs");
    // The board's memory map, as the runtime crates' linker scripts expect it.
    println!("cargo:rerun-if-changed=memory-arm.x");
    println!("cargo:rerun-if-changed=memory-riscv.x");
    let layout = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("riscv32") => "memory-riscv.x",
        _ => "memory-arm.x",
    };
    std::fs::copy(layout, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());

    // 1. MNIST: train 3 epochs on 8,000 digits, then the device classifies the next 200.
    let mnist = nn::data::idx::load_labeled::<784>(
        data.join("mnist10k-images-idx3-ubyte.gz"),
        data.join("mnist10k-labels-idx1-ubyte.gz"),
    )
    .unwrap();
    let classes: Vec<usize> = mnist.labels.iter().map(|&l| l as usize).collect();
    let mut trainer = MnistMlpTrainer::<Sgd, 32>::new_boxed(Init::HeNormal, Sgd::new(0.2), 1);
    let mut order: Vec<usize> = (0..8000).collect();
    let mut epochs = nn::data::batch::Epochs::over(&mut order).drop_last();
    let (mut x, mut y) = (Box::new([[0.0f32; 784]; 32]), [0usize; 32]);
    let mut rng = StdRng::seed_from_u64(2);
    for _ in 0..3 {
        epochs.shuffle(&mut rng);
        for b in 0..epochs.batches(32) {
            epochs.gather(b, &mnist.images, &classes, &mut x, &mut y);
            trainer.train_step(&x, &y, &CrossEntropy);
        }
    }
    trainer.model.save_image(out.join("mnist.nni")).unwrap();
    let digits = 8000..8000 + DIGITS;
    let pixels: Vec<u8> = digits
        .clone()
        .flat_map(|i| mnist.images[i].map(|v| (v * 255.0).round() as u8))
        .collect();
    // The host's logits for exactly the inputs the device sees (u8 / 255).
    let logits = digits.clone().flat_map(|i| {
        let x: [f32; 784] = core::array::from_fn(|p| pixels[(i - 8000) * 784 + p] as f32 / 255.0);
        trainer.model.forward(&x)
    });
    write("mnist_digits.bin", &pixels);
    let logits = f32_bytes(logits);
    write("mnist_digit_logits.bin", &logits[..40]);
    write("mnist_logits.bin", &logits);
    write("mnist_labels.bin", &mnist.labels[digits.clone()]);
    write("mnist_digit.bin", &pixels[..784]);
    // 1b. The same network quantized to int8, and its int8 outputs for the
    // device's inputs, which the device must reproduce bit for bit.
    let model = &trainer.model;
    let int8 = model.quantize(&model.calibrate(&mnist.images[..CALIBRATION]));
    int8.save_image(out.join("mnist_int8.nni")).unwrap();
    let mut memory = MnistMlpInt8Activations::new();
    let int8_outputs: Vec<u8> = digits
        .clone()
        .flat_map(|i| {
            let x: [i8; 784] = core::array::from_fn(|p| {
                int8.input
                    .quantize(pixels[(i - 8000) * 784 + p] as f32 / 255.0)
            });
            int8.infer(&x, &mut memory).map(|q| q as u8)
        })
        .collect();
    write("mnist_int8_outputs.bin", &int8_outputs);
    write("mnist_digit_int8_outputs.bin", &int8_outputs[..10]);

    // 2. UCI digits: the device trains from these initial weights on these rows.
    let table =
        nn::data::csv::load(data.join("digits.csv.gz"), nn::data::csv::Header::None).unwrap();
    let rows: Vec<[f32; 64]> = table.rows_as::<64>().unwrap()[..TRAIN_ROWS]
        .iter()
        .map(|r| r.map(|v| v / 16.0))
        .collect();
    let labels: Vec<usize> = table.targets[..TRAIN_ROWS]
        .iter()
        .map(|&t| t as usize)
        .collect();
    let mut digits_trainer = DigitsMlpTrainer::<Adam, BATCH>::new_boxed(
        Init::XavierUniform,
        Adam::new(LEARNING_RATE),
        3,
    );
    let mut init = vec![0u8; DigitsMlp::WEIGHTS_BYTES];
    digits_trainer.model.save_to(&mut init).unwrap();
    write("digits_init.nnw", &init);
    write("digits_x.bin", &f32_bytes(rows.iter().flatten().copied()));
    write(
        "digits_y.bin",
        &labels.iter().map(|&l| l as u8).collect::<Vec<_>>(),
    );
    // The losses of STEPS training steps over the rows, as the device runs them.
    let host_losses = |step: &mut TrainStep| {
        let batches = (0..STEPS).map(|s| {
            let start = batch_start(s);
            let xb: [[f32; 64]; BATCH] = core::array::from_fn(|k| rows[start + k]);
            let yb: [usize; BATCH] = core::array::from_fn(|k| labels[start + k]);
            (xb, yb)
        });
        f32_bytes(batches.map(|(xb, yb)| step(&xb, &yb)).collect::<Vec<_>>())
    };
    write(
        "digits_losses.bin",
        &host_losses(&mut |x, y| digits_trainer.train_step(x, y, &CrossEntropy)),
    );

    // 2b. The training stream: the first draws, and a dropout run from
    // these weights with the trainer seeded alike.
    let mut stream = nn::rng::TrainRng::seed_from_u64(STREAM_SEED);
    let draws: Vec<u8> = (0..DRAWS)
        .flat_map(|_| stream.random::<u64>().to_le_bytes())
        .collect();
    write("stream_draws.bin", &draws);
    let mut dropout =
        DropoutMlpTrainer::<Sgd, BATCH>::new_boxed(Init::XavierUniform, Sgd::new(0.1), STREAM_SEED);
    let mut dropout_init = vec![0u8; DropoutMlp::WEIGHTS_BYTES];
    dropout.model.save_to(&mut dropout_init).unwrap();
    write("dropout_init.nnw", &dropout_init);
    write(
        "dropout_losses.bin",
        &host_losses(&mut |x, y| dropout.train_step(x, y, &CrossEntropy)),
    );

    // 3. The CNN with every layer kind: host weights and outputs.
    let cnn = Cnn::new_boxed(Init::HeNormal, 4);
    cnn.save_image(out.join("cnn.nni")).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let inputs: Vec<f32> = (0..CNN_INPUTS * 144)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let outputs = inputs.chunks_exact(144).flat_map(|x| {
        let x: [[[f32; 12]; 12]; 1] = nn::bytemuck::cast(<[f32; 144]>::try_from(x).unwrap());
        cnn.forward(&x)
    });
    write("cnn_inputs.bin", &f32_bytes(inputs.iter().copied()));
    write("cnn_outputs.bin", &f32_bytes(outputs));

    // 4. The sine model: fit y = sin(x) on [0, 2π] (for the footprint builds).
    let mut sine = SineTrainer::<Adam, 64>::new_boxed(Init::HeNormal, Adam::new(1e-2), 6);
    let x: [[f32; 1]; 64] = core::array::from_fn(|i| [i as f32 * std::f32::consts::TAU / 63.0]);
    let y: [[f32; 1]; 64] = x.map(|[v]| [v.sin()]);
    for _ in 0..5_000 {
        sine.train_step(&x, &y, &Mse);
    }
    sine.model.save_image(out.join("sine.nni")).unwrap();
    let grid: Vec<[f32; 1]> = (0..256)
        .map(|i| [i as f32 * std::f32::consts::TAU / 255.0])
        .collect();
    let sine_int8 = sine.model.quantize(&sine.model.calibrate(&grid));
    sine_int8.save_image(out.join("sine_int8.nni")).unwrap();

    // 5. The MNIST CNN and the MLPerf Tiny models, f32 and int8.
    reference_model!(
        write,
        out,
        MnistCnn,
        MnistCnnInt8Activations,
        "mnist_cnn",
        10
    );
    reference_model!(write, out, DsCnn, DsCnnInt8Activations, "ds_cnn", 20);
    reference_model!(
        write,
        out,
        MobileNetV1,
        MobileNetV1Int8Activations,
        "mobilenet_v1",
        30
    );
    reference_model!(write, out, ResNet8, ResNet8Int8Activations, "resnet8", 40);
    reference_model!(
        write,
        out,
        AnomalyAutoencoder,
        AnomalyAutoencoderInt8Activations,
        "anomaly_autoencoder",
        50
    );
}
