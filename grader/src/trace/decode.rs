//! The dump's text, read into a [`Dump`]: the header, the event lines, the
//! end line, each checked for its shape (the format is specified in
//! `fledge-trace`'s crate documentation). Whether the events make sense
//! together is [`check`](super::check)'s question, not this one's.
//!
//! Lines before the header are skipped, so the text can be a whole serial
//! log; lines after the end line are ignored. Everything between must be
//! an event, and a line that is not one is an error that names it.

use super::{By, Dump, Event, Record, TraceError};

/// The version of the format this reads.
pub const VERSION: u32 = 1;

/// Reads the first dump in `text`.
pub fn decode(text: &str) -> Result<Dump, TraceError> {
    decode_from(text, 1)
}

/// Reads the first dump in `text` that begins on line `first` or later,
/// numbering lines as `text` does (its first line is 1), so that an error
/// names the line of the whole text.
pub fn decode_from(text: &str, first: usize) -> Result<Dump, TraceError> {
    let numbered = text.lines().enumerate().map(|(n, l)| (n + 1, l.strip_suffix('\r').unwrap_or(l)));
    let mut lines = numbered.skip(first.saturating_sub(1));
    let (header_line, header) = lines.by_ref().find(|(_, l)| l.starts_with("fledge-trace ")).ok_or_else(|| {
        TraceError::new(text.lines().count().max(1), "no `fledge-trace` header: the text holds no dump")
    })?;
    let tsc_hz = read_header(header_line, header)?;
    let mut records = Vec::new();
    for (line, text) in lines {
        if let Some(end) = text.strip_prefix("end ") {
            let (events, dropped) = read_end(line, end)?;
            if events != records.len() as u64 {
                let problem = format!("the end line counts {events} events, but the dump has {}", records.len());
                return Err(TraceError::new(line, problem));
            }
            return Ok(Dump { tsc_hz, records, dropped, end_line: line });
        }
        records.push(read_event(line, text)?);
    }
    let last = text.lines().count();
    Err(TraceError::new(last, format!("the dump begun on line {header_line} has no end line: it was cut short")))
}

/// `fledge-trace version=1 tsc-hz=HZ`: the frequency, if known.
fn read_header(line: usize, text: &str) -> Result<Option<u64>, TraceError> {
    let fields: Vec<&str> = text.split(' ').collect();
    let bad = || TraceError::new(line, format!("the header `{text}` is not `fledge-trace version=1 tsc-hz=HZ`"));
    let [_, version, hz] = fields[..] else { return Err(bad()) };
    let version: u32 = version.strip_prefix("version=").and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    if version != VERSION {
        return Err(TraceError::new(line, format!("version {version} of the format; this grader reads {VERSION}")));
    }
    match hz.strip_prefix("tsc-hz=").ok_or_else(bad)? {
        "unknown" => Ok(None),
        hz => hz.parse().ok().filter(|&hz| hz > 0).map(Some).ok_or_else(bad),
    }
}

/// `events=N dropped=D`, after `end `.
fn read_end(line: usize, text: &str) -> Result<(u64, u64), TraceError> {
    let bad = || TraceError::new(line, format!("the end line `end {text}` is not `end events=N dropped=D`"));
    let (events, dropped) = text.split_once(' ').ok_or_else(bad)?;
    let events = events.strip_prefix("events=").and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    let dropped = dropped.strip_prefix("dropped=").and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    Ok((events, dropped))
}

/// `TSC KIND FIELDS...`
fn read_event(line: usize, text: &str) -> Result<Record, TraceError> {
    let mut fields = Fields { line, text, rest: text.split(' ') };
    let tsc = fields.number("a timestamp")?;
    let kind = fields.word("an event kind")?;
    let event = match kind {
        "spawn" => {
            let task = fields.number("a task number")?;
            let name = fields.rest.by_ref().collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                return Err(fields.error("a task name"));
            }
            Event::Spawn { task, name: unescape(line, &name)? }
        }
        "poll" => Event::Poll { task: fields.number("a task number")? },
        "ready" => Event::Ready { task: fields.number("a task number")? },
        "pending" => Event::Pending { task: fields.number("a task number")? },
        "wake" => {
            let task = fields.number("a task number")?;
            let by = match fields.word("`task`, `irq` or `outside`")? {
                "task" => By::Task(fields.number("the waking task's number")?),
                "irq" => By::Irq(fields.number("an interrupt vector (0 to 255)")?),
                "outside" => By::Outside,
                other => {
                    return Err(TraceError::new(
                        line,
                        format!("`{other}` in `{text}` is not a waker (`task N`, `irq V` or `outside`)"),
                    ));
                }
            };
            Event::Wake { task, by }
        }
        "sleep" => Event::Sleep {
            task: fields.number("a task number")?,
            deadline_ns: fields.number("a deadline in nanoseconds")?,
            after_ns: fields.number("a duration in nanoseconds")?,
        },
        "fire" => Event::Fire { task: fields.number("a task number")? },
        "idle" => Event::Idle,
        "busy" => Event::Busy,
        "irq" => Event::Irq { vector: fields.number("an interrupt vector (0 to 255)")? },
        "halt" => Event::Halt,
        "resume" => Event::Resume,
        other => return Err(TraceError::new(line, format!("`{other}` is not an event kind, in `{text}`"))),
    };
    if fields.rest.next().is_some() {
        return Err(TraceError::new(line, format!("`{text}` has more fields than a `{kind}` event")));
    }
    Ok(Record { line, tsc, event })
}

