//! Syntax: `[attrs] [vis] Name = < [field:] Layer[<args>], ... >`, where a
//! layer is one of nn's (`Linear<784, HIDDEN>`) or a path to the user's own
//! (`crate::layers::Gate<16>`), and `#[nn(crate = path)]` names the `nn`
//! crate when it is renamed; `#[nn(int8)]` adds the int8 network.
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Lit, Token, Visibility};

/// The whole macro input.
pub struct NetworkSpec {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// How the expansion names the `nn` crate (`::nn` unless renamed).
    pub krate: TokenStream,
    /// `#[nn(int8)]`: also generate `{Name}Int8`, calibration and quantization.
    pub int8: bool,
    pub layers: Vec<LayerSpec>,
    /// The `< ... >` delimiters, for errors about the list as a whole.
    pub list_tokens: TokenStream,
}

/// One argument of a built-in layer.
pub enum Arg {
    /// A number literal, possibly negated (`HardTanh<-2.0, 2.0>`).
    Number { negative: bool, lit: Lit },
    /// A named constant (`HIDDEN`, `sizes::WIDTH`) or a `{ block }`: a size
    /// the compiler evaluates.
    Const { tokens: TokenStream, is_path: bool },
    /// A per-axis pair, rows first: `(10, 4)`.
    Pair(Box<Arg>, Box<Arg>),
    /// A keyword argument, as in PyTorch: `stride = 2`, `padding = same`.
    Named { name: Ident, value: Box<Arg> },
}

impl Arg {
    /// The argument as a float, if it is a number literal.
    pub fn as_f32(&self) -> Option<f32> {
        let Arg::Number { negative, lit } = self else {
            return None;
        };
        let v = match lit {
            Lit::Float(f) => f.base10_parse::<f32>().ok()?,
            Lit::Int(i) => i.base10_parse::<u32>().ok()? as f32,
            _ => return None,
        };
        Some(if *negative { -v } else { v })
    }

    /// The argument as a size: a non-negative integer literal (`Ok(Some)`),
    /// a constant expression (`Ok(None)`, the tokens are in `self`), or
    /// neither (`Err`).
    pub fn as_usize(&self) -> Result<Option<usize>, ()> {
        match self {
            Arg::Number {
                negative: false,
                lit: Lit::Int(i),
            } => i.base10_parse().map(Some).map_err(|_| ()),
            Arg::Const { .. } => Ok(None),
            _ => Err(()),
        }
    }

    /// Whether the argument is the bare word `word` (`same`).
    pub fn is_word(&self, word: &str) -> bool {
        matches!(self, Arg::Const { tokens, is_path: true } if tokens.to_string() == word)
    }

    pub fn text(&self) -> String {
        match self {
            Arg::Pair(rows, columns) => format!("({}, {})", rows.text(), columns.text()),
            Arg::Named { name, value } => format!("{name} = {}", value.text()),
            _ => crate::shape::compact(&self.to_token_stream().to_string()),
        }
    }
}

impl ToTokens for Arg {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Arg::Number { negative, lit } => {
                if *negative {
                    tokens.extend(quote!(-));
                }
                lit.to_tokens(tokens);
            }
            Arg::Const { tokens: t, .. } => t.to_tokens(tokens),
            Arg::Pair(a, b) => tokens.extend(quote!((#a, #b))),
            Arg::Named { name, value } => tokens.extend(quote!(#name = #value)),
        }
    }
}

/// What an entry of the layer list names.
pub enum LayerKind {
    /// One of nn's layers (or `Input`), by its name.
    Builtin { name: Ident, args: Vec<Arg> },
    /// A layer type of the user's, by path (`crate::Swish`, `my::Gate<16>`).
    Custom(syn::TypePath),
    /// A block of layers: `Residual<…>`, or the `Shortcut<…>` that ends one.
    Block { name: Ident, layers: Vec<LayerSpec> },
}

/// One entry of the layer list, as written.
pub struct LayerSpec {
    pub field: Option<Ident>,
    pub kind: LayerKind,
    /// The layer's tokens as written (name and arguments), for errors that
    /// underline the whole layer.
    pub tokens: TokenStream,
}

impl LayerSpec {
    /// The layer as the user wrote it, normalized: `Linear<784, 128>`.
    pub fn display(&self) -> String {
        match &self.kind {
            LayerKind::Builtin { name, args } if args.is_empty() => name.to_string(),
            LayerKind::Builtin { name, args } => {
                let args: Vec<String> = args.iter().map(Arg::text).collect();
                format!("{name}<{}>", args.join(", "))
            }
            LayerKind::Custom(path) => {
                crate::shape::compact(&path.to_token_stream().to_string()).replace(',', ", ")
            }
            LayerKind::Block { name, .. } => format!("{name}<…>"),
        }
    }

    /// The name a field is derived from: `linear` for `Linear<…>`, `swish`
    /// for `my::Swish`.
    pub fn base_name(&self) -> (String, proc_macro2::Span) {
        match &self.kind {
            LayerKind::Builtin { name, .. } | LayerKind::Block { name, .. } => {
                (name.to_string().to_lowercase(), name.span())
            }
            LayerKind::Custom(path) => {
                let last = path.path.segments.last().expect("a path has a segment");
                (last.ident.to_string().to_lowercase(), last.ident.span())
            }
        }
    }
}

/// The `#[nn(...)]` options: how the expansion names the `nn` crate, and
/// whether it generates the int8 network.
struct Options {
    krate: TokenStream,
    int8: bool,
}

/// Reads `#[nn(crate = path, int8)]` out of the attributes, if present.
fn nn_options(attrs: &mut Vec<Attribute>) -> syn::Result<Options> {
    let mut options = Options {
        krate: quote!(::nn),
        int8: false,
    };
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
        if !attr.path().is_ident("nn") {
            kept.push(attr);
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let path: syn::Path = meta.value()?.parse()?;
                options.krate = path.to_token_stream();
                Ok(())
            } else if meta.path.is_ident("int8") {
                options.int8 = true;
                Ok(())
            } else {
                Err(meta.error(
                    "`nn` options are `crate = path` (the `nn` crate renamed, e.g. `#[nn(crate = my_nn)]`) and `int8` (generate the int8 network)",
                ))
            }
        })?;
    }
    *attrs = kept;
    Ok(options)
}

