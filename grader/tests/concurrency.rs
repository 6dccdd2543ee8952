//! Several boots at once: the same report as one at a time, and no QEMU
//! left behind when the grader is interrupted or killed while more than
//! one runs. These grade the reference solutions of exercises 02, 03 and 06,
//! whose plans have three, two and two sequences of boots.

mod harness;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use harness::root;
use serde_json::Value;

/// Held by each test for its whole run: the tests of this file build
/// kernels, and a build beside the boots of the first one slowed them past
/// their deadlines (a 6 s limit on a boot of about a second).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn grade(args: &[&str]) -> (Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-grade")).current_dir(root()).args(args).output().unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (report, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn boots_at_once_give_the_report_of_boots_one_at_a_time() {
    let _turn = one_at_a_time();
    let (one, _) = grade(&["02", "--solution", "--json", "--jobs", "1"]);
    let log = std::fs::read_to_string(root().join("target/fledge/logs/solution-02-panic.log")).unwrap();
    let (three, _) = grade(&["02", "--solution", "--json", "--jobs", "3"]);
    assert_eq!(one["verdict"], "passed", "{one}");
    assert_eq!(one, three);
    // The log reads in boot order, each boot running its own share.
    let headers: Vec<&str> = log.lines().filter(|l| l.starts_with("===== boot")).collect();
    assert_eq!(headers.len(), 3, "{log}");
    for (i, header) in headers.iter().enumerate() {
        assert!(header.starts_with(&format!("===== boot {}: from test 1, nonce", i + 1)), "{header}");
    }
    let second = &log[log.find("===== boot 2").unwrap()..log.find("===== boot 3").unwrap()];
    assert!(second.contains("ok 1 plain_panic # SKIP not in this boot\n# run 2 panic_with_arguments"), "{second}");
    let folder = root().join("target/fledge/solution-02-panic");
    for n in 1..=3 {
        assert!(folder.join(format!("boot-{n}/disk.img")).is_file());
    }
    // The last boot's files are where they always were, too.
    let config = |dir: &Path| std::fs::read_to_string(dir.join("run-config.txt")).unwrap();
    assert_eq!(config(&folder), config(&folder.join("boot-3")));
    assert!(config(&folder).contains("only=no_panic"), "{}", config(&folder));
}

/// A QEMU that waits, paused, for a debugger that never comes: boots that
/// last until the grader stops them.
fn paused_qemu(dir: &Path) -> PathBuf {
    let wrapper = dir.join("qemu-paused");
    std::fs::write(&wrapper, "#!/bin/sh\nexec qemu-system-x86_64 \"$@\" -S\n").unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    wrapper
}

/// The QEMU processes booting images under `folder`.
fn qemus(folder: &Path) -> usize {
    let marker = folder.display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).into_owned())
        .filter(|cmdline| cmdline.contains("qemu-system") && cmdline.contains(&marker))
        .count()
}

/// Starts the grader on `exercise`'s solution with paused QEMUs, waits
/// until two boot at once, and returns it.
fn with_two_qemus(exercise: &str, folder: &Path, wrapper: &Path) -> Child {
    let grader = Command::new(env!("CARGO_BIN_EXE_cargo-grade"))
        .current_dir(root())
        .args([exercise, "--solution", "--jobs", "2", "--timeout", "120"])
        .env("FLEDGE_QEMU", wrapper)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while qemus(folder) < 2 {
        assert!(start.elapsed() < Duration::from_secs(120), "two QEMUs never ran at once");
        std::thread::sleep(Duration::from_millis(50));
    }
    grader
}

fn no_qemu_within(folder: &Path, limit: Duration) {
    let start = Instant::now();
    while qemus(folder) > 0 {
        assert!(start.elapsed() < limit, "a QEMU outlived the grader by {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_stops_every_qemu() {
    let _turn = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let folder = root().join("target/fledge/solution-03-exceptions");
    let grader = with_two_qemus("03", &folder, &paused_qemu(dir.path()));
    // SAFETY: `kill` sends SIGINT to our own child; no memory is involved.
    unsafe { libc::kill(grader.id() as libc::pid_t, libc::SIGINT) };
    let stopped = Instant::now();
    let output = grader.wait_with_output().unwrap();
    assert!(stopped.elapsed() < Duration::from_secs(5), "the grader took {:?} to stop", stopped.elapsed());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted"));
    no_qemu_within(&folder, Duration::from_secs(1));
}

#[test]
fn a_killed_grader_takes_every_qemu_with_it() {
    let _turn = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let folder = root().join("target/fledge/solution-06-entropy");
    let mut grader = with_two_qemus("06", &folder, &paused_qemu(dir.path()));
    grader.kill().unwrap();
    grader.wait().unwrap();
    no_qemu_within(&folder, Duration::from_secs(2));
}
