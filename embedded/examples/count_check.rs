//! Checks the instruction counter the footprint builds use
//! (`src/measure.rs`): loops of a known number of instructions must count
//! as that many, to the counter's resolution (40 instructions on the
//! Cortex-M4F). `./footprint` runs it first, under `-icount shift=0`.
#![no_std]
#![no_main]

#[path = "../src/board.rs"]
#[allow(dead_code)] // no stack measurement here
mod board;
#[path = "../src/measure.rs"]
#[allow(dead_code, unused_macros)] // the counter only
mod measure;

use board::{debug, entry, exit, hprintln};

/// Runs `n` iterations of a two-instruction loop (decrement, branch).
fn spin(n: u32) {
    // SAFETY: register arithmetic and a local branch only.
    unsafe {
        #[cfg(target_arch = "arm")]
        core::arch::asm!("1:", "subs {0}, #1", "bne 1b", inout(reg) n => _);
        #[cfg(target_arch = "riscv32")]
        core::arch::asm!("1:", "addi {0}, {0}, -1", "bnez {0}, 1b", inout(reg) n => _);
    }
}

#[entry]
fn main() -> ! {
    let mut ok = true;
    for n in [1_000u32, 100_000, 1_000_000] {
        let ((), counted) = measure::instructions(|| spin(n));
        let expected = 2 * n as u64;
        hprintln!("{} instructions: {} counted", expected, counted);
        // The calls around the loop and the counter's resolution.
        ok &= counted.abs_diff(expected) <= 100;
    }
    exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    })
}
