//! Property tests: every kernel against a naive f64 reference written from
//! its defining formula, over random shapes (empty, tiny and odd sizes,
//! strided and transposed operands) and on every instruction set this CPU
//! has, each forced through the kernels' `_on` entry points.
use nn_kernels::conv::{self, Geometry};
use nn_kernels::gemm::{MatMut, MatRef, gemm_on, workspace_len};
use nn_kernels::isa::Isa;
use nn_kernels::{activation as act, gemv, int8, pooling, reduce, softmax, update};
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The instruction sets to force: every level the CPU can run.
fn isa() -> impl Strategy<Value = Isa> {
    let available: Vec<Isa> = Isa::ALL.into_iter().filter(|i| i.is_available()).collect();
    prop::sample::select(available)
}

/// Operand data for a drawn shape: uniform in `(−scale, scale)`, from the
/// case's seed (the shapes are what proptest shrinks).
fn data(rng: &mut SmallRng, len: usize, scale: f32) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-scale..scale)).collect()
}

/// `|got − want| ≤ tol · (1 + |want|)` everywhere.
fn close(got: &[f32], want: &[f64], tol: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), want.len());
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        prop_assert!(
            (g as f64 - w).abs() <= tol * (1.0 + w.abs()),
            "[{}]: got {}, want {}",
            i,
            g,
            w
        );
    }
    Ok(())
}

/// An operand layout: row-major, column-major (a transposed view) or
/// row-major with padded rows.
#[derive(Clone, Copy, Debug)]
enum Layout {
    RowMajor,
    ColMajor,
    Padded(usize),
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::RowMajor),
        Just(Layout::ColMajor),
        (1usize..5).prop_map(Layout::Padded)
    ]
}

