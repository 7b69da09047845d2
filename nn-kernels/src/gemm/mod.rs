//! Cache-blocked f32 GEMM, `C = A·B` or `C += A·B`, with packing into
//! caller-owned workspace, so a call never allocates.
//!
//! Transposed operands cost nothing extra: [`MatRef`] carries row and column
//! strides and the packing routines read through them, so `Aᵀ·B` and `A·Bᵀ`
//! are `gemm(a.t(), b, ..)` and `gemm(a, b.t(), ..)`.
//!
//! Blocking (BLIS loop nest): a `KC × NC` block of B and an `MC × KC` block
//! of A are made available as `NR`-wide and `MR`-tall panels, and a
//! register-blocked micro-kernel computes each `MR × NR` tile of C straight
//! into C (edge tiles go through a small stack buffer). The sizes are chosen
//! for the development machine, an AMD EPYC (Zen 4) core with 32 KiB L1d,
//! 1 MiB L2 and a shared 32 MiB L3: with `KC = 256` one A panel (16×256×4 B =
//! 16 KiB at most) stays in L1 while the B panels it meets stream from L2,
//! where the packed B block (`KC × NC` = 512 KiB) and A block (`MC × KC` =
//! 96 KiB) live. Other targets use small blocks so the workspace fits
//! microcontroller RAM.
//!
//! Panels are read in place when the operand is already contiguous the way
//! the kernel walks it and the block is not reused much (the MLP's products
//! at batch 64: no copy at all); otherwise they are packed, zero-padded, into
//! the caller's workspace. Micro-kernels: AVX-512 8×32 (16×16 for outputs at
//! most 16 wide), AVX2+FMA 6×16, portable 4×8, picked once at run time.
//!
//! ```
//! use nn_kernels::gemm::{gemm, workspace_len, MatMut, MatRef};
//! // C (1x2) = Aᵀ (1x2 viewed from a 2x1 column) · B (2x2)
//! let a = [1.0, 2.0];
//! let b = [1.0, 0.0, 0.0, 1.0];
//! let mut c = [0.0; 2];
//! let mut ws = [0.0; workspace_len(2)];
//! gemm(&mut ws, MatRef::row_major(&a, 2, 1).t(), MatRef::row_major(&b, 2, 2), MatMut::row_major(&mut c, 1, 2), false);
//! assert_eq!(c, [1.0, 2.0]);
//! ```

mod pack;
mod portable;
#[cfg(target_arch = "x86_64")]
mod x86;

use crate::isa::Isa;
use crate::parallel::Parallel;

/// Depth of a packed block (shared dimension `k`).
#[cfg(target_arch = "x86_64")]
pub const KC: usize = 256;
/// Rows of A packed per block; a multiple of every micro-kernel's `MR`.
#[cfg(target_arch = "x86_64")]
pub const MC: usize = 96;
/// Columns of B packed per block; a multiple of every micro-kernel's `NR`.
#[cfg(target_arch = "x86_64")]
pub const NC: usize = 512;

/// Depth of a packed block (shared dimension `k`).
#[cfg(not(target_arch = "x86_64"))]
pub const KC: usize = 64;
/// Rows of A packed per block; a multiple of every micro-kernel's `MR`.
#[cfg(not(target_arch = "x86_64"))]
pub const MC: usize = 16;
/// Columns of B packed per block; a multiple of every micro-kernel's `NR`.
#[cfg(not(target_arch = "x86_64"))]
pub const NC: usize = 64;

/// Widest `NR` of any micro-kernel; packed B panels are padded up to it.
const NR_MAX: usize = 32;
/// Tallest `MR` of any micro-kernel.
const MR_MAX: usize = 16;

/// Workspace length (in `f32`s) with which [`gemm`] packs an output up to
/// `max_n` columns wide in one block, whatever `m` and `k` are. Any
/// workspace of at least `workspace_len(1)` works for every product: wider
/// outputs are then computed in column blocks as wide as the workspace
/// allows (up to the cache-sized `NC`, beyond which more space is unused).
///
/// ```
/// assert!(nn_kernels::gemm::workspace_len(10) >= 10);
/// assert_eq!(nn_kernels::gemm::workspace_len(1 << 20), nn_kernels::gemm::workspace_len(usize::MAX));
/// ```
pub const fn workspace_len(max_n: usize) -> usize {
    let n = if max_n < NC { max_n } else { NC };
    let n_padded = n.div_ceil(NR_MAX) * NR_MAX;
    MC * KC + KC * n_padded
}

