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

/// What a convolution reads in the border its padding adds (PyTorch's
/// `padding_mode`): padding never changes the output size, only the values
/// of the taps that fall outside the input. For an axis `x₀ … x₍ₙ₋₁₎`, the
/// positions before `x₀` read
///
/// | mode | `x₋₂ x₋₁` | |
/// |---|---|---|
/// | `Zeros` | `0 0` | |
/// | `Reflect` | `x₂ x₁` | mirrored about the edge, the edge itself once |
/// | `Replicate` | `x₀ x₀` | the edge repeated |
/// | `Circular` | `x₍ₙ₋₂₎ x₍ₙ₋₁₎` | wrapped around: the axis is periodic |
///
/// and the same on the far side. Stored in a layer's type as its `usize`
/// discriminant ([`PaddingMode::index`]), since const generics take
/// integers.
///
/// ```
/// use nn_shape::PaddingMode;
/// assert_eq!(PaddingMode::Reflect.source(-2, 5), Some(2));
/// assert_eq!(PaddingMode::Circular.source(-1, 5), Some(4));
/// assert_eq!(PaddingMode::Replicate.source(7, 5), Some(4));
/// assert_eq!(PaddingMode::Zeros.source(-1, 5), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(usize)]
pub enum PaddingMode {
    /// Zeros (the default).
    #[default]
    Zeros = 0,
    /// The input mirrored about its edge, without repeating the edge.
    Reflect = 1,
    /// The edge value repeated.
    Replicate = 2,
    /// The input wrapped around: periodic boundary conditions.
    Circular = 3,
}

impl PaddingMode {
    /// Every mode, in discriminant order.
    pub const ALL: [PaddingMode; 4] = [Self::Zeros, Self::Reflect, Self::Replicate, Self::Circular];

    /// The mode with discriminant `index`.
    ///
    /// # Panics
    /// If `index > 3` (at compile time in a `const`).
    ///
    /// ```
    /// use nn_shape::PaddingMode;
    /// assert_eq!(PaddingMode::from_index(PaddingMode::Circular.index()), PaddingMode::Circular);
    /// ```
    pub const fn from_index(index: usize) -> Self {
        match index {
            0 => Self::Zeros,
            1 => Self::Reflect,
            2 => Self::Replicate,
            3 => Self::Circular,
            _ => panic!("padding modes are 0 (zeros), 1 (reflect), 2 (replicate) and 3 (circular)"),
        }
    }

    /// The discriminant a layer's type stores.
    ///
    /// ```
    /// assert_eq!(nn_shape::PaddingMode::Reflect.index(), 1);
    /// ```
    pub const fn index(self) -> usize {
        self as usize
    }

    /// PyTorch's name of the mode (`padding_mode=`), which `network!` uses too.
    ///
    /// ```
    /// assert_eq!(nn_shape::PaddingMode::Circular.name(), "circular");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Zeros => "zeros",
            Self::Reflect => "reflect",
            Self::Replicate => "replicate",
            Self::Circular => "circular",
        }
    }

    /// The input index that position `i` of an axis of `n` values reads
    /// (`i` may lie in the padding, below 0 or at `n` and beyond), or `None`
    /// where it reads zero. Valid for `i` within `n − 1` positions of the
    /// axis (reflect) or `n` (circular), which [`PaddingMode::fits`] ensures.
    ///
    /// ```
    /// use nn_shape::PaddingMode;
    /// assert_eq!(PaddingMode::Reflect.source(6, 5), Some(2));
    /// assert_eq!(PaddingMode::Circular.source(5, 5), Some(0));
    /// ```
    pub const fn source(self, i: isize, n: usize) -> Option<usize> {
        let n = n as isize;
        if i >= 0 && i < n {
            return Some(i as usize);
        }
        match self {
            Self::Zeros => None,
            Self::Reflect => Some(if i < 0 { -i } else { 2 * (n - 1) - i } as usize),
            Self::Replicate => Some(if i < 0 { 0 } else { n - 1 } as usize),
            Self::Circular => Some(i.rem_euclid(n) as usize),
        }
    }

    /// Whether `pad` positions on each side of an axis of `n` values can be
    /// filled in this mode, as PyTorch requires: reflection needs
    /// `pad < n` (each padded value mirrors a distinct input value),
    /// wrapping `pad ≤ n`, replication a non-empty axis.
    ///
    /// ```
    /// use nn_shape::PaddingMode;
    /// assert!(PaddingMode::Reflect.fits(3, 2) && !PaddingMode::Reflect.fits(2, 2));
    /// assert!(PaddingMode::Circular.fits(2, 2) && !PaddingMode::Circular.fits(2, 3));
    /// ```
    pub const fn fits(self, n: usize, pad: usize) -> bool {
        match self {
            Self::Zeros => true,
            Self::Reflect => pad < n,
            Self::Replicate => n > 0 || pad == 0,
            Self::Circular => pad <= n,
        }
    }
}

