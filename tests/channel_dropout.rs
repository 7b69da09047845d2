//! `Dropout1d` and `Dropout2d` in `network!`: channel dropout trains, and
//! evaluation is the identity.
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    Images = < Input<1, 8, 8>, Conv2d<1, 4, 3>, ReLU, Dropout2d<0.25>, Flatten, Linear<144, 2>, Softmax >
}

network! {
    Sequences = < Input<2, 12>, Conv1d<2, 3, 3>, Tanh, Dropout1d, Flatten, Linear<30, 2>, Softmax >
}

#[test]
fn channel_dropout_networks_train_and_evaluate_deterministically() {
    let mut rng = TrainRng::seed_from_u64(5);
    let x: [[[[f32; 8]; 8]; 1]; 16] = std::array::from_fn(|_| {
        [std::array::from_fn(|_| {
            std::array::from_fn(|_| rng.random())
        })]
    });
    let labels: [usize; 16] = std::array::from_fn(|i| i % 2);
    let mut t = ImagesTrainer::<Adam, 16>::new_boxed(Init::HeNormal, Adam::new(0.01), 1);
    assert_eq!(t.model.dropout2d2.p(), 0.25);
    let first = t.eval_loss(&x, &labels, &CrossEntropy);
    for _ in 0..100 {
        t.train_step(&x, &labels, &CrossEntropy);
    }
    assert!(t.eval_loss(&x, &labels, &CrossEntropy) < first / 2.0);
    // Evaluation is deterministic: no dropout.
    assert_eq!(t.model.forward(&x[0]), t.model.forward(&x[0]));

    let s: [[[f32; 12]; 2]; 16] =
        std::array::from_fn(|_| std::array::from_fn(|_| std::array::from_fn(|_| rng.random())));
    let mut t = SequencesTrainer::<Adam, 16>::new_boxed(Init::HeNormal, Adam::new(0.01), 2);
    assert_eq!(t.model.dropout1d2.p(), 0.5);
    let first = t.eval_loss(&s, &labels, &CrossEntropy);
    for _ in 0..100 {
        t.train_step(&s, &labels, &CrossEntropy);
    }
    assert!(t.eval_loss(&s, &labels, &CrossEntropy) < first / 2.0);
}
