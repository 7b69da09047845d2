//! The `network!` procedural macro of `nn`. Use it through the `nn` crate,
//! which documents it with examples: the expansion names paths in `::nn`
//! (or the crate named by `#[nn(crate = …)]`).
//!
//! The macro reads a layer list (`parse`), works out every joint's shape
//! with `nn-shape`'s rules and reports each mismatch at the offending layer,
//! with both layers and both numbers (`layers`, `network`), and emits a
//! model struct with one field per layer plus a trainer struct with
//! fixed-size gradients, optimizer state, activations and workspace, and
//! unrolled forward/backward code over the `nn-core` layer traits
//! (`expand`).
#![warn(missing_docs)]

mod expand;
mod layers;
mod network;
mod parse;
mod shape;

use proc_macro::TokenStream;

/// Declares a network type; see the `nn` crate's documentation.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let spec = syn::parse_macro_input!(input as parse::NetworkSpec);
    match network::resolve(&spec) {
        Ok(net) => expand::expand(&spec, &net).into(),
        Err(errors) => errors.into_compile_error().into(),
    }
}
