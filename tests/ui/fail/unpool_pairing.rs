// Each MaxUnpool2d pairs with the nearest unpaired MaxPool2d: there must be
// one, with the same window, producing what the unpooling receives.
nn::network! { A = < Input<1, 8, 8>, MaxUnpool2d<2> > }
nn::network! { B = < Input<1, 8, 8>, MaxPool2d<2>, MaxUnpool2d<4> > }
nn::network! { C = < Input<1, 8, 8>, MaxPool2d<2>, Conv2d<1, 2, 3, 1, 1>, MaxUnpool2d<2> > }
fn main() {}
