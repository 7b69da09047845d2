//! Single-sample inference in planned activation memory: the
//! `{Name}Activations` struct, `infer` (and `forward`, which runs `infer` in
//! memory on the stack), and with `#[nn(int8)]` `calibrate`, which runs the
//! same steps and records every activation's range.
//!
//! Each buffer (an activation, numbered as in the program) lives in a
//! *slot*. Walking the program in order, a buffer takes the first slot
//! whose buffer is no longer read, so buffers that are never live at the
//! same time share memory: a chain needs two slots (ping-pong), a residual
//! block one more for its input. A slot is an array of `N` values with `N`
//! the largest of its buffers' lengths, a constant the compiler evaluates
//! (sizes may be named constants or a user layer's output). The int8 network
//! (`crate::int8`) plans its own program the same way, in `i8` slots.
use crate::network::{Network, Op, Resolved};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A straight-line program over numbered buffers, as inference runs it.
pub struct Program {
    /// Each op's buffers read and the one written, in order.
    pub ops: Vec<(Vec<usize>, usize)>,
    /// The buffer whose memory each buffer is: its own, or for a layer that
    /// only reinterprets its input (int8 reshapes and dropout), the input's.
    pub storage: Vec<usize>,
    /// The buffer the caller reads at the end.
    pub output: usize,
}

impl Program {
    /// The network's own program: every op, every buffer its own memory.
    fn of(net: &Network) -> Program {
        let ops = net
            .ops
            .iter()
            .map(|op| match *op {
                Op::Layer(i) => (vec![net.layers[i].input_buf], net.layers[i].output_buf),
                Op::Add { a, b, output, .. } => (vec![a, b], output),
            })
            .collect();
        Program {
            ops,
            storage: (0..net.buffers.len()).collect(),
            output: net.output,
        }
    }
}

/// Where each buffer lives: the input (`x`) or a slot of the memory struct.
pub struct Slots<'n> {
    net: &'n Network,
    /// The slot of each buffer's storage (`None`: the caller's input, or a
    /// buffer the program never writes).
    slot_of: Vec<Option<usize>>,
    storage: Vec<usize>,
    count: usize,
    int8: bool,
}

