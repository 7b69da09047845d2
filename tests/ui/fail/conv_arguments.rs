// Groups must divide both channel counts.
nn::network! { A = < Input<6, 8, 8>, Conv2d<6, 9, 3, groups = 2> > }
// An even kernel at stride 1 has no symmetric "same" padding.
nn::network! { B = < Input<1, 8, 8>, Conv2d<1, 4, (3, 2), padding = same> > }
// Keyword arguments are PyTorch's names.
nn::network! { C = < Input<1, 8, 8>, Conv2d<1, 4, 3, strides = 2> > }
// Positional sizes come first.
nn::network! { D = < Input<1, 8, 8>, Conv2d<1, 4, stride = 2, 3> > }
// A sequence has one axis.
nn::network! { E = < Input<1, 8>, Conv1d<1, 4, (3, 1)> > }
// Depthwise means the input's channels.
nn::network! { F = < Input<3, 8, 8>, DepthwiseConv2d<4, 3> > }
fn main() {}
