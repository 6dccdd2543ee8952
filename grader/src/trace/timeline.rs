//! A dump laid out for the eye: one lane per task, then one for the CPU's
//! idle time (as the executor says), one for its halts (as the machine's
//! idle says, when the dump has any) and one for interrupts; on each lane, spans (a poll, an idle
//! stretch) and marks (a wake-up, a sleep armed or fired, an interrupt).
//! Both pictures, [`chrome`](super::chrome) and [`svg`](super::svg), draw
//! this, so they always agree.
//!
//! Times stay in TSC ticks here; [`Timeline::micros`] turns one into
//! microseconds since the first event, using the dump's frequency, or one
//! tick a nanosecond when the kernel did not measure it.

use std::collections::BTreeMap;

use super::{By, Dump, Event};

/// The lanes of a dump.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Ticks per second, if known.
    pub tsc_hz: Option<u64>,
    /// The first event's TSC (0 for an empty dump).
    pub start: u64,
    /// The last event's TSC.
    pub end: u64,
    /// The tasks' lanes in the order they were spawned, then `idle`, then
    /// `halted` if the dump has a `halt`, then `interrupts`.
    pub lanes: Vec<Lane>,
}

/// One row of the picture.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lane {
    /// `blink (task 0)`, `idle`, `halted` or `interrupts`.
    pub name: String,
    /// What filled stretches of time on this lane.
    pub spans: Vec<Span>,
    /// What happened at an instant on it.
    pub marks: Vec<Mark>,
}

/// A stretch of time on a lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Its first tick.
    pub start: u64,
    /// Its last tick (the dump's end, for one that never ended).
    pub end: u64,
    /// What it was.
    pub kind: SpanKind,
}

/// What a span was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    /// A poll that returned `Ready`.
    PollReady,
    /// A poll that returned `Pending`.
    PollPending,
    /// A poll the dump never saw end.
    PollUnfinished,
    /// The CPU waiting, as the executor says.
    Idle,
    /// The CPU halted, as the machine's idle says.
    Halted,
}

impl SpanKind {
    /// A word for it: `poll (ready)`, `idle`.
    pub fn label(self) -> &'static str {
        match self {
            SpanKind::PollReady => "poll (ready)",
            SpanKind::PollPending => "poll (pending)",
            SpanKind::PollUnfinished => "poll (never ended)",
            SpanKind::Idle => "idle",
            SpanKind::Halted => "halted",
        }
    }
}

/// An instant on a lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When.
    pub at: u64,
    /// What, in a few words: `woken by irq 36`.
    pub label: String,
}

impl Timeline {
    /// Lays `dump` out. A dump that fails [`check`](super::check::check)
    /// still lays out: a poll without an end runs to the dump's end.
    pub fn new(dump: &Dump) -> Timeline {
        let start = dump.records.first().map_or(0, |r| r.tsc);
        let end = dump.records.iter().map(|r| r.tsc).max().unwrap_or(start);
        let mut tasks: Vec<Lane> = Vec::new();
        let mut lane_of: BTreeMap<u32, usize> = BTreeMap::new();
        let (mut idle, mut interrupts) = (Lane::named("idle"), Lane::named("interrupts"));
        let mut halted = Lane::named("halted");
        let has_halts = dump.records.iter().any(|r| r.event == Event::Halt);
        let mut polling: Option<(u32, u64)> = None;
        let (mut idle_since, mut halted_since): (Option<u64>, Option<u64>) = (None, None);
        for record in &dump.records {
            let at = record.tsc;
            let mut lane = |task: u32, tasks: &mut Vec<Lane>| -> usize {
                *lane_of.entry(task).or_insert_with(|| {
                    tasks.push(Lane::named(&format!("task {task}")));
                    tasks.len() - 1
                })
            };
            match &record.event {
                Event::Spawn { task, name } => {
                    let l = lane(*task, &mut tasks);
                    tasks[l].name = format!("{name} (task {task})");
                    tasks[l].marks.push(Mark { at, label: "spawned".into() });
                }
                Event::Poll { task } => polling = Some((*task, at)),
                Event::Ready { task } | Event::Pending { task } => {
                    let kind = if matches!(record.event, Event::Ready { .. }) {
                        SpanKind::PollReady
                    } else {
                        SpanKind::PollPending
                    };
                    let began = match polling.take() {
                        Some((polled, began)) if polled == *task => began,
                        _ => at,
                    };
                    let l = lane(*task, &mut tasks);
                    tasks[l].spans.push(Span { start: began, end: at, kind });
                }
                Event::Wake { task, by } => {
                    let label = match by {
                        By::Task(by) => format!("woken by task {by}"),
                        By::Irq(vector) => format!("woken by irq {vector}"),
                        By::Outside => "woken from outside".to_string(),
                    };
                    let l = lane(*task, &mut tasks);
                    tasks[l].marks.push(Mark { at, label });
                }
                Event::Sleep { task, after_ns, .. } => {
                    let label = format!("sleeps {}", duration(*after_ns));
                    let l = lane(*task, &mut tasks);
                    tasks[l].marks.push(Mark { at, label });
                }
                Event::Fire { task } => {
                    let l = lane(*task, &mut tasks);
                    tasks[l].marks.push(Mark { at, label: "sleep over".into() });
                }
                Event::Idle => idle_since = Some(at),
                Event::Busy => {
                    let began = idle_since.take().unwrap_or(at);
                    idle.spans.push(Span { start: began, end: at, kind: SpanKind::Idle });
                }
                Event::Halt => halted_since = Some(at),
                Event::Resume => {
                    let began = halted_since.take().unwrap_or(at);
                    halted.spans.push(Span { start: began, end: at, kind: SpanKind::Halted });
                }
                Event::Irq { vector } => interrupts.marks.push(Mark { at, label: format!("irq {vector}") }),
            }
        }
        if let Some((task, began)) = polling {
            let l = *lane_of.entry(task).or_insert_with(|| {
                tasks.push(Lane::named(&format!("task {task}")));
                tasks.len() - 1
            });
            tasks[l].spans.push(Span { start: began, end, kind: SpanKind::PollUnfinished });
        }
        if let Some(began) = idle_since {
            idle.spans.push(Span { start: began, end, kind: SpanKind::Idle });
        }
        if let Some(began) = halted_since {
            halted.spans.push(Span { start: began, end, kind: SpanKind::Halted });
        }
        tasks.push(idle);
        if has_halts {
            tasks.push(halted);
        }
        tasks.push(interrupts);
        Timeline { tsc_hz: dump.tsc_hz, start, end, lanes: tasks }
    }

