//! Convolution and pooling geometry, and the `im2col` / `col2im` lowering
//! that turns a convolution into one GEMM.
//!
//! A [`Geometry`] describes a sliding window over a `C × H × W` input
//! (`H = 1` for sequences). [`im2col`] lays every window out as one column of
//! a `(C·KH·KW) × (OH·OW)` matrix, so a convolution with `CO` filters is
//! `W (CO × C·KH·KW) · col`; [`col2im_add`] is its adjoint (scatter-add),
//! which backpropagation and transposed convolutions use.
//!
//! ```
//! use nn_kernels::conv::{Geometry, im2col};
//! let g = Geometry::square(1, 3, 3, 2, 1, 0, 1); // 1×3×3 input, 2×2 kernel
//! assert_eq!((g.out_height(), g.out_width()), (2, 2));
//! let x = [1., 2., 3., 4., 5., 6., 7., 8., 9.];
//! let mut col = [0.0; 4 * 4];
//! im2col(&g, &x, &mut col);
//! assert_eq!(col[..4], [1., 2., 4., 5.]); // the top-left tap of each window
//! ```

pub use nn_shape::{PaddingMode, out_len, transposed_out_len};

/// A sliding window over a `channels × height × width` input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Input channels.
    pub channels: usize,
    /// Input rows (`1` for sequences).
    pub height: usize,
    /// Input columns.
    pub width: usize,
    /// Window rows.
    pub kernel_h: usize,
    /// Window columns.
    pub kernel_w: usize,
    /// Step between windows down the rows.
    pub stride_h: usize,
    /// Step between windows along a row.
    pub stride_w: usize,
    /// Padding rows added above and below.
    pub pad_h: usize,
    /// Padding columns added left and right.
    pub pad_w: usize,
    /// Spacing between window taps.
    pub dilation: usize,
    /// What the padding reads: zeros, or the input reflected, replicated or
    /// wrapped around (only convolutions use more than zeros).
    pub padding_mode: PaddingMode,
}

impl Geometry {
    /// A square `k × k` window over an image.
    ///
    /// ```
    /// let g = nn_kernels::conv::Geometry::square(3, 32, 32, 5, 1, 0, 1);
    /// assert_eq!(g.out_height(), 28);
    /// ```
    pub const fn square(
        channels: usize,
        height: usize,
        width: usize,
        k: usize,
        stride: usize,
        pad: usize,
        dilation: usize,
    ) -> Self {
        Self::new(
            channels,
            [height, width],
            [k, k],
            [stride, stride],
            [pad, pad],
            dilation,
        )
    }

    /// A `kernel[0] × kernel[1]` window over a `channels × size[0] × size[1]`
    /// image, with per-axis `[rows, columns]` strides and (symmetric) padding.
    ///
    /// ```
    /// // DS-CNN's first layer: a 10×4 kernel, stride 2, padding (5, 1) on 49×10.
    /// let g = nn_kernels::conv::Geometry::new(1, [49, 10], [10, 4], [2, 2], [5, 1], 1);
    /// assert_eq!((g.out_height(), g.out_width()), (25, 5));
    /// ```
    pub const fn new(
        channels: usize,
        [height, width]: [usize; 2],
        [kernel_h, kernel_w]: [usize; 2],
        [stride_h, stride_w]: [usize; 2],
        [pad_h, pad_w]: [usize; 2],
        dilation: usize,
    ) -> Self {
        Self {
            channels,
            height,
            width,
            kernel_h,
            kernel_w,
            stride_h,
            stride_w,
            pad_h,
            pad_w,
            dilation,
            padding_mode: PaddingMode::Zeros,
        }
    }

