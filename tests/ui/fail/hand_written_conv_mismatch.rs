use nn::prelude::*;

// Without the macro the compiler checks the convolution arithmetic: a 3×3
// kernel maps 6×6 to 4×4, so declaring a 5×5 output does not compile.
fn main() {
    let conv = Conv2d::<1, 2, 3, 5, 5>::zeroed();
    let _ = conv.forward(&[[[0.0; 6]; 6]; 1]);
}
