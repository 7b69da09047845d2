use nn::prelude::*;

/// Hand-written chains are checked where they are used as a network.
fn classify<N: Forward<[f32; 784], Out = [f32; 10]>>(net: &N, x: &[f32; 784]) -> usize {
    argmax(&net.forward(x))
}

fn main() {
    let chain = (Linear::<784, 128>::zeroed(), ReLU, Linear::<64, 10>::zeroed());
    let _ = classify(&chain, &[0.0; 784]);
}
