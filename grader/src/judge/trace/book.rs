//! The timeline in the book's chapter 7, kept true. `book/src/ch07/` holds
//! one kernel test's trace as the reference solution dumped it on COM2 in
//! a graded run (its marker line, then the dump), and the two pictures
//! `cargo grade --render-trace` draws from it. The pictures must be what
//! the grader draws today, byte for byte; the dump must pass what its test
//! is judged by in a grading (the rules every trace keeps, then the
//! `[test.trace]` checks of exercise 07's manifest), so that the book
//! shows a passing run.

use std::path::{Path, PathBuf};

use super::{Place, judge};
use crate::manifest::Manifest;
use crate::trace::files::render;

/// The test whose trace the book shows.
const TEST: &str = "the_cpu_halts_while_nothing_runs";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The dump, `book/src/ch07/TEST.trace`; its pictures are beside it.
fn dump() -> PathBuf {
    root().join("book/src/ch07").join(format!("{TEST}.trace"))
}

/// The command that draws the pictures again, from the repository's root.
fn redraw() -> String {
    format!("cargo grade --render-trace book/src/ch07/{TEST}.trace")
}

#[test]
fn the_books_timeline_is_what_the_grader_draws_from_its_dump() {
    let dir = tempfile::tempdir().unwrap();
    // The same file name: it is the picture's title.
    let copy = dir.path().join(format!("{TEST}.trace"));
    std::fs::copy(dump(), &copy).unwrap();
    let rendered = render(&copy).unwrap();
    for fresh in [&rendered.svg, &rendered.json] {
        let committed = dump().with_extension(fresh.extension().unwrap());
        assert!(
            std::fs::read(&committed).ok() == Some(std::fs::read(fresh).unwrap()),
            "{} is not what the grader draws from {} today: draw both pictures again with `{}`, look at the SVG, \
             and commit them",
            committed.display(),
            dump().display(),
            redraw()
        );
    }
}

#[test]
fn the_books_timeline_is_of_a_passing_run() {
    let manifest = Manifest::load(&root().join("exercises/07-scheduler")).unwrap();
    let spec = manifest.tests.iter().find(|t| t.name == TEST).and_then(|t| t.trace.as_ref());
    let spec = spec.unwrap_or_else(|| {
        panic!("exercise 07 has no test {TEST} judged from its trace, whose timeline the book's chapter 7 shows")
    });
    let dir = tempfile::tempdir().unwrap();
    let place = Place { test: TEST, boot: 1, com2: &dump(), log: &dir.path().join("book.log"), keep: false };
    if let Err(why) = judge(spec, &place).0 {
        panic!(
            "the book's trace would fail {TEST} in a grading today: {why}\n\
             Take a new one from a passing run of the reference solution and draw it, from the repository's root:\n  \
             cargo grade 07 --solution --trace\n  \
             sed -n '/^# trace {TEST}$/,/^end /p' target/fledge/solution-07-scheduler/boot-*/com2.log > book/src/ch07/{TEST}.trace\n  \
             {}\n\
             then read the picture's caption in book/src/ch07-scheduler.md (\"The trace as a timeline\"), which describes it",
            redraw()
        );
    }
}
