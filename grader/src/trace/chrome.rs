//! A timeline as Chrome trace-event JSON: the format of Chrome's
//! `chrome://tracing`, which Perfetto (<https://ui.perfetto.dev>) also
//! opens. The format is a JSON object whose `traceEvents` array holds
//! events with a `name`, a phase `ph`, a timestamp `ts` in microseconds, a
//! process `pid` and a thread `tid`; every event here has all five. This
//! file uses three phases:
//!
//! | `ph` | what | used for |
//! |---|---|---|
//! | `M` | metadata: `thread_name`, `thread_sort_index` | a lane's name and place |
//! | `X` | a complete event, with a duration `dur` | a poll, an idle stretch |
//! | `i` | an instant, `s: "t"` for its thread alone | a wake-up, a sleep, an interrupt |
//!
//! A metadata event is given `ts` 0, the trace's start, as Chrome's own
//! traces do. One process (`pid` 1, the kernel) with one thread per lane,
//! in the timeline's order. When the kernel did not measure its TSC's
//! frequency, one tick is shown as a nanosecond, and `otherData` says so.

use serde_json::{Value, json};

use super::timeline::Timeline;

/// The JSON for `timeline`.
pub fn chrome(timeline: &Timeline) -> Value {
    let mut events = Vec::new();
    for (index, lane) in timeline.lanes.iter().enumerate() {
        let tid = index + 1;
        events.push(
            json!({"name": "thread_name", "ph": "M", "ts": 0, "pid": 1, "tid": tid, "args": {"name": lane.name}}),
        );
        events.push(
            json!({"name": "thread_sort_index", "ph": "M", "ts": 0, "pid": 1, "tid": tid, "args": {"sort_index": index}}),
        );
        for span in &lane.spans {
            let ts = timeline.micros(span.start);
            events.push(json!({
                "name": span.kind.label(), "ph": "X", "pid": 1, "tid": tid,
                "ts": ts, "dur": timeline.micros(span.end) - ts,
                "args": {"tsc_start": span.start, "tsc_end": span.end},
            }));
        }
        for mark in &lane.marks {
            events.push(json!({
                "name": mark.label, "ph": "i", "s": "t", "pid": 1, "tid": tid,
                "ts": timeline.micros(mark.at), "args": {"tsc": mark.at},
            }));
        }
    }
    let clock = match timeline.tsc_hz {
        Some(hz) => format!("TSC at {hz} Hz"),
        None => "TSC of unknown frequency, shown as 1 tick = 1 ns".to_string(),
    };
    json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"source": "fledge-trace version 1", "clock": clock, "tsc_start": timeline.start},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::decode::decode;

    fn json_of(text: &str) -> Value {
        let json = chrome(&Timeline::new(&decode(text).unwrap()));
        // What a file would hold, read back by a standard parser.
        serde_json::from_str(&json.to_string()).unwrap()
    }

    #[test]
    fn every_event_has_the_schemas_fields() {
        let json = json_of(
            "fledge-trace version=1 tsc-hz=1000000\n1000 spawn 0 a\n1000 poll 0\n1500 pending 0\n1600 idle\n\
             2000 irq 32\n2100 busy\n2200 wake 0 irq 32\nend events=7 dropped=0\n",
        );
        let events = json["traceEvents"].as_array().unwrap();
        for event in events {
            for field in ["name", "ph", "ts", "pid", "tid"] {
                assert!(event.get(field).is_some(), "{field} missing from {event}");
            }
            assert!(event["ts"].is_number(), "{event}");
        }
        let poll = events.iter().find(|e| e["name"] == "poll (pending)").unwrap();
        assert_eq!(
            (poll["ts"].as_f64(), poll["dur"].as_f64(), poll["tid"].as_u64()),
            (Some(0.0), Some(500.0), Some(1))
        );
        let idle = events.iter().find(|e| e["name"] == "idle" && e["ph"] == "X").unwrap();
        assert_eq!(
            (idle["ts"].as_f64(), idle["dur"].as_f64(), idle["tid"].as_u64()),
            (Some(600.0), Some(500.0), Some(2))
        );
        let irq = events.iter().find(|e| e["name"] == "irq 32").unwrap();
        assert_eq!((irq["ph"].as_str(), irq["tid"].as_u64(), irq["ts"].as_f64()), (Some("i"), Some(3), Some(1000.0)));
        let names: Vec<&str> =
            events.iter().filter(|e| e["name"] == "thread_name").map(|e| e["args"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["a (task 0)", "idle", "interrupts"]);
    }

    #[test]
    fn an_unknown_frequency_shows_ticks_as_nanoseconds() {
        let json = json_of("fledge-trace version=1 tsc-hz=unknown\n0 idle\n3000 busy\nend events=2 dropped=0\n");
        let idle = json["traceEvents"].as_array().unwrap().iter().find(|e| e["ph"] == "X").unwrap().clone();
        assert_eq!(idle["dur"].as_f64(), Some(3.0));
        assert!(json["otherData"]["clock"].as_str().unwrap().contains("unknown"));
    }
}
