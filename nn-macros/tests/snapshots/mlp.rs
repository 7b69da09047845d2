// network! { pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid > }
// Refresh: NN_BLESS=1 cargo test -p nn-macros

///Model parameters of `Xor` (2 features → 1 feature): `linear0` → `tanh1` → `linear2` → `sigmoid3`. Train it with [`XorTrainer`].
#[derive(Clone, Debug, PartialEq)]
pub struct Xor {
    ///Layer `linear0`: 2 features → 8 features.
    pub linear0: ::nn::layers::Linear<2usize, 8usize>,
    ///Layer `tanh1`: 8 features → 8 features.
    pub tanh1: ::nn::layers::Tanh,
    ///Layer `linear2`: 8 features → 1 feature.
    pub linear2: ::nn::layers::Linear<8usize, 1usize>,
    ///Layer `sigmoid3`: 1 feature → 1 feature.
    pub sigmoid3: ::nn::layers::Sigmoid,
}
unsafe impl ::nn::__private::Zeroable for Xor {}
const _: () = {
    ::nn::__private::assert_zeroable::<::nn::layers::Linear<2usize, 8usize>>();
    ::nn::__private::assert_zeroable::<::nn::layers::Tanh>();
    ::nn::__private::assert_zeroable::<::nn::layers::Linear<8usize, 1usize>>();
    ::nn::__private::assert_zeroable::<::nn::layers::Sigmoid>();
    ::nn::__private::assert_same::<
        <::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Forward<[f32; 2usize]>>::Out,
        [f32; 8usize],
    >();
    ::nn::__private::assert_same::<
        <::nn::layers::Tanh as ::nn::__private::Forward<[f32; 8usize]>>::Out,
        [f32; 8usize],
    >();
    assert!(
        < ::nn::layers::Tanh as ::nn::__private::Layer < [f32; 8usize] >> ::NUM_PARAMS ==
        0 && < ::nn::layers::Tanh as ::nn::__private::Layer < [f32; 8usize] >>
        ::STATE_LEN == 0
    );
    ::nn::__private::assert_same::<
        <::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Forward<[f32; 8usize]>>::Out,
        [f32; 1usize],
    >();
    ::nn::__private::assert_same::<
        <::nn::layers::Sigmoid as ::nn::__private::Forward<[f32; 1usize]>>::Out,
        [f32; 1usize],
    >();
    assert!(
        < ::nn::layers::Sigmoid as ::nn::__private::Layer < [f32; 1usize] >> ::NUM_PARAMS
        == 0 && < ::nn::layers::Sigmoid as ::nn::__private::Layer < [f32; 1usize] >>
        ::STATE_LEN == 0
    );
};
impl Xor {
    /// Number of trainable parameters (weights and biases of every layer).
    pub const NUM_PARAMS: usize = 0
        + <::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_PARAMS
        + <::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_PARAMS;
    /// Values per input sample.
    pub const INPUTS: usize = 2usize;
    /// Values per output sample.
    pub const OUTPUTS: usize = 1usize;
    /// Bytes of model state (what inference needs besides stack temporaries).
    pub const MODEL_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Runs one sample through the network in evaluation mode.
    #[inline]
    pub fn forward(&self, x: &[f32; 2usize]) -> [f32; 1usize] {
        let b0 = x;
        let b1 = &<::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Forward<[f32; 2usize]>>::forward(&self.linear0, b0);
        let b2 = &<::nn::layers::Tanh as ::nn::__private::Forward<
            [f32; 8usize],
        >>::forward(&self.tanh1, b1);
        let b3 = &<::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Forward<[f32; 8usize]>>::forward(&self.linear2, b2);
        let b4 = &<::nn::layers::Sigmoid as ::nn::__private::Forward<
            [f32; 1usize],
        >>::forward(&self.sigmoid3, b3);
        *b4
    }
    /// The parameters of each layer that has any, in layer order, each
    /// as one flat slice (for a `Linear`, its weights row by row, then
    /// its biases).
    pub fn params(&self) -> [&[f32]; 2usize] {
        [
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::params(&self.linear0),
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::params(&self.linear2),
        ]
    }
    /// Mutable [`Self::params`].
    pub fn params_mut(&mut self) -> [&mut [f32]; 2usize] {
        [
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::params_mut(&mut self.linear0),
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::params_mut(&mut self.linear2),
        ]
    }
    /// The architecture as weights files identify it: the input
    /// shape and every layer's full type and settings.
    pub const SIGNATURE: &'static str = "[f32;2]|Linear<2,8>|Tanh|Linear<8,1>|Sigmoid";
    /// Values a weights file holds: every parameter, plus batch
    /// norm's running statistics.
    pub const STATE_LEN: usize = 0
        + <::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Layer<[f32; 2usize]>>::STATE_LEN
        + <::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Layer<[f32; 8usize]>>::STATE_LEN;
    /// Size of this network's weights file (`Model::save_to`).
    pub const WEIGHTS_BYTES: usize = ::nn::io::weights::encoded_len(Self::STATE_LEN);
    /// What the layers persist (each layer's `Layer::state`), in order.
    pub fn state(&self) -> [&[f32]; 2usize] {
        [
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::state(&self.linear0),
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::state(&self.linear2),
        ]
    }
    /// Mutable [`Self::state`].
    pub fn state_mut(&mut self) -> [&mut [f32]; 2usize] {
        [
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::state_mut(&mut self.linear0),
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::state_mut(&mut self.linear2),
        ]
    }
}
impl ::nn::__private::Parameters for Xor {
    fn zip_tensors(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
        for (mine, theirs) in self.params_mut().into_iter().zip(other.params()) {
            f(mine, theirs);
        }
    }
}
impl ::nn::__private::Model for Xor {
    const SIGNATURE: &'static str = Xor::SIGNATURE;
    const NUM_PARAMS: usize = Xor::NUM_PARAMS;
    const STATE_LEN: usize = Xor::STATE_LEN;
    const TORCH: &'static [(&'static str, &'static [::nn::__private::TorchTensor])] = &[
        (
            "0",
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::TORCH,
        ),
        (
            "2",
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::TORCH,
        ),
    ];
    fn param_tensors(&self) -> impl AsRef<[&[f32]]> {
        self.params()
    }
    fn param_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
        self.params_mut()
    }
    fn state_tensors(&self) -> impl AsRef<[&[f32]]> {
        self.state()
    }
    fn state_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
        self.state_mut()
    }
    type Input = [f32; 2usize];
    type Output = [f32; 1usize];
    fn run(&self, x: &[f32; 2usize]) -> [f32; 1usize] {
        self.forward(x)
    }
    fn reset<R: ::nn::__private::Rng + ?Sized>(
        &mut self,
        init: ::nn::__private::Init,
        rng: &mut R,
    ) {
        let this = self;
        <::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Layer<
            [f32; 2usize],
        >>::init_params(&mut this.linear0, init, rng);
        <::nn::layers::Tanh as ::nn::__private::Layer<
            [f32; 8usize],
        >>::init_params(&mut this.tanh1, init, rng);
        <::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Layer<
            [f32; 8usize],
        >>::init_params(&mut this.linear2, init, rng);
        <::nn::layers::Sigmoid as ::nn::__private::Layer<
            [f32; 1usize],
        >>::init_params(&mut this.sigmoid3, init, rng);
    }
}
#[doc(hidden)]
pub type __XorTrainerModel = Xor;
///Training state of [`Xor`] for batches of `B` samples with optimizer `O`: the model plus fixed-size gradients, optimizer state, activations, backward buffers and GEMM workspace. A training step allocates nothing.
pub struct XorTrainer<
    O: ::nn::__private::Optimizer = ::nn::__private::Sgd,
    const B: usize = 32,
