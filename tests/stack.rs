//! Multi-megabyte networks (here 784-1024-1024-10 with Adam state, ~30 MB)
//! are built and restored from checkpoints without stack temporaries: on an 8 MB
//! (main-thread sized) and a 2 MB (spawned-thread default) stack, in a debug
//! build, and in place into a `static`.
use nn::prelude::*;
use std::mem::MaybeUninit;
use std::sync::Mutex;

network! {
    Big = < Linear<784, 1024>, ReLU, Linear<1024, 1024>, ReLU, Linear<1024, 10>, Softmax >
}

fn build_and_step_on_stack_of(bytes: usize) {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(|| {
            let mut t = BigTrainer::<Adam, 64>::new_boxed(Init::HeNormal, Adam::new(1e-3), 3);
            const {
                assert!(
                    BigTrainer::<Adam, 64>::TRAIN_STATE_BYTES > 8 << 20,
                    "bigger than the main stack"
                )
            };
            let model = Big::new_boxed(Init::HeNormal, 3);
            assert!(*model == t.model, "same seed, same parameters");
            let x = Box::new([[0.5f32; 784]; 64]);
            let loss = t.train_step(&x, &[3usize; 64], &CrossEntropy);
            assert!(loss.is_finite());
            // Restoring a checkpoint writes in place: no copy of the 7 MB
            // model on the stack.
            const { assert!(Big::MODEL_BYTES > 7 << 20, "bigger than a 2 MiB stack") };
            let checkpoint = t.checkpoint(1);
            let mut resumed = BigTrainer::<Adam, 64>::new_boxed(Init::HeNormal, Adam::new(1e-3), 5);
            resumed.restore(&checkpoint).unwrap();
            assert!(
                resumed.model == t.model,
                "the checkpoint restored the model"
            );
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn builds_on_an_8_mib_stack() {
    build_and_step_on_stack_of(8 << 20);
}

#[test]
fn builds_on_a_2_mib_stack() {
    build_and_step_on_stack_of(2 << 20);
}

network! {
    Small = < Linear<16, 8>, Tanh, Linear<8, 4> >
}

static SLOT: Mutex<MaybeUninit<SmallTrainer<Sgd, 4>>> = Mutex::new(MaybeUninit::uninit());

#[test]
fn initializes_in_place_into_a_static() {
    let mut slot = SLOT.lock().unwrap();
    let trainer = SmallTrainer::init_in_place(&mut slot, Init::XavierUniform, Sgd::new(0.1), 9);
    let boxed = SmallTrainer::<Sgd, 4>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 9);
    assert_eq!(trainer.model, boxed.model, "same seed, same parameters");
    let x = [[0.1f32; 16]; 4];
    let t = [[0.0f32; 4]; 4];
    let first = trainer.train_step(&x, &t, &Mse);
    for _ in 0..20 {
        trainer.train_step(&x, &t, &Mse);
    }
    assert!(trainer.eval_loss(&x, &t, &Mse) < first);
}
