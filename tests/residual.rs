//! Residual blocks in `network!`: identity shortcuts, projection shortcuts,
//! nesting, blocks on the network's input. Each network's gradient (through
//! both branches into the layers below the block) is checked against finite
//! differences; weights and safetensors round-trip with PyTorch-style names.
use nn::prelude::*;
use nn::rng::TrainRng;
use nn::train::gradcheck::check_gradient;

network! {
    /// An identity shortcut between two dense layers.
    Dense = < Linear<4, 8>, Tanh, Residual<Linear<8, 8>, Tanh, Linear<8, 8>>, GELU, Linear<8, 3>, Softmax >
}

network! {
    /// A projection shortcut (strided 1×1 convolution + batch norm, as
    /// ResNet) beside a strided main branch, with a nested identity block.
    Conv = <
        Input<2, 8, 8>,
        Conv2d<2, 4, 3, 1, 1>, Tanh,
        Residual<
            Conv2d<4, 6, 3, 2, 1>, BatchNorm2d<6>, Tanh,
            Residual<Conv2d<6, 6, 3, 1, 1>, Tanh>,
            Conv2d<6, 6, 3, 1, 1>, BatchNorm2d<6>,
            Shortcut<Conv2d<4, 6, 1, 2>, BatchNorm2d<6>>,
        >,
        Tanh, Flatten, Linear<96, 3>,
    >
}

network! {
    /// A block straight on the network's input, which needs no gradient.
    OnInput = < Input<6>, Residual<Linear<6, 6>, Tanh>, Linear<6, 2> >
}

fn random<const N: usize>(rng: &mut TrainRng) -> [f32; N] {
    std::array::from_fn(|_| rng.random_range(-1.0..1.0))
}

macro_rules! gradient_is_exact {
    ($net:ident, $trainer:ident, $x:expr, $targets:expr, $loss:expr) => {{
        let mut t = $trainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 3);
        let mut theta = vec![0.0f32; $net::NUM_PARAMS];
        t.model.params_to_slice(&mut theta);
        let mut grad = vec![0.0f32; $net::NUM_PARAMS];
        t.gradient(&$x, &$targets, &$loss, &mut grad);
        let report = check_gradient(&theta, &grad, |p| {
            t.model.params_from_slice(p);
            t.eval_loss(&$x, &$targets, &$loss) as f64
        });
        report.assert_passed(stringify!($net));
        assert_eq!(report.checked, $net::NUM_PARAMS);
    }};
}

