//! nn against PyTorch's behaviour, case by case: optimizers, schedules,
//! unpooling, cross-entropy, NaN propagation, ELU, batch-1 inference, GELU,
//! SiLU, LayerNorm, Huber, ReLU6, global pooling and grouped, depthwise and
//! rectangular convolutions.
//! `tests/fixtures/make_torch_reference.py` made the fixture; no Python is
//! needed here.
use nn::loss::PixelCrossEntropy;
use nn::mem::Zeroable;
use nn::optim::schedule::{CosineAnnealing, PlateauMode, ReduceOnPlateau, Schedule, Threshold};
use nn::optim::{MomentumForm, Optimizer};
use nn::prelude::*;
use safetensors::{Dtype, SafeTensors};

struct Fixture(Vec<u8>);

impl Fixture {
    fn load() -> Self {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/torch_reference.safetensors"
        );
        Self(std::fs::read(path).unwrap())
    }

    fn f64(&self, name: &str) -> Vec<f64> {
        let file = SafeTensors::deserialize(&self.0).unwrap();
        let t = file.tensor(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        match t.dtype() {
            Dtype::F32 => t
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()) as f64)
                .collect(),
            Dtype::F64 => t
                .data()
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
                .collect(),
            d => panic!("{name}: dtype {d:?}"),
        }
    }

    fn f32(&self, name: &str) -> Vec<f32> {
        self.f64(name).iter().map(|&v| v as f32).collect()
    }
}

fn assert_close(what: &str, got: &[f32], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g as f64 - w).abs();
        assert!(
            err <= rtol * w.abs().max(1.0),
            "{what}[{i}]: nn {g}, PyTorch {w} (error {err:.2e})"
        );
    }
}

/// θ after each of the fixture's steps on `Σ aθ²/2 + bθ`, with the rate set
/// to `lrs[t]` before step `t` when given.
fn trajectory<O: Optimizer>(f: &Fixture, mut opt: O, lrs: Option<&[f32]>) -> Vec<f32> {
    let (a, b) = (f.f32("quadratic.a"), f.f32("quadratic.b"));
    let mut theta: [f32; 4] = f.f32("quadratic.theta0").try_into().unwrap();
    let mut state = O::State::<4>::zeroed();
    let mut rows = Vec::new();
    for t in 0..10 {
        if let Some(lrs) = lrs {
            opt.set_lr(lrs[t]);
        }
        let grad: [f32; 4] = std::array::from_fn(|i| a[i] * theta[i] + b[i]);
        opt.update::<4>(&mut theta, &grad, &mut state);
        rows.extend_from_slice(&theta);
    }
    rows
}

#[test]
fn adam_and_amsgrad_follow_pytorch_step_for_step() {
    let f = &Fixture::load();
    let adam = Adam::new(0.1);
    assert_close(
        "Adam",
        &trajectory(f, adam, None),
        &f.f64("adam.theta"),
        1e-5,
    );
    let amsgrad = trajectory(f, AmsGrad(adam), None);
    assert_close("AMSGrad", &amsgrad, &f.f64("amsgrad.theta"), 1e-5);
    let decayed = AmsGrad(Adam {
        weight_decay: 0.05,
        ..adam
    });
    let amsgrad_wd = trajectory(f, decayed, None);
    assert_close(
        "AMSGrad, weight decay",
        &amsgrad_wd,
        &f.f64("amsgrad_wd.theta"),
        1e-5,
    );
}

#[test]
fn momentum_follows_pytorch_under_a_changing_rate() {
    let f = &Fixture::load();
    let lrs = f.f32("momentum.lrs");
    for (name, nesterov) in [("momentum", false), ("nesterov", true)] {
        let torch = f.f64(&format!("{name}.theta"));
        let opt = Momentum {
            nesterov,
            ..Momentum::new(0.1)
        };
        assert_close(name, &trajectory(f, opt, Some(&lrs)), &torch, 1e-5);
        // The velocity form is the same method at a constant rate only.
        let velocity = Momentum {
            form: MomentumForm::Velocity,
            ..opt
        };
        let drift = trajectory(f, velocity, Some(&lrs))
            .iter()
            .zip(&torch)
            .map(|(a, b)| (*a as f64 - b).abs())
            .fold(0.0, f64::max);
        assert!(drift > 0.05, "{name}: velocity form drifts by {drift}");
    }
}

