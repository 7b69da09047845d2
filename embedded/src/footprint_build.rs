// The modules every footprint build (`examples/infer_*.rs`) includes, with
// `include!("../src/footprint_build.rs")` after its `#![no_std]`/`#![no_main]`
// (paths here are relative to this file), and `footprint!` with them.
#[path = "board.rs"]
mod board;
#[path = "measure.rs"]
#[macro_use]
// f32 builds compare with a tolerance, int8 builds exactly; only the
// reference builds read their input from flash.
#[allow(dead_code, unused_macros)]
mod measure;
#[path = "nets.rs"]
#[allow(dead_code, unused_imports)] // each build uses one network
mod nets;