/// A `rows × cols` matrix's storage and strides in `layout`.
fn storage(rows: usize, cols: usize, layout: Layout) -> (usize, usize, usize) {
    match layout {
        Layout::RowMajor => (rows * cols, cols.max(1), 1),
        Layout::ColMajor => (rows * cols, 1, rows.max(1)),
        Layout::Padded(extra) => (rows * (cols + extra), cols + extra, 1),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn gemm_matches_the_triple_loop(
        isa in isa(),
        (m, n, k) in (0usize..40, 0usize..70, 0usize..300),
        (la, lb) in (layout(), layout()),
        c_pad in 0usize..3,
        accumulate: bool,
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let (a_len, a_rs, a_cs) = storage(m, k, la);
        let (b_len, b_rs, b_cs) = storage(k, n, lb);
        let a = data(&mut rng, a_len, 1.0);
        let b = data(&mut rng, b_len, 1.0);
        let c_rs = n + c_pad;
        let c0 = data(&mut rng, m * c_rs, 1.0);
        let mut c = c0.clone();
        let mut ws = vec![0.0; workspace_len(n.max(1))];
        let (am, bm) = (MatRef::new(&a, m, k, a_rs, a_cs), MatRef::new(&b, k, n, b_rs, b_cs));
        gemm_on(isa, &mut ws, am, bm, MatMut::new(&mut c, m, n, c_rs.max(1)), accumulate);
        let mut want = vec![0.0f64; m * c_rs];
        for i in 0..m {
            for j in 0..c_rs {
                let idx = i * c_rs + j;
                want[idx] = if j >= n {
                    c0[idx] as f64 // padding is never touched
                } else {
                    let dot: f64 = (0..k).map(|p| am.get(i, p) as f64 * bm.get(p, j) as f64).sum();
                    dot + if accumulate { c0[idx] as f64 } else { 0.0 }
                };
            }
        }
        close(&c, &want, 1e-6 * (k as f64).sqrt().max(1.0))?;
    }

    #[test]
    fn gemv_matches_the_double_loop(
        isa in isa(),
        (i, o) in (0usize..600, 0usize..150),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let x = data(&mut rng, i, 1.0);
        let w = data(&mut rng, i * o, 1.0);
        let y0 = data(&mut rng, o, 1.0);
        let mut y = y0.clone();
        gemv::vec_mat_acc_on(isa, &x, &w, &mut y);
        let want: Vec<f64> = (0..o)
            .map(|c| y0[c] as f64 + (0..i).map(|r| x[r] as f64 * w[r * o + c] as f64).sum::<f64>())
            .collect();
        close(&y, &want, 1e-6 * (i as f64).sqrt().max(1.0))?;
    }

    #[test]
    fn convolution_and_its_adjoint_match_the_definition(
        isa in isa(),
        g in geometry(),
        (group_pick, per_group) in (0usize..4, 1usize..4),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let (oh, ow) = (g.out_height(), g.out_width());
        let groups = groups_of(g.channels, group_pick);
        let (co, cg) = (groups * per_group, g.channels / groups);
        let taps = g.col_rows() / groups;
        let w = data(&mut rng, co * taps, 1.0);
        let x = data(&mut rng, g.channels * g.height * g.width, 1.0);
        let dy = data(&mut rng, co * oh * ow, 1.0);

        // y[o][oy][ox] = Σ_{c,i,j} w[o][c][i][j] · x[c₀ + c][oy·s + i·d − p][ox·s + j·d − p],
        // c over the cg channels of o's group, which start at c₀.
        let mut want_y = vec![0.0f64; co * oh * ow];
        let mut want_dx = vec![0.0f64; x.len()];
        for o in 0..co {
            for oy in 0..oh {
                for ox in 0..ow {
                    for c in 0..cg {
                        let c0 = o / per_group * cg;
                        for i in 0..g.kernel_h {
                            for j in 0..g.kernel_w {
                                let Some(xi) = input_at(&g, c0 + c, (oy, ox), (i, j)) else { continue };
                                let wi = o * taps + (c * g.kernel_h + i) * g.kernel_w + j;
                                let yi = (o * oh + oy) * ow + ox;
                                want_y[yi] += w[wi] as f64 * x[xi] as f64;
                                want_dx[xi] += w[wi] as f64 * dy[yi] as f64;
                            }
                        }
                    }
                }
            }
        }
        let tol = 1e-6 * (taps as f64).sqrt();
        let mut y = vec![0.0; co * oh * ow];
        conv::conv_add_on(isa, &g, groups, &w, &x, &mut y);
        close(&y, &want_y, tol)?;
        let mut dx = vec![0.0; x.len()];
        conv::conv_adjoint_add_on(isa, &g, groups, &w, &dy, &mut dx);
        close(&dx, &want_dx, tol)?;

        // im2col + one GEMM per group (its filters, im2col rows and outputs
        // are row blocks) is the same product.
        let p = oh * ow;
        let mut col = vec![0.0; g.col_rows() * p];
        conv::im2col(&g, &x, &mut col);
        let mut y2 = vec![0.0; co * p];
        let mut ws = vec![0.0; workspace_len(p)];
        for j in 0..groups {
            gemm_on(
                isa,
                &mut ws,
                MatRef::row_major(&w[j * per_group * taps..][..per_group * taps], per_group, taps),
                MatRef::row_major(&col[j * taps * p..][..taps * p], taps, p),
                MatMut::row_major(&mut y2[j * per_group * p..][..per_group * p], per_group, p),
                false,
            );
        }
        close(&y2, &want_y, tol)?;
        // col2im is im2col's adjoint: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩.
        let mut back = vec![0.0; x.len()];
        conv::col2im_add(&g, &col, &mut back);
        let lhs: f64 = col.iter().map(|v| (*v as f64).powi(2)).sum();
        let rhs: f64 = x.iter().zip(&back).map(|(a, b)| *a as f64 * *b as f64).sum();
        prop_assert!((lhs - rhs).abs() <= 1e-4 * (1.0 + lhs.abs()));
    }

    #[test]
    fn pooling_matches_the_window_definitions(
        // PyTorch's rule for pooling: padding at most half the window.
        g in geometry().prop_filter("padding over half the window", |g| {
            g.pad_h <= g.kernel_h / 2 && g.pad_w <= g.kernel_w / 2
        }),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let x = data(&mut rng, g.channels * g.height * g.width, 4.0);
        let (oh, ow) = (g.out_height(), g.out_width());
        let n = g.channels * oh * ow;
        let (mut max, mut arg, mut avg) = (vec![0.0; n], vec![0u32; n], vec![0.0; n]);
        pooling::max_pool(&g, &x, &mut max, &mut arg);
        pooling::avg_pool(&g, &x, &mut avg);
        let mut values = vec![0.0; n];
        pooling::max_pool_values(&g, &x, &mut values);
        prop_assert_eq!(&values, &max);
        for c in 0..g.channels {
            for oy in 0..oh {
                for ox in 0..ow {
                    let (mut best, mut sum) = (f32::NEG_INFINITY, 0.0f64);
                    for i in 0..g.kernel_h {
                        for j in 0..g.kernel_w {
                            if let Some(xi) = input_at(&g, c, (oy, ox), (i, j)) {
                                best = best.max(x[xi]);
                                sum += x[xi] as f64;
                            }
                        }
                    }
                    let o = (c * oh + oy) * ow + ox;
                    prop_assert_eq!(max[o], best);
                    // A window entirely over padding has no argmax.
                    if best > f32::NEG_INFINITY {
                        prop_assert_eq!(x[arg[o] as usize], best);
                    }
                    let mean = sum / (g.kernel_h * g.kernel_w) as f64;
                    prop_assert!((avg[o] as f64 - mean).abs() < 1e-5 * (1.0 + mean.abs()));
                }
            }
        }
    }

    #[test]
    fn elementwise_kernels_match_their_formulas(
        isa in isa(),
        x in prop::collection::vec(-30.0f32..30.0, 0..100),
        slope in 0.0f32..1.0,
    ) {
        let n = x.len();
        let xf: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let mut y = vec![0.0; n];
        let each = |f: &dyn Fn(f64) -> f64| xf.iter().map(|&v| f(v)).collect::<Vec<f64>>();
        act::relu_on(isa, &x, &mut y);
        close(&y, &each(&|v| v.max(0.0)), 0.0)?;
        act::sigmoid_on(isa, &x, &mut y);
        close(&y, &each(&|v| 1.0 / (1.0 + (-v).exp())), 1e-6)?;
        act::tanh_on(isa, &x, &mut y);
        close(&y, &each(&f64::tanh), 1e-6)?;
        act::leaky_relu_on(isa, &x, &mut y, slope);
        close(&y, &each(&|v| if v > 0.0 { v } else { slope as f64 * v }), 1e-7)?;
        act::elu_on(isa, &x, &mut y, slope);
        close(&y, &each(&|v| if v > 0.0 { v } else { slope as f64 * v.exp_m1() }), 1e-6)?;
        act::softplus_on(isa, &x, &mut y);
        close(&y, &each(&|v| v.max(0.0) + (-v.abs()).exp().ln_1p()), 1e-6)?;
        act::hard_tanh_on(isa, &x, &mut y, -slope, slope);
        close(&y, &each(&|v| v.clamp(-slope as f64, slope as f64)), 0.0)?;

        // Backward kernels: d ← d · f'(x), checked on d = 1.
        let ones = || vec![1.0f32; n];
        let mut d = ones();
        act::sigmoid(&x, &mut y);
        act::sigmoid_backward_on(isa, &y, &mut d);
        close(&d, &each(&|v| { let s = 1.0 / (1.0 + (-v).exp()); s * (1.0 - s) }), 1e-6)?;
        let mut d = ones();
        act::tanh(&x, &mut y);
        act::tanh_backward_on(isa, &y, &mut d);
        close(&d, &each(&|v| 1.0 - v.tanh().powi(2)), 1e-6)?;
        let mut d = ones();
        act::softplus_backward_on(isa, &x, &mut d);
        close(&d, &each(&|v| 1.0 / (1.0 + (-v).exp())), 1e-6)?;
    }

    #[test]
    fn softmax_and_log_sum_exp_match_f64(
        isa in isa(),
        offset in -1e4f32..1e4,
        x in prop::collection::vec(-20.0f32..20.0, 1..80),
    ) {
        let x: Vec<f32> = x.iter().map(|v| v + offset).collect();
        let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b as f64));
        let s: f64 = x.iter().map(|&v| (v as f64 - m).exp()).sum();
        let (m32, ln_sum) = softmax::max_and_log_sum_exp_on(isa, &x);
        prop_assert_eq!(m32 as f64, m);
        close(&[ln_sum], &[s.ln()], 1e-6)?;
        let mut y = vec![0.0; x.len()];
        softmax::softmax_on(isa, &x, &mut y);
        let p: Vec<f64> = x.iter().map(|&v| (v as f64 - m).exp() / s).collect();
        close(&y, &p, 1e-6)?;
    }

    #[test]
    fn reductions_match_f64(
        isa in isa(),
        (rows, cols) in (1usize..20, 0usize..70),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let x = data(&mut rng, rows * cols, 1.0);
        let bias = data(&mut rng, cols, 1.0);
        let mut sums = vec![0.0; cols];
        reduce::col_sums_on(isa, &x, &mut sums);
        let want: Vec<f64> = (0..cols).map(|c| (0..rows).map(|r| x[r * cols + c] as f64).sum()).collect();
        close(&sums, &want, 1e-6 * (rows as f64).sqrt())?;
        let mut y = x.clone();
        reduce::add_bias_rows_on(isa, &bias, &mut y);
        let want: Vec<f64> = x.iter().enumerate().map(|(i, &v)| v as f64 + bias[i % cols.max(1)] as f64).collect();
        close(&y, &want, 1e-7)?;
        let d = reduce::dot_on(isa, &x, &x);
        let want: f64 = x.iter().map(|&v| (v as f64).powi(2)).sum();
        close(&[d], &[want], 1e-6 * (x.len() as f64).sqrt().max(1.0))?;
    }

    #[test]
    fn optimizer_kernels_match_their_update_rules(
        isa in isa(),
        len in 0usize..70,
        t in 1i32..50,
        (lr, beta) in (1e-3f32..0.5, 0.0f32..0.99),
        (l2, decoupled, nesterov, maximize) in (0.0f32..0.1, 0.0f32..0.1, any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let g = data(&mut rng, len, 2.0);
        let p0 = data(&mut rng, len, 2.0);
        let s0: Vec<f32> = data(&mut rng, len, 1.0).iter().map(|v| v.abs()).collect();

        // Momentum, PyTorch's convention: u ← βu + g, θ ← θ − α(nesterov ? g + βu : u).
        let (mut p, mut u) = (p0.clone(), s0.clone());
        let step = update::MomentumStep { c_in: 1.0, c_out: -lr, beta, nesterov };
        update::momentum_on(isa, &step, &g, &mut u, &mut p);
        let (mut want_p, mut want_u) = (vec![0.0; len], vec![0.0; len]);
        for i in 0..len {
            let (b, gi) = (beta as f64, g[i] as f64);
            want_u[i] = b * s0[i] as f64 + gi;
            want_p[i] = p0[i] as f64 - lr as f64 * if nesterov { gi + b * want_u[i] } else { want_u[i] };
        }
        close(&u, &want_u, 1e-6)?;
        close(&p, &want_p, 1e-6)?;

        // Adam / AMSGrad with both decays.
        let (b1, b2) = (0.9f64, 0.999f64);
        let s = update::AdamStep {
            lr, beta1: 0.9, beta2: 0.999, eps: 1e-8,
            c1: (1.0 - b1.powi(t)) as f32, c2: (1.0 - b2.powi(t)) as f32,
            l2, decoupled, maximize,
        };
        let (mut p, mut m, mut v, mut vmax) = (p0.clone(), s0.clone(), s0.clone(), s0.clone());
        update::adam_on(isa, &s, &g, &mut m, &mut v, Some(&mut vmax), &mut p);
        for i in 0..len {
            let th = p0[i] as f64;
            let gi = if maximize { -g[i] as f64 } else { g[i] as f64 } + l2 as f64 * th;
            let mi = b1 * s0[i] as f64 + (1.0 - b1) * gi;
            let vi = b2 * s0[i] as f64 + (1.0 - b2) * gi * gi;
            let vm = (s0[i] as f64).max(vi);
            let step = mi / s.c1 as f64 / ((vm / s.c2 as f64).sqrt() + 1e-8);
            let want = th - lr as f64 * (decoupled as f64 * th + step);
            close(&[m[i], v[i], vmax[i], p[i]], &[mi, vi, vm, want], 1e-5)?;
        }
    }
}