/// The receptive field of a layer's outputs (the course notes' §14.2): the
/// window of network-input pixels, `[rows, columns]`, that one output value
/// depends on, grown layer by layer with the standard arithmetic — a window
/// of `k` taps at dilation `d` adds `d(k − 1)` steps of the accumulated
/// stride (`jump`), and a stride `s` multiplies the jump by `s`. Padding
/// does not enter, so near the border part of the window lies in padding
/// (the field may exceed the input).
///
/// ```
/// use nn_shape::ReceptiveField;
/// // Two 3×3 convolutions see 5×5, a 2×2 pool 6×6 and doubles the jump,
/// // so a third 3×3 convolution sees 6 + 2·2 = 10.
/// let f = ReceptiveField::INPUT
///     .window([3, 3], [1, 1], 1)
///     .window([3, 3], [1, 1], 1)
///     .window([2, 2], [2, 2], 1)
///     .window([3, 3], [1, 1], 1);
/// assert_eq!(f.size(), Some([10, 10]));
/// assert_eq!(f.whole(), ReceptiveField::Whole);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceptiveField {
    /// Each output sees a `size` window of the input; the windows of
    /// neighbouring outputs start `jump` input pixels apart.
    Window {
        /// Rows and columns of the window.
        size: [usize; 2],
        /// Input pixels between neighbouring outputs' windows.
        jump: [usize; 2],
    },
    /// Every output depends on the whole input (after a `Linear`, global
    /// pooling, a softmax or a normalization over all features).
    Whole,
    /// Not known: the output of a layer nn does not know the arithmetic of
    /// (a user's layer).
    Unknown,
}

impl ReceptiveField {
    /// The network input: each value is itself.
    pub const INPUT: Self = Self::Window {
        size: [1, 1],
        jump: [1, 1],
    };

    /// After a convolution or pooling window of `kernel` taps per axis,
    /// `stride` and `dilation`.
    ///
    /// ```
    /// use nn_shape::ReceptiveField;
    /// let f = ReceptiveField::INPUT.window([3, 3], [2, 2], 2); // span 5, stride 2
    /// assert_eq!(f, ReceptiveField::Window { size: [5, 5], jump: [2, 2] });
    /// ```
    pub const fn window(self, kernel: [usize; 2], stride: [usize; 2], dilation: usize) -> Self {
        match self {
            Self::Window { size, jump } => Self::Window {
                size: [
                    size[0] + dilation * kernel[0].saturating_sub(1) * jump[0],
                    size[1] + dilation * kernel[1].saturating_sub(1) * jump[1],
                ],
                jump: [jump[0] * stride[0], jump[1] * stride[1]],
            },
            other => other,
        }
    }

    /// After a transposed convolution (or unpooling, `kernel = stride`):
    /// each output reads at most `⌈k/s⌉` inputs per axis, and the jump
    /// shrinks by `s`. When `s` does not divide the jump, the jump is
    /// rounded down to at least 1, so the field is an upper bound.
    ///
    /// ```
    /// use nn_shape::ReceptiveField;
    /// let down = ReceptiveField::INPUT.window([2, 2], [2, 2], 1);
    /// let up = down.transposed([2, 2], [2, 2]);
    /// assert_eq!(up, ReceptiveField::Window { size: [2, 2], jump: [1, 1] });
    /// ```
    pub const fn transposed(self, kernel: [usize; 2], stride: [usize; 2]) -> Self {
        match self {
            Self::Window { size, jump } => {
                let taps = [kernel[0].div_ceil(stride[0]), kernel[1].div_ceil(stride[1])];
                Self::Window {
                    size: [
                        size[0] + (taps[0] - 1) * jump[0],
                        size[1] + (taps[1] - 1) * jump[1],
                    ],
                    jump: [max(jump[0] / stride[0], 1), max(jump[1] / stride[1], 1)],
                }
            }
            other => other,
        }
    }

    /// After a layer whose every output reads every input.
    ///
    /// ```
    /// assert_eq!(nn_shape::ReceptiveField::Unknown.whole(), nn_shape::ReceptiveField::Whole);
    /// ```
    pub const fn whole(self) -> Self {
        Self::Whole
    }

    /// The sum of two branches (a residual join): the larger window per
    /// axis.
    ///
    /// ```
    /// use nn_shape::ReceptiveField;
    /// let main = ReceptiveField::INPUT.window([3, 3], [1, 1], 1);
    /// assert_eq!(main.join(ReceptiveField::INPUT), main);
    /// ```
    pub const fn join(self, other: Self) -> Self {
        match (self, other) {
            (Self::Unknown, _) | (_, Self::Unknown) => Self::Unknown,
            (Self::Whole, _) | (_, Self::Whole) => Self::Whole,
            (Self::Window { size: a, jump: ja }, Self::Window { size: b, jump: jb }) => {
                Self::Window {
                    size: [max(a[0], b[0]), max(a[1], b[1])],
                    jump: [max(ja[0], jb[0]), max(ja[1], jb[1])],
                }
            }
        }
    }

    /// The window's `[rows, columns]`, if it is one.
    ///
    /// ```
    /// assert_eq!(nn_shape::ReceptiveField::INPUT.size(), Some([1, 1]));
    /// ```
    pub const fn size(self) -> Option<[usize; 2]> {
        match self {
            Self::Window { size, .. } => Some(size),
            _ => None,
        }
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
