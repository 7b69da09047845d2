//! The layer table: what each layer name means, its arguments and its shape
//! rule. Resolving a spec checks every joint and collects every error.
use crate::parse::{LayerSpec, NetworkSpec};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, Lit};

/// Which known layer an entry is.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Linear { inputs: usize, outputs: usize },
    Activation(&'static str),
    Dropout(f32),
}

/// A checked layer, ready for code generation.
pub struct Resolved {
    pub field: Ident,
    pub kind: Kind,
    /// Feature count in and out.
    pub input: usize,
    pub output: usize,
    pub span: Span,
}

impl Resolved {
    /// The layer's type, as a path into `nn`.
    pub fn ty(&self) -> TokenStream {
        match self.kind {
            Kind::Linear { inputs, outputs } => quote!(::nn::layers::Linear<#inputs, #outputs>),
            Kind::Activation(name) => {
                let name = Ident::new(name, self.span);
                quote!(::nn::layers::#name)
            }
            Kind::Dropout(_) => quote!(::nn::layers::Dropout),
        }
    }

    pub fn num_params(&self) -> usize {
        match self.kind {
            Kind::Linear { inputs, outputs } => inputs * outputs + outputs,
            _ => 0,
        }
    }
}

/// A checked network: its layers and input size.
pub struct Network {
    pub input: usize,
    pub layers: Vec<Resolved>,
}

impl Network {
    /// Feature count after layer `i` (`dim(0)` is the input).
    pub fn dim(&self, i: usize) -> usize {
        if i == 0 {
            self.input
        } else {
            self.layers[i - 1].output
        }
    }
}

const ACTIVATIONS: [&str; 4] = ["ReLU", "Sigmoid", "Tanh", "Softmax"];
const KNOWN: &str =
    "Input<N>, Linear<IN, OUT>, ReLU, Sigmoid, Tanh, Softmax, Dropout or Dropout<P>";

fn usize_arg(lit: &Lit) -> Option<usize> {
    match lit {
        Lit::Int(i) => i.base10_parse().ok(),
        _ => None,
    }
}

fn float_arg(lit: &Lit) -> Option<f32> {
    match lit {
        Lit::Float(f) => f.base10_parse().ok(),
        Lit::Int(i) => i.base10_parse::<u32>().ok().map(|v| v as f32),
        _ => None,
    }
}

/// Reads the sizes of `Input<N>` / `Linear<I, O>`: `count` positive integers.
fn sizes(spec: &LayerSpec, count: usize, usage: &str) -> syn::Result<Vec<usize>> {
    let values: Option<Vec<usize>> = spec.args.iter().map(usize_arg).collect();
    match values {
        Some(v) if v.len() == count && v.iter().all(|&n| n > 0) => Ok(v),
        Some(v) if v.len() == count => Err(syn::Error::new_spanned(
            &spec.tokens,
            format!("`{}`: sizes must be at least 1", spec.display()),
        )),
        _ => Err(syn::Error::new_spanned(
            &spec.tokens,
            format!(
                "`{}` is malformed: write `{usage}` with positive integer sizes",
                spec.display()
            ),
        )),
    }
}

enum Entry {
    Input(usize),
    Layer(Kind),
}

fn classify(spec: &LayerSpec) -> syn::Result<Entry> {
    let name = spec.kind.to_string();
    match name.as_str() {
        "Input" => Ok(Entry::Input(sizes(spec, 1, "Input<N>")?[0])),
        "Linear" => {
            let s = sizes(spec, 2, "Linear<IN, OUT>")?;
            Ok(Entry::Layer(Kind::Linear {
                inputs: s[0],
                outputs: s[1],
            }))
        }
        "Dropout" => match spec.args.as_slice() {
            [] => Ok(Entry::Layer(Kind::Dropout(0.5))),
            [p] => match float_arg(p) {
                Some(p) if (0.0..1.0).contains(&p) => Ok(Entry::Layer(Kind::Dropout(p))),
                Some(p) => Err(syn::Error::new_spanned(
                    &spec.tokens,
                    format!(
                        "`{}`: the drop probability must be in [0, 1), got {p:?}",
                        spec.display()
                    ),
                )),
                None => Err(syn::Error::new_spanned(
                    &spec.tokens,
                    format!(
                        "`{}` is malformed: write `Dropout<P>` with a probability like 0.2",
                        spec.display()
                    ),
                )),
            },
            _ => Err(syn::Error::new_spanned(
                &spec.tokens,
                format!(
                    "`{}` is malformed: `Dropout` takes one probability, e.g. `Dropout<0.2>`",
                    spec.display()
                ),
            )),
        },
        _ => match ACTIVATIONS.iter().find(|&&a| a == name) {
            Some(&a) if spec.args.is_empty() => Ok(Entry::Layer(Kind::Activation(a))),
            Some(_) => Err(syn::Error::new_spanned(
                &spec.tokens,
                format!("`{name}` takes no arguments; write `{name}`"),
            )),
            None => Err(syn::Error::new(
                spec.kind.span(),
                format!("unknown layer `{name}`; the layers are: {KNOWN}"),
            )),
        },
    }
}

/// Checks the spec. Every problem is reported, each at its own layer.
pub fn resolve(spec: &NetworkSpec) -> Result<Network, syn::Error> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut input = None;
    let mut layers: Vec<Resolved> = Vec::new();
    // The previous layer's output size and how to name its producer.
    let mut prev: Option<(usize, String)> = None;

    for (index, layer) in spec.layers.iter().enumerate() {
        let kind = match classify(layer) {
            Ok(Entry::Input(n)) if index == 0 => {
                input = Some(n);
                prev = Some((n, layer.display()));
                continue;
            }
            Ok(Entry::Input(_)) => {
                errors.push(syn::Error::new_spanned(
                    &layer.tokens,
                    "`Input<N>` can only be the first entry",
                ));
                continue;
            }
            Ok(Entry::Layer(kind)) => kind,
            Err(e) => {
                errors.push(e);
                prev = None; // sizes after an unreadable layer are unknown
                continue;
            }
        };
        let (expected_in, output) = match kind {
            Kind::Linear { inputs, outputs } => (Some(inputs), Some(outputs)),
            _ => (None, None),
        };
        let actual_in = match (&prev, expected_in) {
            (Some((produced, producer)), Some(expected)) if *produced != expected => {
                errors.push(syn::Error::new_spanned(
                    &layer.tokens,
                    format!(
                        "`{}` expects {expected} inputs but `{producer}` produces {produced}",
                        layer.display()
                    ),
                ));
                expected
            }
            (Some((produced, _)), _) => *produced,
            (None, Some(expected)) => expected,
            (None, None) if index == 0 => {
                errors.push(syn::Error::new_spanned(
                    &layer.tokens,
                    format!(
                        "cannot infer the network's input size from `{}`: start with `Input<N>` or a `Linear` layer",
                        layer.display()
                    ),
                ));
                continue;
            }
            (None, None) => continue,
        };
        let output = output.unwrap_or(actual_in);
        let field = layer.field.clone().unwrap_or_else(|| {
            format_ident!(
                "{}{}",
                layer.kind.to_string().to_lowercase(),
                layers.len(),
                span = layer.kind.span()
            )
        });
        if layers.iter().any(|l| l.field == field) {
            errors.push(syn::Error::new(
                field.span(),
                format!("two layers are named `{field}`"),
            ));
        }
        prev = Some((output, layer.display()));
        input.get_or_insert(actual_in);
        layers.push(Resolved {
            field,
            kind,
            input: actual_in,
            output,
            span: layer.kind.span(),
        });
    }

    if spec.layers.is_empty() || (layers.is_empty() && errors.is_empty()) {
        errors.push(syn::Error::new_spanned(
            &spec.list_tokens,
            "a network needs at least one layer, e.g. `< Linear<4, 2>, Softmax >`",
        ));
    }
    match errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(errors) => Err(errors),
        None => Ok(Network {
            input: input.expect("a checked network has an input size"),
            layers,
        }),
    }
}
