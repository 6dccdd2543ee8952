//! The test runner's own line to COM1.
//!
//! COM1 is the first serial port of a PC: a 16550 UART at I/O port `0x3f8`.
//! QEMU connects it to wherever `-serial` says; the grader reads it.
//!
//! The learner's console driver (exercise 01) writes to the same port. The
//! runner does not use it: it keeps this separate, minimal writer so that a
//! missing or broken driver still leaves a readable KTAP report. It holds no
//! lock and no state, so the panic handler can use it whatever the kernel
//! was doing when it panicked.

use core::fmt;

use uart_16550::Uart16550;
use uart_16550::backend::PioBackend;
use x86_64::instructions::port::Port;

/// The I/O port base of the first serial port.
pub const COM1_BASE: u16 = 0x3f8;

fn uart() -> Uart16550<PioBackend> {
    // SAFETY: 0x3f8..0x400 are COM1's eight registers on every PC and on
    // QEMU's `pc` machine. Sharing them with other writers is harmless here:
    // each write waits for the transmitter to be ready, byte by byte.
    let result = unsafe { Uart16550::new_port(COM1_BASE) };
    match result {
        Ok(uart) => uart,
        // `new_port` only fails when the eight registers would run past
        // port 0xffff, which 0x3f8 does not.
        Err(_) => unreachable!("COM1's base port is valid"),
    }
}

/// Programs COM1 for 115200 baud, 8 data bits, no parity, one stop bit, with
/// the FIFO on. Called once, before the first line is written. If the port is
/// missing there is nobody to tell, so the error is dropped; QEMU always
/// has one.
pub fn init() {
    let _ = uart().init(uart_16550::Config::default());
}

/// A `fmt::Write` that sends text to COM1.
pub struct Com1;

impl fmt::Write for Com1 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_bytes(s.as_bytes());
        Ok(())
    }
}

/// Sends raw bytes to COM1, whatever they are.
pub fn write_bytes(bytes: &[u8]) {
    uart().send_bytes_exact(bytes);
}

/// The Line Status Register's bit 0, "data ready": the receiver holds a
/// byte.
const LSR_DATA_READY: u8 = 1 << 0;

/// The byte COM1 has received, if one waits; `None` at once otherwise.
///
/// A polled read, with no interrupt: it looks at the Line Status Register
/// (base + 5) and, if its "data ready" bit is set, takes the byte from
/// the Receive Buffer Register (base + 0). QEMU's `-serial stdio` feeds
/// COM1 from its standard input, so a kernel test sees a line the grader
/// writes there (exercise 11's tests wait for `done`). Call it often: the
/// receiver holds 16 bytes, and drops what comes after.
pub fn try_read() -> Option<u8> {
    let mut lsr = Port::<u8>::new(COM1_BASE + 5);
    let mut rbr = Port::<u8>::new(COM1_BASE);
    // SAFETY: base + 5 is COM1's Line Status Register; reading it has no
    // effect beyond clearing error bits nobody here looks at.
    let status = unsafe { lsr.read() };
    if status & LSR_DATA_READY == 0 {
        return None;
    }
    // SAFETY: with the divisor latch off (as `init` leaves it), base + 0
    // read is the Receive Buffer Register; reading it takes the byte the
    // status said was there, which only this function does.
    Some(unsafe { rbr.read() })
}
