//! The CSV parser must refuse malformed input with a typed error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_core::data::csv::{Header, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for header in [Header::Counts, Header::None] {
            if let Ok(table) = parse(text, header) {
                let _ = table.rows_as::<3>();
            }
        }
    }
});
