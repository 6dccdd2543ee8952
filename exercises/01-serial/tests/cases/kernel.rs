//! Exercise 01's kernel tests: your UART driver and `println!`, on a
//! (virtual) PC.
//!
//! Each test is a function that returns when it passes and panics when it
//! fails. Besides what a test checks in here, the grader reads the serial
//! output it produced: `exercise.toml` lists the lines each test must print.
//! These same tests grade your work and the reference solution.

use fledge_api::Console;
use fledge_boot::Case;
use fledge_conformance::console as conformance;
use serial::uart::{COM2, SerialConsole};
use serial::{print, println};
use x86_64::instructions::port::Port;

/// The tests, in the order they run.
pub static CASES: &[Case] =
    fledge_boot::cases![second_port, hello_line, multi_line, long_line, formatting, console_conforms];

/// Installs the learner's COM1 console for `println!`.
fn setup() {
    if let Err(error) = serial::print::init() {
        panic!("serial::print::init() failed: {error}");
    }
}

/// Reads one register of the UART at `base`.
fn uart_register(base: u16, offset: u16) -> u8 {
    let mut port = Port::<u8>::new(base + offset);
    // SAFETY: reading LCR and IIR of a 16550 has no side effect that matters
    // here (reading IIR may acknowledge a transmitter-empty interrupt, and
    // interrupts are off).
    unsafe { port.read() }
}

/// The driver programs a UART nobody else has touched (COM2, which the test
/// runner never uses) and sends through it. The grader checks COM2's output.
fn second_port() {
    let lcr_before = uart_register(COM2, 3);
    // SAFETY: COM2 is the PC's second 16550, and nothing else in this kernel
    // uses it.
    let mut console = match unsafe { SerialConsole::new(COM2) } {
        Ok(console) => console,
        Err(error) => panic!("SerialConsole::new(COM2) failed: {error}"),
    };
    let lcr = uart_register(COM2, 3);
    assert_eq!(
        lcr & 0x83,
        0x03,
        "after SerialConsole::new, COM2's line control register should say 8 data bits with the \
         divisor latch closed (low bits 0b11, bit 7 clear), but it is {lcr:#04x} (it was \
         {lcr_before:#04x} before): was the UART initialised?"
    );
    let iir = uart_register(COM2, 2);
    assert_eq!(iir & 0xc0, 0xc0, "COM2's FIFOs are off (IIR = {iir:#04x}): was the UART initialised?");
    if let Err(error) = console.write_bytes(b"COM2 works too\n") {
        panic!("write_bytes on COM2 failed: {error}");
    }
}

/// The classic first line.
fn hello_line() {
    setup();
    println!("Hello from Fledge!");
}

/// Newlines inside one call and across calls.
fn multi_line() {
    setup();
    print!("one\ntwo\n");
    print!("three");
    print!("\n");
    println!();
    println!("four");
}

/// A thousand digits, `0123456789` a hundred times, made at compile time
/// (there is no allocator).
const DIGITS: [u8; 1000] = {
    let mut digits = [0; 1000];
    let mut i = 0;
    while i < digits.len() {
        digits[i] = b'0' + (i % 10) as u8;
        i += 1;
    }
    digits
};

/// A line much longer than the UART's 16-byte FIFO, handed to the console
/// in one piece: `println!` passes a `&str` argument to `write_str` whole,
/// so `write_bytes` gets all 1000 bytes in one call.
fn long_line() {
    setup();
    let text = core::str::from_utf8(&DIGITS).expect("digits are ASCII");
    println!("{text}");
}

#[derive(Debug)]
#[allow(dead_code)] // the fields are read through `Debug`
struct Point {
    x: i32,
    y: i32,
}

/// Integers, hex, a struct through `Debug`, padding.
fn formatting() {
    setup();
    println!("{} {:#x} {:?}|{:>5}|", -42, 255, Point { x: 3, y: -4 }, "ab");
}

/// The `Console` conformance suite, on COM2. A kernel cannot read back what
/// a serial port sent, so the test only makes the suite's writes
/// (`fledge_conformance::console::write_script`: empty writes, single
/// bytes, lines split across writes, every printable character, a 1040-byte
/// write, between a begin and an end marker line) and the grader checks
/// what arrived, from the host: it runs
/// `fledge_conformance::console::check_received` on everything COM2
/// received, which finds the frame and compares it byte for byte. (Until
/// that check is wired into the grader, exercise.toml lists the frame's
/// lines for it to find on COM2.)
fn console_conforms() {
    // SAFETY: COM2 is the PC's second 16550, and nothing else in this kernel
    // uses it (`second_port` made its own console on it and is done).
    let mut console = match unsafe { SerialConsole::new(COM2) } {
        Ok(console) => console,
        Err(error) => panic!("SerialConsole::new(COM2) failed: {error}"),
    };
    if let Err(error) = conformance::write_script(&mut console) {
        panic!("the console conformance script failed on COM2: {error}");
    }
}
