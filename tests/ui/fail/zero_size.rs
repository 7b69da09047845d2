nn::network! { Net = < Linear<0, 8>, ReLU > }
fn main() {}
