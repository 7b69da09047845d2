//! Levenberg–Marquardt against Adam on a small regression MLP: 1-16-1 (tanh)
//! fitting y = sin(x) from 64 noisy samples on [−π, π].
//!
//! `cargo run --release --example levenberg_marquardt`
//!
//! Both start from the same initial weights. LM takes full-batch steps
//! `(JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr` with the 64 × 49 Jacobian from
//! backpropagating each sample's output; Adam takes full-batch gradient
//! steps. Prints the training MSE of both at matching iteration counts and
//! the wall time each needed.
use nn::loss::Output;
use nn::optim::{LeastSquares, SecondOrder};
use nn::prelude::*;
use nn::rng::TrainRng;
use std::time::Instant;

network! {
    /// 1 → 16 (tanh) → 1: 49 parameters.
    pub Sine = < Linear<1, 16>, Tanh, Linear<16, 1> >
}

const SAMPLES: usize = 64;
const PARAMS: usize = Sine::NUM_PARAMS;

/// The fit's residuals `f(xᵢ) − yᵢ` and their gradients, through a
/// batch-1 trainer (one backward pass per sample).
struct Fit<'a> {
    row: &'a mut SineTrainer<Sgd, 1>,
    x: &'a [[f32; 1]; SAMPLES],
    y: &'a [[f32; 1]; SAMPLES],
}

impl LeastSquares<PARAMS> for Fit<'_> {
    fn residuals(&mut self, theta: &[f32; PARAMS], row: &mut dyn FnMut(f64, &[f32; PARAMS])) {
        self.row.model.params_from_slice(theta);
        let mut grad = [0.0f32; PARAMS];
        for (x, y) in self.x.iter().zip(self.y) {
            let out = self.row.gradient(&[*x], &[0], &Output, &mut grad);
            row((out - y[0]) as f64, &grad);
        }
    }

    fn loss(&mut self, theta: &[f32; PARAMS]) -> f64 {
        self.row.model.params_from_slice(theta);
        let model = &self.row.model;
        let sum: f64 = self
            .x
            .iter()
            .zip(self.y)
            .map(|(x, y)| ((model.forward(x)[0] - y[0]) as f64).powi(2))
            .sum();
        0.5 * sum
    }
}

fn main() {
    let mut rng = TrainRng::seed_from_u64(11);
    let x: [[f32; 1]; SAMPLES] = std::array::from_fn(|i| {
        [-std::f32::consts::PI + 2.0 * std::f32::consts::PI * i as f32 / (SAMPLES - 1) as f32]
    });
    let y: [[f32; 1]; SAMPLES] =
        std::array::from_fn(|i| [x[i][0].sin() + rng.random_range(-0.05..0.05)]);
    let mse = |model: &Sine| {
        x.iter()
            .zip(&y)
            .map(|(x, y)| ((model.forward(x)[0] - y[0]) as f64).powi(2))
            .sum::<f64>()
            / SAMPLES as f64
    };

    // Adam, full batch, from the same start.
    let mut adam = SineTrainer::<Adam, SAMPLES>::new_boxed(Init::XavierUniform, Adam::new(0.01), 5);
    let start = adam.model.clone();
    println!("start: training MSE {:.5}", mse(&start));
    let checkpoints = [10, 30, 100, 1000, 10_000];
    let clock = Instant::now();
    let mut adam_mse = Vec::new();
    for step in 1..=*checkpoints.last().unwrap() {
        adam.train_step(&x, &y, &Mse);
        if checkpoints.contains(&step) {
            adam_mse.push((step, mse(&adam.model), clock.elapsed().as_secs_f64()));
        }
    }

    // Levenberg–Marquardt from the same start.
    let mut row = SineTrainer::<Sgd, 1>::new_boxed(Init::XavierUniform, Sgd::new(0.0), 5);
    row.model = start.clone();
    let mut theta = [0.0f32; PARAMS];
    start.params_to_slice(&mut theta);
    let mut lm = SecondOrder::<PARAMS>::levenberg_marquardt(1e-2);
    let mut fit = Fit {
        row: &mut row,
        x: &x,
        y: &y,
    };
    let clock = Instant::now();
    let mut lm_mse = Vec::new();
    for step in 1..=30 {
        lm.least_squares_step(&mut theta, &mut fit)
            .expect("damped systems are positive definite");
        if [10, 30].contains(&step) {
            let mut model = start.clone();
            model.params_from_slice(&theta);
            lm_mse.push((step, mse(&model), clock.elapsed().as_secs_f64()));
        }
    }

    println!("\n| method | iterations | training MSE | time |");
    println!("|---|---|---|---|");
    for (step, m, t) in &lm_mse {
        println!(
            "| Levenberg–Marquardt | {step} | {m:.6} | {:.1} ms |",
            t * 1e3
        );
    }
    for (step, m, t) in &adam_mse {
        println!("| Adam (lr 0.01) | {step} | {m:.6} | {:.1} ms |", t * 1e3);
    }
    let (lm_final, adam_final) = (lm_mse.last().unwrap().1, adam_mse.last().unwrap().1);
    println!(
        "\nLM after 30 iterations: MSE {lm_final:.6}; Adam after 10,000: {adam_final:.6} (the noise variance is {:.6})",
        0.05f64 * 0.05 / 3.0
    );
}
