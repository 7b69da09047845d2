nn::network! { Net = < > }
fn main() {}
