//! nn's layer vocabulary: how each built-in layer is written in `network!`
//! (its arguments and the defaults of omitted ones), the fully sized type it
//! becomes, and its shape rule, which words every mismatch. Every count the
//! generated code needs (parameters, state, GEMM width, loss fusion) comes
//! from the layer types' own constants instead, and every shape this table
//! works out is checked against the type's `Forward::Out` when the
//! expansion compiles.
use crate::conv::{Conv, Form};
use crate::parse::{Arg, LayerKind, LayerSpec};
use crate::shape::{Dims, Size};
use nn_shape::defaults;
use proc_macro2::TokenStream;
use quote::quote;

/// Which layer an entry is, with its arguments.
#[derive(Clone)]
pub enum Kind {
    Linear {
        inputs: Size,
        outputs: Size,
    },
    /// A layer of the [`SIMPLE`] table, with its sizes.
    Simple(&'static Simple, Vec<Size>),
    LeakyReLU(f32),
    Elu(f32),
    HardTanh(f32, f32),
    /// Drop probability, and how many trailing dimensions a dropped unit
    /// spans: 0 (`Dropout`), 1 (`Dropout1d`), 2 (`Dropout2d`).
    Dropout(f32, usize),
    GaussianNoise(f32),
    /// The L1 penalty's strength on the activations passing through.
    ActivityL1(f32),
    /// One slope, or one per channel.
    PReLU(Option<Size>),
    BatchNorm1d(Size),
    BatchNorm2d(Size),
    Maxout(Size),
    Conv2d(Box<Conv>),
    Conv1d(Box<Conv>),
    ConvTranspose2d(Box<Conv>),
    /// Undoes the `MaxPool2d` it is paired with.
    MaxUnpool2d {
        k: Size,
        s: Size,
    },
    MaxPool2d {
        k: Size,
        s: Size,
    },
    AvgPool2d {
        k: Size,
        s: Size,
    },
    Flatten,
    Reshape(Dims),
    /// A user's layer type, as written.
    Custom(TokenStream),
}

/// What a [`SIMPLE`] layer's shape rule is.
pub enum Rule {
    /// The output is the input, whatever its shape (activations).
    Same,
    /// A vector of the first argument's size in and out (`LayerNorm<N>`).
    Features,
    /// An image in, one value per channel out (global pooling).
    Channels,
}

/// A layer whose grammar is its name and a fixed list of sizes: one line of
/// [`SIMPLE`] is all the macro needs to know of it.
pub struct Simple {
    pub name: &'static str,
    /// How it is written; its size arguments are counted from it.
    pub usage: &'static str,
    pub rule: Rule,
    /// Whether it has parameters or other saved state (asserted against the
    /// type's `NUM_PARAMS` and `STATE_LEN`).
    pub params: bool,
    /// Whether `reset` restores its settings with `<T>::new()`.
    pub settings: bool,
}

const fn simple(name: &'static str) -> Simple {
    Simple {
        name,
        usage: name,
        rule: Rule::Same,
        params: false,
        settings: false,
    }
}

/// The layers with no syntax of their own: one line each.
pub const SIMPLE: &[Simple] = &[
    simple("ReLU"),
    simple("Sigmoid"),
    simple("Tanh"),
    simple("Softmax"),
    simple("Identity"),
    simple("Softplus"),
    simple("BinaryStep"),
    simple("GELU"),
    simple("GELUTanh"),
    simple("SiLU"),
    simple("ReLU6"),
    Simple {
        rule: Rule::Channels,
        ..simple("GlobalAvgPool2d")
    },
    Simple {
        usage: "LayerNorm<FEATURES>",
        rule: Rule::Features,
        params: true,
        settings: true,
        ..simple("LayerNorm")
    },
    // No parameters, but fitted state saved with the model: the state path
    // of a layer with parameters (with zero of them) carries it.
    Simple {
        usage: "Standardizer<FEATURES>",
        rule: Rule::Features,
        params: true,
        settings: true,
        ..simple("Standardizer")
    },
];

/// The names `network!` knows, besides the [`SIMPLE`] ones.
const SPECIAL: &[&str] = &[
    "Input",
    "Linear",
    "LeakyReLU",
    "ELU",
    "HardTanh",
    "PReLU",
    "Maxout",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "GaussianNoise",
    "ActivityL1",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "DepthwiseConv2d",
    "MaxPool2d",
    "MaxUnpool2d",
    "AvgPool2d",
    "Flatten",
    "Reshape",
];

/// Edit distance between two names, ignoring case.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (
        a.to_lowercase().chars().collect(),
        b.to_lowercase().chars().collect(),
    );
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The known layer name closest to `name`, if any is close.
fn suggestion(name: &str) -> Option<&'static str> {
    SIMPLE
        .iter()
        .map(|s| s.name)
        .chain(SPECIAL.iter().copied())
        .map(|known| (distance(name, known), known))
        .filter(|&(d, known)| d <= 2.max(known.len() / 3))
        .min()
        .map(|(_, known)| known)
}

