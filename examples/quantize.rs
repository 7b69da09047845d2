//! Post-training int8 quantization of the trained MNIST MLP and CNN, and
//! their accuracy against the f32 networks on the held-out digits.
//!
//! `cargo run --release --example quantize` (after `--example mnist` and
//! `--example cnn_mnist`, which save the weights it reads)
//!
//! Each network is calibrated on 1,000 training digits (the range of every
//! activation), quantized TFLite's way (per-channel symmetric int8 weights,
//! per-tensor asymmetric int8 activations, int32 biases, fixed-point
//! requantization), and both forms classify the 2,000 test digits of the
//! training runs' seeded split. The int8 models are saved as flash images
//! (`target/mnist-mlp-int8.nni`, `target/mnist-cnn-int8.nni`) that
//! `nn::include_model!` runs in place.
mod common;

use common::{
    MNIST_CNN_WEIGHTS, MNIST_WEIGHTS, Mnist, MnistCnn, MnistCnnInt8, MnistMlp, MnistMlpInt8, Result,
};
use nn::prelude::*;

/// Training digits the activation ranges are observed on.
const CALIBRATION: usize = 1000;

/// One network's accuracies and sizes, as printed.
struct Report {
    name: &'static str,
    f32_accuracy: f64,
    int8_accuracy: f64,
    f32_bytes: usize,
    int8_bytes: usize,
}

impl Report {
    fn print(&self) {
        println!(
            "{}: f32 {:.2}%, int8 {:.2}% (int8 - f32 = {:+.2} pp); weights {} B f32, {} B int8 ({:.1}x smaller)",
            self.name,
            self.f32_accuracy,
            self.int8_accuracy,
            self.int8_accuracy - self.f32_accuracy,
            self.f32_bytes,
            self.int8_bytes,
            self.f32_bytes as f64 / self.int8_bytes as f64
        );
    }
}

fn main() -> Result<()> {
    let mnist = Mnist::load(&mut rand::rngs::StdRng::seed_from_u64(42))?;
    let calibration = &mnist.train[..CALIBRATION];

    let mlp = MnistMlp::load_boxed(MNIST_WEIGHTS).map_err(|e| {
        format!("{MNIST_WEIGHTS}: {e} (train first: cargo run --release --example mnist)")
    })?;
    let images = &mnist.data.images;
    let mlp_int8 = mlp.quantize(&mlp.calibrate(calibration.iter().map(|&i| &images[i])));
    mlp_int8.save_image("target/mnist-mlp-int8.nni")?;
    Report {
        name: "MLP",
        f32_accuracy: mnist.accuracy(&mnist.test, |i| mlp.predict(&images[i])),
        int8_accuracy: mnist.accuracy(&mnist.test, |i| mlp_int8.predict(&images[i])),
        f32_bytes: MnistMlp::WEIGHTS_BYTES,
        int8_bytes: MnistMlpInt8::MODEL_BYTES,
    }
    .print();

    let cnn = MnistCnn::load_boxed(MNIST_CNN_WEIGHTS).map_err(|e| {
        format!("{MNIST_CNN_WEIGHTS}: {e} (train first: cargo run --release --example cnn_mnist)")
    })?;
    let digits = mnist.images();
    let cnn_int8 = cnn.quantize(&cnn.calibrate(calibration.iter().map(|&i| &digits[i])));
    cnn_int8.save_image("target/mnist-cnn-int8.nni")?;
    Report {
        name: "CNN",
        f32_accuracy: mnist.accuracy(&mnist.test, |i| cnn.predict(&digits[i])),
        int8_accuracy: mnist.accuracy(&mnist.test, |i| cnn_int8.predict(&digits[i])),
        f32_bytes: MnistCnn::WEIGHTS_BYTES,
        int8_bytes: MnistCnnInt8::MODEL_BYTES,
    }
    .print();
    println!(
        "int8 flash images written to target/mnist-mlp-int8.nni and target/mnist-cnn-int8.nni"
    );
    Ok(())
}
