//! Trains the design's MLP on the vendored 10k MNIST digits.
//!
//! `cargo run --release --example mnist [-- --epochs N] [-- --plot PATH]`
//!
//! Seeded 8k/2k train/test split, per-epoch shuffling, mini-batch SGD with
//! the fused softmax + cross-entropy gradient. Prints loss, accuracies and
//! epoch time, and writes a PNG of the curves.
use indicatif::{ProgressBar, ProgressStyle};
use nn::batch::Epochs;
use nn::data::idx;
use nn::prelude::*;
use plotters::prelude::*;
use rand::seq::SliceRandom;
use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

network! {
    /// The design's network: 784 → 128 → 10 with dropout.
    pub Mnist = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax >
}

const BATCH: usize = 32;
const TRAIN: usize = 8000;
const SEED: u64 = 42;

struct Options {
    epochs: usize,
    plot: PathBuf,
}

fn options() -> Result<Options, Box<dyn Error>> {
    let mut opts = Options {
        epochs: 30,
        plot: PathBuf::from("target/mnist-training.png"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--epochs" => opts.epochs = args.next().ok_or("--epochs needs a number")?.parse()?,
            "--plot" => opts.plot = args.next().ok_or("--plot needs a path")?.into(),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (expected --epochs N or --plot PATH)"
                )
                .into());
            }
        }
    }
    Ok(opts)
}

/// Share of `indices` that the model classifies correctly, in percent.
fn accuracy(model: &Mnist, data: &idx::Labeled<784>, indices: &[usize]) -> f64 {
    let correct = indices
        .iter()
        .filter(|&&i| model.predict(&data.images[i]) == data.labels[i] as usize)
        .count();
    100.0 * correct as f64 / indices.len() as f64
}

struct Epoch {
    loss: f64,
    train_acc: f64,
    test_acc: f64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let opts = options()?;
    let root = env!("CARGO_MANIFEST_DIR");
    let data = idx::load_labeled::<784>(
        format!("{root}/data/mnist10k-images-idx3-ubyte.gz"),
        format!("{root}/data/mnist10k-labels-idx1-ubyte.gz"),
    )?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut rng);
    let (mut train, test) = (order[..TRAIN].to_vec(), order[TRAIN..].to_vec());
    println!(
        "MNIST: {} training and {} test digits; {} parameters",
        train.len(),
        test.len(),
        Mnist::NUM_PARAMS
    );

    let mut trainer = MnistTrainer::<Sgd, BATCH>::new_boxed(Init::HeNormal, Sgd::new(0.2), SEED);
    let classes: Vec<usize> = data.labels.iter().map(|&l| l as usize).collect();
    let mut x = Box::new([[0.0f32; 784]; BATCH]);
    let mut labels = [0usize; BATCH];
    let mut epochs = Epochs::over(&mut train);
    let batches = epochs.batches(BATCH);
    let style =
        ProgressStyle::with_template("epoch {prefix:>2} {bar:30} {pos}/{len} batches, loss {msg}")?;
    let mut history = Vec::new();

    for epoch in 1..=opts.epochs {
        let start = Instant::now();
        epochs.shuffle(&mut rng);
        let bar = ProgressBar::new(batches as u64)
            .with_style(style.clone())
            .with_prefix(epoch.to_string());
        let mut loss_sum = 0.0f64;
        for b in 0..batches {
            epochs.gather(b, &data.images, &classes, &mut x, &mut labels);
            loss_sum += trainer.train_step(&x, &labels, &CrossEntropy) as f64;
            if b % 25 == 0 {
                bar.set_message(format!("{:.4}", loss_sum / (b + 1) as f64));
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        let seconds = start.elapsed().as_secs_f64();
        let e = Epoch {
            loss: loss_sum / batches as f64,
            train_acc: accuracy(&trainer.model, &data, epochs.order()),
            test_acc: accuracy(&trainer.model, &data, &test),
        };
        println!(
            "epoch {epoch:>2}: loss {:.4}, train accuracy {:.2}%, test accuracy {:.2}%, {:.2} s",
            e.loss, e.train_acc, e.test_acc, seconds
        );
        history.push(e);
    }
    plot(&history, &opts.plot)?;
    println!(
        "plot of the loss and accuracy curves written to {}",
        opts.plot.display()
    );
    Ok(())
}

const PLOT_SIZE: (u32, u32) = (1100, 420);

/// Draws the curves into an RGB buffer and writes it as a PNG, atomically
/// (temporary file beside the target, then rename).
fn plot(history: &[Epoch], path: &Path) -> Result<(), Box<dyn Error>> {
    let (w, h) = PLOT_SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(history, &mut rgb)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("png.tmp");
    let mut encoder = png::Encoder::new(BufWriter::new(File::create(&tmp)?), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn draw(history: &[Epoch], rgb: &mut [u8]) -> Result<(), Box<dyn Error>> {
    plotters::style::register_font(
        "sans-serif",
        FontStyle::Normal,
        include_bytes!("assets/DejaVuSans.ttf"),
    )
    .map_err(|_| "cannot load the bundled font")?;
    let root = BitMapBackend::with_buffer(rgb, PLOT_SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(550);
    let epochs = history.len() as f64;

    let max_loss = history.iter().map(|e| e.loss).fold(0.0, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(&left)
        .caption("training loss (cross-entropy)", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(1.0..epochs.max(2.0), 0.0..max_loss)?;
    chart.configure_mesh().x_desc("epoch").draw()?;
    chart.draw_series(LineSeries::new(
        history
            .iter()
            .enumerate()
            .map(|(i, e)| (i as f64 + 1.0, e.loss)),
        &RED,
    ))?;

    let min_acc = history
        .iter()
        .map(|e| e.train_acc.min(e.test_acc))
        .fold(100.0, f64::min)
        .floor()
        - 1.0;
    let mut chart = ChartBuilder::on(&right)
        .caption("accuracy (%)", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(1.0..epochs.max(2.0), min_acc..100.0)?;
    chart.configure_mesh().x_desc("epoch").draw()?;
    for (label, color, acc) in [("train", BLUE, 0), ("test", GREEN, 1)] {
        let points = history.iter().enumerate().map(|(i, e)| {
            (
                i as f64 + 1.0,
                if acc == 0 { e.train_acc } else { e.test_acc },
            )
        });
        chart
            .draw_series(LineSeries::new(points, &color))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE)
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
