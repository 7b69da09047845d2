use nn::prelude::*;
fn main() {
    let chain = (Linear::<4, 3>::zeroed(), ReLU, Linear::<3, 2>::zeroed(), Softmax);
    assert_eq!(chain.forward(&[1.0; 4]), [0.5, 0.5]);
}
