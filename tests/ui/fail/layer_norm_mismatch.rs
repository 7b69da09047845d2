nn::network! { Net = < Linear<4, 16>, LayerNorm<8>, Linear<16, 2> > }

fn main() {}