> {
    /// The model being trained.
    pub model: __XorTrainerModel,
    /// The optimizer (its hyperparameters may be changed between steps).
    pub optimizer: O,
    /// Weight penalties and gradient clipping applied before each
    /// update (all off when built).
    pub regularization: ::nn::__private::Regularization,
    rng: ::nn::__private::TrainRng,
    seed: u64,
    step: u64,
    parallel: &'static dyn ::nn::__private::Parallel,
    workspace: [f32; ::nn::__private::workspace_len(
        ::nn::__private::shape::max(
            ::nn::__private::shape::max(
                ::nn::__private::shape::max(
                    ::nn::__private::shape::max(
                        1usize,
                        <::nn::layers::Linear<
                            2usize,
                            8usize,
                        > as ::nn::__private::Layer<[f32; 2usize]>>::GEMM_WIDTH,
                    ),
                    <::nn::layers::Tanh as ::nn::__private::Layer<
                        [f32; 8usize],
                    >>::GEMM_WIDTH,
                ),
                <::nn::layers::Linear<
                    8usize,
                    1usize,
                > as ::nn::__private::Layer<[f32; 8usize]>>::GEMM_WIDTH,
            ),
            <::nn::layers::Sigmoid as ::nn::__private::Layer<[f32; 1usize]>>::GEMM_WIDTH,
        ),
    )],
    grad_linear0: [f32; <::nn::layers::Linear<
        2usize,
        8usize,
    > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_PARAMS],
    state_linear0: <O as ::nn::__private::Optimizer>::State<
        {
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_PARAMS
        },
    >,
    grad_linear2: [f32; <::nn::layers::Linear<
        8usize,
        1usize,
    > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_PARAMS],
    state_linear2: <O as ::nn::__private::Optimizer>::State<
        {
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_PARAMS
        },
    >,
    cache_linear0: <::nn::layers::Linear<
        2usize,
        8usize,
    > as ::nn::__private::Layer<[f32; 2usize]>>::Cache<{ B }>,
    cache_tanh1: <::nn::layers::Tanh as ::nn::__private::Layer<
        [f32; 8usize],
    >>::Cache<{ B }>,
    cache_linear2: <::nn::layers::Linear<
        8usize,
        1usize,
    > as ::nn::__private::Layer<[f32; 8usize]>>::Cache<{ B }>,
    cache_sigmoid3: <::nn::layers::Sigmoid as ::nn::__private::Layer<
        [f32; 1usize],
    >>::Cache<{ B }>,
    act1: [[f32; 8usize]; B],
    delta1: [[f32; 8usize]; B],
    act2: [[f32; 8usize]; B],
    delta2: [[f32; 8usize]; B],
    act3: [[f32; 1usize]; B],
    delta3: [[f32; 1usize]; B],
    act4: [[f32; 1usize]; B],
    delta4: [[f32; 1usize]; B],
}
impl<O: ::nn::__private::Optimizer, const B: usize> XorTrainer<O, { B }> {
    /// Bytes of the whole training state.
    pub const TRAIN_STATE_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Samples per training batch.
    pub const BATCH: usize = B;
    /// Builds the trainer in `slot` without a stack temporary. `seed`
    /// drives parameter initialization and dropout: the same seed gives
    /// bit-identical training.
    pub fn init_in_place<'slot>(
        slot: &'slot mut ::core::mem::MaybeUninit<Self>,
        init: ::nn::__private::Init,
        optimizer: O,
        seed: u64,
    ) -> &'slot mut Self {
        ::nn::__private::assert_zeroable::<__XorTrainerModel>();
        ::nn::__private::assert_zeroable::<::nn::__private::Regularization>();
        ::nn::__private::assert_zeroable::<u64>();
        ::nn::__private::assert_zeroable::<
            [f32; ::nn::__private::workspace_len(
                ::nn::__private::shape::max(
                    ::nn::__private::shape::max(
                        ::nn::__private::shape::max(
                            ::nn::__private::shape::max(
                                1usize,
                                <::nn::layers::Linear<
                                    2usize,
                                    8usize,
                                > as ::nn::__private::Layer<[f32; 2usize]>>::GEMM_WIDTH,
                            ),
                            <::nn::layers::Tanh as ::nn::__private::Layer<
                                [f32; 8usize],
                            >>::GEMM_WIDTH,
                        ),
                        <::nn::layers::Linear<
                            8usize,
                            1usize,
                        > as ::nn::__private::Layer<[f32; 8usize]>>::GEMM_WIDTH,
                    ),
                    <::nn::layers::Sigmoid as ::nn::__private::Layer<
                        [f32; 1usize],
                    >>::GEMM_WIDTH,
                ),
            )],
        >();
        ::nn::__private::assert_zeroable::<
            [f32; <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_PARAMS],
        >();
        ::nn::__private::assert_zeroable::<
            <O as ::nn::__private::Optimizer>::State<
                {
                    <::nn::layers::Linear<
                        2usize,
                        8usize,
                    > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_PARAMS
                },
            >,
        >();
        ::nn::__private::assert_zeroable::<
            [f32; <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_PARAMS],
        >();
        ::nn::__private::assert_zeroable::<
            <O as ::nn::__private::Optimizer>::State<
                {
                    <::nn::layers::Linear<
                        8usize,
                        1usize,
                    > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_PARAMS
                },
            >,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Linear<
                2usize,
                8usize,
            > as ::nn::__private::Layer<[f32; 2usize]>>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Tanh as ::nn::__private::Layer<[f32; 8usize]>>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Linear<
                8usize,
                1usize,
            > as ::nn::__private::Layer<[f32; 8usize]>>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<
            <::nn::layers::Sigmoid as ::nn::__private::Layer<
                [f32; 1usize],
            >>::Cache<{ B }>,
        >();
        ::nn::__private::assert_zeroable::<[[f32; 8usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 8usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 8usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 8usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 1usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 1usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 1usize]; B]>();
        ::nn::__private::assert_zeroable::<[[f32; 1usize]; B]>();
        let ptr = slot.as_mut_ptr();
        unsafe {
            ptr.write_bytes(0, 1);
            ::core::ptr::addr_of_mut!((* ptr).optimizer).write(optimizer);
            ::core::ptr::addr_of_mut!((* ptr).rng)
                .write(
                    <::nn::__private::TrainRng as ::nn::__private::SeedableRng>::seed_from_u64(
                        seed,
                    ),
                );
            ::core::ptr::addr_of_mut!((* ptr).seed).write(seed);
            ::core::ptr::addr_of_mut!((* ptr).parallel).write(&::nn::__private::Serial);
        }
        let this = unsafe { slot.assume_init_mut() };
        ::nn::__private::Model::reset(&mut this.model, init, &mut this.rng);
        this
    }
    /// Lets large products split across `parallel`'s threads (e.g.
    /// `nn::kernels::parallel::global()`); `&Serial`, the default,
    /// keeps every step on the calling thread.
    pub fn set_parallel(&mut self, parallel: &'static dyn ::nn::__private::Parallel) {
        self.parallel = parallel;
    }
    /// Runs a batch forward in `mode`, filling the activation buffers.
    fn run_forward(&mut self, x: &[[f32; 2usize]; B], mode: ::nn::__private::Mode) {
        let mut ctx = ::nn::__private::Context {
            mode,
            rng: &mut self.rng,
            workspace: &mut self.workspace,
            parallel: self.parallel,
        };
        <::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Layer<
            [f32; 2usize],
        >>::forward_batch(
            &mut self.model.linear0,
            x,
            &mut self.act1,
            &mut self.cache_linear0,
            &mut ctx,
        );
        <::nn::layers::Tanh as ::nn::__private::Layer<
            [f32; 8usize],
        >>::forward_batch(
            &mut self.model.tanh1,
            &self.act1,
            &mut self.act2,
            &mut self.cache_tanh1,
            &mut ctx,
        );
        <::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Layer<
            [f32; 8usize],
        >>::forward_batch(
            &mut self.model.linear2,
            &self.act2,
            &mut self.act3,
            &mut self.cache_linear2,
            &mut ctx,
        );
        <::nn::layers::Sigmoid as ::nn::__private::Layer<
            [f32; 1usize],
        >>::forward_batch(
            &mut self.model.sigmoid3,
            &self.act3,
            &mut self.act4,
            &mut self.cache_sigmoid3,
            &mut ctx,
        );
    }
    /// Forward in `mode`, the mean loss over the batch, and
    /// backpropagation into the gradient buffers. Returns the loss.
    fn backprop<T, L: ::nn::__private::Loss<1usize, T>>(
        &mut self,
        x: &[[f32; 2usize]; B],
        targets: &[T; B],
        loss: &L,
        mode: ::nn::__private::Mode,
    ) -> f32 {
        const { assert!(B > 0, "the batch size B must be at least 1") };
        self.run_forward(x, mode);
        let inv_b = 1.0 / B as f32;
        let mut total = 0.0f32;
        let mut ctx = ::nn::__private::Context {
            mode,
            rng: &mut self.rng,
            workspace: &mut self.workspace,
            parallel: self.parallel,
        };
        if <::nn::layers::Sigmoid as ::nn::__private::Layer<[f32; 1usize]>>::FUSION
            .is_fused()
        {
            for b in 0..B {
                total
                    += loss
                        .loss_grad_after(
                            <::nn::layers::Sigmoid as ::nn::__private::Layer<
                                [f32; 1usize],
                            >>::FUSION,
                            ::nn::__private::as_vector(&self.act3[b]),
                            ::nn::__private::as_vector(&self.act4[b]),
                            &targets[b],
                            Some(::nn::__private::as_vector_mut(&mut self.delta3[b])),
                        );
            }
            ::nn::__private::scale(
                inv_b,
                ::nn::__private::as_slice_mut(&mut self.delta3),
            );
        } else {
            for b in 0..B {
                total
                    += loss
                        .loss_grad(
                            ::nn::__private::as_vector(&self.act4[b]),
                            &targets[b],
                            Some(::nn::__private::as_vector_mut(&mut self.delta4[b])),
                        );
            }
            ::nn::__private::scale(
                inv_b,
                ::nn::__private::as_slice_mut(&mut self.delta4),
            );
            <::nn::layers::Sigmoid as ::nn::__private::Layer<
                [f32; 1usize],
            >>::backward(
                &self.model.sigmoid3,
                &self.act3,
                &self.act4,
                &self.delta4,
                &mut self.cache_sigmoid3,
                Some(&mut self.delta3),
                &mut [],
                &mut ctx,
            );
        }
        <::nn::layers::Linear<
            8usize,
            1usize,
        > as ::nn::__private::Layer<
            [f32; 8usize],
        >>::backward(
            &self.model.linear2,
            &self.act2,
            &self.act3,
            &self.delta3,
            &mut self.cache_linear2,
            Some(&mut self.delta2),
            &mut self.grad_linear2,
            &mut ctx,
        );
        <::nn::layers::Tanh as ::nn::__private::Layer<
            [f32; 8usize],
        >>::backward(
            &self.model.tanh1,
            &self.act1,
            &self.act2,
            &self.delta2,
            &mut self.cache_tanh1,
            Some(&mut self.delta1),
            &mut [],
            &mut ctx,
        );
        <::nn::layers::Linear<
            2usize,
            8usize,
        > as ::nn::__private::Layer<
            [f32; 2usize],
        >>::backward(
            &self.model.linear0,
            x,
            &self.act1,
            &self.delta1,
            &mut self.cache_linear0,
            None,
            &mut self.grad_linear0,
            &mut ctx,
        );
        total * inv_b
    }
    /// One training step on a batch: forward, mean loss over the batch,
    /// backward, optimizer update. Returns the mean loss.
    pub fn train_step<T, L: ::nn::__private::Loss<1usize, T>>(
        &mut self,
        x: &[[f32; 2usize]; B],
        targets: &[T; B],
        loss: &L,
    ) -> f32 {
        self.rng = <::nn::__private::TrainRng as ::nn::__private::SeedableRng>::seed_from_u64(
            ::nn::__private::step_seed(self.seed, self.step),
        );
        self.step += 1;
        let mean = self.backprop(x, targets, loss, ::nn::__private::Mode::Train);
        if self.regularization.is_active() {
            self.regularization
                .apply(
                    &mut [
                        (
                            <::nn::layers::Linear<
                                2usize,
                                8usize,
                            > as ::nn::__private::Layer<
                                [f32; 2usize],
                            >>::params(&self.model.linear0),
                            &mut self.grad_linear0[..],
                            <::nn::layers::Linear<
                                2usize,
                                8usize,
                            > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_WEIGHTS,
                        ),
                        (
                            <::nn::layers::Linear<
                                8usize,
                                1usize,
                            > as ::nn::__private::Layer<
                                [f32; 8usize],
                            >>::params(&self.model.linear2),
                            &mut self.grad_linear2[..],
                            <::nn::layers::Linear<
                                8usize,
                                1usize,
                            > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_WEIGHTS,
                        ),
                    ],
                );
        }
        self.optimizer
            .update::<
                {
                    <::nn::layers::Linear<
                        2usize,
                        8usize,
                    > as ::nn::__private::Layer<[f32; 2usize]>>::NUM_PARAMS
                },
            >(
                <::nn::layers::Linear<
                    2usize,
                    8usize,
                > as ::nn::__private::Layer<
                    [f32; 2usize],
                >>::params_mut(&mut self.model.linear0),
                &self.grad_linear0,
                &mut self.state_linear0,
            );
        self.optimizer
            .update::<
                {
                    <::nn::layers::Linear<
                        8usize,
                        1usize,
                    > as ::nn::__private::Layer<[f32; 8usize]>>::NUM_PARAMS
                },
            >(
                <::nn::layers::Linear<
                    8usize,
                    1usize,
                > as ::nn::__private::Layer<
                    [f32; 8usize],
                >>::params_mut(&mut self.model.linear2),
                &self.grad_linear2,
                &mut self.state_linear2,
            );
        mean
    }
    /**The gradient of [`Self::eval_loss`] with respect to every parameter, written to `grad` in [`Xor::params`] order (layer by layer, each tensor flat); returns the loss. Evaluation mode, no penalties, no update: the deterministic full-batch objective that second-order methods and gradient checks need.

# Panics
If `grad.len()` is not [`Xor::NUM_PARAMS`].*/
    pub fn gradient<T, L: ::nn::__private::Loss<1usize, T>>(
        &mut self,
        x: &[[f32; 2usize]; B],
        targets: &[T; B],
        loss: &L,
        grad: &mut [f32],
    ) -> f32 {
        assert_eq!(
            grad.len(), __XorTrainerModel::NUM_PARAMS, "one gradient value per parameter"
        );
        let mean = self.backprop(x, targets, loss, ::nn::__private::Mode::Eval);
        let rest = grad;
        let (tensor, rest) = rest.split_at_mut(self.grad_linear0.len());
        tensor.copy_from_slice(&self.grad_linear0);
        let (tensor, rest) = rest.split_at_mut(self.grad_linear2.len());
        tensor.copy_from_slice(&self.grad_linear2);
        let _ = rest;
        mean
    }
    /// Training steps taken so far.
    pub fn steps(&self) -> u64 {
        self.step
    }
    /// Evaluation-mode forward pass of a batch; returns the outputs.
    pub fn forward_batch(&mut self, x: &[[f32; 2usize]; B]) -> &[[f32; 1usize]; B] {
        self.run_forward(x, ::nn::__private::Mode::Eval);
        &self.act4
    }
    /// Mean loss of a batch in evaluation mode (no update).
    pub fn eval_loss<T, L: ::nn::__private::Loss<1usize, T>>(
        &mut self,
        x: &[[f32; 2usize]; B],
        targets: &[T; B],
        loss: &L,
    ) -> f32 {
        const { assert!(B > 0, "the batch size B must be at least 1") };
        self.run_forward(x, ::nn::__private::Mode::Eval);
        let mut total = 0.0f32;
        for b in 0..B {
            total
                += loss
                    .loss_grad_after(
                        <::nn::layers::Sigmoid as ::nn::__private::Layer<
                            [f32; 1usize],
                        >>::FUSION,
                        ::nn::__private::as_vector(&self.act3[b]),
                        ::nn::__private::as_vector(&self.act4[b]),
                        &targets[b],
                        None,
                    );
        }
        total / B as f32
    }
}
::nn::__private::with_std! {
    impl < O : ::nn::__private::Optimizer, const B : usize > ::nn::__private::Checkpoint
    for XorTrainer < O, { B } > { type Model = __XorTrainerModel; fn
    checkpoint_signature() -> u64 {
    ::nn::io::weights::signature_hash(__XorTrainerModel::SIGNATURE) ^
    ::nn::io::weights::signature_hash(::core::any::type_name:: < O > ()).rotate_left(1) }
    fn trained(& self) -> & __XorTrainerModel { & self.model } fn seed_and_step(& self)
    -> (u64, u64) { (self.seed, self.step) } fn optimizer_bytes(& self) -> impl AsRef <
    [& [u8]] > { [::nn::__private::bytemuck::bytes_of(& self.state_linear0),
    ::nn::__private::bytemuck::bytes_of(& self.state_linear2)] } fn restore_targets(& mut
    self) -> (impl AsMut < [& mut [f32]] >, impl AsMut < [& mut [u8]] >, & mut u64, & mut
    u64) { (self.model.state_mut(), [::nn::__private::bytemuck::bytes_of_mut(& mut self
    .state_linear0), ::nn::__private::bytemuck::bytes_of_mut(& mut self.state_linear2)],
    & mut self.seed, & mut self.step,) } }
}
::nn::__private::with_alloc! {
    impl < O : ::nn::__private::Optimizer, const B : usize > XorTrainer < O, { B } > {
    #[doc = r" Allocates a trainer on the heap, built in place (no stack"] #[doc =
    r" temporary of its size, every byte written once)."] pub fn new_boxed(init :
    ::nn::__private::Init, optimizer : O, seed : u64) -> ::nn::__private::Box < Self > {
    ::nn::__private::boxed_in_place(| slot | Self::init_in_place(slot, init, optimizer,
    seed)) } }
}
