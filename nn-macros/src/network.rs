//! Resolving a spec: every layer's input and output shape, every joint
//! checked, every error collected (each at its own layer), and the network
//! as a program: layers and residual additions reading and writing
//! numbered activation buffers (buffer 0 is the network's input).
use crate::layers::{Entry, Kind, Produced, classify, error, implied_input, output};
use crate::parse::{LayerKind, LayerSpec, NetworkSpec};
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
    /// The buffers it reads and writes.
    pub input_buf: usize,
    pub output_buf: usize,
    /// Its module path in PyTorch's names (`"3"`, `"3.main.0"`).
    pub torch: String,
    /// The layer as written (`Conv2d<1, 8, 5>`), for the summary.
    pub written: String,
}

/// One step of the forward pass.
pub enum Op {
    /// `net.layers[i]`, from its input buffer to its output buffer.
    Layer(usize),
    /// A residual join: `output = a + b`, named after its block.
    Add {
        a: usize,
        b: usize,
        output: usize,
        name: String,
    },
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
        let (printed, exprs) = with_markers(|| {
            let krate = quote!(::nn);
            let seen = self.kind.seen(&self.input, &krate);
            self.kind.ty(&krate, &seen, &self.output)
        });
        // A user's layer is named by its type, wherever the user keeps it.
        let printed = match &self.kind {
            Kind::Custom(_) => {
                let text = printed.to_string();
                let generics = text.find('<').unwrap_or(text.len());
                match text[..generics].rfind("::") {
                    Some(at) => text[at + 2..].to_string(),
                    None => text,
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
            .unwrap_or(rest.len() - at - MARKER.len());
        let end = at + MARKER.len() + digits;
        let index: usize = rest[at + MARKER.len()..end]
            .parse()
            .expect("a marker ends in its index");
        parts.push(SigPart::Num(exprs[index].clone()));
        rest = &rest[end..];
    }
    parts.push(SigPart::Text(rest.to_string()));
}

/// How the signature lists the network: layers, and the text around blocks.
enum SigItem {
    Layer(usize),
    Text(&'static str),
}

/// A checked network.
pub struct Network {
    pub krate: TokenStream,
    /// Every layer, blocks' layers included, in forward order.
    pub layers: Vec<Resolved>,
    /// The shape of each buffer.
    pub buffers: Vec<Dims>,
    pub ops: Vec<Op>,
    /// The buffer holding the network's output.
    pub output: usize,
    signature: Vec<SigItem>,
}

impl Network {
    /// What a weights file identifies the network by: its input shape and
    /// every layer's full type and settings, `|`-separated (a residual
    /// block as `Residual<main;shortcut>`).
    pub fn signature(&self) -> Vec<SigPart> {
        let mut parts = Vec::new();
        let (input, exprs) = with_markers(|| self.buffers[0].ty());
        push_marked(&compact(&input.to_string()), exprs, &mut parts);
        for item in &self.signature {
            match item {
                SigItem::Layer(i) => self.layers[*i].signature(&self.krate, &mut parts),
                SigItem::Text(text) => parts.push(SigPart::Text((*text).into())),
            }
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

    pub fn input(&self) -> &Dims {
        &self.buffers[0]
    }

    /// Which buffers depend on a parameter: those need a gradient.
    pub fn reach(&self) -> Vec<bool> {
        let mut reach = vec![false; self.buffers.len()];
        for op in &self.ops {
            match *op {
                Op::Layer(i) => {
                    let l = &self.layers[i];
                    reach[l.output_buf] = reach[l.input_buf] || l.kind.has_params();
                }
                Op::Add { a, b, output, .. } => reach[output] = reach[a] || reach[b],
            }
        }
        reach
    }
}

/// A layer's part of its PyTorch module path: its name when it has one
/// (`fc1: Linear<…>` → `fc1`, as a module attribute), else its position
/// (as in `nn.Sequential`).
fn torch_name(layer: &LayerSpec, position: usize) -> String {
    layer
        .field
        .as_ref()
        .map_or_else(|| position.to_string(), |name| name.to_string())
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

/// What flows between the entries of a chain: the shape, and its buffer.
#[derive(Clone)]
struct Flow {
    produced: Produced,
    buf: usize,
}

/// Where a chain sits: how its fields and PyTorch names are prefixed.
struct Place {
    field: String,
    torch: String,
    top: bool,
}

/// The network as it is being resolved.
struct Builder<'a> {
    krate: &'a TokenStream,
    errors: Vec<syn::Error>,
    layers: Vec<Resolved>,
    buffers: Vec<Dims>,
    ops: Vec<Op>,
    signature: Vec<SigItem>,
}

impl Builder<'_> {
    fn buffer(&mut self, dims: Dims) -> usize {
        self.buffers.push(dims);
        self.buffers.len() - 1
    }

    /// Resolves a chain from `flow` (or, at the top, from the input the
    /// first entry declares); returns what it produces, if that is known.
    fn chain(
        &mut self,
        specs: &[LayerSpec],
        mut flow: Option<Flow>,
        place: &Place,
    ) -> Option<Flow> {
        let krate = self.krate;
        // Max-pooling layers not yet undone by a `MaxUnpool2d`, innermost last.
        let mut open_pools: Vec<usize> = Vec::new();
        // Position among the chain's layers (PyTorch's `nn.Sequential` index).
        let mut position = 0usize;
        // Entries of the chain in the signature so far.
        let mut entries = 0;
        for (index, layer) in specs.iter().enumerate() {
            if let LayerKind::Block { name, layers } = &layer.kind {
                let field = layer.field.clone().unwrap_or_else(|| {
                    format_ident!(
                        "{}{}",
                        name.to_string().to_lowercase(),
                        position,
                        span = name.span()
                    )
                });
                let torch = format!("{}{}", place.torch, torch_name(layer, position));
                position += 1;
                self.separate(place, &mut entries);
                flow = match flow.take() {
                    Some(input) if name == "Residual" => self.residual(
                        layer,
                        layers,
                        input,
                        &format!("{}{field}_", place.field),
                        &torch,
                    ),
                    Some(_) => {
                        self.errors.push(error(
                            layer,
                            "`Shortcut<…>` belongs at the end of a `Residual<…>`: `Residual<main layers…, Shortcut<projection layers…>>`".into(),
                        ));
                        None
                    }
                    None if index == 0 => {
                        self.errors.push(error(
                            layer,
                            "cannot infer the network's input size from a block: start with `Input<N>` (or `Input<C, H, W>` for images)".into(),
                        ));
                        None
                    }
                    None => None,
                };
                continue;
            }
            let kind = match classify(layer) {
                Ok(Entry::Input(dims)) if index == 0 && place.top => {
                    let buf = self.buffer(dims.clone());
                    flow = Some(Flow {
                        produced: Produced {
                            text: dims.product(krate),
                            dims,
                            producer: layer.display(),
                        },
                        buf,
                    });
                    continue;
                }
                Ok(Entry::Input(_)) => {
                    self.errors.push(error(
                        layer,
                        "`Input<…>` can only be the first entry".into(),
                    ));
                    continue;
                }
                Ok(Entry::Layer(kind)) => kind,
                Err(e) => {
                    self.errors.push(e);
                    flow = None; // shapes after an unreadable layer are unknown
                    continue;
                }
            };
            let current = match flow.take() {
                Some(f) => f,
                None => match implied_input(&kind) {
                    Some(dims) if index == 0 && place.top => Flow {
                        buf: self.buffer(dims.clone()),
                        produced: Produced {
                            dims,
                            producer: String::new(),
                            text: String::new(),
                        },
                    },
                    None if index == 0 && place.top => {
                        self.errors.push(error(
                            layer,
                            format!(
                                "cannot infer the network's input size from `{}`: start with `Input<N>` (or `Input<C, H, W>` for images), a `Linear`, `LayerNorm` or `Standardizer` layer",
                                layer.display()
                            ),
                        ));
                        continue;
                    }
                    _ => continue,
                },
            };
            let pair = match kind {
                Kind::MaxUnpool2d { .. } => open_pools.pop(),
                _ => None,
            };
            let shape = match kind {
                Kind::MaxUnpool2d { .. } => unpool(
                    &kind,
                    &layer.display(),
                    &current.produced,
                    pair.map(|p| &self.layers[p]),
                ),
                _ => output(krate, &kind, &layer.display(), &current.produced),
            };
            let out = match shape {
                Ok(out) => out,
                Err(message) => {
                    self.errors.push(error(layer, message));
                    // Keep checking later joints from what this layer declares, if it does.
                    if let Kind::Linear { outputs, .. } = &kind {
                        let dims = Dims::Flat(outputs.clone());
                        flow = Some(Flow {
                            buf: self.buffer(dims.clone()),
                            produced: Produced {
                                dims,
                                producer: layer.display(),
                                text: outputs.text(),
                            },
                        });
                    }
                    continue;
                }
            };
            let field = match &layer.field {
                Some(f) => format_ident!("{}{}", place.field, f, span = f.span()),
                None => {
                    let (base, span) = layer.base_name();
                    format_ident!("{}{}{}", place.field, base, position, span = span)
                }
            };
            if self.layers.iter().any(|l| l.field == field) {
                self.errors.push(syn::Error::new(
                    field.span(),
                    format!("two layers are named `{field}`"),
                ));
            }
            let text = match kind {
                Kind::Flatten => current.produced.dims.product(krate),
                _ => out.product(krate),
            };
            let output_buf = self.buffer(out.clone());
            flow = Some(Flow {
                produced: Produced {
                    dims: out.clone(),
                    producer: layer.display(),
                    text,
                },
                buf: output_buf,
            });
            if let Kind::MaxPool2d { .. } = kind {
                open_pools.push(self.layers.len());
            }
            let dims = &current.produced.dims;
            let seen = kind.seen(dims, krate);
            // Errors the compiler finds in the layer's type underline the layer.
            let span = layer.tokens.clone().into_iter().next().map(|t| t.span());
            let ty = respan(
                kind.ty(krate, &seen, &out),
                span.unwrap_or_else(Span::call_site),
            );
            self.separate(place, &mut entries);
            self.signature.push(SigItem::Layer(self.layers.len()));
            self.ops.push(Op::Layer(self.layers.len()));
            self.layers.push(Resolved {
                field,
                kind,
                input: current.produced.dims,
                output: out,
                pair,
                ty,
                input_buf: current.buf,
                output_buf,
                torch: format!("{}{}", place.torch, torch_name(layer, position)),
                written: layer.display(),
            });
            position += 1;
        }
        flow
    }

    /// The `|` before an entry of a chain (at the top, after the input).
    fn separate(&mut self, place: &Place, entries: &mut usize) {
        if place.top || *entries > 0 {
            self.signature.push(SigItem::Text("|"));
        }
        *entries += 1;
    }

    /// A residual block on `input`: its main chain, its shortcut (the
    /// trailing `Shortcut<…>`, or the identity), and their sum, whose shapes
    /// must agree.
    fn residual(
        &mut self,
        spec: &LayerSpec,
        layers: &[LayerSpec],
        input: Flow,
        field: &str,
        torch: &str,
    ) -> Option<Flow> {
        let (main, shortcut) = match layers.split_last() {
            Some((
                LayerSpec {
                    kind: LayerKind::Block { name, layers: s },
                    ..
                },
                main,
            )) if name == "Shortcut" => (main, Some(s.as_slice())),
            _ => (layers, None),
        };
        if main.is_empty() {
            self.errors.push(error(
                spec,
                "a `Residual<…>` needs at least one layer on its main branch, e.g. `Residual<Linear<8, 8>, ReLU>`".into(),
            ));
            return None;
        }
        self.signature.push(SigItem::Text("Residual<"));
        let main_out = self.chain(
            main,
            Some(input.clone()),
            &Place {
                field: field.to_string(),
                torch: format!("{torch}.main."),
                top: false,
            },
        );
        let short_out = match shortcut {
            Some(layers) => {
                self.signature.push(SigItem::Text(";"));
                self.chain(
                    layers,
                    Some(input.clone()),
                    &Place {
                        field: format!("{field}shortcut_"),
                        torch: format!("{torch}.shortcut."),
                        top: false,
                    },
                )
            }
            None => Some(input.clone()),
        };
        self.signature.push(SigItem::Text(">"));
        let (main_out, short_out) = (main_out?, short_out?);
        let (m, s) = (&main_out.produced.dims, &short_out.produced.dims);
        if m.same(s) == Some(false) {
            let shortcut = match shortcut {
                Some(_) => format!("the shortcut ends in {}", s.describe()),
                None => format!(
                    "the identity shortcut carries the input, {} (add a `Shortcut<…>` projection)",
                    s.describe()
                ),
            };
            self.errors.push(error(
                spec,
                format!(
                    "`Residual`: the main branch ends in {} but {shortcut}; {}",
                    m.describe(),
                    m.difference(s)
                ),
            ));
            return None;
        }
        let output = self.buffer(m.clone());
        self.ops.push(Op::Add {
            a: main_out.buf,
            b: short_out.buf,
            output,
            name: field.trim_end_matches('_').to_string(),
        });
        Some(Flow {
            produced: Produced {
                dims: m.clone(),
                producer: spec.display(),
                text: main_out.produced.text,
            },
            buf: output,
        })
    }
}

/// Checks the spec. Every problem is reported, each at its own layer.
pub fn resolve(spec: &NetworkSpec) -> Result<Network, syn::Error> {
    let mut b = Builder {
        krate: &spec.krate,
        errors: Vec::new(),
        layers: Vec::new(),
        buffers: Vec::new(),
        ops: Vec::new(),
        signature: Vec::new(),
    };
    let top = Place {
        field: String::new(),
        torch: String::new(),
        top: true,
    };
    let output = b.chain(&spec.layers, None, &top);
    if spec.layers.is_empty() || (b.layers.is_empty() && b.errors.is_empty()) {
        b.errors.push(syn::Error::new_spanned(
            &spec.list_tokens,
            "a network needs at least one layer, e.g. `< Linear<4, 2>, Softmax >`",
        ));
    }
    match b.errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(errors) => Err(errors),
        None => Ok(Network {
            krate: spec.krate.clone(),
            output: output.expect("a checked network has an output").buf,
            layers: b.layers,
            buffers: b.buffers,
            ops: b.ops,
            signature: b.signature,
        }),
    }
}
