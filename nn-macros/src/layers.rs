//! The layer table: what each layer name means, its arguments and its shape
//! rule. Resolving a spec computes every layer's output shape (the
//! convolution and pooling arithmetic included), checks every joint and
//! collects every error.
use crate::parse::{LayerSpec, NetworkSpec};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The shape of one sample between two layers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dims {
    /// A feature vector.
    Flat(usize),
    /// `c` channels of length `l`.
    Seq { c: usize, l: usize },
    /// `c` channels of `h × w` pixels.
    Img { c: usize, h: usize, w: usize },
}

impl Dims {
    pub fn len(self) -> usize {
        match self {
            Dims::Flat(n) => n,
            Dims::Seq { c, l } => c * l,
            Dims::Img { c, h, w } => c * h * w,
        }
    }

    /// Channels as `nn`'s `Shape::CHANNELS` counts them.
    fn channels(self) -> usize {
        match self {
            Dims::Flat(n) => n,
            Dims::Seq { c, .. } | Dims::Img { c, .. } => c,
        }
    }

    /// The sample type: `[f32; N]`, `[[f32; L]; C]` or `[[[f32; W]; H]; C]`.
    pub fn ty(self) -> TokenStream {
        match self {
            Dims::Flat(n) => quote!([f32; #n]),
            Dims::Seq { c, l } => quote!([[f32; #l]; #c]),
            Dims::Img { c, h, w } => quote!([[[f32; #w]; #h]; #c]),
        }
    }

    /// `784 features`, `2×100 sequences`, `8×12×12 images`.
    pub fn describe(self) -> String {
        match self {
            Dims::Flat(n) => format!("{n} features"),
            Dims::Seq { c, l } => format!("{c}×{l} sequences"),
            Dims::Img { c, h, w } => format!("{c}×{h}×{w} images"),
        }
    }

    /// `8·12·12 = 1152` (just `784` for a vector).
    fn product(self) -> String {
        match self {
            Dims::Flat(n) => n.to_string(),
            Dims::Seq { c, l } => format!("{c}·{l} = {}", self.len()),
            Dims::Img { c, h, w } => format!("{c}·{h}·{w} = {}", self.len()),
        }
    }
}

/// A convolution's arguments.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Conv {
    ci: usize,
    co: usize,
    k: usize,
    s: usize,
    p: usize,
    d: usize,
}

/// Which known layer an entry is, with its arguments.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    Linear {
        inputs: usize,
        outputs: usize,
    },
    /// An argument-free activation, by type name.
    Activation(&'static str),
    LeakyReLU(f32),
    Elu(f32),
    HardTanh(f32, f32),
    Dropout(f32),
    GaussianNoise(f32),
    /// One slope, or one per channel.
    PReLU(Option<usize>),
    BatchNorm1d(usize),
    BatchNorm2d(usize),
    Maxout(usize),
    Conv2d(Conv),
    Conv1d(Conv),
    ConvTranspose2d(Conv),
    /// Undoes the `MaxPool2d` it is paired with (see [`Resolved::pair`]).
    MaxUnpool2d {
        k: usize,
        s: usize,
    },
    MaxPool2d {
        k: usize,
        s: usize,
    },
    AvgPool2d {
        k: usize,
        s: usize,
    },
    Flatten,
    Reshape(Dims),
}

/// A checked layer, ready for code generation.
pub struct Resolved {
    pub field: Ident,
    pub kind: Kind,
    pub input: Dims,
    pub output: Dims,
    pub span: Span,
    /// For a `MaxUnpool2d`, the index of the `MaxPool2d` whose indices it uses.
    pub pair: Option<usize>,
}

impl Resolved {
    /// The layer's type, as a path into `nn`, with every size filled in.
    pub fn ty(&self) -> TokenStream {
        let l = quote!(::nn::layers);
        let (input, output) = (self.input, self.output);
        let spatial = |d: Dims| match d {
            Dims::Img { h, w, .. } => (h, w),
            Dims::Seq { l, .. } => (1, l),
            Dims::Flat(n) => (1, n),
        };
        let (oh, ow) = spatial(output);
        match self.kind {
            Kind::Linear { inputs, outputs } => quote!(#l::Linear<#inputs, #outputs>),
            Kind::Activation(name) => {
                let name = Ident::new(name, self.span);
                quote!(#l::#name)
            }
            Kind::LeakyReLU(_) => quote!(#l::LeakyReLU),
            Kind::Elu(_) => quote!(#l::ELU),
            Kind::HardTanh(..) => quote!(#l::HardTanh),
            Kind::Dropout(_) => quote!(#l::Dropout),
            Kind::GaussianNoise(_) => quote!(#l::GaussianNoise),
            Kind::PReLU(a) => {
                let a = a.unwrap_or(1);
                quote!(#l::PReLU<#a>)
            }
            Kind::BatchNorm1d(c) => quote!(#l::BatchNorm1d<#c>),
            Kind::BatchNorm2d(c) => quote!(#l::BatchNorm2d<#c>),
            Kind::Maxout(k) => {
                let o = output.len();
                quote!(#l::Maxout<#k, #o>)
            }
            Kind::Conv2d(Conv { ci, co, k, s, p, d }) => {
                quote!(#l::Conv2d<#ci, #co, #k, #oh, #ow, #s, #p, #d>)
            }
            Kind::Conv1d(Conv { ci, co, k, s, p, d }) => {
                quote!(#l::Conv1d<#ci, #co, #k, #ow, #s, #p, #d>)
            }
            Kind::ConvTranspose2d(Conv {
                ci, co, k, s, p, ..
            }) => {
                quote!(#l::ConvTranspose2d<#ci, #co, #k, #oh, #ow, #s, #p>)
            }
            Kind::MaxPool2d { k, s } => quote!(#l::MaxPool2d<#k, #oh, #ow, #s>),
            Kind::MaxUnpool2d { k, s } => quote!(#l::MaxUnpool2d<#k, #oh, #ow, #s>),
            Kind::AvgPool2d { k, s } => quote!(#l::AvgPool2d<#k, #oh, #ow, #s>),
            Kind::Flatten => {
                let n = input.len();
                quote!(#l::Flatten<#n>)
            }
            Kind::Reshape(d) => {
                let t = d.ty();
                quote!(#l::Reshape<#t>)
            }
        }
    }

    pub fn num_params(&self) -> usize {
        match self.kind {
            Kind::Linear { inputs, outputs } => inputs * outputs + outputs,
            Kind::Conv2d(c) | Kind::ConvTranspose2d(c) => c.ci * c.co * c.k * c.k + c.co,
            Kind::Conv1d(c) => c.ci * c.co * c.k + c.co,
            Kind::BatchNorm1d(c) | Kind::BatchNorm2d(c) => 2 * c,
            Kind::PReLU(a) => a.unwrap_or(1),
            _ => 0,
        }
    }

    /// Values the layer persists in weights files: its parameters, plus
    /// batch norm's running statistics.
    pub fn state_len(&self) -> usize {
        match self.kind {
            Kind::BatchNorm1d(c) | Kind::BatchNorm2d(c) => 4 * c,
            _ => self.num_params(),
        }
    }

    /// The layer as a weights file's signature names it: its full type.
    pub fn signature(&self) -> String {
        let ty = compact(&self.ty().to_string());
        // Settings change what the layer computes, so they are part of the
        // signature: weights never load into a network with other settings.
        match self.kind {
            Kind::LeakyReLU(v) | Kind::Elu(v) | Kind::Dropout(v) | Kind::GaussianNoise(v) => {
                format!("{ty}({v:?})")
            }
            Kind::HardTanh(min, max) => format!("{ty}({min:?},{max:?})"),
            _ => ty,
        }
    }

    /// The constructor for layers with settings besides their parameters,
    /// which `reset` restores (zeroed memory would mean "no dropout",
    /// "slope 0", …).
    pub fn setting(&self) -> Option<TokenStream> {
        let ty = self.ty();
        Some(match self.kind {
            Kind::Dropout(v) | Kind::LeakyReLU(v) | Kind::Elu(v) | Kind::GaussianNoise(v) => {
                quote!(<#ty>::new(#v))
            }
            Kind::HardTanh(min, max) => quote!(<#ty>::new(#min, #max)),
            Kind::BatchNorm1d(_) | Kind::BatchNorm2d(_) | Kind::PReLU(_) => quote!(<#ty>::new()),
            _ => return None,
        })
    }

    /// The widest output of any matrix product the layer runs (what its
    /// share of the GEMM workspace depends on).
    pub fn gemm_width(&self) -> usize {
        match (self.kind, self.input, self.output) {
            (Kind::Linear { inputs, outputs }, ..) => inputs.max(outputs),
            (Kind::Conv2d(c) | Kind::Conv1d(c), _, out) => {
                let taps = if matches!(self.kind, Kind::Conv2d(_)) {
                    c.k * c.k
                } else {
                    c.k
                };
                (out.len() / c.co).max(c.ci * taps)
            }
            (Kind::ConvTranspose2d(c), input, _) => (input.len() / c.ci).max(c.co * c.k * c.k),
            _ => 0,
        }
    }
}

/// Token text without spaces, paths or literal suffixes: `Linear<784,128>`.
pub fn compact(tokens: &str) -> String {
    tokens
        .replace(' ', "")
        .replace("::nn::layers::", "")
        .replace("usize", "")
}

/// A checked network: its input shape and layers.
pub struct Network {
    pub input: Dims,
    pub layers: Vec<Resolved>,
}

impl Network {
    /// What a weights file identifies the network by: its input shape and
    /// every layer's full type.
    pub fn signature(&self) -> String {
        let mut parts = vec![compact(&self.input.ty().to_string())];
        parts.extend(self.layers.iter().map(|l| l.signature()));
        parts.join("|")
    }

    /// The shape after layer `i` (`dims(0)` is the input).
    pub fn dims(&self, i: usize) -> Dims {
        if i == 0 {
            self.input
        } else {
            self.layers[i - 1].output
        }
    }
}

const ACTIVATIONS: [&str; 7] = [
    "ReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "Identity",
    "Softplus",
    "BinaryStep",
];
const KNOWN: &str = "Input<N> / Input<C, L> / Input<C, H, W>, Linear<IN, OUT>, \
    ReLU, Sigmoid, Tanh, Softmax, Identity, Softplus, BinaryStep, LeakyReLU[<SLOPE>], ELU[<ALPHA>], \
    HardTanh[<MIN, MAX>], PReLU[<CHANNELS>], Maxout<K>, Dropout[<P>], GaussianNoise<SIGMA>, \
    BatchNorm1d<N>, BatchNorm2d<C>, Conv1d<CI, CO, K[, S, P, D]>, Conv2d<CI, CO, K[, S, P, D]>, \
    ConvTranspose2d<CI, CO, K[, S, P]>, MaxPool2d<K[, S]>, MaxUnpool2d<K[, S]>, AvgPool2d<K[, S]>, Flatten, \
    Reshape<N> / Reshape<C, L> / Reshape<C, H, W>";

fn error(spec: &LayerSpec, message: String) -> syn::Error {
    syn::Error::new_spanned(&spec.tokens, message)
}

/// Reads between `min` and `max` non-negative integer arguments.
fn ints(spec: &LayerSpec, min: usize, max: usize, usage: &str) -> syn::Result<Vec<usize>> {
    ints_described(spec, min, max, usage, "non-negative integers")
}

/// [`ints`], saying what the integers must be when they are malformed.
fn ints_described(
    spec: &LayerSpec,
    min: usize,
    max: usize,
    usage: &str,
    what: &str,
) -> syn::Result<Vec<usize>> {
    let values: Option<Vec<usize>> = spec.args.iter().map(|a| a.as_usize()).collect();
    match values {
        Some(v) if (min..=max).contains(&v.len()) => Ok(v),
        _ => Err(error(
            spec,
            format!(
                "`{}` is malformed: write `{usage}` with {what}",
                spec.display()
            ),
        )),
    }
}

/// Requires `value ≥ 1` for the argument called `what`.
fn positive(spec: &LayerSpec, value: usize, what: &str) -> syn::Result<usize> {
    if value == 0 {
        Err(error(
            spec,
            format!("`{}`: {what} must be at least 1", spec.display()),
        ))
    } else {
        Ok(value)
    }
}

/// Reads sizes that must all be at least 1 (`Input`, `Linear`, `Reshape`).
fn sizes(spec: &LayerSpec, min: usize, max: usize, usage: &str) -> syn::Result<Vec<usize>> {
    let v = ints_described(spec, min, max, usage, "positive integer sizes")?;
    if v.contains(&0) {
        return Err(error(
            spec,
            format!("`{}`: sizes must be at least 1", spec.display()),
        ));
    }
    Ok(v)
}

fn dims_of(v: &[usize]) -> Dims {
    match *v {
        [n] => Dims::Flat(n),
        [c, l] => Dims::Seq { c, l },
        [c, h, w] => Dims::Img { c, h, w },
        _ => unreachable!("sizes() admits one to three values"),
    }
}

/// Reads at most `max` number arguments (defaults fill the rest), each
/// checked by `ok`, described by `rule` in errors.
fn floats(
    spec: &LayerSpec,
    defaults: &[f32],
    ok: fn(f32) -> bool,
    rule: &str,
) -> syn::Result<Vec<f32>> {
    let values: Option<Vec<f32>> = spec.args.iter().map(|a| a.as_f32()).collect();
    match values {
        Some(v) if v.len() <= defaults.len() && v.iter().all(|&x| ok(x)) => Ok(defaults
            .iter()
            .enumerate()
            .map(|(i, d)| v.get(i).copied().unwrap_or(*d))
            .collect()),
        _ => Err(error(spec, format!("`{}`: {rule}", spec.display()))),
    }
}

fn conv(spec: &LayerSpec, max: usize, usage: &str) -> syn::Result<Conv> {
    let v = ints(spec, 3, max, usage)?;
    let arg = |i: usize, default: usize| v.get(i).copied().unwrap_or(default);
    Ok(Conv {
        ci: positive(spec, v[0], "the input channel count")?,
        co: positive(spec, v[1], "the output channel count")?,
        k: positive(spec, v[2], "the kernel size")?,
        s: positive(spec, arg(3, 1), "the stride")?,
        p: arg(4, 0),
        d: positive(spec, arg(5, 1), "the dilation")?,
    })
}

fn pool(spec: &LayerSpec) -> syn::Result<(usize, usize)> {
    let name = spec.kind.to_string();
    let v = ints(spec, 1, 2, &format!("{name}<K> or {name}<K, STRIDE>"))?;
    let k = positive(spec, v[0], "the window size")?;
    Ok((
        k,
        positive(spec, v.get(1).copied().unwrap_or(k), "the stride")?,
    ))
}

enum Entry {
    Input(Dims),
    Layer(Kind),
}

fn classify(spec: &LayerSpec) -> syn::Result<Entry> {
    let name = spec.kind.to_string();
    let no_args = |kind| {
        if spec.args.is_empty() {
            Ok(Entry::Layer(kind))
        } else {
            Err(error(
                spec,
                format!("`{name}` takes no arguments; write `{name}`"),
            ))
        }
    };
    let layer = match name.as_str() {
        "Input" => {
            return Ok(Entry::Input(dims_of(&sizes(
                spec,
                1,
                3,
                "Input<N>, Input<C, L> or Input<C, H, W>",
            )?)));
        }
        "Linear" => {
            let s = sizes(spec, 2, 2, "Linear<IN, OUT>")?;
            Kind::Linear {
                inputs: s[0],
                outputs: s[1],
            }
        }
        "Dropout" => {
            let p = floats(
                spec,
                &[0.5],
                |p| (0.0..1.0).contains(&p),
                "the drop probability must be in [0, 1), e.g. `Dropout<0.2>`",
            )?;
            Kind::Dropout(p[0])
        }
        "GaussianNoise" if spec.args.is_empty() => {
            return Err(error(
                spec,
                "`GaussianNoise` needs its standard deviation, e.g. `GaussianNoise<0.1>`".into(),
            ));
        }
        "GaussianNoise" => Kind::GaussianNoise(
            floats(
                spec,
                &[0.0],
                |s| s.is_finite() && s >= 0.0,
                "σ must be finite and non-negative, e.g. `GaussianNoise<0.1>`",
            )?[0],
        ),
        "LeakyReLU" => Kind::LeakyReLU(
            floats(
                spec,
                &[0.01],
                f32::is_finite,
                "write `LeakyReLU` (slope 0.01) or `LeakyReLU<SLOPE>`",
            )?[0],
        ),
        "ELU" => Kind::Elu(
            floats(
                spec,
                &[1.0],
                |a| a.is_finite() && a >= 0.0,
                "write `ELU` (α = 1) or `ELU<ALPHA>` with α ≥ 0",
            )?[0],
        ),
        "HardTanh" => {
            let v = floats(
                spec,
                &[-1.0, 1.0],
                f32::is_finite,
                "write `HardTanh` ([-1, 1]) or `HardTanh<MIN, MAX>`",
            )?;
            if spec.args.len() == 1 || v[0] >= v[1] {
                return Err(error(
                    spec,
                    format!(
                        "`{}`: write `HardTanh<MIN, MAX>` with MIN < MAX",
                        spec.display()
                    ),
                ));
            }
            Kind::HardTanh(v[0], v[1])
        }
        "PReLU" => match ints(spec, 0, 1, "PReLU (one slope) or PReLU<CHANNELS>")?.as_slice() {
            [] => Kind::PReLU(None),
            [c] => Kind::PReLU(Some(positive(spec, *c, "the channel count")?)),
            _ => unreachable!(),
        },
        "BatchNorm1d" => Kind::BatchNorm1d(sizes(spec, 1, 1, "BatchNorm1d<FEATURES>")?[0]),
        "BatchNorm2d" => Kind::BatchNorm2d(sizes(spec, 1, 1, "BatchNorm2d<CHANNELS>")?[0]),
        "Maxout" => Kind::Maxout(positive(
            spec,
            ints(spec, 1, 1, "Maxout<K>")?[0],
            "the number of pieces",
        )?),
        "Conv2d" => Kind::Conv2d(conv(
            spec,
            6,
            "Conv2d<IN_CHANNELS, OUT_CHANNELS, KERNEL[, STRIDE, PADDING, DILATION]>",
        )?),
        "Conv1d" => Kind::Conv1d(conv(
            spec,
            6,
            "Conv1d<IN_CHANNELS, OUT_CHANNELS, KERNEL[, STRIDE, PADDING, DILATION]>",
        )?),
        "ConvTranspose2d" => Kind::ConvTranspose2d(conv(
            spec,
            5,
            "ConvTranspose2d<IN_CHANNELS, OUT_CHANNELS, KERNEL[, STRIDE, PADDING]>",
        )?),
        "MaxPool2d" => {
            let (k, s) = pool(spec)?;
            Kind::MaxPool2d { k, s }
        }
        "MaxUnpool2d" => {
            let (k, s) = pool(spec)?;
            Kind::MaxUnpool2d { k, s }
        }
        "AvgPool2d" => {
            let (k, s) = pool(spec)?;
            Kind::AvgPool2d { k, s }
        }
        "Flatten" => return no_args(Kind::Flatten),
        "Reshape" => Kind::Reshape(dims_of(&sizes(
            spec,
            1,
            3,
            "Reshape<N>, Reshape<C, L> or Reshape<C, H, W>",
        )?)),
        _ => match ACTIVATIONS.iter().find(|&&a| a == name) {
            Some(&a) => return no_args(Kind::Activation(a)),
            None => {
                return Err(syn::Error::new(
                    spec.kind.span(),
                    format!("unknown layer `{name}`; the layers are: {KNOWN}"),
                ));
            }
        },
    };
    Ok(Entry::Layer(layer))
}

/// What the previous layer produced, and how to name it in errors.
struct Produced {
    dims: Dims,
    producer: String,
    /// The output as a number with its arithmetic (`8·12·12 = 1152` after a
    /// `Flatten`), or its shape for images and sequences.
    text: String,
}

/// A window that does not fit: `the 5×5 kernel spans 5 but the input is 3 (+ 2·0 padding)`.
fn window_error(what: &str, k: usize, d: usize, n: usize, p: usize) -> String {
    let span = d * (k - 1) + 1;
    let dilated = if d > 1 {
        format!(" (dilated span {span})")
    } else {
        String::new()
    };
    format!(
        "the {what} of size {k}{dilated} is larger than the padded input: {n} + 2·{p} = {}",
        n + 2 * p
    )
}

fn out_len(n: usize, k: usize, s: usize, p: usize, d: usize) -> Option<usize> {
    let span = d * (k - 1) + 1;
    (n + 2 * p >= span).then(|| (n + 2 * p - span) / s + 1)
}

/// Applies `kind`'s shape rule to its input; an error says which layers and
/// which numbers disagree.
fn output(kind: Kind, layer: &str, prev: &Produced) -> Result<Dims, String> {
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
    match kind {
        Kind::Linear { inputs, outputs } => match *dims {
            Dims::Flat(n) if n == inputs => Ok(Dims::Flat(outputs)),
            Dims::Flat(_) => Err(format!(
                "`{layer}` expects {inputs} inputs but `{producer}` produces {text}"
            )),
            _ => needs(
                "a feature vector",
                &format!("; insert `Flatten` before it ({} features)", dims.product()),
            ),
        },
        Kind::Activation(_)
        | Kind::LeakyReLU(_)
        | Kind::Elu(_)
        | Kind::HardTanh(..)
        | Kind::Dropout(_)
        | Kind::GaussianNoise(_)
        | Kind::PReLU(None) => Ok(*dims),
        Kind::PReLU(Some(a)) if a == 1 || a == dims.channels() => Ok(*dims),
        Kind::PReLU(Some(a)) => Err(format!(
            "`{layer}` learns one slope per channel ({a}) but `{producer}` produces {} with {} channels; write `PReLU` for one shared slope",
            dims.describe(),
            dims.channels()
        )),
        Kind::BatchNorm1d(c) => match *dims {
            Dims::Flat(n) | Dims::Seq { c: n, .. } if n == c => Ok(*dims),
            Dims::Flat(n) => Err(format!(
                "`{layer}` normalizes {c} features but `{producer}` produces {n}"
            )),
            Dims::Seq { c: n, .. } => Err(format!(
                "`{layer}` normalizes {c} channels but `{producer}` produces {} ({n} channels)",
                dims.describe()
            )),
            Dims::Img { .. } => needs("vectors or sequences", "; use `BatchNorm2d` for images"),
        },
        Kind::BatchNorm2d(c) => match *dims {
            Dims::Img { c: n, .. } if n == c => Ok(*dims),
            Dims::Img { c: n, .. } => Err(format!(
                "`{layer}` normalizes {c} channels but `{producer}` produces {} ({n} channels)",
                dims.describe()
            )),
            _ => needs("images", "; use `BatchNorm1d` for vectors and sequences"),
        },
        Kind::Maxout(k) => match *dims {
            Dims::Flat(n) if n % k == 0 => Ok(Dims::Flat(n / k)),
            Dims::Flat(n) => Err(format!(
                "`{layer}` groups features in {k}s but `{producer}` produces {n}, which {k} does not divide"
            )),
            _ => needs("a feature vector", "; insert `Flatten` before it"),
        },
        Kind::Conv2d(Conv { ci, co, k, s, p, d }) => match *dims {
            Dims::Img { c, h, w } if c == ci => {
                let oh = out_len(h, k, s, p, d)
                    .ok_or_else(|| format!("`{layer}`: {}", window_error("kernel", k, d, h, p)))?;
                let ow = out_len(w, k, s, p, d)
                    .ok_or_else(|| format!("`{layer}`: {}", window_error("kernel", k, d, w, p)))?;
                Ok(Dims::Img {
                    c: co,
                    h: oh,
                    w: ow,
                })
            }
            Dims::Img { c, .. } => Err(format!(
                "`{layer}` expects {ci} input channels but `{producer}` produces {} ({c} channels)",
                dims.describe()
            )),
            _ => needs(
                "images",
                "; declare `Input<C, H, W>` or insert `Reshape<C, H, W>`",
            ),
        },
        Kind::Conv1d(Conv { ci, co, k, s, p, d }) => match *dims {
            Dims::Seq { c, l } if c == ci => {
                let ol = out_len(l, k, s, p, d)
                    .ok_or_else(|| format!("`{layer}`: {}", window_error("kernel", k, d, l, p)))?;
                Ok(Dims::Seq { c: co, l: ol })
            }
            Dims::Seq { c, .. } => Err(format!(
                "`{layer}` expects {ci} input channels but `{producer}` produces {} ({c} channels)",
                dims.describe()
            )),
            _ => needs(
                "sequences",
                "; declare `Input<C, L>` or insert `Reshape<C, L>`",
            ),
        },
        Kind::ConvTranspose2d(Conv {
            ci, co, k, s, p, ..
        }) => match *dims {
            Dims::Img { c, h, w } if c == ci => {
                let out = |n: usize| {
                    let full = s * (n - 1) + k;
                    (full > 2 * p).then(|| full - 2 * p).ok_or_else(|| {
                        format!("`{layer}`: the output size s(n − 1) + k − 2p = {s}·{} + {k} − 2·{p} is not positive", n - 1)
                    })
                };
                Ok(Dims::Img {
                    c: co,
                    h: out(h)?,
                    w: out(w)?,
                })
            }
            Dims::Img { c, .. } => Err(format!(
                "`{layer}` expects {ci} input channels but `{producer}` produces {} ({c} channels)",
                dims.describe()
            )),
            _ => needs(
                "images",
                "; declare `Input<C, H, W>` or insert `Reshape<C, H, W>`",
            ),
        },
        Kind::MaxPool2d { k, s } | Kind::AvgPool2d { k, s } => match *dims {
            Dims::Img { c, h, w } => {
                let oh = out_len(h, k, s, 0, 1)
                    .ok_or_else(|| format!("`{layer}`: {}", window_error("window", k, 1, h, 0)))?;
                let ow = out_len(w, k, s, 0, 1)
                    .ok_or_else(|| format!("`{layer}`: {}", window_error("window", k, 1, w, 0)))?;
                Ok(Dims::Img { c, h: oh, w: ow })
            }
            _ => needs("images", ""),
        },
        Kind::MaxUnpool2d { .. } => unreachable!("resolved with its pool, in `unpool`"),
        Kind::Flatten => Ok(Dims::Flat(dims.len())),
        Kind::Reshape(target) if target.len() == dims.len() => Ok(target),
        Kind::Reshape(target) => Err(format!(
            "`{layer}` holds {} values but `{producer}` produces {}",
            target.product(),
            match dims {
                Dims::Flat(n) => n.to_string(),
                _ => format!("{} ({})", dims.describe(), dims.product()),
            }
        )),
    }
}

/// A `MaxUnpool2d`'s shape rule: it restores the input shape of the
/// `MaxPool2d` it pairs with, which must have the same window and produce
/// what the unpooling receives.
fn unpool(
    kind: Kind,
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
    let Kind::MaxPool2d { k: pk, s: ps } = pool.kind else {
        unreachable!("pairs are pools")
    };
    if (pk, ps) != (k, s) {
        return Err(format!(
            "`{layer}` undoes `{}` (window {pk}, stride {ps}) but has window {k}, stride {s}",
            pool.field
        ));
    }
    if prev.dims != pool.output {
        return Err(format!(
            "`{layer}` undoes `{}`, which produced {}, but `{}` produces {}",
            pool.field,
            pool.output.describe(),
            prev.producer,
            prev.dims.describe()
        ));
    }
    Ok(pool.input)
}

/// The input a network starting with `kind` must have, when it is implied.
fn implied_input(kind: Kind) -> Option<Dims> {
    match kind {
        Kind::Linear { inputs, .. } => Some(Dims::Flat(inputs)),
        _ => None,
    }
}

/// Checks the spec. Every problem is reported, each at its own layer.
pub fn resolve(spec: &NetworkSpec) -> Result<Network, syn::Error> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut input = None;
    let mut layers: Vec<Resolved> = Vec::new();
    let mut prev: Option<Produced> = None;
    // Max-pooling layers not yet undone by a `MaxUnpool2d`, innermost last.
    let mut open_pools: Vec<usize> = Vec::new();

    for (index, layer) in spec.layers.iter().enumerate() {
        let kind = match classify(layer) {
            Ok(Entry::Input(dims)) if index == 0 => {
                input = Some(dims);
                prev = Some(Produced {
                    dims,
                    producer: layer.display(),
                    text: dims.product(),
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
            None => match implied_input(kind) {
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
                unpool(kind, &layer.display(), &current, pair.map(|p| &layers[p]))
            }
            _ => output(kind, &layer.display(), &current),
        };
        let out = match shape {
            Ok(out) => out,
            Err(message) => {
                errors.push(error(layer, message));
                // Keep checking later joints from what this layer declares, if it does.
                if let Kind::Linear { outputs, .. } = kind {
                    prev = Some(Produced {
                        dims: Dims::Flat(outputs),
                        producer: layer.display(),
                        text: outputs.to_string(),
                    });
                }
                continue;
            }
        };
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
        let text = match kind {
            Kind::Flatten => current.dims.product(),
            _ => out.product(),
        };
        prev = Some(Produced {
            dims: out,
            producer: layer.display(),
            text,
        });
        input.get_or_insert(current.dims);
        if let Kind::MaxPool2d { .. } = kind {
            open_pools.push(layers.len());
        }
        layers.push(Resolved {
            field,
            kind,
            input: current.dims,
            output: out,
            span: layer.kind.span(),
            pair,
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
            input: input.expect("a checked network has an input shape"),
            layers,
        }),
    }
}
