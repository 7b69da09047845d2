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

/// A `static` slot as a mutable reference, to build a value in place.
///
/// # Safety
/// Each slot is taken once: the firmware is single-threaded and takes every
/// static exactly once.
pub unsafe fn slot<T>(
    slot: *mut core::mem::MaybeUninit<T>,
) -> &'static mut core::mem::MaybeUninit<T> {
    // SAFETY: the caller guarantees no other reference to the slot exists.
    unsafe { &mut *slot }
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
