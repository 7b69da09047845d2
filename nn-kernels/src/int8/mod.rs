//! Integer kernels for int8 inference, in TensorFlow Lite's quantization
//! scheme: a real value `r` is stored as `q` with `r = scale · (q − zero)`;
//! weights are symmetric per output channel (zero 0), activations
//! asymmetric per tensor; products accumulate exactly in `i32`, and an
//! output channel's accumulator returns to int8 through a fixed-point
//! multiplier and shift ([`Requant`]), with no floating point at all — so
//! every target computes the same bits.
//!
//! ```
//! use nn_kernels::int8::{dense, Channel, Requant, Stage};
//! // y = x · w with x's zero point 0, output scale equal to the product's.
//! let (x, w) = ([2i8, -3], [4i8, 5]);
//! let mut y = [0i8];
//! let one = Channel { bias: 0, requant: Requant::new(1.0) };
//! dense(&x, &w, &Stage { channels: &[one], zero: 0 }, &mut y);
//! assert_eq!(y, [-7]);
//! ```
use crate::conv::Geometry;

#[cfg(target_arch = "x86_64")]
mod vnni;

/// A positive real multiplier `m` as TFLite stores it: `m ≈ multiplier ·
/// 2^(shift − 31)` with `multiplier` in `[2^30, 2^31)`. Packed (alignment
/// 1), so int8 layers that hold it have no padding and can live in flash
/// images.
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requant {
    /// The mantissa, a Q31 fixed-point number in `[0.5, 1)`.
    pub multiplier: i32,
    /// The power of two (left if positive, right if negative).
    pub shift: i32,
}

impl Requant {
    /// The fixed-point form of `m` (TFLite's `QuantizeMultiplier`): a
    /// multiplier too small for 31 bits of shift is zero.
    ///
    /// # Panics
    /// If `m` is negative or not finite.
    ///
    /// ```
    /// let r = nn_kernels::int8::Requant::new(0.25);
    /// assert_eq!((r.multiplier, r.shift), (1 << 30, -1));
    /// assert_eq!(r.apply(1000), 250);
    /// ```
    pub fn new(m: f64) -> Requant {
        assert!(
            m.is_finite() && m >= 0.0,
            "a requantization multiplier is finite and ≥ 0"
        );
        if m == 0.0 {
            return Requant {
                multiplier: 0,
                shift: 0,
            };
        }
        // m = q · 2^e with q in [0.5, 1).
        let mut e = 0;
        let mut q = m;
        while q >= 1.0 {
            q /= 2.0;
            e += 1;
        }
        while q < 0.5 {
            q *= 2.0;
            e -= 1;
        }
        let mut fixed = libm::round(q * (1u64 << 31) as f64) as i64;
        if fixed == 1 << 31 {
            fixed /= 2;
            e += 1;
        }
        if e < -31 {
            return Requant {
                multiplier: 0,
                shift: 0,
            };
        }
        assert!(e <= 30, "a requantization multiplier below 2^30");
        Requant {
            multiplier: fixed as i32,
            shift: e,
        }
    }

    /// `round(acc · m)` in integers, bit for bit as TFLite's
    /// `MultiplyByQuantizedMultiplier`: a saturating doubling high multiply
    /// (ties round up), then a rounding right shift (ties away from zero).
    ///
    /// ```
    /// let (half, quarter) = (nn_kernels::int8::Requant::new(0.5), nn_kernels::int8::Requant::new(0.25));
    /// assert_eq!((half.apply(3), half.apply(-3)), (2, -1));
    /// assert_eq!((quarter.apply(6), quarter.apply(-6)), (2, -2));
    /// ```
    #[inline(always)]
    pub const fn apply(self, acc: i32) -> i32 {
        let (left, right) = if self.shift > 0 {
            (self.shift, 0)
        } else {
            (0, -self.shift)
        };
        rounding_shift_right(
            doubling_high_mul(acc.wrapping_shl(left as u32), self.multiplier),
            right,
        )
    }
}

