//! `#[nn(int8)]`: the network's int8 counterpart `{Name}Int8` (a `Plain`
//! struct of quantization parameters and int8 layers, for flash images),
//! its planned `i8` activation memory and `infer`, and on the float model
//! `quantize_into`/`quantize` from [`calibrate`](crate::inference)'s ranges.
//!
//! The int8 program is the float one rewritten as TFLite's converter
//! rewrites a graph: a batch norm folds into the `Conv2d` or `Linear` before
//! it, a `ReLU` after a layer that computes new values (a convolution, a
//! linear layer, a residual sum) fuses into it (its output quantization then
//! starts at real 0, so saturating at −128 *is* the ReLU), and layers that
//! only move bytes at inference (dropout, noise, reshapes) become views of
//! their input's memory.
use crate::inference::{Program, Slots, memory_struct};
use crate::layers::Kind;
use crate::network::{Network, Op, Resolved};
use crate::parse::NetworkSpec;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One step of the int8 program.
enum Step {
    /// Layer `head` from its input buffer into `output`, with the batch
    /// norm `fold` folded in and a `relu` fused (both by layer index).
    Layer {
        head: usize,
        fold: Option<usize>,
        relu: Option<usize>,
        output: usize,
    },
    /// The `n`th residual join.
    Add {
        n: usize,
        a: usize,
        b: usize,
        output: usize,
    },
}

impl Step {
    fn output(&self) -> usize {
        match *self {
            Step::Layer { output, .. } | Step::Add { output, .. } => output,
        }
    }

    /// Absorbs layer `i` of `net` into this step: a batch norm into a
    /// `Conv2d`/`Linear` step's `fold`, a ReLU into its `relu` (after any
    /// fold, never before one) or into a residual join, whose output range
    /// then clamps at zero. Returns whether it did.
    fn absorb(&mut self, net: &Network, i: usize) -> bool {
        let layer = &net.layers[i];
        let is_relu = is_relu(layer);
        match self {
            Step::Add { output, .. } if is_relu => *output = layer.output_buf,
            Step::Layer {
                head,
                fold,
                relu: relu @ None,
                output,
            } if matches!(
                net.layers[*head].kind,
                Kind::Conv2d(_) | Kind::Linear { .. }
            ) =>
            {
                let slot = if is_relu { relu } else { fold };
                if slot.is_some() {
                    return false;
                }
                *slot = Some(i);
                *output = layer.output_buf;
            }
            _ => return false,
        }
        true
    }
}

/// The int8 program: its steps and where each buffer's bytes live.
struct Int8Program {
    steps: Vec<Step>,
    storage: Vec<usize>,
}

/// Whether layer `l` only moves bytes at inference.
fn is_view(l: &Resolved) -> bool {
    matches!(
        l.kind,
        Kind::Dropout(..)
            | Kind::GaussianNoise(_)
            | Kind::ActivityL1(_)
            | Kind::Flatten
            | Kind::Reshape(_)
    )
}

fn is_relu(l: &Resolved) -> bool {
    matches!(&l.kind, Kind::Simple(simple, _) if simple.name == "ReLU")
}

fn error(l: &Resolved, message: String) -> syn::Error {
    syn::Error::new(l.field.span(), message)
}

