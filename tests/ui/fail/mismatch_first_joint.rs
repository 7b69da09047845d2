nn::network! { Net = < Linear<784, 128>, Linear<100, 10>, ReLU, Linear<10, 2> > }
fn main() {}
