use nn::prelude::*;

network! {
    Wrong = < Linear<4, 8>, ReLU, Dropout2d<0.2>, Linear<8, 2> >
}

fn main() {}
