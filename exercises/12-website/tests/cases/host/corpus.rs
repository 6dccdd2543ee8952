//! The fuzzer's corpus, as regression tests: each file of `corpus/` (beside
//! this file)
//! must parse as `outcomes.txt` says, and a whole server fed it a byte at
//! a time must answer (or stay silent) and close.
//!
//! The `min-*` files are the smallest input the fuzzer met for each
//! distinct outcome (`cargo run --release -p fledge-http --example fuzz --
//! 2000000 --write-corpus exercises/12-website/tests/cases/host/corpus`
//! writes them again).
//! The `found-*` files are inputs that found a bug:
//!
//! - `found-lingering-one-read-a-step.http`: a request refused early whose
//!   client goes on sending a byte at a time. A lingering connection read
//!   once per step, so the server needed a step for every byte left
//!   (thousands) to see the client's FIN. It now reads up to 16 times a
//!   step.

use std::path::Path;

use super::common::{fakes, outcome};
use http::Config;

/// At most this many steps (of a millisecond) for a connection that sends
/// a corpus file a byte at a time to be closed.
const STEPS: usize = 1000;

/// The corpus, from the workspace's root (the fuzzer writes it there too).
const CORPUS: &str = "exercises/12-website/tests/cases/host/corpus";

#[test]
fn every_corpus_file_parses_as_recorded_and_the_server_closes() {
    // The exercise's package and the solution's are both two folders down
    // from the workspace, and both run this file.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let folder = workspace.join(CORPUS);
    let manifest = std::fs::read_to_string(folder.join("outcomes.txt")).unwrap();
    let mut checked = 0;
    for line in manifest.lines() {
        let (file, expected) = line.split_once('\t').unwrap();
        let input = std::fs::read(folder.join(file)).unwrap();
        assert_eq!(outcome::detail(&input), expected, "{file}");

        let cuts: Vec<usize> = (1..=input.len()).collect();
        let peer = fakes::serve_one(&input, &cuts, Config::new(80), STEPS);
        assert!(peer.closed, "{file}: the connection was not closed in {STEPS} steps");
        let answered = expected.starts_with("request") || expected.starts_with(|c: char| c.is_ascii_digit());
        assert_eq!(
            peer.written.starts_with(b"HTTP/1.1 "),
            answered,
            "{file}: {:?}",
            String::from_utf8_lossy(&peer.written)
        );
        checked += 1;
    }
    let files = std::fs::read_dir(&folder)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|extension| extension == "http"));
    assert_eq!(checked, files.count(), "every .http file has a line in outcomes.txt");
    assert!(checked >= 20);
}
