//! What `network!` generates: constants, forward passes equal to the
//! hand-written chain, and a train step whose update is the true gradient
//! (checked by finite differences of the loss through the whole network).
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    /// Fused softmax + cross-entropy head.
    Classifier = < Linear<6, 5>, Tanh, Linear<5, 3>, Softmax >
}
network! {
    /// Fused sigmoid + BCE head, named layers.
    Binary = < hidden: Linear<4, 6>, act: ReLU, out: Linear<6, 2>, Sigmoid >
}
network! {
    /// Plain regression head; starts with an activation after `Input`.
    Regressor = < Input<3>, Tanh, Linear<3, 4>, Sigmoid, Linear<4, 2> >
}

/// Small enough that no ReLU pre-activation crosses zero within ±H (a kink
/// makes the difference quotient meaningless; 1e-2 crossed one here), large
/// enough that f32 rounding of a loss near 1 (~1e-7) stays ~1e-4 of the slope.
const H: f32 = 1e-3;

/// Runs one SGD step with learning rate 1, so the update is exactly `−∇θ`,
/// and compares it with centered differences of the evaluation loss.
macro_rules! check_train_step_gradient {
    ($trainer:ident, $in:ty, $targets:expr, $loss:expr) => {{
        let mut rng = TrainRng::seed_from_u64(5);
        let mut x: [$in; 4] = nn::bytemuck::Zeroable::zeroed();
        for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x) {
            *v = rng.random_range(-1.0..1.0);
        }
        let targets = $targets;
        let mut t = $trainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(1.0), 11);
        let before = t.model.clone();
        t.train_step(&x, &targets, &$loss);
        let after = t.model.clone();
        let analytic: Vec<f64> = before
            .params()
            .concat()
            .iter()
            .zip(after.params().concat())
            .map(|(b, a)| (*b - a) as f64)
            .collect();
        let mut probe = $trainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(1.0), 11);
        let scale = analytic.iter().fold(1e-3f64, |m, v| m.max(v.abs()));
        let mut kinks = 0;
        for i in 0..analytic.len() {
            let mut loss_at = |delta: f32| {
                let mut m = before.clone();
                let mut rest = i;
                for tensor in m.params_mut() {
                    if rest < tensor.len() {
                        tensor[rest] += delta;
                        break;
                    }
                    rest -= tensor.len();
                }
                probe.model = m;
                probe.eval_loss(&x, &targets, &$loss) as f64
            };
            let (plus, zero, minus) = (loss_at(H), loss_at(0.0), loss_at(-H));
            let numeric = (plus - minus) / (2.0 * H as f64);
            let tolerance = 1e-2 * scale;
            if (analytic[i] - numeric).abs() <= tolerance {
                continue;
            }
            // A ReLU or max-pool switch within ±H bends the loss (near-ties
            // happen); the step must then follow the slope on one side.
            let (right, left) = ((plus - zero) / H as f64, (zero - minus) / H as f64);
            let bent = (right - left).abs() > tolerance;
            let one_sided =
                (analytic[i] - left).abs().min((analytic[i] - right).abs()) <= 2.0 * tolerance;
            assert!(
                bent && one_sided,
                "{}: parameter {i}: step gave {}, finite difference {numeric}",
                stringify!($trainer),
                analytic[i]
            );
            kinks += 1;
        }
        assert!(
            kinks * 10 <= analytic.len(),
            "{kinks} of {} parameters sit at kinks",
            analytic.len()
        );
    }};
}

network! {
    /// Linear regression: a single dense layer.
    LinearRegression = < Linear<3, 2> >
}

#[test]
fn a_single_layer_step_is_the_true_gradient() {
    check_train_step_gradient!(LinearRegressionTrainer, [f32; 3], [[1.0f32, -1.0]; 4], Mse);
}

#[test]
fn constants_follow_the_layer_list() {
    assert_eq!(Classifier::NUM_PARAMS, 6 * 5 + 5 + 5 * 3 + 3);
    assert_eq!((Classifier::INPUTS, Classifier::OUTPUTS), (6, 3));
    assert_eq!(Regressor::INPUTS, 3);
    assert_eq!(Classifier::MODEL_BYTES, Classifier::NUM_PARAMS * 4);
    assert_eq!(ClassifierTrainer::<Sgd, 8>::BATCH, 8);
}

#[test]
fn forward_equals_the_hand_written_chain() {
    let m = Binary::new_boxed(Init::HeUniform, 1);
    let chain = (m.hidden, m.act, m.out, Sigmoid);
    let x = [0.3, -0.2, 0.9, 0.1];
    assert_eq!(m.forward(&x), chain.forward(&x));
}

#[test]
fn batch_forward_matches_single_sample_forward() {
    let mut t = ClassifierTrainer::<Sgd, 3>::new_boxed(Init::XavierNormal, Sgd::new(0.1), 2);
    let x = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [-1.0; 6], [0.0; 6]];
    let batch = *t.forward_batch(&x);
    for (row, x) in batch.iter().zip(&x) {
        let single = t.model.forward(x);
        for (a, b) in row.iter().zip(&single) {
            assert!((a - b).abs() < 1e-6, "{row:?} vs {single:?}");
        }
    }
}

#[test]
fn softmax_cross_entropy_step_is_the_true_gradient() {
    check_train_step_gradient!(ClassifierTrainer, [f32; 6], [0usize, 2, 1, 2], CrossEntropy);
    let soft = [[0.2f32, 0.5, 0.3]; 4];
    check_train_step_gradient!(ClassifierTrainer, [f32; 6], soft, CrossEntropy);
}

#[test]
fn softmax_with_a_loss_lacking_a_fused_form_is_the_true_gradient() {
    check_train_step_gradient!(ClassifierTrainer, [f32; 6], [[0.0f32, 1.0, 0.0]; 4], Mse);
}

