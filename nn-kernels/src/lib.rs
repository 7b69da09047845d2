//! Numeric kernels for `nn`: a cache-blocked GEMM that packs into caller-owned
//! workspace, a batch-1 GEMV, and the vectorized elementwise kernels that dense
//! layers need (activations, softmax, bias add, column sums, parameter updates).
//!
//! Every kernel is `no_std`, allocation-free and panics only on caller bugs
//! (mismatched slice lengths), which are documented per function. On x86_64 the
//! kernels pick AVX-512 or AVX2+FMA code at run time (see [`isa`]); every other
//! target uses the portable code, which LLVM vectorizes for the target's SIMD.
//!
//! ```
//! use nn_kernels::gemm::{gemm, workspace_len, MatMut, MatRef};
//! let a = [1.0, 2.0, 3.0, 4.0]; // 2x2, row-major
//! let b = [5.0, 6.0, 7.0, 8.0];
//! let mut c = [0.0; 4];
//! let mut ws = vec![0.0; workspace_len(2)];
//! gemm(&mut ws, MatRef::row_major(&a, 2, 2), MatRef::row_major(&b, 2, 2), MatMut::row_major(&mut c, 2, 2), false);
//! assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
//! ```
#![no_std]
#![warn(missing_docs)]

#[cfg(any(feature = "std", test))]
extern crate std;

#[macro_use]
mod dispatch;
pub mod activation;
pub mod conv;
pub mod gemm;
pub mod gemv;
pub mod int8;
pub mod isa;
pub mod math;
pub mod parallel;
pub mod pooling;
pub mod reduce;
#[cfg(target_arch = "x86_64")]
mod simd;
pub mod softmax;
pub mod update;

#[cfg(test)]
mod testing;
