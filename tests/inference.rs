//! Single-sample inference in planned activation memory: `infer` runs the
//! layers in turn with every activation in a `{Name}Activations` whose
//! slots are shared by activations that are never live together, so
//! `INFER_RAM_BYTES` is what a microcontroller needs besides the model.
//! (`tests/residual.rs` and `tests/network.rs` check the single-sample path
//! against the batch path for every layer kind, blocks and unpooling.)
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    /// The MNIST MLP: a chain ping-pongs between two 128-value slots.
    Mlp = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax >
}

network! {
    /// A residual block keeps its input alive beside its branch: three slots.
    Block = < Linear<4, 8>, Tanh, Residual<Linear<8, 8>, Tanh, Linear<8, 8>>, Linear<8, 2> >
}

network! {
    /// A pool whose indices an unpooling reads later: they get memory of their own.
    Unpool = < Input<1, 4, 4>, MaxPool2d<2>, Tanh, MaxUnpool2d<2>, Flatten, Linear<16, 3> >
}

fn random<const N: usize>(seed: u64) -> [f32; N] {
    let mut rng = TrainRng::seed_from_u64(seed);
    std::array::from_fn(|_| rng.random_range(-1.0..1.0))
}

#[test]
fn infer_is_the_layers_applied_in_turn() {
    let m = Mlp::new_boxed(Init::HeNormal, 1);
    let x = random::<784>(2);
    let by_hand = m
        .softmax4
        .forward(&m.linear3.forward(&m.relu1.forward(&m.linear0.forward(&x))));
    let mut memory = MlpActivations::new();
    assert_eq!(*m.infer(&x, &mut memory), by_hand);
    assert_eq!(m.forward(&x), by_hand);

    let b = Block::new_boxed(Init::HeNormal, 3);
    let x = random::<4>(4);
    let h = b.tanh1.forward(&b.linear0.forward(&x));
    let branch = b
        .residual2_linear2
        .forward(&b.residual2_tanh1.forward(&b.residual2_linear0.forward(&h)));
    let joined: [f32; 8] = std::array::from_fn(|i| branch[i] + h[i]);
    assert_eq!(
        *b.infer(&x, &mut BlockActivations::new()),
        b.linear3.forward(&joined)
    );
}

#[test]
fn activations_share_memory_only_when_never_live_together() {
    // 128 + 128 values: the 784-value input is the caller's, and the
    // 10-value outputs reuse the hidden layers' slots.
    assert_eq!(Mlp::INFER_RAM_BYTES, 4 * (128 + 128));
    // The block's input (8 values) stays live through its 3-layer branch.
    assert_eq!(Block::INFER_RAM_BYTES, 4 * (8 + 8 + 8));
    // Two 1×2×2 / 1×4×4 slots in turn, plus four u32 indices.
    assert_eq!(Unpool::INFER_RAM_BYTES, 4 * (16 + 16) + 4 * 4);
}

#[test]
fn memory_is_reused_without_leftovers() {
    let u = Unpool::new_boxed(Init::HeNormal, 5);
    let (a, b): ([[[f32; 4]; 4]; 1], _) = (
        nn::bytemuck::cast(random::<16>(6)),
        nn::bytemuck::cast(random::<16>(7)),
    );
    let mut memory = UnpoolActivations::new();
    let first = *u.infer(&a, &mut memory);
    let second = *u.infer(&b, &mut memory);
    assert_eq!(second, *u.infer(&b, &mut UnpoolActivations::new()));
    assert_eq!(*u.infer(&a, &mut memory), first);
    assert_ne!(first, second);
}
