//! Convolutions in `network!`: how `Conv2d`, `DepthwiseConv2d`, `Conv1d` and
//! `ConvTranspose2d` are written (positional sizes as in PyTorch's
//! constructors, `(rows, columns)` pairs, keyword arguments `stride`,
//! `padding` (a size, a pair or `same`), `padding_mode` (PyTorch's `zeros`,
//! `reflect`, `replicate`, `circular`), `dilation`, `groups`), their shape
//! rule, and the fully sized type each becomes.
use crate::layers::{Written, differs, window};
use crate::parse::Arg;
use crate::shape::{Dims, Size};
use nn_shape::PaddingMode;
use proc_macro2::TokenStream;
use quote::quote;

/// Which convolution an entry is written as.
#[derive(Clone, Copy, PartialEq)]
pub enum Form {
    Conv2d,
    /// `Conv2d` with one group per channel.
    Depthwise,
    Conv1d,
    Transposed,
}

impl Form {
    fn usage(self) -> &'static str {
        match self {
            Form::Conv2d => {
                "Conv2d<IN_CHANNELS, OUT_CHANNELS, KERNEL[, STRIDE, PADDING, DILATION]>, where KERNEL, STRIDE and PADDING are sizes or `(rows, columns)` pairs and `stride = …`, `padding = …` (or `same`), `padding_mode = …` (`zeros`, `reflect`, `replicate`, `circular`), `dilation = …`, `groups = …` may be named"
            }
            Form::Depthwise => {
                "DepthwiseConv2d<CHANNELS, KERNEL[, STRIDE, PADDING, DILATION]>, where KERNEL, STRIDE and PADDING are sizes or `(rows, columns)` pairs and `stride = …`, `padding = …` (or `same`), `padding_mode = …` (`zeros`, `reflect`, `replicate`, `circular`), `dilation = …` may be named"
            }
            Form::Conv1d => {
                "Conv1d<IN_CHANNELS, OUT_CHANNELS, KERNEL[, STRIDE, PADDING, DILATION]>, where `stride = …`, `padding = …` (or `same`), `padding_mode = …` (`zeros`, `reflect`, `replicate`, `circular`), `dilation = …`, `groups = …` may be named"
            }
            Form::Transposed => {
                "ConvTranspose2d<IN_CHANNELS, OUT_CHANNELS, KERNEL[, STRIDE, PADDING]>, where `stride = …`, `padding = …` may be named"
            }
        }
    }

    /// The arguments in the order they may be given without names.
    fn positional(self) -> &'static [&'static str] {
        match self {
            Form::Conv2d | Form::Conv1d => &[
                "in_channels",
                "out_channels",
                "kernel",
                "stride",
                "padding",
                "dilation",
            ],
            Form::Depthwise => &["channels", "kernel", "stride", "padding", "dilation"],
            Form::Transposed => &["in_channels", "out_channels", "kernel", "stride", "padding"],
        }
    }

    /// The arguments that may be named.
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Form::Conv2d | Form::Conv1d => {
                &["stride", "padding", "padding_mode", "dilation", "groups"]
            }
            Form::Depthwise => &["stride", "padding", "padding_mode", "dilation"],
            Form::Transposed => &["stride", "padding"],
        }
    }

    /// Whether kernel, stride and padding may differ between rows and columns.
    fn two_axes(self) -> bool {
        matches!(self, Form::Conv2d | Form::Depthwise)
    }
}

/// How a convolution pads its input.
#[derive(Clone)]
pub enum Padding {
    /// Zeros on both sides of each axis, `[rows, columns]`.
    Explicit([Size; 2]),
    /// As many as keep `⌈n / s⌉` outputs (`padding = same`).
    Same,
}

/// A convolution's arguments; per-axis ones are `[rows, columns]` (a
/// sequence's length is the columns).
#[derive(Clone)]
pub struct Conv {
    ci: Size,
    co: Size,
    k: [Size; 2],
    s: [Size; 2],
    p: Padding,
    d: Size,
    groups: Size,
    /// What the padding reads.
    pub mode: PaddingMode,
}

