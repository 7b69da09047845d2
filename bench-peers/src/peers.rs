//! The workloads written for each crate, as its own documentation shows.
use crate::{BATCH, CNN_BATCH, Data, Peer, WIDE};

pub fn all(threads: usize) -> Vec<Box<dyn Peer>> {
    vec![
        Box::new(nn_impl::Nn::new(threads)),
        Box::new(candle_impl::Candle::new()),
        Box::new(dfdx_impl::Dfdx::new()),
    ]
}

mod nn_impl {
    use super::*;
    use nn::prelude::*;

    network! {
        Mlp = < Linear<784, 128>, ReLU, Linear<128, 10>, Softmax >
    }

    network! {
        /// `cnn_mnist` without its dropout.
        Cnn = <
            Input<1, 28, 28>,
            Conv2d<1, 8, 5>, ReLU, MaxPool2d<2>,
            Conv2d<8, 16, 5>, ReLU, MaxPool2d<2>,
            Flatten, Linear<256, 64>, ReLU,
            Linear<64, 10>, Softmax,
        >
    }

    type Image = [[[f32; 28]; 28]; 1];

    pub struct Nn {
        sgd: Box<MlpTrainer<Sgd, BATCH>>,
        adam: Box<MlpTrainer<Adam, BATCH>>,
        wide: Box<MlpTrainer<Sgd, WIDE>>,
        x: Box<[[f32; 784]; BATCH]>,
        x_wide: Box<[[f32; 784]; WIDE]>,
        labels: [usize; BATCH],
        cnn: Box<CnnTrainer<Sgd, CNN_BATCH>>,
        images: Box<[Image; CNN_BATCH]>,
        loaded: bool,
    }

    impl Nn {
        pub fn new(threads: usize) -> Self {
            let mut sgd = MlpTrainer::new_boxed(Init::HeNormal, Sgd::new(0.01), 1);
            if threads > 1 {
                sgd.set_parallel(Box::leak(Box::new(nn::kernels::parallel::ThreadPool::new(
                    threads,
                ))));
            }
            Self {
                sgd,
                adam: MlpTrainer::new_boxed(Init::HeNormal, Adam::new(1e-3), 1),
                wide: MlpTrainer::new_boxed(Init::HeNormal, Sgd::new(0.01), 1),
                x: Box::new([[0.0; 784]; BATCH]),
                x_wide: Box::new([[0.0; 784]; WIDE]),
                labels: [0; BATCH],
                cnn: CnnTrainer::new_boxed(Init::HeNormal, Sgd::new(0.01), 1),
                images: Box::new([[[[0.0; 28]; 28]; 1]; CNN_BATCH]),
                loaded: false,
            }
        }

        /// Copies the shared inputs into nn's typed batches once.
        fn load(&mut self, data: &Data) {
            if !self.loaded {
                self.x.as_flattened_mut().copy_from_slice(&data.x);
                self.x_wide.as_flattened_mut().copy_from_slice(&data.wide);
                self.labels.copy_from_slice(&data.labels);
                let pixels = self.images.as_flattened_mut().as_flattened_mut();
                pixels
                    .as_flattened_mut()
                    .copy_from_slice(&data.x[..CNN_BATCH * 784]);
                self.loaded = true;
            }
        }
    }

    impl Peer for Nn {
        fn name(&self) -> &'static str {
            "nn"
        }
        fn infer_one(&mut self, data: &Data) {
            self.load(data);
            std::hint::black_box(self.sgd.model.forward(&self.x[0]));
        }
        fn infer_wide(&mut self, data: &Data) {
            self.load(data);
            std::hint::black_box(self.wide.forward_batch(&self.x_wide)[0][0]);
        }
        fn sgd_step(&mut self, data: &Data) {
            self.load(data);
            std::hint::black_box(self.sgd.train_step(&self.x, &self.labels, &CrossEntropy));
        }
        fn adam_step(&mut self, data: &Data) -> Option<()> {
            self.load(data);
            std::hint::black_box(self.adam.train_step(&self.x, &self.labels, &CrossEntropy));
            Some(())
        }
        fn cnn_step(&mut self, data: &Data) -> Option<()> {
            self.load(data);
            let labels: &[usize; CNN_BATCH] =
                self.labels[..CNN_BATCH].try_into().expect("32 labels");
            std::hint::black_box(self.cnn.train_step(&self.images, labels, &CrossEntropy));
            Some(())
        }
        fn cnn_infer_one(&mut self, data: &Data) -> Option<()> {
            self.load(data);
            std::hint::black_box(self.cnn.model.forward(&self.images[0]));
            Some(())
        }
        fn cnn_infer_batch(&mut self, data: &Data) -> Option<()> {
            self.load(data);
            std::hint::black_box(self.cnn.forward_batch(&self.images)[0][0]);
            Some(())
        }
    }
}

