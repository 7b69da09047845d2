//! The flash-image reader must refuse every malformed input with a typed
//! error, and whatever it accepts must be the image's own bytes: no panic,
//! no out-of-bounds read.
//!
//! Each input is tried as it is and as the payload of a well-formed image
//! (written by `image::write` from the input's values), which must be
//! accepted, in place and value for value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_core::io::image::{self, Aligned, HEADER_LEN};
use nn_core::io::weights::signature_hash;

/// Nine values: a `Linear<2, 3>` as the image reader sees it.
type Net = [f32; 9];
const NET: u64 = signature_hash("fuzz");
const LEN: usize = image::encoded_len::<Net>();

/// Views `data` from an aligned copy; returns the model's bits if accepted.
fn view(data: &[u8]) -> Option<[u32; 9]> {
    let mut aligned = Aligned([0u8; 256]);
    let n = data.len().min(aligned.0.len());
    aligned.0[..n].copy_from_slice(&data[..n]);
    let bytes = &aligned.0[..n];
    let model = image::view::<Net>(bytes, NET).ok()?;
    assert_eq!(n, LEN, "accepted an image of the wrong length");
    assert!(core::ptr::eq(
        model.as_ptr().cast::<u8>(),
        bytes[HEADER_LEN..].as_ptr()
    ));
    Some(model.map(f32::to_bits))
}

fuzz_target!(|data: &[u8]| {
    view(data);
    let values: Net = core::array::from_fn(|i| {
        let word = core::array::from_fn(|b| data.get(4 * i + b).copied().unwrap_or(0));
        f32::from_le_bytes(word)
    });
    let mut sealed = [0u8; LEN];
    image::write(&values, NET, &mut sealed).unwrap();
    assert_eq!(view(&sealed), Some(values.map(f32::to_bits)));
});
