//! What the MNIST examples share: the seeded split of the vendored digits,
//! command-line options, accuracy, and atomic PNG output (curves or image
//! grids).
#![allow(dead_code)] // each example uses its own subset

pub mod mnist_nets;
pub mod resnet8;

use indicatif::{ProgressBar, ProgressStyle};
use nn::data::batch::Epochs;
use nn::data::idx;
use plotters::prelude::*;
use rand::seq::SliceRandom;
use std::error::Error;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

#[allow(unused_imports)] // each example uses its own subset
pub use mnist_nets::*;

/// Where `examples/mnist.rs` saves its trained weights by default.
pub const MNIST_WEIGHTS: &str = "target/mnist-mlp.nnw";

/// Where `examples/cnn_mnist.rs` saves its trained weights.
pub const MNIST_CNN_WEIGHTS: &str = "target/mnist-cnn.nnw";

/// A 28×28 digit as a one-channel image, the shape convolutions take.
pub type Image = [[[f32; 28]; 28]; 1];

/// The vendored 10k MNIST digits, split 8k/2k by a seeded shuffle.
#[derive(Clone)]
pub struct Mnist {
    pub data: idx::Labeled<784>,
    pub classes: Vec<usize>,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

pub const TRAIN: usize = 8000;

impl Mnist {
    /// Loads the digits and splits them with `rng` (which the caller then
    /// goes on using for epoch shuffles).
    pub fn load(rng: &mut impl rand::Rng) -> Result<Self> {
        let root = env!("CARGO_MANIFEST_DIR");
        let data = idx::load_labeled::<784>(
            format!("{root}/data/mnist10k-images-idx3-ubyte.gz"),
            format!("{root}/data/mnist10k-labels-idx1-ubyte.gz"),
        )?;
        let mut order: Vec<usize> = (0..data.len()).collect();
        order.shuffle(rng);
        let classes = data.labels.iter().map(|&l| l as usize).collect();
        Ok(Self {
            data,
            classes,
            train: order[..TRAIN].to_vec(),
            test: order[TRAIN..].to_vec(),
        })
    }

    /// The digits as images (the same memory, viewed as `1 × 28 × 28`).
    pub fn images(&self) -> &[Image] {
        nn::bytemuck::cast_slice(&self.data.images)
    }

    /// Share of `indices` that `predict` classifies correctly, in percent.
    pub fn accuracy(&self, indices: &[usize], predict: impl Fn(usize) -> usize) -> f64 {
        let correct = indices
            .iter()
            .filter(|&&i| predict(i) == self.classes[i])
            .count();
        100.0 * correct as f64 / indices.len() as f64
    }
}

/// Per-epoch results of [`train`].
#[derive(Default)]
pub struct History {
    /// What `train` and `test` measure, e.g. "accuracy (%)".
    pub metric: String,
    pub loss: Vec<f64>,
    pub train: Vec<f64>,
    pub test: Vec<f64>,
    pub seconds: Vec<f64>,
}

impl History {
    /// The standard charts: training loss, and the metric on both splits.
    pub fn panels(&self, loss: &str) -> Vec<Panel> {
        vec![
            Panel::new(&format!("training loss ({loss})"), [("loss", &self.loss)]),
            Panel::new(&self.metric, [("train", &self.train), ("test", &self.test)]),
        ]
    }

