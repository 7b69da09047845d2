//! The course's classic models on real data: linear regression on the
//! diabetes set, by the normal equations and by gradient descent through
//! `network!`, must agree.
use nn::batch::{Standardizer, split};
use nn::data::csv::{Header, load};
use nn::linalg::normal_equations;
use nn::metrics::r2;
use nn::prelude::*;
use nn::rand::rngs::SmallRng;

network! {
    Regression = < Linear<10, 1> >
}

const TRAIN: usize = 353;

#[test]
fn normal_equations_and_gradient_descent_agree_on_diabetes() {
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/diabetes.csv"),
        Header::Counts,
    )
    .unwrap();
    let rows: Vec<[f32; 10]> = (0..table.rows())
        .map(|i| table.row(i).try_into().unwrap())
        .collect();
    let mut order = vec![0usize; rows.len()];
    let (train, _, test) = split(
        &mut order,
        TRAIN as f32 / rows.len() as f32,
        0.0,
        &mut SmallRng::seed_from_u64(1),
    );
    assert_eq!(train.len(), TRAIN);
    let mut x: Vec<[f32; 10]> = train.iter().map(|&i| rows[i]).collect();
    let y: Vec<f32> = train.iter().map(|&i| table.targets[i]).collect();
    let mut x_test: Vec<[f32; 10]> = test.iter().map(|&i| rows[i]).collect();
    let y_test: Vec<f32> = test.iter().map(|&i| table.targets[i]).collect();
    let scaler = Standardizer::fit(&x);
    scaler.apply(&mut x);
    scaler.apply(&mut x_test);

    let (mut gram, mut theta) = (vec![0.0f64; 121], vec![0.0f64; 11]);
    normal_equations(&x, &y, &mut gram, &mut theta).unwrap();

    let mut t = RegressionTrainer::<Momentum, TRAIN>::new_boxed(
        Init::XavierUniform,
        Momentum::nesterov(0.05),
        1,
    );
    let xb: Box<[[f32; 10]; TRAIN]> = x.clone().into_boxed_slice().try_into().unwrap();
    let yb: Box<[[f32; 1]; TRAIN]> = y
        .iter()
        .map(|&v| [v])
        .collect::<Vec<_>>()
        .into_boxed_slice()
        .try_into()
        .unwrap();
    for _ in 0..20_000 {
        t.train_step(&xb, &yb, &Mse);
    }
    let fc = t.model.linear0;
    let gd: Vec<f64> = fc
        .weight
        .iter()
        .map(|w| w[0] as f64)
        .chain([fc.bias[0] as f64])
        .collect();
    for (j, (a, b)) in theta.iter().zip(&gd).enumerate() {
        assert!(
            (a - b).abs() < 1e-2 * (1.0 + a.abs()),
            "coefficient {j}: normal equations {a}, gradient descent {b}"
        );
    }
    let predictions: Vec<f32> = x_test.iter().map(|x| t.model.forward(x)[0]).collect();
    let score = r2(&predictions, &y_test);
    assert!(score > 0.25, "test R² {score}");
}