/// The fields of one line, read left to right.
struct Fields<'a> {
    line: usize,
    text: &'a str,
    rest: std::str::Split<'a, char>,
}

impl<'a> Fields<'a> {
    fn error(&self, wanted: &str) -> TraceError {
        TraceError::new(self.line, format!("`{}` should have {wanted} here", self.text))
    }

    fn word(&mut self, wanted: &str) -> Result<&'a str, TraceError> {
        self.rest.next().filter(|w| !w.is_empty()).ok_or_else(|| self.error(wanted))
    }

    fn number<N: std::str::FromStr>(&mut self, wanted: &str) -> Result<N, TraceError> {
        let word = self.word(wanted)?;
        word.parse().map_err(|_| TraceError::new(self.line, format!("`{word}` in `{}` is not {wanted}", self.text)))
    }
}

/// A name with its `\xHH` escapes turned back into bytes.
fn unescape(line: usize, name: &str) -> Result<String, TraceError> {
    let mut bytes = Vec::with_capacity(name.len());
    let mut rest = name.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        if byte != b'\\' {
            bytes.push(byte);
            rest = after;
            continue;
        }
        let hex = after.strip_prefix(b"x").and_then(|h| h.get(..2)).and_then(|h| std::str::from_utf8(h).ok());
        let value = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
        let Some(value) = value else {
            return Err(TraceError::new(line, format!("the name `{name}` has a `\\` that is not a `\\xHH` escape")));
        };
        bytes.push(value);
        rest = &after[3..];
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "\
KTAP version 1
fledge-trace version=1 tsc-hz=1000000000
10 spawn 0 blink\\x20fast
20 poll 0
30 pending 0
35 sleep 0 50000000 49000000
40 idle
90 irq 32
95 busy
96 fire 0
97 wake 0 outside
98 wake 0 irq 36
99 wake 0 task 0
100 poll 0
110 ready 0
end events=13 dropped=0
ok 1 trace
";

    #[test]
    fn a_dump_in_a_serial_log_decodes_whole() {
        let dump = decode(DUMP).unwrap();
        assert_eq!((dump.tsc_hz, dump.dropped, dump.end_line, dump.records.len()), (Some(1_000_000_000), 0, 16, 13));
        let events: Vec<&Event> = dump.records.iter().map(|r| &r.event).collect();
        assert_eq!(events[0], &Event::Spawn { task: 0, name: "blink fast".into() });
        assert_eq!(events[3], &Event::Sleep { task: 0, deadline_ns: 50_000_000, after_ns: 49_000_000 });
        assert_eq!(events[5], &Event::Irq { vector: 32 });
        assert_eq!(
            events[8..11],
            [
                &Event::Wake { task: 0, by: By::Outside },
                &Event::Wake { task: 0, by: By::Irq(36) },
                &Event::Wake { task: 0, by: By::Task(0) }
            ]
        );
        assert_eq!((dump.records[0].line, dump.records[0].tsc), (3, 10));
    }

    /// The contract from both ends: every event the kernel's ring can
    /// write, dumped by `fledge-trace` itself, decodes to its meaning.
    #[test]
    fn what_the_kernels_ring_writes_decodes_to_what_it_meant() {
        use fledge_api::{Event as K, Instant, Outcome, TaskId, Trace, WokenBy};
        use std::time::Duration;

        static RING: fledge_trace::Ring<16> = fledge_trace::Ring::new(|| 77);
        let t = TaskId(4);
        let deadline = Instant::from_since_start(Duration::from_nanos(900));
        for event in [
            K::Spawn { task: t, name: "odd name\\ é" },
            K::PollStart { task: t },
            K::PollEnd { task: t, outcome: Outcome::Pending },
            K::PollEnd { task: t, outcome: Outcome::Ready },
            K::Wake { task: t, by: WokenBy::Task(TaskId(2)) },
            K::Wake { task: t, by: WokenBy::Interrupt(36) },
            K::Wake { task: t, by: WokenBy::Outside },
            K::SleepArmed { task: t, deadline, after: Duration::from_nanos(300) },
            K::SleepFired { task: t },
            K::IdleEnter,
            K::IdleLeave,
            K::Interrupt { vector: 32 },
            K::Halt,
            K::Resume,
        ] {
            RING.record(event);
        }
        let mut console = fledge_fakes::Recorder::new(fledge_fakes::Sink);
        let log = console.log();
        RING.dump(&mut console, Some(3_000_000_000)).unwrap();
        let dump = decode(&log.text()).unwrap();
        assert_eq!((dump.tsc_hz, dump.dropped), (Some(3_000_000_000), 0));
        assert!(dump.records.iter().all(|r| r.tsc == 77));
        let events: Vec<Event> = dump.records.into_iter().map(|r| r.event).collect();
        assert_eq!(
            events,
            [
                Event::Spawn { task: 4, name: "odd name\\ é".into() },
                Event::Poll { task: 4 },
                Event::Pending { task: 4 },
                Event::Ready { task: 4 },
                Event::Wake { task: 4, by: By::Task(2) },
                Event::Wake { task: 4, by: By::Irq(36) },
                Event::Wake { task: 4, by: By::Outside },
                Event::Sleep { task: 4, deadline_ns: 900, after_ns: 300 },
                Event::Fire { task: 4 },
                Event::Idle,
                Event::Busy,
                Event::Irq { vector: 32 },
                Event::Halt,
                Event::Resume,
            ]
        );
    }

    #[test]
    fn an_unknown_frequency_and_an_empty_dump() {
        let dump = decode("fledge-trace version=1 tsc-hz=unknown\r\nend events=0 dropped=4\r\n").unwrap();
        assert_eq!((dump.tsc_hz, dump.records.len(), dump.dropped), (None, 0, 4));
    }

    fn error(text: &str) -> String {
        decode(text).unwrap_err().to_string()
    }

    #[test]
    fn malformed_dumps_say_what_and_where() {
        let header = "fledge-trace version=1 tsc-hz=100\n";
        assert_eq!(error("hello\n"), "trace, line 1: no `fledge-trace` header: the text holds no dump");
        assert_eq!(
            error("fledge-trace version=2 tsc-hz=1\n"),
            "trace, line 1: version 2 of the format; this grader reads 1"
        );
        assert_eq!(
            error("fledge-trace tsc-hz=1\n"),
            "trace, line 1: the header `fledge-trace tsc-hz=1` is not `fledge-trace version=1 tsc-hz=HZ`"
        );
        assert_eq!(
            error(&format!("{header}5 poll 0\n")),
            "trace, line 2: the dump begun on line 1 has no end line: it was cut short"
        );
        assert_eq!(
            error(&format!("{header}5 poll 0\nx poll 1\nend events=2 dropped=0\n")),
            "trace, line 3: `x` in `x poll 1` is not a timestamp"
        );
        assert_eq!(error(&format!("{header}5 jump 0\n")), "trace, line 2: `jump` is not an event kind, in `5 jump 0`");
        assert_eq!(error(&format!("{header}5 poll\n")), "trace, line 2: `5 poll` should have a task number here");
        assert_eq!(
            error(&format!("{header}5 poll 0 1\n")),
            "trace, line 2: `5 poll 0 1` has more fields than a `poll` event"
        );
        assert_eq!(
            error(&format!("{header}5 irq 256\n")),
            "trace, line 2: `256` in `5 irq 256` is not an interrupt vector (0 to 255)"
        );
        assert_eq!(
            error(&format!("{header}5 wake 1 by 2\n")),
            "trace, line 2: `by` in `5 wake 1 by 2` is not a waker (`task N`, `irq V` or `outside`)"
        );
        assert_eq!(
            error(&format!("{header}5 spawn 1 a\\b\n")),
            "trace, line 2: the name `a\\b` has a `\\` that is not a `\\xHH` escape"
        );
        assert_eq!(
            error(&format!("{header}5 idle\nend events=2 dropped=0\n")),
            "trace, line 3: the end line counts 2 events, but the dump has 1"
        );
        assert_eq!(
            error(&format!("{header}end events=0\n")),
            "trace, line 2: the end line `end events=0` is not `end events=N dropped=D`"
        );
    }
}
