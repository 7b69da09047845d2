nn::network! { Net = < Linear<4, 8>, Dropout<1.5>, Linear<8, 2> > }
fn main() {}