impl Conv {
    /// Reads a convolution written as `form`.
    pub fn parse(w: &Written, form: Form) -> syn::Result<Conv> {
        let usage = form.usage();
        let names = form.positional();
        let mut given: Vec<(&str, &Arg)> = Vec::new();
        let mut named = false;
        for arg in w.args {
            let (name, value) = match arg {
                Arg::Named { name, value } => {
                    named = true;
                    let name = name.to_string();
                    let Some(known) = form.keywords().iter().find(|k| **k == name) else {
                        return Err(w.error(format!(
                            "`{}` has no argument `{name}`; it takes {}",
                            w.spec.display(),
                            form.keywords()
                                .iter()
                                .map(|k| format!("`{k} = …`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    };
                    (*known, &**value)
                }
                _ if named => {
                    return Err(w.error(format!(
                        "`{}`: sizes given by position come before named ones",
                        w.spec.display()
                    )));
                }
                _ if given.len() >= names.len() => return Err(w.malformed(usage, "sizes")),
                positional => (names[given.len()], positional),
            };
            if given.iter().any(|(n, _)| *n == name) {
                return Err(w.error(format!("`{}` gives `{name}` twice", w.spec.display())));
            }
            given.push((name, value));
        }
        let arg = |name: &str| given.iter().find(|(n, _)| *n == name).map(|(_, a)| *a);
        let scalar = |a: &Arg| match (a.as_usize(), a) {
            (Ok(Some(n)), _) => Ok(Size::Known(n)),
            (Ok(None), Arg::Const { tokens, is_path }) => Ok(Size::expr(tokens.clone(), *is_path)),
            _ => Err(w.malformed(usage, "sizes")),
        };
        let one = |name: &str, default: Option<usize>, what: &str| -> syn::Result<Size> {
            let size = match (arg(name), default) {
                (Some(a), _) => scalar(a)?,
                (None, Some(d)) => Size::Known(d),
                (None, None) => return Err(w.malformed(usage, "sizes")),
            };
            w.positive(size, what)
        };
        let axes = |name: &str, default: Option<usize>, what: &str| -> syn::Result<[Size; 2]> {
            match arg(name) {
                Some(Arg::Pair(rows, columns)) if form.two_axes() => Ok([
                    w.positive(scalar(rows)?, what)?,
                    w.positive(scalar(columns)?, what)?,
                ]),
                Some(Arg::Pair(..)) => Err(w.error(format!(
                    "`{}`: {what} is one size here, not a pair",
                    w.spec.display()
                ))),
                _ => one(name, default, what).map(|s| [s.clone(), s]),
            }
        };
        let (ci, co) = if form == Form::Depthwise {
            let c = one("channels", None, "the channel count")?;
            (c.clone(), c)
        } else {
            (
                one("in_channels", None, "the input channel count")?,
                one("out_channels", None, "the output channel count")?,
            )
        };
        let p = match arg("padding") {
            Some(a) if a.is_word("same") && form != Form::Transposed => Padding::Same,
            Some(Arg::Pair(rows, columns)) if form.two_axes() => {
                Padding::Explicit([scalar(rows)?, scalar(columns)?])
            }
            Some(Arg::Pair(..)) => {
                return Err(w.error(format!(
                    "`{}`: the padding is one size here, not a pair",
                    w.spec.display()
                )));
            }
            Some(a) => {
                let p = scalar(a)?;
                Padding::Explicit([p.clone(), p])
            }
            None => Padding::Explicit([Size::Known(0), Size::Known(0)]),
        };
        let mode = match arg("padding_mode") {
            None => PaddingMode::Zeros,
            Some(a) => *PaddingMode::ALL
                .iter()
                .find(|m| a.is_word(m.name()))
                .ok_or_else(|| {
                    w.error(format!(
                        "`{}`: `padding_mode` is `zeros`, `reflect`, `replicate` or `circular`, as PyTorch's",
                        w.spec.display()
                    ))
                })?,
        };
        Ok(Conv {
            mode,
            groups: if form == Form::Depthwise {
                ci.clone()
            } else {
                one("groups", Some(1), "the group count")?
            },
            k: axes("kernel", None, "the kernel size")?,
            s: axes("stride", Some(1), "the stride")?,
            d: one("dilation", Some(1), "the dilation")?,
            p,
            ci,
            co,
        })
    }

    /// The zero padding along `axis` of an input `n` long.
    fn padding(
        &self,
        krate: &TokenStream,
        layer: &str,
        axis: usize,
        n: &Size,
    ) -> Result<Size, String> {
        let (k, s) = (&self.k[axis], &self.s[axis]);
        match &self.p {
            Padding::Explicit(p) => Ok(p[axis].clone()),
            Padding::Same => Size::apply(
                &[n, k, s, &self.d],
                |v| nn_shape::same_padding(v[0], v[1], v[2], v[3]),
                |v| {
                    let (n, k, s, d) = (&v[0], &v[1], &v[2], &v[3]);
                    quote!(#krate::__private::shape::expect_same_padding(#krate::__private::shape::same_padding(#n, #k, #s, #d)))
                },
                |t| format!("same_padding({})", t.join(", ")),
            )
            .map_err(|()| {
                format!(
                    "`{layer}`: `padding = same` would pad one more after than before here (kernel {} at stride {}, as PyTorch does); nn pads both sides alike, so give `padding` explicitly",
                    k.text(),
                    s.text()
                )
            }),
        }
    }

    /// Whether an input of `c` channels is what the layer expects.
    fn takes_channels(
        &self,
        layer: &str,
        (producer, dims): (&str, &Dims),
        c: &Size,
    ) -> Result<(), String> {
        if !differs(c, &self.ci) {
            return Ok(());
        }
        Err(format!(
            "`{layer}` expects {} but `{producer}` produces {} ({})",
            self.ci.count("input channel"),
            dims.describe(),
            c.count("channel"),
        ))
    }

    /// The input channels of one group, `CI / G`.
    fn channels_per_group(&self) -> Size {
        if self.groups.same(&self.ci) == Some(true) {
            return Size::Known(1);
        }
        Size::apply(
            &[&self.ci, &self.groups],
            |v| Some(v[0] / v[1]),
            |v| {
                let (c, g) = (&v[0], &v[1]);
                quote!((#c) / (#g))
            },
            |t| format!("{}/{}", t[0], t[1]),
        )
        .expect("groups are positive")
    }

    /// The output of a convolution over `c` channels and the spatial axes
    /// `axes` (`[rows, columns]` of an image, `[1, length]` of a sequence).
    fn spatial(
        &self,
        krate: &TokenStream,
        layer: &str,
        (producer, dims, c): (&str, &Dims, &Size),
        axes: [&Size; 2],
        first_axis: usize,
    ) -> Result<[Size; 2], String> {
        self.takes_channels(layer, (producer, dims), c)?;
        if let (Some(g), Some(ci), Some(co)) =
            (self.groups.known(), self.ci.known(), self.co.known())
        {
            for (n, what) in [(ci, "input"), (co, "output")] {
                if n % g != 0 {
                    return Err(format!(
                        "`{layer}`: {g} groups do not divide its {n} {what} channels"
                    ));
                }
            }
        }
        let mut out = [Size::Known(1), Size::Known(1)];
        for axis in first_axis..2 {
            let n = axes[axis];
            let p = self.padding(krate, layer, axis, n)?;
            if let (Some(n), Some(p)) = (n.known(), p.known())
                && !self.mode.fits(n, p)
            {
                let (axis, limit) = match (first_axis, axis) {
                    (1, _) => ("sequence", "length"),
                    (_, 0) => ("image", "height"),
                    _ => ("image", "width"),
                };
                let need = match self.mode {
                    PaddingMode::Reflect => "padding smaller than the input",
                    _ => "padding no larger than the input",
                };
                return Err(format!(
                    "`{layer}`: {} padding needs {need}, but it pads {p} on each side of a{} {axis} {limit} of {n}",
                    self.mode.name(),
                    if axis == "image" { "n" } else { "" }
                ));
            }
            out[axis] = window(
                krate,
                layer,
                "kernel",
                [n, &self.k[axis], &self.s[axis], &p, &self.d],
            )?;
        }
        Ok(out)
    }

    /// The shape rule of `Conv2d` (and `DepthwiseConv2d`) on images.
    pub fn image(
        &self,
        krate: &TokenStream,
        layer: &str,
        from: (&str, &Dims),
    ) -> Option<Result<Dims, String>> {
        let Dims::Img { c, h, w } = from.1 else {
            return None;
        };
        Some(
            self.spatial(krate, layer, (from.0, from.1, c), [h, w], 0)
                .map(|[h, w]| Dims::Img {
                    c: self.co.clone(),
                    h,
                    w,
                }),
        )
    }

    /// The shape rule of `Conv1d` on sequences.
    pub fn sequence(
        &self,
        krate: &TokenStream,
        layer: &str,
        from: (&str, &Dims),
    ) -> Option<Result<Dims, String>> {
        let Dims::Seq { c, l } = from.1 else {
            return None;
        };
        Some(
            self.spatial(krate, layer, (from.0, from.1, c), [&Size::Known(1), l], 1)
                .map(|[_, l]| Dims::Seq {
                    c: self.co.clone(),
                    l,
                }),
        )
    }

    /// The shape rule of `ConvTranspose2d` on images.
    pub fn transposed(
        &self,
        krate: &TokenStream,
        layer: &str,
        (producer, dims): (&str, &Dims),
    ) -> Option<Result<Dims, String>> {
        let Dims::Img { c, h, w } = dims else {
            return None;
        };
        if let Err(e) = self.takes_channels(layer, (producer, dims), c) {
            return Some(Err(e));
        }
        let (k, s) = (&self.k[0], &self.s[0]);
        let Padding::Explicit([p, _]) = &self.p else {
            unreachable!("`same` is not read for transposed convolutions")
        };
        let out = |n: &Size| {
            Size::apply(
                &[n, k, s, p],
                |v| nn_shape::transposed_out_len(v[0], v[1], v[2], v[3]),
                |v| {
                    let (n, k, s, p) = (&v[0], &v[1], &v[2], &v[3]);
                    quote!(#krate::__private::shape::expect_window(#krate::__private::shape::transposed_out_len(#n, #k, #s, #p)))
                },
                |t| format!("{}·({} − 1) + {} − 2·{}", t[2], t[0], t[1], t[3]),
            )
            .map_err(|()| {
                let shrunk = n
                    .known()
                    .map_or(format!("({} − 1)", n.text()), |n| (n - 1).to_string());
                format!(
                    "`{layer}`: the output size s(n − 1) + k − 2p = {}·{shrunk} + {} − 2·{} is not positive",
                    s.text(),
                    k.text(),
                    p.text()
                )
            })
        };
        Some((|| {
            Ok(Dims::Img {
                c: self.co.clone(),
                h: out(h)?,
                w: out(w)?,
            })
        })())
    }

    /// The layer's type with every size filled in. Dense, zero-padded
    /// convolutions with one size per setting keep the short form
    /// (`Conv2d<1, 8, 5, 24, 24, 1, 0, 1>`); others spell out groups and the
    /// column settings, and the padding mode's discriminant if it is not zeros.
    pub fn ty(&self, krate: &TokenStream, form: Form, input: &Dims, output: &Dims) -> TokenStream {
        let l = quote!(#krate::layers);
        let a = Size::arg;
        let (ci, co, d, g) = (a(&self.ci), a(&self.co), a(&self.d), a(&self.groups));
        let cig = a(&self.channels_per_group());
        let dense = self.groups.known() == Some(1);
        let zeros = self.mode == PaddingMode::Zeros;
        let mode = self.mode.index();
        let pad = |axis: usize, n: &Size| {
            self.padding(krate, "", axis, n)
                .expect("the shape rule accepted this padding")
        };
        match (form, input, output) {
            (Form::Transposed, _, Dims::Img { h: oh, w: ow, .. }) => {
                let (k, s, oh, ow) = (a(&self.k[0]), a(&self.s[0]), a(oh), a(ow));
                let p = a(&pad(0, &Size::Known(0)));
                quote!(#l::ConvTranspose2d<#ci, #co, #k, #oh, #ow, #s, #p>)
            }
            (Form::Conv1d, Dims::Seq { l: n, .. }, Dims::Seq { l: ol, .. }) => {
                let (k, s, p, ol) = (a(&self.k[1]), a(&self.s[1]), a(&pad(1, n)), a(ol));
                if zeros && dense {
                    quote!(#l::Conv1d<#ci, #co, #k, #ol, #s, #p, #d>)
                } else if zeros {
                    quote!(#l::Conv1d<#ci, #co, #k, #ol, #s, #p, #d, #g, #cig>)
                } else {
                    quote!(#l::Conv1d<#ci, #co, #k, #ol, #s, #p, #d, #g, #cig, #mode>)
                }
            }
            (_, Dims::Img { h, w, .. }, Dims::Img { h: oh, w: ow, .. }) => {
                let (ph, pw) = (pad(0, h), pad(1, w));
                let square = self.k[0].same(&self.k[1]) == Some(true)
                    && self.s[0].same(&self.s[1]) == Some(true)
                    && ph.same(&pw) == Some(true);
                let [kh, kw] = self.k.each_ref().map(a);
                let [sh, sw] = self.s.each_ref().map(a);
                let (ph, pw, oh, ow) = (a(&ph), a(&pw), a(oh), a(ow));
                if zeros && dense && square {
                    quote!(#l::Conv2d<#ci, #co, #kh, #oh, #ow, #sh, #ph, #d>)
                } else if zeros {
                    quote!(#l::Conv2d<#ci, #co, #kh, #oh, #ow, #sh, #ph, #d, #g, #cig, #kw, #sw, #pw>)
                } else {
                    quote!(#l::Conv2d<#ci, #co, #kh, #oh, #ow, #sh, #ph, #d, #g, #cig, #kw, #sw, #pw, #mode>)
                }
            }
            _ => unreachable!("convolutions see the rank they need"),
        }
    }

    /// The receptive field after the layer, from the one before it
    /// (`prev`, a `ReceptiveField` expression).
    pub fn receptive(&self, krate: &TokenStream, form: Form, prev: TokenStream) -> TokenStream {
        let a = Size::arg;
        let ([kh, kw], [sh, sw], d) = (
            self.k.each_ref().map(a),
            self.s.each_ref().map(a),
            a(&self.d),
        );
        let rf = quote!(#krate::__private::shape::ReceptiveField);
        match form {
            Form::Transposed => quote!(#rf::transposed(#prev, [#kh, #kh], [#sh, #sh])),
            Form::Conv1d => quote!(#rf::window(#prev, [1, #kw], [1, #sw], #d)),
            Form::Conv2d | Form::Depthwise => {
                quote!(#rf::window(#prev, [#kh, #kw], [#sh, #sw], #d))
            }
        }
    }
}
