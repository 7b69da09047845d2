//! The weights and checkpoint loaders must refuse every malformed input with
//! a typed error: no panic, no out-of-bounds read, and a model left untouched.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_core::weights::{NonFinite, read_into, signature_hash};

const NET: u64 = signature_hash("fuzz");

fuzz_target!(|data: &[u8]| {
    let (mut a, mut b) = ([1.0f32; 3], [2.0f32; 5]);
    for policy in [NonFinite::Refuse, NonFinite::Allow] {
        if read_into(data, NET, &mut [&mut a, &mut b], policy).is_err() {
            assert_eq!((a, b), ([1.0; 3], [2.0; 5]), "a refused file changed the model");
        }
        (a, b) = ([1.0; 3], [2.0; 5]);
    }
    let mut state = [0u8; 7];
    let _ = nn_core::checkpoint::decode(data, NET, &mut [&mut a], &mut [&mut state]);
});
