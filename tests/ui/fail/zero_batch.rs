// A batch of zero samples is refused where the trainer type is named.
use nn::prelude::*;
network! { Net = < Linear<4, 10>, Softmax > }
fn main() {
    let mut t = NetTrainer::<Sgd, 0>::new_boxed(Init::HeNormal, Sgd::new(0.1), 0);
    let labels: [usize; 0] = [];
    t.train_step(&[], &labels, &CrossEntropy);
}
