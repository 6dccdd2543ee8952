//! libtest's JSON report, read: which tests started, and how each that
//! finished ended, with its output.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

/// How a host test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ran {
    /// It passed.
    Passed,
    /// It failed (panicked).
    Failed,
    /// The process died while it ran, and it is the one that killed it.
    Crashed,
    /// It was still running at the deadline.
    Hung,
}

/// One host test's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// How it ended.
    pub ran: Ran,
    /// Why it did not pass: the panic's location and message, or how the
    /// process died.
    pub diagnostic: Option<String>,
    /// Everything it printed, the panic message included.
    pub output: String,
    /// For a test that hung, a hint about the place it hung in, which
    /// comes before the manifest's hints.
    pub hint: Option<String>,
}

/// What a running test binary has said so far.
#[derive(Debug, Default)]
pub struct Live {
    /// When each test that started did.
    pub started: BTreeMap<String, Instant>,
    /// The tests that have a result.
    pub finished: BTreeSet<String>,
}

impl Live {
    /// The tests that started and have no result yet.
    pub fn running(&self) -> Vec<String> {
        self.started.keys().filter(|n| !self.finished.contains(*n)).cloned().collect()
    }
}

/// Reads libtest's report as it comes, noting in `live` when each test
/// starts and ends; keeps the first 16 MiB and drops the rest, so that a
/// test that prints without end cannot block on a full pipe.
pub fn read_report(stdout: impl Read, live: &Mutex<Live>) -> String {
    let mut text = String::new();
    let mut lines = std::io::BufReader::new(stdout);
    let mut line = String::new();
    while std::io::BufRead::read_line(&mut lines, &mut line).is_ok_and(|n| n > 0) {
        let (started, finished) = parse(&line);
        if !started.is_empty() || !finished.is_empty() {
            let mut live = live.lock().unwrap_or_else(|e| e.into_inner());
            live.started.extend(started.into_iter().map(|name| (name, Instant::now())));
            live.finished.extend(finished.into_keys());
        }
        if text.len() < 16 << 20 {
            text.push_str(&line);
        }
        line.clear();
    }
    text
}

/// Reads libtest's JSON report: the tests that started, in order, and
/// each finished test's outcome by its path. Lines that are not JSON (a
/// test's thread printing outside the capture) are skipped.
pub fn parse(text: &str) -> (Vec<String>, BTreeMap<String, Outcome>) {
    let mut started = Vec::new();
    let mut finished = BTreeMap::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<Value>(line) else { continue };
        let (Some("test"), Some(name)) = (event["type"].as_str(), event["name"].as_str()) else { continue };
        let output = event["stdout"].as_str().unwrap_or_default().to_string();
        let ran = match event["event"].as_str() {
            Some("started") => {
                started.push(name.to_string());
                continue;
            }
            Some("ok") => Ran::Passed,
            Some("failed") => Ran::Failed,
            _ => continue,
        };
        let diagnostic = (ran == Ran::Failed).then(|| failure_message(&output).unwrap_or_else(|| "failed".into()));
        finished.insert(name.to_string(), Outcome { ran, diagnostic, output, hint: None });
    }
    (started, finished)
}

/// The panic location and message from a failed test's output:
///
/// ```text
/// thread 'cases::name' (42) panicked at src/print.rs:56:9:
/// not yet implemented: exercise 01
/// ```
pub fn failure_message(output: &str) -> Option<String> {
    let mut lines = output.lines().skip_while(|l| !l.contains("panicked at "));
    let first = lines.next()?;
    let at = first.find("panicked at ").map(|i| &first[i..]).unwrap_or(first).trim_end_matches(':');
    let message: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("note:")
                && !l.starts_with("stack backtrace:")
                && !l.starts_with("thread ")
                && !l.trim().is_empty()
        })
        .take(6)
        .collect();
    Some(if message.is_empty() { at.to_string() } else { format!("{at}: {}", message.join(" ")) })
}
