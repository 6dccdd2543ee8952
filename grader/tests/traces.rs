//! Kernel tests judged from their scheduler traces, through the real path:
//! the kernel in `grader/tests/fixtures/trace/` is copied as
//! `exercises/99-trace` into a workspace of its own (its Cargo.toml names
//! the repository's `fledge-boot` by its path, and the repository's lock
//! file and target folder are shared, so nothing is fetched and little is
//! built), and `cargo grade 99` boots it. Its four tests all say `ok`;
//! each writes a trace on COM2 (or not), and only the fair one may pass.

mod harness;

use harness::test;

use std::path::Path;
use std::process::Command;

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
            "the test's trace fails `not_before`: `sleeper` (task 0) armed a sleep on line 21 and was polled again on line 26, after 20.000 ms of TSC time (20000 ticks at 1000000 Hz); the test sleeps 50 ms (line numbers of {})",
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