fn rewrite(net: &Network) -> Result<Int8Program, syn::Error> {
    let mut storage: Vec<usize> = (0..net.buffers.len()).collect();
    for op in &net.ops {
        if let Op::Layer(i) = *op {
            let l = &net.layers[i];
            if is_view(l) {
                storage[l.output_buf] = storage[l.input_buf];
            }
        }
    }
    // How many steps (and the caller) read each buffer's memory: a layer
    // fuses into the step before it only if it is that step's one reader.
    let mut readers = vec![0usize; net.buffers.len()];
    for op in &net.ops {
        match *op {
            Op::Layer(i) if is_view(&net.layers[i]) => {}
            Op::Layer(i) => readers[storage[net.layers[i].input_buf]] += 1,
            Op::Add { a, b, .. } => {
                readers[storage[a]] += 1;
                readers[storage[b]] += 1;
            }
        }
    }
    readers[storage[net.output]] += 1;

    let mut steps: Vec<Step> = Vec::new();
    let mut adds = 0;
    for op in &net.ops {
        let i = match *op {
            Op::Add { a, b, output, .. } => {
                steps.push(Step::Add {
                    n: adds,
                    a,
                    b,
                    output,
                });
                adds += 1;
                continue;
            }
            Op::Layer(i) => i,
        };
        let l = &net.layers[i];
        if is_view(l) {
            continue;
        }
        if l.pair.is_some() {
            return Err(error(
                l,
                format!(
                    "`{}` has no int8 form: unpooling reads the pooling's indices, which int8 inference does not keep",
                    l.field
                ),
            ));
        }
        if let Kind::Conv2d(conv) = &l.kind
            && conv.mode != nn_shape::PaddingMode::Zeros
        {
            return Err(error(
                l,
                format!(
                    "`{}` pads with `{}`; int8 convolutions pad with zeros only (the input's zero point)",
                    l.field,
                    conv.mode.name()
                ),
            ));
        }
        // The step this layer would join: the one writing its input, if
        // this layer is that output's only reader.
        let input = storage[l.input_buf];
        let joins = steps
            .last_mut()
            .filter(|step| step.output() == input && readers[input] == 1);
        if matches!(l.kind, Kind::BatchNorm1d(_) | Kind::BatchNorm2d(_)) {
            if joins.is_some_and(|step| step.absorb(net, i)) {
                continue;
            }
            return Err(error(
                l,
                format!(
                    "int8 folds `{}` into the `Conv2d` or `Linear` right before it (its only reader); put one there, or drop `#[nn(int8)]`",
                    l.field
                ),
            ));
        }
        if is_relu(l) && joins.is_some_and(|step| step.absorb(net, i)) {
            continue;
        }
        steps.push(Step::Layer {
            head: i,
            fold: None,
            relu: None,
            output: l.output_buf,
        });
    }
    Ok(Int8Program { steps, storage })
}

