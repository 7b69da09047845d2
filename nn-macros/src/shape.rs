//! Sizes and sample shapes as the macro sees them: numbers it knows, or
//! expressions it hands to the compiler (a named constant such as `HIDDEN`,
//! the output of a user's layer). Known numbers go through `nn-shape`'s
//! rules here and now, so errors can quote them; expressions become calls to
//! the same rules, evaluated when the generated code compiles.
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::cell::RefCell;

thread_local! {
    /// While a signature is being printed: the expressions met so far, each
    /// replaced in the printed tokens by a marker naming its index.
    static MARKED: RefCell<Option<Vec<TokenStream>>> = const { RefCell::new(None) };
}

/// Runs `print` with every size expression it prints replaced by a marker
/// (`__nn_size_0`, …); returns what it printed and the expressions, in order.
pub fn with_markers<R>(print: impl FnOnce() -> R) -> (R, Vec<TokenStream>) {
    MARKED.with(|m| *m.borrow_mut() = Some(Vec::new()));
    let printed = print();
    let exprs = MARKED.with(|m| m.borrow_mut().take().unwrap_or_default());
    (printed, exprs)
}

/// The marker prefix [`with_markers`] prints.
pub const MARKER: &str = "__nn_size_";

/// One dimension.
#[derive(Clone)]
pub enum Size {
    Known(usize),
    /// A `usize` constant expression and how errors print it.
    Expr {
        tokens: TokenStream,
        text: String,
        /// A plain path (`HIDDEN`), usable as a const generic argument
        /// without braces.
        is_path: bool,
    },
}

impl Size {
    pub fn expr(tokens: TokenStream, is_path: bool) -> Self {
        let text = compact(&tokens.to_string());
        Size::Expr {
            tokens,
            text,
            is_path,
        }
    }

    pub fn known(&self) -> Option<usize> {
        match self {
            Size::Known(n) => Some(*n),
            Size::Expr { .. } => None,
        }
    }

