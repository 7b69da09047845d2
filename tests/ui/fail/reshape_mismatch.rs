nn::network! { Net = < Linear<4, 30>, Reshape<2, 4, 4>, ConvTranspose2d<2, 1, 2, 2> > }
fn main() {}
