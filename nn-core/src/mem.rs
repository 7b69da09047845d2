//! Building large fixed-size state without stack temporaries: zero the memory
//! in place (every byte written once, so no page is left untouched), then
//! initialize parameters through references.
//!
//! ```
//! use core::mem::MaybeUninit;
//! let mut slot = MaybeUninit::<[f32; 4]>::uninit();
//! let zeros = nn_core::mem::zero_in_place(&mut slot);
//! assert_eq!(*zeros, [0.0; 4]);
//! ```
use core::mem::MaybeUninit;

pub use bytemuck::Zeroable;

/// A type whose value *is* its bytes: no padding, no pointers, alignment at
/// most 4, and every initialized bit pattern a valid value (a `#[repr(C)]`
/// struct of `f32`s, or of bytes and packed integers for int8 layers). A
/// `Plain` model can be written out byte for byte and run in place from
/// those bytes, e.g. from flash ([`crate::io::image`]). Every nn layer is
/// `Plain`; a `network!` whose layers all are is `Plain` too.
///
/// ```
/// fn runs_from_flash<T: nn_core::mem::Plain>() {}
/// runs_from_flash::<nn_core::layers::Linear<784, 128>>();
/// ```
///
/// # Safety
/// Implement it only for types that meet every condition above: flash
/// images read every byte of a value and reinterpret bytes as values.
pub unsafe trait Plain: Zeroable {
    /// Evaluated wherever a `Plain` value's bytes are read: a struct of
    /// `Plain` fields (a `network!` model) asserts here, at compile time,
    /// that it has no padding between them.
    #[doc(hidden)]
    const UNPADDED: () = ();
}

// SAFETY: four bytes, any bit pattern is an `f32`.
unsafe impl Plain for f32 {}
// SAFETY: an array of `Plain` values has no padding (their size is a
// multiple of their alignment) and keeps their alignment.
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {}

/// Writes zero bytes over `slot` and returns it initialized.
///
/// ```
/// let mut slot = core::mem::MaybeUninit::<u64>::uninit();
/// assert_eq!(*nn_core::mem::zero_in_place(&mut slot), 0);
/// ```
pub fn zero_in_place<T: Zeroable>(slot: &mut MaybeUninit<T>) -> &mut T {
    // SAFETY: `T: Zeroable` promises the all-zero bit pattern is a valid `T`,
    // and `write_bytes` initializes every byte of the slot.
    unsafe {
        slot.as_mut_ptr().write_bytes(0, 1);
        slot.assume_init_mut()
    }
}

/// A heap allocation of a `T`, built in place by `init` (nothing of size
/// `T` ever lives on the stack). The memory comes from `alloc`, not
/// `alloc_zeroed`: `init` writes it, so every page is touched once here.
///
/// # Panics
/// If `init` returns a reference to anything but the slot it was given.
///
/// ```
/// let b: Box<[f32; 1 << 20]> = nn_core::mem::boxed_in_place(nn_core::mem::zero_in_place);
/// assert_eq!(b[12345], 0.0);
/// ```
#[cfg(feature = "alloc")]
pub fn boxed_in_place<T>(init: impl FnOnce(&mut MaybeUninit<T>) -> &mut T) -> alloc::boxed::Box<T> {
    let mut slot = alloc::boxed::Box::<T>::new_uninit();
    let slot_ptr = slot.as_mut_ptr();
    let initialized = init(&mut slot);
    assert!(
        core::ptr::eq(initialized, slot_ptr),
        "init must initialize the slot it is given"
    );
    // SAFETY: a `&mut T` to the slot's memory exists only if the slot holds a
    // valid `T` (safe code cannot make one otherwise), checked just above.
    unsafe { slot.assume_init() }
}
