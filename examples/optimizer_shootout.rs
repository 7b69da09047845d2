//! Every first-order optimizer on the same network, data and seed: the UCI
//! 8×8 digits (`data/digits.csv.gz`, 1,797 images), an MLP 64-32-10 (ReLU,
//! softmax + cross-entropy), batch 32, 40 epochs over a seeded 80/20 split.
//!
//! `cargo run --release --example optimizer_shootout [-- --epochs N] [-- --plot PATH]`
//!
//! Prints a table of final training loss, test accuracy and time per
//! optimizer, and writes their training-loss curves to a PNG. Learning rates
//! are the usual defaults for each method, not tuned per method.
mod common;

use common::{Options, Panel, Result};
use nn::data::batch::{Epochs, split};
use nn::data::csv::{Header, load};
use nn::optim::Optimizer;
use nn::prelude::*;
use std::time::Instant;

network! {
    /// 64 → 32 → 10.
    pub Digits = < Linear<64, 32>, ReLU, Linear<32, 10>, Softmax >
}

const BATCH: usize = 32;
const SEED: u64 = 21;

struct Data {
    x: Vec<[f32; 64]>,
    y: Vec<usize>,
    train: Vec<usize>,
    test: Vec<usize>,
}

struct Run {
    losses: Vec<f64>,
    accuracy: f64,
    seconds: f64,
}

/// Trains from the same initial weights and the same batch order.
fn run<O: Optimizer>(optimizer: O, data: &Data, epochs: usize) -> Run {
    let mut trainer = DigitsTrainer::<O, BATCH>::new_boxed(Init::HeNormal, optimizer, SEED);
    let mut order = data.train.clone();
    let mut shuffled = Epochs::over(&mut order).drop_last();
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let (mut x, mut labels) = ([[0.0f32; 64]; BATCH], [0usize; BATCH]);
    let mut losses = Vec::new();
    let clock = Instant::now();
    for _ in 0..epochs {
        shuffled.shuffle(&mut rng);
        let batches = shuffled.batches(BATCH);
        let mut sum = 0.0;
        for b in 0..batches {
            shuffled.gather(b, &data.x, &data.y, &mut x, &mut labels);
            sum += trainer.train_step(&x, &labels, &CrossEntropy) as f64;
        }
        losses.push(sum / batches as f64);
    }
    let seconds = clock.elapsed().as_secs_f64();
    let correct = data
        .test
        .iter()
        .filter(|&&i| trainer.model.predict(&data.x[i]) == data.y[i])
        .count();
    Run {
        losses,
        accuracy: 100.0 * correct as f64 / data.test.len() as f64,
        seconds,
    }
}

fn main() -> Result<()> {
    let opts = Options::parse(40, "target/optimizer-shootout.png")?;
    let table = load(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv.gz"),
        Header::None,
    )?;
    let mut x: Vec<[f32; 64]> = table
        .rows_as()
        .ok_or("digits.csv.gz rows are not 64 wide")?;
    x.iter_mut().flatten().for_each(|v| *v /= 16.0);
    let y: Vec<usize> = table.targets.iter().map(|&t| t as usize).collect();
    let mut order = vec![0usize; x.len()];
    let (train, _, test) = split(
        &mut order,
        0.8,
        0.0,
        &mut rand::rngs::StdRng::seed_from_u64(SEED),
    );
    let data = Data {
        x,
        y,
        train: train.to_vec(),
        test: test.to_vec(),
    };
    println!(
        "UCI digits: {} training, {} test images; {} parameters",
        data.train.len(),
        data.test.len(),
        Digits::NUM_PARAMS
    );

    let e = opts.epochs;
    let runs: Vec<(&str, Run)> = vec![
        ("SGD (0.1)", run(Sgd::new(0.1), &data, e)),
        ("Momentum (0.05, β 0.9)", run(Momentum::new(0.05), &data, e)),
        (
            "Nesterov (0.05, β 0.9)",
            run(Momentum::nesterov(0.05), &data, e),
        ),
        ("AdaGrad (0.05)", run(AdaGrad::new(0.05), &data, e)),
        ("RMSProp (0.001)", run(RmsProp::new(1e-3), &data, e)),
        ("Adam (0.001)", run(Adam::new(1e-3), &data, e)),
        ("AMSGrad (0.001)", run(AmsGrad(Adam::new(1e-3)), &data, e)),
        ("AdamW (0.001, λ 0.01)", run(AdamW::new(1e-3), &data, e)),
    ];

    println!("\n| optimizer | final training loss | test accuracy | time |");
    println!("|---|---|---|---|");
    for (name, r) in &runs {
        println!(
            "| {name} | {:.4} | {:.2}% | {:.0} ms |",
            r.losses.last().expect("at least one epoch"),
            r.accuracy,
            r.seconds * 1e3
        );
    }
    common::plot(
        &[Panel::new(
            "training loss (cross-entropy)",
            runs.iter().map(|(n, r)| (*n, &r.losses)),
        )],
        &opts.plot,
    )?;
    println!("loss curves written to {}", opts.plot.display());
    Ok(())
}
