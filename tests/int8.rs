//! `#[nn(int8)]`: calibration, quantization and int8 inference against the
//! float network.
use nn::prelude::*;
use nn::rng::TrainRng;
use rand::{Rng, SeedableRng};

network! {
    #[nn(int8)]
    Mlp = < Linear<16, 32>, BatchNorm1d<32>, ReLU, Dropout<0.1>, Linear<32, 8>, Tanh, Linear<8, 4>, Softmax >
}

network! {
    #[nn(int8)]
    Cnn = <
        Input<2, 8, 8>,
        stem: Conv2d<2, 6, 3, padding = same>, BatchNorm2d<6>, ReLU,
        block: Residual<depthwise: DepthwiseConv2d<6, 3, padding = same>, ReLU>, ReLU,
        MaxPool2d<2>, tall: Conv2d<6, 8, (3, 1)>, ReLU6, AvgPool2d<2>, Flatten, head: Linear<16, 5>,
    >
}

network! {
    #[nn(int8)]
    Pooled = < Input<3, 6, 5>, Conv2d<3, 4, 1>, bn: BatchNorm2d<4>, ReLU, GlobalAvgPool2d, Linear<4, 3>, Softmax >
}

fn samples<T: nn::bytemuck::Pod>(n: usize, seed: u64) -> Vec<T> {
    let rng = &mut TrainRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let v: Vec<f32> = (0..size_of::<T>() / 4)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect();
            *nn::bytemuck::from_bytes(nn::bytemuck::cast_slice(&v))
        })
        .collect()
}

#[test]
fn int8_mlp_follows_the_float_network() {
    let mut model = Mlp::new_boxed(Init::HeNormal, 1);
    model.batchnorm1d1.running_mean = std::array::from_fn(|c| 0.1 * c as f32 - 1.0);
    model.batchnorm1d1.gamma = std::array::from_fn(|c| 0.5 + 0.05 * c as f32);
    let xs = samples::<[f32; 16]>(200, 2);
    let q = model.quantize(&model.calibrate(&xs));
    let mut worst = 0.0f32;
    for x in &xs {
        let (f, i) = (model.forward(x), q.forward(x));
        for (a, b) in f.iter().zip(&i) {
            worst = worst.max((a - b).abs());
        }
    }
    assert!(worst < 0.05, "int8 probabilities differ by {worst}");
}

/// The largest difference between the float and int8 outputs over `xs`,
/// relative to the float outputs' range.
fn relative_error<const N: usize>(
    xs: &[impl Sized],
    float: impl Fn(usize) -> [f32; N],
    int8: impl Fn(usize) -> [f32; N],
) -> f32 {
    let (mut worst, mut lo, mut hi) = (0.0f32, f32::MAX, f32::MIN);
    for i in 0..xs.len() {
        let (f, q) = (float(i), int8(i));
        for (a, b) in f.iter().zip(&q) {
            worst = worst.max((a - b).abs());
            (lo, hi) = (lo.min(*a), hi.max(*a));
        }
    }
    worst / (hi - lo)
}

#[test]
fn int8_cnn_with_a_residual_block_follows_the_float_network() {
    let model = Cnn::new_boxed(Init::HeNormal, 3);
    let xs = samples::<[[[f32; 8]; 8]; 2]>(100, 4);
    let q = model.quantize(&model.calibrate(&xs));
    let error = relative_error(&xs, |i| model.forward(&xs[i]), |i| q.forward(&xs[i]));
    assert!(error < 0.04, "int8 logits differ by {error} of their range");
    // Batch norm folded, ReLUs fused: the int8 network holds the
    // convolutions, the lookup for ReLU6, pools, the flatten view, the join.
    assert_eq!(
        CnnInt8::MODEL_BYTES,
        size_of::<nn::quant::Params>() * 2
            + size_of_val(&q.stem)
            + size_of_val(&q.block_depthwise)
            + size_of_val(&q.add0)
            + size_of_val(&q.tall)
            + 256
            + size_of_val(&q.head)
    );
    assert_eq!(CnnInt8::INFER_RAM_BYTES * 4, Cnn::INFER_RAM_BYTES);
}

#[test]
fn int8_global_pooling_and_softmax_follow_the_float_network() {
    let mut model = Pooled::new_boxed(Init::HeNormal, 5);
    model.bn.running_var = [0.5, 2.0, 1.0, 4.0];
    model.bn.beta = [0.1, -0.2, 0.3, 0.0];
    let xs = samples::<[[[f32; 5]; 6]; 3]>(100, 6);
    let q = model.quantize(&model.calibrate(&xs));
    let error = relative_error(&xs, |i| model.forward(&xs[i]), |i| q.forward(&xs[i]));
    assert!(error < 0.03, "int8 probabilities differ by {error}");
}

#[test]
fn an_int8_network_is_a_flash_image_of_its_own() {
    let model = Mlp::new_boxed(Init::HeNormal, 7);
    let xs = samples::<[f32; 16]>(50, 8);
    let q = model.quantize(&model.calibrate(&xs));
    assert!(
        MlpInt8::SIGNATURE.starts_with("int8|") && MlpInt8::SIGNATURE.ends_with(Mlp::SIGNATURE)
    );
    let mut bytes = vec![0u8; nn::io::image::encoded_len::<MlpInt8>()];
    q.save_image_to(&mut bytes).unwrap();
    // int8 models have alignment 1: any bytes hold one.
    let back = MlpInt8::from_image(&bytes[..]).unwrap();
    assert_eq!(back, &*q);
    // An int8 image is not the float network's.
    let mut misplaced = vec![0u8; bytes.len()];
    misplaced.copy_from_slice(&bytes);
    assert!(matches!(
        nn::io::image::view::<MlpInt8>(&misplaced, nn::io::weights::signature_hash(Mlp::SIGNATURE)),
        Err(nn::io::weights::FormatError::WrongNetwork { .. })
    ));
    let mut memory = MlpInt8Activations::new();
    for x in &xs {
        let x = q.quantize_input(x);
        assert_eq!(
            *back.infer(&x, &mut memory),
            *q.infer(&x, &mut MlpInt8Activations::new())
        );
    }
}

network! {
    #[nn(int8)]
    Detector = < Linear<16, 8>, ReLU, Linear<8, 1>, Sigmoid >
}

/// A one-output int8 network predicts as its float network does: output
/// above the float `THRESHOLD` (0.5 after the sigmoid).
#[test]
fn int8_binary_predictions_follow_the_float_threshold() {
    let model = Detector::new_boxed(Init::HeNormal, 4);
    let xs = samples::<[f32; 16]>(300, 5);
    let q = model.quantize(&model.calibrate(&xs));
    let ones = xs.iter().filter(|x| model.predict(x) == 1).count();
    assert!(ones > 30 && ones < 270, "both classes occur ({ones} ones)");
    // Near the threshold rounding may flip a few; far from it none.
    let decisive = xs
        .iter()
        .filter(|x| (model.forward(x)[0] - 0.5).abs() > 0.05);
    for x in decisive {
        assert_eq!(q.predict(x), model.predict(x));
    }
}
