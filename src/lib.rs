//! # nn — neural networks as types
//!
//! `network!` turns a layer list into a plain struct with fixed-size
//! parameters, gradients, optimizer state and activation buffers, and
//! unrolled forward/backward code. Sizes are checked when you compile; a
//! training step allocates nothing; the core runs on `no_std` targets.
//!
//! ```
//! use nn::prelude::*;
//!
//! network! {
//!     /// Learns XOR.
//!     pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid >
//! }
//!
//! let mut trainer = XorTrainer::<Sgd, 4>::new_boxed(Init::XavierNormal, Sgd::new(1.0), 7);
//! let x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
//! let y = [[0.0], [1.0], [1.0], [0.0]];
//! let first = trainer.train_step(&x, &y, &Bce);
//! let mut last = first;
//! for _ in 0..2000 {
//!     last = trainer.train_step(&x, &y, &Bce);
//! }
//! assert!(last < first / 10.0);
//! assert!(trainer.model.forward(&[1.0, 0.0])[0] > 0.5);
//! assert!(trainer.model.forward(&[1.0, 1.0])[0] < 0.5);
//! ```
//!
//! Sizes that don't line up are compile errors naming both layers:
//!
//! ```compile_fail
//! nn::network! { Broken = < Linear<784, 128>, ReLU, Linear<64, 10> > }
//! // error: `Linear<64, 10>` expects 64 inputs but `ReLU` produces 128
//! ```
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub use nn_core::bytemuck;
pub use nn_core::{
    data, init, io, layer, layers, linalg, loss, mem, metrics, model, optim, quant, rng, summary,
    train,
};
pub use nn_kernels as kernels;
pub use rand;

