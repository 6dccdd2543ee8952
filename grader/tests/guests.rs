//! The grader against kernels that misbehave on purpose
//! (`grader/guests/`), each graded through the real build-image-QEMU path.
//!
//! For each guest: the verdict, the time it took (the deadline plus a
//! little), and that no QEMU process outlives the grader.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

const TIMEOUT_SECS: u64 = 3;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Builds the guest kernels once and returns the folder they are in.
fn guests() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root())
            .args([
                "build",
                "--package",
                "fledge-test-guests",
                "--target",
                "x86_64-unknown-none",
                "--profile",
                "kernel",
            ])
            .status()
            .expect("running cargo to build the guest kernels");
        assert!(status.success(), "the guest kernels did not build");
        root().join("target/x86_64-unknown-none/kernel")
    })
}

/// Grades a guest with `--kernel ... --json` and returns the report, the
/// exit status and the wall time.
fn grade(guest: &str) -> (Value, i32, Duration) {
    let kernel = guests().join(guest);
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(root())
        .arg("--kernel")
        .arg(&kernel)
        .args(["--json", "--timeout", &TIMEOUT_SECS.to_string()])
        .output()
        .expect("running the grader");
    let elapsed = start.elapsed();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the grader's --json output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_no_qemu_left(guest);
    (report, output.status.code().unwrap_or(-1), elapsed)
}

/// No process on the machine is a QEMU booting this guest's image.
fn assert_no_qemu_left(guest: &str) {
    let marker = format!("kernel-{guest}");
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline);
        assert!(
            !(cmdline.contains("qemu-system") && cmdline.contains(&marker)),
            "a QEMU process for {guest} outlived the grader: {cmdline}"
        );
    }
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t["status"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn a_passing_kernel_passes() {
    let (report, code, elapsed) = grade("guest-pass");
    assert_eq!(report["verdict"], "passed", "{report}");
    assert_eq!((report["score"].as_u64(), report["max_score"].as_u64()), (Some(2), Some(2)));
    assert_eq!(code, 0);
    assert!(elapsed < Duration::from_secs(TIMEOUT_SECS), "took {elapsed:?}");
}

#[test]
fn a_hanging_kernel_times_out() {
    let (report, code, elapsed) = grade("guest-hang");
    assert_eq!(report["verdict"], "timed_out", "{report}");
    assert_eq!(statuses(&report), pairs(&[("fine", "passed"), ("hangs", "failed"), ("test 3", "not_run")]));
    assert_eq!(code, 1);
    assert!(elapsed >= Duration::from_secs(TIMEOUT_SECS), "stopped early: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(TIMEOUT_SECS + 5), "took {elapsed:?}");
}

#[test]
fn a_triple_fault_is_a_crash_and_grading_goes_on() {
    let (report, code, elapsed) = grade("guest-triple-fault");
    assert_eq!(report["verdict"], "crashed", "{report}");
    assert_eq!(statuses(&report), pairs(&[("resets_the_cpu", "failed"), ("after_the_crash", "passed")]));
    assert_eq!(code, 1);
    assert!(elapsed < Duration::from_secs(TIMEOUT_SECS + 5), "took {elapsed:?}");
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