#[test]
fn reduce_on_plateau_follows_pytorch() {
    let f = &Fixture::load();
    let metrics = f.f32("plateau.metrics");
    let base = ReduceOnPlateau::new(0.1, 0.5, 2);
    let cases = [
        ("plateau_default", base),
        (
            "plateau_rel",
            ReduceOnPlateau {
                patience: 1,
                threshold: 0.02,
                cooldown: 2,
                min: 0.02,
                ..base
            },
        ),
        (
            "plateau_abs",
            ReduceOnPlateau {
                patience: 0,
                threshold: 0.01,
                threshold_mode: Threshold::Absolute,
                cooldown: 1,
                ..base
            },
        ),
        (
            "plateau_max",
            ReduceOnPlateau {
                mode: PlateauMode::Max,
                patience: 1,
                ..base
            },
        ),
    ];
    for (name, mut schedule) in cases {
        let rates: Vec<f32> = metrics.iter().map(|&m| schedule.observe(m)).collect();
        assert_close(name, &rates, &f.f64(&format!("{name}.lr64")), 1e-6);
    }
}

#[test]
fn cosine_annealing_is_pytorchs_and_climbs_back_after_t_max() {
    let f = &Fixture::load();
    let c = CosineAnnealing {
        max: 0.5,
        min: 0.01,
        t_max: 5,
    };
    let rates: Vec<f32> = (0..16).map(|t| c.lr(t)).collect();
    assert_close(
        "CosineAnnealingLR",
        &rates,
        &f.f64("cosine_annealing.lr64"),
        1e-6,
    );
}

network! {
    /// PyTorch: max_pool2d(3, stride=2, return_indices), tanh, max_unpool2d(3, stride=2).
    UnpoolNet = < Input<2, 5, 5>, MaxPool2d<3, 2>, Tanh, MaxUnpool2d<3, 2> >
}

type Map5 = [[[f32; 5]; 5]; 2];
type Map2 = [[[f32; 2]; 2]; 2];

fn cast<T: nn::bytemuck::Pod>(values: &[f32]) -> T {
    *nn::bytemuck::from_bytes(nn::bytemuck::cast_slice(values))
}

#[test]
fn max_unpooling_with_overlapping_windows_matches_pytorch() {
    let f = &Fixture::load();
    let x: Map5 = cast(&f.f32("unpool.x"));
    let (_, at) = MaxPool2d::<3, 2, 2, 2>.forward_with_indices(&x);
    // PyTorch's indices count within each channel's plane; nn's within the sample.
    let torch_at = f.f32("unpool.indices");
    let nn_at: Vec<u32> = nn::bytemuck::cast_slice::<_, u32>(&at).to_vec();
    let expected: Vec<u32> = torch_at
        .iter()
        .enumerate()
        .map(|(o, &i)| i as u32 + (o / 4) as u32 * 25)
        .collect();
    assert_eq!(nn_at, expected);
    assert!(
        expected[..4].iter().all(|&i| i == 12),
        "all four windows share the centre"
    );

    let values: Map2 = cast(&f.f32("unpool.values"));
    let unpool = MaxUnpool2d::<3, 5, 5, 2>;
    let out = unpool.unpool(&values, &at);
    let flat = |m: &Map5| m.as_flattened().as_flattened().to_vec();
    assert_close("unpool", &flat(&out), &f.f64("unpool.output"), 0.0);
    let mut batch = [Map5::zeroed(); 2];
    unpool.forward_batch(&[values; 2], &[at; 2], &mut batch);
    assert_eq!(batch, [out; 2], "batch path");

    let r: Map5 = cast(&f.f32("unpool.r"));
    let mut dv = [Map2::zeroed()];
    unpool.backward(&[at], &[r], &mut dv);
    let dv = dv[0].as_flattened().as_flattened().to_vec();
    assert_close("unpool backward", &dv, &f.f64("unpool.values_grad"), 0.0);

    // Generated network: single sample and batch.
    let net = UnpoolNet::zeroed();
    let want = f.f64("unpool.network_output");
    assert_close("network!", &flat(&net.forward(&x)), &want, 1e-6);
    let mut t = UnpoolNetTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), 1);
    for y in t.forward_batch(&[x; 2]) {
        assert_close("network! batch", &flat(y), &want, 1e-6);
    }
}

