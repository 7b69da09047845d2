// int8 folds a batch norm into the convolution or linear layer before it;
// after a ReLU there is none, and the macro says so at the batch norm.
use nn::prelude::*;

network! {
    #[nn(int8)]
    Late = < Linear<4, 8>, ReLU, BatchNorm1d<8>, Linear<8, 2> >
}

fn main() {}