#[test]
fn gradients_flow_through_both_branches() {
    let rng = &mut TrainRng::seed_from_u64(1);
    let x: [[f32; 4]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(Dense, DenseTrainer, x, [0usize, 1, 2, 1], CrossEntropy);

    let x: [[[[f32; 8]; 8]; 2]; 4] =
        std::array::from_fn(|_| std::array::from_fn(|_| std::array::from_fn(|_| random(rng))));
    let y: [[f32; 3]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(Conv, ConvTrainer, x, y, Mse);

    let x: [[f32; 6]; 4] = std::array::from_fn(|_| random(rng));
    let y: [[f32; 2]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(OnInput, OnInputTrainer, x, y, Mse);
}

#[test]
fn the_single_sample_path_agrees_with_the_batch_path() {
    let rng = &mut TrainRng::seed_from_u64(2);
    let mut t = ConvTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), 5);
    let x: [[[[f32; 8]; 8]; 2]; 2] =
        std::array::from_fn(|_| std::array::from_fn(|_| std::array::from_fn(|_| random(rng))));
    let batch = *t.forward_batch(&x);
    for (x, y) in x.iter().zip(batch) {
        let single = t.model.forward(x);
        for (a, b) in single.iter().zip(y) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}

#[test]
fn blocks_round_trip_weights_and_name_tensors_as_pytorch_modules() {
    let model = Conv::new_boxed(Init::HeNormal, 3);
    assert_eq!(
        Conv::SIGNATURE,
        "[[[f32;8];8];2]|Conv2d<2,4,3,8,8,1,1,1>|Tanh|Residual<Conv2d<4,6,3,4,4,2,1,1>|BatchNorm2d<6>|Tanh\
         |Residual<Conv2d<6,6,3,4,4,1,1,1>|Tanh>|Conv2d<6,6,3,4,4,1,1,1>|BatchNorm2d<6>\
         ;Conv2d<4,6,1,4,4,2,0,1>|BatchNorm2d<6>>|Tanh|Flatten<96>|Linear<96,3>"
    );
    let mut bytes = vec![0u8; Conv::WEIGHTS_BYTES];
    model.save_to(&mut bytes).unwrap();
    let mut other = Conv::new_boxed(Init::HeNormal, 4);
    other.load_from(&bytes).unwrap();
    assert_eq!(*other, *model);

    let file = model.to_safetensors().unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&file).unwrap();
    let mut names: Vec<String> = tensors.names().into_iter().map(String::from).collect();
    names.sort();
    for name in [
        "0.weight",
        "2.main.0.weight",
        "2.main.1.running_var",
        "2.main.3.main.0.bias",
        "2.main.4.weight",
        "2.shortcut.0.weight",
        "2.shortcut.1.num_batches_tracked",
        "5.weight",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    let mut back = Conv::new_boxed(Init::HeNormal, 5);
    back.from_safetensors(&file).unwrap();
    assert_eq!(*back, *model);
}

#[test]
fn a_residual_network_learns() {
    let rng = &mut TrainRng::seed_from_u64(6);
    let x: [[f32; 4]; 32] = std::array::from_fn(|_| random(rng));
    let labels: [usize; 32] =
        std::array::from_fn(|i| usize::from(x[i][0] > x[i][1]) + usize::from(x[i][2] > 0.0));
    let mut t = DenseTrainer::<Adam, 32>::new_boxed(Init::XavierUniform, Adam::new(0.02), 7);
    let first = t.train_step(&x, &labels, &CrossEntropy);
    for _ in 0..200 {
        t.train_step(&x, &labels, &CrossEntropy);
    }
    let last = t.eval_loss(&x, &labels, &CrossEntropy);
    assert!(last < first / 3.0, "{first} -> {last}");
}

#[path = "../examples/common/resnet8.rs"]
mod resnet8;

/// The MLPerf Tiny ResNet-8 has the reference's parameter counts and
/// round-trips its weights and safetensors (its training on real digits is
/// `examples/resnet8.rs`, which CI runs).
#[test]
fn resnet8_has_the_reference_size_and_round_trips() {
    use resnet8::{ResNet8, digit_as_rgb};
    assert_eq!(ResNet8::NUM_PARAMS, 78_186);
    assert_eq!(ResNet8::STATE_LEN, 78_666);
    let model = ResNet8::new_boxed(Init::HeNormal, 11);
    let file = model.to_safetensors().unwrap();
    let mut back = ResNet8::new_boxed(Init::HeNormal, 12);
    back.from_safetensors(&file).unwrap();
    assert_eq!(*back, *model);
    let mut bytes = vec![0u8; ResNet8::WEIGHTS_BYTES];
    model.save_to(&mut bytes).unwrap();
    let mut again = ResNet8::new_boxed(Init::HeNormal, 13);
    again.load_from(&bytes).unwrap();
    assert_eq!(*again, *model);
    let digit = digit_as_rgb(&std::array::from_fn(|i| (i % 28) as f32 / 28.0));
    assert_eq!(again.forward(&digit), model.forward(&digit));
}

network! {
    /// A block right before a fused softmax head.
    BeforeHead = < Linear<3, 6>, Residual<Linear<6, 6>, Tanh>, Softmax >
}

network! {
    /// A block as the last layer: the network's output is the sum.
    Last = < Linear<3, 4>, Tanh, Residual<Linear<4, 4>, GELU, Shortcut<Linear<4, 4>>> >
}

network! {
    /// Sequences: 1-D convolutions and batch norm inside the block.
    Sequence = <
        Input<2, 10>,
        Conv1d<2, 4, 3, 1, 1>, Tanh,
        Residual<Conv1d<4, 4, 3, 1, 1>, BatchNorm1d<4>, Tanh>,
        Flatten, Linear<40, 2>,
    >
}

#[test]
fn blocks_before_the_head_at_the_end_and_on_sequences_have_exact_gradients() {
    let rng = &mut TrainRng::seed_from_u64(20);
    let x: [[f32; 3]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(
        BeforeHead,
        BeforeHeadTrainer,
        x,
        [0usize, 5, 2, 3],
        CrossEntropy
    );
    let y: [[f32; 4]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(Last, LastTrainer, x, y, Mse);
    let x: [[[f32; 10]; 2]; 4] = std::array::from_fn(|_| std::array::from_fn(|_| random(rng)));
    let y: [[f32; 2]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(Sequence, SequenceTrainer, x, y, Mse);
}

network! {
    /// Unpooling pairs with the pooling of its own chain, inside a block.
    PoolInBlock = <
        Input<1, 4, 4>,
        Conv2d<1, 2, 3, 1, 1>, Tanh,
        Residual<MaxPool2d<2>, Tanh, MaxUnpool2d<2>>,
        Flatten, Linear<32, 2>,
    >
}

#[test]
fn unpooling_inside_a_block_uses_its_pools_indices() {
    // Max pooling has kinks where two inputs of a window tie, and
    // unpooling jumps there; this seed leaves every window's maximum
    // clear of the difference step (H = 1e-2).
    let rng = &mut TrainRng::seed_from_u64(1);
    let x: [[[[f32; 4]; 4]; 1]; 4] =
        std::array::from_fn(|_| [std::array::from_fn(|_| random(rng))]);
    let y: [[f32; 2]; 4] = std::array::from_fn(|_| random(rng));
    gradient_is_exact!(PoolInBlock, PoolInBlockTrainer, x, y, Mse);
    let mut t = PoolInBlockTrainer::<Sgd, 4>::new_boxed(Init::HeNormal, Sgd::new(0.1), 2);
    let batch = *t.forward_batch(&x);
    for (x, y) in x.iter().zip(batch) {
        let single = t.model.forward(x);
        assert!(single.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-5));
    }
}