    /// The same window with its padding filled in `mode`.
    ///
    /// # Panics
    /// If `mode` cannot fill the padding of an axis (see
    /// [`PaddingMode::fits`]; at compile time in a `const`).
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, PaddingMode, im2col};
    /// let g = Geometry::sequence(1, 3, 3, 1, 1, 1).with_padding_mode(PaddingMode::Circular);
    /// let mut col = [0.0; 9];
    /// im2col(&g, &[1., 2., 3.], &mut col);
    /// assert_eq!(col, [3., 1., 2., 1., 2., 3., 2., 3., 1.]); // windows [3 1 2], [1 2 3], [2 3 1]
    /// ```
    pub const fn with_padding_mode(self, mode: PaddingMode) -> Self {
        assert!(
            mode.fits(self.height, self.pad_h) && mode.fits(self.width, self.pad_w),
            "the padding mode cannot fill this much padding (reflect needs padding < size, circular padding <= size)"
        );
        Self {
            padding_mode: mode,
            ..self
        }
    }

    /// A length-`k` window over a `channels × len` sequence.
    ///
    /// ```
    /// let g = nn_kernels::conv::Geometry::sequence(2, 10, 3, 1, 1, 1);
    /// assert_eq!((g.out_height(), g.out_width()), (1, 10));
    /// ```
    pub const fn sequence(
        channels: usize,
        len: usize,
        k: usize,
        stride: usize,
        pad: usize,
        dilation: usize,
    ) -> Self {
        Self::new(channels, [1, len], [1, k], [1, stride], [0, pad], dilation)
    }

    /// Windows per column.
    ///
    /// # Panics
    /// If the window does not fit (see [`out_len`]).
    ///
    /// ```
    /// assert_eq!(nn_kernels::conv::Geometry::square(1, 5, 7, 3, 2, 0, 1).out_height(), 2);
    /// ```
    pub const fn out_height(&self) -> usize {
        match out_len(
            self.height,
            self.kernel_h,
            self.stride_h,
            self.pad_h,
            self.dilation,
        ) {
            Some(n) => n,
            None => panic!("the window does not fit the padded input"),
        }
    }

    /// Windows per row.
    ///
    /// # Panics
    /// If the window does not fit (see [`out_len`]).
    ///
    /// ```
    /// assert_eq!(nn_kernels::conv::Geometry::square(1, 5, 7, 3, 2, 0, 1).out_width(), 3);
    /// ```
    pub const fn out_width(&self) -> usize {
        match out_len(
            self.width,
            self.kernel_w,
            self.stride_w,
            self.pad_w,
            self.dilation,
        ) {
            Some(n) => n,
            None => panic!("the window does not fit the padded input"),
        }
    }

    /// Rows of the `im2col` matrix: taps per window, `C·KH·KW`.
    ///
    /// ```
    /// assert_eq!(nn_kernels::conv::Geometry::square(3, 8, 8, 5, 1, 0, 1).col_rows(), 75);
    /// ```
    pub const fn col_rows(&self) -> usize {
        self.channels * self.kernel_h * self.kernel_w
    }

    /// Columns of the `im2col` matrix: windows, `OH·OW`.
    ///
    /// ```
    /// assert_eq!(nn_kernels::conv::Geometry::square(3, 8, 8, 5, 1, 0, 1).col_cols(), 16);
    /// ```
    pub const fn col_cols(&self) -> usize {
        self.out_height() * self.out_width()
    }

    /// For tap offset `tap` (already dilated) along an axis of length `n`
    /// with stride `s` and padding `pad`, the window indices `o` in `0..out`
    /// whose input index `o·s + tap − pad` lies inside `0..n`, as a half-open range.
    fn valid(tap: usize, s: usize, pad: usize, n: usize, out: usize) -> (usize, usize) {
        // o·s + tap ≥ pad  ⇔  o ≥ ⌈(pad − tap) / s⌉
        let lo = if tap >= pad {
            0
        } else {
            (pad - tap).div_ceil(s)
        };
        // o·s + tap − pad ≤ n − 1  ⇔  o ≤ ⌊(n − 1 + pad − tap) / s⌋
        let hi = if n + pad > tap {
            ((n - 1 + pad - tap) / s + 1).min(out)
        } else {
            0
        };
        (lo.min(hi), hi)
    }

    /// Every (tap, output row) pair in tap-major order, channel by channel
    /// and, within a window, row by row: the traversal [`im2col`],
    /// [`col2im_add`], the direct convolutions and the pooling kernels
    /// share. An iterator, not a callback, so each kernel's loop body is
    /// compiled inside the kernel (with its instruction set).
    #[inline(always)]
    pub(crate) fn runs(&self) -> Runs<'_> {
        let (out_height, out_width) = (self.out_height(), self.out_width());
        let empty = self.col_rows() == 0 || out_height == 0 || out_width == 0;
        Runs {
            g: self,
            out_height,
            out_width,
            tap: (!empty).then(|| self.tap(0, out_height, out_width)),
            out_row: 0,
        }
    }

    /// The input column that output `o` of a run reads.
    #[inline(always)]
    pub(crate) fn input_col(&self, run: &Run, o: usize) -> usize {
        (o * self.stride_w).wrapping_add_signed(run.first_col)
    }

    /// The outputs of a run whose tap falls in the left or right padding,
    /// with the input column the padding mode has them read: none for zero
    /// padding, whose taps are skipped.
    #[inline(always)]
    pub(crate) fn border_taps(&self, run: &Run) -> impl Iterator<Item = (usize, usize)> {
        let ((lo, hi), ow) = (run.cols, self.out_width());
        let (mode, width, stride, first) =
            (self.padding_mode, self.width, self.stride_w, run.first_col);
        let outputs = match mode {
            PaddingMode::Zeros => (0..0).chain(0..0),
            _ => (0..lo).chain(hi..ow),
        };
        outputs.filter_map(move |o| {
            mode.source((o * stride) as isize + first, width)
                .map(|c| (o, c))
        })
    }

    /// Calls `f(input, window)` for every input pixel inside every window
    /// (padding skipped), in window-tap order, where `window` numbers the
    /// windows channel by channel (`c·OH·OW + oy·OW + ox`): the traversal of
    /// per-channel pooling.
    #[inline]
    pub(crate) fn for_each_window_tap(&self, mut f: impl FnMut(usize, usize)) {
        let (per_channel, ow) = (self.col_cols(), self.out_width());
        for run in self.runs() {
            if let Some(r) = run.input_row {
                let start = run.channel * per_channel + run.out_row * ow;
                let (lo, hi) = run.cols;
                for o in lo..hi {
                    f(r * self.width + self.input_col(&run, o), start + o);
                }
            }
        }
    }
}

/// The iterator of [`Geometry::runs`].
pub(crate) struct Runs<'a> {
    g: &'a Geometry,
    out_height: usize,
    out_width: usize,
    /// The current tap (`None` once past the last) and output row.
    tap: Option<Tap>,
    out_row: usize,
}

/// What every run of one tap shares.
#[derive(Clone, Copy)]
pub(crate) struct Tap {
    /// The tap's `im2col` row, `(c·KH + i)·KW + j`.
    index: usize,
    channel: usize,
    /// The output rows and columns whose tap lies inside the input.
    rows: (usize, usize),
    cols: (usize, usize),
    /// Input row and column of output (0, 0) (negative inside the padding).
    first_row: isize,
    first_col: isize,
}

impl Geometry {
    /// Tap `index` of a window whose output is `out_height × out_width`.
    #[inline(always)]
    fn tap(&self, index: usize, out_height: usize, out_width: usize) -> Tap {
        let (i, j) = (index / self.kernel_w % self.kernel_h, index % self.kernel_w);
        let d = self.dilation;
        Tap {
            index,
            channel: index / (self.kernel_h * self.kernel_w),
            rows: Self::valid(i * d, self.stride_h, self.pad_h, self.height, out_height),
            cols: Self::valid(j * d, self.stride_w, self.pad_w, self.width, out_width),
            first_row: (i * d) as isize - self.pad_h as isize,
            first_col: (j * d) as isize - self.pad_w as isize,
        }
    }
}

impl Tap {
    /// The input row (over all channels, `c·H + y`) that output row
    /// `out_row` reads, when it lies inside the input.
    #[inline(always)]
    fn input_row(&self, g: &Geometry, out_row: usize) -> usize {
        self.channel * g.height + (out_row * g.stride_h).wrapping_add_signed(self.first_row)
    }
}

impl Iterator for Runs<'_> {
    type Item = Run;

    #[inline(always)]
    fn next(&mut self) -> Option<Run> {
        let g = self.g;
        let mut tap = self.tap?;
        if self.out_row == self.out_height {
            self.out_row = 0;
            self.tap = (tap.index + 1 < g.col_rows())
                .then(|| g.tap(tap.index + 1, self.out_height, self.out_width));
            tap = self.tap?;
        }
        let out_row = self.out_row;
        self.out_row += 1;
        let input_row = if (tap.rows.0..tap.rows.1).contains(&out_row) {
            Some(tap.input_row(g, out_row))
        } else {
            let y = (out_row * g.stride_h) as isize + tap.first_row;
            g.padding_mode
                .source(y, g.height)
                .map(|y| tap.channel * g.height + y)
        };
        Some(Run {
            channel: tap.channel,
            tap: tap.index,
            out_row,
            input_row,
            cols: tap.cols,
            first_col: tap.first_col,
        })
    }
}

