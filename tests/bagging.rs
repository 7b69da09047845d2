//! Bagging on the UCI 8×8 digits: five MLPs, each trained on its own
//! bootstrap resample of the training rows, averaged; the ensemble's test
//! error is no worse than its average member's.
use nn::data::batch::{Epochs, bootstrap};
use nn::prelude::*;
use nn::rng::TrainRng;
use nn::train::bagging::average;

#[path = "common/digits.rs"]
mod digits;
use digits::{DigitsData, load_digits};

network! {
    Digits = < Linear<64, 32>, ReLU, Linear<32, 10>, Softmax >
}

const MEMBERS: usize = 5;
const B: usize = 32;

#[test]
fn the_bagged_ensemble_errs_no_more_than_its_average_member() {
    let DigitsData { x, y, train, test } = load_digits(21);
    let rng = &mut TrainRng::seed_from_u64(22);

    let mut members = Vec::new();
    for m in 0..MEMBERS {
        let mut sample = vec![0usize; train.len()];
        bootstrap(&train, &mut sample, rng);
        let mut t = DigitsTrainer::<Adam, B>::new_boxed(Init::HeNormal, Adam::new(3e-3), m as u64);
        let mut epochs = Epochs::over(&mut sample).drop_last();
        let (mut xb, mut yb) = ([[0.0f32; 64]; B], [0usize; B]);
        for _ in 0..15 {
            epochs.shuffle(rng);
            for b in 0..epochs.batches(B) {
                epochs.gather(b, &x, &y, &mut xb, &mut yb);
                t.train_step(&xb, &yb, &CrossEntropy);
            }
        }
        members.push(t);
    }
    let error = |predict: &dyn Fn(&[f32; 64]) -> usize| {
        test.iter().filter(|&&i| predict(&x[i]) != y[i]).count() as f64 / test.len() as f64
    };
    let member_errors: Vec<f64> = members
        .iter()
        .map(|t| error(&|x| t.model.predict(x)))
        .collect();
    let mean_member = member_errors.iter().sum::<f64>() / MEMBERS as f64;
    let ensemble = error(&|x| {
        let outputs: [[f32; 10]; MEMBERS] = std::array::from_fn(|m| members[m].model.forward(x));
        argmax(&average(&outputs))
    });
    eprintln!(
        "bagging, UCI digits: member test errors {:?}, mean {:.2}%, ensemble of {MEMBERS} {:.2}%",
        member_errors
            .iter()
            .map(|e| format!("{:.2}%", 100.0 * e))
            .collect::<Vec<_>>(),
        100.0 * mean_member,
        100.0 * ensemble
    );
    assert!(
        ensemble <= mean_member,
        "ensemble {ensemble} > mean member {mean_member}"
    );
}
