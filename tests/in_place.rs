//! The generated code's `unsafe` (zero-filled in-place construction of
//! models and trainers, then field-by-field writes) on a network small
//! enough for Miri, which CI runs this file under: building in a
//! `MaybeUninit` on the stack and in a `Box`, a training step through every
//! buffer, and a weights and checkpoint round trip.
use nn::prelude::*;
use std::mem::MaybeUninit;

network! {
    /// Every kind of zero-filled state: parameters, batch-norm statistics,
    /// dropout's RNG, optimizer moments, caches and activation buffers.
    Tiny = <
        Input<1, 4, 4>, Conv2d<1, 2, 3>, BatchNorm2d<2>, ReLU,
        Flatten, Dropout<0.5>, Linear<8, 3>, Softmax,
    >
}

#[test]
fn models_and_trainers_build_in_place_train_and_round_trip() {
    let mut slot = MaybeUninit::uninit();
    let model = Tiny::init_in_place(&mut slot, Init::HeNormal, 1);
    let boxed = Tiny::new_boxed(Init::HeNormal, 1);
    assert!(*model == *boxed, "in place on the stack and in a box agree");

    let mut slot = MaybeUninit::uninit();
    let trainer =
        TinyTrainer::<Adam, 2>::init_in_place(&mut slot, Init::HeNormal, Adam::new(0.01), 1);
    assert!(
        trainer.model == *boxed,
        "the trainer's model is seeded alike"
    );
    let x = [[[[0.25f32; 4]; 4]; 1], [[[-0.5f32; 4]; 4]; 1]];
    let first = trainer.train_step(&x, &[0, 2], &CrossEntropy);
    let second = trainer.train_step(&x, &[0, 2], &CrossEntropy);
    assert!(first.is_finite() && second.is_finite());

    let mut bytes = [0u8; Tiny::WEIGHTS_BYTES];
    trainer.model.save_to(&mut bytes).unwrap();
    let mut reloaded = Tiny::new_boxed(Init::XavierUniform, 2);
    reloaded.load_from(&bytes).unwrap();
    assert!(*reloaded == trainer.model);

    let checkpoint = trainer.checkpoint(1);
    let mut resumed = TinyTrainer::<Adam, 2>::new_boxed(Init::HeNormal, Adam::new(0.01), 9);
    resumed.restore(&checkpoint).unwrap();
    assert_eq!(
        resumed.train_step(&x, &[0, 2], &CrossEntropy),
        trainer.train_step(&x, &[0, 2], &CrossEntropy),
        "a restored trainer continues bit for bit"
    );
}
