//! The weights and checkpoint loaders must refuse every malformed input with
//! a typed error: no panic, no out-of-bounds read, and a model left untouched.
//!
//! Each input is tried as it is and "sealed": with its last four bytes
//! replaced by the CRC-32 of the rest, as a well-formed file ends. Random
//! bytes almost never carry a matching checksum, so without the sealed pass
//! the fuzzer would never get past the CRC to the header and value checks.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_core::io::weights::{NonFinite, read_into, saved_signature, signature_hash};

const NET: &str = "fuzz";
const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

fn load(data: &[u8]) {
    let (mut a, mut b) = ([1.0f32; 3], [2.0f32; 5]);
    for policy in [NonFinite::Refuse, NonFinite::Allow] {
        if read_into(data, NET, &mut [&mut a, &mut b], policy).is_err() {
            let _ = saved_signature(data);
            assert_eq!((a, b), ([1.0; 3], [2.0; 5]), "a refused file changed the model");
        }
        (a, b) = ([1.0; 3], [2.0; 5]);
    }
    let mut state = [0u8; 7];
    let _ = nn_core::io::checkpoint::decode(data, signature_hash(NET), &mut [&mut a], &mut [&mut state]);
}

fuzz_target!(|data: &[u8]| {
    load(data);
    if let Some(body) = data.len().checked_sub(4) {
        let mut sealed = data.to_vec();
        sealed[body..].copy_from_slice(&CRC32.checksum(&data[..body]).to_le_bytes());
        load(&sealed);
    }
});
