//! Linear regression on the diabetes data set, two ways: the closed-form
//! normal equations (solved by Cholesky) and gradient descent on the
//! one-layer network `< Linear<10, 1> >`. They agree; both report test MSE
//! and R².
//!
//! `cargo run --release --example linear_regression`
use nn::data::batch::{Standardizer, split};
use nn::data::csv::{Header, load};
use nn::linalg::normal_equations;
use nn::metrics::{mse, r2};
use nn::prelude::*;
use nn::rng::TrainRng;
use std::error::Error;

network! {
    /// Linear regression: one dense layer, no activation.
    Regression = < Linear<10, 1> >
}

const TRAIN: usize = 353; // 80% of 442

fn main() -> Result<(), Box<dyn Error>> {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/diabetes.csv"),
        Header::Counts,
    )?;
    let rows: Vec<[f32; 10]> = table.rows_as().ok_or("diabetes.csv has 10 features")?;
    let mut order = vec![0usize; rows.len()];
    let (train, _, test) = split(
        &mut order,
        TRAIN as f32 / rows.len() as f32,
        0.0,
        &mut TrainRng::seed_from_u64(1),
    );
    let pick = |idx: &[usize]| -> (Vec<[f32; 10]>, Vec<f32>) {
        (
            idx.iter().map(|&i| rows[i]).collect(),
            idx.iter().map(|&i| table.targets[i]).collect(),
        )
    };
    let ((mut x_train, y_train), (mut x_test, y_test)) = (pick(train), pick(test));
    let scaler = Standardizer::fit(&x_train);
    scaler.apply(&mut x_train);
    scaler.apply(&mut x_test);

    // Closed form.
    let (mut gram, mut theta) = (vec![0.0f64; 11 * 11], vec![0.0f64; 11]);
    normal_equations(&x_train, &y_train, &mut gram, &mut theta)?;

    // Gradient descent: full-batch SGD with Nesterov momentum on the MSE.
    let mut trainer = RegressionTrainer::<Momentum, TRAIN>::new_boxed(
        Init::XavierUniform,
        Momentum::nesterov(0.05),
        1,
    );
    let x_batch: Box<[[f32; 10]; TRAIN]> = x_train
        .clone()
        .into_boxed_slice()
        .try_into()
        .expect("TRAIN rows");
    let targets: Box<[[f32; 1]; TRAIN]> = y_train
        .iter()
        .map(|&y| [y])
        .collect::<Vec<_>>()
        .into_boxed_slice()
        .try_into()
        .expect("TRAIN rows");
    for _ in 0..20_000 {
        trainer.train_step(&x_batch, &targets, &Mse);
    }
    let fc = trainer.model.linear0;

    println!("coefficient   normal equations   gradient descent");
    for (j, name) in [
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
    ]
    .iter()
    .enumerate()
    {
        println!(
            "{name:>11}   {:>16.3}   {:>16.3}",
            theta[j], fc.weight[j][0]
        );
    }
    println!(
        "{:>11}   {:>16.3}   {:>16.3}",
        "intercept", theta[10], fc.bias[0]
    );

    let closed = |x: &[f32; 10]| {
        (0..10).map(|j| theta[j] * x[j] as f64).sum::<f64>() as f32 + theta[10] as f32
    };
    let report = |name: &str, predict: &dyn Fn(&[f32; 10]) -> f32| {
        let p: Vec<f32> = x_test.iter().map(predict).collect();
        println!(
            "{name}: test MSE {:.1}, R² {:.3}",
            mse(&p, &y_test),
            r2(&p, &y_test)
        );
    };
    report("normal equations", &closed);
    report("gradient descent", &|x| trainer.model.forward(x)[0]);
    Ok(())
}
