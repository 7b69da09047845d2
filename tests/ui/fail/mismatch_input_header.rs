nn::network! { Net = < Input<100>, Linear<784, 10>, Softmax > }
fn main() {}
