nn::network! { Net = < Linear<784>, ReLU<3>, Linear<8, 2.5> > }
fn main() {}
