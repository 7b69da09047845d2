//! What the footprint builds measure besides the linker map: instructions
//! per inference, and the `footprint!` entry point they share.
//!
//! Instructions are counted on QEMU run with `-icount shift=0`, which
//! advances the virtual clock by exactly 1 ns per executed instruction
//! (Debian's QEMU ships no TCG plugins to count them directly):
//! - Cortex-M4F (`mps2-an386`): SysTick runs on the 25 MHz CPU clock, so
//!   each tick is 40 instructions; the counter wraps every 2^24 ticks and the
//!   SysTick exception counts the wraps.
//! - RISC-V (`virt`): `minstret`, which QEMU derives from the same count.
//!
//! Without `-icount` the figures are wall-clock-based and mean nothing.

#[cfg(target_arch = "arm")]
mod counter {
    use core::sync::atomic::{AtomicU32, Ordering};
    use cortex_m::peripheral::{SYST, syst::SystClkSource};

    /// Virtual nanoseconds (instructions under `-icount shift=0`) per tick
    /// of the 25 MHz clock.
    const INSTRUCTIONS_PER_TICK: u64 = 40;
    const RELOAD: u32 = 0x00FF_FFFF;
    static WRAPS: AtomicU32 = AtomicU32::new(0);

    #[cortex_m_rt::exception]
    fn SysTick() {
        WRAPS.fetch_add(1, Ordering::Relaxed);
    }

    fn syst() -> SYST {
        // SAFETY: only this module touches SysTick, one call at a time
        // (the firmware is single-threaded).
        unsafe { cortex_m::Peripherals::steal() }.SYST
    }

    /// Starts counting from zero.
    pub fn start() {
        let mut syst = syst();
        syst.disable_counter();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        WRAPS.store(0, Ordering::Relaxed);
        syst.enable_interrupt();
        syst.enable_counter();
    }

    /// Instructions since [`start`].
    pub fn read() -> u64 {
        let mut syst = syst();
        syst.disable_counter();
        let ticks = WRAPS.load(Ordering::Relaxed) as u64 * (RELOAD as u64 + 1)
            + (RELOAD - SYST::get_current()) as u64;
        ticks * INSTRUCTIONS_PER_TICK
    }
}

#[cfg(target_arch = "riscv32")]
mod counter {
    static mut START: u64 = 0;

    /// Starts counting from zero.
    pub fn start() {
        // SAFETY: single-threaded firmware; only this module uses START.
        unsafe { START = riscv::register::minstret::read64() };
    }

    /// Instructions since [`start`].
    pub fn read() -> u64 {
        // SAFETY: as in `start`.
        riscv::register::minstret::read64() - unsafe { START }
    }
}

/// Runs `work` and returns its result and the instructions it executed.
pub fn instructions<T>(work: impl FnOnce() -> T) -> (T, u64) {
    counter::start();
    let result = work();
    (result, counter::read())
}

/// Whether `y` is the host's f32 output `host` (little-endian bytes), up
/// to the rounding that differs between the host's and the device's
/// summation orders.
pub fn near_host(y: &[f32], host: &[u8]) -> bool {
    y.len() * 4 == host.len()
        && y.iter().zip(host.chunks_exact(4)).all(|(&y, b)| {
            let h = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            (y - h).abs() <= 1e-4 * (1.0 + h.abs())
        })
}

/// A footprint build's `main`: `$model`, run in place from the flash image
/// `$image` in `OUT_DIR`, with its activation memory `$memory` in a static.
/// `$input` gives a `&'static` reference to the sample (made from the
/// model, for its quantization), `$check` says whether the output is the
/// host's; the build prints the
/// image's size, the activation memory, the stack's high-water mark and
/// the instructions of one inference, as `./footprint` reads them.
///
/// `footprint!(reference NAME: Model, Memory, int8 | f32)` runs one of the
/// build script's reference models (`reference_model!` in `build.rs`) on its
/// input in flash and checks the host's output: bit for bit in int8.
macro_rules! footprint {
    (reference $name:literal: $model:ty, $memory:ty, int8) => {
        footprint!(
            $model,
            $memory,
            concat!($name, "_int8.nni"),
            |_| flash_input!(concat!($name, "_int8_input.bin")),
            |_, y| nn::bytemuck::bytes_of(y)
                == include_bytes!(concat!(env!("OUT_DIR"), "/", $name, "_int8_output.bin")),
        );
    };
    (reference $name:literal: $model:ty, $memory:ty, f32) => {
        footprint!(
            $model,
            $memory,
            concat!($name, ".nni"),
            |_| flash_input!(concat!($name, "_input.bin")),
            |_, y| measure::near_host(
                nn::bytemuck::cast_slice(core::slice::from_ref(y)),
                include_bytes!(concat!(env!("OUT_DIR"), "/", $name, "_output.bin")),
            ),
        );
    };
    ($model:ty, $memory:ty, $image:expr, $input:expr, $check:expr $(,)?) => {
        /// The model, in flash: the image the build script wrote, checked at compile time.
        static MODEL: &$model = nn::include_model!($model, concat!(env!("OUT_DIR"), "/", $image));
        /// All the RAM inference needs besides the input sample.
        static mut MEMORY: $memory = <$memory>::new();

        #[board::entry]
        fn main() -> ! {
            board::stack::paint();
            // SAFETY: the only reference to MEMORY.
            let memory = unsafe { board::slot(&raw mut MEMORY) };
            let (input, check) = ($input, $check);
            let x = input(MODEL);
            let (y, instructions) = measure::instructions(move || MODEL.infer(x, memory));
            let same = check(MODEL, y);
            board::hprintln!("output as the host's: {}", if same { "yes" } else { "no" });
            board::hprintln!("image: {} B", nn::io::image::encoded_len::<$model>());
            board::hprintln!(
                "activations: {} B, stack high-water: {} B",
                <$model>::INFER_RAM_BYTES,
                board::stack::high_water()
            );
            // As a u32 (saturated): u64 formatting would link 64-bit division.
            board::hprintln!("instructions: {}", instructions.min(u32::MAX as u64) as u32);
            board::exit(if same {
                board::debug::EXIT_SUCCESS
            } else {
                board::debug::EXIT_FAILURE
            })
        }
    };
}

/// A sample the build script wrote (`$file` in `OUT_DIR`), read in place
/// from flash: a `&'static` reference to it.
macro_rules! flash_input {
    ($file:expr) => {{
        static INPUT: &nn::io::image::Aligned<[u8]> =
            &nn::io::image::Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/", $file)));
        nn::bytemuck::from_bytes(&INPUT.0)
    }};
}
