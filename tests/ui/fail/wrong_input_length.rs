use nn::prelude::*;
network! { Mnist = < Linear<784, 128>, ReLU, Linear<128, 10>, Softmax > }
fn main() {
    let model = Mnist::new_boxed(Init::HeNormal, 0);
    let _ = model.forward(&[0.0; 100]);
}