/// The flat input index that tap `(i, j)` of window `(oy, ox)` reads in
/// channel `c`: `(oy·s + i·d − p_h, ox·s + j·d − p_w)`, or `None` over padding.
fn input_at(
    g: &Geometry,
    c: usize,
    (oy, ox): (usize, usize),
    (i, j): (usize, usize),
) -> Option<usize> {
    let y = (oy * g.stride_h + i * g.dilation).checked_sub(g.pad_h)?;
    let x = (ox * g.stride_w + j * g.dilation).checked_sub(g.pad_w)?;
    (y < g.height && x < g.width).then(|| (c * g.height + y) * g.width + x)
}

/// A group count for `channels` input channels: the `pick`th divisor
/// (cyclically), from 1 (dense) to `channels` (depthwise).
fn groups_of(channels: usize, pick: usize) -> usize {
    let divisors: Vec<usize> = (1..=channels)
        .filter(|d| channels.is_multiple_of(*d))
        .collect();
    divisors[pick % divisors.len()]
}

/// A random window (non-square kernels, padding, stride, dilation) that fits
/// its input.
fn geometry() -> impl Strategy<Value = Geometry> {
    geometry_of(1..10)
}

/// 1×1 windows with stride 1 and no padding, on planes of up to 400 pixels.
fn pointwise() -> impl Strategy<Value = Geometry> {
    (1usize..4, 1usize..20, 1usize..20).prop_map(|(c, h, w)| Geometry::square(c, h, w, 1, 1, 0, 1))
}

