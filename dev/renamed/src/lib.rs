//! A crate that depends on nn under another name (`neural`): no `::nn`
//! exists here, so the expansion must name the crate as
//! `#[nn(crate = neural)]` says.
use neural::prelude::*;

network! {
    #[nn(crate = neural)]
    /// XOR, from a crate that calls nn `neural`.
    pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid >
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_crate_trains_and_round_trips() {
        let mut t = XorTrainer::<Sgd, 4>::new_boxed(Init::XavierNormal, Sgd::new(1.0), 7);
        let x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
        let y = [[0.0], [1.0], [1.0], [0.0]];
        let first = t.train_step(&x, &y, &Bce);
        for _ in 0..2000 {
            t.train_step(&x, &y, &Bce);
        }
        assert!(t.eval_loss(&x, &y, &Bce) < first / 10.0);
        let mut bytes = [0u8; Xor::WEIGHTS_BYTES];
        t.model.save_to(&mut bytes).unwrap();
        let mut copy = t.model.clone();
        copy.reset(Init::HeNormal, &mut neural::rng::TrainRng::seed_from_u64(1));
        copy.load_from(&bytes).unwrap();
        assert_eq!(copy, t.model);
    }
}
