//! The IDX parser must refuse malformed input with a typed error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for ndims in [1, 3] {
        if let Ok(array) = nn_core::data::idx::parse(data, ndims) {
            let mut out = [[0.0f32; 4]; 8];
            let _ = nn_core::data::idx::images_into::<4>(&array, &mut out);
        }
    }
});
