// Counts of one read as one: "(1 channel)", "1 input channel".
nn::network! { A = < Input<1, 8, 8>, Conv2d<3, 8, 3> > }
nn::network! { B = < Input<1, 8, 8>, BatchNorm2d<2> > }
nn::network! { C = < Input<3, 8, 8>, Conv2d<3, 1, 3>, Conv2d<1, 1, 3>, BatchNorm2d<2> > }
fn main() {}