/// A read-only strided matrix view: element `(i, j)` is `data[i * rs + j * cs]`.
///
/// ```
/// use nn_kernels::gemm::MatRef;
/// let m = MatRef::row_major(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3);
/// assert_eq!((m.rows(), m.cols()), (2, 3));
/// assert_eq!(m.t().get(2, 1), 6.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> MatRef<'a> {
    /// A view with explicit strides.
    ///
    /// # Panics
    /// If some element `(i, j)` would lie outside `data`.
    ///
    /// ```
    /// // a 2x2 view of every other element
    /// let m = nn_kernels::gemm::MatRef::new(&[1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0], 2, 2, 4, 2);
    /// assert_eq!(m.get(1, 1), 4.0);
    /// ```
    pub fn new(data: &'a [f32], rows: usize, cols: usize, rs: usize, cs: usize) -> Self {
        if rows > 0 && cols > 0 {
            assert!(
                (rows - 1) * rs + (cols - 1) * cs < data.len(),
                "matrix view {rows}x{cols} (strides {rs}, {cs}) exceeds {} elements",
                data.len()
            );
        }
        Self {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }

    /// A dense row-major `rows × cols` view.
    ///
    /// ```
    /// let m = nn_kernels::gemm::MatRef::row_major(&[1.0, 2.0], 1, 2);
    /// assert_eq!(m.get(0, 1), 2.0);
    /// ```
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self::new(data, rows, cols, cols, 1)
    }

    /// The transpose, as a view (no copy).
    ///
    /// ```
    /// let m = nn_kernels::gemm::MatRef::row_major(&[1.0, 2.0], 1, 2).t();
    /// assert_eq!((m.rows(), m.get(1, 0)), (2, 2.0));
    /// ```
    pub fn t(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    /// Number of rows.
    ///
    /// ```
    /// assert_eq!(nn_kernels::gemm::MatRef::row_major(&[0.0; 6], 2, 3).rows(), 2);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    ///
    /// ```
    /// assert_eq!(nn_kernels::gemm::MatRef::row_major(&[0.0; 6], 2, 3).cols(), 3);
    /// ```
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Element `(i, j)`.
    ///
    /// ```
    /// assert_eq!(nn_kernels::gemm::MatRef::row_major(&[7.0], 1, 1).get(0, 0), 7.0);
    /// ```
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }
}

/// A mutable row-major matrix view with row stride `rs` (columns contiguous).
///
/// ```
/// let mut buf = [0.0; 6];
/// let m = nn_kernels::gemm::MatMut::row_major(&mut buf, 2, 3);
/// assert_eq!(m.rows(), 2);
/// ```
#[derive(Debug)]
pub struct MatMut<'a> {
    data: &'a mut [f32],
    rows: usize,
    cols: usize,
    rs: usize,
}

impl<'a> MatMut<'a> {
    /// A view whose rows start `rs` elements apart.
    ///
    /// # Panics
    /// If `rs < cols` or the last row would end past `data`.
    ///
    /// ```
    /// let mut buf = [0.0; 5];
    /// let m = nn_kernels::gemm::MatMut::new(&mut buf, 2, 2, 3);
    /// assert_eq!(m.cols(), 2);
    /// ```
    pub fn new(data: &'a mut [f32], rows: usize, cols: usize, rs: usize) -> Self {
        assert!(rs >= cols, "row stride {rs} shorter than a row of {cols}");
        if rows > 0 && cols > 0 {
            assert!(
                (rows - 1) * rs + cols <= data.len(),
                "matrix {rows}x{cols} (row stride {rs}) exceeds {} elements",
                data.len()
            );
        }
        Self {
            data,
            rows,
            cols,
            rs,
        }
    }

    /// A dense row-major `rows × cols` view.
    ///
    /// ```
    /// let mut buf = [0.0; 4];
    /// assert_eq!(nn_kernels::gemm::MatMut::row_major(&mut buf, 2, 2).rows(), 2);
    /// ```
    pub fn row_major(data: &'a mut [f32], rows: usize, cols: usize) -> Self {
        Self::new(data, rows, cols, cols)
    }

    /// Number of rows.
    ///
    /// ```
    /// let mut buf = [0.0; 4];
    /// assert_eq!(nn_kernels::gemm::MatMut::row_major(&mut buf, 4, 1).rows(), 4);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    ///
    /// ```
    /// let mut buf = [0.0; 4];
    /// assert_eq!(nn_kernels::gemm::MatMut::row_major(&mut buf, 4, 1).cols(), 1);
    /// ```
    pub fn cols(&self) -> usize {
        self.cols
    }

