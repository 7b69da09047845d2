//! Layers from outside nn and sizes the macro cannot read: user types named
//! by path in `network!` (`examples/layers`), named constants as sizes, and
//! shapes that come from a layer's `Forward::Out` rather than the macro.
#[path = "../examples/layers/mod.rs"]
mod layers;

use nn::layer::{Layer, Mode};
use nn::prelude::*;
use nn::rng::TrainRng;
use nn::train::gradcheck::check_layer;

#[test]
fn the_user_layers_backpropagate_their_gradients() {
    check_layer::<[f32; 6], _, 3>(layers::Mish, Mode::Train, &[], 1);
    let mut scale = layers::Scale::<5> {
        params: [[0.0; 5]; 2],
    };
    scale.init_params(Init::HeNormal, &mut TrainRng::seed_from_u64(0));
    assert_eq!(scale.params, [[1.0; 5], [0.0; 5]], "starts at the identity");
    // Away from the identity, so both parameter gradients are exercised.
    scale.params = [[0.5, -1.5, 2.0, 0.25, 1.0], [0.1, -0.2, 0.3, 0.0, 0.7]];
    check_layer::<[f32; 5], _, 4>(scale, Mode::Train, &[], 2);
}

const HIDDEN: usize = 12;

network! {
    /// User layers between nn's, sized by a named constant.
    Custom = < Linear<4, HIDDEN>, layers::Scale<HIDDEN>, self::layers::Mish, Linear<HIDDEN, 3>, Softmax >
}

network! {
    /// The same network with nn's layers only and literal sizes.
    Literal = < Linear<4, 12>, Tanh, Linear<12, 3>, Softmax >
}

fn blobs() -> ([[f32; 4]; 30], [usize; 30]) {
    let mut rng = TrainRng::seed_from_u64(5);
    let labels: [usize; 30] = std::array::from_fn(|i| i % 3);
    let x = std::array::from_fn(|i| {
        std::array::from_fn(|j| (j == labels[i]) as u8 as f32 * 2.0 + rng.random_range(-0.5..0.5))
    });
    (x, labels)
}

#[test]
fn a_network_with_user_layers_trains_and_round_trips_its_weights() {
    assert_eq!(Custom::NUM_PARAMS, (4 * 12 + 12) + 2 * 12 + (12 * 3 + 3));
    assert_eq!(Custom::STATE_LEN, Custom::NUM_PARAMS);
    let (x, y) = blobs();
    let mut t = CustomTrainer::<Adam, 30>::new_boxed(Init::XavierUniform, Adam::new(0.05), 3);
    let first = t.train_step(&x, &y, &CrossEntropy);
    for _ in 0..60 {
        t.train_step(&x, &y, &CrossEntropy);
    }
    let last = t.eval_loss(&x, &y, &CrossEntropy);
    assert!(last < first / 4.0, "the loss fell: {first} -> {last}");
    let gains = t.model.scale1.params[0];
    assert!(gains != [1.0; 12], "the user layer's parameters trained");

    let mut bytes = vec![0u8; Custom::WEIGHTS_BYTES];
    t.model.save_to(&mut bytes).unwrap();
    let mut loaded = Custom::new_boxed(Init::HeNormal, 9);
    assert_ne!(*loaded, t.model);
    loaded.load_from(&bytes).unwrap();
    assert_eq!(*loaded, t.model);

    // safetensors: the user layer's tensors are named as its `TORCH` says,
    // under its index, as in an `nn.Sequential`.
    let file = t.model.to_safetensors().unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&file).unwrap();
    let mut names: Vec<String> = tensors.names().into_iter().map(String::from).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "0.bias", "0.weight", "1.bias", "1.weight", "3.bias", "3.weight"
        ]
    );
    let mut from_torch = Custom::new_boxed(Init::HeNormal, 10);
    from_torch.from_safetensors(&file).unwrap();
    assert_eq!(*from_torch, t.model);
}

#[test]
fn weights_of_another_architecture_are_refused() {
    let model = Custom::new_boxed(Init::HeNormal, 1);
    let mut bytes = vec![0u8; Custom::WEIGHTS_BYTES];
    model.save_to(&mut bytes).unwrap();
    let mut other = Literal::new_boxed(Init::HeNormal, 1);
    assert!(other.load_from(&bytes).is_err());
}

network! {
    /// A named size and a size expression in a block.
    Named = < Linear<4, HIDDEN>, Tanh, Linear<HIDDEN, { HIDDEN / 4 }>, Softmax >
}

#[test]
fn named_sizes_are_the_numbers_they_name() {
    assert_eq!(Named::NUM_PARAMS, Literal::NUM_PARAMS);
    assert_eq!(Named::SIGNATURE, Literal::SIGNATURE);
    assert_eq!(
        Named::SIGNATURE,
        "[f32;4]|Linear<4,12>|Tanh|Linear<12,3>|Softmax"
    );
    let model = Named::new_boxed(Init::HeNormal, 2);
    let y: [f32; 3] = model.forward(&[1.0, 2.0, 3.0, 4.0]);
    assert!((y.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}

const SIDE: usize = 10;
const CHANNELS: usize = 3;

network! {
    /// Convolution and pooling sizes from named constants: the macro leaves
    /// the window arithmetic to the compiler, with nn-shape's same rule.
    NamedCnn = <
        Input<1, SIDE, SIDE>,
        Conv2d<1, CHANNELS, 3>, ReLU, MaxPool2d<2>,
        Flatten,
        Linear<{ CHANNELS * 4 * 4 }, 2>,
    >
}

network! {
    /// A user layer with an image output, then a convolution: its shape
    /// comes from `Forward::Out` and the convolution's sizes from
    /// `nn::layer::dim` of it.
    AfterUserLayer = <
        Input<2, 6, 6>,
        crate::layers::Mish,
        Conv2d<2, 4, 3>, Flatten, Linear<64, 2>, Softmax,
    >
}

#[test]
fn shapes_the_macro_cannot_read_are_computed_by_the_compiler() {
    assert_eq!(
        NamedCnn::SIGNATURE,
        "[[[f32;10];10];1]|Conv2d<1,3,3,8,8,1,0,1>|ReLU|MaxPool2d<2,4,4,2>|Flatten<48>|Linear<48,2>"
    );
    let cnn = NamedCnn::new_boxed(Init::HeNormal, 3);
    let _: [f32; 2] = cnn.forward(&[[[0.5; SIDE]; SIDE]; 1]);

    assert_eq!(AfterUserLayer::NUM_PARAMS, (2 * 4 * 9 + 4) + (64 * 2 + 2));
    let (x, y) = ([[[[0.3f32; 6]; 6]; 2], [[[-0.3f32; 6]; 6]; 2]], [0usize, 1]);
    let mut t = AfterUserLayerTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), 4);
    let first = t.train_step(&x, &y, &CrossEntropy);
    for _ in 0..30 {
        t.train_step(&x, &y, &CrossEntropy);
    }
    assert!(t.eval_loss(&x, &y, &CrossEntropy) < first);
}
