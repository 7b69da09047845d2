//! Code generation: the model struct, its trainer, and the unrolled passes.
//!
//! Every count comes from the layer types themselves
//! (`<T as Layer<S>>::NUM_PARAMS`, `STATE_LEN`, `GEMM_WIDTH`, `FUSION`), and
//! every shape the macro worked out is asserted equal to the type's
//! `Forward::Out`, so the macro's table and the types cannot drift apart.
use crate::network::{Network, Op, Resolved, SigPart};
use crate::parse::NetworkSpec;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn expand(spec: &NetworkSpec, net: &Network) -> TokenStream {
    let model = model(spec, net);
    let trainer = trainer(spec, net);
    let int8 = spec.int8.then(|| {
        let name = format_ident!("{}Int8", spec.name);
        crate::int8::int8(spec, net, signature(net, &name, "int8|"))
    });
    quote! {
        #model
        #trainer
        #int8
    }
}

/// `<T as Layer<In>>` for a layer.
pub(crate) fn layer_trait(net: &Network, l: &Resolved) -> TokenStream {
    let (p, t, s) = (private(net), &l.ty, l.input.ty());
    quote!(<#t as #p::Layer<#s>>)
}

fn private(net: &Network) -> TokenStream {
    let krate = &net.krate;
    quote!(#krate::__private)
}

/// `const` items proving the macro's view of each layer equals its type's:
/// the output shape, and no parameters or state where it assumed none.
fn assertions(net: &Network) -> Vec<TokenStream> {
    let p = private(net);
    let mut checks = Vec::new();
    for l in net.layers.iter().filter(|l| l.pair.is_none()) {
        let (t, s, lt) = (&l.ty, l.input.ty(), layer_trait(net, l));
        if !l.output.is_opaque() {
            let out = l.output.ty();
            checks.push(quote!(#p::assert_same::<<#t as #p::Forward<#s>>::Out, #out>();));
        }
        if !l.kind.has_params() {
            checks.push(quote!(assert!(#lt::NUM_PARAMS == 0 && #lt::STATE_LEN == 0);));
        }
    }
    checks
}

/// `SIGNATURE` of the type `name` (the network's, after `prefix`): a literal
/// when the macro knows every size, else assembled at compile time from the
/// sizes the compiler evaluates.
fn signature(net: &Network, name: &syn::Ident, prefix: &str) -> TokenStream {
    let p = private(net);
    let mut parts = net.signature();
    match parts.first_mut() {
        Some(SigPart::Text(text)) => text.insert_str(0, prefix),
        _ => parts.insert(0, SigPart::Text(prefix.into())),
    }
    if let [SigPart::Text(text)] = parts.as_slice() {
        return quote! {
            /// The architecture as weights files identify it: the input
            /// shape and every layer's full type and settings.
            pub const SIGNATURE: &'static str = #text;
        };
    }
    let parts = parts.iter().map(|part| match part {
        SigPart::Text(text) => quote!(#p::SignaturePart::Text(#text)),
        SigPart::Num(n) => quote!(#p::SignaturePart::Num(#n)),
    });
    quote! {
        #[doc(hidden)]
        pub const __SIGNATURE_PARTS: &'static [#p::SignaturePart] = &[#(#parts),*];
        #[doc(hidden)]
        pub const __SIGNATURE_BYTES: [u8; #p::signature_len(#name::__SIGNATURE_PARTS)] = #p::signature_bytes(#name::__SIGNATURE_PARTS);
        /// The architecture as weights files identify it: the input
        /// shape and every layer's full type and settings.
        pub const SIGNATURE: &'static str = #p::signature_str(&#name::__SIGNATURE_BYTES);
    }
}

fn model(spec: &NetworkSpec, net: &Network) -> TokenStream {
    let NetworkSpec {
        attrs, vis, name, ..
    } = spec;
    let krate = &net.krate;
    let p = private(net);
    let fields = net.layers.iter().map(|l| &l.field).collect::<Vec<_>>();
    let types = net.layers.iter().map(|l| &l.ty).collect::<Vec<_>>();
    let field_docs = net.layers.iter().map(|l| {
        format!(
            "Layer `{}`: {} → {}.",
            l.field,
            l.input.describe(),
            l.output.describe()
        )
    });
    let (input, output) = (net.input(), &net.buffers[net.output]);
    let (d_in, d_out) = (input.len(krate).value(), output.len(krate).value());
    let out_len = output.len(krate).arg();
    let (in_ty, out_ty) = (input.ty(), output.ty());
    let crate::inference::Inference { memory, methods } =
        crate::inference::inference(net, name, vis, spec.int8);
    // Every layer but unpooling (which has no parameters) is a `Layer`.
    let trainable: Vec<&Resolved> = net.layers.iter().filter(|l| l.pair.is_none()).collect();
    let layer_fields: Vec<_> = trainable.iter().map(|l| &l.field).collect();
    let layer_traits: Vec<_> = trainable.iter().map(|l| layer_trait(net, l)).collect();
    let settings = net.layers.iter().filter_map(|l| {
        let (f, value) = (&l.field, l.kind.setting(&l.ty)?);
        Some(quote!(this.#f = #value;))
    });
    let summary = net
        .layers
        .iter()
        .map(|l| format!("`{}`", l.field))
        .collect::<Vec<_>>()
        .join(" → ");
    let with_params: Vec<&Resolved> = net.layers.iter().filter(|l| l.kind.has_params()).collect();
    let param_fields: Vec<_> = with_params.iter().map(|l| &l.field).collect();
    let param_traits: Vec<_> = with_params.iter().map(|l| layer_trait(net, l)).collect();
    let tensors = param_fields.len();
    let param_prefixes: Vec<&str> = with_params.iter().map(|l| l.torch.as_str()).collect();
    let signature = signature(net, name, "");
    let checks = assertions(net);
    let summary_items = crate::summary::summary(net, name);
    // A final sigmoid makes a one-output network's output a probability.
    let head_fusion = match net.ops.last() {
        Some(Op::Layer(i)) if net.layers[*i].pair.is_none() => {
            let lt = layer_trait(net, &net.layers[*i]);
            quote!(#lt::FUSION)
        }
        _ => quote!(#p::Fusion::None),
    };
    let model_doc = format!(
        "Model parameters of `{name}` ({} → {}): {summary}. Train it with [`{name}Trainer`].",
        input.describe(),
        output.describe()
    );
    quote! {
        #(#attrs)*
        #[doc = #model_doc]
        #[derive(Clone, Debug, PartialEq)]
        #[repr(C)]
        #vis struct #name {
            #( #[doc = #field_docs] pub #fields: #types, )*
        }

        #memory

        // SAFETY: every field is a layer type, and `Layer` requires `Zeroable`
        // (checked by `assert_zeroable` below).
        unsafe impl #p::Zeroable for #name {}

        // SAFETY: `repr(C)` of the layers; when each is `Plain`, so is the
        // struct if it has no padding between them, which `UNPADDED` asserts
        // wherever its bytes are read. The `for<'plain>` makes each bound a
        // condition of the impl rather than an error for a layer that is not
        // `Plain`.
        unsafe impl #p::Plain for #name where #( for<'plain> #types: #p::Plain, )* {
            const UNPADDED: () = assert!(
                ::core::mem::size_of::<Self>() == 0 #( + ::core::mem::size_of::<#types>() )*,
                "the layers' bytes do not fill the model: a layer is padded"
            );
        }

        impl #p::Image for #name where for<'plain> #name: #p::Plain {
            const SIGNATURE: &'static str = #name::SIGNATURE;
        }

        const _: () = {
            #( #p::assert_zeroable::<#types>(); )*
            #( #checks )*
        };

        impl #name {
            /// Number of trainable parameters (weights and biases of every layer).
            pub const NUM_PARAMS: usize = 0 #( + #param_traits::NUM_PARAMS )*;
            /// Values per input sample.
            pub const INPUTS: usize = #d_in;
            /// Values per output sample.
            pub const OUTPUTS: usize = #d_out;
            /// Bytes of the model: its parameters and layer settings (with
            /// `nn::include_model!`, in flash).
            pub const MODEL_BYTES: usize = ::core::mem::size_of::<Self>();

            #methods

            /// The mean `loss` of any number of samples (not a multiple of a
            /// batch size) against `targets`, in evaluation mode, one sample
            /// at a time, without a trainer or an allocation: the mean of
            /// `sample_loss`.
            ///
            /// # Errors
            /// If `targets` is not one per sample, or there are none.
            pub fn mean_loss<T, L: #p::Loss<#out_len, T>>(&self, x: &[#in_ty], targets: &[T], loss: &L) -> ::core::result::Result<f32, #p::EvalError> {
                #p::mean_over(x, targets, |x, t| self.sample_loss(x, t, loss))
            }

            #summary_items

            /// The parameters of each layer that has any, in layer order, each
            /// as one flat slice (for a `Linear`, its weights row by row, then
            /// its biases).
            pub fn params(&self) -> [&[f32]; #tensors] {
                [#( #param_traits::params(&self.#param_fields) ),*]
            }

            /// Mutable [`Self::params`].
            pub fn params_mut(&mut self) -> [&mut [f32]; #tensors] {
                [#( #param_traits::params_mut(&mut self.#param_fields) ),*]
            }

            #signature
            /// Values a weights file holds: every parameter, plus batch
            /// norm's running statistics.
            pub const STATE_LEN: usize = 0 #( + #param_traits::STATE_LEN )*;
            /// Size of this network's weights file (`Model::save_to`).
            pub const WEIGHTS_BYTES: usize = <Self as #p::Model>::WEIGHTS_BYTES;

            /// What the layers persist (each layer's `Layer::state`), in order.
            pub fn state(&self) -> [&[f32]; #tensors] {
                [#( #param_traits::state(&self.#param_fields) ),*]
            }

            /// Mutable [`Self::state`].
            pub fn state_mut(&mut self) -> [&mut [f32]; #tensors] {
                [#( #param_traits::state_mut(&mut self.#param_fields) ),*]
            }

        }

        impl #p::Parameters for #name {
            fn zip_tensors(&mut self, other: &Self, f: &mut dyn FnMut(&mut [f32], &[f32])) {
                for (mine, theirs) in self.params_mut().into_iter().zip(other.params()) {
                    f(mine, theirs);
                }
            }
        }

        /// Prints [`summary`](Self::summary)'s layer table:
        /// `println!("{model}")`, as Keras' `model.summary()`.
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&Self::summary(), f)
            }
        }

        // Weights files, safetensors and the flat parameter vector are
        // `Model`'s provided methods; a network only says what it holds.
        impl #p::Model for #name {
            const SIGNATURE: &'static str = #name::SIGNATURE;
            const THRESHOLD: f32 = match #head_fusion {
                #p::Fusion::Sigmoid => 0.5,
                _ => 0.0,
            };
            const NUM_PARAMS: usize = #name::NUM_PARAMS;
            const STATE_LEN: usize = #name::STATE_LEN;
            const TORCH: &'static [(&'static str, &'static [#p::TorchTensor])] =
                &[#( (#param_prefixes, #param_traits::TORCH) ),*];
            fn param_tensors(&self) -> impl AsRef<[&[f32]]> {
                self.params()
            }
            fn param_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
                self.params_mut()
            }
            fn state_tensors(&self) -> impl AsRef<[&[f32]]> {
                self.state()
            }
            fn state_tensors_mut(&mut self) -> impl AsMut<[&mut [f32]]> {
                self.state_mut()
            }
            type Input = #in_ty;
            type Output = #out_ty;
            fn run(&self, x: &#in_ty) -> #out_ty {
                self.forward(x)
            }
            fn reset<R: #p::Rng + ?Sized>(&mut self, init: #p::Init, rng: &mut R) {
                let this = self;
                #( #settings )*
                #( #layer_traits::init_params(&mut this.#layer_fields, init, rng); )*
            }
        }

    }
}

fn trainer(spec: &NetworkSpec, net: &Network) -> TokenStream {
    let NetworkSpec {
        vis,
        name: model_name,
        ..
    } = spec;
    let krate = &net.krate;
    let p = private(net);
    let trainer = format_ident!("{}Trainer", model_name);
    let zero_batch = format!(
        "`{trainer}<_, 0>` trains on batches of no samples: choose a batch size B of at least 1"
    );
    // Inside the trainer, the model is named through an alias declared
    // outside it: a network called `O`, `B`, `T` or `L` would otherwise be
    // shadowed by the trainer's generic parameters of those names.
    let name = &format_ident!("__{}TrainerModel", model_name);
    let layers = &net.layers;
    let lt = |i: usize| layer_trait(net, &layers[i]);
    // The GEMM workspace serves the widest product of any layer.
    let gemm_width = layers
        .iter()
        .filter(|l| l.pair.is_none())
        .fold(quote!(1usize), |w, l| {
            let lt = layer_trait(net, l);
            quote!(#p::shape::max(#w, #lt::GEMM_WIDTH))
        });
    let (in_ty, out_ty) = (net.input().ty(), net.buffers[net.output].ty());
    let d_out = net.buffers[net.output].len(krate).arg();

    let act = |k: usize| format_ident!("act{}", k);
    let delta = |k: usize| format_ident!("delta{}", k);
    let scratch = |k: usize| format_ident!("scratch{}", k);
    let grad = |i: usize| format_ident!("grad_{}", layers[i].field);
    let state = |i: usize| format_ident!("state_{}", layers[i].field);
    let cache = |i: usize| format_ident!("cache_{}", layers[i].field);
    let input = |k: usize| {
        if k == 0 {
            quote!(x)
        } else {
            let a = act(k);
            quote!(&self.#a)
        }
    };

    let param_layers: Vec<usize> = (0..layers.len())
        .filter(|&i| layers[i].kind.has_params())
        .collect();
    // Gradients flow only into buffers that depend on a parameter.
    let reach = net.reach();

    // The loss may fuse with a final softmax or sigmoid (its type says so
    // in `FUSION`): it then reads the last layer's input too and its
    // gradient starts below that layer.
    let last_layer = match net.ops.last() {
        Some(Op::Layer(i)) if layers[*i].pair.is_none() => Some(*i),
        _ => None,
    };
    // Both forms are compiled, so the fused one only where the sizes are
    // known equal: the layers that fuse (Softmax, Sigmoid) keep their
    // input's shape, and a size given as a constant expression may differ.
    let fusable = last_layer.filter(|&i| {
        let l = &layers[i];
        l.input.len(krate).same(&l.output.len(krate)) == Some(true)
    });
    let fusion = match last_layer {
        Some(i) => {
            let lt = lt(i);
            quote!(#lt::FUSION)
        }
        None => quote!(#p::Fusion::None),
    };

    // The backward pass, last op first. A buffer read by two ops (a
    // residual block's input) receives two gradients: the first is written
    // in place, later ones go through a scratch buffer and are added.
    let mut written = vec![false; net.buffers.len()];
    let mut scratches: Vec<usize> = Vec::new();
    let mut write_dx = |k: usize, written: &mut Vec<bool>| -> (TokenStream, TokenStream) {
        let d = delta(k);
        if !written[k] {
            written[k] = true;
            (quote!(self.#d), quote!())
        } else {
            if !scratches.contains(&k) {
                scratches.push(k);
            }
            let s = scratch(k);
            (
                quote!(self.#s),
                quote!(#p::add_assign(#p::as_slice_mut(&mut self.#d), #p::as_slice(&self.#s));),
            )
        }
    };
    let mut backward_op = |op: &Op, written: &mut Vec<bool>| -> TokenStream {
        match *op {
            Op::Layer(i) => {
                let l = &layers[i];
                let (x_buf, y_buf) = (l.input_buf, l.output_buf);
                if !reach[y_buf] {
                    return quote!();
                }
                let (f, a, c, x, lt, dy) = (
                    &l.field,
                    act(y_buf),
                    cache(i),
                    input(x_buf),
                    lt(i),
                    delta(y_buf),
                );
                let target = reach[x_buf].then(|| write_dx(x_buf, written));
                let accumulate = target.as_ref().map(|(_, acc)| acc.clone());
                match (l.pair, target) {
                    // Unpooling has no parameters; its pool's cache holds the indices.
                    (Some(pool), Some((target, _))) => {
                        let pc = cache(pool);
                        quote!(self.model.#f.backward(&self.#pc, &self.#dy, &mut #target); #accumulate)
                    }
                    (Some(_), None) => quote!(),
                    (None, target) => {
                        let dx = match target {
                            Some((target, _)) => quote!(Some(&mut #target)),
                            None => quote!(None),
                        };
                        let g = if l.kind.has_params() {
                            let g = grad(i);
                            quote!(&mut self.#g)
                        } else {
                            quote!(&mut [])
                        };
                        quote! {
                            #lt::backward(&self.model.#f, #x, &self.#a, &self.#dy, &mut self.#c, #dx, #g, &mut ctx);
                            #accumulate
                        }
                    }
                }
            }
            Op::Add { a, b, output, .. } => {
                if !reach[output] {
                    return quote!();
                }
                let dy = delta(output);
                let mut steps = Vec::new();
                for k in [a, b] {
                    if !reach[k] {
                        continue;
                    }
                    let d = delta(k);
                    steps.push(if written[k] {
                        quote!(#p::add_assign(#p::as_slice_mut(&mut self.#d), #p::as_slice(&self.#dy));)
                    } else {
                        written[k] = true;
                        quote!(#p::as_slice_mut(&mut self.#d).copy_from_slice(#p::as_slice(&self.#dy));)
                    });
                }
                quote!(#(#steps)*)
            }
        }
    };
    let out = net.output;
    let out_act = act(out);
    // Losses see every sample as a vector, whatever its shape.
    let out_row = quote!(#p::as_vector(&self.#out_act[b]));
    // The head's input row (the network input itself for a one-layer network).
    let below = fusable.map(|i| {
        let k = layers[i].input_buf;
        if k == 0 {
            quote!(#p::as_vector(&x[b]))
        } else {
            let a = act(k);
            quote!(#p::as_vector(&self.#a[b]))
        }
    });
    let fused_loss = |dz: TokenStream| {
        let below = below.clone().expect("only for fusable heads");
        quote!(loss.loss_grad_after(#fusion, #below, #out_row, &targets[b], #dz))
    };
    let loss_eval = if fusable.is_some() {
        fused_loss(quote!(None))
    } else {
        quote!(loss.loss_grad(#out_row, &targets[b], None))
    };
    // Only the first `rows` samples are real; padding gets no gradient.
    let backprop = if !reach[out] {
        quote! {
            for b in 0..rows {
                total += #loss_eval;
            }
        }
    } else {
        let top = delta(out);
        let unfused_loss = quote! {
            for b in 0..rows {
                total += loss.loss_grad(#out_row, &targets[b], Some(#p::as_vector_mut(&mut self.#top[b])));
            }
            self.#top[rows..].iter_mut().for_each(|d| #p::as_slice_mut(d).fill(0.0));
            #p::scale(inv_b, #p::as_slice_mut(&mut self.#top));
        };
        let mut ops = net.ops.iter().rev();
        let head = match fusable {
            // The fused form only exists if something below the head learns.
            Some(i) if reach[layers[i].input_buf] => {
                let below_top = delta(layers[i].input_buf);
                // The head's backward is the first write of its input's
                // gradient, as the fused loss is: both branches leave the
                // same buffers written for the ops below.
                let last = backward_op(ops.next().expect("a last op"), &mut written);
                let fused = fused_loss(quote!(Some(#p::as_vector_mut(&mut self.#below_top[b]))));
                quote! {
                    if #fusion.is_fused() {
                        for b in 0..rows {
                            total += #fused;
                        }
                        self.#below_top[rows..].iter_mut().for_each(|d| #p::as_slice_mut(d).fill(0.0));
                        #p::scale(inv_b, #p::as_slice_mut(&mut self.#below_top));
                    } else {
                        #unfused_loss
                        #last
                    }
                }
            }
            _ => unfused_loss,
        };
        let rest: Vec<TokenStream> = ops.map(|op| backward_op(op, &mut written)).collect();
        quote! {
            let mut ctx = #p::Context { mode, rng: &mut self.rng, workspace: &mut self.workspace, parallel: self.parallel, rows };
            #head
            #( #rest )*
        }
    };
    // A layer with parameters must not fuse: its gradient would be skipped.
    let no_fused_params = last_layer.filter(|&i| layers[i].kind.has_params()).map(|_| {
        quote!(const { assert!(!#fusion.is_fused(), "a layer with parameters cannot fuse with the loss") };)
    });

    // The buffers: (name, type), all zero-filled by `init_in_place`.
    let mut buffers: Vec<(syn::Ident, TokenStream)> = Vec::new();
    for &i in &param_layers {
        let (g, s, lt) = (grad(i), state(i), lt(i));
        buffers.push((g, quote!([f32; #lt::NUM_PARAMS])));
        buffers.push((s, quote!(<O as #p::Optimizer>::State<{ #lt::NUM_PARAMS }>)));
    }
    for (i, l) in layers.iter().enumerate() {
        if l.pair.is_none() {
            let (c, lt) = (cache(i), lt(i));
            buffers.push((c, quote!(#lt::Cache<{ B }>)));
        }
    }
    for (k, dims) in net.buffers.iter().enumerate().skip(1) {
        let s = dims.ty();
        buffers.push((act(k), quote!([#s; B])));
        if reach[k] {
            buffers.push((delta(k), quote!([#s; B])));
        }
    }
    for &k in &scratches {
        let s = net.buffers[k].ty();
        buffers.push((scratch(k), quote!([#s; B])));
    }
    let (buffer_names, buffer_types): (Vec<_>, Vec<_>) = buffers.into_iter().unzip();

    let forward_steps = net.ops.iter().map(|op| match *op {
        Op::Layer(i) => {
            let l = &layers[i];
            let (f, a, c, x, lt) = (&l.field, act(l.output_buf), cache(i), input(l.input_buf), lt(i));
            match l.pair {
                // Unpooling reads the indices its pool cached.
                Some(pool) => {
                    let pc = cache(pool);
                    quote!(self.model.#f.forward_batch(#x, &self.#pc, &mut self.#a);)
                }
                None => quote!(#lt::forward_batch(&mut self.model.#f, #x, &mut self.#a, &mut self.#c, &mut ctx);),
            }
        }
        Op::Add { a, b, output, .. } => {
            let (a, b, y) = (input(a), input(b), act(output));
            quote!(#p::add_batches(#p::as_slice(#a), #p::as_slice(#b), #p::as_slice_mut(&mut self.#y));)
        }
    });
    let penalized = param_layers.iter().map(|&i| {
        let (f, g, lt) = (&layers[i].field, grad(i), lt(i));
        quote!((#lt::params(&self.model.#f), &mut self.#g[..], #lt::NUM_WEIGHTS))
    });
    let updates = param_layers.iter().map(|&i| {
        let (f, g, st, lt) = (&layers[i].field, grad(i), state(i), lt(i));
        quote!(self.optimizer.update::<{ #lt::NUM_PARAMS }>(#lt::params_mut(&mut self.model.#f), &self.#g, &mut self.#st);)
    });
    let pulls = param_layers.iter().map(|&i| {
        let (f, g, lt) = (&layers[i].field, grad(i), lt(i));
        quote!(#p::pull_toward(#lt::params(&self.model.#f), #lt::params(&reference.#f), strength, &mut self.#g[..]);)
    });
    let noisy: Vec<TokenStream> = param_layers
        .iter()
        .map(|&i| {
            let (f, lt) = (&layers[i].field, lt(i));
            quote!((#lt::params_mut(&mut self.model.#f), #lt::NUM_WEIGHTS))
        })
        .collect();
    // Weight noise: perturb, take the gradient there, then subtract the same
    // noise (regenerated from its seed) before the update.
    let (add_noise, remove_noise) = if reach[out] {
        (
            quote! {
                let noise = self.regularization.weight_noise;
                let noise_seed = #p::weight_noise_seed(self.seed, self.step - 1);
                if noise != 0.0 {
                    #p::perturb_weights(&mut [#( #noisy ),*], noise, noise_seed);
                }
            },
            quote! {
                if noise != 0.0 {
                    #p::perturb_weights(&mut [#( #noisy ),*], -noise, noise_seed);
                }
            },
        )
    } else {
        (quote!(), quote!())
    };
    let pull = if reach[out] {
        quote! {
            if let ::core::option::Option::Some((reference, strength)) = toward {
                #( #pulls )*
            }
        }
    } else {
        quote!(let _ = toward;)
    };
    let update = if reach[out] {
        quote! {
            if self.regularization.is_active() {
                self.regularization.apply(&mut [#( #penalized ),*]);
            }
            #( #updates )*
        }
    } else {
        quote!()
    };
    let gradient_doc = format!(
        "The gradient of [`Self::eval_loss`] with respect to every parameter, written to `grad` \
         in [`{model_name}::params`] order (layer by layer, each tensor flat); returns the loss. \
         Evaluation mode, no penalties, no update: the deterministic full-batch objective that \
         second-order methods and gradient checks need.\n\n# Panics\nIf `grad.len()` is not \
         [`{model_name}::NUM_PARAMS`]."
    );
    let opt_states: Vec<_> = param_layers.iter().map(|&i| state(i)).collect();
    let copy_gradients = param_layers.iter().map(|&i| {
        let g = grad(i);
        quote! {
            let (tensor, rest) = rest.split_at_mut(self.#g.len());
            tensor.copy_from_slice(&self.#g);
        }
    });

    let doc = format!(
        "Training state of [`{model_name}`] for batches of `B` samples with optimizer `O`: the model plus \
         fixed-size gradients, optimizer state, activations, backward buffers and GEMM workspace. \
         A training step allocates nothing."
    );
    quote! {
        #[doc(hidden)]
        #vis type #name = #model_name;

        #[doc = #doc]
        #vis struct #trainer<O: #p::Optimizer = #p::Sgd, const B: usize = 32> {
            /// The model being trained.
            pub model: #name,
            /// The optimizer (its hyperparameters may be changed between steps).
            pub optimizer: O,
            /// Weight penalties, gradient clipping and weight noise applied
            /// around each step (all off when built).
            pub regularization: #p::Regularization,
            rng: #p::TrainRng,
            seed: u64,
            step: u64,
            parallel: &'static dyn #p::Parallel,
            workspace: [f32; #p::workspace_len(#gemm_width)],
            #( #buffer_names: #buffer_types, )*
        }

        impl<O: #p::Optimizer, const B: usize> #trainer<O, { B }> {
            /// Bytes of the whole training state.
            pub const TRAIN_STATE_BYTES: usize = ::core::mem::size_of::<Self>();
            /// Samples per training batch.
            pub const BATCH: usize = B;
            /// Stops compilation where a trainer of no samples is built or
            /// used (a const generic cannot be bounded on stable Rust, so
            /// this is the earliest place to refuse it).
            const AT_LEAST_ONE_SAMPLE: () = assert!(B > 0, #zero_batch);

            /// Builds the trainer in `slot` without a stack temporary. `seed`
            /// drives parameter initialization and dropout: the same seed gives
            /// bit-identical training.
            pub fn init_in_place<'slot>(
                slot: &'slot mut ::core::mem::MaybeUninit<Self>,
                init: #p::Init,
                optimizer: O,
                seed: u64,
            ) -> &'slot mut Self {
                let () = Self::AT_LEAST_ONE_SAMPLE;
                // Every field that stays zero-filled must be valid as zero
                // bytes; these calls compile only if each type is `Zeroable`.
                #p::assert_zeroable::<#name>();
                #p::assert_zeroable::<#p::Regularization>();
                #p::assert_zeroable::<u64>();
                #p::assert_zeroable::<[f32; #p::workspace_len(#gemm_width)]>();
                #( #p::assert_zeroable::<#buffer_types>(); )*
                let ptr = slot.as_mut_ptr();
                // SAFETY: every field but `optimizer`, `rng`, `seed` and
                // `parallel` is asserted `Zeroable` just above, so zero bytes
                // make it valid. Those four are written through raw pointers
                // before any reference to the whole struct exists.
                unsafe {
                    ptr.write_bytes(0, 1);
                    ::core::ptr::addr_of_mut!((*ptr).optimizer).write(optimizer);
                    ::core::ptr::addr_of_mut!((*ptr).rng).write(<#p::TrainRng as #p::SeedableRng>::seed_from_u64(seed));
                    ::core::ptr::addr_of_mut!((*ptr).seed).write(seed);
                    ::core::ptr::addr_of_mut!((*ptr).parallel).write(&#p::Serial);
                }
                // SAFETY: initialized just above.
                let this = unsafe { slot.assume_init_mut() };
                #p::Model::reset(&mut this.model, init, &mut this.rng);
                this
            }

            /// Lets large products split across `parallel`'s threads (e.g.
            /// `nn::kernels::parallel::global()`); `&Serial`, the default,
            /// keeps every step on the calling thread.
            pub fn set_parallel(&mut self, parallel: &'static dyn #p::Parallel) {
                self.parallel = parallel;
            }

            /// Runs a batch forward in `mode`, filling the activation buffers.
            fn run_forward(&mut self, x: &[#in_ty; B], mode: #p::Mode, rows: usize) {
                let mut ctx = #p::Context { mode, rng: &mut self.rng, workspace: &mut self.workspace, parallel: self.parallel, rows };
                #( #forward_steps )*
            }

            /// Forward in `mode`, the mean loss over the first `rows` samples
            /// (`1 ≤ rows ≤ B`), and backpropagation into the gradient
            /// buffers. Returns the loss.
            fn backprop<T, L: #p::Loss<#d_out, T>>(&mut self, x: &[#in_ty; B], targets: &[T; B], loss: &L, mode: #p::Mode, rows: usize) -> f32 {
                let () = Self::AT_LEAST_ONE_SAMPLE;
                #no_fused_params
                self.run_forward(x, mode, rows);
                let inv_b = 1.0 / rows as f32;
                let mut total = 0.0f32;
                #backprop
                total * inv_b
            }

            /// One training step on a batch: forward, mean loss over the batch,
            /// backward, optimizer update. Returns the mean loss.
            pub fn train_step<T, L: #p::Loss<#d_out, T>>(&mut self, x: &[#in_ty; B], targets: &[T; B], loss: &L) -> f32 {
                self.step_toward(x, targets, B, loss, ::core::option::Option::None)
            }

            /// [`Self::train_step`] on the first `rows` samples of the
            /// buffers only (a short last batch, as `Epochs::gather` returns
            /// its length): the loss and its gradient are the mean over those
            /// rows, batch norm's statistics leave the rest out, and the rest
            /// (keep them finite; `gather` fills them with copies of a real
            /// row) get no gradient. `rows = B` is `train_step`.
            ///
            /// # Panics
            /// If `rows` is 0 or more than `B`.
            pub fn train_batch<T, L: #p::Loss<#d_out, T>>(&mut self, x: &[#in_ty; B], targets: &[T; B], rows: usize, loss: &L) -> f32 {
                assert!(rows > 0 && rows <= B, "a batch has between 1 and B = {B} real rows, not {rows}");
                self.step_toward(x, targets, rows, loss, ::core::option::Option::None)
            }

            /// [`Self::train_step`] with the parameter-sharing penalty
            /// `(strength/2)·‖θ − θ_ref‖²` toward `reference`'s parameters
            /// (the course notes' `Ω(θA, θB)`: fine-tuning that stays near
            /// pre-trained weights): `strength·(θ − θ_ref)` joins every
            /// parameter's gradient before the penalties, clipping and update.
            /// Returns the mean data loss.
            pub fn train_step_toward<T, L: #p::Loss<#d_out, T>>(
                &mut self,
                x: &[#in_ty; B],
                targets: &[T; B],
                loss: &L,
                reference: &#name,
                strength: f32,
            ) -> f32 {
                self.step_toward(x, targets, B, loss, ::core::option::Option::Some((reference, strength)))
            }

            fn step_toward<T, L: #p::Loss<#d_out, T>>(
                &mut self,
                x: &[#in_ty; B],
                targets: &[T; B],
                rows: usize,
                loss: &L,
                toward: ::core::option::Option<(&#name, f32)>,
            ) -> f32 {
                // Each step draws from its own stream, a function of the seed
                // and the step number, so a restored checkpoint resumes exactly.
                self.rng = <#p::TrainRng as #p::SeedableRng>::seed_from_u64(#p::step_seed(self.seed, self.step));
                self.step += 1;
                #add_noise
                let mean = self.backprop(x, targets, loss, #p::Mode::Train, rows);
                #remove_noise
                #pull
                #update
                mean
            }

            #[doc = #gradient_doc]
            pub fn gradient<T, L: #p::Loss<#d_out, T>>(&mut self, x: &[#in_ty; B], targets: &[T; B], loss: &L, grad: &mut [f32]) -> f32 {
                assert_eq!(grad.len(), #name::NUM_PARAMS, "one gradient value per parameter");
                let mean = self.backprop(x, targets, loss, #p::Mode::Eval, B);
                let rest = grad;
                #( #copy_gradients )*
                let _ = rest;
                mean
            }

            /// The model's layer table (its `summary()`) with this trainer's
            /// whole memory, [`Self::TRAIN_STATE_BYTES`], in its totals.
            pub fn summary() -> #p::Summary {
                #p::Summary {
                    train_state_bytes: ::core::option::Option::Some(Self::TRAIN_STATE_BYTES),
                    ..#name::summary()
                }
            }

            /// Training steps taken so far.
            pub fn steps(&self) -> u64 {
                self.step
            }

            /// Evaluation-mode forward pass of a batch; returns the outputs.
            pub fn forward_batch(&mut self, x: &[#in_ty; B]) -> &[#out_ty; B] {
                self.run_forward(x, #p::Mode::Eval, B);
                &self.#out_act
            }

            /// The mean loss in evaluation mode of any number of samples
            /// (a test set of 67 rows at `B = 32`): whole batches through the
            /// batch passes, the remainder one sample at a time through the
            /// model. No allocation, no update.
            ///
            /// # Errors
            /// If `targets` is not one per sample, or there are none.
            pub fn eval_loss_over<T, L: #p::Loss<#d_out, T>>(&mut self, x: &[#in_ty], targets: &[T], loss: &L) -> ::core::result::Result<f32, #p::EvalError> {
                if x.len() != targets.len() || x.is_empty() {
                    return self.model.mean_loss(x, targets, loss);
                }
                let whole = x.len() / B * B;
                let mut total = 0.0f64;
                for (x, t) in x[..whole].chunks_exact(B).zip(targets[..whole].chunks_exact(B)) {
                    let (x, t): (&[#in_ty; B], &[T; B]) = (x.try_into().expect("B rows"), t.try_into().expect("B rows"));
                    total += self.eval_loss(x, t, loss) as f64 * B as f64;
                }
                if whole < x.len() {
                    let rest = self.model.mean_loss(&x[whole..], &targets[whole..], loss)?;
                    total += rest as f64 * (x.len() - whole) as f64;
                }
                ::core::result::Result::Ok((total / x.len() as f64) as f32)
            }

            /// Mean loss of a batch in evaluation mode (no update).
            pub fn eval_loss<T, L: #p::Loss<#d_out, T>>(&mut self, x: &[#in_ty; B], targets: &[T; B], loss: &L) -> f32 {
                let () = Self::AT_LEAST_ONE_SAMPLE;
                self.run_forward(x, #p::Mode::Eval, B);
                let mut total = 0.0f32;
                for b in 0..B {
                    total += #loss_eval;
                }
                total / B as f32
            }
        }

        #p::with_std! {
            // Checkpoints are `Checkpoint`'s provided methods.
            impl<O: #p::Optimizer, const B: usize> #p::Checkpoint for #trainer<O, { B }> {
                type Model = #name;
                fn checkpoint_signature() -> u64 {
                    #krate::io::weights::signature_hash(#name::SIGNATURE) ^ #krate::io::weights::signature_hash(::core::any::type_name::<O>()).rotate_left(1)
                }
                fn trained(&self) -> &#name {
                    &self.model
                }
                fn seed_and_step(&self) -> (u64, u64) {
                    (self.seed, self.step)
                }
                fn optimizer_bytes(&self) -> impl AsRef<[&[u8]]> {
                    [#( #p::bytemuck::bytes_of(&self.#opt_states) ),*]
                }
                fn restore_targets(&mut self) -> (impl AsMut<[&mut [f32]]>, impl AsMut<[&mut [u8]]>, &mut u64, &mut u64) {
                    (
                        self.model.state_mut(),
                        [#( #p::bytemuck::bytes_of_mut(&mut self.#opt_states) ),*],
                        &mut self.seed,
                        &mut self.step,
                    )
                }
            }
        }

        #p::with_alloc! {
            impl<O: #p::Optimizer, const B: usize> #trainer<O, { B }> {
                /// Allocates a trainer on the heap, built in place (no stack
                /// temporary of its size, every byte written once).
                pub fn new_boxed(init: #p::Init, optimizer: O, seed: u64) -> #p::Box<Self> {
                    #p::boxed_in_place(|slot| Self::init_in_place(slot, init, optimizer, seed))
                }
            }
        }
    }
}