#[test]
fn sigmoid_bce_step_is_the_true_gradient() {
    check_train_step_gradient!(
        BinaryTrainer,
        [f32; 4],
        [[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]],
        Bce
    );
}

#[test]
fn regression_steps_are_the_true_gradient() {
    let t = [[0.5f32, -0.5], [1.0, 0.0], [0.0, 0.3], [-1.0, 2.0]];
    check_train_step_gradient!(RegressorTrainer, [f32; 3], t, Mse);
    check_train_step_gradient!(RegressorTrainer, [f32; 3], t, L1);
}

network! {
    Noisy = < Linear<8, 16>, ReLU, Dropout<0.5>, Linear<16, 2> >
}

#[test]
fn same_seed_trains_bit_identically_and_another_seed_does_not() {
    let x = [[0.25f32; 8]; 2];
    let t = [[1.0f32, 0.0]; 2];
    let run = |seed| {
        let mut tr = NoisyTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), seed);
        for _ in 0..10 {
            tr.train_step(&x, &t, &Mse);
        }
        tr.model
    };
    assert!(run(1) == run(1));
    assert!(run(1) != run(2));
}

#[test]
fn dropout_is_off_in_evaluation() {
    let mut tr = NoisyTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), 4);
    let x = [[0.5f32; 8]; 2];
    let first = *tr.forward_batch(&x);
    assert_eq!(first, *tr.forward_batch(&x));
    assert_eq!(first[0], tr.model.forward(&x[0]));
    assert_eq!(tr.model.dropout2.p(), 0.5);
}

network! {
    /// No parameters: the step scores the batch and updates nothing.
    Fixed = < Input<3>, Softmax >
}

#[test]
fn a_parameter_free_network_scores_without_updating() {
    let mut t = FixedTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(1.0), 0);
    let x = [[1.0f32, 1.0, 1.0], [0.0, 0.0, 50.0]];
    let loss = t.train_step(&x, &[0usize, 2], &CrossEntropy);
    let expected = (3.0f32.ln() + 0.0) / 2.0;
    assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");
    assert!(Fixed::NUM_PARAMS == 0 && t.model.params().is_empty());
}

#[test]
fn penalties_and_clipping_change_the_update_as_specified() {
    // With SGD at rate 1 the update is exactly minus the (modified) gradient.
    let mut rng = TrainRng::seed_from_u64(8);
    let x: [[f32; 6]; 4] =
        std::array::from_fn(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)));
    let targets = [0usize, 1, 2, 1];
    let step = |regularization: nn::train::regularize::Regularization| {
        let mut t = ClassifierTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(1.0), 3);
        t.regularization = regularization;
        let before = t.model.clone();
        t.train_step(&x, &targets, &CrossEntropy);
        let delta: Vec<f32> = before
            .params()
            .concat()
            .iter()
            .zip(t.model.params().concat())
            .map(|(b, a)| b - a)
            .collect();
        (before.params().concat(), delta)
    };
    let (theta, plain) = step(Default::default());

    let (_, l2) = step(nn::train::regularize::Regularization {
        l2: 0.1,
        ..Default::default()
    });
    // Layer 0: 30 weights then 5 biases; layer 1: 15 weights then 3 biases.
    let is_weight = |i: usize| i < 30 || (35..50).contains(&i);
    for i in 0..theta.len() {
        let extra = if is_weight(i) { 0.1 * theta[i] } else { 0.0 };
        assert!((l2[i] - plain[i] - extra).abs() < 1e-5, "parameter {i}");
    }

    let (_, clipped) = step(nn::train::regularize::Regularization {
        clip_norm: 0.05,
        ..Default::default()
    });
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(
        norm(&plain) > 0.05,
        "the test needs a gradient larger than the clip"
    );
    assert!((norm(&clipped) - 0.05).abs() < 1e-5);
    let (_, by_value) = step(nn::train::regularize::Regularization {
        clip_value: 1e-3,
        ..Default::default()
    });
    assert!(by_value.iter().all(|d| d.abs() <= 1e-3 + 1e-7));
}

#[test]
fn ema_and_early_stopping_work_on_generated_models() {
    use nn::train::averaging::{EarlyStopping, Ema, Parameters, Verdict};
    let mut t = ClassifierTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    let x = [[0.5f32; 6]; 4];
    let y = [0usize, 1, 2, 0];
    let mut average = Classifier::new_boxed(Init::XavierUniform, 0);
    average.copy_params_from(&t.model);
    let mut best = Classifier::new_boxed(Init::XavierUniform, 0);
    let mut stop = EarlyStopping::new(2);

    let start = t.model.clone();
    t.train_step(&x, &y, &CrossEntropy);
    Ema { rate: 0.25 }.update(&mut *average, &t.model);
    for ((a, s), m) in average
        .params()
        .concat()
        .iter()
        .zip(start.params().concat())
        .zip(t.model.params().concat())
    {
        assert!((a - (0.75 * s + 0.25 * m)).abs() < 1e-6);
    }

    assert_eq!(stop.observe(1.0, &t.model, &mut best), Verdict::Improved);
    let saved = t.model.clone();
    t.train_step(&x, &y, &CrossEntropy);
    assert_eq!(stop.observe(1.5, &t.model, &mut best), Verdict::Wait);
    assert_eq!(stop.observe(1.2, &t.model, &mut best), Verdict::Stop);
    assert!(t.model != saved);
    stop.restore(&mut t.model, &best);
    assert!(t.model == saved, "the best weights come back bit for bit");
}

network! {
    /// The course notes' LeNet-style CNN on 32×32 RGB images.
    LeNet = <
        Input<3, 32, 32>,
        conv1: Conv2d<3, 8, 5>, ReLU, pool1: MaxPool2d<2>,
        conv2: Conv2d<8, 16, 5>, ReLU, pool2: MaxPool2d<2>,
        Flatten,
        fc1: Linear<400, 120>, ReLU,
        fc2: Linear<120, 84>, ReLU,
        fc3: Linear<84, 10>, Softmax,
    >
}

