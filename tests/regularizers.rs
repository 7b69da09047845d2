//! The course notes' regularizers that act on more than the weights'
//! gradient: noise injected into the weights, and an L1 penalty on a layer's
//! activations (representation sparsity), on the UCI 8×8 digits.
use nn::data::batch::Epochs;
use nn::prelude::*;
use nn::rng::TrainRng;
use nn::train::regularize::{perturb_weights, weight_noise_seed};

#[path = "common/digits.rs"]
mod digits;
use digits::{DigitsData, load_digits};

const B: usize = 32;

network! {
    Tiny = < Input<3>, Linear<3, 5>, Tanh, Linear<5, 2> >
}

#[test]
fn a_noisy_step_takes_the_gradient_at_perturbed_weights_and_updates_the_clean_ones() {
    const SIGMA: f32 = 0.3;
    const LR: f32 = 0.5;
    let x = [[0.5f32, -1.0, 2.0], [1.5, 0.2, -0.7]];
    let y = [[1.0f32, -1.0], [0.0, 2.0]];
    let mut noisy = TinyTrainer::<Sgd, 2>::new_boxed(Init::XavierUniform, Sgd::new(LR), 9);
    noisy.regularization.weight_noise = SIGMA;
    let clean_start = noisy.model.clone();
    let mut reference = TinyTrainer::<Sgd, 2>::new_boxed(Init::XavierUniform, Sgd::new(LR), 9);
    let mut gradient_at = |model: &Tiny| {
        reference.model = model.clone();
        let mut g = vec![0.0f32; Tiny::NUM_PARAMS];
        reference.gradient(&x, &y, &Mse, &mut g);
        g
    };
    let clean_gradient = gradient_at(&clean_start);
    let mut perturbed = clean_start.clone();
    {
        // Weights only: the first I·O entries of each Linear's tensor.
        let [l0, l1] = perturbed.params_mut();
        perturb_weights(&mut [(l0, 15), (l1, 10)], SIGMA, weight_noise_seed(9, 0));
    }
    let noisy_gradient = gradient_at(&perturbed);

    noisy.train_step(&x, &y, &Mse);
    let after: Vec<f32> = noisy.model.params().concat();
    let start: Vec<f32> = clean_start.params().concat();
    for ((a, w), g) in after.iter().zip(&start).zip(&noisy_gradient) {
        assert!((a - (w - LR * g)).abs() < 1e-5, "{a} vs {}", w - LR * g);
    }
    let differs = noisy_gradient
        .iter()
        .zip(&clean_gradient)
        .filter(|(a, b)| (*a - *b).abs() > 1e-3)
        .count();
    assert!(
        differs > 10,
        "the noise changed {differs} gradient components"
    );
}

#[test]
fn weight_noise_is_reproducible_and_removed_after_each_step() {
    let x = [[0.5f32, -1.0, 2.0], [1.5, 0.2, -0.7]];
    let y = [[1.0f32, -1.0], [0.0, 2.0]];
    let run = |sigma: f32, lr: f32| {
        let mut t = TinyTrainer::<Sgd, 2>::new_boxed(Init::XavierUniform, Sgd::new(lr), 1);
        t.regularization.weight_noise = sigma;
        let start = t.model.params().concat();
        for _ in 0..20 {
            t.train_step(&x, &y, &Mse);
        }
        (start, t.model.params().concat())
    };
    let (_, noisy) = run(0.1, 0.1);
    assert_eq!(
        noisy,
        run(0.1, 0.1).1,
        "the same seed trains bit-identically"
    );
    assert_ne!(noisy, run(0.0, 0.1).1, "the noise changes the gradients");
    // With no update, twenty perturb-and-restore rounds leave the weights
    // where they started, up to rounding.
    let (start, still) = run(0.1, 0.0);
    for (a, b) in start.iter().zip(&still) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
    }
}

network! {
    Classifier = < Linear<64, 32>, ReLU, Linear<32, 10>, Softmax >
}

/// Trains the classifier on the digits with weight noise `sigma` (seeded).
fn train_classifier(sigma: f32) -> Box<ClassifierTrainer<Adam, B>> {
    let DigitsData {
        x, y, mut train, ..
    } = load_digits(4);
    let mut t = ClassifierTrainer::<Adam, B>::new_boxed(Init::HeNormal, Adam::new(3e-3), 2);
    t.regularization.weight_noise = sigma;
    let rng = &mut TrainRng::seed_from_u64(8);
    let mut epochs = Epochs::over(&mut train).drop_last();
    let (mut xb, mut yb) = ([[0.0f32; 64]; B], [0usize; B]);
    for _ in 0..40 {
        epochs.shuffle(rng);
        for b in 0..epochs.batches(B) {
            epochs.gather(b, &x, &y, &mut xb, &mut yb);
            t.train_step(&xb, &yb, &CrossEntropy);
        }
    }
    t
}

/// Mean test cross-entropy of `model`, and its mean over `draws` copies
/// whose weights carry `N(0, σ²)` noise.
fn loss_and_perturbed_loss(model: &Classifier, sigma: f32, draws: u64) -> (f64, f64) {
    let DigitsData { x, y, test, .. } = load_digits(4);
    let loss = |m: &Classifier| {
        test.iter()
            .map(|&i| -(m.forward(&x[i])[y[i]].max(1e-12) as f64).ln())
            .sum::<f64>()
            / test.len() as f64
    };
    let perturbed = (0..draws)
        .map(|d| {
            let mut m = model.clone();
            let [l0, l1] = m.params_mut();
            perturb_weights(&mut [(l0, 64 * 32), (l1, 32 * 10)], sigma, 100 + d);
            loss(&m)
        })
        .sum::<f64>()
        / draws as f64;
    (loss(model), perturbed)
}

