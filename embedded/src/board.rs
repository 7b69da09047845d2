//! What every firmware image needs from the board: the entry point,
//! semihosting output and exit status, and handlers that turn a panic or a
//! CPU fault into a failed run (QEMU exits with status 1).
#[cfg(target_arch = "arm")]
pub use cortex_m_rt::entry;
#[cfg(target_arch = "arm")]
pub use cortex_m_semihosting::{debug, hprintln};
#[cfg(target_arch = "riscv32")]
pub use riscv_rt::entry;
#[cfg(target_arch = "riscv32")]
pub use riscv_semihosting::{debug, hprintln};

/// A `static` as a mutable reference (to build a value in place, or for
/// memory a computation works in).
///
/// # Safety
/// Each static is taken once: the firmware is single-threaded and takes
/// every static exactly once.
pub unsafe fn slot<T>(slot: *mut T) -> &'static mut T {
    // SAFETY: the caller guarantees no other reference to the static exists.
    unsafe { &mut *slot }
}

/// The stack's high-water mark, measured by painting: [`stack::paint`]
/// fills the free stack below the caller's frame with a pattern, and after
/// the work [`stack::high_water`] finds the deepest word that changed.
pub mod stack {
    /// What unused stack holds after painting.
    const PAINT: u32 = 0x5A5A_5A5A;
    /// Bytes below the painting frame left alone (its callee's frames).
    const MARGIN: usize = 256;

    unsafe extern "C" {
        /// The end of the statics: the lowest address the stack may reach.
        #[cfg(target_arch = "arm")]
        #[link_name = "__sheap"]
        static BOTTOM: u32;
        #[cfg(target_arch = "riscv32")]
        #[link_name = "_eheap"]
        static BOTTOM: u32;
        /// The initial stack pointer (the stack grows down from it).
        #[link_name = "_stack_start"]
        static TOP: u32;
    }

    fn bottom() -> *mut u32 {
        (&raw const BOTTOM).cast_mut()
    }

    fn top() -> usize {
        (&raw const TOP) as usize
    }

    /// Paints the free stack: every word from the statics' end up to just
    /// below this function's frame.
    #[inline(never)]
    pub fn paint() {
        let here = 0u32;
        let below = (&raw const here) as usize - MARGIN;
        let mut word = bottom();
        while (word as usize) < below {
            // SAFETY: the words between the end of the statics and the
            // current frame (minus a margin for this function's callees) are
            // free stack: no live frame or static uses them, and no interrupt
            // runs on these boards. Volatile, so the writes are not elided.
            unsafe {
                word.write_volatile(PAINT);
                word = word.add(1);
            }
        }
    }

    /// Bytes of stack used since [`paint`]: from the top to the deepest
    /// word no longer holding the paint.
    pub fn high_water() -> usize {
        let (bottom, top) = (bottom().cast_const(), top());
        let words = (top - bottom as usize) / 4;
        let untouched = (0..words)
            // SAFETY: the words from the statics' end to the stack's top
            // are RAM; those below the live frames hold paint or dead values.
            .take_while(|&i| unsafe { bottom.add(i).read_volatile() } == PAINT)
            .count();
        top - (bottom as usize + 4 * untouched)
    }
}

/// Ends the run with `status` (semihosting makes QEMU exit with it); waits
/// for interrupts in case no debugger is attached.
pub fn exit(status: debug::ExitStatus) -> ! {
    debug::exit(status);
    loop {
        #[cfg(target_arch = "arm")]
        cortex_m::asm::wfi();
        #[cfg(target_arch = "riscv32")]
        riscv::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit(debug::EXIT_FAILURE)
}

#[cfg(target_arch = "arm")]
#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    hprintln!("HardFault at pc {:#010x}", frame.pc());
    exit(debug::EXIT_FAILURE)
}

/// Any trap (illegal instruction, access fault, …) fails the run.
#[cfg(target_arch = "riscv32")]
#[unsafe(export_name = "ExceptionHandler")]
fn exception_handler(_frame: &riscv_rt::TrapFrame) -> ! {
    hprintln!(
        "exception: mcause {:#x}, mepc {:#010x}",
        riscv::register::mcause::read().bits(),
        riscv::register::mepc::read()
    );
    exit(debug::EXIT_FAILURE)
}