    fn row_mut(&mut self, i: usize) -> &mut [f32] {
        &mut self.data[i * self.rs..i * self.rs + self.cols]
    }
}

/// Where a micro-kernel reads one operand panel: element `(p, i)` (depth
/// `p`, row or column `i` of the panel) is at `ptr + p * step_p + i * step_i`.
/// Packed panels have `step_p = width, step_i = 1`; panels read in place from
/// a row- or column-major operand use its strides, which saves the copy.
#[derive(Clone, Copy)]
struct Panel {
    ptr: *const f32,
    step_p: usize,
    step_i: usize,
}

/// Where a micro-kernel writes its `MR × NR` tile: rows `rs` floats apart
/// from `ptr`, added to what is there when `accumulate`.
#[derive(Clone, Copy)]
struct Out {
    ptr: *mut f32,
    rs: usize,
    accumulate: bool,
}

/// A register-blocked micro-kernel: computes one `MR × NR` tile from an A
/// panel (`MR` rows) and a B panel (`NR` contiguous columns, `step_i = 1`).
trait MicroKernel {
    const MR: usize;
    const NR: usize;
    /// Writes (or adds) the tile to `out`.
    ///
    /// # Safety
    /// Every element `(p, i)` for `p < kc` and `i < MR` (A) or `i < NR` (B)
    /// is readable, `b.step_i == 1`, the `MR` rows of `NR` floats at `out`
    /// are writable and not aliased, and the CPU supports the kernel's
    /// instruction set.
    unsafe fn run(kc: usize, a: Panel, b: Panel, out: Out);
}

/// `C = A·B` (or `C += A·B` when `accumulate`), packing into `workspace`.
///
/// # Panics
/// If the shapes disagree (`A` is `m × k`, `B` is `k × n`, `C` is `m × n`) or
/// `workspace` is shorter than [`workspace_len`]`(1)`.
///
/// ```
/// use nn_kernels::gemm::{gemm, workspace_len, MatMut, MatRef};
/// let a = [1.0, 2.0, 3.0]; // 1x3
/// let mut c = [1.0];
/// let mut ws = [0.0; workspace_len(1)];
/// gemm(&mut ws, MatRef::row_major(&a, 1, 3), MatRef::row_major(&a, 3, 1), MatMut::row_major(&mut c, 1, 1), true);
/// assert_eq!(c, [15.0]);
/// ```
pub fn gemm(workspace: &mut [f32], a: MatRef, b: MatRef, c: MatMut, accumulate: bool) {
    gemm_on(Isa::active(), workspace, a, b, c, accumulate)
}

/// [`gemm`] on an explicitly chosen instruction set; a level this CPU lacks
/// falls back to the portable kernel.
///
/// ```
/// use nn_kernels::{gemm::{gemm_on, workspace_len, MatMut, MatRef}, isa::Isa};
/// let mut c = [0.0];
/// let mut ws = [0.0; workspace_len(1)];
/// gemm_on(Isa::Portable, &mut ws, MatRef::row_major(&[2.0], 1, 1), MatRef::row_major(&[3.0], 1, 1), MatMut::row_major(&mut c, 1, 1), false);
/// assert_eq!(c, [6.0]);
/// ```
pub fn gemm_on(isa: Isa, workspace: &mut [f32], a: MatRef, b: MatRef, c: MatMut, accumulate: bool) {
    assert_eq!(
        a.cols, b.rows,
        "gemm: A is {}x{} but B is {}x{}",
        a.rows, a.cols, b.rows, b.cols
    );
    assert!(
        c.rows == a.rows && c.cols == b.cols,
        "gemm: C is {}x{} but A·B is {}x{}",
        c.rows,
        c.cols,
        a.rows,
        b.cols
    );
    assert!(
        workspace.len() >= workspace_len(1),
        "gemm: workspace of {} floats, need at least {}",
        workspace.len(),
        workspace_len(1)
    );
    #[cfg(target_arch = "x86_64")]
    if isa.is_available() {
        match isa {
            Isa::Avx512 if c.cols <= x86::Avx512Narrow::NR => {
                return blocked::<x86::Avx512Narrow>(workspace, a, b, c, accumulate);
            }
            Isa::Avx512 => return blocked::<x86::Avx512Wide>(workspace, a, b, c, accumulate),
            Isa::Avx2 => return blocked::<x86::Avx2Fma>(workspace, a, b, c, accumulate),
            Isa::Portable => {}
        }
    }
    let _ = isa;
    blocked::<portable::Portable>(workspace, a, b, c, accumulate)
}

