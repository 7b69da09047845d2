use nn::prelude::*;
network! {
    /// The design's network.
    pub Mnist = < Linear<784, 128>, ReLU, Dropout, Linear<128, 10>, Softmax >
}
fn main() {
    let mut t = MnistTrainer::<Sgd, 2>::new_boxed(Init::HeNormal, Sgd::new(0.1), 0);
    let loss = t.train_step(&[[0.5; 784]; 2], &[3usize, 7], &CrossEntropy);
    assert!(loss.is_finite());
    assert_eq!(t.model.dropout2.p(), 0.5);
    assert!(t.model.predict(&[0.5; 784]) < 10);
}