    /// Microseconds from the first event to `tsc`.
    pub fn micros(&self, tsc: u64) -> f64 {
        let hz = self.tsc_hz.unwrap_or(1_000_000_000) as f64;
        tsc.saturating_sub(self.start) as f64 * 1e6 / hz
    }
}

impl Lane {
    fn named(name: &str) -> Lane {
        Lane { name: name.to_string(), ..Lane::default() }
    }
}

/// `50 ms`, `1.5 s`, `800 ns`: a duration in nanoseconds, for a label.
pub fn duration(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{} µs", trim(ns as f64 / 1e3)),
        1_000_000..1_000_000_000 => format!("{} ms", trim(ns as f64 / 1e6)),
        _ => format!("{} s", trim(ns as f64 / 1e9)),
    }
}

/// A number with at most 3 decimals and no trailing zeros.
fn trim(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::decode::decode;

    #[test]
    fn halts_get_a_lane_of_their_own_when_the_dump_has_any() {
        let text = "fledge-trace version=1 tsc-hz=unknown\n1 spawn 0 a\n2 poll 0\n3 pending 0\n10 idle\n12 halt\n\
                    50 irq 32\n52 resume\n55 busy\n60 halt\nend events=9 dropped=0\n";
        let timeline = Timeline::new(&decode(text).unwrap());
        let names: Vec<&str> = timeline.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["a (task 0)", "idle", "halted", "interrupts"]);
        assert_eq!(
            timeline.lanes[2].spans,
            [Span { start: 12, end: 52, kind: SpanKind::Halted }, Span { start: 60, end: 60, kind: SpanKind::Halted }]
        );
    }

    #[test]
    fn tasks_idle_and_interrupts_each_get_a_lane() {
        let text = "fledge-trace version=1 tsc-hz=2000000\n100 spawn 0 blink\n110 poll 0\n130 pending 0\n\
                    140 sleep 0 5000000 5000000\n150 idle\n200 irq 32\n210 busy\n220 fire 0\n220 wake 0 outside\n\
                    230 poll 0\n240 ready 0\n250 spawn 1 late\n260 poll 1\nend events=13 dropped=0\n";
        let timeline = Timeline::new(&decode(text).unwrap());
        let names: Vec<&str> = timeline.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["blink (task 0)", "late (task 1)", "idle", "interrupts"]);
        let blink = &timeline.lanes[0];
        assert_eq!(
            blink.spans,
            [
                Span { start: 110, end: 130, kind: SpanKind::PollPending },
                Span { start: 230, end: 240, kind: SpanKind::PollReady }
            ]
        );
        let labels: Vec<&str> = blink.marks.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["spawned", "sleeps 5 ms", "sleep over", "woken from outside"]);
        assert_eq!(timeline.lanes[1].spans, [Span { start: 260, end: 260, kind: SpanKind::PollUnfinished }]);
        assert_eq!(timeline.lanes[2].spans, [Span { start: 150, end: 210, kind: SpanKind::Idle }]);
        assert_eq!(timeline.lanes[3].marks, [Mark { at: 200, label: "irq 32".into() }]);
        assert_eq!(timeline.micros(300), 100.0, "200 ticks at 2 MHz");
    }

    #[test]
    fn durations_read_in_the_nearest_unit() {
        assert_eq!(duration(800), "800 ns");
        assert_eq!(duration(1_500), "1.5 µs");
        assert_eq!(duration(50_000_000), "50 ms");
        assert_eq!(duration(2_000_000_000), "2 s");
    }
}