impl Kind {
    /// Whether the layer has parameters (and so gradients, optimizer state
    /// and a place in `params()`). For nn's layers this is a fact of the
    /// type that the expansion asserts; a user's layer is assumed to.
    pub fn has_params(&self) -> bool {
        if let Kind::Simple(simple, _) = self {
            return simple.params;
        }
        matches!(
            self,
            Kind::Linear { .. }
                | Kind::PReLU(_)
                | Kind::BatchNorm1d(_)
                | Kind::BatchNorm2d(_)
                | Kind::Conv2d(_)
                | Kind::Conv1d(_)
                | Kind::ConvTranspose2d(_)
                | Kind::Custom(_)
        )
    }

    /// The input as the layer reads it: layers that take their sizes from
    /// it see it as the rank they need.
    pub fn seen(&self, dims: &Dims, krate: &TokenStream) -> Dims {
        match self {
            Kind::Conv2d(_)
            | Kind::ConvTranspose2d(_)
            | Kind::MaxPool2d { .. }
            | Kind::AvgPool2d { .. }
            | Kind::MaxUnpool2d { .. } => dims.view(3, krate),
            Kind::Conv1d(_) => dims.view(2, krate),
            _ => dims.clone(),
        }
    }

    /// The layer's type with every size filled in, from its input and
    /// output shapes (`Conv2d<1, 8, 5>` on 28×28 becomes
    /// `Conv2d<1, 8, 5, 24, 24, 1, 0, 1>`).
    pub fn ty(&self, krate: &TokenStream, input: &Dims, output: &Dims) -> TokenStream {
        let l = quote!(#krate::layers);
        let spatial = |d: &Dims| match d {
            Dims::Img { h, w, .. } => (h.arg(), w.arg()),
            Dims::Seq { l, .. } => (quote!(1), l.arg()),
            Dims::Flat(n) => (quote!(1), n.arg()),
            Dims::Opaque { .. } => unreachable!("layers with sizes from their shapes see views"),
        };
        let a = Size::arg;
        match self {
            Kind::Linear { inputs, outputs } => {
                let (i, o) = (a(inputs), a(outputs));
                quote!(#l::Linear<#i, #o>)
            }
            Kind::Simple(simple, args) => {
                let name = syn::Ident::new(simple.name, proc_macro2::Span::call_site());
                if args.is_empty() {
                    quote!(#l::#name)
                } else {
                    let args = args.iter().map(a);
                    quote!(#l::#name<#(#args),*>)
                }
            }
            Kind::LeakyReLU(_) => quote!(#l::LeakyReLU),
            Kind::Elu(_) => quote!(#l::ELU),
            Kind::HardTanh(..) => quote!(#l::HardTanh),
            Kind::Dropout(_, 0) => quote!(#l::Dropout),
            Kind::Dropout(_, 1) => quote!(#l::Dropout1d),
            Kind::Dropout(_, _) => quote!(#l::Dropout2d),
            Kind::GaussianNoise(_) => quote!(#l::GaussianNoise),
            Kind::ActivityL1(_) => quote!(#l::ActivityL1),
            Kind::PReLU(c) => {
                let c = c.as_ref().map_or(quote!(1), a);
                quote!(#l::PReLU<#c>)
            }
            Kind::BatchNorm1d(c) => {
                let c = a(c);
                quote!(#l::BatchNorm1d<#c>)
            }
            Kind::BatchNorm2d(c) => {
                let c = a(c);
                quote!(#l::BatchNorm2d<#c>)
            }
            Kind::Maxout(k) => {
                let (k, o) = (a(k), a(&output.len(krate)));
                quote!(#l::Maxout<#k, #o>)
            }
            Kind::Conv2d(conv) => conv.ty(krate, Form::Conv2d, input, output),
            Kind::Conv1d(conv) => conv.ty(krate, Form::Conv1d, input, output),
            Kind::ConvTranspose2d(conv) => conv.ty(krate, Form::Transposed, input, output),
            Kind::MaxPool2d { k, s } | Kind::MaxUnpool2d { k, s } | Kind::AvgPool2d { k, s } => {
                let (oh, ow) = spatial(output);
                let (k, s) = (a(k), a(s));
                let name = match self {
                    Kind::MaxPool2d { .. } => quote!(MaxPool2d),
                    Kind::MaxUnpool2d { .. } => quote!(MaxUnpool2d),
                    _ => quote!(AvgPool2d),
                };
                quote!(#l::#name<#k, #oh, #ow, #s>)
            }
            Kind::Flatten => {
                let n = a(&input.len(krate));
                quote!(#l::Flatten<#n>)
            }
            Kind::Reshape(d) => {
                let t = d.ty();
                quote!(#l::Reshape<#t>)
            }
            Kind::Custom(ty) => ty.clone(),
        }
    }

    /// The receptive field after the layer (the course notes' §14.2), from
    /// the one before it (`prev`, a `ReceptiveField` expression the
    /// compiler evaluates).
    pub fn receptive(&self, krate: &TokenStream, prev: TokenStream) -> TokenStream {
        let rf = quote!(#krate::__private::shape::ReceptiveField);
        let a = Size::arg;
        match self {
            Kind::Conv2d(conv) => conv.receptive(krate, Form::Conv2d, prev),
            Kind::Conv1d(conv) => conv.receptive(krate, Form::Conv1d, prev),
            Kind::ConvTranspose2d(conv) => conv.receptive(krate, Form::Transposed, prev),
            Kind::MaxPool2d { k, s } | Kind::AvgPool2d { k, s } => {
                let (k, s) = (a(k), a(s));
                quote!(#rf::window(#prev, [#k, #k], [#s, #s], 1))
            }
            Kind::MaxUnpool2d { k, s } => {
                let (k, s) = (a(k), a(s));
                quote!(#rf::transposed(#prev, [#k, #k], [#s, #s]))
            }
            // Every output reads every input.
            Kind::Linear { .. } | Kind::Maxout(_) | Kind::Reshape(_) => quote!(#rf::whole(#prev)),
            Kind::Simple(simple, _)
                if simple.name == "Softmax" || !matches!(simple.rule, Rule::Same) =>
            {
                quote!(#rf::whole(#prev))
            }
            Kind::Custom(_) => quote!(#rf::Unknown),
            // Elementwise or per channel: each output reads its own position.
            _ => prev,
        }
    }

    /// The settings a weights file's signature records besides the type.
    pub fn settings(&self) -> Option<String> {
        match self {
            Kind::LeakyReLU(v)
            | Kind::Elu(v)
            | Kind::Dropout(v, _)
            | Kind::GaussianNoise(v)
            | Kind::ActivityL1(v) => Some(format!("({v:?})")),
            Kind::HardTanh(min, max) => Some(format!("({min:?},{max:?})")),
            _ => None,
        }
    }

    /// The constructor for layers with settings besides their parameters,
    /// which `reset` restores (zeroed memory would mean "no dropout",
    /// "slope 0", …).
    pub fn setting(&self, ty: &TokenStream) -> Option<TokenStream> {
        Some(match self {
            Kind::Dropout(v, _)
            | Kind::LeakyReLU(v)
            | Kind::Elu(v)
            | Kind::GaussianNoise(v)
            | Kind::ActivityL1(v) => {
                quote!(<#ty>::new(#v))
            }
            Kind::HardTanh(min, max) => quote!(<#ty>::new(#min, #max)),
            Kind::BatchNorm1d(_) | Kind::BatchNorm2d(_) | Kind::PReLU(_) => quote!(<#ty>::new()),
            Kind::Simple(simple, _) if simple.settings => quote!(<#ty>::new()),
            _ => return None,
        })
    }
}

/// An error underlining the whole layer as written.
pub fn error(spec: &LayerSpec, message: String) -> syn::Error {
    syn::Error::new_spanned(&spec.tokens, message)
}

/// A built-in layer's name and arguments.
pub struct Written<'a> {
    pub spec: &'a LayerSpec,
    name: String,
    pub args: &'a [Arg],
}

impl Written<'_> {
    pub fn error(&self, message: String) -> syn::Error {
        error(self.spec, message)
    }

    pub fn malformed(&self, usage: &str, what: &str) -> syn::Error {
        self.error(format!(
            "`{}` is malformed: write `{usage}` with {what}",
            self.spec.display()
        ))
    }

    /// Between `min` and `max` size arguments: integer literals or named
    /// constants.
    fn ints_described(
        &self,
        min: usize,
        max: usize,
        usage: &str,
        what: &str,
    ) -> syn::Result<Vec<Size>> {
        if !(min..=max).contains(&self.args.len()) {
            return Err(self.malformed(usage, what));
        }
        self.args
            .iter()
            .map(|arg| match (arg.as_usize(), arg) {
                (Ok(Some(n)), _) => Ok(Size::Known(n)),
                (Ok(None), Arg::Const { tokens, is_path }) => {
                    Ok(Size::expr(tokens.clone(), *is_path))
                }
                _ => Err(self.malformed(usage, what)),
            })
            .collect()
    }

    fn ints(&self, min: usize, max: usize, usage: &str) -> syn::Result<Vec<Size>> {
        self.ints_described(min, max, usage, "non-negative integers")
    }

    /// Requires `value ≥ 1` for the argument called `what`, when known.
    pub fn positive(&self, value: Size, what: &str) -> syn::Result<Size> {
        if value.known() == Some(0) {
            Err(self.error(format!(
                "`{}`: {what} must be at least 1",
                self.spec.display()
            )))
        } else {
            Ok(value)
        }
    }

    /// Sizes that must all be at least 1 (`Input`, `Linear`, `Reshape`).
    fn sizes(&self, min: usize, max: usize, usage: &str) -> syn::Result<Vec<Size>> {
        let v = self.ints_described(min, max, usage, "positive integer sizes")?;
        if v.iter().any(|s| s.known() == Some(0)) {
            return Err(self.error(format!(
                "`{}`: sizes must be at least 1",
                self.spec.display()
            )));
        }
        Ok(v)
    }

    /// At most `defaults.len()` number arguments (defaults fill the rest),
    /// each checked by `ok`, described by `rule` in errors.
    fn floats(&self, defaults: &[f32], ok: fn(f32) -> bool, rule: &str) -> syn::Result<Vec<f32>> {
        let values: Option<Vec<f32>> = self.args.iter().map(|a| a.as_f32()).collect();
        match values {
            Some(v) if v.len() <= defaults.len() && v.iter().all(|&x| ok(x)) => Ok(defaults
                .iter()
                .enumerate()
                .map(|(i, d)| v.get(i).copied().unwrap_or(*d))
                .collect()),
            _ => Err(self.error(format!("`{}`: {rule}", self.spec.display()))),
        }
    }

    fn pool(&self) -> syn::Result<(Size, Size)> {
        let name = &self.name;
        let v = self.ints(1, 2, &format!("{name}<K> or {name}<K, STRIDE>"))?;
        let k = self.positive(v[0].clone(), "the window size")?;
        let s = v.get(1).cloned().unwrap_or_else(|| k.clone());
        Ok((k, self.positive(s, "the stride")?))
    }
}

fn dims_of(v: Vec<Size>) -> Dims {
    let mut v = v.into_iter();
    match (v.next(), v.next(), v.next()) {
        (Some(n), None, None) => Dims::Flat(n),
        (Some(c), Some(l), None) => Dims::Seq { c, l },
        (Some(c), Some(h), Some(w)) => Dims::Img { c, h, w },
        _ => unreachable!("sizes() admits one to three values"),
    }
}

/// What an entry of the list is.
pub enum Entry {
    Input(Dims),
    Layer(Kind),
}

/// Reads an entry: which layer, with which arguments.
pub fn classify(spec: &LayerSpec) -> syn::Result<Entry> {
    let (name, args) = match &spec.kind {
        LayerKind::Custom(path) => {
            return Ok(Entry::Layer(Kind::Custom(
                quote::ToTokens::to_token_stream(path),
            )));
        }
        LayerKind::Builtin { name, args } => (name, args),
        LayerKind::Block { .. } => unreachable!("blocks are resolved as chains"),
    };
    let w = Written {
        spec,
        name: name.to_string(),
        args,
    };
    let no_args = |kind| {
        if args.is_empty() {
            Ok(Entry::Layer(kind))
        } else {
            Err(w.error(format!("`{name}` takes no arguments; write `{name}`")))
        }
    };
    let layer = match w.name.as_str() {
        "Input" => {
            return Ok(Entry::Input(dims_of(w.sizes(
                1,
                3,
                "Input<N>, Input<C, L> or Input<C, H, W>",
            )?)));
        }
        "Linear" => {
            let mut s = w.sizes(2, 2, "Linear<IN, OUT>")?.into_iter();
            Kind::Linear {
                inputs: s.next().expect("two sizes"),
                outputs: s.next().expect("two sizes"),
            }
        }
        "Dropout" | "Dropout1d" | "Dropout2d" => Kind::Dropout(
            w.floats(
                &[defaults::DROPOUT],
                |p| (0.0..1.0).contains(&p),
                &format!("the drop probability must be in [0, 1), e.g. `{name}<0.2>`"),
            )?[0],
            match w.name.as_str() {
                "Dropout" => 0,
                "Dropout1d" => 1,
                _ => 2,
            },
        ),
        "GaussianNoise" if args.is_empty() => {
            return Err(w.error(
                "`GaussianNoise` needs its standard deviation, e.g. `GaussianNoise<0.1>`".into(),
            ));
        }
        "GaussianNoise" => Kind::GaussianNoise(
            w.floats(
                &[0.0],
                |s| s.is_finite() && s >= 0.0,
                "σ must be finite and non-negative, e.g. `GaussianNoise<0.1>`",
            )?[0],
        ),
        "ActivityL1" if args.is_empty() => {
            return Err(w.error(
                "`ActivityL1` needs the penalty's strength, e.g. `ActivityL1<0.001>`".into(),
            ));
        }
        "ActivityL1" => Kind::ActivityL1(
            w.floats(
                &[0.0],
                |s| s.is_finite() && s >= 0.0,
                "the penalty must be finite and non-negative, e.g. `ActivityL1<0.001>`",
            )?[0],
        ),
        "LeakyReLU" => Kind::LeakyReLU(
            w.floats(
                &[defaults::LEAKY_RELU_SLOPE],
                f32::is_finite,
                "write `LeakyReLU` (slope 0.01) or `LeakyReLU<SLOPE>`",
            )?[0],
        ),
        "ELU" => Kind::Elu(
            w.floats(
                &[defaults::ELU_ALPHA],
                |a| a.is_finite() && a >= 0.0,
                "write `ELU` (α = 1) or `ELU<ALPHA>` with α ≥ 0",
            )?[0],
        ),
        "HardTanh" => {
            let (min, max) = defaults::HARD_TANH;
            let v = w.floats(
                &[min, max],
                f32::is_finite,
                "write `HardTanh` ([-1, 1]) or `HardTanh<MIN, MAX>`",
            )?;
            if args.len() == 1 || v[0] >= v[1] {
                return Err(w.error(format!(
                    "`{}`: write `HardTanh<MIN, MAX>` with MIN < MAX",
                    spec.display()
                )));
            }
            Kind::HardTanh(v[0], v[1])
        }
        "PReLU" => {
            let mut v = w
                .ints(0, 1, "PReLU (one slope) or PReLU<CHANNELS>")?
                .into_iter();
            match v.next() {
                None => Kind::PReLU(None),
                Some(c) => Kind::PReLU(Some(w.positive(c, "the channel count")?)),
            }
        }
        "BatchNorm1d" => Kind::BatchNorm1d(w.sizes(1, 1, "BatchNorm1d<FEATURES>")?.remove(0)),
        "BatchNorm2d" => Kind::BatchNorm2d(w.sizes(1, 1, "BatchNorm2d<CHANNELS>")?.remove(0)),
        "Maxout" => {
            Kind::Maxout(w.positive(w.ints(1, 1, "Maxout<K>")?.remove(0), "the number of pieces")?)
        }
        "Conv2d" => Kind::Conv2d(Box::new(Conv::parse(&w, Form::Conv2d)?)),
        "DepthwiseConv2d" => Kind::Conv2d(Box::new(Conv::parse(&w, Form::Depthwise)?)),
        "Conv1d" => Kind::Conv1d(Box::new(Conv::parse(&w, Form::Conv1d)?)),
        "ConvTranspose2d" => Kind::ConvTranspose2d(Box::new(Conv::parse(&w, Form::Transposed)?)),
        "MaxPool2d" => {
            let (k, s) = w.pool()?;
            Kind::MaxPool2d { k, s }
        }
        "MaxUnpool2d" => {
            let (k, s) = w.pool()?;
            Kind::MaxUnpool2d { k, s }
        }
        "AvgPool2d" => {
            let (k, s) = w.pool()?;
            Kind::AvgPool2d { k, s }
        }
        "Flatten" => return no_args(Kind::Flatten),
        "Reshape" => Kind::Reshape(dims_of(w.sizes(
            1,
            3,
            "Reshape<N>, Reshape<C, L> or Reshape<C, H, W>",
        )?)),
        _ => match SIMPLE.iter().find(|s| s.name == w.name) {
            Some(simple) if simple.usage == simple.name => {
                return no_args(Kind::Simple(simple, Vec::new()));
            }
            Some(simple) => {
                let count = simple.usage.matches(',').count() + 1;
                Kind::Simple(simple, w.sizes(count, count, simple.usage)?)
            }
            None => {
                let hint = suggestion(&w.name)
                    .map_or(String::new(), |known| format!("; did you mean `{known}`?"));
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "unknown layer `{name}`{hint} (`nn::network!`'s documentation lists nn's layers; a type of your own is named by path, e.g. `crate::{name}`)"
                    ),
                ));
            }
        },
    };
    Ok(Entry::Layer(layer))
}

/// What the previous layer produced, and how to name it in errors.
#[derive(Clone)]
pub struct Produced {
    pub dims: Dims,
    pub producer: String,
    /// The output as a number with its arithmetic (`8·12·12 = 1152` after a
    /// `Flatten`), or its shape for images and sequences.
    pub text: String,
}

/// A window that does not fit: `the kernel of size 5 is larger than the padded input: 3 + 2·0 = 3`.
fn window_error(what: &str, k: &Size, d: &Size, n: &Size, p: &Size) -> String {
    let dilated = match (k.known(), d.known()) {
        (Some(k), Some(d)) if d > 1 => format!(" (dilated span {})", d * (k - 1) + 1),
        _ => String::new(),
    };
    let padded = match (n.known(), p.known()) {
        (Some(n), Some(p)) => (n + 2 * p).to_string(),
        _ => format!("{} + 2·{}", n.text(), p.text()),
    };
    format!(
        "the {what} of size {}{dilated} is larger than the padded input: {} + 2·{} = {padded}",
        k.text(),
        n.text(),
        p.text()
    )
}

/// A window's output length along one axis, by `nn_shape::out_len`.
pub fn window(
    krate: &TokenStream,
    layer: &str,
    what: &str,
    [n, k, s, p, d]: [&Size; 5],
) -> Result<Size, String> {
    Size::apply(
        &[n, k, s, p, d],
        |v| nn_shape::out_len(v[0], v[1], v[2], v[3], v[4]),
        |v| {
            let (n, k, s, p, d) = (&v[0], &v[1], &v[2], &v[3], &v[4]);
            quote!(#krate::__private::shape::expect_window(#krate::__private::shape::out_len(#n, #k, #s, #p, #d)))
        },
        |t| window_text(t, [k, s, p, d]),
    )
    .map_err(|()| format!("`{layer}`: {}", window_error(what, k, d, n, p)))
}

/// A window's output length as docs and errors print it: `SIDE − 2`, or
/// `⌊(SIDE − 3)/2⌋ + 1`.
fn window_text(texts: &[String], [k, s, p, d]: [&Size; 4]) -> String {
    let n = &texts[0];
    match (k.known(), s.known(), p.known(), d.known()) {
        (Some(k), Some(s), Some(p), Some(d)) => {
            let shrink = (d * (k - 1) + 1) as i64 - 2 * p as i64 - 1;
            let offset = match shrink {
                0 => n.clone(),
                c if c > 0 => format!("{n} − {c}"),
                c => format!("{n} + {}", -c),
            };
            if s == 1 {
                offset
            } else {
                format!("⌊({offset})/{s}⌋ + 1")
            }
        }
        _ => format!("out_len({})", texts.join(", ")),
    }
}

/// Whether two sizes must be reported as different (known to differ).
pub fn differs(a: &Size, b: &Size) -> bool {
    a.same(b) == Some(false)
}

/// Applies `kind`'s shape rule to its input; an error says which layers and
/// which numbers disagree. Where the macro cannot know a number, the rule
/// yields an expression and the compiler checks the layer's input type.
pub fn output(
    krate: &TokenStream,
    kind: &Kind,
    layer: &str,
    prev: &Produced,
) -> Result<Dims, String> {
    let Produced {
        dims,
        producer,
        text,
    } = prev;
    let needs = |what: &str, hint: &str| {
        Err(format!(
            "`{layer}` takes {what} but `{producer}` produces {}{hint}",
            dims.describe()
        ))
    };
    // A layer that reads a vector of `size` features: `what` and `noun` say so in an error.
    let vector = |size: &Size, what: &str, noun: &str| match dims.view(1, krate) {
        Dims::Flat(n) if differs(&n, size) => Err(format!(
            "`{layer}` {what} {} but `{producer}` produces {text}",
            size.count(noun)
        )),
        Dims::Flat(_) => Ok(()),
        _ => needs(
            "a feature vector",
            &format!(
                "; insert `Flatten` before it ({} features)",
                dims.product(krate)
            ),
        )
        .map(|_: Dims| ()),
    };
    let needs_images = || {
        needs(
            "images",
            "; declare `Input<C, H, W>` or insert `Reshape<C, H, W>`",
        )
    };
    let one = Size::Known(1);
    let zero = Size::Known(0);
    match kind {
        Kind::Linear { inputs, outputs } => {
            vector(inputs, "expects", "input")?;
            Ok(Dims::Flat(outputs.clone()))
        }
        Kind::Simple(
            Simple {
                rule: Rule::Features,
                ..
            },
            args,
        ) => {
            vector(&args[0], "normalizes", "feature")?;
            Ok(dims.clone())
        }
        Kind::Simple(
            Simple {
                rule: Rule::Channels,
                ..
            },
            _,
        ) => match dims.view(3, krate) {
            Dims::Img { c, .. } => Ok(Dims::Flat(c)),
            _ => needs("images", ""),
        },
        Kind::Simple(
            Simple {
                rule: Rule::Same, ..
            },
            _,
        )
        | Kind::LeakyReLU(_)
        | Kind::Elu(_)
        | Kind::HardTanh(..)
        | Kind::Dropout(_, 0)
        | Kind::GaussianNoise(_)
        | Kind::ActivityL1(_)
        | Kind::PReLU(None) => Ok(dims.clone()),
        Kind::Dropout(_, 1) => match dims.view(2, krate) {
            Dims::Seq { .. } => Ok(dims.clone()),
            _ => needs(
                "sequences (`C × L`)",
                "; `Dropout2d` drops channels of images, `Dropout` single features",
            ),
        },
        Kind::Dropout(_, _) => match dims.view(3, krate) {
            Dims::Img { .. } => Ok(dims.clone()),
            _ => needs(
                "images (`C × H × W`)",
                "; `Dropout1d` drops channels of sequences, `Dropout` single features",
            ),
        },
        Kind::PReLU(Some(_)) if dims.is_opaque() => Ok(dims.clone()),
        Kind::PReLU(Some(a)) if !differs(a, &one) || !differs(a, &dims.channels()) => {
            Ok(dims.clone())
        }
        Kind::PReLU(Some(a)) => Err(format!(
            "`{layer}` learns one slope per channel ({}) but `{producer}` produces {} with {}; write `PReLU` for one shared slope",
            a.text(),
            dims.describe(),
            dims.channels().count("channel")
        )),
        Kind::BatchNorm1d(c) => match dims {
            Dims::Opaque { .. } => Ok(dims.clone()),
            Dims::Flat(n) if differs(n, c) => Err(format!(
                "`{layer}` normalizes {} but `{producer}` produces {}",
                c.count("feature"),
                n.text()
            )),
            Dims::Seq { c: n, .. } if differs(n, c) => Err(format!(
                "`{layer}` normalizes {} but `{producer}` produces {} ({})",
                c.count("channel"),
                dims.describe(),
                n.count("channel")
            )),
            Dims::Flat(_) | Dims::Seq { .. } => Ok(dims.clone()),
            Dims::Img { .. } => needs("vectors or sequences", "; use `BatchNorm2d` for images"),
        },
        Kind::BatchNorm2d(c) => match dims {
            Dims::Opaque { .. } => Ok(dims.clone()),
            Dims::Img { c: n, .. } if differs(n, c) => Err(format!(
                "`{layer}` normalizes {} but `{producer}` produces {} ({})",
                c.count("channel"),
                dims.describe(),
                n.count("channel")
            )),
            Dims::Img { .. } => Ok(dims.clone()),
            _ => needs("images", "; use `BatchNorm1d` for vectors and sequences"),
        },
        Kind::Maxout(k) => match dims.view(1, krate) {
            Dims::Flat(n) => match (n.known(), k.known()) {
                (Some(n), Some(k)) if n % k != 0 => Err(format!(
                    "`{layer}` groups features in {k}s but `{producer}` produces {n}, which {k} does not divide"
                )),
                _ => Ok(Dims::Flat(
                    Size::apply(
                        &[&n, k],
                        |v| Some(v[0] / v[1]),
                        |v| {
                            let (n, k) = (&v[0], &v[1]);
                            quote!((#n) / (#k))
                        },
                        |t| format!("{}/{}", t[0], t[1]),
                    )
                    .expect("division by a positive size"),
                )),
            },
            _ => needs("a feature vector", "; insert `Flatten` before it"),
        },
        Kind::Conv2d(conv) => conv
            .image(krate, layer, (producer, &dims.view(3, krate)))
            .unwrap_or_else(needs_images),
        Kind::Conv1d(conv) => conv
            .sequence(krate, layer, (producer, &dims.view(2, krate)))
            .unwrap_or_else(|| {
                needs(
                    "sequences",
                    "; declare `Input<C, L>` or insert `Reshape<C, L>`",
                )
            }),
        Kind::ConvTranspose2d(conv) => conv
            .transposed(krate, layer, (producer, &dims.view(3, krate)))
            .unwrap_or_else(needs_images),
        Kind::MaxPool2d { k, s } | Kind::AvgPool2d { k, s } => match dims.view(3, krate) {
            Dims::Img { c, h, w } => Ok(Dims::Img {
                c,
                h: window(krate, layer, "window", [&h, k, s, &zero, &one])?,
                w: window(krate, layer, "window", [&w, k, s, &zero, &one])?,
            }),
            _ => needs("images", ""),
        },
        Kind::MaxUnpool2d { .. } => unreachable!("resolved with its pool, in `unpool`"),
        Kind::Flatten => Ok(Dims::Flat(dims.len(krate))),
        Kind::Reshape(target) => match target.len(krate).same(&dims.len(krate)) {
            Some(false) => Err(format!(
                "`{layer}` holds {} values but `{producer}` produces {}",
                target.product(krate),
                match dims {
                    Dims::Flat(n) => n.text(),
                    _ => format!("{} ({})", dims.describe(), dims.product(krate)),
                }
            )),
            _ => Ok(target.clone()),
        },
        Kind::Custom(ty) => {
            let input = dims.ty();
            Ok(Dims::Opaque {
                ty: quote!(<#ty as #krate::layer::Forward<#input>>::Out),
                producer: layer.to_string(),
            })
        }
    }
}

/// The input a network starting with `kind` must have, when it is implied.
pub fn implied_input(kind: &Kind) -> Option<Dims> {
    match kind {
        Kind::Linear { inputs, .. } => Some(Dims::Flat(inputs.clone())),
        Kind::Simple(
            Simple {
                rule: Rule::Features,
                ..
            },
            args,
        ) => Some(Dims::Flat(args[0].clone())),
        _ => None,
    }
}