#[test]
fn lenet_matches_the_course_table() {
    let net = LeNet::new_boxed(Init::HeNormal, 1);
    let counts: Vec<usize> = net.params().iter().map(|p| p.len()).collect();
    assert_eq!(counts, [608, 3216, 48120, 10164, 850]);
    assert_eq!(LeNet::NUM_PARAMS, 608 + 3216 + 48120 + 10164 + 850);
    // Activation shapes, as the table lists them (H, W, C) — here C×H×W
    // types, so a wrong shape would not compile.
    let x = [[[0.5f32; 32]; 32]; 3];
    let a1: [[[f32; 28]; 28]; 8] = net.conv1.forward(&x);
    let a2: [[[f32; 14]; 14]; 8] = net.pool1.forward(&a1);
    let a3: [[[f32; 10]; 10]; 16] = net.conv2.forward(&a2);
    let a4: [[[f32; 5]; 5]; 16] = net.pool2.forward(&a3);
    assert_eq!(nn::bytemuck::cast::<_, [f32; 400]>(a4).len(), 400);
    assert_eq!(LeNet::INPUTS, 3 * 32 * 32);
    assert_eq!(LeNet::OUTPUTS, 10);
}

network! {
    /// A depthwise-separable block (depthwise, then pointwise) and a grouped
    /// convolution with reflected padding: each convolution path of the
    /// batch passes.
    PointwiseCnn = <
        Input<2, 6, 7>,
        DepthwiseConv2d<2, 3, padding = 1>, Tanh,
        Conv2d<2, 4, 1>, Tanh,
        Conv2d<4, 2, 3, stride = 2, padding = 1, padding_mode = reflect, groups = 2>, Tanh,
        Flatten, Linear<24, 3>, Softmax,
    >
}

network! {
    /// Every 2-D layer kind in one small classifier.
    SmallCnn = <
        Input<2, 9, 8>,
        Conv2d<2, 3, 3, 1, 1>, Tanh, MaxPool2d<2>,
        Conv2d<3, 4, 2, 1, 0, 2>, ELU, AvgPool2d<2, 1>,
        Flatten, Linear<4, 3>, Softmax,
    >
}

network! {
    /// A convolutional autoencoder shape: down with a strided conv, up with
    /// a transposed one, output compared as an image.
    ConvAutoencoder = <
        Input<1, 8, 8>,
        Conv2d<1, 4, 4, 2, 1>, Softplus,
        ConvTranspose2d<4, 1, 4, 2, 1>, Sigmoid,
    >
}

network! {
    /// Sequences: a 1-D convolution with PReLU and a maxout head.
    SeqNet = < Input<2, 12>, Conv1d<2, 3, 3, 2, 1>, PReLU<3>, Flatten, Linear<18, 8>, Maxout<2>, Linear<4, 2> >
}

network! {
    /// An encoder–decoder that unpools with its encoder's max-pool indices.
    Unpooling = <
        Input<1, 8, 8>,
        Conv2d<1, 3, 3, 1, 1>, Tanh, MaxPool2d<2>,
        Conv2d<3, 3, 3, 1, 1>, Tanh, MaxUnpool2d<2>,
        Conv2d<3, 1, 3, 1, 1>,
    >
}

#[test]
fn unpooling_uses_the_paired_pool_indices() {
    let t = UnpoolingTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 2);
    let mut rng = TrainRng::seed_from_u64(3);
    let mut x = [[[[0.0f32; 8]; 8]; 1]; 4];
    for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x) {
        *v = rng.random_range(-1.0..1.0);
    }
    let mut t = t;
    let batch = *t.forward_batch(&x);
    // Batch passes multiply with GEMM, single samples convolve directly:
    // equal up to rounding.
    let close = |a: &[[[f32; 8]; 8]; 1], b: &[[[f32; 8]; 8]; 1]| {
        let (a, b) = (
            a.as_flattened().as_flattened(),
            b.as_flattened().as_flattened(),
        );
        a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-5)
    };
    for (x, row) in x.iter().zip(&batch) {
        assert!(close(&t.model.forward(x), row));
    }
    // By hand: the decoder's input is zero except where the pool took its maxima.
    let m = &t.model;
    let (pooled, at) = m
        .maxpool2d2
        .forward_with_indices(&m.tanh1.forward(&m.conv2d0.forward(&x[0])));
    let up = m
        .maxunpool2d5
        .unpool(&m.tanh4.forward(&m.conv2d3.forward(&pooled)), &at);
    assert!(close(&m.conv2d6.forward(&up), &batch[0]));
    let nonzero = nn::bytemuck::cast_slice::<_, f32>(&up)
        .iter()
        .filter(|v| **v != 0.0)
        .count();
    assert_eq!(nonzero, 3 * 4 * 4);
}

#[test]
fn cnn_steps_are_the_true_gradient() {
    check_train_step_gradient!(
        SmallCnnTrainer,
        [[[f32; 8]; 9]; 2],
        [0usize, 2, 1, 1],
        CrossEntropy
    );
    check_train_step_gradient!(
        ConvAutoencoderTrainer,
        [[[f32; 8]; 8]; 1],
        [[0.25f32; 64]; 4],
        Mse
    );
    check_train_step_gradient!(UnpoolingTrainer, [[[f32; 8]; 8]; 1], [[0.1f32; 64]; 4], Mse);
    check_train_step_gradient!(SeqNetTrainer, [[f32; 12]; 2], [[0.5f32, -0.5]; 4], Mse);
    check_train_step_gradient!(
        PointwiseCnnTrainer,
        [[[f32; 7]; 6]; 2],
        [2usize, 0, 1, 2],
        CrossEntropy
    );
}

