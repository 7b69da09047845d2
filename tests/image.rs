//! Flash images refused for another network, and the committed image that
//! `include_model!` embeds in its documentation and in `tests/ui/` (a foreign
//! image is a compile error there). `tests/weights.rs` runs every layer kind
//! in place from its image.
use nn::io::image;
use nn::io::weights::FormatError;
use nn::prelude::*;

network! {
    /// The network of the committed image (`tests/fixtures/xor.nni`) and of
    /// `include_model!`'s documentation.
    pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid >
}

/// A buffer of `len` bytes whose start is aligned for any `Plain` model.
fn aligned(len: usize) -> Vec<u32> {
    vec![0u32; len.div_ceil(4)]
}

#[test]
fn an_image_for_another_network_is_refused() {
    let xor = Xor::new_boxed(Init::HeNormal, 3);
    let mut words = aligned(image::encoded_len::<Xor>());
    let bytes: &mut [u8] = nn::bytemuck::cast_slice_mut(&mut words);
    let bytes = &mut bytes[..image::encoded_len::<Xor>()];
    xor.save_image_to(bytes).unwrap();
    network! { Wider = < Linear<2, 16>, Tanh, Linear<16, 1>, Sigmoid > }
    assert!(matches!(
        Wider::from_image(bytes),
        Err(FormatError::WrongNetwork { .. })
    ));
    assert!(matches!(
        Xor::from_image(&bytes[..bytes.len() - 4]),
        Err(FormatError::Truncated { .. })
    ));
    network! { SameSize = < Linear<2, 8>, ReLU, Linear<8, 1>, Sigmoid > }
    assert!(matches!(
        SameSize::from_image(bytes),
        Err(FormatError::WrongNetwork { .. })
    ));
}

/// `tests/fixtures/xor.nni`, a trained XOR network that `include_model!`
/// embeds in its documentation and in `tests/ui/` (regenerate with
/// `NN_BLESS=1 cargo test --test image`).
#[test]
fn the_committed_image_is_a_trained_xor() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xor.nni");
    if std::env::var_os("NN_BLESS").is_some() {
        let mut t = XorTrainer::<Sgd, 4>::new_boxed(Init::XavierNormal, Sgd::new(1.0), 7);
        let x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
        for _ in 0..3000 {
            t.train_step(&x, &[[0.0], [1.0], [1.0], [0.0]], &Bce);
        }
        t.model.save_image(&path).unwrap();
    }
    let file = std::fs::read(&path).unwrap();
    let mut words = aligned(file.len());
    nn::bytemuck::cast_slice_mut::<_, u8>(&mut words)[..file.len()].copy_from_slice(&file);
    let xor = Xor::from_image(&nn::bytemuck::cast_slice(&words)[..file.len()]).unwrap();
    for (x, y) in [
        ([0.0, 0.0], false),
        ([0.0, 1.0], true),
        ([1.0, 0.0], true),
        ([1.0, 1.0], false),
    ] {
        assert_eq!(xor.forward(&x)[0] > 0.5, y, "{x:?}");
    }
}
