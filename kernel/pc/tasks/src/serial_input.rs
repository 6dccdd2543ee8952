//! COM2's receive interrupt, as a future a task awaits.
//!
//! A 16550 can interrupt when it has received a byte: set bit 0 of its
//! Interrupt Enable Register (IER, base+1) and it raises its IRQ line,
//! IRQ 3 for COM2, which the PIC turns into vector 35. With its FIFO on,
//! it waits for 14 bytes, or for the line to stay quiet for four
//! characters' time (the "character timeout"), so one byte arrives about
//! 4 ms after it was sent at 9600 baud. The handler reads every byte there
//! is (the Line Status Register's bit 0, "data ready", then the Receive
//! Buffer, base+0, until it clears), which also ends the interrupt.
//!
//! ```text
//!   handler (IRQ 3)                       task (next_byte().await)
//!   ---------------                       ------------------------
//!   while LSR.DR: push RBR into BYTES     WAITER.register(waker)
//!   WAITER.wake()                         pop from BYTES? Ready : Pending
//! ```
//!
//! The task registers first and looks second; the handler publishes first
//! and wakes second. So either the task's look finds the byte, or the
//! wake finds the task's waker: `AtomicWaker`'s documentation has the
//! argument. `BYTES` is a ring of one writer (the handler) and one reader
//! (the task): each end moves its own index, with release, after touching
//! the slot.
//!
//! Where do the bytes come from? On QEMU's command line the grader gives
//! COM2 a file to write, nothing to read, so a test feeds the port itself:
//! [`send_looped_back`] turns on the 16550's loopback mode (the Modem
//! Control Register's bit 4), in which what it sends comes back to its
//! own receiver, and QEMU raises the receive interrupt for it just as for
//! a byte from outside.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use core::task::{Context, Poll};

use fledge_executor::AtomicWaker;
use fledge_serial::uart::COM2;
use uart_16550::spec::registers::IER;
use uart_16550::{Config, Uart16550};
use x86_64::instructions::interrupts::without_interrupts;
use x86_64::instructions::port::Port;

/// COM2's interrupt line on the PIC.
pub const COM2_IRQ: u8 = 3;

/// Receive Buffer (read) and Transmit Holding (write) Register.
const DATA: u16 = COM2;
/// Modem Control Register.
const MCR: u16 = COM2 + 4;
/// Line Status Register.
const LSR: u16 = COM2 + 5;
/// MCR: loopback, plus DTR, RTS and OUT2 (which routes the interrupt).
const MCR_LOOPBACK: u8 = 0b1_1011;
const LSR_DATA_READY: u8 = 1 << 0;
const LSR_THR_EMPTY: u8 = 1 << 5;

/// Bytes received and not yet read: a power of two.
const CAPACITY: usize = 16;

static BYTES: [AtomicU8; CAPACITY] = [const { AtomicU8::new(0) }; CAPACITY];
/// The next slot the handler writes.
static HEAD: AtomicUsize = AtomicUsize::new(0);
/// The next slot the task reads.
static TAIL: AtomicUsize = AtomicUsize::new(0);
/// Bytes the handler had no room for.
static OVERRUNS: AtomicU64 = AtomicU64::new(0);
/// The task waiting for a byte.
static WAITER: AtomicWaker = AtomicWaker::new();

/// Why COM2 cannot be listened to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoCom2;

impl core::fmt::Display for NoCom2 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("COM2 (a 16550 at port 0x2f8) is missing or did not take its configuration")
    }
}

impl core::error::Error for NoCom2 {}

/// Programs COM2 (8N1, FIFOs on) with its receive interrupt enabled, and
/// forgets bytes received before. IRQ 3 must be unmasked in the PIC
/// ([`bringup`](crate::bringup) does it).
pub fn listen() -> Result<(), NoCom2> {
    without_interrupts(|| {
        // SAFETY: 0x2f8 is COM2's base port on a PC; this kernel uses COM2
        // only here and for the trace dump, never at the same time.
        let mut uart = unsafe { Uart16550::new_port(COM2) }.map_err(|_| NoCom2)?;
        uart.init(Config { interrupts: IER::DATA_READY, ..Config::default() }).map_err(|_| NoCom2)?;
        TAIL.store(HEAD.load(Ordering::Acquire), Ordering::Release);
        Ok(())
    })
}

/// Sends `byte` on COM2 in loopback mode, so that it comes back to COM2's
/// own receiver (and interrupt). Call [`listen`] first.
pub fn send_looped_back(byte: u8) {
    let (mut mcr, mut lsr, mut data) = (Port::<u8>::new(MCR), Port::<u8>::new(LSR), Port::<u8>::new(DATA));
    // SAFETY: COM2's registers, as in `listen`: loopback mode keeps the
    // byte inside the chip, and the transmitter is empty before the write.
    unsafe {
        mcr.write(MCR_LOOPBACK);
        while lsr.read() & LSR_THR_EMPTY == 0 {
            core::hint::spin_loop();
        }
        data.write(byte);
    }
}

/// The handler's work: moves every byte COM2 holds into the ring, then
/// wakes the reader. Takes no lock and allocates nothing.
pub fn on_interrupt() {
    let (mut lsr, mut data) = (Port::<u8>::new(LSR), Port::<u8>::new(DATA));
    // SAFETY: reading LSR and RBR takes bytes out of COM2's receiver and
    // clears its interrupt; the task side never reads them.
    while unsafe { lsr.read() } & LSR_DATA_READY != 0 {
        // SAFETY: as above.
        let byte = unsafe { data.read() };
        let head = HEAD.load(Ordering::Relaxed);
        if head.wrapping_sub(TAIL.load(Ordering::Acquire)) == CAPACITY {
            OVERRUNS.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        BYTES[head % CAPACITY].store(byte, Ordering::Relaxed);
        HEAD.store(head.wrapping_add(1), Ordering::Release);
    }
    WAITER.wake();
}

/// The oldest byte received and not yet read.
pub fn try_read() -> Option<u8> {
    let tail = TAIL.load(Ordering::Relaxed);
    if HEAD.load(Ordering::Acquire) == tail {
        return None;
    }
    let byte = BYTES[tail % CAPACITY].load(Ordering::Relaxed);
    TAIL.store(tail.wrapping_add(1), Ordering::Release);
    Some(byte)
}

/// How many bytes the handler has taken in since boot, wrapping: a change
/// says an interrupt came and was handled.
pub fn received() -> usize {
    HEAD.load(Ordering::Acquire)
}

/// How many received bytes were lost for want of room.
pub fn overruns() -> u64 {
    OVERRUNS.load(Ordering::Relaxed)
}

/// A future ready with the next byte COM2 receives.
pub fn next_byte() -> NextByte {
    NextByte(())
}

/// The future of [`next_byte`].
#[derive(Debug)]
#[must_use = "a future does nothing unless awaited"]
pub struct NextByte(());

impl Future for NextByte {
    type Output = u8;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        // Register, then look: see the module documentation.
        WAITER.register(cx.waker());
        match try_read() {
            Some(byte) => Poll::Ready(byte),
            None => Poll::Pending,
        }
    }
}