/// `round(a · b / 2^31)`, saturating the one overflowing case.
#[inline(always)]
const fn doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// `x / 2^exponent`, rounding halves away from zero.
#[inline(always)]
const fn rounding_shift_right(x: i32, exponent: i32) -> i32 {
    let mask = (1i64 << exponent) - 1;
    let remainder = x as i64 & mask;
    let threshold = (mask >> 1) + (x < 0) as i64;
    (x >> exponent) + (remainder > threshold) as i32
}

/// An output channel's bias (in the accumulator's scale) and multiplier
/// (accumulator scale over output scale). Packed, like [`Requant`].
///
/// ```
/// use nn_kernels::int8::{Channel, Requant};
/// let c = Channel { bias: 5, requant: Requant::new(0.5) };
/// assert_eq!(c.output(1, -3), 0); // −3 + (1 + 5) / 2
/// ```
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Added to the channel's sum of products.
    pub bias: i32,
    /// Scales the sum to the output.
    pub requant: Requant,
}

impl Channel {
    /// The channel's int8 output for a sum of products `dot`, with the
    /// output's zero point `zero`.
    #[inline(always)]
    pub fn output(self, dot: i32, zero: i32) -> i8 {
        output(self.bias + dot, self.requant, zero)
    }
}

/// How a layer's accumulators become its int8 outputs: one [`Channel`] per
/// output channel, and the output's zero point.
///
/// ```
/// use nn_kernels::int8::{Channel, Requant, Stage};
/// let stage = Stage { channels: &[Channel { bias: 5, requant: Requant::new(0.5) }], zero: -3 };
/// assert_eq!(stage.channels[0].output(1, stage.zero), 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Stage<'a> {
    /// Per output channel.
    pub channels: &'a [Channel],
    /// The output's zero point.
    pub zero: i32,
}

impl Stage<'_> {
    /// Channel `c`'s output for a sum of products `dot`.
    #[inline(always)]
    fn channel(&self, c: usize, dot: i32) -> i8 {
        self.channels[c].output(dot, self.zero)
    }
}

/// Quantized values and their zero point (the stored value of real zero).
///
/// ```
/// let x = nn_kernels::int8::Quantized { values: &[-128, 0], zero: -128 };
/// assert_eq!(x.values[0] as i32 - x.zero, 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Quantized<'a> {
    /// The stored values.
    pub values: &'a [i8],
    /// The stored value of real zero.
    pub zero: i32,
}

/// An accumulator's int8 output: `zero + requant(acc)`, saturated.
#[inline(always)]
pub const fn output(acc: i32, requant: Requant, zero: i32) -> i8 {
    let q = zero + requant.apply(acc);
    if q < -128 {
        -128
    } else if q > 127 {
        127
    } else {
        q as i8
    }
}

/// A dense layer: `y[o] = output(bias[o] + Σ_i x[i] · w[o][i])` for
/// row-major `w` (one row of `x.len()` weights per output). The input's
/// zero point is folded into `bias` (`bias − zero · Σ_i w[o][i]`).
///
/// # Panics
/// If the lengths disagree.
///
/// ```
/// use nn_kernels::int8::{dense, Channel, Requant, Stage};
/// let mut y = [0i8; 2];
/// let half = |bias| Channel { bias, requant: Requant::new(0.5) };
/// let stage = Stage { channels: &[half(0), half(10)], zero: -1 };
/// dense(&[1, 2], &[1, 1, -1, 1], &stage, &mut y);
/// assert_eq!(y, [1, 5]); // round(3/2) − 1, round(11/2) − 1
/// ```
#[inline]
pub fn dense(x: &[i8], w: &[i8], stage: &Stage, y: &mut [i8]) {
    dense_on(crate::isa::Isa::active(), x, w, stage, y)
}