/// Geometries of any width in `widths` (the others as [`geometry`]).
fn geometry_of(widths: std::ops::Range<usize>) -> impl Strategy<Value = Geometry> {
    (
        (1usize..4, 1usize..10, widths),
        (1usize..5, 1usize..5, 1usize..4, 1usize..4),
        (0usize..3, 0usize..3, 1usize..3),
    )
        .prop_filter_map(
            "window does not fit",
            |((c, h, w), (kh, kw, sh, sw), (ph, pw, d))| {
                conv::out_len(h, kh, sh, ph, d)?;
                conv::out_len(w, kw, sw, pw, d)?;
                Some(Geometry {
                    channels: c,
                    height: h,
                    width: w,
                    kernel_h: kh,
                    kernel_w: kw,
                    stride_h: sh,
                    stride_w: sw,
                    pad_h: ph,
                    pad_w: pw,
                    dilation: d,
                    padding_mode: conv::PaddingMode::Zeros,
                })
            },
        )
}

/// Random int8 values, and int32 biases in a realistic range.
fn bytes(rng: &mut SmallRng, len: usize) -> Vec<i8> {
    (0..len).map(|_| rng.random::<i8>()).collect()
}

/// A positive multiplier over the ranges quantized layers use (about
/// 1e-6 to 2) and its fixed-point form.
fn requant(rng: &mut SmallRng) -> (f64, int8::Requant) {
    let m = 2f64.powf(rng.random_range(-20.0..1.0));
    (m, int8::Requant::new(m))
}

