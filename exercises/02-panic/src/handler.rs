//! The panic handler.
//!
//! `#[panic_handler]` marks the function that every panic in a `no_std`
//! program ends in. It receives a [`PanicInfo`], which holds the message and
//! the source location, and it returns `!`: there is nowhere to return to.
//! The attribute itself is in `src/main.rs` (through `fledge_boot`'s
//! `test_kernel!`), which calls [`handle`] below.
//!
//! A panic handler should do as little as it can. The kernel is in an
//! unknown state when it runs: a lock may be held by the code that
//! panicked, so it must not wait for one; memory may be short, so it must
//! not allocate. The runner's COM1 writer, [`Com1`], takes no lock and
//! keeps no state, which is why the report goes through it rather than
//! through exercise 01's `println!`.
//!
//! Which test was running? The runner knows: [`runner::current`].
//!
//! [`PanicInfo`]: core::panic::PanicInfo
//! [`Com1`]: fledge_boot::com1::Com1
//! [`runner::current`]: fledge_boot::runner::current

use core::panic::PanicInfo;

#[allow(unused_imports)]
use crate::exit::{ExitCode, exit_qemu};
#[allow(unused_imports)]
use crate::report::write_report;

// ANCHOR: handle
/// Reports `info` on COM1 as the failure of the running test, then ends the
/// run with [`ExitCode::Failure`].
pub fn handle(info: &PanicInfo<'_>) -> ! {
    // 1. `write_report` to `fledge_boot::com1::Com1`, with
    //    `fledge_boot::runner::current()`, `info.location()` and
    //    `info.message()`. If writing fails there is nobody left to tell:
    //    ignore the error.
    // 2. `exit_qemu(ExitCode::Failure)`.
    let _ = info;
    todo!("report the panic, then leave QEMU with the failure status")
}
// ANCHOR_END: handle
