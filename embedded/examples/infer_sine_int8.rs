//! Footprint build: the 1-16-16-1 sine model quantized to int8 (tanh as a
//! 256-entry lookup table), executed in place from flash.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/nets.rs"]
#[allow(dead_code)]
mod nets;

use board::{debug, entry, exit, hprintln};
use nets::{SineInt8, SineInt8Activations};

/// The int8 model, in flash: the image the build script wrote, checked at compile time.
static MODEL: &SineInt8 = nn::include_model!(SineInt8, concat!(env!("OUT_DIR"), "/sine_int8.nni"));
/// All the RAM inference needs besides the input sample.
static mut MEMORY: SineInt8Activations = SineInt8Activations::new();

#[entry]
fn main() -> ! {
    board::stack::paint();
    // SAFETY: the only reference to MEMORY.
    let memory = unsafe { board::slot(&raw mut MEMORY) };
    let x = [MODEL.input.quantize(core::f32::consts::FRAC_PI_2)];
    let y = MODEL.output.dequantize(MODEL.infer(&x, memory)[0]);
    // Integers only: float formatting would add its code to the measurement.
    hprintln!("sin(pi/2) * 1000 = {}", (y * 1000.0) as i32);
    hprintln!(
        "activations: {} B, stack high-water: {} B",
        SineInt8::INFER_RAM_BYTES,
        board::stack::high_water()
    );
    exit(if (y - 1.0).abs() < 0.1 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