network! {
    Normalized = < Input<1, 6, 6>, Conv2d<1, 4, 3>, BatchNorm2d<4>, ReLU, Flatten, Dropout<0.3>, Linear<64, 8>, BatchNorm1d<8>, LeakyReLU<0.1>, Linear<8, 2> >
}

#[test]
fn batch_norm_learns_running_statistics_and_evaluation_uses_them() {
    let mut t = NormalizedTrainer::<Sgd, 8>::new_boxed(Init::HeNormal, Sgd::new(0.05), 3);
    assert_eq!(t.model.batchnorm2d1.running_var, [1.0; 4]);
    assert_eq!(t.model.leakyrelu7.slope, 0.1);
    let mut rng = TrainRng::seed_from_u64(9);
    let mut x = [[[[0.0f32; 6]; 6]; 1]; 8];
    for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x) {
        *v = rng.random_range(2.0..4.0);
    }
    let targets = [[1.0f32, 0.0]; 8];
    for _ in 0..50 {
        t.train_step(&x, &targets, &Mse);
    }
    // Inputs average 3, so the conv outputs have moved the running means away from 0.
    assert!(t.model.batchnorm2d1.running_mean.iter().all(|&m| m != 0.0));
    // Evaluation is deterministic and uses the running statistics.
    let first = *t.forward_batch(&x);
    assert_eq!(first, *t.forward_batch(&x));
    let single = t.model.forward(&x[3]);
    for (a, b) in single.iter().zip(&first[3]) {
        assert!((a - b).abs() < 1e-5);
    }
}

/// The public gradient check works on any generated network: the trainer's
/// `gradient` against centered differences of `eval_loss` (a smooth network
/// here, so no kink lies within the difference step).
#[test]
fn a_user_network_passes_the_public_gradient_check() {
    let mut rng = TrainRng::seed_from_u64(8);
    let mut x = [[[[0.0f32; 8]; 8]; 1]; 4];
    for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x) {
        *v = rng.random_range(-1.0..1.0);
    }
    let targets = [[0.25f32; 64]; 4];
    let mut t = ConvAutoencoderTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 4);
    let mut theta = vec![0.0f32; ConvAutoencoder::NUM_PARAMS];
    t.model.params_to_slice(&mut theta);
    let mut grad = vec![0.0f32; ConvAutoencoder::NUM_PARAMS];
    t.gradient(&x, &targets, &Mse, &mut grad);
    let report = nn::train::gradcheck::check_gradient(&theta, &grad, |p| {
        t.model.params_from_slice(p);
        t.eval_loss(&x, &targets, &Mse) as f64
    });
    report.assert_passed("ConvAutoencoder");
    assert_eq!(report.checked, ConvAutoencoder::NUM_PARAMS);
    // A wrong gradient is caught (here: the largest component 20% off).
    let largest = (0..grad.len())
        .max_by(|&a, &b| grad[a].abs().total_cmp(&grad[b].abs()))
        .unwrap();
    grad[largest] *= 1.2;
    assert!(
        !nn::train::gradcheck::check_gradient(&theta, &grad, |p| {
            t.model.params_from_slice(p);
            t.eval_loss(&x, &targets, &Mse) as f64
        })
        .passed()
    );
}

/// The memory a network needs is in associated constants, and they add up
/// to what a trainer must hold, counted here by hand.
#[test]
fn memory_constants_count_what_training_needs() {
    // A model is its parameters (and layer settings), nothing more.
    assert_eq!(LeNet::MODEL_BYTES, 4 * LeNet::NUM_PARAMS);
    const { assert!(Classifier::MODEL_BYTES >= 4 * Classifier::STATE_LEN) };

    // Classifier = Linear<6, 5>, Tanh, Linear<5, 3>, Softmax, with Adam, B = 8.
    let floats = 53 // the model
        + 53 // one gradient per parameter
        + (2 * 35 + 1) + (2 * 18 + 1) // Adam's m, v and step count per tensor
        + 8 * (5 + 5 + 3 + 3) // activations after each layer
        // backward buffers: ∂L/∂ of each activation above the first layer
        // (the softmax output's goes unused when the loss fuses with it)
        + 8 * (5 + 5 + 3 + 3)
        + nn::kernels::gemm::workspace_len(6); // GEMM packing for the widest product
    // Optimizer (5 f32 + bool), penalties and weight noise (5 f32), RNG (256 bits), seed,
    // step, and the `&dyn Parallel`.
    let words = 24 + 20 + 32 + 8 + 8 + 16;
    let bytes = 4 * floats + words;
    let actual = ClassifierTrainer::<Adam, 8>::TRAIN_STATE_BYTES;
    assert!(
        (bytes..bytes + 8).contains(&actual),
        "trainer holds {actual} bytes, {bytes} counted"
    );
}

/// Networks named like the generated code's generic parameters (`O`, `B`
/// for the trainer, `T`, `L`, `R` for its methods) build, train, and save
/// and load their weights.
mod names_of_generic_parameters {
    use nn::prelude::*;

    network! { O = < Linear<2, 3>, ReLU, Linear<3, 1> > }
    network! { B = < Linear<2, 1> > }
    network! { T = < Linear<2, 1> > }
    network! { L = < Linear<2, 1> > }
    network! { R = < Linear<2, 1> > }

    macro_rules! trains_and_round_trips {
        ($($trainer:ident: $model:ident),*) => {$({
            let mut t = $trainer::<Adam, 2>::new_boxed(Init::XavierUniform, Adam::new(0.1), 1);
            let (x, y) = ([[1.0f32, -1.0], [0.5, 2.0]], [[1.0f32], [-1.0]]);
            let first = t.train_step(&x, &y, &Mse);
            for _ in 0..20 {
                t.train_step(&x, &y, &Mse);
            }
            assert!(t.eval_loss(&x, &y, &Mse) < first, stringify!($model));
            let mut bytes = vec![0u8; $model::WEIGHTS_BYTES];
            t.model.save_to(&mut bytes).unwrap();
            let mut back = $model::new_boxed(Init::HeNormal, 2);
            back.load_from(&bytes).unwrap();
            assert!(*back == t.model, stringify!($model));
        })*};
    }

