//! The model summary `network!` generates: `Name::SUMMARY`, one row per
//! layer and residual join with its output shape, parameter count and
//! receptive field, all evaluated by the compiler, and `Name::summary()`.
use crate::expand::layer_trait;
use crate::network::{Network, Op};
use crate::shape::Dims;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A sample shape as an array expression of its dimensions.
fn shape(dims: &Dims, krate: &TokenStream) -> TokenStream {
    let v = |s: &crate::shape::Size| s.value();
    match dims {
        Dims::Flat(n) => {
            let n = v(n);
            quote!([#n])
        }
        Dims::Seq { c, l } => {
            let (c, l) = (v(c), v(l));
            quote!([#c, #l])
        }
        Dims::Img { c, h, w } => {
            let (c, h, w) = (v(c), v(h), v(w));
            quote!([#c, #h, #w])
        }
        Dims::Opaque { .. } => {
            let n = dims.len(krate).value();
            quote!([#n])
        }
    }
}

/// The `SUMMARY` constant and `summary()` of the model `name`.
pub fn summary(net: &Network, name: &syn::Ident) -> TokenStream {
    let krate = &net.krate;
    let p = quote!(#krate::__private);
    let field = |k: usize| format_ident!("rf{}", k);
    let mut steps = Vec::new();
    let mut rows = Vec::new();
    for op in &net.ops {
        let (row_name, written, params, output, rf) = match *op {
            Op::Layer(i) => {
                let l = &net.layers[i];
                let (x, y) = (field(l.input_buf), field(l.output_buf));
                let rf = l.kind.receptive(krate, quote!(#x));
                steps.push(quote!(let #y = #rf;));
                let params = match l.pair {
                    Some(_) => quote!(0),
                    None => {
                        let lt = layer_trait(net, l);
                        quote!(#lt::NUM_PARAMS)
                    }
                };
                (
                    l.field.to_string(),
                    l.written.clone(),
                    params,
                    l.output_buf,
                    y,
                )
            }
            Op::Add {
                a,
                b,
                output,
                ref name,
            } => {
                let (a, b, y) = (field(a), field(b), field(output));
                steps.push(quote!(let #y = #p::shape::ReceptiveField::join(#a, #b);));
                (name.clone(), "main + shortcut".into(), quote!(0), output, y)
            }
        };
        let output = shape(&net.buffers[output], krate);
        rows.push(quote! {
            #p::LayerSummary {
                name: #row_name,
                layer: #written,
                output: &#output,
                params: #params,
                receptive_field: #rf,
            }
        });
    }
    let input = shape(net.input(), krate);
    let first = field(0);
    let network = name.to_string();
    let doc = format!(
        "`{network}` layer by layer: name, type as written, output shape, parameters and \
         receptive field (the window of input each output sees), evaluated at compile time."
    );
    quote! {
        #[doc = #doc]
        // Sizes the compiler computes can print as `a - b` inside the shape
        // arrays, which clippy mistakes for a missing comma.
        #[allow(clippy::possible_missing_comma)]
        pub const SUMMARY: &'static [#p::LayerSummary] = &{
            let #first = #p::shape::ReceptiveField::INPUT;
            #( #steps )*
            [#( #rows ),*]
        };

        /// The layer table with totals; `Display` prints it (`println!("{}",
        /// Model::summary())`, or `println!("{model}")` on a model), as
        /// Keras' `model.summary()` does.
        #[allow(clippy::possible_missing_comma)]
        pub fn summary() -> #p::Summary {
            #p::Summary {
                network: #network,
                input: &#input,
                layers: Self::SUMMARY,
                model_bytes: Self::MODEL_BYTES,
                infer_ram_bytes: Self::INFER_RAM_BYTES,
                train_state_bytes: ::core::option::Option::None,
            }
        }
    }
}