/// The int8 output of an exact accumulator under the real multiplier `m`:
/// within one step of `zero + round(acc · m)`, saturated (the fixed-point
/// multiplier is `m` to 31 bits).
fn near_output(got: i8, acc: i64, m: f64, zero: i32) -> Result<(), TestCaseError> {
    let want = (zero as f64 + (acc as f64 * m).round()).clamp(-128.0, 127.0);
    prop_assert!(
        (got as f64 - want).abs() <= 1.0,
        "got {}, want {}",
        got,
        want
    );
    Ok(())
}

proptest! {
    #[test]
    fn requantization_is_the_real_product_rounded(acc in -(1i32 << 24)..(1 << 24), seed in any::<u64>()) {
        let (m, r) = requant(&mut SmallRng::seed_from_u64(seed));
        let got = r.apply(acc) as f64;
        prop_assert!((got - (acc as f64 * m).round()).abs() <= 1.0, "{} · {} gave {}", acc, m, got);
    }

    #[test]
    fn int8_dense_is_the_exact_dot_product(
        isa in isa(),
        (n, outputs) in (0usize..200, 1usize..9),
        zero in -128i32..128,
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let (x, w) = (bytes(&mut rng, n), bytes(&mut rng, n * outputs));
        let bias: Vec<i32> = (0..outputs).map(|_| rng.random_range(-5000..5000)).collect();
        let scales: Vec<(f64, int8::Requant)> = (0..outputs).map(|_| requant(&mut rng)).collect();
        let rq: Vec<int8::Requant> = scales.iter().map(|s| s.1).collect();
        let mut y = vec![0i8; outputs];
        let channels: Vec<int8::Channel> = (0..outputs).map(|o| int8::Channel { bias: bias[o], requant: rq[o] }).collect();
        int8::dense_on(isa, &x, &w, &int8::Stage { channels: &channels, zero }, &mut y);
        for o in 0..outputs {
            let acc: i64 = bias[o] as i64 + (0..n).map(|i| x[i] as i64 * w[o * n + i] as i64).sum::<i64>();
            // The same accumulator on every ISA: bit-identical outputs.
            prop_assert_eq!(y[o], int8::output(acc as i32, rq[o], zero));
            near_output(y[o], acc, scales[o].0, zero)?;
        }
    }

    #[test]
    fn int8_convolution_matches_the_definition(
        isa in isa(),
        // Rows (and pointwise planes) wider than the kernel's block of
        // accumulators too.
        g in prop_oneof![geometry(), geometry_of(100..300), pointwise()],
        (group_pick, per_group) in (0usize..4, 1usize..4),
        (x_zero, y_zero) in (-128i32..128, -128i32..128),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let (oh, ow) = (g.out_height(), g.out_width());
        let groups = groups_of(g.channels, group_pick);
        let (co, cg) = (groups * per_group, g.channels / groups);
        let taps = cg * g.kernel_h * g.kernel_w;
        let (x, w) = (bytes(&mut rng, g.channels * g.height * g.width), bytes(&mut rng, co * taps));
        let bias: Vec<i32> = (0..co).map(|_| rng.random_range(-5000..5000)).collect();
        let scales: Vec<(f64, int8::Requant)> = (0..co).map(|_| requant(&mut rng)).collect();
        let rq: Vec<int8::Requant> = scales.iter().map(|s| s.1).collect();
        let mut y = vec![0i8; co * oh * ow];
        let channels: Vec<int8::Channel> = (0..co).map(|o| int8::Channel { bias: bias[o], requant: rq[o] }).collect();
        let stage = int8::Stage { channels: &channels, zero: y_zero };
        int8::conv2d_on(isa, &g, groups, int8::Quantized { values: &x, zero: x_zero }, &w, &stage, &mut y);
        for o in 0..co {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut acc = bias[o] as i64;
                    for c in 0..cg {
                        for i in 0..g.kernel_h {
                            for j in 0..g.kernel_w {
                                let Some(xi) = input_at(&g, o / per_group * cg + c, (oy, ox), (i, j)) else { continue };
                                acc += (x[xi] as i64 - x_zero as i64) * w[o * taps + (c * g.kernel_h + i) * g.kernel_w + j] as i64;
                            }
                        }
                    }
                    let got = y[(o * oh + oy) * ow + ox];
                    prop_assert_eq!(got, int8::output(acc as i32, rq[o], y_zero));
                    near_output(got, acc, scales[o].0, y_zero)?;
                }
            }
        }
    }

    #[test]
    fn int8_pooling_matches_the_window_definitions(
        g in geometry().prop_filter("pooling windows have no padding", |g| g.pad_h == 0 && g.pad_w == 0),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let x = bytes(&mut rng, g.channels * g.height * g.width);
        let (oh, ow) = (g.out_height(), g.out_width());
        let (mut max, mut avg) = (vec![0i8; g.channels * oh * ow], vec![0i8; g.channels * oh * ow]);
        int8::max_pool(&g, &x, &mut max);
        int8::avg_pool(&g, &x, &mut avg);
        for c in 0..g.channels {
            for oy in 0..oh {
                for ox in 0..ow {
                    let window: Vec<i64> = (0..g.kernel_h)
                        .flat_map(|i| (0..g.kernel_w).map(move |j| (i, j)))
                        .map(|tap| x[input_at(&g, c, (oy, ox), tap).unwrap()] as i64)
                        .collect();
                    let o = (c * oh + oy) * ow + ox;
                    prop_assert_eq!(max[o] as i64, *window.iter().max().unwrap());
                    // The mean rounded half away from zero.
                    let mean = window.iter().sum::<i64>() as f64 / window.len() as f64;
                    prop_assert_eq!(avg[o] as f64, (mean.abs() + 0.5).floor().copysign(mean));
                }
            }
        }
    }

    #[test]
    fn int8_addition_is_the_real_sum_rounded(
        len in 0usize..40,
        zeros in (-128i32..128, -128i32..128, -128i32..128),
        scales in (-8.0f32..2.0, -8.0f32..2.0, -8.0f32..2.0),
        seed in any::<u64>(),
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let (a, b) = (bytes(&mut rng, len), bytes(&mut rng, len));
        let [sa, sb, sy] = [scales.0, scales.1, scales.2].map(|e| 2f32.powf(e));
        let op = int8::Addition::new((sa, zeros.0), (sb, zeros.1), (sy, zeros.2));
        let mut y = vec![0i8; len];
        int8::add(&op, &a, &b, &mut y);
        for i in 0..len {
            let real = sa as f64 * (a[i] as i32 - zeros.0) as f64 + sb as f64 * (b[i] as i32 - zeros.1) as f64;
            let want = (zeros.2 as f64 + real / sy as f64).round().clamp(-128.0, 127.0);
            // The common scale keeps 20 bits below the inputs' steps: within
            // one output step of the real sum.
            prop_assert!((y[i] as f64 - want).abs() <= 1.0, "{} + {} gave {}, want {}", a[i], b[i], y[i], want);
        }
    }
}