    #[test]
    fn networks_named_o_b_t_l_r_work() {
        trains_and_round_trips!(OTrainer: O, BTrainer: B, TTrainer: T, LTrainer: L, RTrainer: R);
    }
}

network! {
    /// The layers added through the one-line registry path.
    Smooth = < Linear<3, 16>, LayerNorm<16>, GELU, Linear<16, 8>, SiLU, Linear<8, 4>, GELUTanh, Linear<4, 1> >
}

#[test]
fn gelu_silu_and_layer_norm_train_a_regression_with_huber() {
    assert_eq!(
        Smooth::NUM_PARAMS,
        (3 * 16 + 16) + 2 * 16 + (16 * 8 + 8) + (8 * 4 + 4) + (4 + 1)
    );
    let mut rng = TrainRng::seed_from_u64(21);
    let x: [[f32; 3]; 32] =
        std::array::from_fn(|_| std::array::from_fn(|_| rng.random_range(-2.0..2.0)));
    let y: [[f32; 1]; 32] = std::array::from_fn(|i| [x[i][0] * x[i][1] - x[i][2].abs()]);
    let mut t = SmoothTrainer::<Adam, 32>::new_boxed(Init::HeNormal, Adam::new(0.01), 4);
    assert_eq!(
        t.model.layernorm1.eps, 1e-5,
        "reset restores the layer's settings"
    );
    let huber = Huber::new(0.5);
    let first = t.eval_loss(&x, &y, &huber);
    for _ in 0..300 {
        t.train_step(&x, &y, &huber);
    }
    let last = t.eval_loss(&x, &y, &huber);
    assert!(last < first / 5.0, "{first} -> {last}");
    let mut bytes = vec![0u8; Smooth::WEIGHTS_BYTES];
    t.model.save_to(&mut bytes).unwrap();
    let mut loaded = Smooth::new_boxed(Init::HeNormal, 1);
    loaded.load_from(&bytes).unwrap();
    assert_eq!(*loaded, t.model);
}

network! {
    /// MobileNet's head: ReLU6 and global average pooling.
    TinyHead = <
        Input<1, 8, 8>,
        Conv2d<1, 4, 3, 1, 1>, BatchNorm2d<4>, ReLU6,
        GlobalAvgPool2d, Linear<4, 2>, Softmax,
    >
}

#[test]
fn relu6_and_global_pooling_train_a_classifier() {
    assert_eq!(TinyHead::NUM_PARAMS, (9 * 4 + 4) + 2 * 4 + (4 * 2 + 2));
    // Bright images are class 1, dark ones class 0.
    let mut rng = TrainRng::seed_from_u64(30);
    let x: [[[[f32; 8]; 8]; 1]; 16] = std::array::from_fn(|i| {
        let level = if i % 2 == 1 { 1.0 } else { -1.0 };
        [std::array::from_fn(|_| {
            std::array::from_fn(|_| level + rng.random_range(-0.5..0.5))
        })]
    });
    let labels: [usize; 16] = std::array::from_fn(|i| i % 2);
    let mut t = TinyHeadTrainer::<Adam, 16>::new_boxed(Init::HeNormal, Adam::new(0.05), 6);
    let first = t.eval_loss(&x, &labels, &CrossEntropy);
    for _ in 0..60 {
        t.train_step(&x, &labels, &CrossEntropy);
    }
    assert!(t.eval_loss(&x, &labels, &CrossEntropy) < first / 4.0);
    assert!((0..16).all(|i| t.model.predict(&x[i]) == labels[i]));
}

/// Named sizes work inside pairs and keyword arguments.
const FILTERS: usize = 6;

network! {
    /// A depthwise-separable CNN in DS-CNN's style: a rectangular strided
    /// first layer, "same" depthwise and grouped convolutions, a
    /// rectangular average pool.
    Separable = <
        Input<1, 13, 6>,
        Conv2d<1, FILTERS, (5, 3), stride = 2, padding = same>, Tanh,
        DepthwiseConv2d<FILTERS, 3, padding = same>, Tanh,
        Conv2d<FILTERS, 4, 1, groups = 2>, Tanh,
        Conv2d<4, 4, (3, 1), padding = (1, 0), groups = 4>,
        GlobalAvgPool2d, Linear<4, 3>, Softmax,
    >
}

network! {
    /// A grouped 1-D convolution with "same" padding.
    GroupedSeq = < Input<4, 9>, Conv1d<4, 6, 3, padding = same, groups = 2>, Tanh, Flatten, Linear<54, 2> >
}

#[test]
fn grouped_depthwise_and_rectangular_convolutions_have_pytorch_shapes() {
    let m = Separable::new_boxed(Init::HeNormal, 1);
    // 13×6 at stride 2, "same": ⌈13/2⌉ × ⌈6/2⌉ = 7 × 3.
    let _: &nn::layers::Conv2d<1, 6, 5, 7, 3, 2, 2, 1, 1, 1, 3, 2, 1> = &m.conv2d0;
    let _: &nn::layers::DepthwiseConv2d<6, 3, 7, 3, 1, 1> = &m.depthwiseconv2d2;
    // PyTorch's weight shapes: [CO, CI/G, KH, KW].
    assert_eq!(
        Separable::NUM_PARAMS,
        (6 * 15 + 6) + (6 * 9 + 6) + (4 * 3 + 4) + (4 * 3 + 4) + (4 * 3 + 3)
    );
    let shapes: Vec<&[usize]> = <Separable as Model>::TORCH
        .iter()
        .flat_map(|(_, tensors)| tensors.iter().map(|t| t.shape()))
        .collect();
    assert!(shapes.contains(&&[6, 1, 5, 3][..]));
    assert!(shapes.contains(&&[6, 1, 3, 3][..]));
    assert!(shapes.contains(&&[4, 3, 1, 1][..]));
    assert!(shapes.contains(&&[4, 1, 3, 1][..]));
    assert_eq!(GroupedSeq::NUM_PARAMS, (6 * 2 * 3 + 6) + (54 * 2 + 2));
}