impl<'n> Slots<'n> {
    /// Plans `program`'s memory, in `i8` slots if `int8`.
    pub fn plan(net: &'n Network, program: &Program, int8: bool) -> Slots<'n> {
        let root = |k: usize| program.storage[k];
        let mut last_read = vec![0; net.buffers.len()];
        for (at, (reads, _)) in program.ops.iter().enumerate() {
            for &k in reads {
                last_read[root(k)] = at;
            }
        }
        // The output is read by the caller, after every op.
        last_read[root(program.output)] = program.ops.len();
        let mut slot_of = vec![None; net.buffers.len()];
        // The buffer each slot holds now.
        let mut holding: Vec<usize> = Vec::new();
        for (at, &(_, written)) in program.ops.iter().enumerate() {
            // A slot is free once its buffer's last reader has run; this op's
            // inputs are read now, so their slots are not.
            let free = holding.iter().position(|&k| last_read[k] < at);
            let slot = free.unwrap_or(holding.len());
            if slot == holding.len() {
                holding.push(written);
            } else {
                holding[slot] = written;
            }
            slot_of[written] = Some(slot);
        }
        let slot_of = (0..net.buffers.len()).map(|k| slot_of[root(k)]).collect();
        Slots {
            net,
            slot_of,
            storage: program.storage.clone(),
            count: holding.len(),
            int8,
        }
    }

    fn private(&self) -> TokenStream {
        let krate = &self.net.krate;
        quote!(#krate::__private)
    }

    /// Buffer `k`'s type as the program holds it: its `f32` shape, or that
    /// shape's int8 form.
    pub fn view(&self, k: usize) -> TokenStream {
        let (krate, ty) = (&self.net.krate, self.net.buffers[k].ty());
        if self.int8 {
            quote!(<#ty as #krate::layer::Shape>::Int8)
        } else {
            ty
        }
    }

    pub fn fields(&self) -> Vec<syn::Ident> {
        (0..self.count)
            .map(|s| format_ident!("slot{}", s))
            .collect()
    }

    /// The slot fields' declarations: `slot0: [f32; N]`.
    pub fn declarations(&self) -> Vec<TokenStream> {
        let (p, shape) = (self.private(), {
            let krate = &self.net.krate;
            quote!(#krate::layer::Shape)
        });
        let element = if self.int8 { quote!(i8) } else { quote!(f32) };
        self.fields()
            .iter()
            .enumerate()
            .map(|(s, field)| {
                let tys = (0..self.net.buffers.len())
                    .filter(|&k| self.slot_of[k] == Some(s))
                    .map(|k| self.net.buffers[k].ty());
                quote!(#field: [#element; #p::largest(&[#( <#tys as #shape>::LEN ),*])])
            })
            .collect()
    }

    /// How op code reads buffer `k`: the input, or a view of its slot.
    pub fn read(&self, k: usize) -> TokenStream {
        let (p, view) = (self.private(), self.view(k));
        match self.slot_of[k] {
            None if k == 0 => quote!(x),
            // The input under another shape (an int8 reshape of it).
            None if self.storage[k] == 0 => {
                let input = self.view(0);
                quote!(#p::bytemuck::cast_ref::<#input, #view>(x))
            }
            None => unreachable!("a buffer the program reads is written first"),
            Some(s) => {
                let field = format_ident!("slot{}", s);
                quote!(#p::in_slot::<#view, _, _>(#field))
            }
        }
    }

    /// How op code writes buffer `k`.
    pub fn write(&self, k: usize) -> TokenStream {
        let (p, view) = (self.private(), self.view(k));
        let field = format_ident!("slot{}", self.slot_of[k].expect("a written buffer"));
        quote!(#p::in_slot_mut::<#view, _, _>(#field))
    }
}

/// An activation memory struct: `fields`, a `const fn new()` of zeros,
/// `Default` and `Zeroable`.
pub fn memory_struct(
    net: &Network,
    vis: &syn::Visibility,
    name: &syn::Ident,
    doc: &str,
    fields: &[TokenStream],
) -> TokenStream {
    let krate = &net.krate;
    let p = quote!(#krate::__private);
    quote! {
        #[doc = #doc]
        #vis struct #name {
            #( #fields, )*
        }

        impl #name {
            /// Zeroed memory, usable in a `static` initializer.
            pub const fn new() -> Self {
                // SAFETY: arrays of numbers only: all-zero bits are valid.
                unsafe { ::core::mem::zeroed() }
            }
        }

        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::new()
            }
        }

        // SAFETY: arrays of numbers only: all-zero bits are valid.
        unsafe impl #p::Zeroable for #name {}
    }
}

/// The pools whose indices an unpooling reads.
fn paired(net: &Network) -> Vec<usize> {
    net.layers.iter().filter_map(|l| l.pair).collect()
}

/// The activation struct, `INFER_RAM_BYTES`, `infer` and `forward`.
pub struct Inference {
    /// The `{Name}Activations` struct and its impls.
    pub memory: TokenStream,
    /// Items of the model's `impl` block.
    pub methods: TokenStream,
}

pub fn inference(net: &Network, name: &syn::Ident, vis: &syn::Visibility, int8: bool) -> Inference {
    let krate = &net.krate;
    let p = quote!(#krate::__private);
    let shape = quote!(#krate::layer::Shape);
    let slots = Slots::plan(net, &Program::of(net), false);
    let memory_name = format_ident!("{}Activations", name);
    let slot_fields = slots.fields();
    let pools = paired(net);
    let index_fields: Vec<_> = pools
        .iter()
        .map(|&i| format_ident!("indices{}", i))
        .collect();
    let mut declarations = slots.declarations();
    declarations.extend(pools.iter().zip(&index_fields).map(|(&i, field)| {
        let out = net.layers[i].output.ty();
        quote!(#field: [u32; <#out as #shape>::LEN])
    }));

    // Each op, and the buffer it writes (what calibration observes).
    let steps: Vec<(TokenStream, usize)> = net
        .ops
        .iter()
        .map(|op| match *op {
            Op::Layer(i) => {
                let l = &net.layers[i];
                let (x, y) = (slots.read(l.input_buf), slots.write(l.output_buf));
                (layer_step(net, l, i, &pools, x, y), l.output_buf)
            }
            Op::Add { a, b, output, .. } => {
                let (a, b, y) = (slots.read(a), slots.read(b), slots.write(output));
                let add = quote!(#p::add_batches(#p::as_slice(#a), #p::as_slice(#b), #p::as_slice_mut(#y)););
                (add, output)
            }
        })
        .collect();
    let (in_ty, out_ty) = (net.input().ty(), net.buffers[net.output].ty());
    let output = slots.read(net.output);
    let memory_doc = format!(
        "Activation memory for [`{name}::infer`]: every activation of a sample's \
         forward pass, planned at compile time so that activations never live at \
         the same time share memory ([`{name}::INFER_RAM_BYTES`] bytes). Put it in a \
         `static` on a microcontroller: with the model in flash \
         (`nn::include_model!`), it is all the RAM inference needs."
    );
    let memory = memory_struct(net, vis, &memory_name, &memory_doc, &declarations);
    let ram_doc = format!(
        "Bytes of activation memory inference needs ([`{memory_name}`]): with the \
         model itself in flash, the RAM of an inference besides the input sample and \
         a few hundred bytes of stack."
    );
    let ops = steps.iter().map(|(step, _)| step);
    let calibrate = int8.then(|| {
        let buffers = net.buffers.len();
        let observed = steps.iter().map(|(step, written)| {
            let y = slots.read(*written);
            quote! {
                #step
                ranges[#written].observe(#p::as_slice(#y));
            }
        });
        quote! {
            /// The range of every activation over `samples` (run in
            /// evaluation mode), indexed by activation: what
            /// [`Self::quantize_into`] sets the int8 network's quantization
            /// from. A few hundred representative samples are typical.
            pub fn calibrate<'s>(
                &self,
                samples: impl ::core::iter::IntoIterator<Item = &'s #in_ty>,
            ) -> [#krate::quant::Range; #buffers] {
                let mut ranges = [#krate::quant::Range::EMPTY; #buffers];
                let #memory_name { #( #slot_fields, )* #( #index_fields, )* } = &mut #memory_name::new();
                for x in samples {
                    ranges[0].observe(#p::as_slice(x));
                    #( #observed )*
                }
                ranges
            }
        }
    });
    // A loss reads the head's input too when the head fuses with it (the
    // trainer's exact form); that buffer is still in its slot after the run.
    let out_len = net.buffers[net.output].len(krate).arg();
    let head = match net.ops.last() {
        Some(Op::Layer(i)) => Some(&net.layers[*i]).filter(|l| {
            l.pair.is_none() && l.input.len(krate).same(&l.output.len(krate)) == Some(true)
        }),
        _ => None,
    };
    let sample_loss = match head {
        Some(l) => {
            let (lt, z) = (crate::expand::layer_trait(net, l), slots.read(l.input_buf));
            quote!(loss.loss_grad_after(#lt::FUSION, #p::as_vector(#z), #p::as_vector(#output), t, ::core::option::Option::None))
        }
        None => quote!(loss.loss_grad(#p::as_vector(#output), t, ::core::option::Option::None)),
    };
    let ops_again = steps.iter().map(|(step, _)| step);
    let methods = quote! {
        /// The loss of one sample against `t`, in evaluation mode, as the
        /// trainer computes it (fused with a final `Softmax` or `Sigmoid`).
        pub fn sample_loss<T, L: #p::Loss<#out_len, T>>(&self, x: &#in_ty, t: &T, loss: &L) -> f32 {
            let #memory_name { #( #slot_fields, )* #( #index_fields, )* } = &mut #memory_name::new();
            #( #ops_again )*
            #sample_loss
        }

        #[doc = #ram_doc]
        pub const INFER_RAM_BYTES: usize = ::core::mem::size_of::<#memory_name>();

        /// Runs one sample through the network in evaluation mode, every
        /// activation in `memory`, and returns the output (which lives in
        /// `memory`). Nothing is allocated, and the stack holds no
        /// activation.
        #[inline]
        pub fn infer<'m>(&self, x: &#in_ty, memory: &'m mut #memory_name) -> &'m #out_ty {
            let #memory_name { #( #slot_fields, )* #( #index_fields, )* } = memory;
            #( #ops )*
            #output
        }

        /// Runs one sample through the network in evaluation mode ([`Self::infer`]
        /// in activation memory on the stack).
        #[inline]
        pub fn forward(&self, x: &#in_ty) -> #out_ty {
            *self.infer(x, &mut #memory_name::new())
        }

        #calibrate
    };
    Inference { memory, methods }
}

/// One layer's step: `forward_into`, or for a pool that an unpooling
/// undoes, the variant that records its indices (and the unpooling, which
/// reads them).
fn layer_step(
    net: &Network,
    l: &Resolved,
    i: usize,
    pools: &[usize],
    x: TokenStream,
    y: TokenStream,
) -> TokenStream {
    let krate = &net.krate;
    let p = quote!(#krate::__private);
    let (f, t, s) = (&l.field, &l.ty, l.input.ty());
    match l.pair {
        Some(pool) => {
            let indices = format_ident!("indices{}", pool);
            quote!(self.#f.unpool_into(#x, #p::bytemuck::cast_ref(#indices), #y);)
        }
        None if pools.contains(&i) => {
            let indices = format_ident!("indices{}", i);
            quote!(self.#f.forward_with_indices_into(#x, #y, #p::bytemuck::cast_mut(#indices));)
        }
        None => quote!(<#t as #p::Forward<#s>>::forward_into(&self.#f, #x, #y);),
    }
}
