//! What `network!` generates: constants, forward passes equal to the
//! hand-written chain, and a train step whose update is the true gradient
//! (checked by finite differences of the loss through the whole network).
use nn::prelude::*;
use nn::rand::rngs::SmallRng;

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
    ($trainer:ident, $in:literal, $targets:expr, $loss:expr) => {{
        let mut rng = SmallRng::seed_from_u64(5);
        let x: [[f32; $in]; 4] =
            std::array::from_fn(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)));
        let targets = $targets;
        let mut t = $trainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(1.0), 11);
        let before = t.model;
        t.train_step(&x, &targets, &$loss);
        let after = t.model;
        let analytic: Vec<f64> = before
            .params()
            .concat()
            .iter()
            .zip(after.params().concat())
            .map(|(b, a)| (*b - a) as f64)
            .collect();
        let mut probe = $trainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(1.0), 11);
        let scale = analytic.iter().fold(1e-3f64, |m, v| m.max(v.abs()));
        for i in 0..analytic.len() {
            let mut loss_at = |delta: f32| {
                let mut m = before;
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
            let numeric = (loss_at(H) - loss_at(-H)) / (2.0 * H as f64);
            assert!(
                (analytic[i] - numeric).abs() <= 1e-2 * scale,
                "{}: parameter {i}: step gave {}, finite difference {numeric}",
                stringify!($trainer),
                analytic[i]
            );
        }
    }};
}

network! {
    /// Linear regression: a single dense layer.
    LinearRegression = < Linear<3, 2> >
}

#[test]
fn a_single_layer_step_is_the_true_gradient() {
    check_train_step_gradient!(LinearRegressionTrainer, 3, [[1.0f32, -1.0]; 4], Mse);
}

#[test]
fn constants_follow_the_layer_list() {
    assert_eq!(Classifier::NUM_PARAMS, 6 * 5 + 5 + 5 * 3 + 3);
    assert_eq!((Classifier::INPUTS, Classifier::OUTPUTS), (6, 3));
    assert_eq!(Regressor::INPUTS, 3);
    assert_eq!(Classifier::MODEL_BYTES, Classifier::NUM_PARAMS * 4);
    assert_eq!(
        ClassifierTrainer::<Sgd, 8>::TRAIN_STATE_BYTES,
        size_of::<ClassifierTrainer<Sgd, 8>>()
    );
    assert_eq!(ClassifierTrainer::<Sgd, 8>::BATCH, 8);
}

#[test]
fn forward_equals_the_hand_written_chain() {
    let m = Binary::new_boxed(Init::HeUniform, &mut SmallRng::seed_from_u64(1));
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
    check_train_step_gradient!(ClassifierTrainer, 6, [0usize, 2, 1, 2], CrossEntropy);
    let soft = [[0.2f32, 0.5, 0.3]; 4];
    check_train_step_gradient!(ClassifierTrainer, 6, soft, CrossEntropy);
}

#[test]
fn softmax_with_a_loss_lacking_a_fused_form_is_the_true_gradient() {
    check_train_step_gradient!(ClassifierTrainer, 6, [[0.0f32, 1.0, 0.0]; 4], Mse);
}

#[test]
fn sigmoid_bce_step_is_the_true_gradient() {
    check_train_step_gradient!(
        BinaryTrainer,
        4,
        [[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]],
        Bce
    );
}

#[test]
fn regression_steps_are_the_true_gradient() {
    let t = [[0.5f32, -0.5], [1.0, 0.0], [0.0, 0.3], [-1.0, 2.0]];
    check_train_step_gradient!(RegressorTrainer, 3, t, Mse);
    check_train_step_gradient!(RegressorTrainer, 3, t, L1);
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
    let mut rng = SmallRng::seed_from_u64(8);
    let x: [[f32; 6]; 4] =
        std::array::from_fn(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)));
    let targets = [0usize, 1, 2, 1];
    let step = |regularization: nn::regularize::Regularization| {
        let mut t = ClassifierTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(1.0), 3);
        t.regularization = regularization;
        let before = t.model;
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

    let (_, l2) = step(nn::regularize::Regularization {
        l2: 0.1,
        ..Default::default()
    });
    // Layer 0: 30 weights then 5 biases; layer 1: 15 weights then 3 biases.
    let is_weight = |i: usize| i < 30 || (35..50).contains(&i);
    for i in 0..theta.len() {
        let extra = if is_weight(i) { 0.1 * theta[i] } else { 0.0 };
        assert!((l2[i] - plain[i] - extra).abs() < 1e-5, "parameter {i}");
    }

    let (_, clipped) = step(nn::regularize::Regularization {
        clip_norm: 0.05,
        ..Default::default()
    });
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(
        norm(&plain) > 0.05,
        "the test needs a gradient larger than the clip"
    );
    assert!((norm(&clipped) - 0.05).abs() < 1e-5);
    let (_, by_value) = step(nn::regularize::Regularization {
        clip_value: 1e-3,
        ..Default::default()
    });
    assert!(by_value.iter().all(|d| d.abs() <= 1e-3 + 1e-7));
}

#[test]
fn ema_and_early_stopping_work_on_generated_models() {
    use nn::averaging::{EarlyStopping, Ema, Parameters, Verdict};
    let mut t = ClassifierTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.5), 3);
    let x = [[0.5f32; 6]; 4];
    let y = [0usize, 1, 2, 0];
    let mut average = Classifier::new_boxed(Init::XavierUniform, &mut SmallRng::seed_from_u64(0));
    average.copy_params_from(&t.model);
    let mut best = Classifier::new_boxed(Init::XavierUniform, &mut SmallRng::seed_from_u64(0));
    let mut stop = EarlyStopping::new(2);

    let start = t.model;
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
    let saved = t.model;
    t.train_step(&x, &y, &CrossEntropy);
    assert_eq!(stop.observe(1.5, &t.model, &mut best), Verdict::Wait);
    assert_eq!(stop.observe(1.2, &t.model, &mut best), Verdict::Stop);
    assert!(t.model != saved);
    stop.restore(&mut t.model, &best);
    assert!(t.model == saved, "the best weights come back bit for bit");
}