#[test]
fn cross_entropy_of_large_logits_is_exact() {
    let f = &Fixture::load();
    let (z, labels) = (f.f32("ce.logits"), f.f32("ce.labels"));
    let (torch32, exact) = (f.f64("ce.loss"), f.f64("ce.loss64"));
    for (k, row) in z.chunks_exact(5).enumerate() {
        let row: [f32; 5] = row.try_into().unwrap();
        let loss = CrossEntropy.loss_grad(&row, &(labels[k] as usize), None) as f64;
        let ulp = f32::EPSILON as f64 * exact[k].abs().max(1.0);
        assert!(
            (loss - exact[k]).abs() <= 2.0 * ulp,
            "sample {k}: nn {loss}, exact {}, PyTorch f32 {}",
            exact[k],
            torch32[k]
        );
    }
}

fn same_or_both_nan(what: &str, got: &[f32], want: &[f32]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g == w || (g.is_nan() && w.is_nan()),
            "{what}[{i}]: nn {g}, PyTorch {w}"
        );
    }
}

#[test]
fn relu_and_max_pooling_propagate_nan_as_pytorch() {
    let f = &Fixture::load();
    let x = f.f32("nan.x");
    let relu: Vec<f32> = x
        .chunks_exact(4)
        .flat_map(|row| ReLU.forward(&<[f32; 4]>::try_from(row).unwrap()))
        .collect();
    same_or_both_nan("ReLU", &relu, &f.f32("nan.relu"));
    let image: [[[f32; 4]; 4]; 1] = cast(&x);
    let pooled = MaxPool2d::<2, 2, 2>.forward(&image);
    same_or_both_nan(
        "MaxPool2d",
        pooled.as_flattened().as_flattened(),
        &f.f32("nan.maxpool"),
    );
    // And through a whole network, in both passes.
    let mut t = NanNetTrainer::<Sgd, 1>::new_boxed(Init::HeNormal, Sgd::new(0.1), 1);
    let y = t.forward_batch(&[image])[0];
    assert!(y.iter().any(|v| v.is_nan()), "{y:?}");
}

network! {
    NanNet = < Input<1, 4, 4>, ReLU, MaxPool2d<2>, Flatten, Linear<4, 2> >
}

#[test]
fn elu_keeps_full_precision_near_zero() {
    let f = &Fixture::load();
    let x: [f32; 13] = f.f32("elu.x").try_into().unwrap();
    for alpha in ["1.0", "0.7"] {
        let elu = ELU::new(alpha.parse().unwrap());
        let got = elu.forward(&x);
        let exact = f.f64(&format!("elu.alpha{alpha}.64"));
        let torch = f.f64(&format!("elu.alpha{alpha}"));
        for i in 0..x.len() {
            let rel = |v: f64| ((v - exact[i]) / exact[i].abs().max(1e-30)).abs();
            assert!(
                rel(got[i] as f64) <= 4.0 * f32::EPSILON as f64,
                "ELU({alpha}) at {}: nn {} ({:.1e}), PyTorch {} ({:.1e}), exact {}",
                x[i],
                got[i],
                rel(got[i] as f64),
                torch[i],
                rel(torch[i]),
                exact[i]
            );
        }
    }
}

