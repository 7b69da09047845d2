//! What every `network!` model and trainer can do whatever its layers:
//! weights files, safetensors, the flat parameter vector, checkpoints. The
//! generated types implement the few required items (their tensors, their
//! layout); everything here is written once, as provided methods.
//!
//! ```
//! use nn_core::model::Model;
//! use nn_core::io::torch::TorchTensor;
//!
//! /// A hand-written "network": one tensor of three values.
//! struct Three([f32; 3]);
//!
//! impl Model for Three {
//!     type Input = [f32; 1];
//!     type Output = [f32; 3];
//!     fn run(&self, x: &[f32; 1]) -> [f32; 3] {
//!         self.0.map(|w| w * x[0])
//!     }
//!     fn reset<R: rand::Rng + ?Sized>(&mut self, _: nn_core::init::Init, _: &mut R) {
//!         self.0 = [0.0; 3];
//!     }
//!     const SIGNATURE: &'static str = "three";
//!     const NUM_PARAMS: usize = 3;
//!     const STATE_LEN: usize = 3;
//!     const TORCH: &'static [(&'static str, &'static [TorchTensor])] =
//!         &[("0", &[TorchTensor::new("weight", 0, &[3])])];
//!     fn param_tensors(&self) -> impl AsRef<[&[f32]]> {
//!         [&self.0[..]]
//!     }
//!     fn param_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
//!         [&mut self.0[..]]
//!     }
//!     fn state_tensors(&self) -> impl AsRef<[&[f32]]> {
//!         self.param_tensors()
//!     }
//!     fn state_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
//!         self.param_tensors_mut()
//!     }
//! }
//!
//! let mut bytes = [0u8; 64];
//! let len = Three([1.0, 2.0, 3.0]).save_to(&mut bytes).unwrap();
//! let mut back = Three([0.0; 3]);
//! back.load_from(&bytes[..len]).unwrap();
//! assert_eq!(back.0, [1.0, 2.0, 3.0]);
//! ```
use crate::init::Init;
use crate::io::torch::TorchTensor;
use crate::io::weights::{self, FormatError, NonFinite};
use crate::layer::Shape;
use crate::mem::Zeroable;
use core::mem::MaybeUninit;

/// [`Model::predict`]'s rule: the largest output's index, or for a single
/// output whether it is above `threshold`.
///
/// ```
/// assert_eq!(nn_core::model::decide(&[0.1, 0.7, 0.2], 0.0), 1);
/// assert_eq!(nn_core::model::decide(&[0.7], 0.5), 1);
/// assert_eq!(nn_core::model::decide(&[-0.2], 0.0), 0);
/// ```
pub fn decide<T: PartialOrd + Copy>(outputs: &[T], threshold: T) -> usize {
    match outputs {
        [single] => usize::from(*single > threshold),
        _ => crate::metrics::argmax(outputs),
    }
}

/// Why an evaluation over a data set was refused.
///
/// ```
/// let e = nn_core::model::EvalError::Lengths { samples: 67, targets: 66 };
/// assert_eq!(e.to_string(), "67 samples but 66 targets");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The samples and their targets (or output slots) differ in number.
    Lengths {
        /// Samples given.
        samples: usize,
        /// Targets (or slots) given.
        targets: usize,
    },
    /// There are no samples: a mean of nothing.
    Empty,
}

impl EvalError {
    /// `Ok` for one target per sample and at least one sample.
    pub(crate) fn check(samples: usize, targets: usize) -> Result<(), EvalError> {
        match (samples, targets) {
            (s, t) if s != t => Err(EvalError::Lengths {
                samples: s,
                targets: t,
            }),
            (0, _) => Err(EvalError::Empty),
            _ => Ok(()),
        }
    }
}

impl core::fmt::Display for EvalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EvalError::Lengths { samples, targets } => {
                write!(f, "{samples} samples but {targets} targets")
            }
            EvalError::Empty => f.write_str("no samples to evaluate"),
        }
    }
}

impl core::error::Error for EvalError {}

