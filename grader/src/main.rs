//! `cargo grade`: build an exercise, boot it in QEMU, read its KTAP report
//! and print a scorecard with hints.
//!
//! ```text
//! cargo grade                        the exercises and their last scores
//! cargo grade exercise-01            grade your work on exercise 01
//! cargo grade 01 --solution          grade the reference solution
//! cargo grade 01 --junit FILE        also write the result as JUnit XML
//! cargo grade --kernel PATH          boot any KTAP-speaking kernel ELF
//! cargo grade --self-check           every starter fails, every solution passes
//! ```
//!
//! `cargo grade` is a cargo alias (`.cargo/config.toml`) for running this
//! binary, so there is nothing to install. Exit status: 0 for full marks,
//! 1 for anything less, 2 when the grader itself could not do its job.

mod capture;
mod child;
mod compile;
mod gdb;
mod grade;
mod history;
mod host_tests;
mod image;
mod judge;
mod junit;
mod ktap;
mod lock;
mod manifest;
mod qemu;
mod report;
mod sanitize;
mod self_check;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{ArgGroup, Parser};

use crate::compile::Progress;
use crate::qemu::Accel;
use crate::report::{Report, Verdict};

/// Build an exercise, boot it in QEMU, and grade it.
#[derive(Parser, Debug)]
#[command(name = "cargo grade", bin_name = "cargo grade", version)]
#[command(group = ArgGroup::new("graded").args(["exercise", "kernel"]))]
struct Args {
    /// The exercise: `exercise-01`, `01` or `serial`. Leave it out to list
    /// the exercises with your last scores.
    exercise: Option<String>,
    /// Grade the reference solution instead of your work.
    #[arg(long)]
    solution: bool,
    /// Boot and grade this kernel ELF (one point per KTAP test) instead of
    /// an exercise: for debugging the grader.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["exercise", "solution"])]
    kernel: Option<PathBuf>,
    /// Print one JSON object instead of the scorecard.
    #[arg(long)]
    json: bool,
    /// Also write the result as JUnit XML to FILE, for CI.
    #[arg(long, value_name = "FILE", requires = "graded")]
    junit: Option<PathBuf>,
    /// Seconds one boot may run before it is stopped (default: the
    /// exercise's own, 30 for --kernel).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// CPU emulation: tcg (software, works everywhere) or kvm.
    #[arg(long, value_enum, default_value = "tcg")]
    accel: Accel,
    /// Show every hint for failing tests, not only the first.
    #[arg(long)]
    hint: bool,
    /// Copy the guest's serial output to the terminal as it arrives.
    #[arg(long)]
    verbose: bool,
    /// Grade again every time a file of the exercise is saved, and show the
    /// next failing test with its hint.
    #[arg(long, requires = "exercise", conflicts_with_all = ["json", "junit", "gdb"])]
    watch: bool,
    /// Boot once with QEMU's gdb server, paused before the first
    /// instruction, and print the gdb command that stops at the kernel's
    /// entry point.
    #[arg(long, requires = "graded", conflicts_with_all = ["json", "junit"])]
    gdb: bool,
    /// Grade every exercise's starter (it must fail the tests covering its
    /// holes) and solution (it must score full marks).
    #[arg(long, conflicts_with_all = ["exercise", "kernel", "solution", "junit"])]
    self_check: bool,
}

