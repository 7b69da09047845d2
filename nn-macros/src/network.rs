//! Resolving a spec: every layer's input and output shape, every joint
//! checked, every error collected (each at its own layer).
use crate::layers::{Entry, Kind, Produced, classify, implied_input, output};
use crate::parse::{LayerSpec, NetworkSpec};
use crate::shape::{Dims, MARKER, compact, with_markers};
use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::Ident;

/// A checked layer, ready for code generation.
pub struct Resolved {
    pub field: Ident,
    pub kind: Kind,
    pub input: Dims,
    pub output: Dims,
    /// For a `MaxUnpool2d`, the index of the `MaxPool2d` whose indices it uses.
    pub pair: Option<usize>,
    /// The layer's type, every size filled in.
    pub ty: TokenStream,
}

/// A piece of a weights file's signature: text the macro knows, or a size
/// the compiler evaluates.
pub enum SigPart {
    Text(String),
    Num(TokenStream),
}

impl Resolved {
    /// The layer as a weights file's signature names it: its full type and
    /// its settings, which change what it computes.
    fn signature(&self, krate: &TokenStream, parts: &mut Vec<SigPart>) {
        let (printed, exprs) =
            with_markers(|| self.kind.ty(&quote!(::nn), &self.input, &self.output));
        // A user's layer is named by its type, wherever the user keeps it.
        let printed = match &self.kind {
            Kind::Custom(_) => {
                let text = printed.to_string();
                let start = text.rfind("::").map_or(0, |at| at + 2);
                let generics = text.find('<').unwrap_or(text.len());
                match text[..generics].rfind("::") {
                    Some(at) => text[at + 2..].to_string(),
                    None => text[start.min(text.len())..].to_string(),
                }
            }
            _ => printed.to_string(),
        };
        let mut text = compact(&printed);
        if let Some(settings) = self.kind.settings() {
            text.push_str(&settings);
        }
        push_marked(&text, exprs, parts);
        if let Kind::Custom(ty) = &self.kind {
            // A user's type may name constants the macro cannot read: its
            // state's size is part of what files are checked against.
            let input = self.input.ty();
            parts.push(SigPart::Text("[".into()));
            parts.push(SigPart::Num(
                quote!(<#ty as #krate::layer::Layer<#input>>::STATE_LEN),
            ));
            parts.push(SigPart::Text("]".into()));
        }
    }
}

/// Splits printed text at its markers into text and the marked expressions.
fn push_marked(text: &str, exprs: Vec<TokenStream>, parts: &mut Vec<SigPart>) {
    let mut rest = text;
    while let Some(at) = rest.find(MARKER) {
        parts.push(SigPart::Text(rest[..at].to_string()));
        let digits = rest[at + MARKER.len()..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(rest.len() - at - MARKER.len(), |n| n);
        let end = at + MARKER.len() + digits;
        let index: usize = rest[at + MARKER.len()..end]
            .parse()
            .expect("a marker ends in its index");
        parts.push(SigPart::Num(exprs[index].clone()));
        rest = &rest[end..];
    }
    parts.push(SigPart::Text(rest.to_string()));
}

/// A checked network: its input shape and layers.
pub struct Network {
    pub krate: TokenStream,
    pub input: Dims,
    pub layers: Vec<Resolved>,
}

impl Network {
    /// What a weights file identifies the network by: its input shape and
    /// every layer's full type and settings, `|`-separated.
    pub fn signature(&self) -> Vec<SigPart> {
        let mut parts = Vec::new();
        let (input, exprs) = with_markers(|| self.input.ty());
        push_marked(&compact(&input.to_string()), exprs, &mut parts);
        for layer in &self.layers {
            parts.push(SigPart::Text("|".into()));
            layer.signature(&self.krate, &mut parts);
        }
        // Adjacent texts merge, so a network of known sizes has one literal.
        let mut merged: Vec<SigPart> = Vec::new();
        for part in parts {
            match (merged.last_mut(), part) {
                (Some(SigPart::Text(a)), SigPart::Text(b)) => a.push_str(&b),
                (_, part) => merged.push(part),
            }
        }
        merged
    }

    /// The shape after layer `i` (`dims(0)` is the input).
    pub fn dims(&self, i: usize) -> &Dims {
        if i == 0 {
            &self.input
        } else {
            &self.layers[i - 1].output
        }
    }
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut g = Group::new(group.delimiter(), respan(group.stream(), span));
                g.set_span(span);
                TokenTree::Group(g)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

fn error(spec: &LayerSpec, message: String) -> syn::Error {
    syn::Error::new_spanned(&spec.tokens, message)
}

/// A `MaxUnpool2d`'s shape rule: it restores the input shape of the
/// `MaxPool2d` it pairs with, which must have the same window and produce
/// what the unpooling receives.
fn unpool(
    kind: &Kind,
    layer: &str,
    prev: &Produced,
    pool: Option<&Resolved>,
) -> Result<Dims, String> {
    let Kind::MaxUnpool2d { k, s } = kind else {
        unreachable!("only for MaxUnpool2d")
    };
    let Some(pool) = pool else {
        return Err(format!(
            "`{layer}` has no `MaxPool2d` before it to take its indices from (each unpooling pairs with the nearest unpaired pooling)"
        ));
    };
    let Kind::MaxPool2d { k: pk, s: ps } = &pool.kind else {
        unreachable!("pairs are pools")
    };
    if pk.same(k) == Some(false) || ps.same(s) == Some(false) {
        return Err(format!(
            "`{layer}` undoes `{}` (window {}, stride {}) but has window {}, stride {}",
            pool.field,
            pk.text(),
            ps.text(),
            k.text(),
            s.text()
        ));
    }
    if prev.dims.same(&pool.output) == Some(false) {
        return Err(format!(
            "`{layer}` undoes `{}`, which produced {}, but `{}` produces {}",
            pool.field,
            pool.output.describe(),
            prev.producer,
            prev.dims.describe()
        ));
    }
    Ok(pool.input.clone())
}

/// Checks the spec. Every problem is reported, each at its own layer.
pub fn resolve(spec: &NetworkSpec) -> Result<Network, syn::Error> {
    let krate = &spec.krate;
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut input = None;
    let mut layers: Vec<Resolved> = Vec::new();
    let mut prev: Option<Produced> = None;
    // Max-pooling layers not yet undone by a `MaxUnpool2d`, innermost last.
    let mut open_pools: Vec<usize> = Vec::new();

    for (index, layer) in spec.layers.iter().enumerate() {
        let kind = match classify(layer) {
            Ok(Entry::Input(dims)) if index == 0 => {
                input = Some(dims.clone());
                prev = Some(Produced {
                    text: dims.product(krate),
                    dims,
                    producer: layer.display(),
                });
                continue;
            }
            Ok(Entry::Input(_)) => {
                errors.push(error(
                    layer,
                    "`Input<…>` can only be the first entry".into(),
                ));
                continue;
            }
            Ok(Entry::Layer(kind)) => kind,
            Err(e) => {
                errors.push(e);
                prev = None; // shapes after an unreadable layer are unknown
                continue;
            }
        };
        let current = match prev.take() {
            Some(p) => p,
            None => match implied_input(&kind) {
                Some(dims) => Produced {
                    dims,
                    producer: String::new(),
                    text: String::new(),
                },
                None if index == 0 => {
                    errors.push(error(
                        layer,
                        format!(
                            "cannot infer the network's input size from `{}`: start with `Input<N>` (or `Input<C, H, W>` for images) or a `Linear` layer",
                            layer.display()
                        ),
                    ));
                    continue;
                }
                None => continue,
            },
        };
        let pair = match kind {
            Kind::MaxUnpool2d { .. } => open_pools.pop(),
            _ => None,
        };
        let shape = match kind {
            Kind::MaxUnpool2d { .. } => {
                unpool(&kind, &layer.display(), &current, pair.map(|p| &layers[p]))
            }
            _ => output(krate, &kind, &layer.display(), &current),
        };
        let out = match shape {
            Ok(out) => out,
            Err(message) => {
                errors.push(error(layer, message));
                // Keep checking later joints from what this layer declares, if it does.
                if let Kind::Linear { outputs, .. } = &kind {
                    prev = Some(Produced {
                        dims: Dims::Flat(outputs.clone()),
                        producer: layer.display(),
                        text: outputs.text(),
                    });
                }
                continue;
            }
        };
        let field = layer.field.clone().unwrap_or_else(|| {
            let (base, span) = layer.base_name();
            format_ident!("{}{}", base, layers.len(), span = span)
        });
        if layers.iter().any(|l| l.field == field) {
            errors.push(syn::Error::new(
                field.span(),
                format!("two layers are named `{field}`"),
            ));
        }
        let text = match kind {
            Kind::Flatten => current.dims.product(krate),
            _ => out.product(krate),
        };
        prev = Some(Produced {
            dims: out.clone(),
            producer: layer.display(),
            text,
        });
        input.get_or_insert(current.dims.clone());
        if let Kind::MaxPool2d { .. } = kind {
            open_pools.push(layers.len());
        }
        // Layers that read sizes from their input see it as the rank they need.
        let seen = match &kind {
            Kind::Conv2d(_)
            | Kind::ConvTranspose2d(_)
            | Kind::MaxPool2d { .. }
            | Kind::AvgPool2d { .. }
            | Kind::MaxUnpool2d { .. } => current.dims.view(3, krate),
            Kind::Conv1d(_) => current.dims.view(2, krate),
            _ => current.dims.clone(),
        };
        // Errors the compiler finds in the layer's type underline the layer.
        let span = layer.tokens.clone().into_iter().next().map(|t| t.span());
        let ty = respan(
            kind.ty(krate, &seen, &out),
            span.unwrap_or_else(Span::call_site),
        );
        layers.push(Resolved {
            field,
            kind,
            input: current.dims,
            output: out,
            pair,
            ty,
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
            krate: krate.clone(),
            input: input.expect("a checked network has an input shape"),
            layers,
        }),
    }
}
