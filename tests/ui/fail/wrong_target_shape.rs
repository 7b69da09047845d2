use nn::prelude::*;
network! { Net = < Linear<4, 10>, Softmax > }
fn main() {
    let mut t = NetTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), 0);
    t.train_step(&[[0.0; 4]; 2], &[[0.0f32; 9]; 2], &Mse);
}