mod candle_impl {
    use super::*;
    use candle_core::{DType, Device, Tensor};
    use candle_nn::{
        AdamW, Conv2d, Linear, Module, Optimizer, ParamsAdamW, SGD, VarBuilder, VarMap, conv2d,
        linear, loss, ops,
    };

    pub struct Candle {
        l1: Linear,
        l2: Linear,
        sgd: SGD,
        adam: AdamW,
        x: Option<(Tensor, Tensor, Tensor, Tensor)>,
        cnn: Cnn,
    }

    /// `cnn_mnist` without dropout, in candle-nn's layers.
    struct Cnn {
        c1: Conv2d,
        c2: Conv2d,
        f1: Linear,
        f2: Linear,
        sgd: SGD,
        /// The batch, its first image and the labels.
        x: Option<(Tensor, Tensor, Tensor)>,
    }

    impl Cnn {
        fn new() -> Self {
            let vars = VarMap::new();
            let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
            let conv = Default::default();
            Self {
                c1: conv2d(1, 8, 5, conv, vb.pp("c1")).unwrap(),
                c2: conv2d(8, 16, 5, conv, vb.pp("c2")).unwrap(),
                f1: linear(256, 64, vb.pp("f1")).unwrap(),
                f2: linear(64, 10, vb.pp("f2")).unwrap(),
                sgd: SGD::new(vars.all_vars(), 0.01).unwrap(),
                x: None,
            }
        }

        fn inputs(&mut self, data: &Data) -> (Tensor, Tensor, Tensor) {
            self.x
                .get_or_insert_with(|| {
                    let dev = Device::Cpu;
                    let pixels = &data.x[..CNN_BATCH * 784];
                    let labels: Vec<u32> =
                        data.labels[..CNN_BATCH].iter().map(|&l| l as u32).collect();
                    (
                        Tensor::from_slice(pixels, (CNN_BATCH, 1, 28, 28), &dev).unwrap(),
                        Tensor::from_slice(&pixels[..784], (1, 1, 28, 28), &dev).unwrap(),
                        Tensor::from_vec(labels, CNN_BATCH, &dev).unwrap(),
                    )
                })
                .clone()
        }

        fn logits(&self, x: &Tensor) -> Tensor {
            let block = |conv: &Conv2d, x: &Tensor| {
                let h = conv.forward(x).unwrap().relu().unwrap();
                h.max_pool2d(2).unwrap()
            };
            let h = block(&self.c2, &block(&self.c1, x));
            let h = self
                .f1
                .forward(&h.flatten_from(1).unwrap())
                .unwrap()
                .relu()
                .unwrap();
            self.f2.forward(&h).unwrap()
        }
    }

    impl Candle {
        pub fn new() -> Self {
            let dev = Device::Cpu;
            let vars = VarMap::new();
            let vb = VarBuilder::from_varmap(&vars, DType::F32, &dev);
            let l1 = linear(784, 128, vb.pp("l1")).unwrap();
            let l2 = linear(128, 10, vb.pp("l2")).unwrap();
            let sgd = SGD::new(vars.all_vars(), 0.01).unwrap();
            let params = ParamsAdamW {
                lr: 1e-3,
                weight_decay: 0.0,
                ..Default::default()
            };
            let adam = AdamW::new(vars.all_vars(), params).unwrap();
            Self {
                l1,
                l2,
                sgd,
                adam,
                x: None,
                cnn: Cnn::new(),
            }
        }

        fn inputs(&mut self, data: &Data) -> &(Tensor, Tensor, Tensor, Tensor) {
            self.x.get_or_insert_with(|| {
                let dev = Device::Cpu;
                let labels: Vec<u32> = data.labels.iter().map(|&l| l as u32).collect();
                (
                    Tensor::from_slice(&data.x, (BATCH, 784), &dev).unwrap(),
                    Tensor::from_slice(&data.wide, (WIDE, 784), &dev).unwrap(),
                    Tensor::from_slice(&data.x[..784], (1, 784), &dev).unwrap(),
                    Tensor::from_vec(labels, BATCH, &dev).unwrap(),
                )
            })
        }

        fn logits(&self, x: &Tensor) -> Tensor {
            self.l2
                .forward(&self.l1.forward(x).unwrap().relu().unwrap())
                .unwrap()
        }
    }