    /// The size as a `usize` expression, never a marker.
    fn raw(&self) -> TokenStream {
        match self {
            Size::Known(n) => quote!(#n),
            Size::Expr { tokens, .. } => tokens.clone(),
        }
    }

    /// The size as a `usize` expression (array lengths, arithmetic).
    pub fn value(&self) -> TokenStream {
        match self {
            Size::Known(n) => quote!(#n),
            Size::Expr { tokens, .. } => Self::marked(tokens).unwrap_or_else(|| tokens.clone()),
        }
    }

    /// The size as a const generic argument.
    pub fn arg(&self) -> TokenStream {
        match self {
            Size::Expr {
                tokens,
                is_path: false,
                ..
            } => Self::marked(tokens).unwrap_or_else(|| quote!({ #tokens })),
            _ => self.value(),
        }
    }

    /// Under [`with_markers`], records `tokens` and returns its marker.
    fn marked(tokens: &TokenStream) -> Option<TokenStream> {
        MARKED.with(|m| {
            let mut m = m.borrow_mut();
            let exprs = m.as_mut()?;
            let marker = format_ident!("{MARKER}{}", exprs.len());
            exprs.push(tokens.clone());
            Some(quote!(#marker))
        })
    }

    pub fn text(&self) -> String {
        match self {
            Size::Known(n) => n.to_string(),
            Size::Expr { text, .. } => text.clone(),
        }
    }

    /// The size and a noun in agreement: `1 channel`, `8 channels`, `C channels`.
    pub fn count(&self, noun: &str) -> String {
        let plural = if self.known() == Some(1) { "" } else { "s" };
        format!("{} {noun}{plural}", self.text())
    }

    /// [`Size::text`], parenthesized if it is a formula, for printing
    /// inside another (`C×(SIDE − 2)×(SIDE − 2)`).
    pub fn factor(&self) -> String {
        let text = self.text();
        if text.contains(' ') {
            format!("({text})")
        } else {
            text
        }
    }

    /// Whether two sizes are equal, when the macro can tell (both known, or
    /// the same expression); `None` leaves it to the compiler.
    pub fn same(&self, other: &Size) -> Option<bool> {
        match (self, other) {
            (Size::Known(a), Size::Known(b)) => Some(a == b),
            (a, b) if a.text() == b.text() => Some(true),
            _ => None,
        }
    }

    /// `rule` of the known values, or, if any is an expression, the
    /// expression `call` builds for the compiler to evaluate, which errors
    /// and docs print as `text` says.
    pub fn apply(
        args: &[&Size],
        rule: impl FnOnce(&[usize]) -> Option<usize>,
        call: impl FnOnce(&[TokenStream]) -> TokenStream,
        text: impl FnOnce(&[String]) -> String,
    ) -> Result<Size, ()> {
        match args.iter().map(|a| a.known()).collect::<Option<Vec<_>>>() {
            Some(values) => rule(&values).map(Size::Known).ok_or(()),
            None => {
                let values: Vec<TokenStream> = args.iter().map(|a| a.raw()).collect();
                let texts: Vec<String> = args.iter().map(|a| a.factor()).collect();
                Ok(Size::Expr {
                    tokens: call(&values),
                    text: text(&texts),
                    is_path: false,
                })
            }
        }
    }

    /// The product of sizes.
    pub fn product(sizes: &[&Size]) -> Size {
        Size::apply(
            sizes,
            |v| Some(v.iter().product()),
            |v| {
                let (first, rest) = v.split_first().expect("a product has factors");
                quote!((#first) #( * (#rest) )*)
            },
            |t| t.join("·"),
        )
        .expect("a product always exists")
    }
}

/// The shape of one sample between two layers.
#[derive(Clone)]
pub enum Dims {
    /// A feature vector.
    Flat(Size),
    /// `c` channels of length `l`.
    Seq { c: Size, l: Size },
    /// `c` channels of `h × w` pixels.
    Img { c: Size, h: Size, w: Size },
    /// Whatever a user's layer produces: its `Forward::Out` type.
    Opaque { ty: TokenStream, producer: String },
}

impl Dims {
    pub fn len(&self, krate: &TokenStream) -> Size {
        match self {
            Dims::Flat(n) => n.clone(),
            Dims::Seq { c, l } => Size::product(&[c, l]),
            Dims::Img { c, h, w } => Size::product(&[c, h, w]),
            Dims::Opaque { ty, producer } => Size::Expr {
                tokens: quote!(<#ty as #krate::layer::Shape>::LEN),
                text: format!("len({producer})"),
                is_path: false,
            },
        }
    }

    /// Channels as `nn`'s `Shape::CHANNELS` counts them.
    pub fn channels(&self) -> Size {
        match self {
            Dims::Flat(n) => n.clone(),
            Dims::Seq { c, .. } | Dims::Img { c, .. } => c.clone(),
            Dims::Opaque { .. } => unreachable!("opaque shapes are viewed first"),
        }
    }

    /// The sample type: `[f32; N]`, `[[f32; L]; C]` or `[[[f32; W]; H]; C]`.
    pub fn ty(&self) -> TokenStream {
        let v = Size::value;
        match self {
            Dims::Flat(n) => {
                let n = v(n);
                quote!([f32; #n])
            }
            Dims::Seq { c, l } => {
                let (c, l) = (v(c), v(l));
                quote!([[f32; #l]; #c])
            }
            Dims::Img { c, h, w } => {
                let (c, h, w) = (v(c), v(h), v(w));
                quote!([[[f32; #w]; #h]; #c])
            }
            Dims::Opaque { ty, .. } => ty.clone(),
        }
    }

    /// Whether the macro knows the shape's rank (its numbers may still be
    /// expressions).
    pub fn is_opaque(&self) -> bool {
        matches!(self, Dims::Opaque { .. })
    }

    /// The same shape as `rank` dimensions, for a layer that reads that
    /// many: an opaque shape's dimensions become `nn::layer::dim` calls,
    /// and the layer's `Layer<In>` impl decides whether the rank is right.
    pub fn view(&self, rank: usize, krate: &TokenStream) -> Dims {
        let Dims::Opaque { ty, .. } = self else {
            return self.clone();
        };
        let Dims::Opaque { producer, .. } = self else {
            unreachable!()
        };
        let d = |axis: usize| Size::Expr {
            tokens: quote!(#krate::layer::dim::<#ty>(#axis)),
            text: format!("dim{axis}({producer})"),
            is_path: false,
        };
        match rank {
            1 => Dims::Flat(self.len(krate)),
            2 => Dims::Seq { c: d(0), l: d(1) },
            _ => Dims::Img {
                c: d(0),
                h: d(1),
                w: d(2),
            },
        }
    }

    /// `784 features`, `2×100 sequences`, `8×12×12 images`.
    pub fn describe(&self) -> String {
        match self {
            Dims::Flat(n) => n.count("feature"),
            Dims::Seq { c, l } => format!("{}×{} sequences", c.factor(), l.factor()),
            Dims::Img { c, h, w } => format!("{}×{}×{} images", c.factor(), h.factor(), w.factor()),
            Dims::Opaque { producer, .. } => format!("the output of `{producer}`"),
        }
    }

    /// `8·12·12 = 1152` (just `784` for a vector).
    pub fn product(&self, krate: &TokenStream) -> String {
        let total = self.len(krate).text();
        match self {
            Dims::Flat(n) => n.text(),
            Dims::Seq { c, l } => format!("{}·{} = {total}", c.factor(), l.factor()),
            Dims::Img { c, h, w } => {
                format!("{}·{}·{} = {total}", c.factor(), h.factor(), w.factor())
            }
            Dims::Opaque { .. } => total,
        }
    }

    /// Which numbers of two shapes differ: `channels 32 vs 16, height 8 vs 16`.
    pub fn difference(&self, other: &Dims) -> String {
        let named = |d: &Dims| -> Vec<(&'static str, Size)> {
            match d {
                Dims::Flat(n) => vec![("features", n.clone())],
                Dims::Seq { c, l } => vec![("channels", c.clone()), ("length", l.clone())],
                Dims::Img { c, h, w } => {
                    vec![
                        ("channels", c.clone()),
                        ("height", h.clone()),
                        ("width", w.clone()),
                    ]
                }
                Dims::Opaque { .. } => Vec::new(),
            }
        };
        let (a, b) = (named(self), named(other));
        if a.len() != b.len() {
            return "they are not the same kind of shape".into();
        }
        let differ: Vec<String> = a
            .iter()
            .zip(&b)
            .filter(|((_, x), (_, y))| x.same(y) == Some(false))
            .map(|((name, x), (_, y))| format!("{name} {} vs {}", x.text(), y.text()))
            .collect();
        differ.join(", ")
    }

    /// Whether two shapes are equal, when the macro can tell.
    pub fn same(&self, other: &Dims) -> Option<bool> {
        let all = |pairs: &[(&Size, &Size)]| {
            let mut verdict = Some(true);
            for (a, b) in pairs {
                match a.same(b) {
                    Some(false) => return Some(false),
                    None => verdict = None,
                    Some(true) => {}
                }
            }
            verdict
        };
        match (self, other) {
            (Dims::Flat(a), Dims::Flat(b)) => all(&[(a, b)]),
            (Dims::Seq { c, l }, Dims::Seq { c: c2, l: l2 }) => all(&[(c, c2), (l, l2)]),
            (
                Dims::Img { c, h, w },
                Dims::Img {
                    c: c2,
                    h: h2,
                    w: w2,
                },
            ) => all(&[(c, c2), (h, h2), (w, w2)]),
            (Dims::Opaque { ty, .. }, Dims::Opaque { ty: t2, .. })
                if ty.to_string() == t2.to_string() =>
            {
                Some(true)
            }
            (Dims::Opaque { .. }, _) | (_, Dims::Opaque { .. }) => None,
            _ => Some(false),
        }
    }
}

/// Token text without spaces, paths or literal suffixes: `Linear<784,128>`.
pub fn compact(tokens: &str) -> String {
    let text: String = tokens.chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.replace("::nn::layers::", "");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("usize") {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        // A suffix follows a digit (`784usize`); a name merely contains it.
        if !head.ends_with(|c: char| c.is_ascii_digit()) {
            out.push_str("usize");
        }
        rest = &tail["usize".len()..];
    }
    out.push_str(rest);
    out
}
