//! The kernel's trace: one ring, stamped with the time-stamp counter, and
//! its dump to COM2, where the grader reads it.
//!
//! The ring is a `static` so that interrupt handlers reach it and the
//! executor's wakers may outlive the executor. A test dumps it at its
//! end: the dump holds that test's events, with the TSC's rate (measured
//! once per boot against the PIT) in its header, so the grader can turn
//! stamps into time.

use fledge_api::Console;
use fledge_serial::uart::{COM2, SerialConsole};
use fledge_trace::{DumpError, Ring};

/// Room for the events of one test: at 100 Hz, the timer alone makes
/// three events (irq, idle, busy) a tick. A slot is 56 bytes, and the
/// whole ring is stored in the kernel image (its stamp function makes the
/// static non-zero, so it lands in `.data`, not `.bss`): 224 KiB that the
/// bootloader reads at every boot. So it is no bigger than a test needs.
pub const EVENTS: usize = 4096;

/// The trace.
pub static TRACE: Ring<EVENTS> = Ring::new(fledge_cpu::tsc::rdtsc);

/// The TSC's rate in Hz, measured once per boot.
pub fn tsc_hz() -> u64 {
    static HZ: spin::Once<u64> = spin::Once::new();
    *HZ.call_once(fledge_cpu::tsc::calibrate)
}

/// Writes the events recorded since the last dump to COM2, in
/// `fledge-trace`'s format, and returns how many. COM2 is programmed
/// again first, which also ends its loopback mode and its receive
/// interrupt ([`serial_input`](crate::serial_input)).
pub fn dump() -> Result<u64, DumpError> {
    let hz = tsc_hz();
    // SAFETY: 0x2f8 is COM2's base port; nothing else uses COM2 during the
    // dump (the test that listened to it is over).
    let mut com2 = unsafe { SerialConsole::new(COM2) }.map_err(DumpError::Console)?;
    TRACE.dump(&mut com2, Some(hz))
}

/// Writes the line `# trace TEST`, then [`dump`]: the grader reads what
/// follows the marker as the trace of the kernel test `test` (a test that
/// dumps several times marks each dump).
pub fn dump_for(test: &str) -> Result<u64, DumpError> {
    let hz = tsc_hz();
    // SAFETY: as in `dump`.
    let mut com2 = unsafe { SerialConsole::new(COM2) }.map_err(DumpError::Console)?;
    for part in [b"# trace ".as_slice(), test.as_bytes(), b"\n"] {
        com2.write_bytes(part).map_err(DumpError::Console)?;
    }
    TRACE.dump(&mut com2, Some(hz))
}

/// Converts TSC cycles to nanoseconds at the measured rate.
pub fn nanos(cycles: u64) -> u64 {
    (u128::from(cycles) * 1_000_000_000 / u128::from(tsc_hz().max(1))) as u64
}
