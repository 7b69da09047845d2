nn::network! { Net = < Linear<4, 8>, ReLU, Linear<8, 16>, Tanh, Linear<15, 4>, ReLU, Linear<4, 2> > }
fn main() {}