network! {
    FormulaMlp = < Linear<784, 128>, ReLU, Linear<128, 10> >
}

#[test]
fn batch_one_inference_is_as_accurate_as_the_batch_path() {
    let f = &Fixture::load();
    // The fixture script's formulas, evaluated in f64 and rounded to f32.
    let mut net = FormulaMlp::zeroed();
    for (i, row) in net.linear0.weight.iter_mut().enumerate() {
        for (o, w) in row.iter_mut().enumerate() {
            *w = (0.08 * (0.37 * i as f64 + 1.91 * o as f64 + 0.5).sin()) as f32;
        }
    }
    for (o, b) in net.linear0.bias.iter_mut().enumerate() {
        *b = (0.1 * (0.61 * o as f64).cos()) as f32;
    }
    for (i, row) in net.linear2.weight.iter_mut().enumerate() {
        for (o, w) in row.iter_mut().enumerate() {
            *w = (0.2 * (0.73 * i as f64 + 2.3 * o as f64 + 0.1).sin()) as f32;
        }
    }
    for (o, b) in net.linear2.bias.iter_mut().enumerate() {
        *b = (0.05 * (1.7 * o as f64).cos()) as f32;
    }
    let xs: [[f32; 784]; 8] = std::array::from_fn(|s| {
        std::array::from_fn(|i| {
            (0.5 + 0.5 * (0.013 * (s as f64 + 1.0) * i as f64 + s as f64).sin()) as f32
        })
    });
    let exact = f.f64("mlp.logits64");
    let max_err = |logits: &mut dyn Iterator<Item = f32>| {
        logits
            .zip(&exact)
            .map(|(a, b)| (a as f64 - b).abs())
            .fold(0.0, f64::max)
    };
    let single = max_err(&mut xs.iter().flat_map(|x| net.forward(x)));
    let mut t = FormulaMlpTrainer::<Sgd, 8>::new_boxed(Init::HeNormal, Sgd::new(0.1), 1);
    t.model = net;
    let batch = max_err(&mut t.forward_batch(&xs).iter().flatten().copied());
    println!("max |logit error|: batch-1 {single:.2e}, batch {batch:.2e}");
    assert!(batch < 1e-5, "batch path error {batch:.2e}");
    assert!(
        single <= batch,
        "batch-1 error {single:.2e} exceeds the batch path's {batch:.2e}"
    );
}

#[test]
fn gelu_and_silu_match_pytorch_with_their_gradients() {
    let f = &Fixture::load();
    let x: [f32; 25] = f.f32("act.x").try_into().unwrap();
    fn check<A: nn::layers::Activation>(f: &Fixture, name: &str, act: A, x: &[f32; 25]) {
        let mut y = [0.0; 25];
        act.apply(x, &mut y);
        assert_close(name, &y, &f.f64(&format!("act.{name}")), 1e-6);
        let mut d = [1.0; 25];
        act.backprop(x, &y, &mut d);
        assert_close(name, &d, &f.f64(&format!("act.{name}.grad")), 1e-6);
    }
    check(f, "gelu", GELU, &x);
    check(f, "gelu_tanh", GELUTanh, &x);
    check(f, "silu", SiLU, &x);
}

/// Runs `f` with a training-mode context (one thread, no workspace).
fn in_training(f: impl FnOnce(&mut nn::layer::Context)) {
    let mut rng = nn::rng::TrainRng::seed_from_u64(0);
    f(&mut nn::layer::Context {
        mode: nn::layer::Mode::Train,
        rng: &mut rng,
        workspace: &mut [],
        parallel: &nn::kernels::parallel::Serial,
        rows: usize::MAX,
    });
}

