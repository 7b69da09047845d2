nn::network! { Net = < Input<3, 32, 32>, Conv2d<3, 8, 5>, ReLU, Conv2d<6, 16, 5>, ConvTranspose2d<4, 1, 2, 2> > }
fn main() {}
