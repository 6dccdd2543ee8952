//! Boot glue for Fledge test kernels.
//!
//! Every exercise builds a small kernel whose only job is to run that
//! exercise's tests and report them. This crate is everything such a kernel
//! needs that is not the learner's work:
//!
//! - [`com1`]: the test runner's own line to the first serial port, which it
//!   uses for KTAP output, so that a half-written console driver cannot hide
//!   the results;
//! - [`exit`]: leaving QEMU with a status the grader can read;
//! - [`report`] and [`handler`]: the panic report, one KTAP line, and the
//!   panic handler that writes it and leaves (exercise 02, finished);
//! - [`runner`]: the boot spine of a test kernel, from the bootloader's hand
//!   over to the last result line;
//! - [`test_kernel!`]: one line in an exercise's `main.rs` that wires the
//!   three together, and [`cases!`], the list of its tests.
//!
//! The kernel is started by the `bootloader` crate's BIOS stages, which set
//! up long mode, paging and a stack, then call the entry point declared with
//! [`bootloader_api::entry_point!`] and hand it a [`BootInfo`].
//!
//! [`BootInfo`]: bootloader_api::BootInfo

#![no_std]

pub mod com1;
pub mod exit;
pub mod handler;
pub mod report;
pub mod runner;

pub use bootloader_api;
pub use fledge_ktap::Case;

use bootloader_api::BootloaderConfig;
use bootloader_api::config::Mapping;

/// Where the kernel and all of physical memory are mapped: see
/// `kernel/memlayout`, the memory map of every Fledge kernel.
pub use fledge_memlayout::{KERNEL_BASE, PHYSICAL_MEMORY_OFFSET};

/// How Fledge asks the bootloader to set up a test kernel: the kernel at
/// [`KERNEL_BASE`], all physical memory at [`PHYSICAL_MEMORY_OFFSET`], the
/// rest (the kernel stack, with an unmapped guard page under it, and the
/// boot information) as the bootloader chooses.
pub const BOOTLOADER_CONFIG: BootloaderConfig = {
    let mut config = BootloaderConfig::new_default();
    config.mappings.kernel_base = Mapping::FixedAddress(KERNEL_BASE);
    config.mappings.physical_memory = Some(Mapping::FixedAddress(PHYSICAL_MEMORY_OFFSET));
    config
};

/// The list of a test kernel's tests, each named after its function:
///
/// ```text
/// pub static CASES: &[Case] = fledge_boot::cases![hello_line, multi_line, long_line];
/// ```
///
/// is `&[Case::new("hello_line", hello_line), ...]`, with each name written
/// once, so a test's KTAP name can never drift from its function's. The
/// exercise manifest (`exercise.toml`) refers to the tests by these names.
#[macro_export]
macro_rules! cases {
    ($($test:ident),* $(,)?) => {
        &[$($crate::Case::new(::core::stringify!($test), $test)),*]
    };
}

/// Declares a test kernel that runs `$cases` (a `&'static [Case]`).
///
/// On the bare-metal target this defines the bootloader entry point and the
/// panic handler. On the host it defines a `main` that explains what the
/// binary is, so `cargo test --workspace` can build every crate.
///
/// ```text
/// #![cfg_attr(target_os = "none", no_std, no_main)]
/// mod cases;
/// fledge_boot::test_kernel!(cases::CASES);
/// ```
///
/// Exercise 02, where the learner writes the panic handler and the way out
/// of QEMU, names them:
///
/// ```text
/// fledge_boot::test_kernel!(cases::CASES, panic_handler = panic_report::handler::handle, exit = panic_report::exit::exit_qemu);
/// ```
///
/// The learner's handler is called through [`runner::guarded_panic`], so a
/// handler that panics itself is reported instead of recursing.
#[macro_export]
macro_rules! test_kernel {
    ($cases:expr) => {
        $crate::test_kernel!(@kernel $cases, $crate::handler::handle, $crate::exit::exit_qemu);

        #[cfg(target_os = "none")]
        #[panic_handler]
        fn __fledge_panic(info: &::core::panic::PanicInfo) -> ! {
            $crate::handler::handle(info)
        }
    };
    ($cases:expr, panic_handler = $panic:path, exit = $exit:path $(,)?) => {
        $crate::test_kernel!(@kernel $cases, $panic, $exit);

        #[cfg(target_os = "none")]
        #[panic_handler]
        fn __fledge_panic(info: &::core::panic::PanicInfo) -> ! {
            $crate::runner::guarded_panic(info, $panic)
        }
    };
    (@kernel $cases:expr, $panic:path, $exit:path) => {
        #[cfg(target_os = "none")]
        $crate::bootloader_api::entry_point!(__fledge_main, config = &$crate::BOOTLOADER_CONFIG);

        #[cfg(target_os = "none")]
        fn __fledge_main(boot_info: &'static mut $crate::bootloader_api::BootInfo) -> ! {
            $crate::runner::run_with(boot_info, $cases, $exit)
        }

        #[cfg(not(target_os = "none"))]
        fn main() {
            // The tests are only run on the bare-metal target; this only
            // checks that they and the hooks have the right types.
            let _: &[$crate::Case] = $cases;
            let _: fn(&::core::panic::PanicInfo) -> ! = $panic;
            let _: fn($crate::exit::ExitCode) -> ! = $exit;
            ::std::eprintln!(
                "{} is a kernel: it runs in QEMU, not on this machine.\n\
                 Build, boot and grade it with `cargo grade` from the repository root.",
                env!("CARGO_PKG_NAME")
            );
            ::std::process::exit(2);
        }
    };
}
