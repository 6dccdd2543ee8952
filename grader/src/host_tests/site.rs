//! Where a host test crashed: gdb runs the test alone until the signal,
//! and its backtrace gives the function, file and line.
//!
//! ```text
//! #0  x86_64::...::PageTableEntry::flags (self=...) at /home/me/.cargo/registry/src/.../page_table.rs:60
//! #1  0x00005555556bbf36 in memory::paging::translate (...) at exercises/05-memory/src/paging.rs:88
//! #2  0x00005555555e6669 in host::paging::FakeRam::translate (...) at exercises/05-memory/tests/cases/paging.rs:45
//! ```
//!
//! The innermost frame in the learner's folder is the place (here frame
//! 1); failing that, the innermost in the repository (a relative path that
//! is not the standard library's `library/`). gdb is one of the tools
//! `scripts/setup.sh` installs; without it, or if it says nothing useful
//! before its deadline, there is no place, only the signal.
//!
//! A test that hangs is looked at the same way, but alive: at its
//! deadline, before the grader stops it, gdb attaches to the process and
//! prints every thread's stack ([`stacks`]), which [`crate::hang`] reads
//! as it reads a hung kernel's: the place in the learner's files, its
//! caller, and a spin lock waited for inside it. Where the system forbids
//! attaching to a process the grader did not start itself (Yama's
//! `ptrace_scope`), gdb says nothing and the hang is named without a place.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::child;
use crate::symbols::{self, Frame};

/// `` `translate` (exercises/05-memory/src/paging.rs:88) ``: where the test
/// `name` of the test binary `exe` dies, preferring frames under `own`.
pub fn find(exe: &Path, name: &str, own: &str, deadline: Duration) -> Option<String> {
    let mut cmd = Command::new("gdb");
    cmd.args(["-q", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set print frame-arguments none"]);
    cmd.args(["-ex", "run", "-ex", "bt 40", "--args"]).arg(exe).args([name, "--exact", "--test-threads", "1"]);
    cmd.env("RUST_BACKTRACE", "0").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    let start = Instant::now();
    let mut gdb = child::spawn_nice(&mut cmd, 10).ok()?;
    let mut stdout = gdb.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.by_ref().take(1 << 20).read_to_string(&mut text);
        text
    });
    let _ = child::wait(&mut gdb, start, deadline, &AtomicBool::new(false));
    place(&reader.join().ok()?, own)
}

/// Every thread's stack in the live process `pid`, innermost frame first,
/// named for people ([`symbols::show_path`], from the repository `root`);
/// only the threads with a frame in the repository, and not libtest's
/// main thread, which waits for the test. Empty if gdb cannot attach.
pub fn stacks(pid: u32, root: &Path, deadline: Duration) -> Vec<Vec<Frame>> {
    let mut cmd = Command::new("gdb");
    cmd.args(["-q", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set print frame-arguments none"]);
    cmd.args(["-ex", "thread apply all bt 40", "-p"]).arg(pid.to_string());
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    let start = Instant::now();
    let Ok(mut gdb) = child::spawn(&mut cmd) else { return Vec::new() };
    let Some(mut stdout) = gdb.stdout.take() else { return Vec::new() };
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.by_ref().take(1 << 20).read_to_string(&mut text);
        text
    });
    let _ = child::wait(&mut gdb, start, deadline, &AtomicBool::new(false));
    threads(&reader.join().unwrap_or_default(), root)
}

/// The stacks of `thread apply all bt`'s output.
fn threads(output: &str, root: &Path) -> Vec<Vec<Frame>> {
    // gdb numbers the process's first thread 1: libtest's main thread,
    // which waits for the test's own thread (unless the test runs on it).
    let mut main: Option<usize> = None;
    let mut stacks: Vec<Vec<Frame>> = Vec::new();
    for line in output.lines() {
        if line.starts_with("Thread ") {
            if line.starts_with("Thread 1 ") {
                main = Some(stacks.len());
            }
            stacks.push(Vec::new());
        } else if let (Some(stack), Some((function, at))) = (stacks.last_mut(), frame(line)) {
            let (file, number) = match at.rsplit_once(':') {
                Some((file, number)) => (file.to_string(), number.parse().ok()),
                None => (at, None),
            };
            let file = symbols::show_path(&file, root);
            let in_repo = !file.starts_with('/')
                && !file.starts_with("library/")
                && Path::new(&file).is_relative()
                && root.join(&file).is_file();
            stack.push(Frame {
                function: symbols::short(&function),
                file: Some(file),
                line: number,
                in_repo,
                in_macro: None,
            });
        }
    }
    if let Some(main) = main
        && stacks.len() > 1
    {
        stacks.remove(main);
    }
    stacks.retain(|stack| stack.iter().any(|frame| frame.in_repo));
    stacks
}

/// The place in gdb's backtrace.
fn place(backtrace: &str, own: &str) -> Option<String> {
    let frames: Vec<(String, String)> = backtrace.lines().filter_map(frame).collect();
    let in_repo = |file: &str| !file.starts_with('/') && !file.starts_with("library/");
    let (function, at) =
        frames.iter().find(|(_, at)| at.starts_with(own)).or_else(|| frames.iter().find(|(_, at)| in_repo(at)))?;
    Some(format!("`{}` ({at})", symbols::short(function)))
}