/// The mean of `f(sample, target)` over a data set of any length (in f64):
/// what `network!`'s `mean_loss` computes with each sample's loss.
///
/// # Errors
/// [`EvalError::Lengths`] if `targets` is not one per sample,
/// [`EvalError::Empty`] if there are none.
///
/// ```
/// let mean = nn_core::model::mean_over(&[1.0f32, 2.0], &[3.0f32, 5.0], |x, t| x * t);
/// assert_eq!(mean, Ok(6.5));
/// ```
pub fn mean_over<X, T>(
    samples: &[X],
    targets: &[T],
    mut f: impl FnMut(&X, &T) -> f32,
) -> Result<f32, EvalError> {
    EvalError::check(samples.len(), targets.len())?;
    let total: f64 = samples
        .iter()
        .zip(targets)
        .map(|(x, t)| f(x, t) as f64)
        .sum();
    Ok((total / samples.len() as f64) as f32)
}

/// A model: fixed tensors of parameters (and persisted statistics) with an
/// architecture signature, mapping one `Input` sample to one `Output`.
pub trait Model: Sized {
    /// One input sample.
    type Input: Shape;
    /// One output sample.
    type Output: Shape;
    /// The architecture as weights files identify it: the input shape and
    /// every layer's full type and settings.
    const SIGNATURE: &'static str;
    /// Number of trainable parameters.
    const NUM_PARAMS: usize;
    /// Values a weights file holds: the parameters and persisted statistics.
    const STATE_LEN: usize;
    /// Each stateful layer's PyTorch module path (`"3"`, `"3.main.0"`) and
    /// layout, in [`Model::state_tensors`] order.
    const TORCH: &'static [(&'static str, &'static [TorchTensor])];
    /// Size of the weights file ([`Model::save_to`]).
    const WEIGHTS_BYTES: usize = weights::encoded_len(Self::SIGNATURE, Self::STATE_LEN);

    /// Runs one sample through the model in evaluation mode (a network's
    /// own `forward`).
    fn run(&self, x: &Self::Input) -> Self::Output;

    /// Restores the layer settings declared in `network!` (dropout rates,
    /// slopes, normalization statistics) and redraws every parameter with
    /// `init` (biases zero).
    fn reset<R: rand::Rng + ?Sized>(&mut self, init: Init, rng: &mut R);

