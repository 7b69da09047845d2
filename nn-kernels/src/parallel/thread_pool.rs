//! A persistent thread pool for splitting large products across cores
//! (`std` feature). Threads are started once; a job publishes a borrowed
//! closure, every thread (the caller included) claims task indices until none
//! are left, and the caller returns only when all tasks have finished. Nothing
//! is allocated or spawned per job.
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! let pool = nn_kernels::parallel::ThreadPool::new(2);
//! let sum = AtomicUsize::new(0);
//! pool.run(10, &|i, _scratch: &mut [f32]| {
//!     sum.fetch_add(i, Ordering::Relaxed);
//! });
//! assert_eq!(sum.load(Ordering::Relaxed), 45);
//! ```
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::vec::Vec;
use std::{boxed::Box, vec};

use super::{Parallel, Task};

/// Scratch floats each worker owns: enough for a GEMM of any shape.
pub const WORKER_SCRATCH: usize = crate::gemm::workspace_len(usize::MAX);

/// How long an idle worker spins for the next job before sleeping: steps of
/// a training loop come back to back, and a futex wake-up costs more than a
/// small product.
const SPIN: u32 = if cfg!(miri) { 16 } else { 1 << 16 };

/// The job being run: a lifetime-erased pointer to the caller's closure.
#[derive(Clone, Copy)]
struct Job {
    task: *const Task<'static>,
    tasks: usize,
}

// SAFETY: the closure is `Sync` and outlives the job (see `ThreadPool::run`).
unsafe impl Send for Job {}

struct Shared {
    job: Mutex<Option<Job>>,
    /// High 32 bits: job generation; low 32: next task index to claim. One
    /// word, so a late worker can never claim an index of a newer job.
    cursor: AtomicU64,
    /// Tasks of the current job not yet finished.
    pending: AtomicUsize,
    wake: Condvar,
    idle: Mutex<bool>,
    done: Condvar,
}

/// A fixed set of worker threads plus the calling thread.
pub struct ThreadPool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    /// Serializes jobs from different callers.
    submit: Mutex<()>,
}

impl ThreadPool {
    /// A pool that runs jobs on `threads` threads: the caller and
    /// `threads - 1` workers (each with [`WORKER_SCRATCH`] floats of scratch).
    ///
    /// ```
    /// assert_eq!(nn_kernels::parallel::ThreadPool::new(3).threads(), 3);
    /// ```
    pub fn new(threads: usize) -> Self {
        let shared = Arc::new(Shared {
            job: Mutex::new(None),
            cursor: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            wake: Condvar::new(),
            idle: Mutex::new(false),
            done: Condvar::new(),
        });
        // Each worker's scratch is allocated here and the pool is returned
        // only once every worker runs, so a thread that is scheduled late
        // never allocates during someone's training step.
        let started = Arc::new(std::sync::Barrier::new(threads.max(1)));
        let workers = (1..threads.max(1))
            .map(|_| {
                let (shared, started) = (Arc::clone(&shared), Arc::clone(&started));
                let scratch = vec![0.0; WORKER_SCRATCH].into_boxed_slice();
                std::thread::spawn(move || {
                    started.wait();
                    worker(&shared, scratch)
                })
            })
            .collect();
        started.wait();
        Self {
            shared,
            workers,
            submit: Mutex::new(()),
        }
    }

    /// Threads that run a job, the caller included.
    ///
    /// ```
    /// assert_eq!(nn_kernels::parallel::ThreadPool::new(1).threads(), 1);
    /// ```
    pub fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Calls `task(i, scratch)` for every `i < tasks` across the pool and
    /// returns when all calls have returned. The caller's own tasks get
    /// `caller_scratch`. A panicking task aborts the process (a worker cannot
    /// unwind into the caller's frame).
    ///
    /// ```
    /// let pool = nn_kernels::parallel::ThreadPool::new(2);
    /// let mut mine = [0.0f32; 4];
    /// pool.run_with(2, &mut mine, &|i, scratch| assert!(!scratch.is_empty() || i < 2));
    /// ```
    pub fn run_with(&self, tasks: usize, caller_scratch: &mut [f32], task: &Task) {
        if self.workers.is_empty() || tasks <= 1 {
            (0..tasks).for_each(|i| task(i, caller_scratch));
            return;
        }
        let _one_job_at_a_time = self.submit.lock().unwrap_or_else(|e| e.into_inner());
        let s = &*self.shared;
        // SAFETY: only the lifetime is erased; this function does not return
        // before `pending` reaches 0, i.e. before every call of `task` has
        // returned, and the generation in `cursor` stops late workers from
        // starting a call afterwards.
        let erased = unsafe { core::mem::transmute::<&Task, &Task<'static>>(task) };
        *s.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(Job {
            task: erased,
            tasks,
        });
        s.pending.store(tasks, Ordering::Release);
        let generation = (s.cursor.load(Ordering::Acquire) >> 32) + 1;
        s.cursor.store(generation << 32, Ordering::Release);
        {
            let mut idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
            *idle = false;
            s.wake.notify_all();
        }
        work(
            s,
            generation,
            Job {
                task: erased,
                tasks,
            },
            caller_scratch,
        );
        let mut spins = 0u32;
        while s.pending.load(Ordering::Acquire) != 0 {
            if spins < SPIN {
                spins += 1;
                core::hint::spin_loop();
            } else {
                let idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
                let _ = s
                    .done
                    .wait_timeout(idle, std::time::Duration::from_micros(50));
            }
        }
    }

    /// [`ThreadPool::run_with`] with throwaway scratch for the caller.
    ///
    /// ```
    /// nn_kernels::parallel::ThreadPool::new(2).run(3, &|_, _| {});
    /// ```
    pub fn run(&self, tasks: usize, task: &Task) {
        self.run_with(tasks, &mut [], task)
    }
}

// SAFETY: `run_with` hands out each index once (a compare-exchange on the
// generation-tagged cursor), each thread uses only its own scratch, and it
// returns after `pending` reaches 0 (see `ThreadPool::run_with`).
unsafe impl Parallel for ThreadPool {
    fn threads(&self) -> usize {
        ThreadPool::threads(self)
    }