/// One tap of a window applied along one output row: `OW` outputs that read
/// input row `input_row` at columns `first_col + o·stride_w`.
pub(crate) struct Run {
    /// Channel of the input (and, for pooling, of the output).
    pub channel: usize,
    /// Output row.
    pub out_row: usize,
    /// The tap, numbered channel by channel (`(c·KH + i)·KW + j`): its
    /// `im2col` row.
    pub tap: usize,
    /// Input row over all channels (`channel·H + y`); `None` over padding.
    pub input_row: Option<usize>,
    /// The outputs whose column is inside the input, as `lo..hi`.
    pub cols: (usize, usize),
    /// Input column of output 0 (negative inside the left padding).
    pub first_col: isize,
}

/// Lays the windows of `x` (`C × H × W`, row-major) out as the columns of
/// `col` (`C·KH·KW × OH·OW`, row-major); taps over padding are zero.
///
/// # Panics
/// If `x` or `col` has the wrong length.
///
/// ```
/// use nn_kernels::conv::{Geometry, im2col};
/// let g = Geometry::sequence(1, 3, 3, 1, 1, 1); // pad 1: windows [0 1 2], [1 2 3], [2 3 0]
/// let mut col = [9.0; 9];
/// im2col(&g, &[1., 2., 3.], &mut col);
/// assert_eq!(col, [0., 1., 2., 1., 2., 3., 2., 3., 0.]);
/// ```
pub fn im2col(g: &Geometry, x: &[f32], col: &mut [f32]) {
    assert_eq!(col.len(), g.col_rows() * g.col_cols(), "col length");
    im2col_strided(g, x, col, g.col_cols());
}

/// Copies `src` to `dst` (equal lengths) in fixed-size blocks the compiler
/// turns into vector moves: im2col's runs are a few to a few dozen floats,
/// too short to repay a `memcpy` call each.
#[inline(always)]
fn copy_run(dst: &mut [f32], src: &[f32]) {
    let src = &src[..dst.len()];
    let (d16, d) = dst.as_chunks_mut::<16>();
    let (s16, s) = src.as_chunks::<16>();
    d16.iter_mut().zip(s16).for_each(|(d, s)| *d = *s);
    let (d8, d) = d.as_chunks_mut::<8>();
    let (s8, s) = s.as_chunks::<8>();
    d8.iter_mut().zip(s8).for_each(|(d, s)| *d = *s);
    for (d, s) in d.iter_mut().zip(s) {
        *d = *s;
    }
}

/// `out[k] = row[from + k·stride]`: one run of taps along an input row.
#[inline(always)]
fn copy_taps(out: &mut [f32], row: &[f32], from: usize, stride: usize) {
    if stride == 1 {
        copy_run(out, &row[from..]);
    } else {
        let src = row[from..].iter().step_by(stride);
        out.iter_mut().zip(src).for_each(|(v, x)| *v = *x);
    }
}

/// `row[from + k·stride] += taps[k]`: [`copy_taps`]' adjoint.
#[inline(always)]
fn add_taps(row: &mut [f32], from: usize, stride: usize, taps: &[f32]) {
    if stride == 1 {
        let dst = &mut row[from..from + taps.len()];
        dst.iter_mut().zip(taps).for_each(|(x, v)| *x += v);
    } else {
        let dst = row[from..].iter_mut().step_by(stride);
        dst.zip(taps).for_each(|(x, v)| *x += v);
    }
}

/// [`im2col_strided`] for zero padding, tap by tap and output row by output
/// row in plain loops (the general traversal's per-run bookkeeping costs
/// more than the short copies): outputs whose tap lies in the padding are
/// zero, the rest of each output row copies a run of its input row.
#[inline(always)]
fn im2col_zero_padded(g: &Geometry, x: &[f32], col: &mut [f32], ld: usize) {
    let (oh, ow, w) = (g.out_height(), g.out_width(), g.width);
    for t in 0..g.col_rows() {
        let tap = g.tap(t, oh, ow);
        let ((ylo, yhi), (lo, hi)) = (tap.rows, tap.cols);
        let from = (lo * g.stride_w).wrapping_add_signed(tap.first_col);
        let outputs = &mut col[t * ld..t * ld + oh * ow];
        outputs[..ylo * ow].fill(0.0);
        outputs[yhi * ow..].fill(0.0);
        for out_row in ylo..yhi {
            let out = &mut outputs[out_row * ow..(out_row + 1) * ow];
            if lo > 0 {
                out[..lo].fill(0.0);
            }
            if hi < ow {
                out[hi..].fill(0.0);
            }
            if lo < hi {
                let row = tap.input_row(g, out_row);
                copy_taps(
                    &mut out[lo..hi],
                    &x[row * w..(row + 1) * w],
                    from,
                    g.stride_w,
                );
            }
        }
    }
}

/// [`col2im_add_strided`] for zero padding, in [`im2col_zero_padded`]'s loops.
#[inline(always)]
fn col2im_zero_padded(g: &Geometry, col: &[f32], ld: usize, x: &mut [f32]) {
    let (oh, ow, w) = (g.out_height(), g.out_width(), g.width);
    for t in 0..g.col_rows() {
        let tap = g.tap(t, oh, ow);
        let ((ylo, yhi), (lo, hi)) = (tap.rows, tap.cols);
        let from = (lo * g.stride_w).wrapping_add_signed(tap.first_col);
        for out_row in (ylo..yhi).filter(|_| lo < hi) {
            let (start, row) = (t * ld + out_row * ow, tap.input_row(g, out_row));
            let taps = &col[start + lo..start + hi];
            add_taps(&mut x[row * w..(row + 1) * w], from, g.stride_w, taps);
        }
    }
}

