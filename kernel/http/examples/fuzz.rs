//! A mutation fuzzer for the request parser and the server, that installs
//! nothing: what `cargo fuzz` would do with libFuzzer, done by hand, with
//! a seeded generator so a run can be repeated.
//!
//! ```text
//! cargo run --release -p fledge-http --example fuzz -- [EXECUTIONS] [SEED] [--write-corpus DIR]
//! scripts/fuzz-http.sh [EXECUTIONS]        the same, 10,000,000 by default
//! ```
//!
//! Each execution takes an input from the corpus (the seeds below, the
//! files of `exercises/12-website/tests/cases/host/corpus/`, and inputs
//! that found a new outcome), mutates it a few times (bit flips, random
//! bytes, insertions of bytes that matter to HTTP, deletions, splices
//! with another input, a header line repeated, a truncation) and checks,
//! with every panic caught:
//!
//! 1. `parse` does not panic;
//! 2. **incremental agreement**: the input cut at random points into
//!    chunks, `parse` of each growing prefix is `Ok(None)` or the same
//!    answer as `parse` of the whole input: a server that reads a request
//!    in pieces sees what one that reads it at once sees;
//! 3. a request's `consumed` is honest: `parse` of exactly those bytes
//!    gives the same request;
//! 4. one execution in [`SERVER_EVERY`] also runs a whole `Server` over
//!    an in-memory `Tcp` that delivers the input in the same chunks, on a
//!    store in memory, for up to [`SERVER_STEPS`] steps: no panic, what
//!    it wrote (if anything) starts with a status line, and the
//!    connection ends.
//!
//! It prints the executions, executions per second, and how many inputs
//! gave each distinct outcome class. An input that breaks a check is
//! written to `target/fuzz-http/` and the run fails. `--write-corpus DIR`
//! writes, for each outcome class, the smallest input that gave it, and
//! `DIR/outcomes.txt` with each one's parse (the corpus test of exercise
//! 12's host tests checks them).
//! `--replay FILE` runs the checks on one input, whole, and prints them.

// The fakes and the outcome classes are the exercise's host tests' own
// (exercise 12 holds fledge-http's tests); they name the crate `http`.
extern crate fledge_http as http;

#[path = "../../../exercises/12-website/tests/cases/host/common/fakes.rs"]
mod fakes;
#[path = "../../../exercises/12-website/tests/cases/host/common/outcome.rs"]
mod outcome;

use std::collections::BTreeMap;
use std::panic;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as WallInstant};

use http::Config;
use http::request::{self, HttpError, Request};

/// One execution in this many also runs the server.
const SERVER_EVERY: u64 = 64;
/// The most steps a server run may take before the connection must end.
const SERVER_STEPS: usize = 400;
/// The longest input the mutations make.
const MAX_LEN: usize = 4096;

/// The seeds: requests good and bad, one of each kind the parser knows.
const SEEDS: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /about HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"HEAD /history HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
    b"GET /at/1/welcome?x=y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"PUT /notes HTTP/1.1\r\nHost: x\r\nX-Author: ada\r\nX-Message: hi\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /about HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
    b"PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"PUT /p HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
    b"GET / HTTP/1.1\nHost: x\n\n",
    b"GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    b"DELETE /notes HTTP/1.1\r\nHost: x\r\n\r\n",
    b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://example/ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    b"PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
];

/// Bytes that matter to the parser, for insertions.
const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\r",
    b"\n",
    b" ",
    b"\t",
    b":",
    b"\0",
    b"\x7f",
    b"\xff",
    b"Content-Length: ",
    b"Content-Length: 0\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Connection: close\r\n",
    b"Host: y\r\n",
    b"HTTP/1.1",
    b"HTTP/1.0",
    b"99999999999999999999",
    b"GET ",
    b"/",
    b"%00",
    b"\r\n\r\n",
];

/// SplitMix64: small, fast, and the same sequence for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (which is not 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Changes `input` once, at random.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let len = input.len();
    match rng.below(8) {
        0 if len > 0 => {
            let at = rng.below(len);
            input[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            input[at] = rng.next() as u8;
        }
        2 => {
            let token = TOKENS[rng.below(TOKENS.len())];
            let at = rng.below(len + 1);
            input.splice(at..at, token.iter().copied());
        }
        3 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(16));
            input.drain(at..at + n);
        }
        4 => {
            // A splice: this input's start, another's end.
            let other = &corpus[rng.below(corpus.len())];
            let (cut, from) = (rng.below(len + 1), rng.below(other.len() + 1));
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        5 => {
            // A line repeated: a header field many times, or a long line.
            let lines: Vec<usize> =
                input.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect();
            if lines.len() >= 2 {
                let i = rng.below(lines.len() - 1);
                let line = input[lines[i]..lines[i + 1]].to_vec();
                let most = if rng.below(4) == 0 { 100 } else { 4 };
                let times = 1 + rng.below(most);
                let copies: Vec<u8> = line.iter().copied().cycle().take(line.len() * times).collect();
                input.splice(lines[i]..lines[i], copies);
            }
        }
        6 if len > 0 => {
            // Random bytes inserted.
            let at = rng.below(len + 1);
            let bytes: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
            input.splice(at..at, bytes);
        }
        _ if len > 0 => input.truncate(rng.below(len)),
        _ => {}
    }
    input.truncate(MAX_LEN);
}

