nn::network! { Net = < Linear<4, 8>, Conv9d<3>, Linear<8, 2> > }
fn main() {}
