nn::network! { pub Net = < Linear<4, 8>, ReLU, Linear<8, 16>, Linear<12, 2> > }
fn main() {}
