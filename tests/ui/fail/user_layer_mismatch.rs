// A user's layer produces 4 features; the `Linear` after it expects 6. The
// macro cannot see the user type's output, the compiler can.
use nn::layers::Activation;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Halve;

// SAFETY: a unit struct has no bytes.
unsafe impl nn::mem::Zeroable for Halve {}

impl Activation for Halve {
    fn apply(&self, x: &[f32], y: &mut [f32]) {
        for (x, y) in x.iter().zip(y) {
            *y = x / 2.0;
        }
    }
    fn backprop(&self, _x: &[f32], _y: &[f32], d: &mut [f32]) {
        d.iter_mut().for_each(|d| *d /= 2.0);
    }
}

nn::network! { Net = < Linear<3, 4>, self::Halve, Linear<6, 2> > }

fn main() {}
