//! Kernel tests judged from their scheduler traces, through the real path:
//! the kernel in `grader/tests/fixtures/trace/` is copied as
//! `exercises/99-trace` into a workspace of its own (its Cargo.toml names
//! the repository's `fledge-boot` by its path, and the repository's lock
//! file and target folder are shared, so nothing is fetched and little is
//! built), and `cargo grade 99` boots it. Its four tests all say `ok`;
//! each writes a trace on COM2 (or not), and only the fair one may pass.
//!
//! The pictures, read back as a person's tools read them: `cargo grade
//! --render-trace` draws a dump with every kind of event (and a task name
//! XML and JSON must escape), and the real dump the book's chapter 7
//! shows, and the files it writes are parsed by a JSON parser (for the
//! fields of the Trace Event Format, which Perfetto and `chrome://tracing`
//! read) and by an XML parser (for an SVG document with the lanes
//! `src/trace/svg.rs` promises, agreeing with the JSON's). That the
//! book's pictures are these, and its dump a passing run's, is checked in
//! `src/judge/trace/book.rs`.

mod harness;

use harness::test;

use std::path::Path;
use std::process::Command;

use roxmltree::{Document, Node};
use serde_json::Value;

/// A workspace with the trace exercise in it.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = harness::root();
    let exercise = dir.path().join("exercises/99-trace");
    std::fs::create_dir_all(exercise.join("src")).unwrap();
    let fixture = root.join("grader/tests/fixtures/trace");
    std::fs::copy(fixture.join("exercise.toml"), exercise.join("exercise.toml")).unwrap();
    std::fs::copy(fixture.join("src/main.rs"), exercise.join("src/main.rs")).unwrap();
    let package = format!(
        "[package]\nname = \"exercise-99-trace\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [[bin]]\nname = \"exercise-99-trace\"\npath = \"src/main.rs\"\ntest = false\nbench = false\n\n\
         [dependencies]\nfledge-boot = {{ path = \"{}\" }}\n\
         x86_64 = {{ version = \"0.15\", default-features = false, features = [\"instructions\"] }}\n",
        root.join("kernel/boot").display()
    );
    std::fs::write(exercise.join("Cargo.toml"), package).unwrap();
    // The kernel profile, as the repository's workspace defines it.
    let workspace = "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n\n\
                     [profile.kernel]\ninherits = \"release\"\nopt-level = 2\noverflow-checks = true\n\
                     debug = \"line-tables-only\"\npanic = \"abort\"\n";
    std::fs::write(dir.path().join("Cargo.toml"), workspace).unwrap();
    for file in ["rust-toolchain.toml", "Cargo.lock"] {
        std::fs::copy(root.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// `cargo grade 99 --json` and `extra` in `ws`.
fn grade(ws: &Path, extra: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", harness::root().join("target"))
        .args(["99", "--json", "--timeout", "30"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)))
}

fn diagnostic<'a>(report: &'a Value, name: &str) -> &'a str {
    test(report, name)["diagnostic"].as_str().unwrap_or("")
}