#[test]
fn separable_convolution_steps_are_the_true_gradient() {
    check_train_step_gradient!(
        SeparableTrainer,
        [[[f32; 6]; 13]; 1],
        [0usize, 2, 1, 1],
        CrossEntropy
    );
    check_train_step_gradient!(GroupedSeqTrainer, [[f32; 9]; 4], [[0.5f32, -0.5]; 4], Mse);
}

network! {
    /// PyTorch's `padding_mode` on both convolution kinds: the shape
    /// arithmetic is zero padding's, the border reads the input.
    Bordered = <
        Input<2, 5, 6>,
        Conv2d<2, 3, 3, padding = (1, 2), padding_mode = reflect>, Tanh,
        Conv2d<3, 2, 3, stride = 2, padding = 1, padding_mode = replicate>, Tanh,
        DepthwiseConv2d<2, 3, padding = same, padding_mode = circular>,
        Flatten, Linear<24, 2>,
    >
}

network! {
    CircularSeq = < Input<2, 5>, Conv1d<2, 3, 3, padding = 2, padding_mode = circular>, Tanh, Flatten, Linear<21, 2> >
}

#[test]
fn padding_modes_keep_the_shapes_and_their_steps_are_the_true_gradient() {
    let m = Bordered::new_boxed(Init::HeNormal, 1);
    // Reflect 5×6 with padding (1, 2) → 5×8; replicate at stride 2 → 3×4;
    // the last type parameter is the mode (1 reflect, 2 replicate, 3 circular).
    let _: &nn::layers::Conv2d<2, 3, 3, 5, 8, 1, 1, 1, 1, 2, 3, 1, 2, 1> = &m.conv2d0;
    let _: &nn::layers::Conv2d<3, 2, 3, 3, 4, 2, 1, 1, 1, 3, 3, 2, 1, 2> = &m.conv2d2;
    let _: &nn::layers::DepthwiseConv2d<2, 3, 3, 4, 1, 1, 1, 3, 1, 1, 3> = &m.depthwiseconv2d4;
    check_train_step_gradient!(
        BorderedTrainer,
        [[[f32; 6]; 5]; 2],
        [[0.5f32, -0.5]; 4],
        Mse
    );
    check_train_step_gradient!(CircularSeqTrainer, [[f32; 5]; 2], [[0.5f32, -0.5]; 4], Mse);
}

network! {
    Pulled = < Linear<3, 4>, Tanh, Linear<4, 2> >
}

/// `train_step_toward` adds the parameter-sharing gradient `s·(θ − θ_ref)`
/// to the data gradient; at strength 0 it is `train_step`; a strong pull
/// keeps a network at its reference while it trains.
#[test]
fn train_step_toward_pulls_the_parameters_to_a_reference() {
    let rng = &mut TrainRng::seed_from_u64(31);
    let x: [[f32; 3]; 4] =
        std::array::from_fn(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)));
    let y: [[f32; 2]; 4] =
        std::array::from_fn(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)));
    let reference = Pulled::new_boxed(Init::HeNormal, 9);
    let mut r = [0.0f32; Pulled::NUM_PARAMS];
    reference.params_to_slice(&mut r);

    let new = || PulledTrainer::<Sgd, 4>::new_boxed(Init::HeNormal, Sgd::new(0.1), 1);
    let (mut pulled, mut plain) = (new(), new());
    let (mut theta, mut g) = ([0.0f32; Pulled::NUM_PARAMS], [0.0f32; Pulled::NUM_PARAMS]);
    pulled.model.params_to_slice(&mut theta);
    plain.gradient(&x, &y, &Mse, &mut g);
    pulled.train_step_toward(&x, &y, &Mse, &reference, 0.5);
    let mut after = [0.0f32; Pulled::NUM_PARAMS];
    pulled.model.params_to_slice(&mut after);
    for i in 0..Pulled::NUM_PARAMS {
        let expected = theta[i] - 0.1 * (g[i] + 0.5 * (theta[i] - r[i]));
        assert!(
            (after[i] - expected).abs() < 1e-6,
            "parameter {i}: {} vs {expected}",
            after[i]
        );
    }

    let (mut zero, mut plain) = (new(), new());
    zero.train_step_toward(&x, &y, &Mse, &reference, 0.0);
    plain.train_step(&x, &y, &Mse);
    assert_eq!(zero.model, plain.model);

    // 200 steps: a strong pull ends nearer the reference than free training.
    let distance = |t: &PulledTrainer<Sgd, 4>| {
        let mut p = [0.0f32; Pulled::NUM_PARAMS];
        t.model.params_to_slice(&mut p);
        p.iter()
            .zip(&r)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    };
    let (mut strong, mut free) = (new(), new());
    for _ in 0..200 {
        strong.train_step_toward(&x, &y, &Mse, &reference, 5.0);
        free.train_step(&x, &y, &Mse);
    }
    assert!(
        distance(&strong) < distance(&free) / 4.0,
        "{} vs {}",
        distance(&strong),
        distance(&free)
    );
}

network! {
    /// A bottleneck sized by a constant, ending in a layer whose sizes the
    /// macro cannot compare (the loss does not fuse with it).
    NamedBottleneck = < Linear<6, FILTERS>, Linear<FILTERS, 6> >
}

