nn::network! { Net = < Linear<4, 10>, Maxout<3>, Linear<3, 2> > }
fn main() {}
