//! The grader against kernels that misbehave on purpose
//! (`grader/guests/`), each graded through the real build-image-QEMU path.
//!
//! For every guest the test checks the verdict and what the scorecard says,
//! and the promises that hold whatever the guest does: the grader is done
//! within twice the deadline plus five seconds (a boot that waits for a
//! core of a busy machine gets up to twice its deadline), it used less than
//! 256 MiB, and no QEMU process outlives it. Each test prints its guest's time and memory
//! (`cargo test -p fledge-grader --test guests -- --nocapture` shows them).

mod harness;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::*;

#[test]
fn a_passing_kernel_passes() {
    let run = grade("guest-pass");
    assert_eq!(run.verdict(), "passed", "{}", run.report);
    assert_eq!((run.report["score"].as_u64(), run.report["max_score"].as_u64()), (Some(2), Some(2)));
    assert_eq!(run.code, 0);
}

#[test]
fn a_silent_hang_times_out_and_says_where() {
    let run = grade("guest-hang");
    assert_eq!(run.verdict(), "timed_out", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("fine", "passed"), ("hangs", "failed"), ("test 3", "not_run")]));
    assert_eq!(run.code, 1);
    assert!(run.elapsed >= Duration::from_secs(TIMEOUT_SECS), "stopped early: {:?}", run.elapsed);
    // Read from the CPU before QEMU was stopped, named from the ELF.
    let why = run.diagnostic(1);
    assert!(why.starts_with("still running after 3s, spinning in `hangs` (grader/guests/src/bin/hang.rs:"), "{why}");
    assert!(run.notes().contains("was stopped after 3s, spinning in `hangs`"), "{}", run.notes());
}

#[test]
fn a_spin_lock_taken_twice_is_named_a_deadlock() {
    // One grading, read on the scorecard, which shows the hint too; a
    // longer deadline than the others', so that a busy machine still
    // reaches the test that hangs.
    let (scorecard, run) = run_grader("guest-deadlock", &["--timeout", "6"], &[], Duration::from_secs(17));
    let scorecard = String::from_utf8_lossy(&scorecard);
    assert_eq!(run.code, 1);
    assert!(scorecard.contains("Score: 1/3   verdict: timed_out"), "{scorecard}");
    let file = "grader/guests/src/bin/deadlock.rs";
    for wanted in [
        format!("still running after 6s, waiting for a spin lock in `record` ({file}:16)"),
        format!("called from `record_while_holding` ({file}:23)"),
        "it was probably taken twice (a deadlock)".into(),
        // The test that hung gets a hint about that place, with the way to
        // watch it.
        "hint: A spin lock waits until it is free".into(),
        "--gdb`, then in gdb `continue`; once it hangs, Ctrl-C and `bt` show this stack".into(),
    ] {
        assert!(scorecard.contains(&wanted), "no {wanted:?} in:\n{scorecard}");
    }
}

#[test]
fn a_flood_of_output_is_stopped_and_its_log_cut() {
    // A long deadline: the flood limit, not the clock, must stop this one.
    let run = grade_with("guest-flood", 30, &[]);
    assert_eq!(run.verdict(), "flooded", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("floods", "failed"), ("never_reached", "passed")]));
    assert!(run.diagnostic(0).contains("more than 8 MiB"), "{}", run.report);
    let log = log_of("guest-flood");
    assert!(log.len() < 6 << 20, "the log is {} bytes", log.len());
    let text = String::from_utf8_lossy(&log);
    assert!(text.contains("the grader cut"), "the log does not say what was cut");
    assert!(text.contains("# run 1 floods"), "the log lost its head");
    assert!(text.contains("ok 2 never_reached"), "the log lost the next boot");
}

#[test]
fn a_triple_fault_is_a_crash_and_grading_goes_on() {
    let run = grade("guest-triple-fault");
    assert_eq!(run.verdict(), "crashed", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("resets_the_cpu", "failed"), ("after_the_crash", "passed")]));
    assert!(run.diagnostic(0).contains("triple-faulted"), "{}", run.report);
    assert_eq!(run.code, 1);
}

#[test]
fn a_reset_is_told_apart_from_a_triple_fault() {
    let run = grade("guest-reset");
    assert_eq!(run.verdict(), "crashed", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("resets_the_machine", "failed"), ("after_the_reset", "passed")]));
    let why = run.diagnostic(0);
    assert!(why.contains("reset the machine") && !why.contains("triple"), "{why}");
}