    /// The last epoch's test metric.
    pub fn final_test(&self) -> f64 {
        *self.test.last().expect("at least one epoch")
    }
}

/// Trains for `epochs` over the training digits in shuffled batches of
/// `batch`: `step(state, epochs, b)` gathers batch `b` and takes one step,
/// returning its loss; `evaluate(state, digits)` measures `metric` on some
/// digits. Prints a progress bar and each epoch's loss, metric and time.
#[allow(clippy::too_many_arguments)]
pub fn train<T>(
    mnist: &Mnist,
    epochs: usize,
    batch: usize,
    rng: &mut impl rand::Rng,
    state: &mut T,
    mut step: impl FnMut(&mut T, &Epochs, usize) -> f32,
    metric: &str,
    evaluate: impl Fn(&T, &[usize]) -> f64,
) -> Result<History> {
    let mut order = mnist.train.clone();
    let mut shuffled = Epochs::over(&mut order);
    let batches = shuffled.batches(batch);
    let style =
        ProgressStyle::with_template("epoch {prefix:>2} {bar:30} {pos}/{len} batches, loss {msg}")?;
    let mut history = History {
        metric: metric.into(),
        ..History::default()
    };
    for epoch in 1..=epochs {
        let start = std::time::Instant::now();
        shuffled.shuffle(rng);
        let bar = ProgressBar::new(batches as u64)
            .with_style(style.clone())
            .with_prefix(epoch.to_string());
        let mut loss_sum = 0.0f64;
        for b in 0..batches {
            loss_sum += step(state, &shuffled, b) as f64;
            if b % 25 == 0 {
                bar.set_message(format!("{:.4}", loss_sum / (b + 1) as f64));
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        history.seconds.push(start.elapsed().as_secs_f64());
        history.loss.push(loss_sum / batches as f64);
        history.train.push(evaluate(state, shuffled.order()));
        history.test.push(evaluate(state, &mnist.test));
        println!(
            "epoch {epoch:>2}: loss {:.4}, train {metric} {:.4}, test {metric} {:.4}, {:.2} s",
            history.loss[epoch - 1],
            history.train[epoch - 1],
            history.test[epoch - 1],
            history.seconds[epoch - 1],
        );
    }
    Ok(history)
}

/// [`train`] for a digit classifier: each step gathers a shuffled batch of
/// `B` of `images` (one per MNIST digit, in any shape the network takes)
/// with their classes and how many rows are real (fewer in a short last
/// batch), hands it to `step` (which may transform it, e.g. augment, before
/// training on it with `train_batch`), and each epoch measures the accuracy of
/// `predict`.
#[allow(clippy::too_many_arguments)]
pub fn train_classifier<S: Copy + nn::mem::Zeroable, const B: usize, T>(
    mnist: &Mnist,
    images: &[S],
    epochs: usize,
    rng: &mut impl rand::Rng,
    state: &mut T,
    mut step: impl FnMut(&mut T, &mut [S; B], &[usize; B], usize) -> f32,
    predict: impl Fn(&T, &S) -> usize,
) -> Result<History> {
    let mut x: Box<[S; B]> = nn::mem::boxed_in_place(|slot| nn::mem::zero_in_place(slot));
    let mut labels = [0usize; B];
    train(
        mnist,
        epochs,
        B,
        rng,
        state,
        |t, order, b| {
            let rows = order.gather(b, images, &mnist.classes, &mut x, &mut labels);
            step(t, &mut x, &labels, rows)
        },
        "accuracy",
        |t, digits| mnist.accuracy(digits, |i| predict(t, &images[i])),
    )
}

/// A learning rate annealed on a cosine, step by step, from `max` down to 1%
/// of it by the last of `steps` optimizer steps. At a constant rate, batch
/// norm's running statistics (what evaluation uses) trail weights that
/// still move fast, and the accuracy measured between epochs swings by
/// several points; annealing lets them settle on the final weights.
pub struct Annealing {
    schedule: nn::optim::schedule::Cosine,
    step: u32,
}

impl Annealing {
    pub fn new(max: f32, steps: usize) -> Self {
        let schedule = nn::optim::schedule::Cosine {
            max,
            min: max / 100.0,
            period: steps as u32,
            restart_mult: 0,
        };
        Self { schedule, step: 0 }
    }

    /// The rate for the next step.
    pub fn next_lr(&mut self) -> f32 {
        self.step += 1;
        nn::optim::schedule::Schedule::lr(&self.schedule, self.step - 1)
    }
}

/// `--epochs N` and `--plot PATH`.
pub struct Options {
    pub epochs: usize,
    pub plot: PathBuf,
}

impl Options {
    pub fn parse(epochs: usize, plot: &str) -> Result<Self> {
        let mut opts = Self {
            epochs,
            plot: PathBuf::from(plot),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--epochs" => {
                    opts.epochs = args.next().ok_or("--epochs needs a number")?.parse()?
                }
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
}

/// Writes 8-bit pixels as a PNG atomically ([`nn::io::atomic`]): a crash
/// never leaves a half-written image.
pub fn write_png(
    path: &Path,
    (w, h): (u32, u32),
    color: png::ColorType,
    pixels: &[u8],
) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    nn::io::atomic::write_with(path, |file| {
        let mut encoder = png::Encoder::new(BufWriter::new(file), w, h);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(pixels)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    })?;
    Ok(())
}

/// One line of a chart: a label and one value per epoch.
pub struct Curve {
    pub label: String,
    pub values: Vec<f64>,
}

/// A chart: a title and its curves.
pub struct Panel {
    pub title: String,
    pub curves: Vec<Curve>,
}

impl Panel {
    pub fn new<'a>(title: &str, curves: impl IntoIterator<Item = (&'a str, &'a Vec<f64>)>) -> Self {
        Self {
            title: title.into(),
            curves: curves
                .into_iter()
                .map(|(label, values)| Curve {
                    label: label.into(),
                    values: values.clone(),
                })
                .collect(),
        }
    }
}

const PANEL_SIZE: (u32, u32) = (550, 420);
const COLORS: [RGBColor; 8] = [
    RED,
    BLUE,
    GREEN,
    MAGENTA,
    CYAN,
    BLACK,
    RGBColor(255, 140, 0),
    RGBColor(128, 128, 128),
];

/// Draws `panels` side by side, each with its curves against the epoch,
/// and writes them as one PNG.
pub fn plot(panels: &[Panel], path: &Path) -> Result<()> {
    let size = (PANEL_SIZE.0 * panels.len() as u32, PANEL_SIZE.1);
    let mut rgb = vec![0u8; (size.0 * size.1 * 3) as usize];
    draw(panels, size, &mut rgb)?;
    write_png(path, size, png::ColorType::Rgb, &rgb)
}

fn draw(panels: &[Panel], size: (u32, u32), rgb: &mut [u8]) -> Result<()> {
    plotters::style::register_font(
        "sans-serif",
        FontStyle::Normal,
        include_bytes!("../assets/DejaVuSans.ttf"),
    )
    .map_err(|_| "cannot load the bundled font")?;
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, panel) in root.split_evenly((1, panels.len())).iter().zip(panels) {
        let values = || panel.curves.iter().flat_map(|c| c.values.iter().copied());
        let (lo, hi) = values().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = ((hi - lo) * 0.05).max(1e-6);
        let epochs = panel
            .curves
            .iter()
            .map(|c| c.values.len())
            .max()
            .unwrap_or(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(1.0..epochs.max(2.0), (lo - pad)..(hi + pad))?;
        chart.configure_mesh().x_desc("epoch").draw()?;
        for (curve, &color) in panel.curves.iter().zip(COLORS.iter().cycle()) {
            let points = curve
                .values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64 + 1.0, v));
            chart
                .draw_series(LineSeries::new(points, &color))?
                .label(&curve.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE)
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