/// How one block of an operand reaches the micro-kernel.
enum Source<'a> {
    /// Full panels are read in place from the operand (contiguous along the
    /// panel width or along the depth); a partial last panel is packed.
    Direct {
        m: &'a MatRef<'a>,
        p0: usize,
        j0: usize,
    },
    /// The whole block was packed.
    Packed,
}

/// The panel of `width` columns starting at block column `j` of a `k × n`
/// block (`p0`, `j0` its origin in `m`; `nc` its width): in place when the
/// block is `Direct` and the panel is full, from `packed` otherwise.
fn panel(src: &Source, packed: &[f32], width: usize, kc: usize, nc: usize, j: usize) -> Panel {
    match src {
        Source::Direct { m, p0, j0 } if j + width <= nc => Panel {
            // In bounds: MatRef::new checked every element of `m`.
            ptr: m.data[(p0 * m.rs + (j0 + j) * m.cs)..].as_ptr(),
            step_p: m.rs,
            step_i: m.cs,
        },
        Source::Direct { .. } => Panel {
            ptr: packed.as_ptr(),
            step_p: width,
            step_i: 1,
        },
        Source::Packed => Panel {
            ptr: packed[j * kc..].as_ptr(),
            step_p: width,
            step_i: 1,
        },
    }
}

/// Makes block (`p0..p0+kc` deep, columns `j0..j0+nc`) of `m` available in
/// `width`-wide panels: in place if its panels are contiguous in the way
/// `contiguous` says, else packed into `out`.
fn prepare<'a>(
    m: &'a MatRef<'a>,
    width: usize,
    contiguous: bool,
    (p0, kc, j0, nc): (usize, usize, usize, usize),
    out: &mut [f32],
) -> Source<'a> {
    if contiguous {
        let full = nc / width * width;
        if full < nc {
            pack::pack(width, m, p0, kc, j0 + full, nc - full, out);
        }
        Source::Direct { m, p0, j0 }
    } else {
        pack::pack(width, m, p0, kc, j0, nc, out);
        Source::Packed
    }
}

/// Products smaller than this many multiply-adds stay on one thread: waking
/// the others costs more than they would save.
const SPLIT_MIN_FMAS: usize = 1 << 20;

/// C's base pointer, shared by the tasks of [`gemm_split`], each of which
/// writes only its own rows.
struct Rows(*mut f32);

// SAFETY: tasks derive disjoint row ranges from it (see `gemm_split`).
unsafe impl Sync for Rows {}

impl Rows {
    /// Through a method, so closures capture the `Sync` wrapper, not the field.
    fn ptr(&self) -> *mut f32 {
        self.0
    }
}

/// [`gemm`] with the rows of C split into one block per thread of `par`
/// (blocks of whole micro-tiles). Each task packs into its own thread's
/// scratch; the caller's share uses `workspace`. Small products run on the
/// calling thread alone.
///
/// # Panics
/// As [`gemm`].
///
/// ```
/// use nn_kernels::gemm::{gemm_split, workspace_len, MatMut, MatRef};
/// use nn_kernels::parallel::Serial;
/// let mut c = [0.0; 4];
/// let mut ws = vec![0.0; workspace_len(2)];
/// let id = [1.0, 0.0, 0.0, 1.0];
/// gemm_split(&Serial, &mut ws, MatRef::row_major(&[1.0, 2.0, 3.0, 4.0], 2, 2), MatRef::row_major(&id, 2, 2), MatMut::row_major(&mut c, 2, 2), false);
/// assert_eq!(c, [1.0, 2.0, 3.0, 4.0]);
/// ```
pub fn gemm_split(
    par: &dyn Parallel,
    workspace: &mut [f32],
    a: MatRef,
    b: MatRef,
    c: MatMut,
    accumulate: bool,
) {
    let (m, n, k) = (a.rows, b.cols, a.cols);
    let threads = par.threads();
    if threads <= 1 || m * n * k < SPLIT_MIN_FMAS || m < 2 * MR_MAX {
        return gemm(workspace, a, b, c, accumulate);
    }
    assert_eq!(
        a.cols, b.rows,
        "gemm: A is {}x{} but B is {}x{}",
        a.rows, a.cols, b.rows, b.cols
    );
    assert!(
        c.rows == m && c.cols == n,
        "gemm: C is {}x{} but A·B is {m}x{n}",
        c.rows,
        c.cols
    );
    let chunk = m.div_ceil(threads).next_multiple_of(MR_MAX);
    let (rs, c_len) = (c.rs, c.data.len());
    let base = Rows(c.data.as_mut_ptr());
    let isa = Isa::active();
    par.run_with(m.div_ceil(chunk), workspace, &|task, ws| {
        let m0 = task * chunk;
        let rows = chunk.min(m - m0);
        let a_rows = MatRef::new(&a.data[m0 * a.rs..], rows, k, a.rs, a.cs);
        let len = ((rows - 1) * rs + n).min(c_len - m0 * rs);
        // SAFETY: task `t` owns rows t·chunk .. t·chunk + rows of C, disjoint
        // from every other task's; the range lies inside C's slice (MatMut::new
        // checked (m-1)·rs + n <= len), which outlives `run_with`.
        let c_rows = unsafe { core::slice::from_raw_parts_mut(base.ptr().add(m0 * rs), len) };
        gemm_on(
            isa,
            ws,
            a_rows,
            b,
            MatMut::new(c_rows, rows, n, rs),
            accumulate,
        );
    });
}