#[test]
fn garbage_bytes_are_shown_escaped() {
    let run = grade("guest-garbage");
    assert_eq!(run.verdict(), "failed", "{}", run.report);
    assert_eq!(
        run.statuses(),
        pairs(&[("noisy_but_fine", "passed"), ("fails_in_colour", "failed"), ("last", "passed")])
    );
    // The scorecard quotes the diagnostic, escaped; nothing in it may reach
    // a terminal as a control character.
    let (scorecard, _) = run_grader("guest-garbage", &["--timeout", "3"], &[], Duration::from_secs(11));
    let scorecard = String::from_utf8(scorecard).expect("the scorecard is UTF-8");
    assert!(scorecard.contains("\\u{1b}[2J"), "{scorecard}");
    let control = scorecard.chars().find(|c| c.is_control() && *c != '\n');
    assert_eq!(control, None, "a control character reached the scorecard:\n{scorecard}");
}

#[test]
fn carriage_returns_alone_end_lines() {
    let run = grade("guest-cr-only");
    assert_eq!(run.verdict(), "passed", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("first", "passed"), ("second", "passed")]));
}

#[test]
fn a_perfect_report_without_the_nonce_scores_nothing() {
    let run = grade("guest-no-nonce");
    assert_eq!(run.report["score"].as_u64(), Some(0), "{}", run.report);
    assert_eq!(run.report["max_score"].as_u64(), Some(3), "{}", run.report);
    assert_eq!(run.verdict(), "failed");
    assert!(run.notes().contains("did not echo this run's nonce"), "{}", run.notes());
    assert_eq!(run.code, 1);
}

#[test]
fn a_success_exit_before_the_plan_is_done() {
    let run = grade("guest-early-exit");
    assert_eq!(run.verdict(), "failed", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("first", "passed"), ("test 2", "not_run"), ("test 3", "not_run")]));
    assert!(run.notes().contains("after 1 of the 3 tests it planned"), "{}", run.notes());
}

#[test]
fn a_panic_part_way_fails_one_test_and_grading_goes_on() {
    let run = grade("guest-panic-midway");
    assert_eq!(run.verdict(), "failed", "{}", run.report);
    assert_eq!(run.statuses(), pairs(&[("before", "passed"), ("panics", "failed"), ("after", "passed")]));
    let why = run.diagnostic(1);
    assert!(why.contains("panic_midway.rs:") && why.ends_with("half way there"), "{why}");
}

#[test]
fn qemu_killed_by_a_signal_is_a_crash() {
    // A stand-in for QEMU that starts the real one, kills it, then dies of
    // SIGKILL itself, as a QEMU killed by the out-of-memory killer would.
    let dir = tempfile::tempdir().unwrap();
    let wrapper = dir.path().join("qemu-killed");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\nqemu-system-x86_64 \"$@\" &\nqemu=$!\nsleep 0.3\nkill -KILL $qemu\nwait $qemu\nkill -KILL $$\n",
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = grade_with("guest-pass", TIMEOUT_SECS, &[("FLEDGE_QEMU", &wrapper)]);
    assert_eq!(run.verdict(), "crashed", "{}", run.report);
    assert!(run.notes().contains("QEMU was killed by signal 9"), "{}", run.notes());
}

#[test]
fn a_missing_kernel_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(root())
        .args(["--kernel", "no/such/kernel"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no/such/kernel is not a file"), "{stderr}");
}

#[test]
fn a_wrong_exercise_name_lists_the_real_ones() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_cargo-grade")).current_dir(root()).arg("exercise-99").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("there is no exercise called `exercise-99`"), "{stderr}");
    assert!(stderr.contains("exercise-01 (serial)"), "{stderr}");
}

#[test]
fn a_missing_qemu_says_how_to_install_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(root())
        .env("PATH", "/nonexistent")
        .env_remove("FLEDGE_QEMU")
        .arg("--kernel")
        .arg(guests().join("guest-pass"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("QEMU is not installed"), "{stderr}");
    assert!(stderr.contains("sudo apt-get install qemu-system-x86"), "{stderr}");
}

#[test]
fn the_gdb_command_stops_at_the_entry_point() {
    let gdb_found = Command::new("gdb").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(gdb_found, "gdb is not installed: scripts/setup.sh installs it");
    let mut grader = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(root())
        .arg("--kernel")
        .arg(guests().join("guest-gdb"))
        .args(["--gdb", "--timeout", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the grader");
    let mut out = std::io::BufReader::new(grader.stdout.take().unwrap());
    let command = loop {
        let mut line = String::new();
        let read = std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(read > 0, "the grader ended without printing a gdb command");
        if let Some(command) = line.trim().strip_prefix("gdb ") {
            break format!("gdb {command}");
        }
    };
    // What a person would paste, plus a look at where it stopped.
    let session = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -batch -ex 'info symbol $pc' -ex kill"))
        .output()
        .expect("running gdb");
    let said = String::from_utf8_lossy(&session.stdout);
    assert!(said.contains("\n_start in section .text"), "gdb did not stop at _start:\n{said}");
    let ended = grader.wait().expect("the grader ends when gdb kills QEMU");
    assert_eq!(ended.code(), Some(1), "the boot gdb killed does not pass");
    assert_no_qemu_left("guest-gdb");
}