#[test]
fn layer_norm_matches_pytorch_forward_and_backward() {
    let f = &Fixture::load();
    let mut ln = LayerNorm::<6>::new();
    ln.gamma = f.f32("ln.weight").try_into().unwrap();
    ln.beta = f.f32("ln.bias").try_into().unwrap();
    let x: [[f32; 6]; 4] = cast(&f.f32("ln.x"));
    let r: [[f32; 6]; 4] = cast(&f.f32("ln.r"));
    let (mut y, mut cache, mut dx, mut grad) = ([[0.0; 6]; 4], [0.0; 4], [[0.0; 6]; 4], [0.0; 12]);
    in_training(|ctx| {
        ln.forward_batch(&x, &mut y, &mut cache, ctx);
        ln.backward(&x, &y, &r, &mut cache, Some(&mut dx), &mut grad, ctx);
    });
    assert_close("LayerNorm y", y.as_flattened(), &f.f64("ln.y"), 1e-5);
    assert_close("LayerNorm dx", dx.as_flattened(), &f.f64("ln.x_grad"), 1e-5);
    assert_close("LayerNorm dγ", &grad[..6], &f.f64("ln.weight_grad"), 1e-5);
    assert_close("LayerNorm dβ", &grad[6..], &f.f64("ln.bias_grad"), 1e-5);
}

#[test]
fn huber_matches_pytorch_mean_reduction() {
    let f = &Fixture::load();
    let y: [[f32; 3]; 5] = cast(&f.f32("huber.y"));
    let t: [[f32; 3]; 5] = cast(&f.f32("huber.t"));
    let huber = Huber::new(0.8);
    // A trainer averages the per-sample losses (each a mean over outputs)
    // over the batch: PyTorch's mean over every element.
    let (mut loss, mut grad) = (0.0, [[0.0f32; 3]; 5]);
    for ((y, t), g) in y.iter().zip(&t).zip(&mut grad) {
        loss += huber.loss_grad(y, t, Some(g)) / 5.0;
        g.iter_mut().for_each(|g| *g /= 5.0);
    }
    assert_close("Huber loss", &[loss], &f.f64("huber.loss"), 1e-6);
    assert_close(
        "Huber gradient",
        grad.as_flattened(),
        &f.f64("huber.grad"),
        1e-6,
    );
}

#[test]
fn relu6_and_global_average_pooling_match_pytorch() {
    let f = &Fixture::load();
    let x: [f32; 6] = f.f32("relu6.x").try_into().unwrap();
    let mut y = [0.0; 6];
    nn::layers::Activation::apply(&ReLU6, &x, &mut y);
    assert_close("ReLU6", &y, &f.f64("relu6.y"), 0.0);
    let mut d = [1.0; 6];
    nn::layers::Activation::backprop(&ReLU6, &x, &y, &mut d);
    assert_close("ReLU6 gradient", &d, &f.f64("relu6.grad"), 0.0);

    let x: [[[[f32; 5]; 4]; 3]; 2] = cast(&f.f32("gap.x"));
    let r: [[f32; 3]; 2] = cast(&f.f32("gap.r"));
    let (mut y, mut dx) = ([[0.0; 3]; 2], [[[[0.0; 5]; 4]; 3]; 2]);
    let mut gap = GlobalAvgPool2d;
    in_training(|ctx| {
        gap.forward_batch(&x, &mut y, &mut (), ctx);
        gap.backward(&x, &y, &r, &mut (), Some(&mut dx), &mut [], ctx);
    });
    assert_close(
        "global average pooling",
        y.as_flattened(),
        &f.f64("gap.y"),
        1e-6,
    );
    let dx: Vec<f32> = nn::bytemuck::cast_slice(&dx).to_vec();
    assert_close("global average pooling dx", &dx, &f.f64("gap.x_grad"), 1e-6);
}

