//! Criterion benches of convolutional networks: the `cnn_mnist` example's
//! network (train step and inference), one convolution three ways in the
//! same run — the layer's batch pass (im2col + GEMM), the direct
//! single-sample kernel, and naive nested loops as the baseline — and the
//! MLPerf Tiny depthwise-separable models (DS-CNN, MobileNetV1).
//!
//! `cargo bench --bench cnn`
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nn::kernels::conv::{Geometry, conv_add};
use nn::layer::Context;
use nn::prelude::*;
use std::hint::black_box;

network! {
    Cnn = <
        Input<1, 28, 28>,
        Conv2d<1, 8, 5>, ReLU, MaxPool2d<2>,
        Conv2d<8, 16, 5>, ReLU, MaxPool2d<2>,
        Flatten, Linear<256, 64>, ReLU,
        Linear<64, 10>, Softmax,
    >
}

const B: usize = 32;
type Image = [[[f32; 28]; 28]; 1];
/// The second convolution's input: 8 channels of 12×12.
type Maps = [[[f32; 12]; 12]; 8];

fn random<T: nn::bytemuck::Pod>() -> Box<T> {
    let mut rng = nn::rng::TrainRng::seed_from_u64(1);
    let mut x: Box<T> = nn::mem::boxed_in_place(nn::mem::zero_in_place);
    for v in nn::bytemuck::cast_slice_mut::<_, f32>(std::slice::from_mut(&mut *x)) {
        *v = rng.random();
    }
    x
}

fn network(c: &mut Criterion) {
    let mut g = c.benchmark_group("cnn");
    let x = random::<[Image; B]>();
    let labels: [usize; B] = std::array::from_fn(|i| i % 10);
    let mut trainer = CnnTrainer::<Sgd, B>::new_boxed(Init::HeNormal, Sgd::new(0.01), 1);
    g.throughput(Throughput::Elements(B as u64));
    g.bench_function("train step, batch 32, SGD", |b| {
        b.iter(|| trainer.train_step(black_box(&x), &labels, &CrossEntropy))
    });
    g.bench_function("inference, batch 32", |b| {
        b.iter(|| trainer.forward_batch(black_box(&x))[0][0])
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("inference, batch 1", |b| {
        b.iter(|| trainer.model.forward(black_box(&x[0])))
    });
    g.finish();
}

/// `y[o][oy][ox] = b[o] + Σ w[o][c][i][j]·x[c][oy+i][ox+j]`, as written.
fn naive(w: &[[[[f32; 5]; 5]; 8]; 16], bias: &[f32; 16], x: &Maps, y: &mut [[[f32; 8]; 8]; 16]) {
    for o in 0..16 {
        for oy in 0..8 {
            for ox in 0..8 {
                let mut sum = bias[o];
                for c in 0..8 {
                    for i in 0..5 {
                        for j in 0..5 {
                            sum += w[o][c][i][j] * x[c][oy + i][ox + j];
                        }
                    }
                }
                y[o][oy][ox] = sum;
            }
        }
    }
}

fn convolution(c: &mut Criterion) {
    let mut g = c.benchmark_group("conv2d 8→16, 5×5, 12×12 maps, batch 32");
    g.throughput(Throughput::Elements(B as u64));
    let x = random::<[Maps; B]>();
    let mut layer = *random::<Conv2d<8, 16, 5, 8, 8>>();
    let mut y = Box::new([[[[0.0f32; 8]; 8]; 16]; B]);
    let mut col = Box::new(
        <<Conv2d<8, 16, 5, 8, 8> as Layer<Maps>>::Cache<B> as nn::bytemuck::Zeroable>::zeroed(),
    );
    let mut ws = vec![0.0; nn::kernels::gemm::workspace_len(usize::MAX)];
    let mut rng = nn::rng::TrainRng::seed_from_u64(2);
    g.bench_function("nn layer batch pass (im2col + GEMM)", |b| {
        b.iter(|| {
            let mut ctx = Context {
                mode: Mode::Eval,
                rng: &mut rng,
                workspace: &mut ws,
                parallel: &nn::kernels::parallel::Serial,
                rows: usize::MAX,
            };
            layer.forward_batch(black_box(&x), &mut y, &mut col, &mut ctx);
        })
    });
    let geometry = Geometry::square(8, 12, 12, 5, 1, 0, 1);
    let filters: &[f32] = nn::bytemuck::cast_slice(&layer.weight);
    g.bench_function("nn direct kernel, per sample", |b| {
        b.iter(|| {
            for (x, y) in x.iter().zip(y.iter_mut()) {
                let y: &mut [f32] = nn::bytemuck::cast_slice_mut(std::slice::from_mut(y));
                y.fill(0.0);
                conv_add(
                    &geometry,
                    1,
                    filters,
                    nn::bytemuck::cast_slice(std::slice::from_ref(black_box(x))),
                    y,
                );
            }
        })
    });
    g.bench_function("naive loops (baseline)", |b| {
        b.iter(|| {
            for (x, y) in x.iter().zip(y.iter_mut()) {
                naive(&layer.weight, &layer.bias, black_box(x), y);
            }
        })
    });
    g.finish();
}

#[path = "../examples/common/mlperf_tiny.rs"]
#[allow(dead_code)]
mod mlperf_tiny;

/// DS-CNN (keyword spotting) and MobileNetV1 (visual wake words): their
/// depthwise and pointwise convolutions, one sample at a time and, for
/// DS-CNN, a train step.
fn depthwise_separable(c: &mut Criterion) {
    use mlperf_tiny::{DsCnn, DsCnnTrainer, MobileNetV1};
    let mut g = c.benchmark_group("MLPerf Tiny");
    g.throughput(Throughput::Elements(1));
    let ds_cnn = DsCnn::new_boxed(Init::HeNormal, 1);
    let frames = random::<[[[f32; 10]; 49]; 1]>();
    g.bench_function("DS-CNN inference, batch 1", |b| {
        b.iter(|| ds_cnn.forward(black_box(&frames))[0])
    });
    let mobilenet = MobileNetV1::new_boxed(Init::HeNormal, 1);
    let image = random::<[[[f32; 96]; 96]; 3]>();
    g.bench_function("MobileNetV1 inference, batch 1", |b| {
        b.iter(|| mobilenet.forward(black_box(&image))[0])
    });
    g.throughput(Throughput::Elements(B as u64));
    let mut trainer = DsCnnTrainer::<Sgd, B>::new_boxed(Init::HeNormal, Sgd::new(0.01), 1);
    let batch = random::<[[[[f32; 10]; 49]; 1]; B]>();
    let labels: [usize; B] = std::array::from_fn(|i| i % 12);
    g.bench_function("DS-CNN train step, batch 32, SGD", |b| {
        b.iter(|| trainer.train_step(black_box(&batch), &labels, &CrossEntropy))
    });
    g.finish();
}

criterion_group!(benches, network, convolution, depthwise_separable);
criterion_main!(benches);
