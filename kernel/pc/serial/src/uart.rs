//! The 16550 UART as a [`Console`].
//!
//! A UART (universal asynchronous receiver-transmitter) turns bytes into a
//! serial bit stream and back. The 16550 is the PC's: eight one-byte
//! registers in the CPU's I/O port space, starting at a base port (`0x3f8`
//! for COM1, `0x2f8` for COM2). The ones that matter here:
//!
//! ```text
//! base+0  THR   transmit holding register: write a byte here to send it
//! base+2  FCR   FIFO control: turn on the 16-byte transmit/receive FIFOs
//! base+3  LCR   line control: 8 data bits, no parity, 1 stop bit ("8N1")
//! base+5  LSR   line status: bit 5 says "THR empty, you may write"
//! ```
//!
//! The `uart_16550` crate knows these registers; the driver decides what
//! to do when the chip is not there or stops taking bytes. A real UART's
//! transmitter can stall (flow control, a wedged device), so writing is
//! *bounded*: after [`SEND_ATTEMPTS`] polls without progress it gives up
//! with an error instead of hanging the kernel.

use fledge_api::{Console, ConsoleError};
use uart_16550::backend::PioBackend;
use uart_16550::{Config, Uart16550};

/// The base I/O port of COM1, the first serial port.
pub const COM1: u16 = 0x3f8;

/// The base I/O port of COM2, the second serial port.
pub const COM2: u16 = 0x2f8;

/// How many times [`SerialConsole::write_bytes`] polls a transmitter that
/// has no room before it gives up with [`ConsoleError::Unavailable`].
pub const SEND_ATTEMPTS: usize = 1_000_000;

/// A 16550 UART, programmed and ready to send.
pub struct SerialConsole {
    uart: Uart16550<PioBackend>,
}

impl SerialConsole {
    // ANCHOR: new
    /// Finds the UART at I/O port `base`, programs it with the crate's
    /// default configuration (115200 baud, 8N1, FIFOs on), and returns it
    /// ready for writing. A missing chip is [`ConsoleError::NotReady`].
    ///
    /// # Safety
    ///
    /// `base` must be the base port of a 16550 UART (such as [`COM1`]), and
    /// for as long as the console lives nothing else may reprogram that UART
    /// in a way that breaks sending bytes.
    pub unsafe fn new(base: u16) -> Result<Self, ConsoleError> {
        // SAFETY: the caller promises that `base` is a 16550's base port.
        let created = unsafe { Uart16550::new_port(base) };
        let mut uart = created.map_err(|_| ConsoleError::NotReady)?;
        uart.init(Config::default()).map_err(|_| ConsoleError::NotReady)?;
        Ok(SerialConsole { uart })
    }
    // ANCHOR_END: new
}

// ANCHOR: write_bytes
impl Console for SerialConsole {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        let mut rest = bytes;
        let mut idle_polls = 0;
        while !rest.is_empty() {
            // `send_bytes` fills the transmit FIFO as far as it has room and
            // says how many bytes it took: 0 when the FIFO is still full.
            let sent = self.uart.send_bytes(rest);
            if sent > 0 {
                rest = &rest[sent..];
                idle_polls = 0;
            } else {
                idle_polls += 1;
                if idle_polls == SEND_ATTEMPTS {
                    return Err(ConsoleError::Unavailable);
                }
                core::hint::spin_loop();
            }
        }
        Ok(())
    }
}
// ANCHOR_END: write_bytes