dispatched! {
    /// [`im2col`] into a matrix whose rows are `ld` apart (`ld ≥ OH·OW`), so a
    /// batch's samples can sit side by side: sample `s` starts at column `s·OH·OW`
    /// of one `C·KH·KW × B·OH·OW` matrix (pass `&mut col[s·OH·OW..]`, `ld = B·OH·OW`).
    ///
    /// # Panics
    /// If `x` has the wrong length or `col` is too short.
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, im2col_strided};
    /// let g = Geometry::sequence(1, 2, 1, 1, 0, 1); // 1-tap windows: col = x
    /// let mut col = [0.0; 4]; // two samples side by side
    /// im2col_strided(&g, &[1., 2.], &mut col[..], 4);
    /// im2col_strided(&g, &[3., 4.], &mut col[2..], 4);
    /// assert_eq!(col, [1., 2., 3., 4.]);
    /// ```
    pub fn im2col_strided / im2col_strided_on(g: &Geometry, x: &[f32], col: &mut [f32], ld: usize) {
        assert_eq!(x.len(), g.channels * g.height * g.width, "input length");
        let (p, ow) = (g.col_cols(), g.out_width());
        assert!(
            ld >= p && col.len() >= (g.col_rows() - 1) * ld + p,
            "col too short"
        );
        if g.padding_mode == PaddingMode::Zeros {
            return im2col_zero_padded(g, x, col, ld);
        }
        let (w, stride) = (g.width, g.stride_w);
        for run in g.runs() {
            let start = run.tap * ld + run.out_row * ow;
            let out = &mut col[start..start + ow];
            let Some(r) = run.input_row else {
                out.fill(0.0);
                continue;
            };
            let (lo, hi) = run.cols;
            out[..lo].fill(0.0);
            out[hi..].fill(0.0);
            if lo < hi {
                let from = g.input_col(&run, lo);
                copy_taps(&mut out[lo..hi], &x[r * w..(r + 1) * w], from, stride);
            }
            for (o, c) in g.border_taps(&run) {
                out[o] = x[r * w + c];
            }
        }
    }
}

impl Geometry {
    /// Whether the windows step one pixel at a time over an unpadded input,
    /// so that [`im2col_wide`] applies.
    ///
    /// ```
    /// use nn_kernels::conv::Geometry;
    /// assert!(Geometry::square(8, 12, 12, 5, 1, 0, 1).is_unit_stride_unpadded());
    /// assert!(!Geometry::square(8, 12, 12, 5, 1, 2, 1).is_unit_stride_unpadded());
    /// ```
    pub const fn is_unit_stride_unpadded(&self) -> bool {
        self.stride_h == 1 && self.stride_w == 1 && self.pad_h == 0 && self.pad_w == 0
    }

    /// Columns of the [`im2col_wide`] matrix: `OH` rows of the input's
    /// full width `W`.
    ///
    /// ```
    /// assert_eq!(nn_kernels::conv::Geometry::square(8, 12, 12, 5, 1, 0, 1).wide_cols(), 8 * 12);
    /// ```
    pub const fn wide_cols(&self) -> usize {
        self.out_height() * self.width
    }

    /// Where tap `t`'s row of the [`im2col_wide`] matrix starts in the input.
    fn wide_offset(&self, t: usize) -> usize {
        let (i, j) = (t / self.kernel_w % self.kernel_h, t % self.kernel_w);
        let channel = t / (self.kernel_h * self.kernel_w);
        (channel * self.height + i * self.dilation) * self.width + j * self.dilation
    }
}

/// Checks the lengths of a wide-row input and matrix; returns the matrix's
/// row length ([`Geometry::wide_cols`]).
fn check_wide(g: &Geometry, x_len: usize, col_len: usize) -> usize {
    assert!(
        g.is_unit_stride_unpadded(),
        "wide rows need unit strides and no padding"
    );
    assert_eq!(x_len, g.channels * g.height * g.width, "input length");
    let n = g.wide_cols();
    assert_eq!(col_len, g.col_rows() * n, "col length");
    n
}

dispatched! {
    /// `im2col` in wide rows, for unit strides and no padding: column
    /// `oy·W + ox` of tap `t`'s row is the input pixel output `(oy, ox)`
    /// reads, for `ox < OW` (columns `OW..W` of each row read on along the
    /// input and are to be ignored). Each tap's row is then one contiguous
    /// run of the input, copied at once, where [`im2col`] copies `OH`
    /// short runs: `col` is `C·KH·KW × OH·W` ([`Geometry::wide_cols`]),
    /// and what a row's run would read past the input is zero.
    ///
    /// # Panics
    /// If `g` has strides or padding, or a slice has the wrong length.
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, im2col_wide};
    /// let g = Geometry::square(1, 2, 3, 2, 1, 0, 1); // 2×3 image, 2×2 kernel: 1×2 output
    /// let mut col = [9.0; 4 * 3];
    /// im2col_wide(&g, &[1., 2., 3., 4., 5., 6.], &mut col);
    /// // tap (0, 0) reads 1, 2 (and 3, ignored); tap (1, 1) reads 5, 6 (and past the end: 0)
    /// assert_eq!(col, [1., 2., 3., 2., 3., 4., 4., 5., 6., 5., 6., 0.]);
    /// ```
    pub fn im2col_wide / im2col_wide_on(g: &Geometry, x: &[f32], col: &mut [f32]) {
        let n = check_wide(g, x.len(), col.len());
        for (t, row) in col.chunks_exact_mut(n).enumerate() {
            let from = g.wide_offset(t);
            let inside = n.min(x.len() - from);
            row[..inside].copy_from_slice(&x[from..from + inside]);
            row[inside..].fill(0.0);
        }
    }
}

dispatched! {
    /// The adjoint of [`im2col_wide`]: adds each tap's row back onto the
    /// input run it was read from. Entries in the ignored columns must be
    /// zero (as they are in `Wᵀ·dY` when `dY` is zero there), since they
    /// land on pixels of the next row.
    ///
    /// # Panics
    /// As [`im2col_wide`].
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, col2im_wide_add};
    /// let g = Geometry::square(1, 2, 3, 2, 1, 0, 1);
    /// let mut x = [0.0; 6];
    /// col2im_wide_add(&g, &[1., 1., 0., 1., 1., 0., 1., 1., 0., 1., 1., 0.], &mut x);
    /// assert_eq!(x, [1., 2., 1., 1., 2., 1.]);
    /// ```
    pub fn col2im_wide_add / col2im_wide_add_on(g: &Geometry, col: &[f32], x: &mut [f32]) {
        let n = check_wide(g, x.len(), col.len());
        for (t, row) in col.chunks_exact(n).enumerate() {
            let from = g.wide_offset(t);
            let inside = n.min(x.len() - from);
            let dst = &mut x[from..from + inside];
            dst.iter_mut().zip(row).for_each(|(x, v)| *x += v);
        }
    }
}