/// [`dense`] on an explicitly chosen instruction set (a level this CPU
/// lacks falls back to the portable code). On [`Isa::Avx512`](crate::isa::Isa)
/// with AVX-512 VNNI the dot products run on `vpdpbusd`; every path gives
/// the same bits (integer sums are exact).
pub fn dense_on(isa: crate::isa::Isa, x: &[i8], w: &[i8], stage: &Stage, y: &mut [i8]) {
    // `assert!`, not `assert_eq!`: no value formatting in firmware.
    assert!(w.len() == x.len() * y.len(), "int8 dense: weights");
    assert!(
        stage.channels.len() == y.len(),
        "int8 dense: one channel per output"
    );
    #[cfg(target_arch = "x86_64")]
    if isa == crate::isa::Isa::Avx512
        && let Some(vnni) = vnni::Vnni::detect()
    {
        return vnni.dense(x, w, stage, y);
    }
    rows::dense_on(isa, x, w, stage, y)
}

/// The dense kernel as plain loops, compiled for each instruction set.
mod rows {
    use super::Stage;

    dispatched! {
        /// One dot product per output row.
        pub fn dense_on(x: &[i8], w: &[i8], stage: &Stage, y: &mut [i8]) {
            let n = x.len();
            for (o, y) in y.iter_mut().enumerate() {
                let row = &w[o * n..(o + 1) * n];
                let dot: i32 = x.iter().zip(row).map(|(&a, &b)| a as i32 * b as i32).sum();
                *y = stage.channel(o, dot);
            }
        }
    }
}

dispatched! {
    /// A (grouped) 2-D convolution: output channel `co` of `groups` groups
    /// sums `(x − x.zero) · w` over its group's input channels and the
    /// window's taps inside the input (padding is real zero, so it adds
    /// nothing), then [`Channel::output`]. `w` is PyTorch's layout,
    /// `[co][ci of the group][row][column]`.
    ///
    /// # Panics
    /// If the lengths disagree with `g` and `groups`, or `g` pads with
    /// anything but zeros.
    ///
    /// ```
    /// use nn_kernels::{conv::Geometry, int8::{conv2d, Channel, Quantized, Requant, Stage}};
    /// let g = Geometry::square(1, 2, 2, 2, 1, 0, 1); // one 2×2 window
    /// let mut y = [0i8];
    /// let stage = Stage { channels: &[Channel { bias: 0, requant: Requant::new(1.0) }], zero: 0 };
    /// let x = Quantized { values: &[1, 2, 3, 4], zero: 1 };
    /// conv2d(&g, 1, x, &[1, 1, 1, 1], &stage, &mut y);
    /// assert_eq!(y, [6]); // (0 + 1 + 2 + 3)
    /// ```
    pub fn conv2d / conv2d_on(
        g: &Geometry,
        groups: usize,
        x: Quantized,
        w: &[i8],
        stage: &Stage,
        y: &mut [i8],
    ) {
        let Quantized { values: x, zero: x_zero } = x;
        let (h, wd, oh, ow) = (g.height, g.width, g.out_height(), g.out_width());
        let (kh, kw, d) = (g.kernel_h, g.kernel_w, g.dilation);
        let co_total = stage.channels.len();
        assert!(groups > 0 && g.channels.is_multiple_of(groups) && co_total.is_multiple_of(groups), "int8 conv: groups");
        assert_eq!(g.padding_mode, crate::conv::PaddingMode::Zeros, "int8 conv: zero padding only");
        let cig = g.channels / groups;
        assert_eq!(x.len(), g.channels * h * wd, "int8 conv: input");
        assert_eq!(w.len(), co_total * cig * kh * kw, "int8 conv: weights");
        assert_eq!(y.len(), co_total * oh * ow, "int8 conv: outputs");
        if kh == 1 && kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0 {
            return pointwise(h * wd, cig, groups, Quantized { values: x, zero: x_zero }, w, stage, y);
        }
        // Each block of up to ACCUMULATORS outputs of one output row sums
        // tap by tap: for each weight, the run of outputs whose tap falls
        // inside the input (computed, not tested per pixel).
        let mut acc = [0i32; ACCUMULATORS];
        for co in 0..co_total {
            let first_ci = co / (co_total / groups) * cig;
            let filters = &w[co * cig * kh * kw..(co + 1) * cig * kh * kw];
            for oy in 0..oh {
                for ox0 in (0..ow).step_by(ACCUMULATORS) {
                    let acc = &mut acc[..ACCUMULATORS.min(ow - ox0)];
                    acc.fill(0);
                    for ci in 0..cig {
                        let plane = &x[(first_ci + ci) * h * wd..(first_ci + ci + 1) * h * wd];
                        let taps = &filters[ci * kh * kw..(ci + 1) * kh * kw];
                        for i in 0..kh {
                            let Some(iy) = (oy * g.stride_h + i * d).checked_sub(g.pad_h) else { continue };
                            if iy >= h {
                                continue;
                            }
                            let row = &plane[iy * wd..(iy + 1) * wd];
                            for j in 0..kw {
                                // Outputs ox read column ox·stride + j·d − pad: those in [lo, hi) are inside.
                                let (offset, s) = (j * d, g.stride_w);
                                let lo = g.pad_w.saturating_sub(offset).div_ceil(s).max(ox0);
                                let hi = (wd + g.pad_w).saturating_sub(offset).div_ceil(s).min(ox0 + acc.len());
                                if lo < hi {
                                    let start = lo * s + offset - g.pad_w;
                                    accumulate(&mut acc[lo - ox0..hi - ox0], &row[start..], s, taps[i * kw + j] as i32, x_zero);
                                }
                            }
                        }
                    }
                    for (k, &a) in acc.iter().enumerate() {
                        y[(co * oh + oy) * ow + ox0 + k] = stage.channel(co, a);
                    }
                }
            }
        }
    }
}

