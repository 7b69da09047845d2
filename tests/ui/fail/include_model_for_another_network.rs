// A flash image written for `Xor` (2-8-1) embedded as a 2-16-1 network: the
// image is checked at compile time, so this is a build error, not a
// start-up failure.
use nn::prelude::*;

network! { Wider = < Linear<2, 16>, Tanh, Linear<16, 1>, Sigmoid > }

static MODEL: &Wider = nn::include_model!(Wider, "../../fixtures/xor.nni");

fn main() {
    let _ = MODEL.forward(&[0.0, 1.0]);
}
