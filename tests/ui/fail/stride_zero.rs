nn::network! { Net = < Input<1, 8, 8>, Conv2d<1, 2, 3, 0>, AvgPool2d<2, 0>, Conv2d<2, 2, 0> > }
fn main() {}
