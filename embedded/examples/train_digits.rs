//! Footprint build: on-device training (64-32-10, Adam, batch 16) with the
//! trainer in a static; prints the loss and the stack's high-water mark.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/nets.rs"]
#[allow(dead_code, unused_imports)] // the digits network only
mod nets;

use board::{debug, entry, exit, hprintln};
use core::mem::MaybeUninit;
use nets::{BATCH, DigitsMlpTrainer, LEARNING_RATE};
use nn::prelude::*;

static mut TRAINER: MaybeUninit<DigitsMlpTrainer<Adam, BATCH>> = MaybeUninit::uninit();

#[entry]
fn main() -> ! {
    board::stack::paint();
    // SAFETY: the only reference to TRAINER.
    let slot = unsafe { board::slot(&raw mut TRAINER) };
    let trainer =
        DigitsMlpTrainer::init_in_place(slot, Init::XavierUniform, Adam::new(LEARNING_RATE), 3);
    let rows = include_bytes!(concat!(env!("OUT_DIR"), "/digits_x.bin"));
    let labels = include_bytes!(concat!(env!("OUT_DIR"), "/digits_y.bin"));
    let at = |i: usize| {
        f32::from_le_bytes([
            rows[4 * i],
            rows[4 * i + 1],
            rows[4 * i + 2],
            rows[4 * i + 3],
        ])
    };
    let x: [[f32; 64]; BATCH] = core::array::from_fn(|k| core::array::from_fn(|j| at(k * 64 + j)));
    let y: [usize; BATCH] = core::array::from_fn(|k| labels[k] as usize);
    let (first, mut last) = (trainer.train_step(&x, &y, &CrossEntropy), 0.0);
    for _ in 0..20 {
        last = trainer.train_step(&x, &y, &CrossEntropy);
    }
    // Integers only: float formatting would add its code to the measurement.
    hprintln!(
        "loss * 1000: {} -> {}, stack high-water: {} B",
        (first * 1000.0) as i32,
        (last * 1000.0) as i32,
        board::stack::high_water()
    );
    exit(if last < first {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
