//! Per-tensor quantization parameters and the ranges calibration observes.

/// How a tensor's int8 values map to reals: `r = scale · (q − zero)`.
/// Packed (alignment 1), so int8 models that hold it have no padding.
///
/// ```
/// let p = nn_core::quant::Params::from_range(0.0, 2.55);
/// assert_eq!(p.zero(), -128);
/// assert_eq!(p.quantize(1.0), -28);
/// assert!((p.dequantize(-28) - 1.0).abs() < 1e-6);
/// ```
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    scale: f32,
    zero: i32,
}

impl Params {
    /// `scale` and `zero` as given.
    ///
    /// # Panics
    /// If `scale` is not positive and finite or `zero` is outside `i8`.
    ///
    /// ```
    /// assert_eq!(nn_core::quant::Params::new(0.5, 3).scale(), 0.5);
    /// ```
    pub fn new(scale: f32, zero: i32) -> Params {
        assert!(
            scale.is_finite() && scale > 0.0,
            "a quantization scale is positive"
        );
        assert!((-128..=127).contains(&zero), "a zero point is an int8");
        Params { scale, zero }
    }

    /// TFLite's asymmetric int8 quantization of values in `[min, max]`:
    /// the range is widened to hold 0 (so zero is exact: padding, ReLU),
    /// split into 255 steps, and `zero` is where 0 falls.
    ///
    /// ```
    /// let p = nn_core::quant::Params::from_range(-1.0, 1.0);
    /// assert_eq!((p.quantize(-1.0), p.quantize(0.0), p.quantize(1.0)), (-128, -1, 126));
    /// ```
    pub fn from_range(min: f32, max: f32) -> Params {
        let (min, max) = (min.min(0.0), max.max(0.0));
        if !(max - min).is_finite() || max - min <= f32::MIN_POSITIVE {
            // An all-zero (or unobserved) tensor: any scale represents it.
            return Params::new(1.0, 0);
        }
        let scale = (max - min) / 255.0;
        let zero = libm::roundf(-128.0 - min / scale).clamp(-128.0, 127.0) as i32;
        Params::new(scale, zero)
    }

    /// The real value of one step.
    pub fn scale(self) -> f32 {
        self.scale
    }

    /// The int8 value of real 0.
    pub fn zero(self) -> i32 {
        self.zero
    }

    /// The nearest int8 value of `v`, saturated.
    pub fn quantize(self, v: f32) -> i8 {
        (libm::roundf(v / self.scale) + self.zero as f32).clamp(-128.0, 127.0) as i8
    }

    /// The real value of `q`.
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (q as i32 - self.zero) as f32
    }

    /// [`Params::quantize`] of every value of `x` into `q`.
    ///
    /// # Panics
    /// If `x` and `q` have different lengths.
    ///
    /// ```
    /// let p = nn_core::quant::Params::new(0.5, 0);
    /// let mut q = [0i8; 2];
    /// p.quantize_all(&[1.0, -0.5], &mut q);
    /// assert_eq!(q, [2, -1]);
    /// ```
    pub fn quantize_all(self, x: &[f32], q: &mut [i8]) {
        assert_eq!(x.len(), q.len(), "quantizing: one int8 per value");
        for (q, &x) in q.iter_mut().zip(x) {
            *q = self.quantize(x);
        }
    }

    /// [`Params::dequantize`] of every value of `q` into `x`.
    ///
    /// # Panics
    /// If `q` and `x` have different lengths.
    ///
    /// ```
    /// let p = nn_core::quant::Params::new(0.5, 0);
    /// let mut x = [0.0; 2];
    /// p.dequantize_all(&[2, -1], &mut x);
    /// assert_eq!(x, [1.0, -0.5]);
    /// ```
    pub fn dequantize_all(self, q: &[i8], x: &mut [f32]) {
        assert_eq!(x.len(), q.len(), "dequantizing: one value per int8");
        for (x, &q) in x.iter_mut().zip(q) {
            *x = self.dequantize(q);
        }
    }
}

// SAFETY: packed (alignment 1, no padding): an `f32` and an `i32`, for
// which any bits (zeros included) are valid.
unsafe impl crate::mem::Zeroable for Params {}
// SAFETY: as above.
unsafe impl crate::mem::Plain for Params {}

/// The smallest and largest values a tensor took over a calibration set.
///
/// ```
/// let mut r = nn_core::quant::Range::EMPTY;
/// r.observe(&[0.5, -2.0]);
/// r.observe(&[3.0]);
/// assert_eq!((r.min, r.max), (-2.0, 3.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen.
    pub min: f32,
    /// The largest value seen.
    pub max: f32,
}

impl Range {
    /// Nothing observed yet.
    pub const EMPTY: Range = Range {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
    };

    /// Widens the range to hold `values` (NaN is ignored).
    pub fn observe(&mut self, values: &[f32]) {
        for &v in values {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }

    /// The int8 quantization of this range ([`Params::from_range`]).
    ///
    /// ```
    /// assert_eq!(nn_core::quant::Range::EMPTY.params(), nn_core::quant::Params::new(1.0, 0));
    /// ```
    pub fn params(self) -> Params {
        Params::from_range(self.min, self.max)
    }
}
