//! Criterion benches of int8 inference against f32 in the same run: the
//! MNIST MLP (784-128-10) one sample at a time, f32 `infer` against its
//! `#[nn(int8)]` form, and the int8 dense kernel of its first layer on each
//! instruction set the CPU has (AVX-512 means VNNI where the CPU has it).
//!
//! `cargo bench --bench int8`
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nn::kernels::int8::{Channel, Requant, Stage, dense_on};
use nn::kernels::isa::Isa;
use nn::prelude::*;
use nn::rng::TrainRng;
use std::hint::black_box;

network! {
    #[nn(int8)]
    Mlp = < Linear<784, 128>, ReLU, Linear<128, 10>, Softmax >
}

fn mlp(c: &mut Criterion) {
    let mut g = c.benchmark_group("int8 MNIST MLP, batch 1");
    let model = Mlp::new_boxed(Init::HeNormal, 1);
    let mut rng = TrainRng::seed_from_u64(2);
    let samples: Vec<[f32; 784]> = (0..64)
        .map(|_| std::array::from_fn(|_| rng.random_range(0.0..1.0)))
        .collect();
    let int8 = model.quantize(&model.calibrate(&samples));
    let x = &samples[0];
    let q = int8.quantize_input(x);
    g.throughput(Throughput::Elements(1));
    let mut memory = MlpActivations::new();
    g.bench_function("f32 infer", |b| {
        b.iter(|| model.infer(black_box(x), &mut memory)[0])
    });
    let mut memory = MlpInt8Activations::new();
    g.bench_function("int8 infer", |b| {
        b.iter(|| int8.infer(black_box(&q), &mut memory)[0])
    });
    g.finish();
}

fn dense(c: &mut Criterion) {
    let mut g = c.benchmark_group("int8 dense 784 -> 128");
    let mut rng = TrainRng::seed_from_u64(3);
    let x: Vec<i8> = (0..784).map(|_| rng.random()).collect();
    let w: Vec<i8> = (0..784 * 128).map(|_| rng.random()).collect();
    let channels = vec![
        Channel {
            bias: 7,
            requant: Requant::new(1e-3)
        };
        128
    ];
    let stage = Stage {
        channels: &channels,
        zero: -3,
    };
    let mut y = [0i8; 128];
    g.throughput(Throughput::Elements(784 * 128));
    for isa in Isa::ALL.into_iter().filter(|isa| isa.is_available()) {
        g.bench_function(format!("{isa:?}"), |b| {
            b.iter(|| dense_on(isa, black_box(&x), &w, &stage, &mut y))
        });
    }
    g.finish();
}

criterion_group!(benches, mlp, dense);
criterion_main!(benches);
