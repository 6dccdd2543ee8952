//! Where a hung boot was stuck, from literal samples and frames.

use std::collections::BTreeMap;

use super::*;

fn frame(function: &str, file: &str, line: u32) -> Frame {
    let in_repo = !file.starts_with("spin-") && !file.starts_with("core/");
    Frame { function: function.into(), file: Some(file.into()), line: Some(line), in_repo, in_macro: None }
}

/// The frames at each address: 0x10 spins in a lock inlined into `print`,
/// 0x1f is in `println` (the call to `print`), 0x2f in the test, 0x3f in
/// the runner; 0x50 is a loop in `write_bytes`. (A return address is looked
/// up one byte back, at its call.)
fn frames() -> BTreeMap<u64, Vec<Frame>> {
    BTreeMap::from([
        (
            0x10,
            vec![
                frame("spin_loop", "core/src/hint.rs", 209),
                frame("lock", "spin-0.9.8/src/mutex/spin.rs", 186),
                frame("Printer::print", "exercises/01-serial/src/print.rs", 80),
            ],
        ),
        (0x1f, vec![frame("Printer::println", "exercises/01-serial/src/print.rs", 97)]),
        (0x2f, vec![frame("hello_line", "exercises/01-serial/tests/cases/kernel.rs", 58)]),
        (0x3f, vec![frame("run_with", "kernel/boot/src/runner.rs", 99)]),
        (0x50, vec![frame("SerialConsole::write_bytes", "exercises/01-serial/src/uart.rs", 67)]),
    ])
}

fn sample(rip: u64, returns: &[u64]) -> Sample {
    Sample { rip, halted: false, returns: returns.to_vec() }
}

const OWN: Option<&str> = Some("exercises/01-serial/");

#[test]
fn a_spin_lock_inside_the_place_is_a_deadlock_named_with_its_caller() {
    let samples = vec![sample(0x10, &[0x20, 0x30, 0x40]); 3];
    let hang = diagnose(&samples, &frames(), OWN, "cargo grade exercise-01").unwrap();
    assert_eq!(hang.kind, Kind::SpinLock);
    assert_eq!(hang.place, "`Printer::print` (exercises/01-serial/src/print.rs:80)");
    assert_eq!(hang.caller.as_deref(), Some("`Printer::println` (exercises/01-serial/src/print.rs:97)"));
    assert!(hang.is_deadlock());
    assert_eq!(
        hang.why(5),
        "still running after 5s, waiting for a spin lock in `Printer::print` (exercises/01-serial/src/print.rs:80), \
         called from `Printer::println` (exercises/01-serial/src/print.rs:97): a spin lock is waited for forever: \
         it was probably taken twice (a deadlock)"
    );
    assert!(
        hang.hint.contains("`cargo grade exercise-01 --gdb`, then in gdb `continue`; once it hangs, Ctrl-C and `bt`"),
        "{}",
        hang.hint
    );
}

#[test]
fn a_place_reached_again_names_the_outer_call_that_holds_the_lock() {
    let mut frames = frames();
    frames.insert(0x5f, vec![frame("Printer::print", "exercises/01-serial/src/print.rs", 82)]);
    let samples = vec![sample(0x10, &[0x20, 0x60, 0x20, 0x30, 0x40])];
    let hang = diagnose(&samples, &frames, OWN, "cargo grade exercise-01").unwrap();
    assert_eq!(hang.caller.as_deref(), Some("`Printer::print` (exercises/01-serial/src/print.rs:82)"));
    assert!(hang.again);
    assert!(
        hang.doing().ends_with(
            "reached again from `Printer::print` (exercises/01-serial/src/print.rs:82) further out on the stack"
        ),
        "{}",
        hang.doing()
    );
    assert!(hang.hint.contains("and so did `Printer::print` (exercises/01-serial/src/print.rs:82)"), "{}", hang.hint);
}

#[test]
fn the_place_most_samples_share_is_reported() {
    let samples = vec![sample(0x50, &[0x30, 0x40]), sample(0x10, &[0x20]), sample(0x50, &[0x30, 0x40])];
    let hang = diagnose(&samples, &frames(), OWN, "cargo grade exercise-01").unwrap();
    assert_eq!(hang.kind, Kind::Spinning);
    assert_eq!(hang.place, "`SerialConsole::write_bytes` (exercises/01-serial/src/uart.rs:67)");
    assert_eq!(hang.caller.as_deref(), Some("`hello_line` (exercises/01-serial/tests/cases/kernel.rs:58)"));
    assert!(hang.why(5).starts_with("still running after 5s, spinning in `SerialConsole::write_bytes`"));
}

#[test]
fn without_own_files_the_repository_outside_the_runner_will_do() {
    let samples = vec![sample(0x50, &[0x30, 0x40])];
    let hang = diagnose(&samples, &frames(), None, "cargo grade exercise-01 --solution").unwrap();
    assert_eq!(hang.place, "`SerialConsole::write_bytes` (exercises/01-serial/src/uart.rs:67)");
    let runner_only = vec![sample(0x40, &[])];
    let hang = diagnose(&runner_only, &frames(), None, "x");
    assert_eq!(hang, None, "0x40 itself names nothing");
    let hang = diagnose(&[sample(0x3f, &[])], &frames(), None, "x").unwrap();
    assert_eq!(
        hang.place, "`run_with` (kernel/boot/src/runner.rs:99)",
        "the innermost frame, when nothing else is there"
    );
}

#[test]
fn a_cpu_halted_in_every_sample_waits_for_an_interrupt() {
    let halted = Sample { halted: true, ..sample(0x50, &[]) };
    let hang = diagnose(&[halted.clone(), halted.clone()], &frames(), OWN, "x").unwrap();
    assert_eq!(hang.kind, Kind::Halted);
    let hang = diagnose(&[halted, sample(0x50, &[])], &frames(), OWN, "x").unwrap();
    assert_eq!(hang.kind, Kind::Spinning, "halted once is a loop that halts now and then");
}

#[test]
fn addresses_nobody_can_name_give_no_diagnosis() {
    assert_eq!(diagnose(&[sample(0x99, &[0x98])], &frames(), OWN, "x"), None);
    assert_eq!(diagnose(&[], &frames(), OWN, "x"), None);
}
