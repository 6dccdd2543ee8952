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

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::child;
use crate::symbols;

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
    fn frames_with_and_without_an_address_are_read() {
        let (function, at) = frame("#0  a::b (self=...) at src/x.rs:3").unwrap();
        assert_eq!((function.as_str(), at.as_str()), ("a::b", "src/x.rs:3"));
        let (function, at) = frame("#12 0x01 in c::d<T> () at tests/../src/y.rs:9").unwrap();
        assert_eq!((function.as_str(), at.as_str()), ("c::d<T>", "src/y.rs:9"));
    }
}
