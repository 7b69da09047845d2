//! Which instruction set the kernels run on, detected once per process.
//!
//! ```
//! let isa = nn_kernels::isa::Isa::active();
//! assert!(isa.is_available());
//! ```
use core::sync::atomic::{AtomicU8, Ordering};

/// An instruction-set level a kernel can be compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain Rust that LLVM vectorizes for the compile target's baseline.
    Portable,
    /// x86_64 AVX2 with FMA (256-bit vectors).
    Avx2,
    /// x86_64 AVX-512F (512-bit vectors).
    Avx512,
}

const UNKNOWN: u8 = u8::MAX;
static ACTIVE: AtomicU8 = AtomicU8::new(UNKNOWN);

impl Isa {
    /// Every level, fastest last.
    ///
    /// ```
    /// assert_eq!(nn_kernels::isa::Isa::ALL[0], nn_kernels::isa::Isa::Portable);
    /// ```
    pub const ALL: [Isa; 3] = [Isa::Portable, Isa::Avx2, Isa::Avx512];

    /// The fastest level this CPU supports. Detected on first call and cached,
    /// so kernels pay one relaxed atomic load per call.
    ///
    /// ```
    /// use nn_kernels::isa::Isa;
    /// assert_eq!(Isa::active(), Isa::active());
    /// ```
    #[inline]
    pub fn active() -> Isa {
        match ACTIVE.load(Ordering::Relaxed) {
            UNKNOWN => {
                let isa = Self::detect();
                ACTIVE.store(isa as u8, Ordering::Relaxed);
                isa
            }
            v => Self::ALL[v as usize],
        }
    }

    /// Whether this CPU can run code compiled for `self`.
    ///
    /// ```
    /// assert!(nn_kernels::isa::Isa::Portable.is_available());
    /// ```
    pub fn is_available(self) -> bool {
        // Miri interprets the portable code; it does not model these ISAs.
        if cfg!(miri) {
            return self == Isa::Portable;
        }
        match self {
            Isa::Portable => true,
            Isa::Avx2 => has_avx2_fma(),
            Isa::Avx512 => has_avx512f(),
        }
    }

    fn detect() -> Isa {
        *Self::ALL
            .iter()
            .rev()
            .find(|isa| isa.is_available())
            .unwrap_or(&Isa::Portable)
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn has_avx2_fma() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn has_avx512f() -> bool {
    std::is_x86_feature_detected!("avx512f")
}

/// Whether the CPU has AVX-512 VNNI (with AVX-512F and BW), which the int8
/// dense kernel uses on [`Isa::Avx512`]. Never under Miri.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
pub(crate) fn has_avx512_vnni() -> bool {
    !cfg!(miri)
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vnni")
}

#[cfg(all(target_arch = "x86_64", not(feature = "std")))]
pub(crate) fn has_avx512_vnni() -> bool {
    !cfg!(miri)
        && cfg!(all(
            target_feature = "avx512f",
            target_feature = "avx512bw",
            target_feature = "avx512vnni"
        ))
}

// Without std there is no run-time detection: trust what the build enabled.
#[cfg(not(all(target_arch = "x86_64", feature = "std")))]
fn has_avx2_fma() -> bool {
    cfg!(all(
        target_arch = "x86_64",
        target_feature = "avx2",
        target_feature = "fma"
    ))
}

#[cfg(not(all(target_arch = "x86_64", feature = "std")))]
fn has_avx512f() -> bool {
    cfg!(all(target_arch = "x86_64", target_feature = "avx512f"))
}
