//! The harness the guest tests share: builds the guest kernels once, runs
//! the grader on one, and checks the promises every run keeps whatever the
//! guest does: done within twice the deadline plus five seconds (a boot
//! that waits for a core gets up to twice its deadline), under 256 MiB,
//! and no QEMU left behind.

#![allow(dead_code)] // each test binary uses its own part of it

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The deadline per boot for guests that should end quickly or hang.
pub const TIMEOUT_SECS: u64 = 3;

/// What the grader may use at most, in KiB.
pub const MEMORY_LIMIT_KIB: i64 = 256 << 10;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Builds the guest kernels once and returns the folder they are in.
pub fn guests() -> &'static Path {
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

/// One run of the grader on a guest.
pub struct Graded {
    /// The `--json` report.
    pub report: Value,
    /// The grader's exit status.
    pub code: i32,
    /// Wall time.
    pub elapsed: Duration,
}

impl Graded {
    pub fn verdict(&self) -> &str {
        self.report["verdict"].as_str().unwrap_or("")
    }

    pub fn statuses(&self) -> Vec<(String, String)> {
        statuses(&self.report)
    }

    pub fn notes(&self) -> String {
        self.report["notes"].as_array().map(|n| format!("{n:?}")).unwrap_or_default()
    }

    pub fn diagnostic(&self, test: usize) -> String {
        self.report["tests"][test]["diagnostic"].as_str().unwrap_or("").to_string()
    }
}

/// Runs the grader with `args` (and `env`), waits with `wait4` to learn its
/// peak memory, and checks the promises every run keeps.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which clippy cannot see
pub fn run_grader(guest: &str, args: &[&str], env: &[(&str, &Path)], deadline: Duration) -> (Vec<u8>, Graded) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-grade"));
    cmd.current_dir(root()).arg("--kernel").arg(guests().join(guest)).args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("starting the grader");
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let mut stdout = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut stdout).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `wait4` reaps our own child, whose pid `spawn` returned, and
    // writes only to the two locals it is given.
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(reaped, child.id() as libc::pid_t, "wait4 failed");
    let elapsed = start.elapsed();
    let stderr = err_reader.join().unwrap();
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    println!("{guest}: {:.2} s, {} MiB peak", elapsed.as_secs_f64(), usage.ru_maxrss >> 10);
    assert!(
        elapsed < deadline,
        "grading {guest} took {elapsed:?}, more than {deadline:?}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    assert!(usage.ru_maxrss < MEMORY_LIMIT_KIB, "grading {guest} used {} KiB", usage.ru_maxrss);
    assert_no_qemu_left(guest);
    let graded = Graded { report: Value::Null, code, elapsed };
    (if stdout.is_empty() { stderr } else { stdout }, graded)
}

/// Grades a guest with `--json` and the given deadline per boot.
pub fn grade_with(guest: &str, timeout: u64, env: &[(&str, &Path)]) -> Graded {
    let secs = timeout.to_string();
    let deadline = Duration::from_secs(2 * timeout + 5);
    let (stdout, mut graded) = run_grader(guest, &["--json", "--timeout", &secs], env, deadline);
    graded.report = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!("the grader's --json output is not JSON ({e}):\n{}", String::from_utf8_lossy(&stdout))
    });
    graded
}

pub fn grade(guest: &str) -> Graded {
    grade_with(guest, TIMEOUT_SECS, &[])
}

/// No process on the machine is a QEMU booting this guest's image from
/// this clone (another clone on the machine may be grading the same guest).
pub fn assert_no_qemu_left(guest: &str) {
    let marker = root().join("target/fledge").join(format!("kernel-{guest}/")).display().to_string();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline);
        assert!(
            !(cmdline.contains("qemu-system") && cmdline.contains(&marker)),
            "a QEMU process for {guest} outlived the grader: {cmdline}"
        );
    }
}

pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

pub fn log_of(guest: &str) -> Vec<u8> {
    std::fs::read(root().join(format!("target/fledge/logs/kernel-{guest}.log"))).unwrap()
}

/// Each test's name and status in a `--json` report, in scorecard order.
pub fn statuses(report: &Value) -> Vec<(String, String)> {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t["status"].as_str().unwrap().to_string()))
        .collect()
}

/// The test called `name` in a `--json` report.
pub fn test<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tests"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()
}
