//! Splitting independent tasks across threads: the kernels take any
//! [`Parallel`] (a `no_std` interface; [`Serial`] runs everything on the
//! calling thread), the `std` feature provides a persistent [`ThreadPool`],
//! and firmware may implement [`Parallel`] for its own RTOS.
//!
//! ```
//! use nn_kernels::parallel::{Parallel, Serial};
//! Serial.run_with(3, &mut [], &|i, _| assert!(i < 3));
//! assert_eq!(Serial.threads(), 1);
//! ```

/// A task: called with its index and the running thread's scratch memory.
pub type Task<'a> = dyn Fn(usize, &mut [f32]) + Sync + 'a;

/// Runs independent tasks, possibly at the same time.
///
/// # Safety
/// Kernels hand each task index a disjoint part of one output buffer
/// through raw pointers, trusting that an implementation of
/// [`Parallel::run_with`]:
/// - calls `task(i, …)` **exactly once** for every `i < tasks` (never twice,
///   never an index `>= tasks`);
/// - passes scratch slices that no other running call can see;
/// - returns only after every call has returned (and never lets a call start
///   afterwards).
///
/// A safe implementation that broke any of these could make the kernels
/// race or write after the borrow ends, so implementing the trait is
/// `unsafe` (as implementing `Send` is).
pub unsafe trait Parallel: Sync {
    /// How many tasks can run at the same time.
    fn threads(&self) -> usize;
    /// Calls `task(i, scratch)` for every `i < tasks`, returning when all
    /// calls have returned. Tasks run on the calling thread get
    /// `caller_scratch`; others get scratch of at least
    /// `gemm::workspace_len(usize::MAX)` floats.
    fn run_with(&self, tasks: usize, caller_scratch: &mut [f32], task: &Task);
}

/// Runs every task on the calling thread, one after another.
///
/// ```
/// use nn_kernels::parallel::{Parallel, Serial};
/// let count = core::sync::atomic::AtomicUsize::new(0);
/// Serial.run_with(4, &mut [], &|_, _| { count.fetch_add(1, core::sync::atomic::Ordering::Relaxed); });
/// assert_eq!(count.into_inner(), 4);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Serial;

// SAFETY: every index once, in order, on the calling thread, with the one
// scratch slice, before returning.
unsafe impl Parallel for Serial {
    fn threads(&self) -> usize {
        1
    }

    fn run_with(&self, tasks: usize, caller_scratch: &mut [f32], task: &Task) {
        (0..tasks).for_each(|i| task(i, caller_scratch));
    }
}

#[cfg(feature = "std")]
mod thread_pool;
#[cfg(feature = "std")]
pub use thread_pool::{ThreadPool, WORKER_SCRATCH, global};
