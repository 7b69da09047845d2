//! Footprint build: the MNIST MLP quantized to int8 on the host, executed in
//! place from flash in integers only; the input is quantized pixel by pixel,
//! so the sample takes 784 B of stack, not 3,136.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/nets.rs"]
#[allow(dead_code)]
mod nets;

use board::{debug, entry, exit, hprintln};
use nets::{MnistMlpInt8, MnistMlpInt8Activations};

/// The int8 model, in flash: the image the build script wrote, checked at compile time.
static MODEL: &MnistMlpInt8 =
    nn::include_model!(MnistMlpInt8, concat!(env!("OUT_DIR"), "/mnist_int8.nni"));
/// All the RAM inference needs besides the input sample.
static mut MEMORY: MnistMlpInt8Activations = MnistMlpInt8Activations::new();

#[entry]
fn main() -> ! {
    board::stack::paint();
    // SAFETY: the only reference to MEMORY.
    let memory = unsafe { board::slot(&raw mut MEMORY) };
    let pixels = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit.bin"));
    let mut x = [0i8; 784];
    for (x, &p) in x.iter_mut().zip(pixels) {
        *x = MODEL.input.quantize(p as f32 / 255.0);
    }
    let y = MODEL.infer(&x, memory);
    // The host's int8 outputs for this digit: the device must match them.
    let host = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit_int8_outputs.bin"));
    let same = y.iter().zip(host).all(|(&q, &h)| q as u8 == h);
    hprintln!(
        "digit: {} (int8 outputs as the host's: {})",
        nn::metrics::argmax(y),
        if same { "yes" } else { "no" }
    );
    hprintln!("model: {} B", MnistMlpInt8::MODEL_BYTES);
    hprintln!(
        "activations: {} B, stack high-water: {} B",
        MnistMlpInt8::INFER_RAM_BYTES,
        board::stack::high_water()
    );
    exit(if same {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
