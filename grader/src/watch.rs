//! `cargo grade exercise-NN --watch`: grade again on every save.
//!
//! rustlings made this the way to work through exercises: keep one
//! terminal open, edit in another window, and see the next thing to fix
//! each time a file is saved. The grader watches the exercise's folder with
//! the operating system's file events (inotify on Linux) through the
//! `notify` crate and, where those are not available (some network and
//! container file systems), by polling twice a second. A burst of events
//! (an editor writes a file, then renames it) counts as one change.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use console::style;
use notify::{Config, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use crate::grade::{self, Options};
use crate::manifest::Manifest;
use crate::report::{Report, Status, Verdict};
use crate::{child, hints, history};

/// How long to wait for more events after the first one of a change.
const SETTLE: Duration = Duration::from_millis(150);

/// Grades, then grades again after every change, until Ctrl-C.
pub fn run(root: &Path, manifest: &Manifest, solution: bool, options: Options) -> Result<ExitCode> {
    // A solution's code lives upstream, in kernel/: watch that too.
    let dirs = if solution {
        vec![root.join("solutions").join(manifest.folder()), root.join("kernel")]
    } else {
        vec![root.join("exercises").join(manifest.folder())]
    };
    let (events, changes) = mpsc::channel();
    let _watcher = watch(&dirs, events)?;
    let shown: Vec<String> = dirs.iter().map(|d| d.strip_prefix(root).unwrap_or(d).display().to_string()).collect();
    let last = loop {
        let mut report = grade::exercise(root, manifest, solution, options)?;
        if !solution {
            history::record(root, &report)?;
        }
        // Read again each time: `--hint` may have climbed in another terminal.
        hints::reveal(root, &mut report, false, !solution)?;
        println!("{}", summary(root, &report, manifest, solution));
        println!("{}", style(format!("Watching {} for changes. Ctrl-C to stop.", shown.join(" and "))).dim());
        match next_change(&changes) {
            Some(path) => {
                let after = modified(&path).map(|at| format!(" ({:.2} s after the save)", at.as_secs_f64()));
                println!(
                    "\n{} changed; grading again{}\n",
                    path.strip_prefix(root).unwrap_or(&path).display(),
                    after.unwrap_or_default()
                );
            }
            None => break report.verdict,
        }
    };
    Ok(if last == Verdict::Passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Starts watching `dirs`: file events if the system has them, polling if
/// not.
fn watch(dirs: &[PathBuf], events: mpsc::Sender<notify::Result<notify::Event>>) -> Result<Box<dyn Watcher>> {
    let native = RecommendedWatcher::new(events.clone(), Config::default()).and_then(|mut w| {
        dirs.iter().try_for_each(|dir| w.watch(dir, RecursiveMode::Recursive))?;
        Ok(w)
    });
    match native {
        Ok(watcher) => Ok(Box::new(watcher)),
        Err(error) => {
            eprintln!("no file events here ({error}); checking for changes twice a second instead");
            let config = Config::default().with_poll_interval(Duration::from_millis(500));
            let mut watcher = PollWatcher::new(events, config).context("cannot watch the exercise's files")?;
            for dir in dirs {
                watcher
                    .watch(dir, RecursiveMode::Recursive)
                    .with_context(|| format!("cannot watch {}", dir.display()))?;
            }
            Ok(Box::new(watcher))
        }
    }
}

/// Waits for a change to a source file, lets the burst settle, and returns
/// the file. `None` on Ctrl-C.
fn next_change(changes: &Receiver<notify::Result<notify::Event>>) -> Option<PathBuf> {
    let first = loop {
        if child::INTERRUPTED.load(Ordering::SeqCst) {
            return None;
        }
        match changes.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(event)) => {
                if let Some(path) = relevant(&event) {
                    break path;
                }
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    };
    while changes.recv_timeout(SETTLE).is_ok() {}
    Some(first)
}

/// The source file an event is about, if it is a change to one.
fn relevant(event: &notify::Event) -> Option<PathBuf> {
    use notify::EventKind;
    if !matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)) {
        return None;
    }
    event
        .paths
        .iter()
        .find(|p| {
            let source = matches!(p.extension().and_then(|e| e.to_str()), Some("rs" | "toml"));
            source && !p.components().any(|c| c.as_os_str() == "target")
        })
        .cloned()
}

/// How long ago `path` was modified.
fn modified(path: &Path) -> Option<Duration> {
    let at = std::fs::metadata(path).ok()?.modified().ok()?;
    SystemTime::now().duration_since(at).ok()
}

/// A short scorecard: the score, and the first test that fails with the
/// hints revealed so far, which is the next thing to work on.
fn summary(root: &Path, report: &Report, manifest: &Manifest, solution: bool) -> String {
    let score = format!("{}: {}/{}", report.title, report.score, report.max_score);
    if let Some(errors) = &report.build_errors {
        let first: Vec<&str> = errors.lines().take(20).collect();
        return format!("{score}\n\n{}\n\n{}", style("It does not compile yet:").red().bold(), first.join("\n"));
    }
    let failing: Vec<_> = report.tests.iter().filter(|t| t.status != Status::Passed).collect();
    let Some(next) = failing.first() else {
        let after = crate::manifest::discover(root)
            .ok()
            .and_then(|all| all.into_iter().find(|m| m.number > manifest.number))
            .map(|m| format!("Next: `cargo grade {}` and {}.", m.id(), m.chapter))
            .unwrap_or_else(|| "That was the last exercise.".into());
        return format!("{score}\n\n{} Every test passes. {after}", style("Done!").green().bold());
    };
    let mut out = format!("{score}\n\n{} {}", style("Next:").yellow().bold(), next.name);
    if let Some(why) = &next.diagnostic {
        out.push_str(&format!("\n  {}", style(crate::sanitize::line(why)).dim()));
    }
    for (rung, hint) in next.shown_hints().iter().enumerate() {
        out.push_str(&format!("\n  {} {hint}", style(format!("{}:", next.hint_label(rung))).cyan().bold()));
    }
    if next.more_hints() && !solution {
        let label = next.hint_label(next.shown_hints().len());
        out.push_str(&format!("\n  (`cargo grade {} --hint` shows {label})", manifest.id()));
    }
    if failing.len() > 1 {
        out.push_str(&format!(
            "\n\n({} more tests fail; `cargo grade {}` lists them all)",
            failing.len() - 1,
            manifest.id()
        ));
    }
    out
}