    impl Peer for Candle {
        fn name(&self) -> &'static str {
            "candle 0.11"
        }
        fn infer_one(&mut self, data: &Data) {
            let x = self.inputs(data).2.clone();
            std::hint::black_box(ops::softmax_last_dim(&self.logits(&x)).unwrap());
        }
        fn infer_wide(&mut self, data: &Data) {
            let x = self.inputs(data).1.clone();
            std::hint::black_box(ops::softmax_last_dim(&self.logits(&x)).unwrap());
        }
        fn sgd_step(&mut self, data: &Data) {
            let (x, _, _, y) = self.inputs(data).clone();
            let l = loss::cross_entropy(&self.logits(&x), &y).unwrap();
            self.sgd.backward_step(&l).unwrap();
        }
        fn adam_step(&mut self, data: &Data) -> Option<()> {
            let (x, _, _, y) = self.inputs(data).clone();
            let l = loss::cross_entropy(&self.logits(&x), &y).unwrap();
            self.adam.backward_step(&l).unwrap();
            Some(())
        }
        fn cnn_step(&mut self, data: &Data) -> Option<()> {
            let (x, _, y) = self.cnn.inputs(data);
            let l = loss::cross_entropy(&self.cnn.logits(&x), &y).unwrap();
            self.cnn.sgd.backward_step(&l).unwrap();
            Some(())
        }
        fn cnn_infer_one(&mut self, data: &Data) -> Option<()> {
            let x = self.cnn.inputs(data).1;
            std::hint::black_box(ops::softmax_last_dim(&self.cnn.logits(&x)).unwrap());
            Some(())
        }
        fn cnn_infer_batch(&mut self, data: &Data) -> Option<()> {
            let x = self.cnn.inputs(data).0;
            std::hint::black_box(ops::softmax_last_dim(&self.cnn.logits(&x)).unwrap());
            Some(())
        }
    }
}

mod dfdx_impl {
    use super::*;
    use dfdx::optim::{Adam, Sgd};
    use dfdx::prelude::*;

    type Mlp = (Linear<784, 128>, ReLU, Linear<128, 10>);
    type Built = <Mlp as BuildOnDevice<Cpu, f32>>::Built;

    pub struct Dfdx {
        dev: Cpu,
        model: Built,
        grads: Option<Gradients<f32, Cpu>>,
        sgd: Sgd<Built, f32, Cpu>,
        adam: Adam<Built, f32, Cpu>,
    }

    impl Dfdx {
        pub fn new() -> Self {
            let dev = Cpu::default();
            let model = dev.build_module::<Mlp, f32>();
            let grads = Some(model.alloc_grads());
            let sgd = Sgd::new(
                &model,
                SgdConfig {
                    lr: 0.01,
                    momentum: None,
                    weight_decay: None,
                },
            );
            let adam = Adam::new(&model, AdamConfig::default());
            Self {
                dev,
                model,
                grads,
                sgd,
                adam,
            }
        }

        fn batch(
            &self,
            data: &Data,
        ) -> (
            Tensor<Rank2<BATCH, 784>, f32, Cpu>,
            Tensor<Rank2<BATCH, 10>, f32, Cpu>,
        ) {
            let x = self
                .dev
                .tensor_from_vec(data.x.clone(), (Const::<BATCH>, Const::<784>));
            let mut onehot = vec![0.0f32; BATCH * 10];
            data.labels
                .iter()
                .enumerate()
                .for_each(|(i, &l)| onehot[i * 10 + l] = 1.0);
            (
                x,
                self.dev
                    .tensor_from_vec(onehot, (Const::<BATCH>, Const::<10>)),
            )
        }

        /// Forward, loss, backward; the caller applies its optimizer.
        fn gradients(&mut self, data: &Data) -> Gradients<f32, Cpu> {
            let (x, y) = self.batch(data);
            let grads = self
                .grads
                .take()
                .expect("gradients are returned after each step");
            let logits = self.model.forward_mut(x.traced(grads));
            cross_entropy_with_logits_loss(logits, y).backward()
        }
    }

    impl Peer for Dfdx {
        fn name(&self) -> &'static str {
            "dfdx 0.13"
        }
        fn infer_one(&mut self, data: &Data) {
            let x = self
                .dev
                .tensor_from_vec(data.x[..784].to_vec(), (Const::<784>,));
            std::hint::black_box(self.model.forward(x).softmax());
        }
        fn infer_wide(&mut self, data: &Data) {
            let x = self
                .dev
                .tensor_from_vec(data.wide.clone(), (Const::<WIDE>, Const::<784>));
            std::hint::black_box(self.model.forward(x).softmax::<Axis<1>>());
        }
        fn sgd_step(&mut self, data: &Data) {
            let mut grads = self.gradients(data);
            self.sgd.update(&mut self.model, &grads).unwrap();
            self.model.zero_grads(&mut grads);
            self.grads = Some(grads);
        }
        fn adam_step(&mut self, data: &Data) -> Option<()> {
            let mut grads = self.gradients(data);
            self.adam.update(&mut self.model, &grads).unwrap();
            self.model.zero_grads(&mut grads);
            self.grads = Some(grads);
            Some(())
        }
    }
}
