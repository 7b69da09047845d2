//! A training step and inference make zero heap allocations: a counting
//! global allocator watches this thread while they run.
mod common;

use common::{Counting, Scope, allocations_during};
use nn::prelude::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

network! {
    Mnist = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax >
}

#[test]
fn the_counter_sees_allocations() {
    assert_eq!(
        allocations_during(Scope::ThisThread, || drop(std::hint::black_box(vec![
            1u8;
            10
        ]))),
        1
    );
}

#[test]
fn training_steps_and_inference_allocate_nothing() {
    let mut trainer = MnistTrainer::<Sgd, 64>::new_boxed(Init::HeNormal, Sgd::new(0.05), 1);
    let mut rng = TrainRng::seed_from_u64(2);
    let mut x = Box::new([[0.0f32; 784]; 64]);
    x.as_flattened_mut()
        .iter_mut()
        .for_each(|v| *v = rng.random());
    let labels: [usize; 64] = std::array::from_fn(|i| i % 10);

    let mut losses = [0.0f32; 100];
    let train = allocations_during(Scope::ThisThread, || {
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

    let mut adam = MnistTrainer::<Adam, 64>::new_boxed(Init::HeNormal, Adam::new(1e-3), 1);
    adam.regularization = nn::train::regularize::Regularization {
        l2: 1e-4,
        clip_norm: 1.0,
        weight_noise: 0.01,
        ..Default::default()
    };
    let schedule = nn::optim::schedule::Cosine {
        max: 1e-3,
        min: 1e-5,
        period: 10,
        restart_mult: 2,
    };
    // The weight average lives in caller storage, built once before the steps.
    let mut average = Mnist::new_boxed(Init::HeNormal, 3);
    let ema = nn::train::averaging::Ema { rate: 0.1 };
    let with_adam = allocations_during(Scope::ThisThread, || {
        for step in 0..20 {
            adam.optimizer
                .set_lr(nn::optim::schedule::Schedule::lr(&schedule, step));
            adam.train_step(&x, &labels, &CrossEntropy);
            ema.update(&mut *average, &adam.model);
        }
    });
    assert_eq!(
        with_adam, 0,
        "20 Adam steps with clipping, L2, weight noise, a schedule and EMA allocated {with_adam} times"
    );
    assert_ne!(*average, adam.model, "the average lags the model");

    let mut predictions = [0usize; 64];
    let inference = allocations_during(Scope::ThisThread, || {
        for (p, x) in predictions.iter_mut().zip(x.iter()) {
            *p = trainer.model.predict(x);
        }
        std::hint::black_box(trainer.forward_batch(&x));
    });
    assert_eq!(inference, 0, "inference allocated {inference} times");
    assert!(predictions.iter().all(|&p| p < 10));
}

network! {
    /// A CNN with batch normalization and dropout.
    Cnn = <
        Input<1, 28, 28>,
        Conv2d<1, 8, 5>, BatchNorm2d<8>, ReLU, MaxPool2d<2>,
        Conv2d<8, 16, 3, 1, 1>, ReLU, AvgPool2d<2>,
        Flatten, Dropout<0.25>, Linear<576, 32>, BatchNorm1d<32>, ReLU,
        Linear<32, 10>, Softmax,
    >
}

#[test]
fn cnn_training_with_batch_norm_and_dropout_allocates_nothing() {
    let mut trainer = CnnTrainer::<Adam, 16>::new_boxed(Init::HeNormal, Adam::new(1e-3), 3);
    let mut rng = TrainRng::seed_from_u64(4);
    let mut x = Box::new([[[[0.0f32; 28]; 28]; 1]; 16]);
    for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x[..]) {
        *v = rng.random();
    }
    let labels: [usize; 16] = std::array::from_fn(|i| i % 10);
    let mut losses = [0.0f32; 20];
    let train = allocations_during(Scope::ThisThread, || {
        for loss in losses.iter_mut() {
            *loss = trainer.train_step(&x, &labels, &CrossEntropy);
        }
    });
    assert_eq!(train, 0, "20 CNN training steps allocated {train} times");
    assert!(
        losses[19] < losses[0],
        "the loss fell: {} -> {}",
        losses[0],
        losses[19]
    );
    let inference = allocations_during(Scope::ThisThread, || {
        std::hint::black_box(trainer.model.predict(&x[0]));
        std::hint::black_box(trainer.forward_batch(&x));
    });
    assert_eq!(inference, 0, "CNN inference allocated {inference} times");
}

use nn::rng::TrainRng;

#[path = "../examples/layers/mod.rs"]
mod layers;

network! {
    /// Layers defined outside nn, between nn's own.
    WithUserLayers = < Linear<784, 32>, layers::Scale<32>, layers::Mish, Linear<32, 10>, Softmax >
}

#[test]
fn training_through_user_layers_allocates_nothing() {
    let mut trainer =
        WithUserLayersTrainer::<Adam, 16>::new_boxed(Init::HeNormal, Adam::new(1e-3), 5);
    let mut rng = TrainRng::seed_from_u64(6);
    let x: Box<[[f32; 784]; 16]> = Box::new(std::array::from_fn(|_| {
        std::array::from_fn(|_| rng.random())
    }));
    let labels: [usize; 16] = std::array::from_fn(|i| i % 10);
    let mut losses = [0.0f32; 20];
    let train = allocations_during(Scope::ThisThread, || {
        for loss in losses.iter_mut() {
            *loss = trainer.train_step(&x, &labels, &CrossEntropy);
        }
        std::hint::black_box(trainer.model.predict(&x[0]));
    });
    assert_eq!(
        train, 0,
        "20 steps through user layers allocated {train} times"
    );
    assert!(losses[19] < losses[0], "{} -> {}", losses[0], losses[19]);
}

#[path = "../examples/common/resnet8.rs"]
mod resnet8;

#[test]
fn resnet8_training_allocates_nothing() {
    use resnet8::{ResNet8Trainer, digit_as_rgb};
    let mut trainer = ResNet8Trainer::<Adam, 4>::new_boxed(Init::HeNormal, Adam::new(2e-3), 9);
    let mut rng = TrainRng::seed_from_u64(10);
    let x: Box<[[[[f32; 32]; 32]; 3]; 4]> = Box::new(std::array::from_fn(|_| {
        digit_as_rgb(&std::array::from_fn(|_| rng.random()))
    }));
    let labels = [0usize, 1, 2, 3];
    let mut losses = [0.0f32; 3];
    let train = allocations_during(Scope::ThisThread, || {
        for loss in losses.iter_mut() {
            *loss = trainer.train_step(&x, &labels, &CrossEntropy);
        }
        std::hint::black_box(trainer.model.predict(&x[0]));
    });
    assert_eq!(train, 0, "ResNet-8 steps allocated {train} times");
    assert!(losses[2] < losses[0], "{losses:?}");
}
