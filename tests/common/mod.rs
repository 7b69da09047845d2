//! A counting global allocator for the zero-allocation tests. Each test
//! binary that uses it declares `#[global_allocator] static A: Counting = Counting;`.
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Counting;

/// Allocations by any thread while `ALL_THREADS` is set.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALL_THREADS: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Allocations by this thread while `THIS_THREAD` is set: a count of its
    /// own, so tests measuring concurrently never see each other's.
    static THIS_THREAD_ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static THIS_THREAD: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if ALL_THREADS.load(Ordering::SeqCst) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
    if THIS_THREAD.with(Cell::get) {
        THIS_THREAD_ALLOCATIONS.with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: forwards to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Whose allocations to count.
#[allow(dead_code)] // each test binary uses one of them
pub enum Scope {
    /// The calling thread only (other tests may run alongside).
    ThisThread,
    /// Every thread: for code that runs on a thread pool (the binary must
    /// have no other test running at the same time).
    AllThreads,
}

/// Allocations made while `f` runs.
pub fn allocations_during(scope: Scope, f: impl FnOnce()) -> usize {
    let counter = || match scope {
        Scope::ThisThread => THIS_THREAD_ALLOCATIONS.with(Cell::get),
        Scope::AllThreads => ALLOCATIONS.load(Ordering::SeqCst),
    };
    let before = counter();
    match scope {
        Scope::ThisThread => THIS_THREAD.with(|c| c.set(true)),
        Scope::AllThreads => ALL_THREADS.store(true, Ordering::SeqCst),
    }
    f();
    THIS_THREAD.with(|c| c.set(false));
    ALL_THREADS.store(false, Ordering::SeqCst);
    counter() - before
}