/// The notes: noise on the weights pushes training toward regions where
/// the loss is flat, so the network tolerates perturbed weights.
#[test]
fn training_with_weight_noise_makes_the_network_robust_to_perturbed_weights() {
    const SIGMA: f32 = 0.2;
    let clean = train_classifier(0.0);
    let noisy = train_classifier(SIGMA);
    let (clean_loss, clean_perturbed) = loss_and_perturbed_loss(&clean.model, SIGMA, 10);
    let (noisy_loss, noisy_perturbed) = loss_and_perturbed_loss(&noisy.model, SIGMA, 10);
    eprintln!(
        "test cross-entropy: clean-trained {clean_loss:.4} → {clean_perturbed:.4} with σ = {SIGMA} weight noise; \
         noise-trained {noisy_loss:.4} → {noisy_perturbed:.4}"
    );
    assert!(
        noisy_loss < 0.2,
        "the noise-trained network still learns: {noisy_loss}"
    );
    assert!(
        noisy_perturbed < clean_perturbed
            && noisy_perturbed - noisy_loss < 0.7 * (clean_perturbed - clean_loss),
        "perturbing the weights costs the noise-trained network less"
    );
}

network! {
    SparseCoder = < Linear<64, 64>, ReLU, ActivityL1<0.01>, Linear<64, 64> >
}
network! {
    DenseCoder = < Linear<64, 64>, ReLU, Linear<64, 64> >
}

/// What a code looks like on the test digits: the mean fraction of its
/// units that are exactly zero, the mean fraction of encoder weights below
/// 1e-3 in magnitude, and the mean squared reconstruction error.
struct CodeStats {
    zero_units: f64,
    small_weights: f64,
    mse: f64,
}

fn stats(encoder: &Linear<64, 64>, reconstruct: &dyn Fn(&[f32; 64]) -> [f32; 64]) -> CodeStats {
    let DigitsData { x, test, .. } = load_digits(4);
    let zero_units = test
        .iter()
        .map(|&i| {
            ReLU.forward(&encoder.forward(&x[i]))
                .iter()
                .filter(|&&h| h == 0.0)
                .count()
        })
        .sum::<usize>() as f64
        / (64 * test.len()) as f64;
    let weights = &encoder.params()[..64 * 64];
    let small_weights =
        weights.iter().filter(|w| w.abs() < 1e-3).count() as f64 / weights.len() as f64;
    let mse = test
        .iter()
        .map(|&i| {
            let r = reconstruct(&x[i]);
            r.iter()
                .zip(&x[i])
                .map(|(a, b)| ((a - b) * (a - b)) as f64)
                .sum::<f64>()
                / 64.0
        })
        .sum::<f64>()
        / test.len() as f64;
    CodeStats {
        zero_units,
        small_weights,
        mse,
    }
}

/// Trains an autoencoder with `step` on the training digits (seeded order).
fn train_coder(mut step: impl FnMut(&[[f32; 64]; B])) {
    let DigitsData { x, mut train, .. } = load_digits(4);
    let rng = &mut TrainRng::seed_from_u64(8);
    let mut epochs = Epochs::over(&mut train).drop_last();
    let mut xb = [[0.0f32; 64]; B];
    for _ in 0..60 {
        epochs.shuffle(rng);
        for b in 0..epochs.batches(B) {
            epochs.gather(b, &x, &x, &mut xb, &mut [[0.0f32; 64]; B]);
            step(&xb);
        }
    }
}

/// The notes contrast representation sparsity with weight sparsity: the
/// L1 penalty on the hidden code switches most units off for each input
/// while the weights stay dense, and the code still reconstructs.
#[test]
fn an_l1_penalty_on_activations_makes_the_code_sparse_not_the_weights() {
    let mut sparse = SparseCoderTrainer::<Adam, B>::new_boxed(Init::HeNormal, Adam::new(3e-3), 5);
    train_coder(|xb| {
        sparse.train_step(xb, xb, &Mse);
    });
    let mut dense = DenseCoderTrainer::<Adam, B>::new_boxed(Init::HeNormal, Adam::new(3e-3), 5);
    train_coder(|xb| {
        dense.train_step(xb, xb, &Mse);
    });
    let s = stats(&sparse.model.linear0, &|x| sparse.model.forward(x));
    let d = stats(&dense.model.linear0, &|x| dense.model.forward(x));
    let DigitsData { x, train, .. } = load_digits(4);
    let mut mean = [0.0f32; 64];
    train.iter().for_each(|&i| {
        mean.iter_mut()
            .zip(&x[i])
            .for_each(|(m, v)| *m += v / train.len() as f32)
    });
    let baseline = stats(&dense.model.linear0, &|_| mean).mse;
    eprintln!(
        "hidden units off per digit: {:.1}% with ActivityL1, {:.1}% without; \
         encoder weights below 1e-3: {:.1}% / {:.1}%; reconstruction MSE {:.4} / {:.4} (the mean digit: {:.4})",
        100.0 * s.zero_units,
        100.0 * d.zero_units,
        100.0 * s.small_weights,
        100.0 * d.small_weights,
        s.mse,
        d.mse,
        baseline
    );
    assert!(
        s.zero_units > 0.75 && s.zero_units > d.zero_units + 0.2,
        "the code is sparse"
    );
    assert!(s.small_weights < 0.05, "the weights are not");
    assert!(s.mse < 0.3 * baseline, "the sparse code still reconstructs");
}
