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

mod conv;
mod expand;
mod inference;
mod int8;
mod layers;
mod network;
mod parse;
mod shape;
mod summary;

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

/// The expansion is visible: `tests/snapshots/*.rs.snap` hold exactly what
/// `network!` generates for small networks, and this test fails when the
/// expansion changes until the snapshots are refreshed with
/// `NN_BLESS=1 cargo test -p nn-macros`.
#[cfg(test)]
mod snapshots {
    fn expansion(input: &str) -> String {
        let tokens: proc_macro2::TokenStream = input.parse().expect("valid tokens");
        let spec: crate::parse::NetworkSpec = syn::parse2(tokens).expect("a valid spec");
        let net = crate::network::resolve(&spec).unwrap_or_else(|e| panic!("{e}"));
        let file: syn::File = syn::parse2(crate::expand::expand(&spec, &net)).expect("items");
        prettyplease::unparse(&file)
    }

    fn check(name: &str, input: &str) {
        let path = format!(
            "{}/tests/snapshots/{name}.rs.snap",
            env!("CARGO_MANIFEST_DIR")
        );
        let header = format!(
            "// network! {{ {input} }}\n// Refresh: NN_BLESS=1 cargo test -p nn-macros\n\n"
        );
        let actual = header + &expansion(input);
        if std::env::var_os("NN_BLESS").is_some() {
            std::fs::write(&path, &actual).expect("write the snapshot");
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "the expansion of `{name}` changed; review it and refresh {path} with NN_BLESS=1"
        );
    }

    #[test]
    fn a_small_mlp() {
        check(
            "mlp",
            "pub Xor = < Linear<2, 8>, Tanh, Linear<8, 1>, Sigmoid >",
        );
    }

    #[test]
    fn a_residual_block() {
        check(
            "residual",
            "Block = < Input<4>, Residual<Linear<4, 4>, ReLU>, Linear<4, 2>, Softmax >",
        );
    }
}