/// Declares a network: a model struct `Name` and a trainer `NameTrainer<O, B>`.
///
/// Syntax: `[attributes] [visibility] Name = < layer, layer, ... >`, where
/// each layer may be named (`fc1: Linear<784, 128>`) and the list may start
/// with the input shape: `Input<N>` (a vector), `Input<C, L>` (a sequence) or
/// `Input<C, H, W>` (an image). Unnamed layers get fields named after their
/// kind and position (`linear0`, `relu1`, ...). The layers, with arguments in
/// PyTorch's order and defaults:
///
/// | layer | arguments |
/// |---|---|
/// | `Linear<IN, OUT>` | |
/// | `Conv2d<CI, CO, K[, STRIDE, PADDING, DILATION]>`, `Conv1d<…>` | stride 1, padding 0, dilation 1, `groups = 1` |
/// | `DepthwiseConv2d<C, K[, STRIDE, PADDING, DILATION]>` | `Conv2d` with `groups = C` |
/// | `ConvTranspose2d<CI, CO, K[, STRIDE, PADDING]>` | output `s(n − 1) + k − 2p` |
/// | `MaxPool2d<K[, STRIDE]>`, `AvgPool2d<K[, STRIDE]>` | stride = window |
/// | `GlobalAvgPool2d` | `C × H × W` → `C` (PyTorch's `AdaptiveAvgPool2d(1)` + `Flatten`) |
/// | `MaxUnpool2d<K[, STRIDE]>` | pairs with the nearest unpaired `MaxPool2d` and uses its indices |
/// | `Flatten`, `Reshape<N>` / `Reshape<C, L>` / `Reshape<C, H, W>` | |
/// | `BatchNorm1d<N>`, `BatchNorm2d<C>`, `LayerNorm<N>` | momentum 0.1, ε 1e-5 |
/// | `Standardizer<N>` (`(x − μ)/σ` per feature, fitted with `Standardizer::fit` on training rows; μ and σ save and load with the model) | the identity until fitted |
/// | `Dropout[<P>]`, `Dropout1d[<P>]` (whole channels of sequences), `Dropout2d[<P>]` (of images), `GaussianNoise<SIGMA>`, `ActivityL1<LAMBDA>` (L1 penalty on the activations passing through, in training) | p = 0.5 |
/// | `ReLU`, `Sigmoid`, `Tanh`, `Softmax`, `Identity`, `Softplus`, `BinaryStep` | |
/// | `GELU`, `GELUTanh` (PyTorch's `approximate='tanh'`), `SiLU`, `ReLU6` | |
/// | `LeakyReLU[<SLOPE>]`, `ELU[<ALPHA>]`, `HardTanh[<MIN, MAX>]` | 0.01; 1; −1, 1 |
/// | `PReLU[<CHANNELS>]`, `Maxout<K>` | one shared slope |
///
/// Convolutions take PyTorch's keyword arguments after the sizes given by
/// position: `stride = …`, `padding = …`, `dilation = …` and `groups = …`
/// (`Conv2d<64, 64, 3, groups = 64>`). For `Conv2d`, a kernel, stride or
/// padding may be a `(rows, columns)` pair (DS-CNN's stem is
/// `Conv2d<1, 64, (10, 4), stride = 2, padding = same>`), and
/// `padding = same` picks the symmetric padding that gives `⌈n / s⌉`
/// outputs (an error where only uneven padding would). `padding_mode =
/// reflect`, `replicate` or `circular` (PyTorch's; `zeros` is the default)
/// fills `Conv2d`/`Conv1d` padding from the input itself — mirrored, the
/// edge repeated, or wrapped around — with the same output size; reflection
/// needs less padding than the input is long, wrapping no more
/// (`Conv1d<4, 8, 3, padding = 1, padding_mode = circular>` on a periodic
/// signal).
///
/// `Residual<layers…>` adds its input to what its layers produce (an identity
/// shortcut); ending it with `Shortcut<layers…>` sends the input through
/// those layers instead (a projection, e.g. `Shortcut<Conv2d<16, 32, 1, 2>,
/// BatchNorm2d<32>>`). Blocks nest, the macro checks that both branches end
/// in the same shape, and PyTorch names their tensors `"{i}.main.{j}.weight"`
/// and `"{i}.shortcut.{j}.weight"`. Naming a layer (`fc1: Linear<784, 128>`)
/// names its field and its tensors (`"fc1.weight"`, or `"block.main.fc1.weight"`
/// inside a named block), as attributes of a PyTorch module; unnamed layers
/// keep their positions.
///
/// Sizes may be named constants or `{ expressions }` (`Linear<784, HIDDEN>`,
/// `Linear<{ 4 * C }, 10>`); the macro then leaves the arithmetic to the
/// compiler, which still rejects a mismatch. A layer of your own is named by
/// path (`crate::layers::Gate<16>`, `self::Mish`): any type implementing
/// [`layer::Layer`] for its input shape (plus `Clone`, `Debug`, `PartialEq`),
/// or [`layers::Activation`] for an elementwise map, trains, saves and
/// loads like nn's layers, and its output shape is its `Forward::Out`
/// (`examples/custom_layer.rs` shows one). When `nn` is renamed in
/// `Cargo.toml`, say so with `#[nn(crate = new_name)]` before the name.
///
/// The macro computes every layer's output shape, emits the fully sized
/// types (`Conv2d<1, 8, 5>` on a 28×28 image becomes
/// `Conv2d<1, 8, 5, 24, 24, 1, 0, 1>`) and reports every mismatch at its layer.
///
/// The model (`Name`) holds only parameters (and layer settings), as plain
/// `repr(C)` data; the trainer (`NameTrainer<O: Optimizer = Sgd, const B:
/// usize = 32>`) owns a model plus everything a step needs. `cargo doc` on
/// your crate documents both generated types with their layers' fully sized
/// types (each field is a layer). Everything they have:
///
/// | on | items |
/// |---|---|
/// | model: building | `new_boxed(init, seed)`, `init_in_place(slot, init, seed)` (no allocator), `reset(init, &mut rng)`, `blank_boxed()` (to load into), `load_boxed(path)` — the [`model::Model`] trait |
/// | model: running | `forward` (one sample, evaluation mode), `infer` (the same in a `NameActivations` the caller owns, planned at compile time: `INFER_RAM_BYTES`), `predict` (argmax; a one-output network thresholds, `THRESHOLD`), `predict_all`, `accuracy`, `sample_loss`, `mean_loss` (any number of rows, no trainer) |
/// | model: files | `save` / `load` and `save_to` / `load_from` (nn's weights format, `WEIGHTS_BYTES`; a file of another architecture is refused naming both), `save_safetensors` / `load_safetensors` / `to_safetensors` / `from_safetensors` (PyTorch's names and layouts; `safetensors` feature), flash images `save_image` / `from_image` and [`include_model!`] |
/// | model: the parameters | `NUM_PARAMS`, `STATE_LEN`, `SIGNATURE`, `params()` / `params_mut()` and `state()` (one slice per layer), `params_to_slice` / `params_from_slice` (the flat vector θ), one public field per layer |
/// | model: seeing it | `SUMMARY` / `summary()`: a [`summary::Summary`], which prints as a layer table with output shapes, parameters, receptive fields and totals; the model's `Display` prints the same (`println!("{model}")`); `INPUTS`, `OUTPUTS` |
/// | trainer: steps | `train_step(x, targets, loss)`, `train_batch(x, targets, rows, loss)` (a short last batch), `train_step_toward` (the parameter-sharing penalty toward a reference model), `gradient` (∂L/∂θ without an update, for second-order methods), `steps()`; the public fields `model`, `optimizer` and `regularization` (weight decay, L1, max-norm, noise) |
/// | trainer: evaluating | `forward_batch`, `eval_loss`, `eval_loss_over` (any number of rows) |
/// | trainer: the rest | `set_parallel` (split large products across threads), `checkpoint` / `restore` / `save_checkpoint` / `load_checkpoint` (resume bit-identically, [`model::Checkpoint`]), `summary()` (adds the training memory), `TRAIN_STATE_BYTES`, `BATCH` |
///
/// When the last layer is `Softmax` (or `Sigmoid`), the loss is fused with
/// it: cross-entropy trains on `p − y` directly.
///
/// ```
/// use nn::prelude::*;
/// network! { pub Mnist = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax > }
/// assert_eq!(Mnist::NUM_PARAMS, 784 * 128 + 128 + 128 * 10 + 10);
/// let model = Mnist::new_boxed(Init::HeNormal, 1);
/// let p = model.forward(&[0.5; 784]);
/// assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
/// // The same pass in memory the caller owns: two 128-value slots.
/// let mut memory = MnistActivations::new();
/// assert_eq!(*model.infer(&[0.5; 784], &mut memory), p);
/// assert_eq!(Mnist::INFER_RAM_BYTES, 4 * (128 + 128));
/// ```
///
/// `#[nn(int8)]` before the name also generates the network's int8 form,
/// `NameInt8` (TFLite's post-training int8 scheme, see [`quant`]), with its
/// `NameInt8Activations`: on the float model, `calibrate(samples)` observes
/// every activation's range and `quantize(&ranges)` (or `quantize_into`,
/// without an allocator) builds the int8 model, in which batch norms are
/// folded into the `Conv2d`/`Linear` before them and ReLUs fused into the
/// layer they follow. The int8 model has `infer` (int8 in, int8 out,
/// integers only), `quantize_input`, `dequantize_output`, `forward` and
/// `predict` (floats in), `MODEL_BYTES`, `INFER_RAM_BYTES`, and flash images
/// like any model. A batch norm with no `Conv2d`/`Linear` to fold into, or
/// unpooling, is a compile error at its layer.
///
/// ```
/// use nn::prelude::*;
/// network! {
///     #[nn(int8)]
///     pub Small = < Linear<4, 16>, BatchNorm1d<16>, ReLU, Linear<16, 3>, Softmax >
/// }
/// let model = Small::new_boxed(Init::HeNormal, 1);
/// let samples: Vec<[f32; 4]> = (0..64).map(|i| [i as f32 / 64.0, 0.5, -0.25, 1.0 - i as f32 / 32.0]).collect();
/// let int8 = model.quantize(&model.calibrate(&samples));
/// // Integers only: int8 in, int8 out, activations in int8 slots.
/// let mut memory = SmallInt8Activations::new();
/// let y = int8.infer(&int8.quantize_input(&samples[0]), &mut memory);
/// assert_eq!(int8.dequantize_output(y), int8.forward(&samples[0]));
/// for x in &samples {
///     let (f, q) = (model.forward(x), int8.forward(x));
///     assert!(f.iter().zip(&q).all(|(a, b)| (a - b).abs() < 0.05));
/// }
/// ```
pub use nn_macros::network;

