// int8 inference keeps no pooling indices, so an unpooling has no int8 form.
use nn::prelude::*;

network! {
    #[nn(int8)]
    Unpool = < Input<1, 4, 4>, MaxPool2d<2>, MaxUnpool2d<2> >
}

fn main() {}
