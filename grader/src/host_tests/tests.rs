//! libtest's JSON report, read; the outcome of a test whose process died.

use super::*;
use libtest::failure_message;
use std::path::Path;

/// What libtest wrote for three tests on two threads: one passed, one
/// failed, one was still running when the process died.
const REPORT: &str = r#"{ "type": "suite", "event": "started", "test_count": 3 }
{ "type": "test", "event": "started", "name": "cases::a" }
{ "type": "test", "event": "started", "name": "cases::b" }
{ "type": "test", "name": "cases::a", "event": "ok" }
{ "type": "test", "event": "started", "name": "cases::c" }
a line from a thread that printed outside the capture
{ "type": "test", "name": "cases::b", "event": "failed", "stdout": "before\nthread 'cases::b' (77) panicked at src/print.rs:56:9:\nnot yet implemented: exercise 01\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n" }
"#;

#[test]
fn reads_starts_passes_failures_and_their_messages() {
    let (started, finished) = parse(REPORT);
    assert_eq!(started, ["cases::a", "cases::b", "cases::c"]);
    assert_eq!(finished.len(), 2);
    assert_eq!(finished["cases::a"], Outcome { ran: Ran::Passed, diagnostic: None, output: String::new(), hint: None });
    assert_eq!(finished["cases::b"].ran, Ran::Failed);
    assert_eq!(
        finished["cases::b"].diagnostic.as_deref(),
        Some("panicked at src/print.rs:56:9: not yet implemented: exercise 01")
    );
    assert!(finished["cases::b"].output.starts_with("before\n"), "the whole output is kept");
}

#[test]
fn assertion_messages_span_lines() {
    let output = "thread 't' panicked at a.rs:1:1:\nassertion `left == right` failed\n  left: 1\n right: 2\n";
    assert_eq!(
        failure_message(output).as_deref(),
        Some("panicked at a.rs:1:1: assertion `left == right` failed   left: 1  right: 2")
    );
    let line = r#"{ "type": "test", "name": "t", "event": "failed" }"#;
    assert_eq!(parse(line).1["t"].diagnostic.as_deref(), Some("failed"), "no output, still a failure");
}

#[test]
fn names_alone_find_their_test_and_paths_tell_twins_apart() {
    let outcome = |ran| Outcome { ran, diagnostic: None, output: String::new(), hint: None };
    let outcomes = [
        ("cases::solo", Ran::Passed),
        ("paging::twin", Ran::Passed),
        ("heap::twin", Ran::Failed),
        ("top", Ran::Passed),
    ]
    .map(|(name, ran)| (name.to_string(), outcome(ran)));
    let run = Run { outcomes: outcomes.into(), ..Run::default() };
    assert_eq!(run.find("solo").unwrap().map(|(path, _)| path), Some("cases::solo"));
    assert_eq!(run.find("top").unwrap().map(|(path, _)| path), Some("top"));
    assert_eq!(run.find("heap::twin").unwrap().map(|(_, o)| o.ran), Some(Ran::Failed));
    assert_eq!(run.find("paging::twin").unwrap().map(|(_, o)| o.ran), Some(Ran::Passed));
    assert_eq!(run.find("olo").unwrap(), None, "a name matches whole path segments only");
    assert_eq!(run.find("missing").unwrap(), None);
    let error = run.find("twin").unwrap_err();
    assert!(error.contains("`heap::twin`, `paging::twin`"), "{error}");
    assert!(error.contains("name = \"heap::twin\""), "{error}");
}

/// A binary that is not there: `died` must not need it unless it locates.
fn binary(package: &str) -> Binary<'_> {
    Binary {
        exe: Path::new("/nonexistent"),
        package,
        own: "exercises/",
        root: Path::new("/nonexistent"),
        deadline: Duration::from_secs(4),
    }
}

#[test]
fn a_test_that_kills_its_process_is_named_with_the_signal_and_the_command() {
    let segv = died(&binary("exercise-05-memory"), Ending::Signalled(libc::SIGSEGV), "", "paging::walk", false, &[]);
    assert_eq!(segv.ran, Ran::Crashed);
    assert_eq!(
        segv.diagnostic.as_deref(),
        Some(
            "crashed: the test process died of SIGSEGV, a segmentation fault (a read or write through a bad pointer), \
             while this test ran. Run it alone: `cargo test -p exercise-05-memory --test host -- paging::walk --exact`"
        )
    );
    let stderr = "thread 'other' (3) panicked\nthread 'deep' (12) has overflowed its stack\nfatal runtime error: stack overflow, aborting\n";
    let overflow = died(&binary("p"), Ending::Signalled(libc::SIGABRT), stderr, "deep", false, &[]);
    assert!(overflow.diagnostic.unwrap().starts_with("crashed: its thread overflowed its stack"));
    let stderr = "\nthread 'walk' (6971) panicked at src/paging.rs:68:14:\nnull reference produced\nnote: run with `RUST_BACKTRACE=1`\nthread caused non-unwinding panic. aborting.\n";
    let checked = died(&binary("p"), Ending::Signalled(libc::SIGABRT), stderr, "walk", false, &[]);
    assert!(checked.diagnostic.unwrap().starts_with(
        "crashed: it panicked at src/paging.rs:68:14: null reference produced, where a panic cannot unwind"
    ));
    let hung = died(&binary("p"), Ending::TimedOut, "", "spins", false, &[]);
    assert_eq!(hung.ran, Ran::Hung);
    assert!(hung.diagnostic.unwrap().starts_with("hung: still running after 4s"));
    let exited = died(&binary("p"), Ending::Exited(3), "", "leaves", false, &[]);
    assert!(exited.diagnostic.unwrap().contains("exited with status 3"));
}