/// Embeds a model's flash image (written by
/// [`Image::save_image`](nn_core::io::image::Image::save_image)) in the binary
/// and evaluates to a `&'static` model that *is* the embedded bytes: on a
/// microcontroller the parameters are read from flash where they lie, and
/// nothing is copied into RAM. The image is checked while compiling — a
/// damaged image, or one written for another architecture, stops the build
/// with the reason.
///
/// `include_model!(Type, "path")` takes the path as `include_bytes!` does
/// (relative to the invoking file, or `concat!(env!("OUT_DIR"), …)` for an
/// image a build script wrote).
///
/// ```
/// use nn::prelude::*;
/// network! { pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid > }
///
/// // Firmware embeds the image its build script wrote (`model.save_image(…)`):
/// // `nn::include_model!(Xor, concat!(env!("OUT_DIR"), "/xor.nni"))`.
/// static MODEL: &Xor = nn::include_model!(Xor, "../tests/fixtures/xor.nni");
/// assert!(MODEL.forward(&[1.0, 0.0])[0] > 0.5);
/// assert!(MODEL.forward(&[1.0, 1.0])[0] < 0.5);
/// ```
///
/// ```compile_fail,E0080
/// use nn::prelude::*;
/// network! { pub Wider = < Linear<2, 16>, Tanh, Linear<16, 1>, Sigmoid > }
/// // error: the image was written for another network architecture than `Wider`: …
/// static MODEL: &Wider = nn::include_model!(Wider, "../tests/fixtures/xor.nni");
/// ```
#[macro_export]
macro_rules! include_model {
    ($model:ty, $path:expr $(,)?) => {{
        // Checking a large image's CRC-32 takes rustc's const evaluator
        // longer than its default patience.
        #[allow(long_running_const_eval)]
        static MODEL: &$model = {
            static IMAGE: &$crate::io::image::Aligned<[u8]> =
                &$crate::io::image::Aligned(*::core::include_bytes!($path));
            let signature = $crate::io::weights::signature_hash(
                <$model as $crate::io::image::Image>::SIGNATURE,
            );
            match IMAGE.model::<$model>(signature) {
                ::core::result::Result::Ok(model) => model,
                ::core::result::Result::Err($crate::io::weights::FormatError::WrongNetwork {
                    ..
                }) => {
                    use $crate::__private::{SignaturePart::Text, signature_bytes, signature_len};
                    const PARTS: &[$crate::__private::SignaturePart] = &[
                        Text("the image was written for another network architecture than `"),
                        Text(::core::stringify!($model)),
                        Text("`: "),
                        Text(<$model as $crate::io::image::Image>::SIGNATURE),
                    ];
                    const MESSAGE: [u8; signature_len(PARTS)] = signature_bytes(PARTS);
                    ::core::panic!("{}", $crate::__private::signature_str(&MESSAGE))
                }
                ::core::result::Result::Err(error) => ::core::panic!("{}", error.summary()),
            }
        };
        MODEL
    }};
}