/// The adjoint of [`im2col`]: adds every column entry back onto the input
/// pixel it was read from (`x += col2im(col)`); padding taps are dropped.
///
/// # Panics
/// If `x` or `col` has the wrong length.
///
/// ```
/// use nn_kernels::conv::{Geometry, col2im_add};
/// let g = Geometry::sequence(1, 3, 2, 1, 0, 1); // windows [0 1], [1 2]
/// let mut x = [0.0; 3];
/// col2im_add(&g, &[1., 1., 1., 1.], &mut x);
/// assert_eq!(x, [1., 2., 1.]);
/// ```
pub fn col2im_add(g: &Geometry, col: &[f32], x: &mut [f32]) {
    assert_eq!(col.len(), g.col_rows() * g.col_cols(), "col length");
    col2im_add_strided(g, col, g.col_cols(), x);
}

dispatched! {
    /// [`col2im_add`] from a matrix whose rows are `ld` apart (the layout of
    /// [`im2col_strided`]).
    ///
    /// # Panics
    /// If `x` has the wrong length or `col` is too short.
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, col2im_add_strided};
    /// let g = Geometry::sequence(1, 2, 1, 1, 0, 1);
    /// let mut x = [0.0; 2];
    /// col2im_add_strided(&g, &[1., 2., 3., 4.][2..], 4, &mut x);
    /// assert_eq!(x, [3., 4.]);
    /// ```
    pub fn col2im_add_strided / col2im_add_strided_on(g: &Geometry, col: &[f32], ld: usize, x: &mut [f32]) {
        assert_eq!(x.len(), g.channels * g.height * g.width, "input length");
        let p = g.col_cols();
        assert!(
            ld >= p && col.len() >= (g.col_rows() - 1) * ld + p,
            "col too short"
        );
        if g.padding_mode == PaddingMode::Zeros {
            return col2im_zero_padded(g, col, ld, x);
        }
        let (w, stride) = (g.width, g.stride_w);
        let ow = g.out_width();
        for run in g.runs() {
            let Some(r) = run.input_row else {
                continue;
            };
            let start = run.tap * ld + run.out_row * ow;
            let (lo, hi) = run.cols;
            if lo < hi {
                let from = g.input_col(&run, lo);
                add_taps(&mut x[r * w..(r + 1) * w], from, stride, &col[start + lo..start + hi]);
            }
            for (o, c) in g.border_taps(&run) {
                x[r * w + c] += col[start + o];
            }
        }
    }
}

/// Which way a direct convolution pass runs.
enum Pass<'a> {
    /// `y += w · im2col(x)`.
    Forward {
        w: &'a [f32],
        x: &'a [f32],
        y: &'a mut [f32],
    },
    /// `x += col2im(wᵀ · y)`.
    Adjoint {
        w: &'a [f32],
        y: &'a [f32],
        x: &'a mut [f32],
    },
    /// `dw += dy · im2col(x)ᵀ`.
    Weights {
        x: &'a [f32],
        dy: &'a [f32],
        dw: &'a mut [f32],
    },
}

impl Pass<'_> {
    /// `(input, output, filter matrix)` lengths.
    fn lens(&self) -> (usize, usize, usize) {
        match self {
            Pass::Forward { w, x, y } => (x.len(), y.len(), w.len()),
            Pass::Adjoint { w, y, x } => (x.len(), y.len(), w.len()),
            Pass::Weights { x, dy, dw } => (x.len(), dy.len(), dw.len()),
        }
    }
}

/// One traversal for all three passes: for each tap and output channel of
/// the tap's group, an input row meets an output row. Zero padding (the
/// common case) gets a copy without any border work.
#[inline(always)]
fn direct(g: &Geometry, groups: usize, pass: Pass) {
    if g.padding_mode == PaddingMode::Zeros {
        direct_runs::<false>(g, groups, pass);
    } else {
        direct_runs::<true>(g, groups, pass);
    }
}

/// Checks a direct convolution's lengths: input `x_len`, output `y_len` and
/// a filter matrix of `w_len` values in `groups` groups.
fn check_direct(g: &Geometry, groups: usize, w_len: usize, x_len: usize, y_len: usize) {
    assert_eq!(x_len, g.channels * g.height * g.width, "input length");
    assert!(
        groups > 0 && g.channels.is_multiple_of(groups),
        "the groups must divide the input channels"
    );
    let r = g.col_rows() / groups;
    assert_eq!(w_len % r, 0, "filter matrix width");
    let filters = w_len / r;
    assert!(
        filters.is_multiple_of(groups),
        "the groups must divide the filters"
    );
    assert_eq!(y_len, filters * g.col_cols(), "output length");
}

/// [`direct`], with the taps in the padding read (`BORDERED`) or skipped.
#[inline(always)]
fn direct_runs<const BORDERED: bool>(g: &Geometry, groups: usize, mut pass: Pass) {
    let (x_len, y_len, w_len) = pass.lens();
    check_direct(g, groups, w_len, x_len, y_len);
    // Each filter reads its group's channels: r taps.
    let (r, p) = (g.col_rows() / groups, g.col_cols());
    let (per_group, channels_per_group) = (w_len / r / groups, g.channels / groups);
    let (width, stride) = (g.width, g.stride_w);
    let ow = g.out_width();
    for run in g.runs() {
        let (Some(row), (lo, hi)) = (run.input_row, run.cols) else {
            continue;
        };
        if lo == hi && !BORDERED {
            continue;
        }
        // The run's pixels, from the one output `lo` reads, every `stride`th.
        let pixels = row * width + g.input_col(&run, lo).min(width)..(row + 1) * width;
        let group = run.channel / channels_per_group;
        let (tap, at) = (run.tap - group * r, run.out_row * ow);
        for co in group * per_group..(group + 1) * per_group {
            let (weight, base) = (co * r + tap, co * p + at);
            // Taps in the padding read what the mode says (one at a time:
            // only the few outputs at the borders have them).
            if BORDERED {
                for (o, c) in g.border_taps(&run) {
                    let (i, o) = (row * width + c, base + o);
                    match &mut pass {
                        Pass::Forward { w, x, y } => y[o] += w[weight] * x[i],
                        Pass::Adjoint { w, y, x } => x[i] += w[weight] * y[o],
                        Pass::Weights { x, dy, dw } => dw[weight] += dy[o] * x[i],
                    }
                }
            }
            if lo == hi {
                continue;
            }
            let outputs = base + lo..base + hi;
            let n = hi - lo;
            match &mut pass {
                // Stride 1 (the common case) walks plain slices, which vectorize.
                Pass::Forward { w, x, y } if stride == 1 => {
                    let (wv, src) = (w[weight], &x[pixels.start..pixels.start + n]);
                    y[outputs]
                        .iter_mut()
                        .zip(src)
                        .for_each(|(d, v)| *d += wv * v);
                }
                Pass::Forward { w, x, y } => {
                    let (wv, src) = (w[weight], x[pixels.clone()].iter().step_by(stride));
                    y[outputs]
                        .iter_mut()
                        .zip(src)
                        .for_each(|(d, v)| *d += wv * v);
                }
                Pass::Adjoint { w, y, x } if stride == 1 => {
                    let (wv, dst) = (w[weight], &mut x[pixels.start..pixels.start + n]);
                    dst.iter_mut()
                        .zip(&y[outputs])
                        .for_each(|(d, v)| *d += wv * v);
                }
                Pass::Adjoint { w, y, x } => {
                    let (wv, dst) = (w[weight], x[pixels.clone()].iter_mut().step_by(stride));
                    dst.zip(&y[outputs]).for_each(|(d, v)| *d += wv * v);
                }
                Pass::Weights { x, dy, dw } if stride == 1 => {
                    let src = &x[pixels.start..pixels.start + n];
                    dw[weight] += crate::reduce::dot_lanes(&dy[outputs], src);
                }
                Pass::Weights { x, dy, dw } => {
                    let src = x[pixels.clone()].iter().step_by(stride);
                    dw[weight] += dy[outputs].iter().zip(src).map(|(d, v)| d * v).sum::<f32>();
                }
            }
        }
    }
}