impl Parse for NetworkSpec {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let Options { krate, int8 } = nn_options(&mut attrs)?;
        let vis: Visibility = input.parse()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let open = input.parse::<Token![<]>()?;
        let layers = parse_list(input)?;
        let close = input.parse::<Token![>]>()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the layer list's closing `>`"));
        }
        let list_tokens = quote::quote!(#open #close);
        Ok(Self {
            attrs,
            vis,
            name,
            krate,
            int8,
            layers,
            list_tokens,
        })
    }
}

/// Layers separated by commas (a trailing one allowed), up to a `>`.
fn parse_list(input: ParseStream) -> syn::Result<Vec<LayerSpec>> {
    let mut layers = Vec::new();
    while !input.peek(Token![>]) {
        layers.push(input.parse()?);
        if input.peek(Token![>]) {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(layers)
}

/// Whether the input continues with a path to a user's type.
fn peek_path(input: ParseStream) -> bool {
    input.peek(Token![::])
        || input.peek(Token![crate])
        || input.peek(Token![self])
        || input.peek(Token![super])
        || (input.peek(Ident) && input.peek2(Token![::]))
}

fn parse_arg(input: ParseStream, kind: &Ident) -> syn::Result<Arg> {
    if input.peek(Ident) && input.peek2(Token![=]) {
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let value = parse_arg(input, kind)?;
        return Ok(Arg::Named {
            name,
            value: Box::new(value),
        });
    }
    if input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in input);
        let rows = parse_arg(&content, kind)?;
        content.parse::<Token![,]>()?;
        let columns = parse_arg(&content, kind)?;
        content.parse::<Option<Token![,]>>()?;
        if !content.is_empty() {
            return Err(content.error("a pair has two values, rows first: `(10, 4)`"));
        }
        return Ok(Arg::Pair(Box::new(rows), Box::new(columns)));
    }
    if input.peek(syn::token::Brace) {
        // The braces are dropped: the expansion adds its own where an
        // expression needs them (so no `unused_braces` at the user's code).
        let content;
        syn::braced!(content in input);
        let tokens: TokenStream = content.parse()?;
        return Ok(Arg::Const {
            tokens: quote!((#tokens)),
            is_path: false,
        });
    }
    if input.peek(Ident) || input.peek(Token![::]) || input.peek(Token![crate]) {
        let path = syn::Path::parse_mod_style(input)?;
        return Ok(Arg::Const {
            tokens: path.to_token_stream(),
            is_path: true,
        });
    }
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let lit: Lit = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("`{kind}` arguments are numbers or named constants, e.g. `Linear<784, HIDDEN>` or `Dropout<0.2>`"),
        )
    })?;
    Ok(Arg::Number { negative, lit })
}

impl Parse for LayerSpec {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let field = if input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
            let field: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            Some(field)
        } else {
            None
        };
        if peek_path(input) {
            let path: syn::TypePath = input.parse()?;
            let tokens = path.to_token_stream();
            return Ok(Self {
                field,
                kind: LayerKind::Custom(path),
                tokens,
            });
        }
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a layer, e.g. `Linear<784, 128>`, `ReLU` or a path to your own layer type",
            )
        })?;
        if (name == "Residual" || name == "Shortcut") && input.peek(Token![<]) {
            let open = input.parse::<Token![<]>()?;
            let layers = parse_list(input)?;
            let close = input.parse::<Token![>]>()?;
            return Ok(Self {
                field,
                tokens: quote::quote!(#name #open #close),
                kind: LayerKind::Block { name, layers },
            });
        }
        let mut tokens = quote::quote!(#name);
        let mut args = Vec::new();
        if input.peek(Token![<]) {
            let open = input.parse::<Token![<]>()?;
            while !input.peek(Token![>]) {
                args.push(parse_arg(input, &name)?);
                if input.peek(Token![>]) {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            let close = input.parse::<Token![>]>()?;
            tokens = quote::quote!(#name #open #(#args),* #close);
        }
        Ok(Self {
            field,
            kind: LayerKind::Builtin { name, args },
            tokens,
        })
    }
}
