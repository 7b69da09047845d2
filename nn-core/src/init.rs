//! Weight initialization schemes (Glorot/Xavier and He/Kaiming, and zeros), drawn with
//! `rand_distr` from a seedable RNG: the same seed gives bit-identical weights.
//!
//! ```
//! use nn_core::init::Init;
//! use rand::SeedableRng;
//! let mut w = [0.0f32; 6];
//! Init::XavierUniform.fill(&mut w, 3, 2, &mut nn_core::rng::TrainRng::seed_from_u64(1));
//! let bound = (6.0f32 / 5.0).sqrt();
//! assert!(w.iter().all(|v| v.abs() <= bound));
//! ```
use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};

/// How to draw a dense layer's initial weights (biases start at zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Glorot uniform: `U(-a, a)`, `a = √(6 / (fan_in + fan_out))`. Suits tanh/sigmoid.
    XavierUniform,
    /// Glorot normal: `N(0, 2 / (fan_in + fan_out))`.
    XavierNormal,
    /// He uniform: `U(-a, a)`, `a = √(6 / fan_in)`. Suits ReLU.
    HeUniform,
    /// He normal: `N(0, 2 / fan_in)`.
    HeNormal,
    /// Every weight zero (PyTorch's `nn.init.zeros_`), drawing nothing: the
    /// blank a model is built as before weights are loaded into it. Not a
    /// training start — every unit of a layer would stay identical.
    Zeros,
}

impl Init {
    /// Fills `w` for a layer with `fan_in` inputs and `fan_out` outputs.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// let draw = |seed| {
    ///     let mut w = [0.0f32; 4];
    ///     nn_core::init::Init::HeNormal.fill(&mut w, 2, 2, &mut nn_core::rng::TrainRng::seed_from_u64(seed));
    ///     w
    /// };
    /// assert_eq!(draw(7), draw(7));
    /// ```
    pub fn fill<R: Rng + ?Sized>(self, w: &mut [f32], fan_in: usize, fan_out: usize, rng: &mut R) {
        let (fan_in, fan_sum) = (fan_in.max(1) as f32, (fan_in + fan_out).max(1) as f32);
        match self {
            Init::XavierUniform => uniform(w, nn_kernels::math::sqrt(6.0 / fan_sum), rng),
            Init::HeUniform => uniform(w, nn_kernels::math::sqrt(6.0 / fan_in), rng),
            Init::XavierNormal => normal(w, nn_kernels::math::sqrt(2.0 / fan_sum), rng),
            Init::HeNormal => normal(w, nn_kernels::math::sqrt(2.0 / fan_in), rng),
            Init::Zeros => w.fill(0.0),
        }
    }
}

fn uniform<R: Rng + ?Sized>(w: &mut [f32], bound: f32, rng: &mut R) {
    let dist = Uniform::new_inclusive(-bound, bound).expect("finite bound");
    w.iter_mut().for_each(|v| *v = dist.sample(rng));
}

fn normal<R: Rng + ?Sized>(w: &mut [f32], std_dev: f32, rng: &mut R) {
    let dist = Normal::new(0.0, std_dev).expect("finite, non-negative std");
    w.iter_mut().for_each(|v| *v = dist.sample(rng));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::vec;

    fn moments(init: Init, fan_in: usize, fan_out: usize) -> (f64, f64) {
        let mut w = vec![0.0f32; 200_000];
        init.fill(
            &mut w,
            fan_in,
            fan_out,
            &mut crate::rng::TrainRng::seed_from_u64(3),
        );
        let n = w.len() as f64;
        let mean = w.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = w.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        (mean, var)
    }

    #[test]
    fn variances_match_the_textbook_formulas() {
        let (fi, fo) = (100, 50);
        for (init, var) in [
            (Init::XavierUniform, 2.0 / 150.0),
            (Init::XavierNormal, 2.0 / 150.0),
            (Init::HeUniform, 2.0 / 100.0),
            (Init::HeNormal, 2.0 / 100.0),
        ] {
            let (m, v) = moments(init, fi, fo);
            assert!(m.abs() < 1e-3, "{init:?} mean {m}");
            assert!(
                (v / var - 1.0).abs() < 0.02,
                "{init:?} var {v} expected {var}"
            );
        }
    }
}
