//! Single-sample inference in planned activation memory: the
//! `{Name}Activations` struct, `infer` (and `forward`, which runs `infer` in
//! memory on the stack).
//!
//! Each buffer (an activation, numbered as in the program) lives in a
//! *slot*. Walking the program in order, a buffer takes the first slot
//! whose buffer is no longer read, so buffers that are never live at the
//! same time share memory: a chain needs two slots (ping-pong), a residual
//! block one more for its input. A slot is an `[f32; N]` with `N` the
//! largest of its buffers' lengths, a constant the compiler evaluates
//! (sizes may be named constants or a user layer's output).
use crate::network::{Network, Op, Resolved};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Which slot holds each buffer (`None` for buffer 0, the caller's input).
struct Plan {
    slot_of: Vec<Option<usize>>,
    slots: usize,
}

/// The buffers an op reads and the one it writes.
fn reads_writes(net: &Network, op: &Op) -> (Vec<usize>, usize) {
    match *op {
        Op::Layer(i) => (vec![net.layers[i].input_buf], net.layers[i].output_buf),
        Op::Add { a, b, output } => (vec![a, b], output),
    }
}

fn plan(net: &Network) -> Plan {
    let mut last_read = vec![0; net.buffers.len()];
    for (at, op) in net.ops.iter().enumerate() {
        for k in reads_writes(net, op).0 {
            last_read[k] = at;
        }
    }
    // The output is read by the caller, after every op.
    last_read[net.output] = net.ops.len();
    let mut slot_of = vec![None; net.buffers.len()];
    // The buffer each slot holds now.
    let mut holding: Vec<usize> = Vec::new();
    for (at, op) in net.ops.iter().enumerate() {
        let written = reads_writes(net, op).1;
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
    Plan {
        slot_of,
        slots: holding.len(),
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

pub fn inference(net: &Network, name: &syn::Ident, vis: &syn::Visibility) -> Inference {
    let krate = &net.krate;
    let p = quote!(#krate::__private);
    let shape = quote!(#krate::layer::Shape);
    let plan = plan(net);
    let memory_name = format_ident!("{}Activations", name);
    let slot = |k: usize| format_ident!("slot{}", k);
    let slot_fields: Vec<_> = (0..plan.slots).map(slot).collect();
    let slot_lens: Vec<TokenStream> = (0..plan.slots)
        .map(|s| {
            let tys = (1..net.buffers.len())
                .filter(|&k| plan.slot_of[k] == Some(s))
                .map(|k| net.buffers[k].ty());
            quote!(#p::largest(&[#( <#tys as #shape>::LEN ),*]))
        })
        .collect();
    let pools = paired(net);
    let index_field = |i: usize| format_ident!("indices{}", i);
    let index_fields: Vec<_> = pools.iter().map(|&i| index_field(i)).collect();
    let index_lens: Vec<TokenStream> = pools
        .iter()
        .map(|&i| {
            let out = net.layers[i].output.ty();
            quote!(<#out as #shape>::LEN)
        })
        .collect();

    // How op code names a buffer: the input, or a view of its slot.
    let read = |k: usize| match plan.slot_of[k] {
        None => quote!(x),
        Some(s) => {
            let (field, ty) = (slot(s), net.buffers[k].ty());
            quote!(#p::in_slot::<#ty, _>(#field))
        }
    };
    let write = |k: usize| {
        let (field, ty) = (
            slot(plan.slot_of[k].expect("a written buffer")),
            net.buffers[k].ty(),
        );
        quote!(#p::in_slot_mut::<#ty, _>(#field))
    };
    let steps = net.ops.iter().map(|op| match *op {
        Op::Layer(i) => layer_step(
            net,
            &net.layers[i],
            i,
            &pools,
            read(net.layers[i].input_buf),
            write(net.layers[i].output_buf),
        ),
        Op::Add { a, b, output } => {
            let (a, b, y) = (read(a), read(b), write(output));
            quote!(#p::add_batches(#p::as_slice(#a), #p::as_slice(#b), #p::as_slice_mut(#y));)
        }
    });
    let (in_ty, out_ty) = (net.input().ty(), net.buffers[net.output].ty());
    let output = read(net.output);
    let memory_doc = format!(
        "Activation memory for [`{name}::infer`]: every activation of a sample's \
         forward pass, planned at compile time so that activations never live at \
         the same time share memory ([`{name}::INFER_RAM_BYTES`] bytes). Put it in a \
         `static` on a microcontroller: with the model in flash \
         (`nn::include_model!`), it is all the RAM inference needs."
    );
    let memory = quote! {
        #[doc = #memory_doc]
        #vis struct #memory_name {
            #( #slot_fields: [f32; #slot_lens], )*
            #( #index_fields: [u32; #index_lens], )*
        }

        impl #memory_name {
            /// Zeroed memory, usable in a `static` initializer.
            pub const fn new() -> Self {
                // SAFETY: `f32` and `u32` arrays only: all-zero bits are valid.
                unsafe { ::core::mem::zeroed() }
            }
        }

        impl ::core::default::Default for #memory_name {
            fn default() -> Self {
                Self::new()
            }
        }

        // SAFETY: `f32` and `u32` arrays only: all-zero bits are valid.
        unsafe impl #p::Zeroable for #memory_name {}
    };
    let ram_doc = format!(
        "Bytes of activation memory inference needs ([`{memory_name}`]): with the \
         model itself in flash, the RAM of an inference besides the input sample and \
         a few hundred bytes of stack."
    );
    let methods = quote! {
        #[doc = #ram_doc]
        pub const INFER_RAM_BYTES: usize = ::core::mem::size_of::<#memory_name>();

        /// Runs one sample through the network in evaluation mode, every
        /// activation in `memory`, and returns the output (which lives in
        /// `memory`). Nothing is allocated, and the stack holds no
        /// activation.
        #[inline]
        pub fn infer<'m>(&self, x: &#in_ty, memory: &'m mut #memory_name) -> &'m #out_ty {
            let #memory_name { #( #slot_fields, )* #( #index_fields, )* } = memory;
            #( #steps )*
            #output
        }

        /// Runs one sample through the network in evaluation mode ([`Self::infer`]
        /// in activation memory on the stack).
        #[inline]
        pub fn forward(&self, x: &#in_ty) -> #out_ty {
            *self.infer(x, &mut #memory_name::new())
        }
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
