//! Syntax: `[attrs] [vis] Name = < [field:] Layer[<args>], ... >`.
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Lit, Token, Visibility};

/// The whole macro input.
pub struct NetworkSpec {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub layers: Vec<LayerSpec>,
    /// The `< ... >` delimiters, for errors about the list as a whole.
    pub list_tokens: proc_macro2::TokenStream,
}

/// A number literal argument, possibly negated (`HardTanh<-2.0, 2.0>`).
pub struct Arg {
    pub negative: bool,
    pub lit: Lit,
}

impl Arg {
    /// The argument as an integer, if it is a non-negative integer literal.
    pub fn as_usize(&self) -> Option<usize> {
        match &self.lit {
            Lit::Int(i) if !self.negative => i.base10_parse().ok(),
            _ => None,
        }
    }

    /// The argument as a number (integer or float literal).
    pub fn as_f32(&self) -> Option<f32> {
        let v = match &self.lit {
            Lit::Float(f) => f.base10_parse::<f32>().ok()?,
            Lit::Int(i) => i.base10_parse::<u32>().ok()? as f32,
            _ => return None,
        };
        Some(if self.negative { -v } else { v })
    }

    fn text(&self) -> String {
        let lit = quote::ToTokens::to_token_stream(&self.lit).to_string();
        if self.negative {
            format!("-{lit}")
        } else {
            lit
        }
    }
}

impl quote::ToTokens for Arg {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        if self.negative {
            tokens.extend(quote::quote!(-));
        }
        self.lit.to_tokens(tokens);
    }
}

/// One entry of the layer list, as written.
pub struct LayerSpec {
    pub field: Option<Ident>,
    pub kind: Ident,
    pub args: Vec<Arg>,
    /// The layer's tokens as written (name and arguments), for errors that
    /// underline the whole layer.
    pub tokens: proc_macro2::TokenStream,
}

impl LayerSpec {
    /// The layer as the user wrote it, normalized: `Linear<784, 128>`.
    pub fn display(&self) -> String {
        if self.args.is_empty() {
            return self.kind.to_string();
        }
        let args: Vec<String> = self.args.iter().map(Arg::text).collect();
        format!("{}<{}>", self.kind, args.join(", "))
    }
}

impl Parse for NetworkSpec {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let open = input.parse::<Token![<]>()?;
        let mut layers = Vec::new();
        while !input.peek(Token![>]) {
            layers.push(input.parse()?);
            if input.peek(Token![>]) {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        let close = input.parse::<Token![>]>()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the layer list's closing `>`"));
        }
        let list_tokens = quote::quote!(#open #close);
        Ok(Self {
            attrs,
            vis,
            name,
            layers,
            list_tokens,
        })
    }
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
        let kind: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a layer name, e.g. `Linear<784, 128>` or `ReLU`",
            )
        })?;
        let mut tokens = quote::quote!(#kind);
        let mut args = Vec::new();
        if input.peek(Token![<]) {
            let open = input.parse::<Token![<]>()?;
            while !input.peek(Token![>]) {
                let negative = input.parse::<Option<Token![-]>>()?.is_some();
                let lit: Lit = input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        format!("`{kind}` arguments must be number literals, e.g. `Linear<784, 128>` or `Dropout<0.2>`"),
                    )
                })?;
                args.push(Arg { negative, lit });
                if input.peek(Token![>]) {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            let close = input.parse::<Token![>]>()?;
            tokens = quote::quote!(#kind #open #(#args),* #close);
        }
        Ok(Self {
            field,
            kind,
            args,
            tokens,
        })
    }
}
