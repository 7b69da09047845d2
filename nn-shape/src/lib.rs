//! The shape arithmetic of `nn`'s layers, in one place.
//!
//! The layer types use these `const fn`s to check their sizes at compile
//! time, the `nn-kernels` window geometry uses them to walk inputs, and the
//! `network!` macro calls the very same functions while it expands, to work
//! out each layer's output and word its errors. When the macro cannot know a
//! number (a named size such as `const HIDDEN: usize = 64`), it emits a call
//! to [`expect_window`] instead, so the compiler evaluates the rule.
//!
//! ```
//! // A 5×5 kernel over 28 pixels, stride 1, no padding, no dilation:
//! assert_eq!(nn_shape::out_len(28, 5, 1, 0, 1), Some(24));
//! ```
#![no_std]
#![warn(missing_docs)]

/// Output length of a sliding window along one axis:
/// `⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1`, or `None` if the (dilated) window does
/// not fit the padded input or a parameter is zero.
///
/// ```
/// use nn_shape::out_len;
/// assert_eq!(out_len(28, 5, 1, 0, 1), Some(24));
/// assert_eq!(out_len(32, 3, 2, 1, 1), Some(16));
/// assert_eq!(out_len(3, 5, 1, 0, 1), None);
/// ```
pub const fn out_len(n: usize, k: usize, s: usize, p: usize, d: usize) -> Option<usize> {
    if s == 0 || k == 0 || d == 0 {
        return None;
    }
    let span = d * (k - 1) + 1;
    if n + 2 * p < span {
        None
    } else {
        Some((n + 2 * p - span) / s + 1)
    }
}

/// Output length of a transposed convolution along one axis:
/// `s(n − 1) + k − 2p`, or `None` if that is not positive.
///
/// ```
/// assert_eq!(nn_shape::transposed_out_len(7, 2, 2, 0), Some(14));
/// assert_eq!(nn_shape::transposed_out_len(1, 2, 1, 1), None);
/// ```
pub const fn transposed_out_len(n: usize, k: usize, s: usize, p: usize) -> Option<usize> {
    if s == 0 || k == 0 || n == 0 {
        return None;
    }
    let full = s * (n - 1) + k;
    if full <= 2 * p {
        None
    } else {
        Some(full - 2 * p)
    }
}

/// The output length of a window rule, for compile-time use: a window that
/// does not fit stops compilation with this function's message.
///
/// ```
/// const OUT: usize = nn_shape::expect_window(nn_shape::out_len(28, 5, 1, 0, 1));
/// assert_eq!(OUT, 24);
/// ```
pub const fn expect_window(len: Option<usize>) -> usize {
    match len {
        Some(len) => len,
        None => panic!("the window is larger than the padded input"),
    }
}

/// The symmetric zero padding of `padding = same`: the least `p` for which
/// a window of `k` taps (stride `s`, dilation `d`) gives `⌈n / s⌉` outputs,
/// or `None` when no symmetric padding does (an even dilated span at stride
/// 1, which PyTorch pads one more on the bottom/right).
///
/// At stride 1 this is PyTorch's `padding="same"`; at larger strides it
/// gives TensorFlow's "same" output size, padding `⌈t/2⌉` on both sides
/// where TensorFlow pads `⌊t/2⌋` before and `⌈t/2⌉` after (`t` the total).
///
/// ```
/// use nn_shape::same_padding;
/// assert_eq!(same_padding(28, 3, 1, 1), Some(1));
/// assert_eq!(same_padding(49, 10, 2, 1), Some(5)); // DS-CNN: 49 → 25
/// assert_eq!(same_padding(96, 3, 2, 1), Some(1)); // MobileNet: 96 → 48
/// assert_eq!(same_padding(10, 4, 1, 1), None);
/// ```
pub const fn same_padding(n: usize, k: usize, s: usize, d: usize) -> Option<usize> {
    if n == 0 || s == 0 || k == 0 || d == 0 {
        return None;
    }
    let out = n.div_ceil(s);
    let span = d * (k - 1) + 1;
    let total = ((out - 1) * s + span).saturating_sub(n);
    let p = total.div_ceil(2);
    match out_len(n, k, s, p, d) {
        Some(o) if o == out => Some(p),
        _ => None,
    }
}

/// [`same_padding`] for compile-time use: where there is none, compilation
/// stops with this function's message.
///
/// ```
/// const P: usize = nn_shape::expect_same_padding(nn_shape::same_padding(32, 5, 1, 1));
/// assert_eq!(P, 2);
/// ```
pub const fn expect_same_padding(p: Option<usize>) -> usize {
    match p {
        Some(p) => p,
        None => {
            panic!("`padding = same` needs asymmetric padding here; give the padding explicitly")
        }
    }
}

/// The larger of two sizes, for `const` contexts.
///
/// ```
/// assert_eq!(nn_shape::max(3, 7), 7);
/// ```
pub const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Defaults of layer settings that `network!` fills in when a layer is
/// written without them; the layer types' constructors and `Default` impls
/// read the same constants.
pub mod defaults {
    /// `Dropout`'s drop probability (PyTorch's `p = 0.5`).
    pub const DROPOUT: f32 = 0.5;
    /// `LeakyReLU`'s negative slope (PyTorch's `negative_slope = 0.01`).
    pub const LEAKY_RELU_SLOPE: f32 = 0.01;
    /// `ELU`'s α (PyTorch's `alpha = 1.0`).
    pub const ELU_ALPHA: f32 = 1.0;
    /// `HardTanh`'s bounds (PyTorch's `min_val = -1`, `max_val = 1`).
    pub const HARD_TANH: (f32, f32) = (-1.0, 1.0);
}
