//! The workloads written for each crate, as its own documentation shows.
use crate::{BATCH, Data, Peer, WIDE};

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

    pub struct Nn {
        sgd: Box<MlpTrainer<Sgd, BATCH>>,
        adam: Box<MlpTrainer<Adam, BATCH>>,
        wide: Box<MlpTrainer<Sgd, WIDE>>,
        x: Box<[[f32; 784]; BATCH]>,
        x_wide: Box<[[f32; 784]; WIDE]>,
        labels: [usize; BATCH],
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
                loaded: false,
            }
        }

        /// Copies the shared inputs into nn's typed batches once.
        fn load(&mut self, data: &Data) {
            if !self.loaded {
                self.x.as_flattened_mut().copy_from_slice(&data.x);
                self.x_wide.as_flattened_mut().copy_from_slice(&data.wide);
                self.labels.copy_from_slice(&data.labels);
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
    }
}

mod candle_impl {
    use super::*;
    use candle_core::{DType, Device, Tensor};
    use candle_nn::{
        AdamW, Linear, Module, Optimizer, ParamsAdamW, SGD, VarBuilder, VarMap, linear, loss, ops,
    };

    pub struct Candle {
        l1: Linear,
        l2: Linear,
        sgd: SGD,
        adam: AdamW,
        x: Option<(Tensor, Tensor, Tensor, Tensor)>,
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
