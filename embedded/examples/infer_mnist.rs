//! Footprint build: MNIST MLP inference only (weights in flash, model in a
//! static), classifying one digit.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/nets.rs"]
#[allow(dead_code)]
mod nets;

use board::{debug, entry, exit, hprintln};
use core::mem::MaybeUninit;
use nets::MnistMlp;
use nn::prelude::*;

static mut MODEL: MaybeUninit<MnistMlp> = MaybeUninit::uninit();

#[entry]
fn main() -> ! {
    // SAFETY: the only reference to MODEL.
    let slot = unsafe { board::slot(&raw mut MODEL) };
    let model = MnistMlp::init_in_place(
        slot,
        Init::HeNormal,
        &mut nn::rand::rngs::SmallRng::seed_from_u64(0),
    );
    let ok = model
        .load_from(include_bytes!(concat!(env!("OUT_DIR"), "/mnist.nnw")))
        .is_ok();
    let pixels = include_bytes!(concat!(env!("OUT_DIR"), "/mnist_digit.bin"));
    let x: [f32; 784] = core::array::from_fn(|p| pixels[p] as f32 / 255.0);
    hprintln!("digit: {}", model.predict(&x));
    exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
