//! Running an exercise's host tests and reading libtest's report.
//!
//! Host tests are ordinary `#[test]` functions; the grader runs the test
//! binary cargo built and reads its plain-text report, which has said
//! `test NAME ... ok` and `test NAME ... FAILED` for as long as Rust has had
//! tests. A test binary that hangs is stopped at the deadline.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::child::{self, Ending};

/// One host test's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed: the panic's location and message.
    pub diagnostic: Option<String>,
}

/// Runs the test binary and returns each test's outcome by name (module
/// path stripped), plus whether the binary had to be stopped.
pub fn run(exe: &Path, timeout: Duration) -> Result<(BTreeMap<String, Outcome>, bool)> {
    let mut cmd = Command::new(exe);
    cmd.args(["--color", "never", "--test-threads", "2"]).env("RUST_BACKTRACE", "0");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    let start = Instant::now();
    let mut child = child::spawn(&mut cmd).with_context(|| format!("cannot run {}", exe.display()))?;
    let mut stdout = child.stdout.take().context("test binary's output")?;
    let reader = thread::spawn(move || {
        // Keep the first 16 MiB; read (and drop) the rest so that a test
        // that prints without end cannot block on a full pipe.
        let mut text = Vec::new();
        let _ = stdout.by_ref().take(16 << 20).read_to_end(&mut text);
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        String::from_utf8_lossy(&text).into_owned()
    });
    let ending = child::wait(&mut child, start, timeout, &std::sync::atomic::AtomicBool::new(false))?;
    let text = reader.join().unwrap_or_default();
    match ending {
        Ending::Interrupted => bail!("interrupted while the host tests ran"),
        ending => Ok((parse(&text), ending == Ending::TimedOut)),
    }
}

/// Reads libtest's plain report.
pub fn parse(text: &str) -> BTreeMap<String, Outcome> {
    let mut outcomes = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else { continue };
        let Some((name, verdict)) = rest.rsplit_once(" ... ") else { continue };
        let passed = match verdict.trim() {
            "ok" => true,
            "FAILED" => false,
            _ => continue,
        };
        let diagnostic = (!passed).then(|| failure_message(text, name)).flatten();
        outcomes.insert(short_name(name).to_string(), Outcome { passed, diagnostic });
    }
    outcomes
}

/// `cases::hello` -> `hello`.
fn short_name(name: &str) -> &str {
    name.rsplit("::").next().unwrap_or(name)
}

/// The panic location and message from a failed test's captured output:
///
/// ```text
/// ---- cases::name stdout ----
/// thread 'cases::name' (42) panicked at src/print.rs:56:9:
/// not yet implemented: exercise 01
/// ```
fn failure_message(text: &str, name: &str) -> Option<String> {
    let header = format!("---- {name} stdout ----");
    let section = &text[text.find(&header)? + header.len()..];
    let mut lines = section.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next()?;
    let at = first.find("panicked at ").map(|i| &first[i..]).unwrap_or(first).trim_end_matches(':');
    let message: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("note:")
                && !l.starts_with("stack backtrace:")
                && !l.starts_with("----")
                && !l.trim().is_empty()
        })
        .take(6)
        .collect();
    Some(if message.is_empty() { at.to_string() } else { format!("{at}: {}", message.join(" ")) })
}

#[cfg(test)]
mod test {
    use super::*;

    const REPORT: &str = "\nrunning 3 tests\n\
        test cases::a ... ok\n\
        test cases::b ... FAILED\n\
        test cases::c ... ignored\n\n\
        failures:\n\n\
        ---- cases::b stdout ----\n\n\
        thread 'cases::b' (77) panicked at src/print.rs:56:9:\n\
        not yet implemented: exercise 01\n\
        note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\n\
        failures:\n    cases::b\n\n\
        test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";

    #[test]
    fn reads_passes_failures_and_their_messages() {
        let outcomes = parse(REPORT);
        assert_eq!(outcomes.len(), 2);
        assert_eq!(outcomes["a"], Outcome { passed: true, diagnostic: None });
        assert_eq!(
            outcomes["b"].diagnostic.as_deref(),
            Some("panicked at src/print.rs:56:9: not yet implemented: exercise 01")
        );
    }

    #[test]
    fn assertion_messages_span_lines() {
        let text = "test t ... FAILED\n---- t stdout ----\nthread 't' panicked at a.rs:1:1:\nassertion `left == right` failed\n  left: 1\n right: 2\n";
        assert_eq!(
            parse(text)["t"].diagnostic.as_deref(),
            Some("panicked at a.rs:1:1: assertion `left == right` failed   left: 1  right: 2")
        );
    }

    #[test]
    fn a_failure_without_captured_output_still_fails() {
        assert_eq!(parse("test t ... FAILED\n")["t"], Outcome { passed: false, diagnostic: None });
    }
}
