//! A test's trace judged from a `com2.log` on disk: the verdict, and which
//! pictures are left beside the serial log.

use super::*;

/// A sleeper that arms a 50 ms sleep and is polled again after `ms` (a
/// tick a microsecond), dumped after its marker, between other output.
fn com2(ms: u64) -> String {
    let poll = 100 + ms * 1000;
    format!(
        "COM2 says hello\n# trace sleeps\nfledge-trace version=1 tsc-hz=1000000\n1 spawn 0 sleeper\n10 poll 0\n\
         100 sleep 0 50000000 50000000\n110 pending 0\n120 idle\n121 halt\n{} irq 32\n{} resume\n{} busy\n\
         {poll} poll 0\n{} ready 0\nend events=11 dropped=0\nbye\n",
        poll - 3,
        poll - 2,
        poll - 1,
        poll + 1
    )
}

fn spec() -> TraceSpec {
    toml::from_str("not_before = { task = \"sleeper\", ms = 50 }\nidle_share = 0.9").unwrap()
}

/// Judges `text` as boot 2's COM2, with the serial log in the same folder.
fn judged(text: &str, keep: bool) -> (tempfile::TempDir, Result<(), String>, Option<TraceFiles>) {
    let dir = tempfile::tempdir().unwrap();
    let com2 = dir.path().join("com2.log");
    std::fs::write(&com2, text).unwrap();
    let log = dir.path().join("exercise-07-sched.log");
    let (verdict, files) = judge(&spec(), &Place { test: "sleeps", boot: 2, com2: &com2, log: &log, keep });
    (dir, verdict, files)
}

#[test]
fn a_passing_trace_leaves_no_pictures_unless_asked() {
    let (dir, verdict, files) = judged(&com2(60), false);
    assert_eq!((verdict, files), (Ok(()), None));
    assert!(!dir.path().join("exercise-07-sched.sleeps.trace.svg").exists());
    let (dir, verdict, files) = judged(&com2(60), true);
    assert_eq!(verdict, Ok(()));
    let files = files.unwrap();
    assert_eq!(files.svg, dir.path().join("exercise-07-sched.sleeps.trace.svg"));
    assert!(std::fs::read_to_string(&files.svg).unwrap().contains("sleeper (task 0)"));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files.json).unwrap()).unwrap();
    assert!(json["traceEvents"].as_array().is_some_and(|e| !e.is_empty()));
}

#[test]
fn a_failing_check_names_what_it_measured_and_keeps_the_pictures() {
    let (dir, verdict, files) = judged(&com2(20), false);
    let why = verdict.unwrap_err();
    assert!(
        why.starts_with(
            "the test's trace fails `not_before`: `sleeper` (task 0) armed a sleep on line 6 (in the poll of line 5) and was polled again on line 13, 20.090 ms of TSC time after that poll began"
        ),
        "{why}"
    );
    assert!(why.ends_with(&format!("(line numbers of {})", dir.path().join("com2.log").display())), "{why}");
    let files = files.unwrap();
    assert!(files.json.is_file() && files.svg.is_file());
    // Graded again and passing, the old pictures go.
    let file = dir.path().join("com2.log");
    std::fs::write(&file, com2(60)).unwrap();
    let log = dir.path().join("exercise-07-sched.log");
    let (verdict, none) = judge(&spec(), &Place { test: "sleeps", boot: 2, com2: &file, log: &log, keep: false });
    assert_eq!((verdict, none), (Ok(()), None));
    assert!(!files.json.exists() && !files.svg.exists());
}

#[test]
fn a_cut_short_or_missing_trace_is_a_failure_naming_the_line() {
    let text = com2(60);
    let cut: String = text.lines().take(8).map(|l| format!("{l}\n")).collect();
    let (dir, verdict, files) = judged(&cut, false);
    assert_eq!(
        verdict.unwrap_err(),
        format!(
            "the test's trace on COM2 cannot be read: line 8 of {}: the dump begun on line 3 has no end line: it was cut short",
            dir.path().join("com2.log").display()
        )
    );
    assert_eq!(files, None, "nothing decoded, nothing to draw");
    let (_dir, verdict, _) = judged("COM2 says hello\n", false);
    assert!(verdict.unwrap_err().contains("holds no trace of it: the test writes the line `# trace sleeps` there"));
}

#[test]
fn a_trace_that_breaks_a_rule_fails_and_is_drawn() {
    let broken = com2(60).replace("110 pending 0\n", "110 pending 1\n");
    let (_dir, verdict, files) = judged(&broken, false);
    let why = verdict.unwrap_err();
    assert!(why.starts_with("the test's trace breaks a rule: line 7 of "), "{why}");
    assert!(why.ends_with("ends a poll of task 1, which was never spawned"), "{why}");
    assert!(files.is_some_and(|f| f.svg.is_file()));
}
