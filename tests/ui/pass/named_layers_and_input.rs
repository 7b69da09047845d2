use nn::prelude::*;
network! { pub(crate) Tiny = < Input<3>, Tanh, hidden: Linear<3, 2>, out: Linear<2, 1> > }
fn main() {
    let model = Tiny::new_boxed(Init::XavierUniform, 1);
    let _ = (model.hidden.weight, model.out.bias, model.tanh0);
    assert_eq!(Tiny::NUM_PARAMS, 3 * 2 + 2 + 2 + 1);
}