/// The int8 struct, its memory and methods, and the float model's
/// quantization methods.
pub fn int8(spec: &NetworkSpec, net: &Network, signature: TokenStream) -> TokenStream {
    let program = match rewrite(net) {
        Ok(program) => program,
        Err(error) => return error.into_compile_error(),
    };
    let NetworkSpec { vis, name, .. } = spec;
    let krate = &net.krate;
    let p = quote!(#krate::__private);
    let quant = quote!(#krate::quant);
    let shape = quote!(#krate::layer::Shape);
    let int8_name = format_ident!("{}Int8", name);
    let memory_name = format_ident!("{}Int8Activations", name);
    let head_input = |head: usize| net.layers[head].input_buf;
    let slots = Slots::plan(
        net,
        &Program {
            ops: program
                .steps
                .iter()
                .map(|step| match *step {
                    Step::Layer { head, output, .. } => (vec![head_input(head)], output),
                    Step::Add { a, b, output, .. } => (vec![a, b], output),
                })
                .collect(),
            storage: program.storage.clone(),
            output: net.output,
        },
        true,
    );

    let mut fields = Vec::new();
    let mut types = Vec::new();
    let mut docs = Vec::new();
    let mut runs = Vec::new();
    let mut quantizations = Vec::new();
    // The quantization of buffer `k` (of its memory) during quantization.
    let params = |k: usize| format_ident!("p{}", program.storage[k]);
    for step in &program.steps {
        match *step {
            Step::Layer {
                head,
                fold,
                relu,
                output,
            } => {
                let l = &net.layers[head];
                let (f, t, s) = (&l.field, &l.ty, l.input.ty());
                let int8_ty = quote!(<#t as #quant::Quantize<#s>>::Int8);
                let mut doc = format!("`{f}` in int8");
                if let Some(bn) = fold {
                    doc += &format!(", `{}` folded in", net.layers[bn].field);
                }
                if let Some(r) = relu {
                    doc += &format!(", `{}` fused", net.layers[r].field);
                }
                docs.push(doc + ".");
                let (x, y) = (slots.read(l.input_buf), slots.write(output));
                runs.push(quote! {
                    <#int8_ty as #quant::Int8Forward<<#s as #shape>::Int8>>::forward_into(&self.#f, #x, #y);
                });
                let (p_in, p_out) = (params(l.input_buf), params(output));
                let make = match fold {
                    Some(bn) => {
                        let bn = &net.layers[bn].field;
                        quote!(<#t as #quant::Fold<#s, _>>::quantize_folded(&self.#f, &self.#bn, #p_in, #p_out))
                    }
                    None => quote!(<#t as #quant::Quantize<#s>>::quantize(&self.#f, #p_in, #p_out)),
                };
                quantizations.push(quote! {
                    let #p_out = <#t as #quant::Quantize<#s>>::output_params(#p_in, calibration[#output].params());
                    q.#f = #make;
                });
                fields.push(f.clone());
                types.push(int8_ty);
            }
            Step::Add { n, a, b, output } => {
                let f = format_ident!("add{}", n);
                docs.push(format!("Residual join {n} in int8."));
                let (xa, xb, y) = (slots.read(a), slots.read(b), slots.write(output));
                runs.push(quote!(self.#f.forward_into(#xa, #xb, #y);));
                let (pa, pb, p_out) = (params(a), params(b), params(output));
                quantizations.push(quote! {
                    let #p_out = calibration[#output].params();
                    q.#f = #quant::Int8Add::new(#pa, #pb, #p_out);
                });
                fields.push(f);
                types.push(quote!(#quant::Int8Add));
            }
        }
    }

    let (in_ty, out_ty) = (net.input().ty(), net.buffers[net.output].ty());
    let (in_q, out_q) = (slots.view(0), slots.view(net.output));
    let output = slots.read(net.output);
    let (p0, p_last) = (params(0), params(net.output));
    let slot_fields = slots.fields();
    let buffers = net.buffers.len();
    let memory_doc = format!(
        "Activation memory for [`{int8_name}::infer`]: the int8 activations, planned \
         as [`{name}Activations`] is ([`{int8_name}::INFER_RAM_BYTES`] bytes)."
    );
    let memory = memory_struct(net, vis, &memory_name, &memory_doc, &slots.declarations());
    let struct_doc = format!(
        "`{name}` in int8, TensorFlow Lite's scheme (`nn::quant`): \
         per-channel symmetric int8 weights, per-tensor asymmetric int8 activations, \
         `i32` biases and integer-only requantization, so every target computes the \
         same bits. Made by [`{name}::quantize_into`] from [`{name}::calibrate`]; \
         `Plain`, so it saves as a flash image (`save_image`) and runs in place \
         (`nn::include_model!`)."
    );
    let ram_doc = format!("Bytes of int8 activation memory inference needs ([`{memory_name}`]).");
    quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Debug, PartialEq)]
        #[repr(C)]
        #vis struct #int8_name {
            /// The input's quantization.
            pub input: #quant::Params,
            /// The output's quantization.
            pub output: #quant::Params,
            #( #[doc = #docs] pub #fields: #types, )*
        }

        #memory

        // SAFETY: `Params` and int8 layers, each `Plain` (which `Quantize`
        // requires of an int8 layer), so `Zeroable`.
        unsafe impl #p::Zeroable for #int8_name {}

        // SAFETY: `repr(C)` of `Plain` fields; `UNPADDED` asserts there is no
        // padding between them wherever the bytes are read.
        unsafe impl #p::Plain for #int8_name {
            const UNPADDED: () = assert!(
                ::core::mem::size_of::<Self>() == 2 * ::core::mem::size_of::<#quant::Params>() #( + ::core::mem::size_of::<#types>() )*,
                "the int8 layers' bytes do not fill the model: a layer is padded"
            );
        }

        impl #p::Image for #int8_name {
            const SIGNATURE: &'static str = #int8_name::SIGNATURE;
        }

        impl #int8_name {
            #signature

            /// Bytes of the int8 model (with `nn::include_model!`, in flash).
            pub const MODEL_BYTES: usize = ::core::mem::size_of::<Self>();

            #[doc = #ram_doc]
            pub const INFER_RAM_BYTES: usize = ::core::mem::size_of::<#memory_name>();

            /// Runs one quantized sample ([`Self::quantize_input`]), every
            /// activation in `memory`, in integers only; returns the
            /// quantized output (see [`Self::dequantize_output`]), which
            /// lives in `memory`. Nothing is allocated.
            #[inline]
            pub fn infer<'m>(&self, x: &#in_q, memory: &'m mut #memory_name) -> &'m #out_q {
                let #memory_name { #( #slot_fields, )* } = memory;
                #( #runs )*
                #output
            }

            /// The int8 form of an input sample.
            pub fn quantize_input(&self, x: &#in_ty) -> #in_q {
                let mut q = <#in_q as #p::Zeroable>::zeroed();
                self.input.quantize_all(
                    #p::as_slice(x),
                    #krate::bytemuck::cast_slice_mut(::core::slice::from_mut(&mut q)),
                );
                q
            }

            /// The real values of an int8 output.
            pub fn dequantize_output(&self, y: &#out_q) -> #out_ty {
                let mut real = <#out_ty as #p::Zeroable>::zeroed();
                self.output.dequantize_all(
                    #krate::bytemuck::cast_slice(::core::slice::from_ref(y)),
                    #p::as_slice_mut(&mut real),
                );
                real
            }

            /// A float sample through the int8 network: quantized, run by
            /// [`Self::infer`] in memory on the stack, and dequantized (a
            /// drop-in for the float model's `forward`).
            pub fn forward(&self, x: &#in_ty) -> #out_ty {
                self.dequantize_output(self.infer(&self.quantize_input(x), &mut #memory_name::new()))
            }

            /// The class of a float sample: the index of the largest int8
            /// output (the float model's `predict`, in integers), or for one
            /// output whether its real value is above the float model's
            /// `THRESHOLD`.
            pub fn predict(&self, x: &#in_ty) -> usize {
                let memory = &mut #memory_name::new();
                let y = self.infer(&self.quantize_input(x), memory);
                let values = #krate::bytemuck::cast_slice::<_, i8>(::core::slice::from_ref(y));
                if values.len() == 1 {
                    let real = self.dequantize_output(y);
                    return #krate::model::decide(#p::as_slice(&real), <#name as #p::Model>::THRESHOLD);
                }
                #krate::metrics::argmax(values)
            }
        }

        impl #name {
            /// Writes the int8 network into `q`, its quantization set from
            /// `calibration` ([`Self::calibrate`] over representative
            /// samples): each activation's observed range, batch norms folded
            /// into the layer before them, weights quantized per output
            /// channel. Allocates nothing.
            pub fn quantize_into(&self, calibration: &[#quant::Range; #buffers], q: &mut #int8_name) {
                let #p0 = calibration[0].params();
                #( #quantizations )*
                q.input = #p0;
                q.output = #p_last;
            }
        }

        #p::with_alloc! {
            impl #name {
                /// The int8 network on the heap ([`Self::quantize_into`]).
                pub fn quantize(&self, calibration: &[#quant::Range; #buffers]) -> #p::Box<#int8_name> {
                    let mut q = #p::boxed_in_place(#p::zero_in_place::<#int8_name>);
                    self.quantize_into(calibration, &mut q);
                    q
                }
            }
        }
    }
}
