// Per-channel layers must match the channel count they are given.
nn::network! { A = < Linear<4, 128>, BatchNorm1d<64> > }
nn::network! { B = < Input<3, 8, 8>, Conv2d<3, 8, 3>, BatchNorm2d<3> > }
nn::network! { C = < Linear<4, 16>, BatchNorm2d<16> > }
nn::network! { D = < Input<1, 8, 8>, Conv2d<1, 8, 3>, PReLU<4> > }
fn main() {}
