//! Momentum methods: one state vector per tensor, in PyTorch's convention or
//! the course notes' velocity form.
use super::Optimizer;
use nn_kernels::update::MomentumStep;

/// Where the learning rate enters a momentum update. The two forms take the
/// same steps while the rate is constant; under a schedule they differ,
/// because the velocity form folds each step's rate into the velocity while
/// PyTorch's applies the current rate to the whole accumulated buffer.
///
/// ```
/// use nn_core::optim::{Momentum, MomentumForm, Optimizer};
/// let velocity = Momentum { form: MomentumForm::Velocity, ..Momentum::new(0.5) };
/// let (mut p, mut v) = ([1.0], [0.0]);
/// velocity.update::<1>(&mut p, &[2.0], &mut v);
/// assert_eq!((p, v), ([0.0], [-1.0])); // v holds −α∇
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MomentumForm {
    /// PyTorch's `SGD(momentum=β)` (dampening 0): `b ← βb + ∇`,
    /// `θ ← θ − α b`; with Nesterov, `θ ← θ − α (∇ + βb)`. The state is `b`.
    #[default]
    PyTorch,
    /// The velocity form of the course notes (Sutskever et al.):
    /// `v ← βv − α∇`, `θ ← θ + v`; with Nesterov, `θ ← θ + βv − α∇`. The
    /// state is `v`.
    Velocity,
}

/// Heavy-ball momentum (β defaults to 0.9), or with `nesterov`, Nesterov's
/// accelerated gradient in the look-ahead form that needs only the gradient
/// at the stored parameters (the stored `θ` is the look-ahead point `θ + βv`
/// of the textbook form `v ← βv − α∇f(θ + βv)`, `θ ← θ + v`). The update
/// follows PyTorch's `SGD` by default, so a PyTorch run with a schedule
/// reproduces; [`MomentumForm`] gives both formulas.
///
/// ```
/// use nn_core::optim::{Momentum, Optimizer};
/// let (mut p, mut b) = ([1.0], [0.0]);
/// Momentum::new(0.5).update::<1>(&mut p, &[2.0], &mut b);
/// assert_eq!((p, b), ([0.0], [2.0])); // b accumulates gradients
///
/// let (mut p, mut b) = ([1.0], [0.0]);
/// Momentum::nesterov(0.5).update::<1>(&mut p, &[2.0], &mut b);
/// assert!((p[0] - (1.0 - 0.5 * (2.0 + 0.9 * 2.0))).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Momentum {
    /// Learning rate `α`.
    pub lr: f32,
    /// Momentum `β`.
    pub beta: f32,
    /// Nesterov's look-ahead update instead of the heavy ball.
    pub nesterov: bool,
    /// Where `α` enters the update.
    pub form: MomentumForm,
}

impl Momentum {
    /// Heavy-ball momentum with learning rate `lr`, `β = 0.9`, PyTorch's form.
    ///
    /// ```
    /// assert_eq!(nn_core::optim::Momentum::new(0.1).beta, 0.9);
    /// ```
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            beta: 0.9,
            nesterov: false,
            form: MomentumForm::PyTorch,
        }
    }

    /// Nesterov momentum with learning rate `lr`, `β = 0.9`, PyTorch's form.
    ///
    /// ```
    /// assert!(nn_core::optim::Momentum::nesterov(0.1).nesterov);
    /// ```
    pub const fn nesterov(lr: f32) -> Self {
        Self {
            nesterov: true,
            ..Self::new(lr)
        }
    }
}

impl Optimizer for Momentum {
    type State<const N: usize> = [f32; N];

    fn update<const N: usize>(&self, params: &mut [f32], grads: &[f32], state: &mut [f32; N]) {
        let (c_in, c_out) = match self.form {
            MomentumForm::PyTorch => (1.0, -self.lr),
            MomentumForm::Velocity => (-self.lr, 1.0),
        };
        let step = MomentumStep {
            c_in,
            c_out,
            beta: self.beta,
            nesterov: self.nesterov,
        };
        nn_kernels::update::momentum(&step, grads, state, params);
    }

    fn lr(&self) -> f32 {
        self.lr
    }

    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
}