/// Everything a typical program uses, including the macro and the RNG traits.
///
/// ```
/// use nn::prelude::*;
/// let _rng = nn::rand::rngs::SmallRng::seed_from_u64(0);
/// ```
pub mod prelude {
    pub use crate::network;
    pub use nn_core::prelude::*;
    pub use nn_core::rng::TrainRng;
    pub use rand::{Rng, SeedableRng};
}

/// Paths the `network!` expansion uses. Not a public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "alloc")]
    pub use crate::mem::boxed_in_place;
    pub use crate::mem::{Plain, Zeroable, zero_in_place};
    #[cfg(feature = "alloc")]
    pub use alloc::boxed::Box;
    pub use nn_core::bytemuck;
    pub use nn_core::init::Init;
    pub use nn_core::io::image::Image;
    pub use nn_core::io::torch::TorchTensor;
    pub use nn_core::layer::{Context, Forward, Fusion, Layer, Mode};
    pub use nn_core::loss::Loss;
    pub use nn_core::metrics::argmax;
    #[cfg(feature = "std")]
    pub use nn_core::model::Checkpoint;
    pub use nn_core::model::{EvalError, Model, mean_over};
    pub use nn_core::optim::{Optimizer, Sgd};
    pub use nn_core::rng::TrainRng;
    pub use nn_core::summary::{LayerSummary, Summary};
    pub use nn_core::train::averaging::Parameters;
    pub use nn_core::train::regularize::{
        Regularization, perturb_weights, pull_toward, weight_noise_seed,
    };
    pub use nn_kernels::gemm::workspace_len;
    pub use nn_kernels::parallel::{Parallel, Serial};
    pub use nn_kernels::update::scale;
    pub use nn_shape as shape;
    pub use rand::{Rng, SeedableRng};

    /// Compiles only when `A` and `B` are one type: the expansion proves
    /// with it that each shape the macro worked out is the layer type's.
    pub const fn assert_same<A: Same<B>, B>() {}

    /// Implemented only for `(T, T)` pairs, through [`assert_same`].
    pub trait Same<T> {}
    impl<T> Same<T> for T {}

    /// A piece of a network's signature: text, or a size that the compiler
    /// evaluated (a named constant, a user layer's state length).
    pub enum SignaturePart {
        /// Printed as is.
        Text(&'static str),
        /// Printed in decimal.
        Num(usize),
    }

    const fn digits(mut n: usize) -> usize {
        let mut count = 1;
        while n >= 10 {
            n /= 10;
            count += 1;
        }
        count
    }

    /// Bytes of the signature `parts` print.
    pub const fn signature_len(parts: &[SignaturePart]) -> usize {
        let (mut len, mut i) = (0, 0);
        while i < parts.len() {
            len += match parts[i] {
                SignaturePart::Text(t) => t.len(),
                SignaturePart::Num(n) => digits(n),
            };
            i += 1;
        }
        len
    }

    /// The signature `parts` print, as `N` ([`signature_len`]) bytes.
    pub const fn signature_bytes<const N: usize>(parts: &[SignaturePart]) -> [u8; N] {
        let mut out = [0u8; N];
        let (mut at, mut i) = (0, 0);
        while i < parts.len() {
            match parts[i] {
                SignaturePart::Text(t) => {
                    let bytes = t.as_bytes();
                    let mut j = 0;
                    while j < bytes.len() {
                        out[at] = bytes[j];
                        at += 1;
                        j += 1;
                    }
                }
                SignaturePart::Num(n) => {
                    let width = digits(n);
                    let (mut rest, mut j) = (n, width);
                    while j > 0 {
                        j -= 1;
                        out[at + j] = b'0' + (rest % 10) as u8;
                        rest /= 10;
                    }
                    at += width;
                }
            }
            i += 1;
        }
        out
    }

    /// [`signature_bytes`] as text (always UTF-8: pieces of `&str` and digits).
    pub const fn signature_str(bytes: &[u8]) -> &str {
        match core::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => panic!("a signature is UTF-8"),
        }
    }

    /// Compiles only for zero-valid types (the generated model asserts its layers).
    pub const fn assert_zeroable<T: Zeroable>() {}

    /// The seed of training step `step`'s random stream.
    pub const fn step_seed(seed: u64, step: u64) -> u64 {
        seed ^ step.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// A sample (or batch) of any shape as its flat values.
    pub fn as_slice<T: nn_core::bytemuck::Pod>(x: &T) -> &[f32] {
        nn_core::bytemuck::cast_slice(core::slice::from_ref(x))
    }

    /// The largest of `lens`: the size of an activation slot that buffers
    /// of these lengths share.
    pub const fn largest(lens: &[usize]) -> usize {
        let (mut most, mut i) = (0, 0);
        while i < lens.len() {
            if lens[i] > most {
                most = lens[i];
            }
            i += 1;
        }
        most
    }

    /// The sample of shape `S` at the start of an activation slot.
    pub fn in_slot<S: nn_core::bytemuck::Pod, E: nn_core::bytemuck::Pod, const N: usize>(
        slot: &[E; N],
    ) -> &S {
        nn_core::bytemuck::from_bytes(&nn_core::bytemuck::bytes_of(slot)[..size_of::<S>()])
    }

    /// Mutable [`in_slot`].
    pub fn in_slot_mut<S: nn_core::bytemuck::Pod, E: nn_core::bytemuck::Pod, const N: usize>(
        slot: &mut [E; N],
    ) -> &mut S {
        nn_core::bytemuck::from_bytes_mut(
            &mut nn_core::bytemuck::bytes_of_mut(slot)[..size_of::<S>()],
        )
    }

    /// `y = a + b`, elementwise (a residual block's join over a batch).
    pub fn add_batches(a: &[f32], b: &[f32], y: &mut [f32]) {
        for ((y, a), b) in y.iter_mut().zip(a).zip(b) {
            *y = a + b;
        }
    }

    /// `y += x`, elementwise (a second gradient into one buffer).
    pub fn add_assign(y: &mut [f32], x: &[f32]) {
        for (y, x) in y.iter_mut().zip(x) {
            *y += x;
        }
    }

    /// Mutable [`as_slice`].
    pub fn as_slice_mut<T: nn_core::bytemuck::Pod>(x: &mut T) -> &mut [f32] {
        nn_core::bytemuck::cast_slice_mut(core::slice::from_mut(x))
    }

    /// A sample of any shape as the vector of its `N` values (what losses read).
    pub fn as_vector<S: nn_core::layer::Shape, const N: usize>(x: &S) -> &[f32; N] {
        const { assert!(S::LEN == N) };
        nn_core::bytemuck::cast_ref(x)
    }

    /// Mutable [`as_vector`].
    pub fn as_vector_mut<S: nn_core::layer::Shape, const N: usize>(x: &mut S) -> &mut [f32; N] {
        const { assert!(S::LEN == N) };
        nn_core::bytemuck::cast_mut(x)
    }

    pub use crate::__with_alloc as with_alloc;
    pub use crate::__with_std as with_std;
}

/// Emits its input only when the `alloc` feature is on (for `new_boxed`).
#[cfg(feature = "alloc")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_alloc {
    ($($item:tt)*) => { $($item)* };
}

/// Emits its input only when the `alloc` feature is on (for `new_boxed`).
#[cfg(not(feature = "alloc"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_alloc {
    ($($item:tt)*) => {};
}

/// Emits its input only when the `std` feature is on (for file I/O).
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_std {
    ($($item:tt)*) => { $($item)* };
}

/// Emits its input only when the `std` feature is on (for file I/O).
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_std {
    ($($item:tt)*) => {};
}

/// The README's Rust examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
