use super::*;
use crate::testing::{SIZES, assert_close, isas, random_vec, rng};
use rand::Rng;
use std::vec;
use std::vec::Vec;

/// A random view of a `rows × cols` matrix: row- or column-major, with padded
/// strides and a random offset into its buffer.
fn random_view(
    r: &mut rand::rngs::SmallRng,
    rows: usize,
    cols: usize,
) -> (Vec<f32>, usize, usize, usize) {
    let pad = r.random_range(0..3);
    let offset = r.random_range(0..4);
    let (rs, cs) = if r.random_bool(0.5) {
        (cols + pad, 1)
    } else {
        (1, rows + pad)
    };
    let len = offset + (rows.max(1) - 1) * rs + (cols.max(1) - 1) * cs + 1;
    (random_vec(r, len), offset, rs, cs)
}

fn naive(a: &MatRef, b: &MatRef, c: &mut [f64], accumulate: bool) {
    for i in 0..a.rows() {
        for j in 0..b.cols() {
            let s: f64 = (0..a.cols())
                .map(|p| a.get(i, p) as f64 * b.get(p, j) as f64)
                .sum();
            let cij = &mut c[i * b.cols() + j];
            *cij = if accumulate { *cij + s } else { s };
        }
    }
}

fn check(isa: Isa, m: usize, n: usize, k: usize, seed: u64) {
    let r = &mut rng(seed);
    let (ab, ao, ars, acs) = random_view(r, m, k);
    let (bb, bo, brs, bcs) = random_view(r, k, n);
    let a = MatRef::new(&ab[ao..], m, k, ars, acs);
    let b = MatRef::new(&bb[bo..], k, n, brs, bcs);
    let accumulate = r.random_bool(0.5);
    let c0 = random_vec(r, m * n);
    let mut expected: Vec<f64> = c0.iter().map(|&v| v as f64).collect();
    naive(&a, &b, &mut expected, accumulate);
    let mut c = c0.clone();
    // Any workspace from the minimum up works; narrower ones block the columns.
    let len = r.random_range(workspace_len(1)..=workspace_len(n));
    let mut ws = vec![f32::NAN; len];
    gemm_on(
        isa,
        &mut ws,
        a,
        b,
        MatMut::row_major(&mut c, m, n),
        accumulate,
    );
    let expected: Vec<f32> = expected.iter().map(|&v| v as f32).collect();
    // f32 accumulation over k terms of magnitude <= 1: error grows like sqrt(k) ulps.
    assert_close(
        &c,
        &expected,
        1e-5 * (k as f32).sqrt().max(1.0),
        &std::format!("{isa:?} {m}x{n}x{k}"),
    );
}

#[test]
fn every_isa_matches_naive_on_odd_and_tiny_shapes() {
    for isa in isas() {
        for (s, &m) in SIZES.iter().enumerate() {
            for &n in &SIZES[..SIZES.len().min(8)] {
                let k = SIZES[(s * 7 + n) % SIZES.len()];
                check(isa, m, n, k, (m * 1000 + n) as u64);
            }
        }
    }
}

#[test]
fn every_isa_matches_naive_on_random_shapes_across_block_edges() {
    let r = &mut rng(7);
    // Under Miri (slow), one shape, still across the KC and MC block edges.
    let (tries, n_max) = if cfg!(miri) { (1, 20) } else { (20, NC + 40) };
    for isa in isas() {
        for t in 0..tries {
            let m = r.random_range(1..2 * MC + 3);
            let n = r.random_range(1..n_max);
            let k = r.random_range(1..2 * KC + 3);
            check(isa, m, n, k, t);
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the large shapes take hours under Miri; the edge shapes above run"
)]
fn mlp_shapes_match_naive() {
    for (m, n, k) in [(64, 128, 784), (784, 128, 64), (64, 10, 128), (64, 128, 10)] {
        check(Isa::active(), m, n, k, 1);
    }
}

#[test]
fn empty_k_overwrites_with_zero_or_keeps_c() {
    let mut ws = vec![0.0; workspace_len(2)];
    let mut c = [5.0; 4];
    let e: [f32; 0] = [];
    gemm(
        &mut ws,
        MatRef::new(&e, 2, 0, 0, 1),
        MatRef::new(&e, 0, 2, 2, 1),
        MatMut::row_major(&mut c, 2, 2),
        true,
    );
    assert_eq!(c, [5.0; 4]);
    gemm(
        &mut ws,
        MatRef::new(&e, 2, 0, 0, 1),
        MatRef::new(&e, 0, 2, 2, 1),
        MatMut::row_major(&mut c, 2, 2),
        false,
    );
    assert_eq!(c, [0.0; 4]);
}

#[test]
#[should_panic(expected = "workspace")]
fn short_workspace_is_refused() {
    let mut ws = vec![0.0; 3];
    let mut c = [0.0];
    gemm(
        &mut ws,
        MatRef::row_major(&[1.0], 1, 1),
        MatRef::row_major(&[1.0], 1, 1),
        MatMut::row_major(&mut c, 1, 1),
        false,
    );
}

#[cfg(feature = "std")]
#[test]
#[cfg_attr(
    miri,
    ignore = "splitting needs products of 1M multiply-adds: hours under Miri; the pool's own tests run"
)]
fn split_gemm_matches_the_single_thread_result() {
    let pool = crate::parallel::ThreadPool::new(3);
    let r = &mut rng(21);
    for (m, n, k) in [(64, 128, 784), (784, 128, 64), (203, 37, 300), (17, 9, 5)] {
        let (ab, ao, ars, acs) = random_view(r, m, k);
        let bv = random_vec(r, k * n);
        let a = MatRef::new(&ab[ao..], m, k, ars, acs);
        let b = MatRef::row_major(&bv, k, n);
        let (mut one, mut split) = (vec![0.0; m * n], vec![1.0; m * n]);
        let mut ws = vec![0.0; workspace_len(n)];
        gemm(&mut ws, a, b, MatMut::row_major(&mut one, m, n), false);
        gemm_split(
            &pool,
            &mut ws,
            a,
            b,
            MatMut::row_major(&mut split, m, n),
            false,
        );
        assert_eq!(one, split, "{m}x{n}x{k}");
    }
}
