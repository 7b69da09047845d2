//! nn against other Rust deep-learning crates on the same workloads, in one
//! process: the MLP 784-128(ReLU)-10 with softmax + cross-entropy, f32
//! (W1–W5), and the `cnn_mnist` network without dropout (C1–C3) for the
//! crates that have convolutions.
//!
//! `cargo run --release` (in this folder). W1–W4 run single-threaded; W5
//! re-runs W3 in a child process with two threads for every crate.
//!
//! Timing: per workload and crate, a warm-up, then 15 samples of enough
//! iterations to fill ~40 ms each; the median sample is reported. Crates run
//! in the same order each time, so they see the same machine state.
use std::time::{Duration, Instant};

mod peers;

const BATCH: usize = 64;
const WIDE: usize = 256;
/// The CNN workloads' batch (C1, C3): the first rows of `Data::x` as 28×28 images.
const CNN_BATCH: usize = 32;

/// Median time per call of `f`.
fn time(mut f: impl FnMut()) -> Duration {
    let warm = Instant::now();
    let mut calls = 0u32;
    while warm.elapsed() < Duration::from_millis(200) {
        f();
        calls += 1;
    }
    let per_sample = (calls / 5).max(1);
    let mut samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_sample {
                f();
            }
            t.elapsed() / per_sample
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

/// Deterministic inputs shared by every crate.
pub struct Data {
    pub x: Vec<f32>,
    pub wide: Vec<f32>,
    pub labels: Vec<usize>,
}

impl Data {
    fn new() -> Self {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32
        };
        Self {
            x: (0..BATCH * 784).map(|_| next()).collect(),
            wide: (0..WIDE * 784).map(|_| next()).collect(),
            labels: (0..BATCH).map(|i| i % 10).collect(),
        }
    }
}

/// One crate's implementation of the workloads.
pub trait Peer {
    fn name(&self) -> &'static str;
    /// W1: one sample's class probabilities.
    fn infer_one(&mut self, data: &Data);
    /// W2: probabilities for `WIDE` samples.
    fn infer_wide(&mut self, data: &Data);
    /// W3: one SGD step on `BATCH` samples.
    fn sgd_step(&mut self, data: &Data);
    /// W4: one Adam step on `BATCH` samples, if the crate has Adam.
    fn adam_step(&mut self, data: &Data) -> Option<()>;
    /// C1: one SGD step of the CNN on `CNN_BATCH` images, if the crate has convolutions.
    fn cnn_step(&mut self, _data: &Data) -> Option<()> {
        None
    }
    /// C2: one image's class probabilities from the CNN.
    fn cnn_infer_one(&mut self, _data: &Data) -> Option<()> {
        None
    }
    /// C3: `CNN_BATCH` images' class probabilities from the CNN.
    fn cnn_infer_batch(&mut self, _data: &Data) -> Option<()> {
        None
    }
}

/// A workload some crates lack: `None` from a crate without it.
type Workload = fn(&mut dyn Peer, &Data) -> Option<()>;

/// The median time of an optional workload, for the crates that have it
/// (`f` returns `None` at once for the others).
fn time_optional(
    p: &mut dyn Peer,
    mut f: impl FnMut(&mut dyn Peer) -> Option<()>,
) -> Option<Duration> {
    f(p).map(|()| {
        time(|| {
            let _ = f(p);
        })
    })
}

fn row(label: &str, times: &[Option<Duration>], unit: impl Fn(Duration) -> String) {
    let base = times[0];
    let cells: Vec<String> = times
        .iter()
        .map(|t| match (t, base) {
            (Some(t), Some(b)) if t != &b => {
                format!("{} ({:.2}x)", unit(*t), t.as_secs_f64() / b.as_secs_f64())
            }
            (Some(t), _) => unit(*t),
            (None, _) => "n/a".to_string(),
        })
        .collect();
    println!("| {label} | {} |", cells.join(" | "));
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // SAFETY: first statement of main, before any other thread exists.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    }
    let data = Data::new();
    if std::env::args().any(|a| a == "--w5") {
        // Child process: W3 with RAYON_NUM_THREADS=2 set by the parent.
        let mut peers = peers::all(2);
        let times: Vec<String> = peers
            .iter_mut()
            .map(|p| format!("{}", time(|| p.sgd_step(&data)).as_nanos()))
            .collect();
        println!("{}", times.join(" "));
        return;
    }
    let mut peers = peers::all(1);
    let names: Vec<&str> = peers.iter().map(|p| p.name()).collect();
    println!("| workload (ratio = time / nn's) | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    let w1: Vec<_> = peers
        .iter_mut()
        .map(|p| Some(time(|| p.infer_one(&data))))
        .collect();
    row("W1 batch-1 latency", &w1, micros);
    let w2: Vec<_> = peers
        .iter_mut()
        .map(|p| Some(time(|| p.infer_wide(&data))))
        .collect();
    row("W2 batch-256 throughput", &w2, |d| {
        format!("{:.2} M/s", WIDE as f64 / d.as_secs_f64() / 1e6)
    });
    let w3: Vec<_> = peers
        .iter_mut()
        .map(|p| Some(time(|| p.sgd_step(&data))))
        .collect();
    row("W3 batch-64 SGD step", &w3, micros);
    let w4: Vec<_> = peers
        .iter_mut()
        .map(|p| time_optional(p.as_mut(), |p| p.adam_step(&data)))
        .collect();
    row("W4 batch-64 Adam step", &w4, micros);
    let workloads: [(&str, Workload); 3] = [
        ("C1 batch-32 CNN SGD step", |p, d| p.cnn_step(d)),
        ("C2 batch-1 CNN inference", |p, d| p.cnn_infer_one(d)),
        ("C3 batch-32 CNN inference", |p, d| p.cnn_infer_batch(d)),
    ];
    for (label, workload) in workloads {
        let times: Vec<_> = peers
            .iter_mut()
            .map(|p| time_optional(p.as_mut(), |p| workload(p, &data)))
            .collect();
        row(label, &times, micros);
    }

    let child = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("--w5")
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("W5 child runs");
    let w5: Vec<_> = String::from_utf8_lossy(&child.stdout)
        .split_whitespace()
        .map(|ns| ns.parse().ok().map(Duration::from_nanos))
        .collect();
    row("W5 = W3 on 2 threads", &w5, micros);
}