/// A pointwise (1×1, stride 1, unpadded) convolution over planes of
/// `pixels`: each output pixel is a dot product over its group's `cig`
/// input channels, four pixels at a time in registers (one weight load
/// serves four products). No tap is padding, so the input's zero point
/// folds into the bias: `Σ w·(x − z) = Σ w·x − z·Σ w`.
#[inline(always)]
fn pointwise(
    pixels: usize,
    cig: usize,
    groups: usize,
    x: Quantized,
    w: &[i8],
    stage: &Stage,
    y: &mut [i8],
) {
    let co_total = stage.channels.len();
    for co in 0..co_total {
        let first_ci = co / (co_total / groups) * cig;
        let filters = &w[co * cig..(co + 1) * cig];
        let planes = &x.values[first_ci * pixels..(first_ci + cig) * pixels];
        let offset = -x.zero * filters.iter().map(|&w| w as i32).sum::<i32>();
        let out = &mut y[co * pixels..(co + 1) * pixels];
        let mut p = 0;
        while p + 4 <= pixels {
            // Four named accumulators, not an array: they stay in registers
            // even where the firmware is optimized for size.
            let (mut a0, mut a1, mut a2, mut a3) = (offset, offset, offset, offset);
            for (&w, plane) in filters.iter().zip(planes.chunks_exact(pixels)) {
                let (w, x) = (w as i32, &plane[p..p + 4]);
                a0 += w * x[0] as i32;
                a1 += w * x[1] as i32;
                a2 += w * x[2] as i32;
                a3 += w * x[3] as i32;
            }
            for (k, a) in [a0, a1, a2, a3].into_iter().enumerate() {
                out[p + k] = stage.channel(co, a);
            }
            p += 4;
        }
        for (p, out) in out.iter_mut().enumerate().skip(p) {
            let dot: i32 = filters
                .iter()
                .zip(planes.chunks_exact(pixels))
                .map(|(&w, plane)| w as i32 * plane[p] as i32)
                .sum();
            *out = stage.channel(co, offset + dot);
        }
    }
}

/// Outputs of one convolution row summed at once (a stack buffer: 512 B).
const ACCUMULATORS: usize = 128;

