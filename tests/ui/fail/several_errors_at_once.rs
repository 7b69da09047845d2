nn::network! { Net = < Linear<4, 8>, Linear<6, 3>, Swish, Dropout<2.0> > }
fn main() {}
