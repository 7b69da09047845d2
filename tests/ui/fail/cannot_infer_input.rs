nn::network! { Net = < ReLU, Linear<4, 2> > }
fn main() {}