/// `acc[k] += w · (x[k · stride] − zero)` for every accumulator.
#[inline(always)]
fn accumulate(acc: &mut [i32], x: &[i8], stride: usize, w: i32, zero: i32) {
    if stride == 1 {
        for (a, &v) in acc.iter_mut().zip(x) {
            *a += w * (v as i32 - zero);
        }
    } else {
        for (a, &v) in acc.iter_mut().zip(x.iter().step_by(stride)) {
            *a += w * (v as i32 - zero);
        }
    }
}

/// Max pooling over int8 values (input and output share their scale and
/// zero point, so the maximum of the stored values is the stored maximum).
///
/// # Panics
/// If the lengths disagree with `g`.
///
/// ```
/// use nn_kernels::{conv::Geometry, int8::max_pool};
/// let g = Geometry::sequence(1, 4, 2, 2, 0, 1);
/// let mut y = [0i8; 2];
/// max_pool(&g, &[1, 5, -3, -2], &mut y);
/// assert_eq!(y, [5, -2]);
/// ```
pub fn max_pool(g: &Geometry, x: &[i8], y: &mut [i8]) {
    assert_eq!(
        x.len(),
        g.channels * g.height * g.width,
        "int8 pooling: input"
    );
    assert_eq!(
        y.len(),
        g.channels * g.out_height() * g.out_width(),
        "int8 pooling: output"
    );
    y.fill(i8::MIN);
    g.for_each_window_tap(|i, o| y[o] = y[o].max(x[i]));
}

/// Average pooling over int8 values with the same scale and zero point in
/// and out: each window's sum divided by its number of taps, rounding halves
/// away from zero (TFLite's `AveragePool`).
///
/// # Panics
/// If the lengths disagree with `g`, or `g` pads.
///
/// ```
/// use nn_kernels::{conv::Geometry, int8::avg_pool};
/// let g = Geometry::sequence(1, 4, 2, 2, 0, 1);
/// let mut y = [0i8; 2];
/// avg_pool(&g, &[1, 2, -3, -4], &mut y);
/// assert_eq!(y, [2, -4]); // 1.5 → 2, −3.5 → −4
/// ```
pub fn avg_pool(g: &Geometry, x: &[i8], y: &mut [i8]) {
    assert_eq!(
        x.len(),
        g.channels * g.height * g.width,
        "int8 pooling: input"
    );
    let outputs = g.channels * g.out_height() * g.out_width();
    assert_eq!(y.len(), outputs, "int8 pooling: output");
    assert!(
        g.pad_h == 0 && g.pad_w == 0,
        "int8 average pooling has no padding"
    );
    let taps = (g.kernel_h * g.kernel_w) as i32;
    let per_channel = g.out_height() * g.out_width();
    for (o, y) in y.iter_mut().enumerate() {
        let (c, rest) = (o / per_channel, o % per_channel);
        let (oy, ox) = (rest / g.out_width(), rest % g.out_width());
        let mut sum = 0i32;
        for i in 0..g.kernel_h {
            for j in 0..g.kernel_w {
                let (iy, ix) = (
                    oy * g.stride_h + i * g.dilation,
                    ox * g.stride_w + j * g.dilation,
                );
                sum += x[(c * g.height + iy) * g.width + ix] as i32;
            }
        }
        let rounded = if sum >= 0 {
            sum + taps / 2
        } else {
            sum - taps / 2
        } / taps;
        *y = rounded.clamp(-128, 127) as i8;
    }
}

