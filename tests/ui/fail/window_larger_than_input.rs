// A 5×5 kernel on a 4×4 input, a dilated kernel that outgrows its padding,
// a pooling window larger than its input, and a transposed convolution whose
// output would be empty.
nn::network! { A = < Input<1, 4, 4>, Conv2d<1, 2, 5> > }
nn::network! { B = < Input<1, 6, 6>, Conv2d<1, 2, 3, 1, 0, 3> > }
nn::network! { C = < Input<2, 3, 3>, MaxPool2d<4> > }
nn::network! { D = < Input<2, 1, 1>, ConvTranspose2d<2, 1, 1, 1, 1> > }
nn::network! { E = < Input<1, 10>, Conv1d<1, 1, 11> > }
fn main() {}