    /// The parameters of each layer that has any, in layer order.
    fn param_tensors(&self) -> impl AsRef<[&[f32]]>;
    /// Mutable [`Model::param_tensors`].
    fn param_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]>;
    /// What each stateful layer persists, in layer order.
    fn state_tensors(&self) -> impl AsRef<[&[f32]]>;
    /// Mutable [`Model::state_tensors`].
    fn state_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]>;

    /// The decision threshold of a one-output network's [`Model::predict`]:
    /// 0.5 after a final `Sigmoid` (the output is a probability), 0 on a raw
    /// logit or score. `network!` sets it from the last layer.
    const THRESHOLD: f32 = 0.0;

    /// The predicted class of one sample: the index of the largest output,
    /// or for a one-output (binary) network 1 when the output is above
    /// [`Model::THRESHOLD`] and 0 otherwise.
    fn predict(&self, x: &Self::Input) -> usize {
        let y = self.run(x);
        decide(
            bytemuck::cast_slice::<_, f32>(core::slice::from_ref(&y)),
            Self::THRESHOLD,
        )
    }

    /// The predicted class of every sample of `x`, of any number, into
    /// `classes` (one slot per sample): [`Model::predict`] row by row, no
    /// allocation.
    ///
    /// # Errors
    /// [`EvalError::Lengths`] if `classes` is not one slot per sample.
    fn predict_all(&self, x: &[Self::Input], classes: &mut [usize]) -> Result<(), EvalError> {
        if x.len() != classes.len() {
            return Err(EvalError::Lengths {
                samples: x.len(),
                targets: classes.len(),
            });
        }
        classes
            .iter_mut()
            .zip(x)
            .for_each(|(c, x)| *c = self.predict(x));
        Ok(())
    }

    /// The share of the samples of `x` (any number) whose predicted class is
    /// their label.
    ///
    /// # Errors
    /// [`EvalError::Lengths`] if `labels` is not one per sample,
    /// [`EvalError::Empty`] if there are none.
    fn accuracy(&self, x: &[Self::Input], labels: &[usize]) -> Result<f64, EvalError> {
        EvalError::check(x.len(), labels.len())?;
        let right = x
            .iter()
            .zip(labels)
            .filter(|(x, l)| self.predict(x) == **l)
            .count();
        Ok(right as f64 / x.len() as f64)
    }

    /// Builds the model in `slot` without a stack temporary: zeroes it
    /// (writing every byte once), then [`Model::reset`]s it with a
    /// [`TrainRng`](crate::rng::TrainRng) seeded with `seed` — the weights a
    /// trainer built with the same `init` and `seed` starts from. (For
    /// another generator, call [`Model::reset`].)
    fn init_in_place(slot: &mut MaybeUninit<Self>, init: Init, seed: u64) -> &mut Self
    where
        Self: Zeroable,
    {
        let this = crate::mem::zero_in_place(slot);
        this.reset(
            init,
            &mut <crate::rng::TrainRng as rand::SeedableRng>::seed_from_u64(seed),
        );
        this
    }

    /// Allocates and initializes a model on the heap (built in place, as
    /// [`Model::init_in_place`]): `Model::new_boxed(init, seed)`, the same
    /// convention as a trainer's `new_boxed(init, optimizer, seed)`.
    #[cfg(feature = "alloc")]
    fn new_boxed(init: Init, seed: u64) -> alloc::boxed::Box<Self>
    where
        Self: Zeroable,
    {
        crate::mem::boxed_in_place(|slot| Self::init_in_place(slot, init, seed))
    }

    /// A model with its layers' settings (slopes, dropout rates, …) and
    /// every weight zero ([`Init::Zeros`]), on the heap: the blank to load
    /// weights into ([`Model::load_from`], `load_safetensors`), with no
    /// initializer or generator to choose.
    #[cfg(feature = "alloc")]
    fn blank_boxed() -> alloc::boxed::Box<Self>
    where
        Self: Zeroable,
    {
        Self::new_boxed(Init::Zeros, 0)
    }

    /// Writes the weights ([`crate::io::weights`] format,
    /// [`Model::WEIGHTS_BYTES`] long) to the start of `out`, without
    /// allocating; returns the bytes written.
    ///
    /// # Errors
    /// If `out` is shorter than [`Model::WEIGHTS_BYTES`].
    fn save_to(&self, out: &mut [u8]) -> Result<usize, FormatError> {
        weights::write(out, Self::SIGNATURE, self.state_tensors().as_ref())
    }

    /// Loads weights written by [`Model::save_to`] (for example
    /// `include_bytes!` in firmware), refusing NaN and infinite values. On
    /// error the model is unchanged.
    ///
    /// # Errors
    /// A typed [`FormatError`] for truncated, oversized, damaged or foreign
    /// bytes, or bytes saved by another network.
    fn load_from(&mut self, bytes: &[u8]) -> Result<(), FormatError> {
        self.load_from_with(bytes, NonFinite::Refuse)
    }

    /// [`Model::load_from`], choosing whether non-finite values are accepted.
    ///
    /// # Errors
    /// As [`Model::load_from`].
    fn load_from_with(&mut self, bytes: &[u8], non_finite: NonFinite) -> Result<(), FormatError> {
        weights::read_into(
            bytes,
            Self::SIGNATURE,
            self.state_tensors_mut().as_mut(),
            non_finite,
        )
    }

    /// Copies every parameter, in [`Model::param_tensors`] order, into
    /// `theta` (the flat vector that gradient checks and second-order
    /// methods use).
    ///
    /// # Panics
    /// If `theta.len()` is not [`Model::NUM_PARAMS`].
    fn params_to_slice(&self, theta: &mut [f32]) {
        assert_eq!(theta.len(), Self::NUM_PARAMS, "one value per parameter");
        let mut rest = theta;
        for tensor in self.param_tensors().as_ref() {
            let (head, tail) = rest.split_at_mut(tensor.len());
            head.copy_from_slice(tensor);
            rest = tail;
        }
    }

    /// Sets every parameter from `theta`, in [`Model::param_tensors`] order.
    ///
    /// # Panics
    /// If `theta.len()` is not [`Model::NUM_PARAMS`].
    fn params_from_slice(&mut self, theta: &[f32]) {
        assert_eq!(theta.len(), Self::NUM_PARAMS, "one value per parameter");
        let mut rest = theta;
        for tensor in self.param_tensors_mut().as_mut() {
            let (head, tail) = rest.split_at(tensor.len());
            tensor.copy_from_slice(head);
            rest = tail;
        }
    }

    /// Saves the weights to `path` atomically: a failed save leaves the
    /// previous file intact.
    ///
    /// # Errors
    /// Any I/O error.
    #[cfg(feature = "std")]
    fn save(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        weights::save_file(path, Self::SIGNATURE, self.state_tensors().as_ref())
    }

    /// Loads weights saved by [`Model::save`]; on error the model is unchanged.
    ///
    /// # Errors
    /// [`weights::LoadError`]: I/O, or the contents refused.
    #[cfg(feature = "std")]
    fn load(&mut self, path: impl AsRef<std::path::Path>) -> Result<(), weights::LoadError> {
        weights::load_file(
            path,
            Self::SIGNATURE,
            self.state_tensors_mut().as_mut(),
            NonFinite::Refuse,
        )
    }

    /// A new model holding the weights saved in `path` by [`Model::save`]:
    /// [`Model::blank_boxed`] then [`Model::load`].
    ///
    /// # Errors
    /// As [`Model::load`].
    #[cfg(feature = "std")]
    fn load_boxed(
        path: impl AsRef<std::path::Path>,
    ) -> Result<alloc::boxed::Box<Self>, weights::LoadError>
    where
        Self: Zeroable,
    {
        let mut model = Self::blank_boxed();
        model.load(path)?;
        Ok(model)
    }

    /// The weights as a safetensors file with PyTorch's names and layouts:
    /// an unnamed layer `i`'s tensors are `"{i}.weight"`, `"{i}.bias"`, … as
    /// in an `nn.Sequential` of the same layers, and a layer named in
    /// `network!` (`fc1: Linear<…>`) is `"fc1.weight"`, as a module attribute.
    ///
    /// # Errors
    /// If the safetensors writer refuses the data.
    #[cfg(feature = "safetensors")]
    fn to_safetensors(
        &self,
    ) -> Result<std::vec::Vec<u8>, crate::io::safetensors::SafetensorsError> {
        use crate::io::safetensors::{Tensors, to_bytes};
        let state = self.state_tensors();
        let layers: std::vec::Vec<Tensors> = Self::TORCH
            .iter()
            .zip(state.as_ref())
            .map(|(&(prefix, torch), state)| Tensors {
                prefix,
                state,
                torch,
            })
            .collect();
        to_bytes(&layers)
    }

    /// Loads a safetensors file with PyTorch's names and layouts (e.g.
    /// `safetensors.torch.save_file(model.state_dict(), path)` of the
    /// same-shaped PyTorch model), refusing NaN and infinite values; on
    /// error the model is unchanged.
    ///
    /// # Errors
    /// A missing, extra, misshapen, non-float32 or non-finite tensor, or an
    /// invalid file, as a typed error.
    #[cfg(feature = "safetensors")]
    #[allow(clippy::wrong_self_convention)] // reads *from* a file into `self`, as the name says
    fn from_safetensors(
        &mut self,
        bytes: &[u8],
    ) -> Result<(), crate::io::safetensors::SafetensorsError> {
        use crate::io::safetensors::{TensorsMut, read_into};
        let mut state = self.state_tensors_mut();
        let mut layers: std::vec::Vec<TensorsMut> = Self::TORCH
            .iter()
            .zip(state.as_mut().iter_mut())
            .map(|(&(prefix, torch), state)| TensorsMut {
                prefix,
                state,
                torch,
            })
            .collect();
        read_into(bytes, &mut layers, NonFinite::Refuse)
    }

    /// Saves [`Model::to_safetensors`] to `path` atomically.
    ///
    /// # Errors
    /// Any I/O error (the previous file is then intact).
    #[cfg(feature = "safetensors")]
    fn save_safetensors(
        &self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<(), crate::io::safetensors::SafetensorsError> {
        use crate::io::safetensors::SafetensorsError;
        let (bytes, path) = (self.to_safetensors()?, path.as_ref());
        crate::io::atomic::write(path, &bytes).map_err(SafetensorsError::io(path))
    }

    /// Reads `path` and loads it with [`Model::from_safetensors`].
    ///
    /// # Errors
    /// I/O errors, and every error of [`Model::from_safetensors`].
    #[cfg(feature = "safetensors")]
    fn load_safetensors(
        &mut self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<(), crate::io::safetensors::SafetensorsError> {
        use crate::io::safetensors::SafetensorsError;
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(SafetensorsError::io(path))?;
        self.from_safetensors(&bytes)
    }
}

/// A trainer that can checkpoint: everything needed to resume training
/// bit-identically (`std`).
#[cfg(feature = "std")]
pub trait Checkpoint {
    /// The model it trains.
    type Model: Model;
    /// Identifies checkpoints of this network trained with this optimizer type.
    fn checkpoint_signature() -> u64;
    /// The model being trained.
    fn trained(&self) -> &Self::Model;
    /// The seed and the number of steps taken.
    fn seed_and_step(&self) -> (u64, u64);
    /// Each optimizer state, as bytes.
    fn optimizer_bytes(&self) -> impl AsRef<[&[u8]]>;
    /// What [`Checkpoint::restore`] writes: the model's state, the optimizer
    /// states, the seed and the step counter.
    #[allow(clippy::type_complexity)]
    fn restore_targets(
        &mut self,
    ) -> (
        impl AsMut<[&mut [f32]]>,
        impl AsMut<[&mut [u8]]>,
        &mut u64,
        &mut u64,
    );

    /// Everything needed to resume training bit-identically: the model's
    /// state, every optimizer state, the seed and step counter, and the
    /// caller's `epoch`. (The optimizer's own settings, such as a scheduled
    /// learning rate, are the caller's to restore.)
    fn checkpoint(&self, epoch: u64) -> std::vec::Vec<u8> {
        let (seed, step) = self.seed_and_step();
        let progress = crate::io::checkpoint::Progress { epoch, step };
        let state = self.trained().state_tensors();
        let optimizer = self.optimizer_bytes();
        crate::io::checkpoint::encode(
            Self::checkpoint_signature(),
            seed,
            progress,
            state.as_ref(),
            optimizer.as_ref(),
        )
    }

    /// Restores a [`Checkpoint::checkpoint`]; returns its progress. On
    /// error nothing changes.
    ///
    /// # Errors
    /// A typed [`FormatError`], including a checkpoint of another network
    /// or optimizer type.
    fn restore(&mut self, bytes: &[u8]) -> Result<crate::io::checkpoint::Progress, FormatError> {
        let signature = Self::checkpoint_signature();
        // `decode` checks everything before writing, so it can write in
        // place: no copy of the model (which may be megabytes) on the stack.
        let (mut state, mut optimizer, seed, step) = self.restore_targets();
        let (found_seed, progress) =
            crate::io::checkpoint::decode(bytes, signature, state.as_mut(), optimizer.as_mut())?;
        *seed = found_seed;
        *step = progress.step;
        Ok(progress)
    }

    /// Saves [`Checkpoint::checkpoint`] to `path` atomically.
    ///
    /// # Errors
    /// Any I/O error (the previous file is then intact).
    fn save_checkpoint(
        &self,
        path: impl AsRef<std::path::Path>,
        epoch: u64,
    ) -> std::io::Result<()> {
        crate::io::atomic::write(path, &self.checkpoint(epoch))
    }

    /// Reads `path` and [`Checkpoint::restore`]s it.
    ///
    /// # Errors
    /// [`weights::LoadError`]: I/O, or the contents refused.
    fn load_checkpoint(
        &mut self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<crate::io::checkpoint::Progress, weights::LoadError> {
        let bytes = weights::read_file(path.as_ref())?;
        self.restore(&bytes).map_err(weights::LoadError::Format)
    }
}
