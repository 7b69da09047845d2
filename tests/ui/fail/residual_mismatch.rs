// Both branches of a residual block must end in the same shape: here the
// main branch halves the image and doubles the channels, the identity
// shortcut keeps the input, and a projection keeps the size.
nn::network! { A = < Input<4, 8, 8>, Residual<Conv2d<4, 8, 3, 2, 1>, ReLU>, Flatten > }

nn::network! {
    B = < Input<4, 8, 8>, Residual<Conv2d<4, 8, 3, 2, 1>, Shortcut<Conv2d<4, 8, 1>>>, Flatten >
}

nn::network! { C = < Input<8>, Residual<Linear<8, 4>>, Linear<4, 2> > }

nn::network! { D = < Input<8>, Shortcut<Linear<8, 8>>, Linear<8, 2> > }

fn main() {}
