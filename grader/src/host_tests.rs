//! Running an exercise's host tests and reading libtest's report.
//!
//! Host tests are ordinary `#[test]` functions; the grader runs the test
//! binary cargo built and reads its plain-text report, which has said
//! `test NAME ... ok` and `test NAME ... FAILED` for as long as Rust has had
//! tests. A test binary that hangs is stopped at the deadline.
//!
//! libtest names a test by its module path, `paging::translate_walks_four_levels`,
//! and the grader keeps that path: two modules may each have a test of the
//! same name. A manifest may name a test by its path or by its name alone;
//! a name alone must then belong to exactly one test ([`Run::find`]).

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

/// What one run of a host test binary said.
#[derive(Debug, Default)]
pub struct Run {
    /// Each test's outcome, by its module path.
    pub outcomes: BTreeMap<String, Outcome>,
    /// Whether the binary had to be stopped at the deadline.
    pub timed_out: bool,
}

impl Run {
    /// The test a manifest calls `name`: the one whose path is `name`, or
    /// ends with `::name`. More than one is an error that says how to
    /// tell them apart.
    pub fn find(&self, name: &str) -> Result<Option<(&str, &Outcome)>, String> {
        if let Some((path, outcome)) = self.outcomes.get_key_value(name) {
            return Ok(Some((path, outcome)));
        }
        let suffix = format!("::{name}");
        let found: Vec<(&str, &Outcome)> =
            self.outcomes.iter().filter(|(path, _)| path.ends_with(&suffix)).map(|(p, o)| (p.as_str(), o)).collect();
        match &found[..] {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => {
                let paths: Vec<String> = many.iter().map(|(path, _)| format!("`{path}`")).collect();
                Err(format!(
                    "the host test name `{name}` fits {} tests: {}. Write the module path in its [[test]] entry instead, for example `name = \"{}\"`",
                    many.len(),
                    paths.join(", "),
                    many[0].0
                ))
            }
        }
    }
}

/// Runs the test binary with `threads` test threads and returns what it
/// said.
pub fn run(exe: &Path, timeout: Duration, threads: usize) -> Result<Run> {
    let mut cmd = Command::new(exe);
    cmd.args(["--color", "never", "--test-threads", &threads.max(1).to_string()]).env("RUST_BACKTRACE", "0");
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
        ending => Ok(Run { outcomes: parse(&text), timed_out: ending == Ending::TimedOut }),
    }
}

/// Reads libtest's plain report: each test's outcome by its path.
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
        outcomes.insert(name.to_string(), Outcome { passed, diagnostic });
    }
    outcomes
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
        assert_eq!(outcomes["cases::a"], Outcome { passed: true, diagnostic: None });
        assert_eq!(
            outcomes["cases::b"].diagnostic.as_deref(),
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
    fn names_alone_find_their_test_and_paths_tell_twins_apart() {
        let text = "test cases::solo ... ok\ntest paging::twin ... ok\ntest heap::twin ... FAILED\ntest top ... ok\n";
        let run = Run { outcomes: parse(text), timed_out: false };
        assert_eq!(run.find("solo").unwrap().map(|(path, _)| path), Some("cases::solo"));
        assert_eq!(run.find("top").unwrap().map(|(path, _)| path), Some("top"));
        assert_eq!(run.find("heap::twin").unwrap().map(|(_, o)| o.passed), Some(false));
        assert_eq!(run.find("paging::twin").unwrap().map(|(_, o)| o.passed), Some(true));
        assert_eq!(run.find("olo").unwrap(), None, "a name matches whole path segments only");
        assert_eq!(run.find("missing").unwrap(), None);
        let error = run.find("twin").unwrap_err();
        assert!(error.contains("`heap::twin`, `paging::twin`"), "{error}");
        assert!(error.contains("name = \"heap::twin\""), "{error}");
    }

    #[test]
    fn a_failure_without_captured_output_still_fails() {
        assert_eq!(parse("test t ... FAILED\n")["t"], Outcome { passed: false, diagnostic: None });
    }
}