    fn run_with(&self, tasks: usize, caller_scratch: &mut [f32], task: &Task) {
        ThreadPool::run_with(self, tasks, caller_scratch, task)
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        // Generation u32::MAX is the stop signal.
        self.shared.cursor.store(u64::MAX, Ordering::Release);
        {
            let _idle = self.shared.idle.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.wake.notify_all();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Claims and runs tasks of generation `generation` until none are left.
fn work(s: &Shared, generation: u64, job: Job, scratch: &mut [f32]) {
    loop {
        let cur = s.cursor.load(Ordering::Acquire);
        let index = (cur & 0xffff_ffff) as usize;
        if cur >> 32 != generation || index >= job.tasks {
            return;
        }
        if s.cursor
            .compare_exchange_weak(cur, cur + 1, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            continue;
        }
        // A panic here would leave the caller waiting with a dangling
        // closure; abort instead.
        let guard = AbortOnUnwind;
        // SAFETY: the claim above succeeded for this generation, so the
        // caller is still inside `run_with`, keeping the closure alive.
        unsafe { (*job.task)(index, scratch) };
        core::mem::forget(guard);
        if s.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
            s.done.notify_all();
        }
    }
}

struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        std::process::abort();
    }
}

fn worker(s: &Shared, mut scratch: Box<[f32]>) {
    let mut seen = 0u64;
    loop {
        // Wait for a new generation: spin first, then sleep.
        let mut spins = 0u32;
        let generation = loop {
            let g = s.cursor.load(Ordering::Acquire) >> 32;
            if g != seen {
                break g;
            }
            if spins < SPIN {
                spins += 1;
                core::hint::spin_loop();
            } else {
                let mut idle = s.idle.lock().unwrap_or_else(|e| e.into_inner());
                *idle = true;
                while *idle && s.cursor.load(Ordering::Acquire) >> 32 == seen {
                    idle = s.wake.wait(idle).unwrap_or_else(|e| e.into_inner());
                }
            }
        };
        if generation == u64::MAX >> 32 {
            return;
        }
        seen = generation;
        let job = *s.job.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(job) = job {
            work(s, generation, job, &mut scratch);
        }
    }
}

/// The process-wide pool, started on first use with one thread per core.
///
/// ```
/// assert!(nn_kernels::parallel::global().threads() >= 1);
/// ```
pub fn global() -> &'static ThreadPool {
    static POOL: OnceLock<ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        ThreadPool::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_exactly_once_over_many_jobs() {
        let pool = ThreadPool::new(3);
        for tasks in [0, 1, 2, 3, 7, 64] {
            for _ in 0..if cfg!(miri) { 3 } else { 50 } {
                let hits: Vec<AtomicUsize> = (0..tasks).map(|_| AtomicUsize::new(0)).collect();
                pool.run(tasks, &|i, _| {
                    hits[i].fetch_add(1, Ordering::Relaxed);
                });
                assert!(
                    hits.iter().all(|h| h.load(Ordering::Relaxed) == 1),
                    "{tasks} tasks"
                );
            }
        }
    }

    #[test]
    fn workers_get_scratch_and_the_caller_its_own() {
        let pool = ThreadPool::new(2);
        let mut mine = [7.0f32; 3];
        let lens: Vec<AtomicUsize> = (0..8).map(|_| AtomicUsize::new(0)).collect();
        pool.run_with(8, &mut mine, &|i, scratch| {
            lens[i].store(scratch.len(), Ordering::Relaxed);
        });
        assert!(
            lens.iter()
                .all(|l| [3, WORKER_SCRATCH].contains(&l.load(Ordering::Relaxed)))
        );
    }

    #[test]
    fn a_pool_of_one_runs_on_the_caller() {
        let pool = ThreadPool::new(1);
        let me = std::thread::current().id();
        pool.run(4, &|_, _| assert_eq!(std::thread::current().id(), me));
    }
}
