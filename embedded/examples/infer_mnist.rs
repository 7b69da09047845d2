//! Footprint build: MNIST MLP inference with the model executed in place
//! from flash (`include_model!`: nothing copied, no initializer or RNG
//! linked) and its activations in a static; prints the digit, the
//! activation memory and the stack's high-water mark.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/nets.rs"]
#[allow(dead_code)]
mod nets;

use board::{debug, entry, exit, hprintln};
use nets::{MnistMlp, MnistMlpActivations};

/// The model, in flash: the image the build script wrote, checked at compile time.
static MODEL: &MnistMlp = nn::include_model!(MnistMlp, concat!(env!("OUT_DIR"), "/mnist.nni"));
/// All the RAM inference needs besides the input sample.
static mut MEMORY: MnistMlpActivations = MnistMlpActivations::new();

#[entry]
fn main() -> ! {
    board::stack::paint();
    // SAFETY: the only reference to MEMORY.
    let memory = unsafe { board::slot(&raw mut MEMORY) };
    let pixels = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit.bin"));
    let mut x = [0.0f32; 784];
    for (x, &p) in x.iter_mut().zip(pixels) {
        *x = p as f32 / 255.0;
    }
    let digit = nn::metrics::argmax(MODEL.infer(&x, memory));
    // The host's logits for this digit: the device must predict as the host.
    let logits = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit_logits.bin"));
    let host: [f32; 10] =
        core::array::from_fn(|k| f32::from_le_bytes(core::array::from_fn(|b| logits[4 * k + b])));
    let expected = nn::metrics::argmax(&host);
    hprintln!("digit: {} (host: {})", digit, expected);
    hprintln!(
        "activations: {} B, stack high-water: {} B",
        MnistMlp::INFER_RAM_BYTES,
        board::stack::high_water()
    );
    exit(if digit == expected {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
