//! Exercise 01's host tests: the printing layer, driven through fake
//! consoles with plain `cargo test`. Each fake is a small stack of the
//! wrappers in `fledge_fakes` over `Sink`, a console that takes everything:
//! `Recorder` keeps what reaches it, `FailAfter` stops after N operations,
//! `Bytewise` makes each byte an operation, `Yielding` lets the other
//! thread run.
//!
//! These same tests grade your work and the reference solution. Test names
//! match `exercise.toml`, which gives their points and hints.

use std::sync::Arc;

use core::fmt::Write;

use fledge_api::ConsoleError;
use fledge_fakes::{Bytewise, FailAfter, Log, Recorder, Sink, Yielding};
use serial::print::{ConsoleWriter, Printer};

/// A console that keeps every byte, and its log.
fn recording() -> (Recorder<Sink>, Log) {
    let console = Recorder::new(Sink);
    let log = console.log();
    (console, log)
}

/// A console that takes `limit` bytes, then fails every write with
/// `Unavailable`, as a UART whose transmitter stops; and the log of the
/// bytes it took.
fn failing_after(limit: usize) -> (Bytewise<FailAfter<Recorder<Sink>, ConsoleError>>, Log) {
    let (console, log) = recording();
    (Bytewise::new(FailAfter::new(console, limit, ConsoleError::Unavailable)), log)
}

#[derive(Debug)]
#[allow(dead_code)] // the fields are read through `Debug`
struct Point {
    x: i32,
    y: i32,
}

#[test]
fn writer_sends_text_to_the_console() {
    let (mut console, log) = recording();
    let mut writer = ConsoleWriter::new(&mut console);
    write!(writer, "abc{}", 1).expect("writing to a console that accepts everything");
    assert_eq!(log.text(), "abc1");
    assert_eq!(writer.error(), None);
}

#[test]
fn writer_keeps_the_console_error() {
    let (mut console, log) = failing_after(2);
    let mut writer = ConsoleWriter::new(&mut console);
    assert!(writer.write_str("hello").is_err(), "write_str must fail when the console does");
    assert_eq!(writer.error(), Some(ConsoleError::Unavailable));
    assert_eq!(log.text(), "he");
}

#[test]
fn print_formats_integers_and_structs() {
    let printer = Printer::new();
    let (console, log) = recording();
    printer.install(console);
    printer
        .print(format_args!("{} {:#x} {:?}|{:>5}|", -42, 255, Point { x: 3, y: -4 }, "ab"))
        .expect("printing to a console that accepts everything");
    assert_eq!(log.text(), "-42 0xff Point { x: 3, y: -4 }|   ab|");
}

#[test]
fn println_ends_the_line() {
    let printer = Printer::new();
    let (console, log) = recording();
    printer.install(console);
    printer.println(format_args!("hi {}", 7)).unwrap();
    printer.println(format_args!("")).unwrap();
    assert_eq!(log.text(), "hi 7\n\n");
}

#[test]
fn print_without_a_console_is_not_ready() {
    let printer: Printer<Recorder<Sink>> = Printer::new();
    assert_eq!(printer.print(format_args!("lost")), Err(ConsoleError::NotReady));
    assert_eq!(printer.println(format_args!("lost")), Err(ConsoleError::NotReady));
}

#[test]
fn print_reports_console_errors() {
    let printer = Printer::new();
    let (console, log) = failing_after(4);
    printer.install(console);
    assert_eq!(printer.print(format_args!("{}", 123_456)), Err(ConsoleError::Unavailable));
    assert_eq!(log.text(), "1234");
}

#[test]
fn lines_from_two_threads_stay_whole() {
    const LINES: usize = 200;
    let printer = Arc::new(Printer::new());
    // Yielding after every byte: a line cut by the other thread's shows.
    let (console, log) = recording();
    printer.install(Bytewise::new(Yielding::new(console)));
    let writers: Vec<_> = ["left", "right"]
        .into_iter()
        .map(|who| {
            let printer = Arc::clone(&printer);
            std::thread::spawn(move || {
                for i in 0..LINES {
                    printer.println(format_args!("{who} line {i:03}")).unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("a printing thread panicked");
    }
    let text = log.text();
    for who in ["left", "right"] {
        let lines: Vec<&str> = text.lines().filter(|line| line.starts_with(who)).collect();
        let expected: Vec<String> = (0..LINES).map(|i| format!("{who} line {i:03}")).collect();
        assert_eq!(lines, expected, "{who}'s lines were cut or reordered");
    }
    assert_eq!(text.lines().count(), 2 * LINES, "some lines were merged into others:\n{text}");
}
