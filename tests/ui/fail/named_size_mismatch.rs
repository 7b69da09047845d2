// A named size the macro cannot read: the compiler still rejects the joint.
const HIDDEN: usize = 64;

nn::network! { Net = < Linear<784, HIDDEN>, ReLU, Linear<32, 10> > }

fn main() {}