/// Loads fixture `name`'s parameters into `layer`, runs a batch of two
/// forward and backward (against the fixture's upstream gradient `r`) and
/// compares output, input gradient and parameter gradient with PyTorch's.
fn convolution_matches<In: Shape, L: Layer<In>>(f: &Fixture, name: &str, mut layer: L) {
    layer
        .params_mut()
        .copy_from_slice(&f.f32(&format!("{name}.params")));
    let x: [In; 2] = cast(&f.f32(&format!("{name}.x")));
    let r: [L::Out; 2] = cast(&f.f32(&format!("{name}.r")));
    let (mut y, mut dx) = (<[L::Out; 2]>::zeroed(), <[In; 2]>::zeroed());
    let mut cache = L::Cache::<2>::zeroed();
    let mut grad = vec![0.0; L::NUM_PARAMS];
    let mut workspace = vec![0.0; nn::kernels::gemm::workspace_len(L::GEMM_WIDTH)];
    let mut rng = nn::rng::TrainRng::seed_from_u64(0);
    let ctx = &mut nn::layer::Context {
        mode: nn::layer::Mode::Train,
        rng: &mut rng,
        workspace: &mut workspace,
        parallel: &nn::kernels::parallel::Serial,
        rows: usize::MAX,
    };
    layer.forward_batch(&x, &mut y, &mut cache, ctx);
    layer.backward(&x, &y, &r, &mut cache, Some(&mut dx), &mut grad, ctx);
    let flat = |v: &[L::Out]| nn::bytemuck::cast_slice::<_, f32>(v).to_vec();
    assert_close(name, &flat(&y), &f.f64(&format!("{name}.y")), 1e-5);
    let dx: Vec<f32> = nn::bytemuck::cast_slice(&dx).to_vec();
    assert_close(name, &dx, &f.f64(&format!("{name}.x_grad")), 1e-5);
    assert_close(name, &grad, &f.f64(&format!("{name}.params_grad")), 1e-5);
    // One sample at a time, the direct kernel gives the same outputs.
    let single: Vec<f64> = x
        .iter()
        .flat_map(|x| flat(&[layer.forward(x)]))
        .map(f64::from)
        .collect();
    assert_close(name, &flat(&y), &single, 1e-5);
}

#[test]
fn grouped_depthwise_and_rectangular_convolutions_match_pytorch() {
    let f = &Fixture::load();
    convolution_matches::<[[[f32; 7]; 5]; 4], _>(
        f,
        "conv_grouped",
        Conv2d::<4, 6, 3, 5, 3, 1, 1, 1, 2, 2, 2, 2, 0>::zeroed(),
    );
    convolution_matches::<[[[f32; 7]; 7]; 3], _>(
        f,
        "conv_depthwise",
        DepthwiseConv2d::<3, 3, 4, 4, 2, 1>::zeroed(),
    );
    convolution_matches::<[[[f32; 10]; 13]; 1], _>(
        f,
        "conv_rect",
        Conv2d::<1, 4, 10, 7, 5, 2, 5, 1, 1, 1, 4, 2, 1>::zeroed(),
    );
    convolution_matches::<[[f32; 9]; 4], _>(
        f,
        "conv1d_grouped",
        Conv1d::<4, 6, 3, 9, 1, 1, 1, 2, 2>::zeroed(),
    );
}

/// `padding_mode`: the type's last parameter is the mode's discriminant
/// (1 reflect, 2 replicate, 3 circular), as `network!` writes it.
#[test]
fn reflect_replicate_and_circular_padding_match_pytorch() {
    let f = &Fixture::load();
    convolution_matches::<[[[f32; 6]; 5]; 2], _>(
        f,
        "conv_reflect",
        Conv2d::<2, 3, 3, 5, 8, 1, 1, 1, 1, 2, 3, 1, 2, 1>::zeroed(),
    );
    convolution_matches::<[[[f32; 4]; 3]; 2], _>(
        f,
        "conv_replicate",
        Conv2d::<2, 2, 3, 2, 4, 2, 1, 1, 1, 2, 3, 1, 1, 2>::zeroed(),
    );
    convolution_matches::<[[[f32; 5]; 4]; 2], _>(
        f,
        "conv_circular",
        Conv2d::<2, 4, 3, 4, 5, 1, 2, 2, 1, 2, 3, 1, 2, 3>::zeroed(),
    );
    convolution_matches::<[[f32; 5]; 2], _>(
        f,
        "conv1d_circular",
        Conv1d::<2, 3, 3, 7, 1, 2, 1, 1, 2, 3>::zeroed(),
    );
    convolution_matches::<[[f32; 6]; 2], _>(
        f,
        "conv1d_reflect",
        Conv1d::<2, 2, 4, 5, 2, 3, 1, 1, 2, 1>::zeroed(),
    );
}

