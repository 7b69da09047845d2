//! nn on a microcontroller, without an allocator: inference with weights
//! trained on the host, training on the device, and a CNN using every layer
//! kind, each checked against the host's results (see `build.rs`).
//!
//! `cargo run --release` (in `embedded/`) boots it in QEMU's Cortex-M4F
//! board, `cargo run --release --target riscv32imac-unknown-none-elf` in
//! QEMU's RISC-V `virt` board; it prints `test NAME ... ok|FAILED` per test
//! and a summary, and exits with status 0 only if every test passed.
#![no_std]
#![no_main]

mod board;
mod nets;

use board::{debug, entry, exit, hprintln, slot};
use core::mem::MaybeUninit;
use nets::*;
use nn::io::image::Aligned;
use nn::prelude::*;

macro_rules! embedded {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name))
    };
}

/// `f32`s stored little-endian in an embedded file.
fn f32_at(bytes: &[u8], i: usize) -> f32 {
    f32::from_le_bytes([
        bytes[4 * i],
        bytes[4 * i + 1],
        bytes[4 * i + 2],
        bytes[4 * i + 3],
    ])
}

static mut TRAINER: MaybeUninit<DigitsMlpTrainer<Adam, BATCH>> = MaybeUninit::uninit();
static mut DROPOUT: MaybeUninit<DropoutMlpTrainer<Sgd, BATCH>> = MaybeUninit::uninit();

