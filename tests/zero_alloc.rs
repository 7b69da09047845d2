//! A training step and inference make zero heap allocations: a counting
//! global allocator watches this thread while they run.
use nn::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread while `f` runs.
fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

network! {
    Mnist = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax >
}

#[test]
fn the_counter_sees_allocations() {
    assert_eq!(
        allocations_during(|| drop(std::hint::black_box(vec![1u8; 10]))),
        1
    );
}

#[test]
fn training_steps_and_inference_allocate_nothing() {
    let mut trainer = MnistTrainer::<Sgd, 64>::new_boxed(Init::HeNormal, Sgd::new(0.05), 1);
    let mut rng = SmallRng::seed_from_u64(2);
    let mut x = Box::new([[0.0f32; 784]; 64]);
    x.as_flattened_mut()
        .iter_mut()
        .for_each(|v| *v = rng.random());
    let labels: [usize; 64] = std::array::from_fn(|i| i % 10);

    let mut losses = [0.0f32; 100];
    let train = allocations_during(|| {
        for loss in losses.iter_mut() {
            *loss = trainer.train_step(&x, &labels, &CrossEntropy);
        }
    });
    assert_eq!(train, 0, "100 training steps allocated {train} times");
    assert!(
        losses[99] < losses[0],
        "the loss fell: {} -> {}",
        losses[0],
        losses[99]
    );

    let mut predictions = [0usize; 64];
    let inference = allocations_during(|| {
        for (p, x) in predictions.iter_mut().zip(x.iter()) {
            *p = trainer.model.predict(x);
        }
        std::hint::black_box(trainer.forward_batch(&x));
    });
    assert_eq!(inference, 0, "inference allocated {inference} times");
    assert!(predictions.iter().all(|&p| p < 10));
}

use nn::rand::rngs::SmallRng;
