//! `dispatched!`: one kernel body, compiled once per instruction set.
//!
//! The body is written once as portable Rust; on x86_64 it is also compiled
//! inside `#[target_feature]` functions so LLVM vectorizes it with AVX2 or
//! AVX-512. `$name` dispatches on [`crate::isa::Isa::active`], `$on` takes the
//! level explicitly (tests force every path through it); `pub fn $on(…)`
//! alone makes only the latter, for a caller that dispatches further.

macro_rules! dispatched {
    (
        $(#[$meta:meta])*
        pub fn $name:ident / $on:ident ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$meta])*
        #[inline]
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            $on($crate::isa::Isa::active(), $($arg),*)
        }

        dispatched! {
            /// Like the function without `_on`, on an explicitly chosen instruction
            /// set; a level this CPU lacks falls back to the portable code.
            pub fn $on($($arg: $ty),*) $(-> $ret)? $body
        }
    };
    // Only the `_on` form, for a caller that dispatches further itself.
    (
        $(#[$meta:meta])*
        pub fn $on:ident ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$meta])*
        pub fn $on(isa: $crate::isa::Isa, $($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) $(-> $ret)? { body($($arg),*) }
                if isa.is_available() {
                    match isa {
                        // SAFETY: `is_available` confirmed the CPU has these features.
                        $crate::isa::Isa::Avx512 => return unsafe { avx512($($arg),*) },
                        // SAFETY: as above.
                        $crate::isa::Isa::Avx2 => return unsafe { avx2($($arg),*) },
                        $crate::isa::Isa::Portable => {}
                    }
                }
            }
            let _ = isa;
            body($($arg),*)
        }
    };
}
