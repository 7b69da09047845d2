//! The machine limit the GEMM numbers are read against: one core's fp32 FMA
//! throughput, from a loop of independent AVX-512 (or AVX2) FMAs that never
//! touches memory. Throughput is in FLOP/s (2 per lane per FMA).
//!
//! `cargo bench --bench fma_peak`
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const STEPS: usize = 10_000;
/// Independent accumulators: enough to cover FMA latency on both pipes.
const CHAINS: usize = 12;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{CHAINS, STEPS};
    use core::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub fn avx512(a: f32) -> f32 {
        let (x, y) = (_mm512_set1_ps(a), _mm512_set1_ps(0.999_999));
        let mut acc = [_mm512_set1_ps(1.0); CHAINS];
        for _ in 0..STEPS {
            for c in acc.iter_mut() {
                *c = _mm512_fmadd_ps(*c, y, x);
            }
        }
        acc.iter().map(|&v| _mm512_reduce_add_ps(v)).sum()
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn avx2(a: f32) -> f32 {
        let (x, y) = (_mm256_set1_ps(a), _mm256_set1_ps(0.999_999));
        let mut acc = [_mm256_set1_ps(1.0); CHAINS];
        for _ in 0..STEPS {
            for c in acc.iter_mut() {
                *c = _mm256_fmadd_ps(*c, y, x);
            }
        }
        let mut lanes = [0.0f32; 8];
        let sum = acc
            .iter()
            .fold(_mm256_setzero_ps(), |s, &v| _mm256_add_ps(s, v));
        // SAFETY: `lanes` holds the 8 floats stored.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
        lanes.iter().sum()
    }
}

fn peak(c: &mut Criterion) {
    let mut g = c.benchmark_group("fma peak, one core");
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            g.throughput(Throughput::Elements((STEPS * CHAINS * 16 * 2) as u64));
            // SAFETY: AVX-512F detected just above.
            g.bench_function("avx512", |b| {
                b.iter(|| unsafe { x86::avx512(black_box(1e-3)) })
            });
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            g.throughput(Throughput::Elements((STEPS * CHAINS * 8 * 2) as u64));
            // SAFETY: AVX2 and FMA detected just above.
            g.bench_function("avx2", |b| b.iter(|| unsafe { x86::avx2(black_box(1e-3)) }));
        }
    }
    g.finish();
}

criterion_group!(benches, peak);
criterion_main!(benches);
