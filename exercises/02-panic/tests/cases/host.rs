//! Exercise 02's host tests: the panic report, written into a `String`.
//!
//! A `PanicInfo` can only be made by a real panic, but the report needs just
//! its parts: a `Location` (`Location::caller()` gives one for the line it
//! is on) and a message (anything `Display`, such as `format_args!`).

use core::panic::Location;

use panic_report::report::write_report;

fn report(running: Option<(usize, &str)>, location: Option<&Location<'_>>, message: &dyn core::fmt::Display) -> String {
    let mut out = String::new();
    write_report(&mut out, running, location, message).expect("writing to a String cannot fail");
    out
}

#[test]
fn report_names_the_test_the_place_and_the_message() {
    let here = Location::caller();
    let text = report(Some((3, "adds_up")), Some(here), &format_args!("boom"));
    let expected = format!("not ok 3 adds_up # panicked at {}:{}:{}: boom\n", here.file(), here.line(), here.column());
    assert_eq!(text, expected);
}

#[test]
fn report_keeps_formatting_arguments() {
    let here = Location::caller();
    let (x, y) = (6, 7);
    let text = report(Some((1, "multiplies")), Some(here), &format_args!("{x} times {y} is {}, not {:?}", x * y, "41"));
    let expected = format!(
        "not ok 1 multiplies # panicked at {}:{}:{}: 6 times 7 is 42, not \"41\"\n",
        here.file(),
        here.line(),
        here.column()
    );
    assert_eq!(text, expected);
}

#[test]
fn report_outside_a_test_bails_out() {
    let here = Location::caller();
    let text = report(None, Some(here), &format_args!("no memory map"));
    let expected = format!("Bail out! panicked at {}:{}:{}: no memory map\n", here.file(), here.line(), here.column());
    assert_eq!(text, expected);
}

#[test]
fn report_without_a_location() {
    assert_eq!(report(Some((2, "t")), None, &format_args!("lost")), "not ok 2 t # panicked: lost\n");
    assert_eq!(report(None, None, &format_args!("lost")), "Bail out! panicked: lost\n");
}

#[test]
fn report_stays_on_one_line() {
    let here = Location::caller();
    let text = report(Some((4, "compares")), Some(here), &format_args!("assertion failed\n  left: 1\n right: 2"));
    assert_eq!(text.matches('\n').count(), 1, "the report must be exactly one line, got {text:?}");
    assert!(text.ends_with('\n'), "the report must end its line, got {text:?}");
    assert!(text.starts_with("not ok 4 compares # panicked at "), "got {text:?}");
    for piece in ["assertion failed", "left: 1", "right: 2"] {
        assert!(text.contains(piece), "the message part {piece:?} is missing from {text:?}");
    }
}