/// Filters and pixels per register block of [`direct_blocked`].
const BLOCK: usize = 8;

/// The forward direct convolution for zero padding and unit column stride,
/// register-blocked: an 8-filter × 8-pixel block of outputs stays in
/// registers across all its taps, so each tap costs one load of 8 input
/// pixels and 8 weight broadcasts instead of a load and a store of an
/// output row per filter. Each output still sums its taps in window order
/// from zero with separate multiplies and adds, as [`direct`] does: the
/// same bits on every instruction set (and on the firmware).
#[inline(always)]
fn direct_blocked(g: &Geometry, groups: usize, w: &[f32], x: &[f32], y: &mut [f32]) {
    let (oh, ow, h, width) = (g.out_height(), g.out_width(), g.height, g.width);
    let (r, p) = (g.col_rows() / groups, g.col_cols());
    let per_group = w.len() / r / groups;
    let channels = g.channels / groups;
    let (kh, kw, d) = (g.kernel_h, g.kernel_w, g.dilation);
    for group in 0..groups {
        let last = (group + 1) * per_group - 1;
        for co0 in (group * per_group..=last).step_by(BLOCK) {
            // A short last block computes copies of its last filter, never stored.
            let filters: [usize; BLOCK] = core::array::from_fn(|b| (co0 + b).min(last));
            for oy in 0..oh {
                for ox0 in (0..ow).step_by(BLOCK) {
                    let mut acc = [[0.0f32; BLOCK]; BLOCK];
                    for c in 0..channels {
                        let channel = group * channels + c;
                        for i in 0..kh {
                            let iy = (oy * g.stride_h + i * d) as isize - g.pad_h as isize;
                            if iy < 0 || iy >= h as isize {
                                continue;
                            }
                            let row = &x[(channel * h + iy as usize) * width..][..width];
                            for j in 0..kw {
                                let first = (ox0 + j * d) as isize - g.pad_w as isize;
                                let pixels: [f32; BLOCK] = match row.get(first.max(0) as usize..) {
                                    Some(rest) if first >= 0 && rest.len() >= BLOCK => {
                                        *rest.first_chunk().expect("BLOCK pixels")
                                    }
                                    // At a border: taps outside the row read zero.
                                    _ => core::array::from_fn(|k| {
                                        let ix = first + k as isize;
                                        if (0..width as isize).contains(&ix) {
                                            row[ix as usize]
                                        } else {
                                            0.0
                                        }
                                    }),
                                };
                                let tap = (c * kh + i) * kw + j;
                                for (acc, &co) in acc.iter_mut().zip(&filters) {
                                    let wv = w[co * r + tap];
                                    for (a, v) in acc.iter_mut().zip(&pixels) {
                                        *a += wv * v;
                                    }
                                }
                            }
                        }
                    }
                    let n = BLOCK.min(ow - ox0);
                    for (b, acc) in acc.iter().enumerate().take(last + 1 - co0) {
                        let out = &mut y[(co0 + b) * p + oy * ow + ox0..][..n];
                        out.iter_mut().zip(acc).for_each(|(y, a)| *y += a);
                    }
                }
            }
        }
    }
}

dispatched! {
    /// Direct convolution, without an `im2col` buffer: `y += w · im2col(x)`,
    /// with `y` the `CO × OH·OW` output and `w` the `CO × (C/G·KH·KW)`
    /// filter matrix of a convolution in `G = groups` groups (PyTorch's
    /// `groups`): filter `co` reads the channels of group `co / (CO/G)`.
    /// Each tap adds a scaled input row to an output row, so no scratch
    /// memory is needed: single-sample inference, on any device.
    ///
    /// # Panics
    /// If a slice has the wrong length or `groups` does not divide the
    /// channels and the filters.
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, conv_add};
    /// let g = Geometry::sequence(1, 3, 2, 1, 0, 1);
    /// let mut y = [0.0; 2];
    /// conv_add(&g, 1, &[1.0, -1.0], &[1.0, 4.0, 9.0], &mut y);
    /// assert_eq!(y, [-3.0, -5.0]);
    /// // Depthwise (2 groups of 1 channel): each channel keeps its own filter.
    /// let g = Geometry::sequence(2, 2, 1, 1, 0, 1);
    /// let mut y = [0.0; 4];
    /// conv_add(&g, 2, &[2.0, 10.0], &[1.0, 2.0, 3.0, 4.0], &mut y);
    /// assert_eq!(y, [2.0, 4.0, 30.0, 40.0]);
    /// ```
    pub fn conv_add / conv_add_on(g: &Geometry, groups: usize, w: &[f32], x: &[f32], y: &mut [f32]) {
        check_direct(g, groups, w.len(), x.len(), y.len());
        let per_group = w.len() / (g.col_rows() / groups) / groups;
        // Register blocks pay once a group has half a block of filters.
        if g.padding_mode == PaddingMode::Zeros && g.stride_w == 1 && per_group >= BLOCK / 2 {
            direct_blocked(g, groups, w, x, y);
        } else {
            direct(g, groups, Pass::Forward { w, x, y });
        }
    }
}

