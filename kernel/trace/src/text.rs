//! The dump format's lines (specified in the [crate documentation](crate)),
//! written to any `core::fmt::Write`.
//!
//! Writing goes through `fmt::Write` rather than straight to a console so
//! that the same functions fill a `String` in a test and a serial port in a
//! kernel, and so that no line needs a buffer of its own.

use core::fmt::{self, Write};

use fledge_api::{Event, Outcome, Stamped, WokenBy};

/// The format's version, the number in the header.
pub const VERSION: u32 = 1;

/// The header line: `fledge-trace version=1 tsc-hz=HZ`.
pub fn header(out: &mut impl Write, tsc_hz: Option<u64>) -> fmt::Result {
    write!(out, "fledge-trace version={VERSION} tsc-hz=")?;
    match tsc_hz {
        Some(hz) => writeln!(out, "{hz}"),
        None => writeln!(out, "unknown"),
    }
}

/// The end line: `end events=N dropped=D`.
pub fn end(out: &mut impl Write, events: u64, dropped: u64) -> fmt::Result {
    writeln!(out, "end events={events} dropped={dropped}")
}

// ANCHOR: line
/// One event's line.
pub fn event(out: &mut impl Write, stamped: &Stamped) -> fmt::Result {
    write!(out, "{} ", stamped.tsc)?;
    match stamped.event {
        Event::Spawn { task, name } => {
            write!(out, "spawn {} ", task.0)?;
            escaped(out, name)?;
            writeln!(out)
        }
        Event::PollStart { task } => writeln!(out, "poll {}", task.0),
        Event::PollEnd { task, outcome: Outcome::Ready } => writeln!(out, "ready {}", task.0),
        Event::PollEnd { task, outcome: Outcome::Pending } => writeln!(out, "pending {}", task.0),
        Event::Wake { task, by: WokenBy::Task(by) } => writeln!(out, "wake {} task {}", task.0, by.0),
        Event::Wake { task, by: WokenBy::Interrupt(vector) } => writeln!(out, "wake {} irq {vector}", task.0),
        Event::Wake { task, by: WokenBy::Outside } => writeln!(out, "wake {} outside", task.0),
        Event::SleepArmed { task, deadline, after } => {
            writeln!(out, "sleep {} {} {}", task.0, deadline.since_start().as_nanos(), after.as_nanos())
        }
        Event::SleepFired { task } => writeln!(out, "fire {}", task.0),
        Event::IdleEnter => writeln!(out, "idle"),
        Event::IdleLeave => writeln!(out, "busy"),
        Event::Interrupt { vector } => writeln!(out, "irq {vector}"),
        Event::Halt => writeln!(out, "halt"),
        Event::Resume => writeln!(out, "resume"),
    }
}
// ANCHOR_END: line

/// `name` with every byte outside `!`..=`~`, and every `\`, as `\xHH`.
fn escaped(out: &mut impl Write, name: &str) -> fmt::Result {
    for &byte in name.as_bytes() {
        if byte.is_ascii_graphic() && byte != b'\\' {
            out.write_char(char::from(byte))?;
        } else {
            write!(out, "\\x{byte:02x}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod test {
    extern crate std;
    use std::string::String;

    use core::time::Duration;

    use fledge_api::{Instant, TaskId};

    use super::*;

    fn line(event: Event) -> String {
        let mut out = String::new();
        super::event(&mut out, &Stamped { tsc: 42, event }).unwrap();
        out
    }

    #[test]
    fn every_event_has_its_line() {
        let t = TaskId(3);
        let cases = [
            (Event::Spawn { task: t, name: "blink" }, "42 spawn 3 blink\n"),
            (Event::PollStart { task: t }, "42 poll 3\n"),
            (Event::PollEnd { task: t, outcome: Outcome::Ready }, "42 ready 3\n"),
            (Event::PollEnd { task: t, outcome: Outcome::Pending }, "42 pending 3\n"),
            (Event::Wake { task: t, by: WokenBy::Task(TaskId(1)) }, "42 wake 3 task 1\n"),
            (Event::Wake { task: t, by: WokenBy::Interrupt(36) }, "42 wake 3 irq 36\n"),
            (Event::Wake { task: t, by: WokenBy::Outside }, "42 wake 3 outside\n"),
            (
                Event::SleepArmed {
                    task: t,
                    deadline: Instant::from_since_start(Duration::from_millis(60)),
                    after: Duration::from_millis(50),
                },
                "42 sleep 3 60000000 50000000\n",
            ),
            (Event::SleepFired { task: t }, "42 fire 3\n"),
            (Event::IdleEnter, "42 idle\n"),
            (Event::IdleLeave, "42 busy\n"),
            (Event::Interrupt { vector: 32 }, "42 irq 32\n"),
            (Event::Halt, "42 halt\n"),
            (Event::Resume, "42 resume\n"),
        ];
        for (event, expected) in cases {
            assert_eq!(line(event), expected, "{event:?}");
        }
    }

    #[test]
    fn a_name_never_breaks_its_line() {
        let spawn = Event::Spawn { task: TaskId(0), name: "two words\\\n\u{e9}" };
        assert_eq!(line(spawn), "42 spawn 0 two\\x20words\\x5c\\x0a\\xc3\\xa9\n");
    }

    #[test]
    fn header_and_end() {
        let mut out = String::new();
        header(&mut out, Some(1_000_000_000)).unwrap();
        header(&mut out, None).unwrap();
        end(&mut out, 7, 2).unwrap();
        assert_eq!(
            out,
            "fledge-trace version=1 tsc-hz=1000000000\nfledge-trace version=1 tsc-hz=unknown\nend events=7 dropped=2\n"
        );
    }
}
