//! Footprint build: the 1-16-16-1 sine model (as in the TFLite-Micro and
//! microflow comparisons), inference only.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
mod board;
#[path = "../src/nets.rs"]
#[allow(dead_code)]
mod nets;

use board::{debug, entry, exit, hprintln};
use core::mem::MaybeUninit;
use nets::Sine;
use nn::prelude::*;

static mut MODEL: MaybeUninit<Sine> = MaybeUninit::uninit();

#[entry]
fn main() -> ! {
    // SAFETY: the only reference to MODEL.
    let slot = unsafe { board::slot(&raw mut MODEL) };
    let model = Sine::init_in_place(
        slot,
        Init::HeNormal,
        &mut nn::rand::rngs::SmallRng::seed_from_u64(0),
    );
    let ok = model
        .load_from(include_bytes!(concat!(env!("OUT_DIR"), "/sine.nnw")))
        .is_ok();
    let y = model.forward(&[core::f32::consts::FRAC_PI_2])[0];
    // Integers only: float formatting would add its code to the measurement.
    hprintln!("sin(pi/2) * 1000 = {}", (y * 1000.0) as i32);
    exit(if ok && (y - 1.0).abs() < 0.1 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