/// Random cut points into `len` bytes, ascending, ending at `len`.
fn chunks(rng: &mut Rng, len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = match rng.below(4) {
        // Sometimes one byte at a time, the slowest client there is.
        0 if len <= 512 => (1..len).collect(),
        _ => (0..rng.below(8)).map(|_| rng.below(len + 1)).collect(),
    };
    cuts.push(len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

type Parsed = Result<Option<(Request, usize)>, HttpError>;

/// Checks 1 to 3 on `input`; the parse of the whole, or why it failed.
fn check_parser(input: &[u8], cuts: &[usize]) -> Result<Parsed, String> {
    let whole = panic::catch_unwind(|| request::parse(input)).map_err(|_| "parse panicked".to_string())?;
    for &cut in cuts {
        let part = panic::catch_unwind(|| request::parse(&input[..cut]))
            .map_err(|_| format!("parse panicked on the first {cut} bytes"))?;
        if matches!(part, Ok(None)) {
            continue;
        }
        if part != whole {
            return Err(format!("the first {cut} bytes parse as {part:?}, the whole as {whole:?}"));
        }
    }
    if let Ok(Some((request, consumed))) = &whole {
        let exact = request::parse(&input[..*consumed]);
        if exact != Ok(Some((request.clone(), *consumed))) {
            return Err(format!("consumed {consumed}, but those bytes parse as {exact:?}"));
        }
    }
    Ok(whole)
}

/// Check 4: a server over [`OnePeer`].
fn check_server(input: &[u8], cuts: &[usize]) -> Result<(), String> {
    // A step is a millisecond here: the times are short enough for every
    // connection to end within the steps.
    let ms = Duration::from_millis;
    let config = Config { request_deadline: ms(50), idle_timeout: ms(50), linger: ms(50), ..Config::new(80) };
    let run = panic::catch_unwind(|| fakes::serve_one(input, cuts, config, SERVER_STEPS));
    let tcp = run.map_err(|_| "the server panicked".to_string())?;
    if !tcp.closed {
        return Err(format!("the connection was not closed in {SERVER_STEPS} steps"));
    }
    if !tcp.written.is_empty() && !tcp.written.starts_with(b"HTTP/1.1 ") {
        return Err("the server wrote something that is not an answer".to_string());
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut numbers = args.iter().take_while(|arg| !arg.starts_with("--")).map(|arg| arg.replace('_', "").parse());
    let executions: u64 = numbers.next().map_or(1_000_000, |n| n.expect("EXECUTIONS is a number"));
    let seed: u64 = numbers.next().map_or(0x0f1e_d9e5, |n| n.expect("SEED is a number"));
    let write_corpus = args.iter().position(|arg| arg == "--write-corpus").map(|i| PathBuf::from(&args[i + 1]));

    if let Some(i) = args.iter().position(|arg| arg == "--replay") {
        let input = std::fs::read(&args[i + 1]).expect("the input to replay can be read");
        let cuts = [input.len()];
        println!("parse: {:?}", check_parser(&input, &cuts).map(|parsed| outcome::class(&parsed)));
        println!("server: {:?}", check_server(&input, &cuts));
        return;
    }
    // A caught panic would print its message each time: keep the count
    // instead.
    panic::set_hook(Box::new(|_| {}));
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises/12-website/tests/cases/host/corpus");
    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|seed| seed.to_vec()).collect();
    if let Ok(entries) = std::fs::read_dir(&corpus_dir) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        files.sort();
        corpus.extend(files.iter().filter(|f| f.extension().is_some_and(|e| e == "http")).flat_map(std::fs::read));
    }
    let seeds = corpus.len();

    let mut rng = Rng(seed);
    let mut classes: BTreeMap<String, (u64, Vec<u8>)> = BTreeMap::new();
    let mut failures = 0u64;
    let start = WallInstant::now();
    for execution in 0..executions {
        let mut input = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut input, &corpus);
        }
        let cuts = chunks(&mut rng, input.len());
        let mut verdict = check_parser(&input, &cuts);
        if verdict.is_ok() && execution % SERVER_EVERY == 0 {
            verdict = check_server(&input, &cuts).and(verdict);
        }
        match verdict {
            Ok(parsed) => {
                let class = outcome::class(&parsed);
                let entry = classes.entry(class).or_insert_with(|| (0, input.clone()));
                if entry.0 == 0 {
                    // A new outcome: the input joins the corpus.
                    corpus.push(input.clone());
                }
                entry.0 += 1;
                if input.len() < entry.1.len() {
                    entry.1 = input;
                }
            }
            Err(why) => {
                failures += 1;
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-http");
                let _ = std::fs::create_dir_all(&dir);
                let file = dir.join(format!("failure-{seed}-{execution}.http"));
                let _ = std::fs::write(&file, &input);
                eprintln!("execution {execution}: {why}\n  input written to {}", file.display());
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();

    println!("executions:        {executions}");
    println!("seconds:           {elapsed:.1}");
    println!("executions/s:      {:.0}", executions as f64 / elapsed);
    println!("server runs:       {}", executions.div_ceil(SERVER_EVERY));
    println!("corpus:            {seeds} seeds, {} after new outcomes", corpus.len());
    println!("failures:          {failures}");
    println!("distinct outcomes: {}", classes.len());
    for (class, (count, _)) in &classes {
        println!("  {count:>10}  {class}");
    }

    if let Some(dir) = write_corpus {
        std::fs::create_dir_all(&dir).expect("the corpus folder can be made");
        let mut manifest = String::new();
        for (i, (class, (_, smallest))) in classes.iter().enumerate() {
            let slug: String =
                class.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
            let slug: String = slug.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-");
            let name = format!("min-{i:02}-{slug}.http");
            std::fs::write(dir.join(&name), smallest).expect("a corpus file can be written");
            manifest.push_str(&format!("{name}\t{}\n", outcome::detail(smallest)));
        }
        std::fs::write(dir.join("outcomes.txt"), manifest).expect("the manifest can be written");
        println!("wrote {} inputs and outcomes.txt to {}", classes.len(), dir.display());
    }
    if failures > 0 {
        std::process::exit(1);
    }
}