/// The BLIS loop nest around micro-kernel `K`.
fn blocked<K: MicroKernel>(ws: &mut [f32], a: MatRef, b: MatRef, mut c: MatMut, accumulate: bool) {
    let (m, n, k) = (a.rows, b.cols, a.cols);
    if k == 0 {
        if !accumulate {
            (0..m).for_each(|i| c.row_mut(i).fill(0.0));
        }
        return;
    }
    let (packed_a, packed_b) = ws.split_at_mut(MC * KC);
    // Column blocks as wide as the workspace holds (≥ NR_MAX, checked by `gemm_on`).
    let nc_max = NC.min(packed_b.len() / KC / NR_MAX * NR_MAX);
    let at = a.t();
    // Reading a panel in place saves its copy but not its reuse: pack when a
    // block is reused many times (B across several A blocks, A across many B
    // panels) or when rows a multiple of 1 KiB apart would share L1 sets.
    let aliases = |stride: usize| stride.is_multiple_of(256);
    let a_stride = if a.cs == 1 { a.rs } else { a.cs };
    let a_direct = (a.rs == 1 || a.cs == 1) && n <= 4 * NR_MAX && !aliases(a_stride);
    let b_direct = b.cs == 1 && m <= MC && !aliases(b.rs);
    // One tile buffer on the stack, sized for the largest kernel.
    let mut tile = [0.0f32; MR_MAX * NR_MAX];
    for jc in (0..n).step_by(nc_max) {
        let nc = nc_max.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            let accumulate = accumulate || pc > 0;
            let b_src = prepare(&b, K::NR, b_direct, (pc, kc, jc, nc), packed_b);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                let a_src = prepare(&at, K::MR, a_direct, (pc, kc, ic, mc), packed_a);
                // The small A panel stays in L1 while B's panels stream from L2.
                for ir in (0..mc).step_by(K::MR) {
                    let a_panel = panel(&a_src, packed_a, K::MR, kc, mc, ir);
                    for jr in (0..nc).step_by(K::NR) {
                        let b_panel = panel(&b_src, packed_b, K::NR, kc, nc, jr);
                        let rows = K::MR.min(mc - ir);
                        let cols = K::NR.min(nc - jr);
                        let full = rows == K::MR && cols == K::NR;
                        let out = if full {
                            // Full tiles go straight to C.
                            let at = (ic + ir) * c.rs + jc + jr;
                            Out {
                                ptr: c.data[at..].as_mut_ptr(),
                                rs: c.rs,
                                accumulate,
                            }
                        } else {
                            Out {
                                ptr: tile.as_mut_ptr(),
                                rs: K::NR,
                                accumulate: false,
                            }
                        };
                        // SAFETY: `panel` yields in-place panels only when all
                        // kc × width elements lie inside the operand (checked
                        // by MatRef::new), else packed panels of kc × width
                        // floats inside the workspace (sized by workspace_len);
                        // B panels have step_i 1 (b.cs == 1 or packed). A full
                        // tile's MR rows of NR floats lie inside C (MatMut::new
                        // checked its extent) and nothing else references C
                        // now; the stack tile holds MR_MAX*NR_MAX >= MR*NR.
                        // `gemm_on` selects K only when the CPU supports it.
                        unsafe { K::run(kc, a_panel, b_panel, out) };
                        if !full {
                            for i in 0..rows {
                                let dst = &mut c.row_mut(ic + ir + i)[jc + jr..jc + jr + cols];
                                let src = &tile[i * K::NR..i * K::NR + cols];
                                if accumulate {
                                    dst.iter_mut().zip(src).for_each(|(d, s)| *d += s);
                                } else {
                                    dst.copy_from_slice(src);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
