//! Weights files and flash images: every layer kind round-trips bit-exactly
//! (including batch norm's running statistics and layer settings), foreign
//! and damaged files are refused with typed errors, and saving is atomic.
use nn::io::image;
use nn::io::weights::{FormatError, LoadError};
use nn::prelude::*;
use nn::rng::TrainRng;

network! {
    /// Every dense-side layer kind.
    Dense = <
        Input<12>, Linear<12, 16>, BatchNorm1d<16>, LeakyReLU<0.1>, GaussianNoise<0.1>,
        Linear<16, 16>, PReLU<16>, Dropout<0.2>, Linear<16, 12>, ELU, Maxout<2>,
        Linear<6, 6>, HardTanh, Softplus, Identity, Linear<6, 4>, Tanh, Sigmoid, ReLU, Softmax,
    >
}

network! {
    /// Every convolutional layer kind.
    Convolutional = <
        Input<1, 8, 8>,
        Conv2d<1, 4, 3, 1, 1>, BatchNorm2d<4>, ReLU, MaxPool2d<2>,
        Residual<DepthwiseConv2d<4, 3, padding = same>, ReLU6>, MaxUnpool2d<2>,
        ConvTranspose2d<4, 2, 2, 2>, AvgPool2d<2>,
        Flatten, Reshape<2, 64>, Conv1d<2, 3, 3, 1, 1>, Flatten, Linear<192, 5>, Softmax,
    >
}

network! {
    /// A regression that standardizes its own raw inputs.
    Scaled = < scale: Standardizer<3>, Linear<3, 1> >
}

/// Trains a few steps (so batch norm's statistics move), saves, loads into
/// a differently initialized model and compares outputs bit for bit.
macro_rules! round_trip {
    ($net:ident, $trainer:ident, $in:ty) => {{
        let mut rng = TrainRng::seed_from_u64(1);
        let mut x: [$in; 8] = nn::bytemuck::Zeroable::zeroed();
        for v in nn::bytemuck::cast_slice_mut::<_, f32>(&mut x) {
            *v = rng.random_range(-1.0..1.0);
        }
        let labels: [usize; 8] = std::array::from_fn(|i| i % 4);
        let mut t = $trainer::<Adam, 8>::new_boxed(Init::HeNormal, Adam::new(1e-2), 2);
        for _ in 0..5 {
            t.train_step(&x, &labels, &CrossEntropy);
        }
        let mut bytes = vec![0u8; $net::WEIGHTS_BYTES];
        assert_eq!(t.model.save_to(&mut bytes), Ok($net::WEIGHTS_BYTES));
        let mut loaded = $net::new_boxed(Init::HeNormal, 99);
        assert_ne!(*loaded, t.model);
        loaded.load_from(&bytes).unwrap();
        assert_eq!(*loaded, t.model, "every parameter and statistic restored");
        // The flash image: the model itself, viewed in place.
        let mut words = vec![0u32; image::encoded_len::<$net>().div_ceil(4)];
        let image: &mut [u8] = nn::bytemuck::cast_slice_mut(&mut words);
        let image = &mut image[..image::encoded_len::<$net>()];
        t.model.save_image_to(image).unwrap();
        let in_place = $net::from_image(image).unwrap();
        assert_eq!(in_place, &t.model, "the image is the model");
        assert!(std::ptr::eq(
            (in_place as *const $net).cast::<u8>(),
            image[image::HEADER_LEN..].as_ptr()
        ));
        for x in &x {
            let y = t.model.forward(x);
            for other in [loaded.forward(x), in_place.forward(x)] {
                assert_eq!(y.map(f32::to_bits), other.map(f32::to_bits));
            }
        }
    }};
}

#[test]
fn every_layer_kind_round_trips_bit_exactly() {
    round_trip!(Dense, DenseTrainer, [f32; 12]);
    round_trip!(Convolutional, ConvolutionalTrainer, [[[f32; 8]; 8]; 1]);
    assert!(
        Dense::SIGNATURE.starts_with("[f32;12]|Linear<12,16>|BatchNorm1d<16>"),
        "{}",
        Dense::SIGNATURE
    );
    // Batch norm's running statistics are part of the file.
    assert_eq!(Dense::STATE_LEN, Dense::NUM_PARAMS + 2 * 16);
}

#[test]
fn models_are_built_from_a_seed_or_from_a_file_alone() {
    let t = DenseTrainer::<Adam, 8>::new_boxed(Init::HeNormal, Adam::new(1e-2), 5);
    // One convention (`init`, then `seed`) and the same starting weights.
    assert_eq!(*Dense::new_boxed(Init::HeNormal, 5), t.model);
    assert_ne!(*Dense::new_boxed(Init::HeNormal, 6), t.model);
    let blank = Dense::blank_boxed();
    let linear = &blank.linear0;
    assert!(
        linear
            .weight
            .iter()
            .flatten()
            .chain(&linear.bias)
            .all(|&v| v == 0.0)
    );
    assert_eq!(
        blank.leakyrelu2.slope, 0.1,
        "the layers' settings are in place"
    );
    let path = std::env::temp_dir().join(format!("nn-load-boxed-{}.nnw", std::process::id()));
    t.model.save(&path).unwrap();
    assert_eq!(
        *Dense::load_boxed(&path).unwrap(),
        t.model,
        "no initializer, no generator"
    );
    std::fs::remove_file(&path).unwrap();
    let err = Dense::load_boxed(&path).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }), "{err}");
}

