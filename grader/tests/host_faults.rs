//! The grader against host tests that crash, hang and fail on purpose
//! (`grader/tests/fixtures/faults/`), graded through the real path: the
//! fixture is copied as `exercises/99-faults` into a workspace of its own,
//! and `cargo grade 99` builds and runs its tests there, with clippy beside
//! them.
//!
//! Every test of the fixture starts at once on three threads, and three of
//! them kill the process (a segmentation fault, an abort, a stack
//! overflow), each a little later than the last: the grader must rerun the
//! suspects alone to name each one, and run the tests that never got their
//! turn. None of them may read "did not run". One is slow only beside
//! the others: it runs again alone at half the deadline, and passes.

mod harness;

use harness::test;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Copies `from` into `to`, folders and all.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A workspace with the faulty exercise in it.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = harness::root();
    copy(&root.join("grader/tests/fixtures/faults"), &dir.path().join("exercises/99-faults"));
    std::fs::copy(root.join("rust-toolchain.toml"), dir.path().join("rust-toolchain.toml")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n")
        .unwrap();
    dir
}

#[test]
fn crashes_and_hangs_are_named_with_the_command_that_repeats_them() {
    let ws = workspace();
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(ws.path())
        .args(["99", "--json", "--jobs", "3"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    println!("graded in {:.1} s (with the build)", start.elapsed().as_secs_f64());
    assert!(start.elapsed() < Duration::from_secs(120), "{:?}", start.elapsed());
    assert_eq!(report["verdict"], "crashed", "{report}");
    let statuses = harness::statuses(&report);
    assert_eq!(
        statuses,
        harness::pairs(&[
            ("passes", "passed"),
            ("fails", "failed"),
            ("segfaults", "crashed"),
            ("aborts", "crashed"),
            ("hangs", "failed"),
            ("overflows_its_stack", "crashed"),
            ("finds_a_minimal_case", "failed"),
            ("slow_beside_the_others", "passed"),
            ("passes_after_the_others", "passed"),
        ]),
        "{report}"
    );
    let why = |name: &str| test(&report, name)["diagnostic"].as_str().unwrap().to_string();
    let segv = why("segfaults");
    assert!(segv.starts_with("crashed: the test process died of SIGSEGV, a segmentation fault"), "{segv}");
    assert!(segv.ends_with("`cargo test -p exercise-99-faults --test host -- cases::segfaults --exact`"), "{segv}");
    assert!(why("aborts").contains("died of SIGABRT, an abort"), "{}", why("aborts"));
    assert!(why("overflows_its_stack").starts_with("crashed: its thread overflowed its stack"));
    assert!(why("hangs").starts_with("hung: still running after 5s"), "{}", why("hangs"));
    assert!(why("fails").contains("arithmetic"), "an ordinary failure keeps its message");

    // The minimal failing input is saved whole.
    let minimal = why("finds_a_minimal_case");
    let file = "target/fledge/exercise-99-faults/host/cases.finds_a_minimal_case.txt";
    assert!(minimal.contains(&format!("(whole in {file})")), "{minimal}");
    assert!(minimal.contains("minimal failing input: xs = [ 1, ]"), "{minimal}");
    let saved = std::fs::read_to_string(ws.path().join(file)).unwrap();
    assert!(saved.contains("\tlocal rejects: 0\n\tglobal rejects: 0\n"), "{saved}");

    // Warnings in the exercise's files are notes, worth nothing.
    let notes = report["notes"].to_string();
    assert!(notes.contains("warning at exercises/99-faults/src/lib.rs:6: unused variable: `unused`"), "{notes}");
    assert!(notes.contains("[clippy::undocumented_unsafe_blocks]"), "{notes}");
    assert_eq!(report["max_score"], 9);

    // The command in the diagnostic repeats the crash.
    let again = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(ws.path())
        .args(["test", "-q", "-p", "exercise-99-faults", "--test", "host", "--", "cases::segfaults", "--exact"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("SIGSEGV"), "the command did not repeat the crash:\n{said}");
}

#[test]
fn a_test_slow_beside_the_others_runs_again_alone_and_a_hang_is_named() {
    // No crash: the run lasts until a third of the deadline, when the
    // tests still running (`hangs`, `slow_beside_the_others`) stop and run
    // again alone.
    let ws = workspace();
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(ws.path())
        .args(["99", "--json"])
        .env("FAULTS_NO_CRASH", "1")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    println!("graded in {:.1} s (with the build)", start.elapsed().as_secs_f64());
    assert_eq!(report["verdict"], "timed_out", "{report}");
    assert_eq!(test(&report, "slow_beside_the_others")["status"], "passed", "{report}");
    assert_eq!(test(&report, "segfaults")["status"], "passed", "{report}");
    let hung = test(&report, "hangs")["diagnostic"].as_str().unwrap().to_string();
    assert!(hung.starts_with("hung: still running after 5s"), "{hung}");
}
