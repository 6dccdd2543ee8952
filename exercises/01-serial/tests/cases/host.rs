//! Exercise 01's host tests: the printing layer, driven through fake
//! consoles with plain `cargo test`.
//!
//! These same tests grade your work and the reference solution. Test names
//! match `exercise.toml`, which gives their points and hints.

use std::sync::Arc;

use core::fmt::Write;

use fledge_api::ConsoleError;
use fledge_fakes::RecordingConsole;
use serial::print::{ConsoleWriter, Printer};

#[derive(Debug)]
#[allow(dead_code)] // the fields are read through `Debug`
struct Point {
    x: i32,
    y: i32,
}

#[test]
fn writer_sends_text_to_the_console() {
    let mut console = RecordingConsole::new();
    let recording = console.recording();
    let mut writer = ConsoleWriter::new(&mut console);
    write!(writer, "abc{}", 1).expect("writing to a console that accepts everything");
    assert_eq!(recording.text(), "abc1");
    assert_eq!(writer.error(), None);
}

#[test]
fn writer_keeps_the_console_error() {
    let mut console = RecordingConsole::failing_after(2);
    let recording = console.recording();
    let mut writer = ConsoleWriter::new(&mut console);
    assert!(writer.write_str("hello").is_err(), "write_str must fail when the console does");
    assert_eq!(writer.error(), Some(ConsoleError::Unavailable));
    assert_eq!(recording.text(), "he");
}

#[test]
fn print_formats_integers_and_structs() {
    let printer = Printer::new();
    let console = RecordingConsole::new();
    let recording = console.recording();
    printer.install(console);
    printer
        .print(format_args!("{} {:#x} {:?}|{:>5}|", -42, 255, Point { x: 3, y: -4 }, "ab"))
        .expect("printing to a console that accepts everything");
    assert_eq!(recording.text(), "-42 0xff Point { x: 3, y: -4 }|   ab|");
}

#[test]
fn println_ends_the_line() {
    let printer = Printer::new();
    let console = RecordingConsole::new();
    let recording = console.recording();
    printer.install(console);
    printer.println(format_args!("hi {}", 7)).unwrap();
    printer.println(format_args!("")).unwrap();
    assert_eq!(recording.text(), "hi 7\n\n");
}

#[test]
fn print_without_a_console_is_not_ready() {
    let printer: Printer<RecordingConsole> = Printer::new();
    assert_eq!(printer.print(format_args!("lost")), Err(ConsoleError::NotReady));
    assert_eq!(printer.println(format_args!("lost")), Err(ConsoleError::NotReady));
}

#[test]
fn print_reports_console_errors() {
    let printer = Printer::new();
    let console = RecordingConsole::failing_after(4);
    let recording = console.recording();
    printer.install(console);
    assert_eq!(printer.print(format_args!("{}", 123_456)), Err(ConsoleError::Unavailable));
    assert_eq!(recording.text(), "1234");
}

#[test]
fn lines_from_two_threads_stay_whole() {
    const LINES: usize = 2000;
    let printer = Arc::new(Printer::new());
    let console = RecordingConsole::new().yielding();
    let recording = console.recording();
    printer.install(console);
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
    let text = recording.text();
    for who in ["left", "right"] {
        let lines: Vec<&str> = text.lines().filter(|line| line.starts_with(who)).collect();
        let expected: Vec<String> = (0..LINES).map(|i| format!("{who} line {i:03}")).collect();
        assert_eq!(lines, expected, "{who}'s lines were cut or reordered");
    }
    assert_eq!(text.lines().count(), 2 * LINES, "some lines were merged into others:\n{text}");
}