#[test]
fn a_network_ending_in_a_constant_sized_layer_trains() {
    let mut t =
        NamedBottleneckTrainer::<Adam, 4>::new_boxed(Init::XavierUniform, Adam::new(1e-2), 2);
    let x: [[f32; 6]; 4] =
        std::array::from_fn(|i| std::array::from_fn(|j| ((i * 6 + j) as f32).sin()));
    let first = t.eval_loss(&x, &x, &Mse);
    for _ in 0..200 {
        t.train_step(&x, &x, &Mse);
    }
    assert!(t.eval_loss(&x, &x, &Mse) < first / 10.0);
}

network! {
    /// LeNet-5 with a residual block after its first pool: the summary's
    /// receptive fields are the course notes' §14.2 arithmetic.
    SummaryNet = <
        Input<1, 28, 28>,
        Conv2d<1, 6, 5, padding = 2>, ReLU, MaxPool2d<2>,
        Residual<Conv2d<6, 6, 3, padding = 1>, ReLU, Conv2d<6, 6, 3, padding = 1>>,
        Conv2d<6, 16, 5>, ReLU, MaxPool2d<2>,
        Flatten, Linear<400, 10>, Softmax,
    >
}

/// The receptive field of a row, as the compiler computed it.
const fn field(row: usize) -> Option<[usize; 2]> {
    SummaryNet::SUMMARY[row].receptive_field.size()
}

// Computed at compile time: these are constant evaluations.
const _: () = {
    assert!(matches!(field(0), Some([5, 5]))); // 5×5 convolution
    assert!(matches!(field(2), Some([6, 6]))); // + 2×2 pool, jump 2
    assert!(matches!(field(3), Some([10, 10]))); // + 3×3 at jump 2
    assert!(matches!(field(5), Some([14, 14]))); // + 3×3 at jump 2
    assert!(matches!(field(6), Some([14, 14]))); // the join: the larger branch
    assert!(matches!(field(7), Some([22, 22]))); // + 5×5 at jump 2
    assert!(matches!(field(9), Some([24, 24]))); // + 2×2 pool: jump 4
    assert!(matches!(field(10), Some([24, 24]))); // flatten keeps it
    assert!(field(11).is_none()); // a Linear sees everything
};

#[test]
fn the_summary_lists_every_layer_with_shape_parameters_and_receptive_field() {
    let rows = SummaryNet::SUMMARY;
    assert_eq!(rows.len(), 13);
    assert_eq!(
        (rows[0].name, rows[0].layer, rows[0].output, rows[0].params),
        (
            "conv2d0",
            "Conv2d<1, 6, 5, padding = 2>",
            &[6usize, 28, 28][..],
            6 * 25 + 6
        )
    );
    assert_eq!(
        (rows[6].name, rows[6].layer),
        ("residual3", "main + shortcut")
    );
    assert_eq!(rows[10].output, &[400]);
    assert_eq!(rows[11].receptive_field, nn::summary::ReceptiveField::Whole);
    let summary = SummaryNet::summary();
    assert_eq!(summary.params(), SummaryNet::NUM_PARAMS);
    let text = summary.to_string();
    assert!(text.starts_with("SummaryNet: 1×28×28 → 10\n"), "{text}");
    let row = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap_or("");
    assert!(
        row("maxpool2d2 ").contains(" MaxPool2d<2> ") && row("maxpool2d2 ").ends_with(" 6×6"),
        "{text}"
    );
    assert!(row("residual3 ").ends_with(" 14×14"), "{text}");
    assert_eq!(SummaryNet::NUM_PARAMS, 7242);
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("7,242 parameters; model"),
        "{text}"
    );
    // A model prints as its summary.
    let model = SummaryNet::new_boxed(Init::HeNormal, 1);
    assert_eq!(model.to_string(), text);
}

network! {
    /// A binary classifier with one sigmoid output.
    OneProbability = < Linear<2, 1>, Sigmoid >
}
network! {
    /// The same on a raw logit.
    OneLogit = < Linear<2, 1> >
}

/// `predict` on a one-output network is the class the output says (above
/// 0.5 after a sigmoid, above 0 for a logit), never a constant argmax.
#[test]
fn one_output_networks_predict_by_threshold() {
    assert_eq!(<OneProbability as Model>::THRESHOLD, 0.5);
    assert_eq!(<OneLogit as Model>::THRESHOLD, 0.0);
    let mut p = OneProbability::new_boxed(Init::XavierUniform, 1);
    p.linear0.weight = [[1.0], [0.0]];
    p.linear0.bias = [0.0];
    let mut l = OneLogit::new_boxed(Init::XavierUniform, 1);
    l.linear0.weight = [[1.0], [0.0]];
    l.linear0.bias = [0.0];
    for (x, class) in [
        ([2.0f32, 5.0], 1),
        ([-2.0, 5.0], 0),
        ([0.3, -1.0], 1),
        ([-0.3, 1.0], 0),
    ] {
        assert_eq!(p.predict(&x), class, "{x:?}");
        assert_eq!(l.predict(&x), class, "{x:?}");
    }
}