dispatched! {
    /// The adjoint of [`conv_add`] in `x`: `x += col2im(wᵀ · y)`. It is the
    /// input gradient of a convolution and the forward pass of a transposed one.
    ///
    /// # Panics
    /// As [`conv_add`].
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, conv_adjoint_add};
    /// let g = Geometry::sequence(1, 3, 2, 1, 0, 1);
    /// let mut x = [0.0; 3];
    /// conv_adjoint_add(&g, 1, &[1.0, -1.0], &[1.0, 1.0], &mut x);
    /// assert_eq!(x, [1.0, 0.0, -1.0]);
    /// ```
    pub fn conv_adjoint_add / conv_adjoint_add_on(g: &Geometry, groups: usize, w: &[f32], y: &[f32], x: &mut [f32]) {
        direct(g, groups, Pass::Adjoint { w, y, x });
    }
}

dispatched! {
    /// The gradient of [`conv_add`] in its filters: `dw += dy · im2col(x)ᵀ`,
    /// with `dw` the `CO × (C/G·KH·KW)` filter matrix, `dy` the
    /// `CO × OH·OW` output gradient and `x` the input, in `groups` groups.
    /// Like the other direct passes it needs no scratch, and it suits
    /// depthwise and grouped convolutions, whose per-group products are too
    /// small for a GEMM.
    ///
    /// # Panics
    /// As [`conv_add`].
    ///
    /// ```
    /// use nn_kernels::conv::{Geometry, conv_weights_add};
    /// let g = Geometry::sequence(1, 3, 2, 1, 0, 1); // windows [1 4], [4 9]
    /// let mut dw = [0.0; 2];
    /// conv_weights_add(&g, 1, &[1.0, 4.0, 9.0], &[1.0, 10.0], &mut dw);
    /// assert_eq!(dw, [41.0, 94.0]);
    /// ```
    pub fn conv_weights_add / conv_weights_add_on(g: &Geometry, groups: usize, x: &[f32], dy: &[f32], dw: &mut [f32]) {
        direct(g, groups, Pass::Weights { x, dy, dw });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, random_vec, rng};
    use rand::Rng;
    use std::vec;

    /// The defining formula, one entry at a time.
    fn naive_im2col(g: &Geometry, x: &[f32]) -> std::vec::Vec<f32> {
        let (oh, ow) = (g.out_height(), g.out_width());
        let mut col = vec![0.0; g.col_rows() * oh * ow];
        for c in 0..g.channels {
            for i in 0..g.kernel_h {
                for j in 0..g.kernel_w {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let y = (oy * g.stride_h + i * g.dilation) as i64 - g.pad_h as i64;
                            let xx = (ox * g.stride_w + j * g.dilation) as i64 - g.pad_w as i64;
                            let row = (c * g.kernel_h + i) * g.kernel_w + j;
                            let m = g.padding_mode;
                            if let (Some(y), Some(xx)) = (
                                m.source(y as isize, g.height),
                                m.source(xx as isize, g.width),
                            ) {
                                col[(row * oh + oy) * ow + ox] =
                                    x[(c * g.height + y) * g.width + xx];
                            }
                        }
                    }
                }
            }
        }
        col
    }

    fn random_geometry(r: &mut rand::rngs::SmallRng) -> Geometry {
        loop {
            let one_d = r.random_bool(0.2);
            let (kh, kw) = (r.random_range(1..=5), r.random_range(1..=5));
            let (h, w) = (r.random_range(1..=9), r.random_range(1..=9));
            let g = Geometry {
                channels: r.random_range(1..=4),
                height: if one_d { 1 } else { h },
                width: w,
                kernel_h: if one_d { 1 } else { kh },
                kernel_w: kw,
                stride_h: if one_d { 1 } else { r.random_range(1..=3) },
                stride_w: r.random_range(1..=3),
                pad_h: if one_d { 0 } else { r.random_range(0..=2) },
                pad_w: r.random_range(0..=2),
                dilation: r.random_range(1..=2),
                padding_mode: PaddingMode::ALL[r.random_range(0..4)],
            };
            let fits = out_len(g.height, g.kernel_h, g.stride_h, g.pad_h, g.dilation).is_some()
                && out_len(g.width, g.kernel_w, g.stride_w, g.pad_w, g.dilation).is_some()
                && g.padding_mode.fits(g.height, g.pad_h)
                && g.padding_mode.fits(g.width, g.pad_w);
            if fits {
                return g;
            }
        }
    }

    #[test]
    fn im2col_matches_the_formula_and_col2im_is_its_adjoint() {
        let r = &mut rng(21);
        for _ in 0..if cfg!(miri) { 20 } else { 2000 } {
            let g = random_geometry(r);
            let x = random_vec(r, g.channels * g.height * g.width);
            let mut col = vec![f32::NAN; g.col_rows() * g.col_cols()];
            im2col(&g, &x, &mut col);
            assert_eq!(col, naive_im2col(&g, &x), "{g:?}");

            // col2im is the adjoint: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩.
            let c = random_vec(r, col.len());
            let mut back = vec![0.0; x.len()];
            col2im_add(&g, &c, &mut back);
            let lhs: f64 = col.iter().zip(&c).map(|(a, b)| (a * b) as f64).sum();
            let rhs: f64 = x.iter().zip(&back).map(|(a, b)| (a * b) as f64).sum();
            assert!(
                (lhs - rhs).abs() <= 1e-4 * (1.0 + lhs.abs()),
                "{g:?}: {lhs} vs {rhs}"
            );

            // Strided: the same matrix as the middle block of a wider one.
            let (p, ld) = (g.col_cols(), 3 * g.col_cols() + 1);
            let mut back_plain = vec![0.0; x.len()];
            col2im_add(&g, &col, &mut back_plain);
            for isa in crate::testing::isas() {
                let mut wide = vec![f32::NAN; (g.col_rows() - 1) * ld + 2 * p];
                im2col_strided_on(isa, &g, &x, &mut wide[p..], ld);
                for row in 0..g.col_rows() {
                    assert_eq!(
                        wide[row * ld + p..row * ld + 2 * p],
                        col[row * p..(row + 1) * p]
                    );
                }
                let mut back_wide = vec![0.0; x.len()];
                col2im_add_strided_on(isa, &g, &wide[p..], ld, &mut back_wide);
                assert_eq!(back_wide, back_plain);
            }
        }
    }

    #[test]
    fn wide_rows_hold_im2col_and_their_adjoint_is_col2im() {
        let r = &mut rng(23);
        for _ in 0..if cfg!(miri) { 10 } else { 1000 } {
            let g = Geometry {
                stride_h: 1,
                stride_w: 1,
                pad_h: 0,
                pad_w: 0,
                padding_mode: PaddingMode::Zeros,
                ..random_geometry(r)
            };
            if out_len(g.height, g.kernel_h, 1, 0, g.dilation).is_none()
                || out_len(g.width, g.kernel_w, 1, 0, g.dilation).is_none()
            {
                continue;
            }
            let x = random_vec(r, g.channels * g.height * g.width);
            let (oh, ow) = (g.out_height(), g.out_width());
            let col = naive_im2col(&g, &x);
            let n = g.wide_cols();
            // Every valid column holds the im2col entry, and every entry is written.
            for isa in crate::testing::isas() {
                let mut wide = vec![f32::NAN; g.col_rows() * n];
                im2col_wide_on(isa, &g, &x, &mut wide);
                let rows = wide.chunks_exact(n).zip(col.chunks_exact(oh * ow));
                for (t, (row, want)) in rows.enumerate() {
                    for (oy, want) in want.chunks_exact(ow).enumerate() {
                        assert_eq!(&row[oy * g.width..oy * g.width + ow], want, "{g:?} tap {t}");
                    }
                }
                assert!(wide.iter().all(|v| v.is_finite()), "{g:?}");
            }
            let mut c = random_vec(r, g.col_rows() * n);
            // The adjoint, with zeros in the ignored columns, is col2im.
            for (k, v) in c.iter_mut().enumerate() {
                if k % n % g.width >= ow {
                    *v = 0.0;
                }
            }
            let mut plain = vec![0.0; g.col_rows() * oh * ow];
            for (t, row) in c.chunks_exact(n).enumerate() {
                for oy in 0..oh {
                    plain[(t * oh + oy) * ow..][..ow].copy_from_slice(&row[oy * g.width..][..ow]);
                }
            }
            let mut want = vec![0.0; x.len()];
            col2im_add(&g, &plain, &mut want);
            for isa in crate::testing::isas() {
                let mut back = vec![0.0; x.len()];
                col2im_wide_add_on(isa, &g, &c, &mut back);
                assert_eq!(back, want, "{g:?}");
            }
        }
    }

    #[test]
    fn direct_convolution_equals_filters_times_im2col_and_its_adjoint() {
        let r = &mut rng(22);
        for _ in 0..if cfg!(miri) { 10 } else { 500 } {
            let g = random_geometry(r);
            // Groups dividing the channels (1 = dense, C = depthwise), and a
            // filter count they divide.
            let divisors: std::vec::Vec<usize> = (1..=g.channels)
                .filter(|d| g.channels.is_multiple_of(*d))
                .collect();
            let groups = divisors[r.random_range(0..divisors.len())];
            // Up to 10 filters per group: past a register block of 8.
            let co = groups * r.random_range(1..=10);
            let (rows, p) = (g.col_rows() / groups, g.col_cols());
            let x = random_vec(r, g.channels * g.height * g.width);
            let w = random_vec(r, co * rows);
            let col = naive_im2col(&g, &x);
            let mut want = vec![0.25; co * p];
            for o in 0..co {
                // Filter o reads the rows of its group's channels.
                let first_row = o / (co / groups) * rows;
                for q in 0..p {
                    want[o * p + q] += (0..rows)
                        .map(|k| w[o * rows + k] * col[(first_row + k) * p + q])
                        .sum::<f32>();
                }
            }
            // From zero (as the layers start), the register-blocked kernel
            // gives the unblocked one's bits on every instruction set.
            let mut unblocked = vec![0.0; co * p];
            direct(
                &g,
                groups,
                Pass::Forward {
                    w: &w,
                    x: &x,
                    y: &mut unblocked,
                },
            );
            for isa in crate::testing::isas() {
                let mut y = vec![0.25; co * p];
                conv_add_on(isa, &g, groups, &w, &x, &mut y);
                assert_close(&y, &want, 1e-5, "conv_add");
                let mut from_zero = vec![0.0; co * p];
                conv_add_on(isa, &g, groups, &w, &x, &mut from_zero);
                assert_eq!(from_zero, unblocked, "{g:?}, {groups} groups, {co} filters");
            }

            // ⟨conv(x), dy⟩ = ⟨x, conv*(dy)⟩.
            let dy = random_vec(r, co * p);
            // The filter gradient, entry by entry: dw[o][k] = Σ_q dy[o][q]·col[k][q].
            let mut want_dw = vec![0.5; co * rows];
            for o in 0..co {
                let first_row = o / (co / groups) * rows;
                for k in 0..rows {
                    want_dw[o * rows + k] += (0..p)
                        .map(|q| dy[o * p + q] * col[(first_row + k) * p + q])
                        .sum::<f32>();
                }
            }
            for isa in crate::testing::isas() {
                let mut dw = vec![0.5; co * rows];
                conv_weights_add_on(isa, &g, groups, &x, &dy, &mut dw);
                assert_close(&dw, &want_dw, 1e-5, "conv_weights_add");
            }
            let mut dx = vec![0.0; x.len()];
            let isa = crate::testing::isas().last().expect("portable at least");
            conv_adjoint_add_on(isa, &g, groups, &w, &dy, &mut dx);
            let mut conv = vec![0.0; co * p];
            conv_add(&g, groups, &w, &x, &mut conv);
            let lhs: f32 = conv.iter().zip(&dy).map(|(a, b)| a * b).sum();
            let rhs: f32 = x.iter().zip(&dx).map(|(a, b)| a * b).sum();
            assert!(
                (lhs - rhs).abs() <= 1e-4 * (1.0 + lhs.abs()),
                "{lhs} vs {rhs}"
            );
        }
    }

    #[test]
    fn output_lengths_follow_the_formulas() {
        assert_eq!(out_len(32, 5, 1, 0, 1), Some(28));
        assert_eq!(out_len(28, 2, 2, 0, 1), Some(14));
        assert_eq!(out_len(7, 3, 1, 0, 3), Some(1)); // dilated span 7
        assert_eq!(out_len(6, 3, 1, 0, 3), None);
        assert_eq!(out_len(5, 7, 1, 1, 1), Some(1));
        assert_eq!(out_len(5, 2, 0, 0, 1), None);
        assert_eq!(transposed_out_len(14, 4, 2, 1), Some(28));
        assert_eq!(transposed_out_len(1, 2, 1, 1), None);
    }
}
