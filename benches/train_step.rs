//! Criterion benches of the design's MNIST network (784-128-10, ReLU,
//! softmax + cross-entropy; dropout left out so every run does the same work)
//! and of the GEMM shapes its step runs, with `matrixmultiply::sgemm` and the
//! `gemm` crate (`x86-v4`, one thread) as same-run baselines.
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
    let mut rng = nn::rng::TrainRng::seed_from_u64(1);
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

    let mut adam = MlpTrainer::<Adam, 64>::new_boxed(Init::HeNormal, Adam::new(1e-3), 1);
    g.bench_function("W4 train step, batch 64, Adam", |b| {
        b.iter(|| adam.train_step(black_box(&x), &labels, &CrossEntropy))
    });

    // Converged on its batch (loss ~5e-6): ~25 hidden units are dead and
    // their weights' Adam moments decay toward zero, through the subnormal
    // range unless flushed — the case that made this step 6× slower on Intel.
    let mut converged = MlpTrainer::<Adam, 64>::new_boxed(Init::HeNormal, Adam::new(1e-3), 1);
    for _ in 0..5_000 {
        converged.train_step(&x, &labels, &CrossEntropy);
    }
    g.bench_function("W4 train step, batch 64, Adam, converged", |b| {
        b.iter(|| converged.train_step(black_box(&x), &labels, &CrossEntropy))
    });

    let mut split = MlpTrainer::<Sgd, 64>::new_boxed(Init::HeNormal, Sgd::new(0.01), 1);
    split.set_parallel(nn::kernels::parallel::global());
    g.bench_function(
        format!(
            "W5 train step, batch 64, SGD, {} threads",
            nn::kernels::parallel::global().threads()
        ),
        |b| b.iter(|| split.train_step(black_box(&x), &labels, &CrossEntropy)),
    );

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

/// One product of the step: `C (m×n) = A (m×k) · B (k×n)`, with A stored
/// row-major or, when `a_transposed`, as the row-major `k×m` matrix it is the
/// transpose of (how `Xᵀ·dY` reads the batch).
struct Shape {
    name: &'static str,
    m: usize,
    n: usize,
    k: usize,
    a_transposed: bool,
}

const SHAPES: [Shape; 6] = [
    Shape {
        name: "fwd1 64x784·784x128",
        m: 64,
        n: 128,
        k: 784,
        a_transposed: false,
    },
    Shape {
        name: "dW1 Xt·dH 784x64·64x128",
        m: 784,
        n: 128,
        k: 64,
        a_transposed: true,
    },
    Shape {
        name: "fwd2 64x128·128x10",
        m: 64,
        n: 10,
        k: 128,
        a_transposed: false,
    },
    Shape {
        name: "W2 256x784·784x128",
        m: 256,
        n: 128,
        k: 784,
        a_transposed: false,
    },
    Shape {
        name: "W1 1x784·784x128",
        m: 1,
        n: 128,
        k: 784,
        a_transposed: false,
    },
    Shape {
        name: "1024^3",
        m: 1024,
        n: 1024,
        k: 1024,
        a_transposed: false,
    },
];

fn gemm_shapes(c: &mut Criterion) {
    let mut g = c.benchmark_group("gemm");
    for s in &SHAPES {
        let Shape { m, n, k, .. } = *s;
        let a = vec![0.5f32; m * k];
        let b = vec![0.25f32; k * n];
        let mut out = vec![0.0f32; m * n];
        let mut ws = vec![0.0f32; workspace_len(n)];
        // Element strides of A: (row, column).
        let (rsa, csa) = if s.a_transposed { (1, m) } else { (k, 1) };
        g.throughput(Throughput::Elements((2 * m * n * k) as u64));
        g.bench_with_input(BenchmarkId::new("nn", s.name), &(), |bench, _| {
            bench.iter(|| {
                let a = MatRef::new(black_box(&a), m, k, rsa, csa);
                gemm(
                    &mut ws,
                    a,
                    MatRef::row_major(&b, k, n),
                    MatMut::row_major(&mut out, m, n),
                    false,
                )
            })
        });
        g.bench_with_input(
            BenchmarkId::new("matrixmultiply", s.name),
            &(),
            |bench, _| {
                bench.iter(|| {
                    // SAFETY: a, b and out hold m·k, k·n and m·n floats laid out
                    // with exactly these strides.
                    unsafe {
                        matrixmultiply::sgemm(
                            m,
                            k,
                            n,
                            1.0,
                            black_box(a.as_ptr()),
                            rsa as isize,
                            csa as isize,
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
        g.bench_with_input(BenchmarkId::new("gemm-crate", s.name), &(), |bench, _| {
            bench.iter(|| {
                // SAFETY: as above; the gemm crate takes (column, row) strides.
                unsafe {
                    gemm::gemm(
                        m,
                        n,
                        k,
                        out.as_mut_ptr(),
                        1,
                        n as isize,
                        false,
                        black_box(a.as_ptr()),
                        csa as isize,
                        rsa as isize,
                        b.as_ptr(),
                        1,
                        n as isize,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, network, gemm_shapes);
criterion_main!(benches);