/// One-output networks train on the targets loaders return: `bool` or
/// `usize` labels for `Bce`, `f32` values for `Mse`; each is the same step
/// as the `[f32; 1]` target.
#[test]
fn one_output_networks_take_scalar_targets() {
    let x = [[1.0f32, 0.5], [-1.0, 0.2], [0.3, -2.0], [-0.7, -0.1]];
    let labels = [true, false, true, false];
    let as_arrays = labels.map(|l| [f32::from(u8::from(l))]);
    let new = || OneProbabilityTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    let (mut by_bool, mut by_index, mut by_array) = (new(), new(), new());
    for _ in 0..50 {
        by_bool.train_step(&x, &labels, &Bce);
        by_index.train_step(&x, &labels.map(usize::from), &Bce);
        by_array.train_step(&x, &as_arrays, &Bce);
    }
    assert_eq!(by_bool.model, by_array.model);
    assert_eq!(by_index.model, by_array.model);
    assert!((0..4).all(|i| by_bool.model.predict(&x[i]) == usize::from(labels[i])));

    let targets = [2.0f32, -1.0, 0.5, 0.0];
    let mut by_value = OneLogitTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 3);
    let mut by_vector = OneLogitTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 3);
    for _ in 0..20 {
        by_value.train_step(&x, &targets, &Mse);
        by_vector.train_step(&x, &targets.map(|t| [t]), &Mse);
    }
    assert_eq!(by_value.model, by_vector.model);
}

/// Evaluation over any number of rows: the model alone one sample at a
/// time, the trainer in whole batches plus the remainder; both agree with a
/// row-by-row computation, and bad lengths are typed errors.
#[test]
fn any_number_of_rows_evaluates_without_a_second_trainer() {
    let rng = &mut TrainRng::seed_from_u64(12);
    let x: Vec<[f32; 6]> = (0..67)
        .map(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)))
        .collect();
    let labels: Vec<usize> = (0..67).map(|i| i % 3).collect();
    let mut t = ClassifierTrainer::<Adam, 32>::new_boxed(Init::HeNormal, Adam::new(1e-2), 5);
    let by_row: f64 = x
        .iter()
        .zip(&labels)
        .map(|(x, l)| -(t.model.forward(x)[*l] as f64).ln())
        .sum::<f64>()
        / 67.0;
    let model_loss = t.model.mean_loss(&x, &labels, &CrossEntropy).unwrap();
    let trainer_loss = t.eval_loss_over(&x, &labels, &CrossEntropy).unwrap();
    assert!(
        (model_loss as f64 - by_row).abs() < 1e-5,
        "{model_loss} vs {by_row}"
    );
    assert!(
        (trainer_loss as f64 - by_row).abs() < 1e-5,
        "{trainer_loss} vs {by_row}"
    );

    let mut classes = vec![0usize; 67];
    t.model.predict_all(&x, &mut classes).unwrap();
    let right = classes.iter().zip(&labels).filter(|(c, l)| c == l).count();
    assert_eq!(t.model.accuracy(&x, &labels).unwrap(), right as f64 / 67.0);

    assert_eq!(
        t.model.accuracy(&x, &labels[..66]),
        Err(nn::model::EvalError::Lengths {
            samples: 67,
            targets: 66
        })
    );
    assert_eq!(
        t.eval_loss_over(&x[..0], &labels[..0], &CrossEntropy),
        Err(nn::model::EvalError::Empty)
    );
    assert!(t.model.predict_all(&x, &mut classes[..3]).is_err());
}

network! {
    /// Layers that mix samples (batch norm) and per-batch penalties.
    Normed = < Linear<4, 6>, BatchNorm1d<6>, ReLU, ActivityL1<0.01>, Linear<6, 3>, Softmax >
}

/// A short last batch: `train_batch` on the first 5 rows of 8-row buffers
/// (the rest arbitrary) takes the very step a 5-row trainer takes, batch
/// norm's statistics included; `Epochs` serves every row once per epoch.
#[test]
fn a_short_batch_trains_as_a_smaller_batch_would() {
    let rng = &mut TrainRng::seed_from_u64(40);
    let x: [[f32; 4]; 8] = std::array::from_fn(|i| {
        std::array::from_fn(|_| {
            if i < 5 {
                rng.random_range(-1.0..1.0)
            } else {
                100.0
            }
        })
    });
    let labels = [0usize, 1, 2, 1, 0, 2, 2, 2];
    let mut padded = NormedTrainer::<Sgd, 8>::new_boxed(Init::HeNormal, Sgd::new(0.1), 3);
    let mut small = NormedTrainer::<Sgd, 5>::new_boxed(Init::HeNormal, Sgd::new(0.1), 3);
    let (x5, labels5): ([[f32; 4]; 5], [usize; 5]) =
        (x[..5].try_into().unwrap(), labels[..5].try_into().unwrap());
    for _ in 0..3 {
        let a = padded.train_batch(&x, &labels, 5, &CrossEntropy);
        let b = small.train_step(&x5, &labels5, &CrossEntropy);
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    let (mut pa, mut pb) = ([0.0f32; Normed::NUM_PARAMS], [0.0f32; Normed::NUM_PARAMS]);
    padded.model.params_to_slice(&mut pa);
    small.model.params_to_slice(&mut pb);
    assert!(
        pa.iter().zip(&pb).all(|(a, b)| (a - b).abs() < 1e-5),
        "{pa:?}\n{pb:?}"
    );
    assert_eq!(
        padded.model.batchnorm1d1.running_mean,
        small.model.batchnorm1d1.running_mean
    );

    // 10 rows in batches of 4: 4 + 4 + 2, every row once; or 2 full batches.
    let rows: Vec<[f32; 4]> = (0..10).map(|i| [i as f32; 4]).collect();
    let targets: Vec<usize> = (0..10).collect();
    let mut order = [0usize; 10];
    let epochs = nn::data::batch::Epochs::new(&mut order);
    let (mut xb, mut tb) = ([[0.0f32; 4]; 4], [0usize; 4]);
    let mut seen = Vec::new();
    for k in 0..epochs.batches(4) {
        let n = epochs.gather(k, &rows, &targets, &mut xb, &mut tb);
        seen.extend_from_slice(&tb[..n]);
    }
    seen.sort();
    assert_eq!(seen, targets);
    assert_eq!(
        nn::data::batch::Epochs::new(&mut order)
            .drop_last()
            .batches(4),
        2
    );
}
