//! Criterion benches of the design's MNIST network (784-128-10, ReLU,
//! softmax + cross-entropy; dropout left out so every run does the same work)
//! and of the GEMM shapes its step runs, with `matrixmultiply::sgemm` as the
//! same-run baseline.
//!
//! `cargo bench --bench train_step`
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nn::kernels::gemm::{MatMut, MatRef, gemm, workspace_len};
use nn::prelude::*;
use std::hint::black_box;

network! {
    Mlp = < Linear<784, 128>, ReLU, Linear<128, 10>, Softmax >
}

fn inputs<const B: usize>() -> (Box<[[f32; 784]; B]>, [usize; B]) {
    let mut rng = nn::rand::rngs::SmallRng::seed_from_u64(1);
    let mut x = Box::new([[0.0f32; 784]; B]);
    x.as_flattened_mut()
        .iter_mut()
        .for_each(|v| *v = rng.random());
    (x, std::array::from_fn(|i| i % 10))
}

fn network(c: &mut Criterion) {
    let mut g = c.benchmark_group("mlp");

    let (x, labels) = inputs::<64>();
    let mut trainer = MlpTrainer::<Sgd, 64>::new_boxed(Init::HeNormal, Sgd::new(0.01), 1);
    g.throughput(Throughput::Elements(64));
    g.bench_function("W3 train step, batch 64, SGD", |b| {
        b.iter(|| trainer.train_step(black_box(&x), &labels, &CrossEntropy))
    });

    let (x256, _) = inputs::<256>();
    let mut wide = MlpTrainer::<Sgd, 256>::new_boxed(Init::HeNormal, Sgd::new(0.01), 1);
    g.throughput(Throughput::Elements(256));
    g.bench_function("W2 inference, batch 256", |b| {
        b.iter(|| wide.forward_batch(black_box(&x256))[0][0])
    });

    g.throughput(Throughput::Elements(1));
    g.bench_function("W1 inference, batch 1", |b| {
        b.iter(|| trainer.model.forward(black_box(&x[0])))
    });
    g.finish();
}

fn gemm_shapes(c: &mut Criterion) {
    let mut g = c.benchmark_group("gemm");
    // (m, n, k) of the step: forward layer 1, dW1 = Xᵀ·dH, forward layer 2.
    for (m, n, k) in [
        (64, 128, 784),
        (784, 128, 64),
        (64, 10, 128),
        (256, 128, 784),
        (1, 128, 784),
    ] {
        let a = vec![0.5f32; m * k];
        let b = vec![0.25f32; k * n];
        let mut out = vec![0.0f32; m * n];
        let mut ws = vec![0.0f32; workspace_len(n)];
        g.throughput(Throughput::Elements((2 * m * n * k) as u64));
        let shape = format!("{m}x{k}·{k}x{n}");
        g.bench_with_input(BenchmarkId::new("nn", &shape), &(), |bench, _| {
            bench.iter(|| {
                gemm(
                    &mut ws,
                    MatRef::row_major(black_box(&a), m, k),
                    MatRef::row_major(&b, k, n),
                    MatMut::row_major(&mut out, m, n),
                    false,
                )
            })
        });
        g.bench_with_input(
            BenchmarkId::new("matrixmultiply", &shape),
            &(),
            |bench, _| {
                bench.iter(|| {
                    // SAFETY: a, b and out hold m·k, k·n and m·n floats with the
                    // row-major strides passed here.
                    unsafe {
                        matrixmultiply::sgemm(
                            m,
                            k,
                            n,
                            1.0,
                            black_box(a.as_ptr()),
                            k as isize,
                            1,
                            b.as_ptr(),
                            n as isize,
                            1,
                            0.0,
                            out.as_mut_ptr(),
                            n as isize,
                            1,
                        )
                    }
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, network, gemm_shapes);
criterion_main!(benches);
