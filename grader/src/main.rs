//! `cargo grade`: build an exercise, boot it in QEMU, read its KTAP report
//! and print a scorecard with hints.
//!
//! ```text
//! cargo grade                        the exercises and their last scores
//! cargo grade exercise-01            grade your work on exercise 01
//! cargo grade 01 --hint              ... and show the next hint of the first failing test
//! cargo grade 01 --solution          grade the reference solution
//! cargo grade 01 --junit FILE        also write the result as JUnit XML
//! cargo grade 07 --trace             keep every test's trace pictures, not only failing ones
//! cargo grade 10 --kills 20          kill 20 boots before each [test.kills] test (a benchmark)
//! cargo grade 12 --serve             boot the exercise's website and print its URL
//! cargo grade --kernel PATH          boot any KTAP-speaking kernel ELF
//! cargo grade --self-check           every starter fails, every solution passes
//! cargo grade --render-trace DUMP    check a scheduler trace, draw it as JSON and SVG
//! ```
//!
//! `cargo grade` is a cargo alias (`.cargo/config.toml`) for running this
//! binary, so there is nothing to install. Exit status: 0 for full marks,
//! 1 for anything less, 2 when the grader itself could not do its job.

// The stages of a grading, in the order it goes through them; `grade`
// strings them together:
//
//   manifest, plan ──> build ──> run (image, qemu) ──> ktap, host_tests
//        ──> ending, judge ──> report
mod grade; // the pipeline, stage by stage

// 1. What to grade.
mod manifest; // the exercise manifest, `exercise.toml`
mod plan; // the boot plan: which boots, on which machine, running which tests

// 2. Build.
mod build; // cargo builds of the kernel and the host tests
mod lints; // clippy's warnings about the learner's files

// 3. Boot (and run the host tests).
mod devices; // a boot's devices on QEMU's command line, and their drive images
mod folders; // the boots' folders, cleared before and linked after
mod image; // a boot's disk image and run configuration
mod kills; // boots killed on purpose on one image, before the graded one ([test.kills])
mod net; // a boot's network: QEMU's user network, a peer on it, the host's side of [test.net]
mod qemu; // one boot in QEMU
mod run; // boots and host tests, several at once, merged in boot order
mod stuck; // a hung boot's instruction pointer and stack, read through QEMU

// 4. Parse what came out.
mod host_tests; // the host test binary and libtest's report, crashes and hangs named
mod ktap; // reading KTAP from a boot's COM1
mod pci; // PCI functions: QEMU's, asked over QMP, and a kernel's `# pci` lines
mod symbols; // a kernel address's function, file and line

// 5. Judge.
mod ending; // what a boot's ending means (pure)
mod hang; // where a hung boot was stuck, and what kind of hang it is
mod judge; // a kernel test against its manifest entry; host tests in judge::host

// 6. Report.
mod report; // the verdict, and its renderings: scorecard, JSON, JUnit

// The commands besides grading once:
mod gdb; // --gdb: one boot, paused for a debugger
mod self_check; // --self-check: starters fail, solutions pass
mod serve; // --serve: an exercise's website, booted for a browser
mod watch; // --watch: grade again on every save

// Plumbing:
mod capture; // the head and tail of a stream that may never end
mod child; // child processes that never outlive the grader
mod hints; // how far up each test's hint ladder the learner has climbed
mod history; // the last score of each exercise
mod lock; // one grader per exercise at a time
mod log; // the serial log, boots in order
mod pool; // up to N jobs at once
mod qmp; // QEMU's machine protocol, to look inside a guest
mod sanitize; // guest text, safe for a terminal

mod trace; // a scheduler's trace (exercise 07): decoded, checked, drawn

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{ArgGroup, Parser};