fn main() -> ExitCode {
    // `cargo grade ARGS` runs `cargo-grade ARGS`; a `cargo-grade` binary run
    // as a cargo subcommand would get `grade` first, so skip it if present.
    let mut argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("grade") {
        argv.remove(1);
    }
    let args = Args::parse_from(argv);
    let _ = ctrlc::set_handler(|| child::INTERRUPTED.store(true, Ordering::SeqCst));
    match run(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{} {error:#}", console::style("cargo grade:").red().bold());
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<ExitCode> {
    let root = repo_root()?;
    let options = grade::Options {
        timeout: args.timeout.map(Duration::from_secs),
        accel: args.accel,
        progress: if args.json { Progress::Quiet } else { Progress::Show },
        echo: args.verbose && !args.json,
        gdb: None,
    };
    if args.self_check {
        return self_check::run(&root, options);
    }
    if args.gdb {
        return debug(&root, args, options);
    }
    let mut report = if let Some(kernel) = &args.kernel {
        grade::kernel(&root, kernel, options)?
    } else if let Some(query) = &args.exercise {
        let manifest = manifest::find(&root, query)?;
        if args.watch {
            return watch::run(&root, &manifest, args.solution, options);
        }
        let report = grade::exercise(&root, &manifest, args.solution, options)?;
        if !args.solution {
            history::record(&root, &report)?;
        }
        report
    } else {
        list(&root)?;
        return Ok(ExitCode::SUCCESS);
    };
    report.all_hints = args.hint;
    show(&report, args.json)?;
    if let Some(path) = &args.junit {
        junit::write(&report, path)?;
    }
    Ok(if report.verdict == Verdict::Passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `--gdb`: builds the kernel with debug info, prints the gdb command, and
/// boots it once, paused until gdb connects.
fn debug(root: &Path, args: &Args, options: grade::Options) -> Result<ExitCode> {
    let kernel = match (&args.kernel, &args.exercise) {
        (Some(kernel), _) => kernel.clone(),
        (None, Some(query)) => {
            let manifest = manifest::find(root, query)?;
            let package = manifest.package(args.solution);
            match compile::build_kernel(root, &package, compile::DEBUG_PROFILE, options.progress)? {
                Ok(kernel) => kernel,
                Err(failure) => {
                    eprintln!("{}", compile::first_errors(&failure.messages, 40));
                    return Ok(ExitCode::from(1));
                }
            }
        }
        (None, None) => anyhow::bail!("--gdb needs an exercise or --kernel PATH"),
    };
    let kernel = kernel.canonicalize().with_context(|| format!("cannot find {}", kernel.display()))?;
    let port = gdb::free_port()?;
    println!("{}", gdb::instructions(&kernel, port));
    // A debugging session lasts as long as the person wants.
    let options = grade::Options {
        gdb: Some(port),
        echo: true,
        timeout: Some(args.timeout.map_or(Duration::from_secs(24 * 3600), Duration::from_secs)),
        ..options
    };
    let report = grade::kernel(root, &kernel, options)?;
    // One boot from test 1, with the debugger in the way: not a grading.
    println!(
        "\nThe boot is over ({}{}). This was a debugging boot, not a grading: run the same command without --gdb for the score.",
        report.verdict.as_str(),
        report.notes.first().map(|n| format!("; {}", sanitize::line(n))).unwrap_or_default()
    );
    if let Some(log) = &report.log {
        println!("Serial log: {}", log.display());
    }
    Ok(ExitCode::from(1))
}

fn show(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        print!("{}", report.scorecard());
    }
    Ok(())
}

/// `cargo grade` with no exercise: the list, with the last scores.
fn list(root: &Path) -> Result<()> {
    let history = history::load(root);
    println!("{}", console::style("Fledge exercises").bold());
    println!();
    let manifests = manifest::discover(root)?;
    let width = manifests.iter().map(|m| m.title.chars().count()).max().unwrap_or(0);
    for m in manifests {
        let last = match history.get(&m.id()) {
            Some(e) => format!("{:>3}/{:<3} {:<12} {}", e.score, e.max_score, e.verdict, history::ago(e.when)),
            None => format!("{:>3}/{:<3} not graded yet", "-", m.max_score()),
        };
        println!("  {}  {:<width$}  {last}", m.id(), m.title);
    }
    println!();
    println!("Grade one with `cargo grade exercise-01`; the book is in book/ (`mdbook serve book`).");
    Ok(())
}

/// The repository root: the nearest folder upwards with `exercises/` and a
/// `Cargo.toml`, or the one this grader was built in.
fn repo_root() -> Result<PathBuf> {
    let here = std::env::current_dir().context("cannot tell the current folder")?;
    let is_root = |dir: &Path| dir.join("Cargo.toml").is_file() && dir.join("exercises").is_dir();
    if let Some(found) = here.ancestors().find(|dir| is_root(dir)) {
        return Ok(found.to_path_buf());
    }
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("the grader's folder")?;
    if is_root(built_in) {
        return Ok(built_in.to_path_buf());
    }
    anyhow::bail!("cannot find the Fledge repository: run `cargo grade` from inside it")
}