/// The scales of an elementwise sum of two int8 tensors with their own
/// quantizations (TFLite's int8 `ADD`): both inputs, less their zero points,
/// move to a common fixed-point scale ([`Addition::LEFT_SHIFT`] bits finer
/// than twice the larger input scale), add exactly, and the sum returns to
/// the output's scale. Packed, like [`Requant`].
///
/// ```
/// use nn_kernels::int8::{add, Addition};
/// // 0.5·(a − 1) + 0.25·b in steps of 0.5.
/// let op = Addition::new((0.5, 1), (0.25, 0), (0.5, 0));
/// let mut y = [0i8; 2];
/// add(&op, &[3, -1], &[4, -6], &mut y);
/// assert_eq!(y, [4, -5]); // 1 + 1 = 2, −1 − 1.5 = −2.5 (halves away from zero)
/// ```
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addition {
    /// The first input's multiplier to the common scale.
    pub a: Requant,
    /// The first input's zero point.
    pub a_zero: i32,
    /// The second input's multiplier to the common scale.
    pub b: Requant,
    /// The second input's zero point.
    pub b_zero: i32,
    /// The sum's multiplier to the output scale.
    pub output: Requant,
    /// The output's zero point.
    pub zero: i32,
}

impl Addition {
    /// Bits of headroom the inputs get before rescaling (TFLite's 20).
    pub const LEFT_SHIFT: u32 = 20;

    /// The addition of `a` and `b` into `output`, each a `(scale, zero)`.
    ///
    /// # Panics
    /// If a scale is not positive and finite.
    ///
    /// ```
    /// let op = nn_kernels::int8::Addition::new((0.5, 0), (0.5, 0), (1.0, 0));
    /// assert_eq!(op.a, op.b);
    /// ```
    pub fn new(
        (a_scale, a_zero): (f32, i32),
        (b_scale, b_zero): (f32, i32),
        (scale, zero): (f32, i32),
    ) -> Addition {
        let positive = |s: f32| s.is_finite() && s > 0.0;
        assert!(
            positive(a_scale) && positive(b_scale) && positive(scale),
            "quantization scales are positive"
        );
        let twice_max = 2.0 * a_scale.max(b_scale) as f64;
        Addition {
            a: Requant::new(a_scale as f64 / twice_max),
            a_zero,
            b: Requant::new(b_scale as f64 / twice_max),
            b_zero,
            output: Requant::new(twice_max / ((1u64 << Self::LEFT_SHIFT) as f64 * scale as f64)),
            zero,
        }
    }

    /// One output value.
    #[inline(always)]
    pub fn apply(self, a: i8, b: i8) -> i8 {
        let widen = |q: i8, zero: i32| (q as i32 - zero) << Self::LEFT_SHIFT;
        let sum = self.a.apply(widen(a, self.a_zero)) + self.b.apply(widen(b, self.b_zero));
        (self.output.apply(sum) + self.zero).clamp(-128, 127) as i8
    }
}

/// `y = a + b` of int8 tensors, each value by [`Addition::apply`].
///
/// # Panics
/// If the lengths differ.
///
/// ```
/// use nn_kernels::int8::{add, Addition};
/// let mut y = [0i8];
/// add(&Addition::new((1.0, 0), (1.0, 0), (1.0, 0)), &[100], &[100], &mut y);
/// assert_eq!(y, [127]); // saturated
/// ```
pub fn add(op: &Addition, a: &[i8], b: &[i8], y: &mut [i8]) {
    assert!(
        a.len() == y.len() && b.len() == y.len(),
        "int8 addition: lengths"
    );
    let op = *op;
    for ((y, &a), &b) in y.iter_mut().zip(a).zip(b) {
        *y = op.apply(a, b);
    }
}

/// An elementwise function through its table: `y[i] = table[x[i] as u8]`
/// (the table is indexed by the stored byte, so `table[128]` is the value
/// for `q = −128`).
///
/// # Panics
/// If `x` and `y` differ in length.
///
/// ```
/// let mut table = [0i8; 256];
/// table[255] = 7; // q = −1
/// let mut y = [0i8; 2];
/// nn_kernels::int8::lookup(&table, &[-1, 0], &mut y);
/// assert_eq!(y, [7, 0]);
/// ```
pub fn lookup(table: &[i8; 256], x: &[i8], y: &mut [i8]) {
    assert_eq!(x.len(), y.len(), "int8 lookup: lengths");
    for (y, &x) in y.iter_mut().zip(x) {
        *y = table[x as u8 as usize];
    }
}