use crate::build::Progress;
use crate::qemu::Accel;
use crate::report::junit;
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
    /// Keep the scheduler trace's pictures (Chrome trace-event JSON and an
    /// SVG timeline, beside the serial log) of every test judged from its
    /// trace, not only of those that fail.
    #[arg(long, requires = "exercise")]
    trace: bool,
    /// Also write the result as JUnit XML to FILE, for CI.
    #[arg(long, value_name = "FILE", requires = "graded")]
    junit: Option<PathBuf>,
    /// Kill N boots before each test whose manifest has `[test.kills]`,
    /// instead of the manifest's count (scripts/bench-store.sh kills 200).
    #[arg(long, value_name = "N", requires = "exercise", value_parser = clap::value_parser!(u32).range(1..=1000))]
    kills: Option<u32>,
    /// Seconds one boot, or one run of the host tests, may take before it
    /// is stopped (default: five times what the exercise's reference
    /// solution takes, at least 3 for a boot and 5 for the host tests; 30
    /// for --kernel).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// CPU emulation: tcg (software, works everywhere) or kvm. Tests whose
    /// manifest entry says `tcg_only` still run under tcg.
    #[arg(long, value_enum, default_value = "tcg")]
    accel: Accel,
    /// How many boots and host test runs at once (default: one more than
    /// the cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Show the next hint of the first failing test, and keep showing it:
    /// each `--hint` climbs one rung of that test's hints.
    #[arg(long, conflicts_with = "watch")]
    hint: bool,
    /// Copy the guest's serial output to the terminal as it arrives (the
    /// boots then run one at a time).
    #[arg(long)]
    verbose: bool,
    /// Grade again every time a file of the exercise is saved, and show the
    /// next failing test with its hints.
    #[arg(long, requires = "exercise", conflicts_with_all = ["json", "junit", "gdb"])]
    watch: bool,
    /// Boot once with QEMU's gdb server, paused before the first
    /// instruction, and print the gdb command that stops at the kernel's
    /// entry point.
    #[arg(long, requires = "graded", conflicts_with_all = ["json", "junit"])]
    gdb: bool,
    /// Boot the exercise's website (exercise 12 and later) with a host
    /// port forwarded to it, print its URL, and serve until Ctrl-C.
    #[arg(long, requires = "exercise", conflicts_with_all = ["json", "junit", "gdb", "watch", "hint"])]
    serve: bool,
    /// Grade every exercise's starter (it must fail the tests covering its
    /// holes) and solution (it must score full marks).
    #[arg(long, conflicts_with_all = ["exercise", "kernel", "solution", "junit"])]
    self_check: bool,
    /// Check the scheduler trace dumped in DUMP (fledge-trace's text), and
    /// write it beside DUMP as Chrome trace-event JSON (for Perfetto or
    /// chrome://tracing) and as an SVG timeline.
    #[arg(long, value_name = "DUMP", conflicts_with_all = ["exercise", "kernel", "solution", "junit", "self_check", "gdb", "watch"])]
    render_trace: Option<PathBuf>,
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
    if let Some(dump) = &args.render_trace {
        return render_trace(dump);
    }
    let root = repo_root()?;
    let options = grade::Options {
        timeout: args.timeout.map(Duration::from_secs),
        accel: args.accel,
        progress: if args.json { Progress::Quiet } else { Progress::Show },
        echo: args.verbose && !args.json,
        gdb: None,
        jobs: args.jobs.map_or_else(pool::default_workers, usize::from),
        keep_traces: args.trace,
    };
    if args.self_check {
        return self_check::run(&root, options);
    }
    if let (true, Some(query)) = (args.serve, &args.exercise) {
        return serve::run(&root, query, args.solution, options);
    }
    if args.gdb {
        let kernel = gdb::Kernel { path: args.kernel.as_deref(), exercise: args.exercise.as_deref() };
        return gdb::run(&root, kernel, args.solution, args.timeout.map(Duration::from_secs), options);
    }
    let report = if let Some(kernel) = &args.kernel {
        grade::kernel(&root, kernel, options)?
    } else if let Some(query) = &args.exercise {
        let mut manifest = manifest::find(&root, query)?;
        if let Some(count) = args.kills {
            manifest.set_kills(count)?;
        }
        if args.watch {
            return watch::run(&root, &manifest, args.solution, options);
        }
        let mut report = grade::exercise(&root, &manifest, args.solution, options)?;
        if !args.solution {
            history::record(&root, &report)?;
        }
        hints::reveal(&root, &mut report, args.hint, !args.solution)?;
        report
    } else {
        list(&root)?;
        return Ok(ExitCode::SUCCESS);
    };
    show(&report, args.json)?;
    if let Some(path) = &args.junit {
        junit::write(&report, path)?;
    }
    Ok(if report.verdict == Verdict::Passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn show(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        print!("{}", report.scorecard());
    }
    Ok(())
}

/// `cargo grade --render-trace DUMP`: 0 if the trace passes the checks.
fn render_trace(dump: &Path) -> Result<ExitCode> {
    let rendered = trace::files::render(dump)?;
    match &rendered.problem {
        None => println!("{}: {} events, checked: sound", dump.display(), rendered.events),
        Some(problem) => println!("{}: {} events, {}", dump.display(), rendered.events, console::style(problem).red()),
    }
    println!("  Chrome trace events (Perfetto, chrome://tracing): {}", rendered.json.display());
    println!("  timeline: {}", rendered.svg.display());
    Ok(if rendered.problem.is_none() { ExitCode::SUCCESS } else { ExitCode::from(1) })
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
