//! The int8 residual join: two tensors with their own quantizations summed
//! into a third (TFLite's int8 `ADD`).
use super::Params;
use crate::mem::{Plain, Zeroable};
use nn_kernels::int8::{self, Addition};

/// `y = a + b` of two int8 tensors of one shape, each with its own
/// [`Params`], into the output's.
///
/// ```
/// use nn_core::quant::{Int8Add, Params};
/// let (a, b, y) = (Params::from_range(-1.0, 1.0), Params::from_range(0.0, 4.0), Params::from_range(-1.0, 5.0));
/// let add = Int8Add::new(a, b, y);
/// let mut out = [0i8];
/// add.forward_into(&[a.quantize(0.5)], &[b.quantize(2.0)], &mut out);
/// assert!((y.dequantize(out[0]) - 2.5).abs() <= y.scale());
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int8Add {
    /// The fixed-point scales and zero points.
    pub addition: Addition,
}

// SAFETY: packed integers (alignment 1): no padding, and zero (or any) bits
// are valid.
unsafe impl Zeroable for Int8Add {}
// SAFETY: as above.
unsafe impl Plain for Int8Add {}

impl Int8Add {
    /// The sum of tensors quantized as `a` and `b`, quantized as `output`.
    pub fn new(a: Params, b: Params, output: Params) -> Int8Add {
        let pair = |p: Params| (p.scale(), p.zero());
        Int8Add {
            addition: Addition::new(pair(a), pair(b), pair(output)),
        }
    }

    /// Writes `a + b` into `y` (all of one shape of int8 values).
    pub fn forward_into<S: bytemuck::Pod>(&self, a: &S, b: &S, y: &mut S) {
        fn values<S: bytemuck::Pod>(s: &S) -> &[i8] {
            bytemuck::cast_slice(core::slice::from_ref(s))
        }
        let y = bytemuck::cast_slice_mut(core::slice::from_mut(y));
        int8::add(&self.addition, values(a), values(b), y);
    }
}