/// One frame of a backtrace: `#1  0x... in FUNCTION (ARGS) at FILE:LINE`,
/// as the function and `FILE:LINE`.
fn frame(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
    let rest = rest.split_once(" in ").filter(|(address, _)| address.starts_with("0x")).map_or(rest, |(_, r)| r);
    let (function, _) = rest.split_once(" (")?;
    let (_, at) = rest.rsplit_once(" at ")?;
    Some((function.to_string(), symbols::lexical(Path::new(at.trim())).display().to_string()))
}

#[cfg(test)]
mod test {
    use super::*;

    const BACKTRACE: &str = "Thread 2 \"paging::transla\" received signal SIGSEGV, Segmentation fault.\n\
        #0  x86_64::structures::paging::page_table::PageTableEntry::flags (self=...) at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/x86_64-0.15.5/src/structures/paging/page_table.rs:60\n\
        #1  0x00005555556bbf36 in memory::paging::translate (level_4=..., offset=..., addr=...) at exercises/05-memory/src/paging.rs:88\n\
        #2  0x00005555555e6669 in host::paging::FakeRam::translate (self=..., addr=...) at exercises/05-memory/tests/cases/paging.rs:45\n\
        #6  0x000055555563d2eb in core::ops::function::FnOnce::call_once<fn() -> (), ()> () at library/core/src/ops/function.rs:250\n";

    #[test]
    fn the_innermost_frame_in_the_learners_files_is_the_place() {
        assert_eq!(
            place(BACKTRACE, "exercises/05-memory/").as_deref(),
            Some("`translate` (exercises/05-memory/src/paging.rs:88)")
        );
        assert_eq!(
            place(BACKTRACE, "exercises/01-serial/").as_deref(),
            Some("`translate` (exercises/05-memory/src/paging.rs:88)"),
            "otherwise the innermost in the repository"
        );
        assert_eq!(place("#0  0x0000 in ?? ()\n", "exercises/05-memory/"), None);
        assert_eq!(place("", "x"), None);
    }

    #[test]
    fn a_hung_tests_threads_are_read_without_the_main_thread() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let output = "Thread 3 (Thread 0x7f (LWP 7800) \"cases::lines_fr\"):\n\
            #0  core::sync::atomic::spin_loop_hint () at /root/.rustup/toolchains/x/lib/rustlib/src/rust/library/core/src/sync/atomic.rs:4564\n\
            #2  spin::mutex::spin::SpinMutex<u8>::lock<u8> (self=...) at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/spin-0.9.9/src/mutex/spin.rs:187\n\
            #4  serial::print::Printer<u8>::print<u8> (self=..., args=...) at exercises/01-serial/src/print.rs:83\n\
            #5  0x0000555bf2fd533d in serial::print::Printer<u8>::println<u8> (self=..., args=...) at exercises/01-serial/src/print.rs:102\n\
            Thread 2 (Thread 0x7e (LWP 7799) \"cases::lines_fr\"):\n\
            #0  0x00007f in syscall () from /lib/x86_64-linux-gnu/libc.so.6\n\
            #1  std::sys::pal::unix::futex::futex_wait () at library/std/src/sys/pal/unix/futex.rs:72\n\
            Thread 1 (Thread 0x7d (LWP 7797) \"host-0a629ab599\"):\n\
            #18 0x0000555bf2fce823 in host::main () at exercises/01-serial/tests/host.rs:1\n";
        let stacks = threads(output, root);
        assert_eq!(stacks.len(), 1, "thread 2 has no frame in the repository, thread 1 is libtest's main");
        let files: Vec<&str> = stacks[0].iter().filter_map(|f| f.file.as_deref()).collect();
        assert_eq!(
            files,
            [
                "core/src/sync/atomic.rs",
                "spin-0.9.9/src/mutex/spin.rs",
                "exercises/01-serial/src/print.rs",
                "exercises/01-serial/src/print.rs"
            ]
        );
        assert_eq!(stacks[0][2].function, "Printer::print");
        assert_eq!(stacks[0][2].line, Some(83));
        assert!(stacks[0][2].in_repo && !stacks[0][1].in_repo);

        let looks: Vec<(crate::hang::Kind, Vec<&Frame>)> =
            stacks.iter().map(|s| (crate::hang::Kind::Spinning, s.iter().collect())).collect();
        let hang = crate::hang::diagnose_stacks(&looks, Some("exercises/01-serial/"), "The test", "").unwrap();
        assert!(hang.is_deadlock());
        assert_eq!(hang.place, "`Printer::print` (exercises/01-serial/src/print.rs:83)");
    }

    #[test]
    fn frames_with_and_without_an_address_are_read() {
        let (function, at) = frame("#0  a::b (self=...) at src/x.rs:3").unwrap();
        assert_eq!((function.as_str(), at.as_str()), ("a::b", "src/x.rs:3"));
        let (function, at) = frame("#12 0x01 in c::d<T> () at tests/../src/y.rs:9").unwrap();
        assert_eq!((function.as_str(), at.as_str()), ("c::d<T>", "src/y.rs:9"));
    }
}
