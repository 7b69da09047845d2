//! Flash images: a network runs in place from its image's bytes (every
//! layer kind, residual blocks, layer settings included), bit for bit as
//! the model it was written from; `include_model!` embeds one, checked at
//! compile time (a foreign image is a compile error: `tests/ui/fail/`).
use nn::io::image::{self, HEADER_LEN};
use nn::io::weights::FormatError;
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    /// Every dense-side layer kind, with settings that differ from defaults.
    Dense = <
        Input<12>, Linear<12, 16>, BatchNorm1d<16>, LeakyReLU<0.1>, GaussianNoise<0.1>,
        Linear<16, 16>, PReLU<16>, Dropout<0.2>, Linear<16, 12>, ELU<0.5>, Maxout<2>,
        Linear<6, 6>, HardTanh<-0.5, 0.75>, LayerNorm<6>, Softplus, Linear<6, 4>, Softmax,
    >
}

network! {
    /// Convolutions, pooling and a residual block.
    Convolutional = <
        Input<1, 8, 8>,
        Conv2d<1, 4, 3, 1, 1>, BatchNorm2d<4>, ReLU6,
        Residual<DepthwiseConv2d<4, 3, padding = same>, Tanh, Conv2d<4, 4, 1>>,
        MaxPool2d<2>, ConvTranspose2d<4, 2, 2, 2>, AvgPool2d<2>,
        Flatten, Reshape<2, 16>, Conv1d<2, 3, 3, 1, 1>, Flatten, Linear<48, 5>, Softmax,
    >
}

network! {
    /// The network of the committed image (`tests/fixtures/xor.nni`) and of
    /// `include_model!`'s documentation.
    pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid >
}

/// A buffer of `len` bytes whose start is aligned for any `Plain` model.
fn aligned(len: usize) -> Vec<u32> {
    vec![0u32; len.div_ceil(4)]
}

/// Trains a few steps (so batch norm's statistics move), writes the image,
/// and checks the model read in place from it: equal to the original, at
/// the payload's address, with bit-identical outputs.
macro_rules! runs_in_place {
    ($net:ident, $trainer:ident, $in:ty) => {{
        let mut rng = TrainRng::seed_from_u64(1);
        let mut x: [$in; 8] = nn::bytemuck::Zeroable::zeroed();
        for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x) {
            *v = rng.random_range(-1.0..1.0);
        }
        let labels: [usize; 8] = std::array::from_fn(|i| i % 4);
        let mut t = $trainer::<Adam, 8>::new_boxed(Init::HeNormal, Adam::new(1e-2), 2);
        for _ in 0..5 {
            t.train_step(&x, &labels, &CrossEntropy);
        }
        let mut words = aligned(image::encoded_len::<$net>());
        let bytes: &mut [u8] = nn::bytemuck::cast_slice_mut(&mut words);
        let bytes = &mut bytes[..image::encoded_len::<$net>()];
        assert_eq!(t.model.save_image_to(bytes), Ok(bytes.len()));
        let in_place = $net::from_image(bytes).unwrap();
        assert!(std::ptr::eq(
            (in_place as *const $net).cast::<u8>(),
            bytes[HEADER_LEN..].as_ptr()
        ));
        assert_eq!(in_place, &t.model);
        for sample in &x {
            let (a, b) = (in_place.forward(sample), t.model.forward(sample));
            assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits));
        }
    }};
}

#[test]
fn every_layer_kind_runs_in_place_from_its_image() {
    runs_in_place!(Dense, DenseTrainer, [f32; 12]);
    runs_in_place!(Convolutional, ConvolutionalTrainer, [[[f32; 8]; 8]; 1]);
}

#[test]
fn an_image_for_another_network_is_refused() {
    let xor = Xor::new_boxed(Init::HeNormal, &mut TrainRng::seed_from_u64(3));
    let mut words = aligned(image::encoded_len::<Xor>());
    let bytes: &mut [u8] = nn::bytemuck::cast_slice_mut(&mut words);
    let bytes = &mut bytes[..image::encoded_len::<Xor>()];
    xor.save_image_to(bytes).unwrap();
    assert!(matches!(
        Dense::from_image(bytes),
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