type Outcome = Result<(), &'static str>;
type Test = (&'static str, fn() -> Outcome);

/// 1. The MNIST MLP, trained on the host and run in place from its flash
///    image, classifies 200 digits and its logits match the host's.
fn mnist_inference() -> Outcome {
    static MODEL: &MnistMlp = nn::include_model!(MnistMlp, concat!(env!("OUT_DIR"), "/mnist.nni"));
    let model = MODEL;
    let mut memory = MnistMlpActivations::new();
    let (pixels, logits, labels) = (
        embedded!("mnist_digits.bin"),
        embedded!("mnist_logits.bin"),
        embedded!("mnist_labels.bin"),
    );
    let (mut correct, mut same, mut worst) = (0, 0, 0.0f32);
    for d in 0..DIGITS {
        let x: [f32; 784] = core::array::from_fn(|p| pixels[d * 784 + p] as f32 / 255.0);
        let y = model.infer(&x, &mut memory);
        let host: [f32; 10] = core::array::from_fn(|k| f32_at(logits, d * 10 + k));
        worst = y
            .iter()
            .zip(&host)
            .fold(worst, |w, (a, b)| w.max((a - b).abs()));
        let guess = nn::metrics::argmax(y);
        correct += (guess == labels[d] as usize) as u32;
        same += (guess == nn::metrics::argmax(&host)) as u32;
    }
    hprintln!(
        "  {} digits: {} correct, {} predictions as the host, max |logit - host| = {:e}",
        DIGITS,
        correct,
        same,
        worst
    );
    if same as usize != DIGITS {
        return Err("a prediction differs from the host's");
    }
    if worst > 1e-5 {
        return Err("logits differ from the host's by more than 1e-5");
    }
    Ok(())
}

/// Runs `step` on the embedded digits batches and compares each loss with
/// the host's (`host`, one f32 per step): returns the first and last loss and
/// the largest relative difference.
fn track_host(
    host: &[u8],
    mut step: impl FnMut(&[[f32; 64]; BATCH], &[usize; BATCH]) -> f32,
) -> (f32, f32, f32) {
    let (rows, labels) = (embedded!("digits_x.bin"), embedded!("digits_y.bin"));
    let (mut first, mut last, mut worst) = (0.0, 0.0, 0.0f32);
    for s in 0..STEPS {
        let start = batch_start(s);
        let x: [[f32; 64]; BATCH] =
            core::array::from_fn(|k| core::array::from_fn(|j| f32_at(rows, (start + k) * 64 + j)));
        let y: [usize; BATCH] = core::array::from_fn(|k| labels[start + k] as usize);
        let loss = step(&x, &y);
        let expected = f32_at(host, s);
        worst = worst.max((loss - expected).abs() / expected.abs().max(1e-3));
        if s == 0 {
            first = loss;
        }
        last = loss;
    }
    (first, last, worst)
}

/// 2. A 64-32-10 network trains on the device (Adam, batch 16) from the
///    host's initial weights; the loss falls and tracks the host's run.
fn on_device_training() -> Outcome {
    // SAFETY: taken once.
    let trainer = DigitsMlpTrainer::init_in_place(
        unsafe { slot(&raw mut TRAINER) },
        Init::HeNormal,
        Adam::new(LEARNING_RATE),
        3,
    );
    trainer
        .model
        .load_from(embedded!("digits_init.nnw"))
        .map_err(|_| "initial weights refused")?;
    let host = embedded!("digits_losses.bin");
    let (first, last, worst) = track_host(host, |x, y| trainer.train_step(x, y, &CrossEntropy));
    hprintln!(
        "  {} Adam steps: loss {:.4} -> {:.4} (host {:.4}), max relative difference from the host {:e}",
        STEPS,
        first,
        last,
        f32_at(host, STEPS - 1),
        worst
    );
    if last >= first * 0.5 {
        return Err("the loss did not fall");
    }
    if worst > 1e-3 {
        return Err("the losses drift from the host's run");
    }
    Ok(())
}

/// 3. The training stream is the host's: the first draws of the seeded
///    generator are bit-identical, and a run with dropout (whose masks come
///    from the trainer's stream) tracks the host's losses.
fn random_stream() -> Outcome {
    let mut stream = nn::rng::TrainRng::seed_from_u64(STREAM_SEED);
    let host_draws = embedded!("stream_draws.bin");
    let same = (0..DRAWS)
        .filter(|&i| {
            let host = u64::from_le_bytes(core::array::from_fn(|b| host_draws[8 * i + b]));
            stream.random::<u64>() == host
        })
        .count();
    // SAFETY: taken once.
    let trainer = DropoutMlpTrainer::init_in_place(
        unsafe { slot(&raw mut DROPOUT) },
        Init::HeNormal,
        Sgd::new(0.1),
        STREAM_SEED,
    );
    trainer
        .model
        .load_from(embedded!("dropout_init.nnw"))
        .map_err(|_| "initial weights refused")?;
    let host = embedded!("dropout_losses.bin");
    let (first, last, worst) = track_host(host, |x, y| trainer.train_step(x, y, &CrossEntropy));
    hprintln!(
        "  {}/{} draws as the host; {} SGD steps with dropout: loss {:.4} -> {:.4}, max relative difference from the host {:e}",
        same,
        DRAWS,
        STEPS,
        first,
        last,
        worst
    );
    if same != DRAWS {
        return Err("the random stream differs from the host's");
    }
    if worst > 1e-3 {
        return Err("the dropout run drifts from the host's");
    }
    Ok(())
}

/// 1b. The same network quantized to int8 on the host, run in place from
///     its flash image in integers only: every int8 output equals the host's.
fn mnist_int8_inference() -> Outcome {
    static MODEL: &MnistMlpInt8 =
        nn::include_model!(MnistMlpInt8, concat!(env!("OUT_DIR"), "/mnist_int8.nni"));
    let mut memory = MnistMlpInt8Activations::new();
    let (pixels, host, labels) = (
        embedded!("mnist_digits.bin"),
        embedded!("mnist_int8_outputs.bin"),
        embedded!("mnist_labels.bin"),
    );
    let (mut correct, mut same) = (0, 0);
    for d in 0..DIGITS {
        let x: [i8; 784] =
            core::array::from_fn(|p| MODEL.input.quantize(pixels[d * 784 + p] as f32 / 255.0));
        let y = MODEL.infer(&x, &mut memory);
        correct += (nn::metrics::argmax(y) == labels[d] as usize) as u32;
        same += y.iter().zip(&host[d * 10..]).all(|(&q, &h)| q as u8 == h) as u32;
    }
    hprintln!(
        "  {} digits: {} correct, {} with every int8 output equal to the host's",
        DIGITS,
        correct,
        same
    );
    if same as usize != DIGITS {
        return Err("an int8 output differs from the host's");
    }
    Ok(())
}

/// 4. A CNN using every layer kind, run in place from its flash image,
///    gives the host's outputs.
fn cnn_inference() -> Outcome {
    static MODEL: &Cnn = nn::include_model!(Cnn, concat!(env!("OUT_DIR"), "/cnn.nni"));
    let (model, mut memory) = (MODEL, CnnActivations::new());
    let (inputs, outputs) = (embedded!("cnn_inputs.bin"), embedded!("cnn_outputs.bin"));
    let mut worst = 0.0f32;
    for i in 0..CNN_INPUTS {
        let x: [[[f32; 12]; 12]; 1] = [core::array::from_fn(|r| {
            core::array::from_fn(|c| f32_at(inputs, i * 144 + r * 12 + c))
        })];
        let y = model.infer(&x, &mut memory);
        worst = y.iter().enumerate().fold(worst, |w, (k, v)| {
            w.max((v - f32_at(outputs, i * 10 + k)).abs())
        });
    }
    hprintln!("  {} inputs: max |output - host| = {:e}", CNN_INPUTS, worst);
    if worst > 1e-5 {
        Err("outputs differ from the host's")
    } else {
        Ok(())
    }
}

/// Whether the int8 model `$model` (run in place from `NAME_int8.nni`)
/// gives the host's int8 output for the host's int8 input, bit for bit.
macro_rules! int8_as_host {
    ($model:ty, $memory:ty, $name:literal) => {{
        static MODEL: &$model =
            nn::include_model!($model, concat!(env!("OUT_DIR"), "/", $name, "_int8.nni"));
        static INPUT: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(
            env!("OUT_DIR"),
            "/",
            $name,
            "_int8_input.bin"
        )));
        let memory = &mut <$memory>::new();
        let y = MODEL.infer(nn::bytemuck::from_bytes(&INPUT.0), memory);
        nn::bytemuck::bytes_of(y)
            == include_bytes!(concat!(env!("OUT_DIR"), "/", $name, "_int8_output.bin"))
    }};
}

