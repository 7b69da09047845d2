// The example: the Linear layer was sized for 13×13 maps.
nn::network! { Net = < Input<1, 28, 28>, Conv2d<1, 8, 5>, ReLU, MaxPool2d<2>, Flatten, Linear<1352, 10> > }
fn main() {}