#[test]
fn a_fitted_standardizer_trains_saves_and_loads_with_the_model() {
    // Raw features on scales 10⁴ apart: the model standardizes them itself.
    let x: [[f32; 3]; 64] = std::array::from_fn(|i| {
        let t = i as f32;
        [100.0 + 3.0 * t, -0.01 * (t - 32.0), 5.0]
    });
    let y: [f32; 64] = std::array::from_fn(|i| 0.02 * x[i][0] - 40.0 * x[i][1] - 3.0);
    let mut t = ScaledTrainer::<Sgd, 64>::new_boxed(Init::XavierUniform, Sgd::new(0.1), 1);
    t.model.scale = Standardizer::fit(&x);
    let fitted = t.model.scale;
    let first = t.train_step(&x, &y, &Mse);
    let last = (0..300).map(|_| t.train_step(&x, &y, &Mse)).last().unwrap();
    assert!(last < 1e-4 * first, "loss {first} -> {last}");
    assert_eq!(
        t.model.scale, fitted,
        "training leaves the fitted statistics alone"
    );
    let path = std::env::temp_dir().join(format!("nn-standardizer-{}.nnw", std::process::id()));
    t.model.save(&path).unwrap();
    let loaded = Scaled::load_boxed(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.scale, fitted, "μ and σ travel in the weights file");
    assert_eq!(loaded.forward(&x[7]), t.model.forward(&x[7]));
    assert_eq!(Scaled::STATE_LEN, Scaled::NUM_PARAMS + 6);
    // In PyTorch's terms, buffers of the module attribute `scale`.
    let bytes = t.model.to_safetensors().unwrap();
    let mut back = Scaled::blank_boxed();
    back.from_safetensors(&bytes).unwrap();
    assert_eq!(*back, t.model);
    let names = safetensors::SafeTensors::deserialize(&bytes)
        .unwrap()
        .names()
        .len();
    assert_eq!(names, 4, "scale.mean, scale.std, 1.weight, 1.bias");
}

