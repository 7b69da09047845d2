use nn::prelude::*;

/// Channel counts are types: an 8-channel output cannot feed a 3-channel conv.
fn run<N: Forward<[[[f32; 12]; 12]; 1]>>(net: &N) {
    let _ = net.forward(&[[[0.0; 12]; 12]; 1]);
}

fn main() {
    let chain = (Conv2d::<1, 8, 5, 8, 8>::zeroed(), ReLU, Conv2d::<3, 4, 3, 6, 6>::zeroed());
    run(&chain);
}