#[test]
fn kl_divergence_entropy_and_cross_entropy_match_pytorch() {
    let f = &Fixture::load();
    let t: [[f32; 5]; 4] = cast(&f.f32("kl.t"));
    // Log-space inputs, as KLDivLoss reads them; the trainers' batch
    // average of the per-sample sums is reduction="batchmean".
    let logp: [[f32; 5]; 4] = cast(&f.f32("kl.logp"));
    let (mut loss, mut grad) = (0.0, [[0.0f32; 5]; 4]);
    for ((y, t), g) in logp.iter().zip(&t).zip(&mut grad) {
        loss += KlDiv.loss_grad(y, t, Some(g)) / 4.0;
        g.iter_mut().for_each(|g| *g /= 4.0);
    }
    assert_close("KL loss", &[loss], &f.f64("kl.loss"), 1e-6);
    assert_close(
        "KL gradient",
        grad.as_flattened(),
        &f.f64("kl.logp_grad"),
        1e-6,
    );
    // After a softmax head: kl_div(log_softmax(z), t).
    let z: [[f32; 5]; 4] = cast(&f.f32("kl.z"));
    let (mut loss, mut grad) = (0.0, [[0.0f32; 5]; 4]);
    for ((z, t), g) in z.iter().zip(&t).zip(&mut grad) {
        let mut p = [0.0; 5];
        nn::kernels::softmax::softmax(z, &mut p);
        loss += KlDiv.loss_grad_softmax(z, &p, t, Some(g)) / 4.0;
        g.iter_mut().for_each(|g| *g /= 4.0);
    }
    assert_close("KL after softmax", &[loss], &f.f64("kl.softmax_loss"), 1e-6);
    assert_close(
        "KL gradient after softmax",
        grad.as_flattened(),
        &f.f64("kl.z_grad"),
        1e-6,
    );
    let q: [[f32; 5]; 4] = cast(&f.f32("kl.q"));
    let entropy: Vec<f32> = t.iter().map(|t| nn::metrics::entropy(t)).collect();
    assert_close("entropy", &entropy, &f.f64("kl.entropy"), 1e-6);
    let cross: Vec<f32> = t
        .iter()
        .zip(&q)
        .map(|(t, q)| nn::metrics::cross_entropy(t, q))
        .collect();
    assert_close("cross-entropy", &cross, &f.f64("kl.cross_entropy"), 1e-6);
}

#[test]
fn pixelwise_cross_entropy_matches_pytorch_on_image_scores() {
    let f = &Fixture::load();
    let z: [[f32; 24]; 2] = cast(&f.f32("pixel.z")); // 3 classes × 2 × 4 pixels
    let labels: [[f32; 8]; 2] = cast(&f.f32("pixel.labels"));
    let (mut loss, mut grad) = (0.0, [[0.0f32; 24]; 2]);
    for ((z, t), g) in z.iter().zip(&labels).zip(&mut grad) {
        let t: [usize; 8] = t.map(|c| c as usize);
        loss += PixelCrossEntropy::<3>.loss_grad(z, &t, Some(g)) / 2.0;
        g.iter_mut().for_each(|g| *g /= 2.0);
    }
    assert_close(
        "pixel-wise cross-entropy",
        &[loss],
        &f.f64("pixel.loss"),
        1e-6,
    );
    assert_close(
        "its gradient",
        grad.as_flattened(),
        &f.f64("pixel.z_grad"),
        1e-5,
    );
}
