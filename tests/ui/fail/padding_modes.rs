use nn::prelude::*;
network! { A = < Input<1, 2, 6>, Conv2d<1, 3, 3, padding = 2, padding_mode = reflect>, Flatten > }
network! { B = < Input<1, 4>, Conv1d<1, 3, 3, padding = 1, padding_mode = mirror>, Flatten > }
network! { C = < Input<1, 4, 4>, ConvTranspose2d<1, 3, 3, padding_mode = reflect>, Flatten > }
network! { #[nn(int8)] D = < Input<1, 4, 4>, Conv2d<1, 3, 3, padding = 1, padding_mode = circular>, Flatten > }
network! { E = < Input<1, 3>, Conv1d<1, 3, 3, padding = 4, padding_mode = circular>, Flatten > }
fn main() {}
