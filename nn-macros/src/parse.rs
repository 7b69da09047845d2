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

/// One entry of the layer list, as written.
pub struct LayerSpec {
    pub field: Option<Ident>,
    pub kind: Ident,
    pub args: Vec<Lit>,
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
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| quote::ToTokens::to_token_stream(a).to_string())
            .collect();
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
                let arg: Lit = input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        format!("`{kind}` arguments must be number literals, e.g. `Linear<784, 128>` or `Dropout<0.2>`"),
                    )
                })?;
                args.push(arg);
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