/// 5. The MNIST CNN and the four MLPerf Tiny models, quantized on the host,
///    give the host's int8 outputs bit for bit.
fn mlperf_tiny_int8() -> Outcome {
    let results = [
        (
            "MNIST CNN",
            int8_as_host!(MnistCnnInt8, MnistCnnInt8Activations, "mnist_cnn"),
        ),
        (
            "DS-CNN",
            int8_as_host!(DsCnnInt8, DsCnnInt8Activations, "ds_cnn"),
        ),
        (
            "MobileNetV1",
            int8_as_host!(MobileNetV1Int8, MobileNetV1Int8Activations, "mobilenet_v1"),
        ),
        (
            "ResNet-8",
            int8_as_host!(ResNet8Int8, ResNet8Int8Activations, "resnet8"),
        ),
        (
            "anomaly autoencoder",
            int8_as_host!(
                AnomalyAutoencoderInt8,
                AnomalyAutoencoderInt8Activations,
                "anomaly_autoencoder"
            ),
        ),
    ];
    for (name, same) in results {
        hprintln!(
            "  {}: int8 output {} the host's",
            name,
            if same { "equals" } else { "differs from" }
        );
    }
    if results.iter().all(|&(_, same)| same) {
        Ok(())
    } else {
        Err("an int8 output differs from the host's")
    }
}

#[entry]
fn main() -> ! {
    board::stack::paint();
    let tests: [Test; 6] = [
        ("mnist_inference", mnist_inference),
        ("mnist_int8_inference", mnist_int8_inference),
        ("on_device_training", on_device_training),
        ("random_stream", random_stream),
        ("cnn_inference", cnn_inference),
        ("mlperf_tiny_int8", mlperf_tiny_int8),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        match test() {
            Ok(()) => {
                hprintln!("test {} ... ok", name);
                passed += 1;
            }
            Err(why) => {
                hprintln!("test {} ... FAILED: {}", name, why);
                failed += 1;
            }
        }
    }
    hprintln!(
        "{} passed, {} failed (stack high-water {} B)",
        passed,
        failed,
        board::stack::high_water()
    );
    exit(if failed == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
