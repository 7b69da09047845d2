// Dense layers take vectors, 2-D layers take images, 1-D layers sequences.
nn::network! { A = < Input<1, 28, 28>, Conv2d<1, 4, 3>, Linear<2704, 10> > }
nn::network! { B = < Input<784>, Conv2d<1, 4, 3> > }
nn::network! { C = < Input<1, 8, 8>, Conv1d<1, 2, 3> > }
nn::network! { D = < Input<16>, MaxPool2d<2> > }
nn::network! { E = < Conv2d<1, 4, 3>, ReLU > }
fn main() {}