#[test]
fn each_test_is_judged_from_its_own_trace_and_a_failing_one_is_drawn() {
    let ws = workspace();
    let report = grade(ws.path(), &[]);
    let statuses = harness::statuses(&report);
    assert_eq!(
        statuses,
        harness::pairs(&[
            ("fair_rounds", "passed"),
            ("early_wake", "failed"),
            ("cut_short", "failed"),
            ("no_trace", "failed")
        ]),
        "{report:#}"
    );
    assert_eq!((report["score"].as_u64(), report["verdict"].as_str()), (Some(1), Some("failed")));
    let com2 = ws.path().join("target/fledge/exercise-99-trace/boot-1/com2.log");
    // COM2's lines: fair_rounds' 15, then early_wake's from line 16.
    let early = diagnostic(&report, "early_wake");
    assert_eq!(
        early,
        format!(
            "the test's trace fails `not_before`: `sleeper` (task 0) armed a sleep on line 21 (in the poll of line 20) and was polled again on line 26, 20.090 ms of TSC time after that poll began (20090 ticks at 1000000 Hz); the test sleeps 50 ms (line numbers of {})",
            com2.display()
        )
    );
    let logs = ws.path().join("target/fledge/logs");
    let trace = &test(&report, "early_wake")["trace"];
    assert_eq!(trace["svg"].as_str(), Some(logs.join("exercise-99-trace.early_wake.trace.svg").to_str().unwrap()));
    let svg = std::fs::read_to_string(trace["svg"].as_str().unwrap()).unwrap();
    assert!(svg.contains("sleeper (task 0)"), "{svg}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(trace["json"].as_str().unwrap()).unwrap()).unwrap();
    assert!(json["traceEvents"].as_array().is_some_and(|events| events.iter().all(|e| e["ph"].is_string())));
    assert_eq!(
        diagnostic(&report, "cut_short"),
        format!(
            "the test's trace on COM2 cannot be read: line 32 of {}: the dump begun on line 30 has no end line: it was cut short",
            com2.display()
        )
    );
    assert!(test(&report, "cut_short")["trace"].is_null(), "nothing decoded, nothing drawn");
    assert!(diagnostic(&report, "no_trace").contains("holds no trace of it"), "{report:#}");
    assert!(test(&report, "fair_rounds")["trace"].is_null(), "a passing test is not drawn without --trace");
    assert!(!logs.join("exercise-99-trace.fair_rounds.trace.svg").exists());

    let kept = grade(ws.path(), &["--trace"]);
    let fair = &test(&kept, "fair_rounds");
    assert_eq!(fair["status"], "passed");
    assert!(fair["trace"]["svg"].as_str().is_some_and(|svg| Path::new(svg).is_file()), "{kept:#}");
}

/// A dump with every kind of event, and a task whose name holds what XML
/// and JSON must escape, as a kernel writes it (a space is `\x20`, an
/// escape character `\x1b`).
const EVERY_EVENT: &str = "\
# trace every_event
fledge-trace version=1 tsc-hz=1000000
100 spawn 0 <b>&\"quoted\"\\x20\\x1b\\xc3\\xa9
110 spawn 1 helper
120 poll 0
130 wake 1 task 0
140 sleep 0 50000000 50000000
150 pending 0
160 poll 1
170 ready 1
180 idle
200 irq 36
205 wake 0 irq 36
210 busy
220 idle
50000 irq 32
50010 busy
50020 fire 0
50030 wake 0 outside
50040 poll 0
50050 ready 0
end events=19 dropped=0
";

/// What `cargo grade --render-trace` made of a dump.
struct Drawn {
    /// Its exit status: 0 when the trace passed the checks.
    code: Option<i32>,
    json: Value,
    svg: String,
}

/// `cargo grade --render-trace NAME.trace`, with `text` in that file.
fn draw(name: &str, text: &str) -> Drawn {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join(format!("{name}.trace"));
    std::fs::write(&dump, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade")).arg("--render-trace").arg(&dump).output().unwrap();
    let read = |ext: &str| std::fs::read_to_string(dump.with_extension(ext)).unwrap();
    let json = serde_json::from_str(&read("json")).unwrap_or_else(|e| panic!("the JSON of {name} does not parse: {e}"));
    Drawn { code: output.status.code(), json, svg: read("svg") }
}

/// The phases of the Trace Event Format, and those `src/trace/chrome.rs` uses.
const PHASES: &str = "BEXiICbneSTpFsftPNODMVvRc()";
const USED: [&str; 3] = ["M", "X", "i"];

/// Checks the JSON's shape; returns each lane's name and how many `X` and
/// `i` events it has, in the order of the lanes (`tid` 1, 2, ...).
fn trace_events(json: &Value) -> Vec<(String, usize, usize)> {
    // Perfetto and chrome://tracing take an array of events, or an object
    // with one in `traceEvents`: chrome.rs writes the object.
    let events = json["traceEvents"].as_array().unwrap_or_else(|| panic!("no traceEvents array in {json}"));
    assert!(json["displayTimeUnit"].as_str().is_some_and(|u| u == "ms" || u == "ns"), "{}", json["displayTimeUnit"]);
    let mut lanes: Vec<(String, usize, usize)> = Vec::new();
    for event in events {
        let ph = event["ph"].as_str().unwrap_or_else(|| panic!("no phase `ph` in {event}"));
        assert!(ph.len() == 1 && PHASES.contains(ph) && USED.contains(&ph), "phase {ph:?} in {event}");
        assert!(event["name"].is_string(), "no string `name` in {event}");
        assert!(event["ts"].as_f64().is_some_and(|ts| ts >= 0.0), "no timestamp `ts` in {event}");
        assert_eq!(event["pid"].as_u64(), Some(1), "{event}");
        let tid = event["tid"].as_u64().unwrap_or_else(|| panic!("no thread `tid` in {event}")) as usize;
        assert!(tid >= 1, "{event}");
        if lanes.len() < tid {
            lanes.resize(tid, (String::new(), 0, 0));
        }
        match ph {
            "M" if event["name"] == "thread_name" => lanes[tid - 1].0 = event["args"]["name"].as_str().unwrap().into(),
            "M" => assert_eq!(event["name"], "thread_sort_index", "{event}"),
            "X" => {
                assert!(event["dur"].as_f64().is_some_and(|d| d >= 0.0), "no duration `dur` in {event}");
                lanes[tid - 1].1 += 1;
            }
            _ => {
                assert!(["g", "p", "t"].contains(&event["s"].as_str().unwrap_or("t")), "{event}");
                lanes[tid - 1].2 += 1;
            }
        }
    }
    lanes
}

/// Checks the SVG's shape; returns each lane's name and how many bars and
/// ticks it has, and the picture's title.
fn timeline(svg: &str) -> (String, Vec<(String, usize, usize)>) {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("the SVG is not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(
        (root.tag_name().name(), root.tag_name().namespace()),
        ("svg", Some("http://www.w3.org/2000/svg")),
        "the root element"
    );
    let number = |node: Node, name: &str| -> f64 {
        let value = node.attribute(name).unwrap_or_else(|| panic!("no {name} in {node:?}"));
        value.parse().unwrap_or_else(|_| panic!("{name}={value:?} is not a number"))
    };
    let view: Vec<f64> = root.attribute("viewBox").expect("a viewBox").split(' ').map(|n| n.parse().unwrap()).collect();
    let &[0.0, 0.0, width, height] = &view[..] else { panic!("viewBox {view:?}") };
    assert!(width > 0.0 && height > 0.0, "viewBox {view:?}");
    assert_eq!((number(root, "width"), number(root, "height")), (width, height), "the size is the viewBox's");
    let inside = |node: Node, attrs: &[(&str, f64)]| {
        for &(name, most) in attrs {
            let value = number(node, name);
            assert!((0.0..=most).contains(&value), "{name}={value} is outside the picture");
        }
    };
    let titled = |node: Node| node.children().find(|c| c.has_tag_name("title")).and_then(|t| t.text()).is_some();
    let mut lanes = Vec::new();
    for lane in root.children().filter(|n| n.attribute("class") == Some("lane")) {
        assert_eq!(lane.tag_name().name(), "g");
        let (mut name, mut bars, mut ticks) = (None, 0, 0);
        for part in lane.children().filter(Node::is_element) {
            match part.tag_name().name() {
                "text" if name.is_none() => name = part.text().map(str::to_string),
                "rect" if titled(part) => {
                    inside(part, &[("x", width), ("y", height), ("width", width), ("height", height)]);
                    bars += 1;
                }
                "rect" => assert_eq!(number(part, "width"), width, "a rect with no title is a lane's background"),
                "line" if titled(part) => {
                    inside(part, &[("x1", width), ("x2", width), ("y1", height), ("y2", height)]);
                    ticks += 1;
                }
                other => panic!("a <{other}> in a lane, not a name, a bar, a tick or a background"),
            }
        }
        lanes.push((name.expect("a lane without a name"), bars, ticks));
    }
    let title = root.children().find(|n| n.has_tag_name("text")).and_then(|t| t.text()).unwrap_or_default();
    (title.to_string(), lanes)
}

/// The JSON's and the SVG's lanes agree: the same bars and ticks, and the
/// same names but for the control characters the SVG shows as `\xHH`.
fn agree(json: &[(String, usize, usize)], svg: &[(String, usize, usize)]) {
    let shown = |name: &str| name.replace('\x1b', "\\x1b");
    let json: Vec<(String, usize, usize)> = json.iter().map(|(n, b, t)| (shown(n), *b, *t)).collect();
    assert_eq!(json, svg, "the JSON's lanes, then the SVG's");
}

#[test]
fn every_kind_of_event_is_drawn_as_a_trace_event_and_in_a_well_formed_svg() {
    let drawn = draw("every \"event\" & <kind>", EVERY_EVENT);
    assert_eq!(drawn.code, Some(0), "the dump passes the checks");
    let (title, lanes) = timeline(&drawn.svg);
    assert_eq!(title, "every \"event\" & <kind>.trace");
    let name = "<b>&\"quoted\" \x1b\u{e9} (task 0)";
    let lanes_in_json = trace_events(&drawn.json);
    assert_eq!(
        lanes_in_json,
        [
            // Two polls; spawned, sleeps, woken by irq 36, sleep over, woken from outside.
            (name.to_string(), 2, 5),
            // One poll; spawned, woken by task 0.
            ("helper (task 1)".into(), 1, 2),
            ("idle".into(), 2, 0),
            ("interrupts".into(), 0, 2)
        ]
    );
    agree(&lanes_in_json, &lanes);
}

#[test]
fn the_books_timeline_is_a_well_formed_svg_and_trace_events() {
    let book = harness::root().join("book/src/ch07");
    let stem = "the_cpu_halts_while_nothing_runs";
    let text = std::fs::read_to_string(book.join(format!("{stem}.trace"))).unwrap();
    let drawn = draw(stem, &text);
    assert_eq!(drawn.code, Some(0), "the book's dump passes the checks");
    let (_, lanes) = timeline(&drawn.svg);
    let lanes_in_json = trace_events(&drawn.json);
    agree(&lanes_in_json, &lanes);
    let names: Vec<&str> = lanes.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(names, ["napper (task 0)", "idle", "halted", "interrupts"]);
    // Every poll, idle stretch and halt is a bar; every spawn, wake, sleep, fire and interrupt a tick.
    let count = |kinds: &[&str]| text.lines().filter(|l| kinds.contains(&l.split(' ').nth(1).unwrap_or(""))).count();
    let bars: usize = lanes.iter().map(|(_, bars, _)| bars).sum();
    let ticks: usize = lanes.iter().map(|(_, _, ticks)| ticks).sum();
    assert_eq!((bars, ticks), (count(&["poll", "idle", "halt"]), count(&["spawn", "wake", "sleep", "fire", "irq"])));
}