#[test]
fn weights_of_another_network_are_refused_and_the_model_kept() {
    let dense = Dense::new_boxed(Init::HeNormal, 1);
    let mut bytes = vec![0u8; Dense::WEIGHTS_BYTES];
    dense.save_to(&mut bytes).unwrap();
    let mut conv = Convolutional::new_boxed(Init::HeNormal, 2);
    let before = (*conv).clone();
    let err = conv.load_from(&bytes).unwrap_err();
    assert!(matches!(
        err,
        FormatError::WrongNetwork { expected_values, found_values, .. }
            if expected_values == Convolutional::STATE_LEN as u64 && found_values == Dense::STATE_LEN as u64
    ));
    assert!(err.to_string().contains("different network"), "{err}");
    assert_eq!(*conv, before);
    // The file records its architecture in words; loading a file says both.
    assert_eq!(
        nn::io::weights::saved_signature(&bytes),
        Some(Dense::SIGNATURE)
    );
    let path = std::env::temp_dir().join(format!("nn-dense-{}.nnw", std::process::id()));
    dense.save(&path).unwrap();
    let err = conv.load(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    let text = err.to_string();
    assert!(
        text.contains(Dense::SIGNATURE) && text.contains(Convolutional::SIGNATURE),
        "{text}"
    );
    assert!(matches!(err, LoadError::WrongNetwork { .. }));
    assert_eq!(*conv, before);
    // Damaged bytes: the checksum catches them.
    bytes[Dense::WEIGHTS_BYTES - 9] ^= 1;
    let mut same = Dense::new_boxed(Init::HeNormal, 3);
    assert!(matches!(
        same.load_from(&bytes),
        Err(FormatError::Checksum { .. })
    ));
}

network! {
    /// The same shapes as `SlopeTwo`, another negative slope and dropout rate.
    SlopeOne = < Linear<4, 3>, LeakyReLU<0.1>, Dropout<0.2>, Linear<3, 2> >
}

network! {
    SlopeTwo = < Linear<4, 3>, LeakyReLU<0.2>, Dropout<0.2>, Linear<3, 2> >
}

network! {
    RateTwo = < Linear<4, 3>, LeakyReLU<0.1>, Dropout<0.5>, Linear<3, 2> >
}

#[test]
fn weights_of_a_network_with_other_settings_are_refused() {
    assert_eq!(SlopeOne::STATE_LEN, SlopeTwo::STATE_LEN);
    let one = SlopeOne::new_boxed(Init::HeNormal, 1);
    let mut bytes = vec![0u8; SlopeOne::WEIGHTS_BYTES];
    one.save_to(&mut bytes).unwrap();
    let mut two = SlopeTwo::new_boxed(Init::HeNormal, 2);
    let err = two.load_from(&bytes).unwrap_err();
    assert!(matches!(err, FormatError::WrongNetwork { .. }), "{err}");
    let mut rate = RateTwo::new_boxed(Init::HeNormal, 2);
    assert!(matches!(
        rate.load_from(&bytes),
        Err(FormatError::WrongNetwork { .. })
    ));
    assert!(
        SlopeOne::SIGNATURE.contains("LeakyReLU(0.1)"),
        "{}",
        SlopeOne::SIGNATURE
    );
}

#[test]
fn files_save_atomically_and_load_with_typed_errors() {
    let dir = std::env::temp_dir().join(format!("nn-weights-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dense.nnw");
    let model = Dense::new_boxed(Init::HeNormal, 4);
    model.save(&path).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        Dense::WEIGHTS_BYTES as u64
    );
    let mut back = Dense::new_boxed(Init::HeNormal, 5);
    back.load(&path).unwrap();
    assert_eq!(*back, *model);
    let missing = back.load(dir.join("missing.nnw")).unwrap_err();
    assert!(matches!(missing, LoadError::Io { .. }));
    assert!(missing.to_string().contains("missing.nnw"), "{missing}");
    std::fs::write(&path, b"not weights at all, but long enough").unwrap();
    assert!(matches!(
        back.load(&path),
        Err(LoadError::Format(FormatError::BadMagic(_)))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

network! {
    /// Dropout makes every step random: resuming must restore the stream.
    Resumable = < Linear<12, 16>, ReLU, Dropout<0.3>, Linear<16, 4>, Softmax >
}

/// One epoch over `x` in an order that depends only on the epoch number
/// (so a resumed run shuffles as the uninterrupted one did).
fn epoch(t: &mut ResumableTrainer<Adam, 4>, x: &[[f32; 12]], labels: &[usize], epoch: u64) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    let mut shuffled = nn::data::batch::Epochs::over(&mut order).drop_last();
    shuffled.shuffle(&mut TrainRng::seed_from_u64(epoch));
    let (mut xb, mut yb) = ([[0.0f32; 12]; 4], [0usize; 4]);
    for b in 0..shuffled.batches(4) {
        shuffled.gather(b, x, labels, &mut xb, &mut yb);
        t.train_step(&xb, &yb, &CrossEntropy);
    }
}

#[test]
fn training_resumes_bit_identically_from_a_checkpoint() {
    let mut rng = TrainRng::seed_from_u64(6);
    let x: Vec<[f32; 12]> = (0..32)
        .map(|_| std::array::from_fn(|_| rng.random_range(-1.0..1.0)))
        .collect();
    let labels: Vec<usize> = (0..32).map(|i| i % 4).collect();

    // Two epochs straight.
    let mut straight = ResumableTrainer::<Adam, 4>::new_boxed(Init::HeNormal, Adam::new(1e-2), 7);
    epoch(&mut straight, &x, &labels, 0);
    epoch(&mut straight, &x, &labels, 1);

    // One epoch, a checkpoint on disk, a fresh trainer (another seed) restored, one more epoch.
    let path = std::env::temp_dir().join(format!("nn-resume-{}.nnck", std::process::id()));
    let mut first = ResumableTrainer::<Adam, 4>::new_boxed(Init::HeNormal, Adam::new(1e-2), 7);
    epoch(&mut first, &x, &labels, 0);
    first.save_checkpoint(&path, 1).unwrap();
    let mut resumed = ResumableTrainer::<Adam, 4>::new_boxed(Init::HeNormal, Adam::new(1e-2), 123);
    let progress = resumed.load_checkpoint(&path).unwrap();
    assert_eq!(progress, nn::io::checkpoint::Progress { epoch: 1, step: 8 });
    epoch(&mut resumed, &x, &labels, progress.epoch);
    std::fs::remove_file(&path).unwrap();

    assert_eq!(resumed.steps(), straight.steps());
    let bits = |m: &Resumable| {
        let mut theta = vec![0.0f32; Resumable::NUM_PARAMS];
        m.params_to_slice(&mut theta);
        theta.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    };
    assert_eq!(bits(&resumed.model), bits(&straight.model), "bit-identical");
    // A checkpoint of another optimizer type is refused.
    let mut sgd = ResumableTrainer::<Sgd, 4>::new_boxed(Init::HeNormal, Sgd::new(0.1), 7);
    assert!(matches!(
        sgd.restore(&first.checkpoint(1)),
        Err(FormatError::WrongNetwork { .. })
    ));
}
