//! Training steps split across the thread pool allocate nothing on any
//! thread once the pool is running. The only test in its binary, so the
//! allocator can count every thread.
mod common;

use common::{Counting, Scope, allocations_during};
use nn::prelude::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

network! {
    Mnist = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax >
}

#[test]
fn parallel_training_steps_allocate_nothing_on_any_thread() {
    let pool: &'static _ = Box::leak(Box::new(nn::kernels::parallel::ThreadPool::new(2)));
    let mut parallel = MnistTrainer::<Sgd, 64>::new_boxed(Init::HeNormal, Sgd::new(0.05), 1);
    let mut serial = MnistTrainer::<Sgd, 64>::new_boxed(Init::HeNormal, Sgd::new(0.05), 1);
    parallel.set_parallel(pool);
    let mut x = Box::new([[0.0f32; 784]; 64]);
    x.as_flattened_mut()
        .iter_mut()
        .enumerate()
        .for_each(|(i, v)| *v = (i % 7) as f32 / 7.0);
    let labels: [usize; 64] = std::array::from_fn(|i| i % 10);
    parallel.train_step(&x, &labels, &CrossEntropy); // workers are up and have their scratch

    let count = allocations_during(Scope::AllThreads, || {
        for _ in 0..50 {
            parallel.train_step(&x, &labels, &CrossEntropy);
        }
    });
    assert_eq!(count, 0, "50 parallel steps allocated {count} times");

    // Splitting rows across threads does not change a single bit.
    for _ in 0..51 {
        serial.train_step(&x, &labels, &CrossEntropy);
    }
    assert!(
        parallel.model == serial.model,
        "parallel and serial training differ"
    );
}
