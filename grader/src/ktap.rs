//! Reading a KTAP stream from a guest's serial output.
//!
//! The guest's output is untrusted: it may be cut off, mixed with other
//! text, contain invalid UTF-8 or escape sequences. The parser therefore
//! never fails. It reads line by line (a line ends at `\n`, `\r\n` or a
//! lone `\r`), keeps what it recognises and treats the rest as output of
//! the test that is running. Lines before `KTAP version 1` are boot noise.
//!
//! The format written by `fledge-ktap`:
//!
//! ```text
//! KTAP version 1
//! # nonce: 5f0c3a9e11d2b470
//! 1..3
//! # run 1 hello_line
//! Hello from Fledge!
//! ok 1 hello_line
//! not ok 2 multi_line # panicked at src/print.rs:40:9: not yet implemented
//! ok 3 long_line # SKIP ran in an earlier boot
//! Bail out! something went wrong outside any test
//! ```

use fledge_ktap::ktap::{NONCE_PREFIX, RUN_PREFIX, VERSION_LINE};

/// One result line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Result {
    /// The test's number in the plan.
    pub number: usize,
    /// The test's name.
    pub name: String,
    /// `ok` (true) or `not ok` (false).
    pub ok: bool,
    /// `Some(reason)` for `# SKIP reason`.
    pub skip: Option<String>,
    /// The text after `#` of a `not ok` line.
    pub diagnostic: Option<String>,
    /// What the test printed between its `# run` marker and this line.
    pub output: Vec<String>,
}

/// What one boot said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stream {
    /// Whether `KTAP version 1` was seen.
    pub started: bool,
    /// The echoed nonce.
    pub nonce: Option<String>,
    /// The number of tests in the plan.
    pub plan: Option<usize>,
    /// The result lines, in order.
    pub results: Vec<Result>,
    /// A test whose `# run` marker was seen but no result: the one that was
    /// running when the output stopped. Its output so far is kept.
    pub unfinished: Option<(usize, String, Vec<String>)>,
    /// The reason of a `Bail out!` line.
    pub bail_out: Option<String>,
}

impl Stream {
    /// Parses a whole capture.
    pub fn parse(bytes: &[u8]) -> Stream {
        let mut stream = Stream::default();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if matches!(bytes[i], b'\n' | b'\r') {
                stream.line(&String::from_utf8_lossy(&bytes[start..i]));
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            i += 1;
        }
        // Text after the last line end is a line too, cut off; nothing after
        // it is no line at all.
        if start < bytes.len() {
            stream.line(&String::from_utf8_lossy(&bytes[start..]));
        }
        stream
    }

    fn line(&mut self, line: &str) {
        if !self.started {
            // A version line may follow boot noise on the same line.
            self.started = line.ends_with(VERSION_LINE);
            return;
        }
        if let Some(nonce) = line.strip_prefix(NONCE_PREFIX) {
            self.nonce.get_or_insert_with(|| nonce.trim().to_string());
        } else if let Some(rest) = line.strip_prefix(RUN_PREFIX) {
            if let Some((number, name)) = number_and_name(rest) {
                self.unfinished = Some((number, name.to_string(), Vec::new()));
            }
        } else if let Some(plan) = line.strip_prefix("1..").and_then(|n| n.trim().parse().ok()) {
            self.plan.get_or_insert(plan);
        } else if let Some(result) = parse_result(line) {
            self.finish(result);
        } else if let Some(why) = line.strip_prefix("Bail out!") {
            self.bail_out = Some(why.trim().to_string());
        } else if let Some((_, _, output)) = &mut self.unfinished {
            output.push(line.to_string());
        }
    }

    fn finish(&mut self, mut result: Result) {
        if let Some((number, _, output)) = self.unfinished.take()
            && number == result.number
        {
            result.output = output;
        }
        self.results.push(result);
    }
}

/// `ok 1 name`, `not ok 2 name # why`, `ok 3 name # SKIP why`.
fn parse_result(line: &str) -> Option<Result> {
    let (ok, rest) = match line.strip_prefix("ok ") {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix("not ok ")?),
    };
    let (head, directive) = match rest.split_once(" # ") {
        Some((head, directive)) => (head, Some(directive.trim())),
        None => (rest, None),
    };
    let (number, name) = number_and_name(head)?;
    let skip = directive.and_then(|d| {
        let upper = d.get(..4)?.to_ascii_uppercase();
        (upper == "SKIP").then(|| d[4..].trim().to_string())
    });
    let diagnostic = if skip.is_some() { None } else { directive.map(str::to_string) };
    Some(Result { number, name: name.to_string(), ok, skip, diagnostic, output: Vec::new() })
}

fn number_and_name(text: &str) -> Option<(usize, &str)> {
    let (number, name) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    Some((number.parse().ok()?, name.trim()))
}

#[cfg(test)]
mod test {
    use super::*;

    /// A stream written by the kernel side's own formatter.
    fn written_by_the_kernel_side() -> String {
        use fledge_ktap::ktap::{self, Outcome};
        let mut out = String::new();
        out.push_str("SeaBIOS noise\r\n");
        ktap::header(&mut out, "c0ffee", 3).unwrap();
        ktap::result(&mut out, 1, "first", Outcome::Skip("ran in an earlier boot")).unwrap();
        ktap::running(&mut out, 2, "second").unwrap();
        out.push_str("Hello\r\n\n");
        ktap::result(&mut out, 2, "second", Outcome::Pass).unwrap();
        ktap::running(&mut out, 3, "third").unwrap();
        out.push_str("partial");
        ktap::result(&mut out, 3, "third", Outcome::Fail(format_args!("panicked at a.rs:1:2: no\nway"))).unwrap();
        out
    }

    #[test]
    fn reads_what_the_kernel_side_writes() {
        let stream = Stream::parse(written_by_the_kernel_side().as_bytes());
        assert!(stream.started);
        assert_eq!(stream.nonce.as_deref(), Some("c0ffee"));
        assert_eq!(stream.plan, Some(3));
        assert_eq!(stream.results.len(), 2, "{stream:?}");
        let [first, second] = &stream.results[..] else { unreachable!() };
        assert!(first.ok);
        assert_eq!(first.skip.as_deref(), Some("ran in an earlier boot"));
        assert_eq!((second.number, second.name.as_str(), second.ok), (2, "second", true));
        assert_eq!(second.output, ["Hello", ""]);
        // The unterminated "partial" swallowed test 3's result line: to the
        // parser, test 3 is still running.
        let (number, name, output) = stream.unfinished.unwrap();
        assert_eq!((number, name.as_str()), (3, "third"));
        assert_eq!(output, ["partialnot ok 3 third # panicked at a.rs:1:2: no way"]);
    }

    #[test]
    fn failure_diagnostics_and_bail_out() {
        let stream = Stream::parse(b"KTAP version 1\n1..2\nnot ok 1 a # boom # more\nBail out! stopped\n");
        assert_eq!(stream.results[0].diagnostic.as_deref(), Some("boom # more"));
        assert!(!stream.results[0].ok);
        assert_eq!(stream.bail_out.as_deref(), Some("stopped"));
        assert_eq!(stream.nonce, None);
    }

    #[test]
    fn survives_garbage() {
        let mut bytes = b"\x00\xff\x1b[2J KTAP version 1\n".to_vec();
        bytes.extend_from_slice(b"1..x\nok\nok one\nnot ok\n\xff\xfe\n1..2\nok 1 a\n");
        let stream = Stream::parse(&bytes);
        assert!(stream.started);
        assert_eq!(stream.plan, Some(2));
        assert_eq!(stream.results.len(), 1);
        assert_eq!(Stream::parse(b""), Stream::default());
        assert!(!Stream::parse(b"ok 1 a\n").started);
    }

    #[test]
    fn lines_before_the_version_line_are_ignored() {
        let stream = Stream::parse(b"ok 1 fake\nKTAP version 1\n1..1\n");
        assert!(stream.results.is_empty());
    }

    #[test]
    fn any_line_end_will_do() {
        let unix = Stream::parse(b"KTAP version 1\n1..2\n# run 1 a\n\nok 1 a\nok 2 b\n");
        let dos = Stream::parse(b"KTAP version 1\r\n1..2\r\n# run 1 a\r\n\r\nok 1 a\r\nok 2 b\r\n");
        let old_mac = Stream::parse(b"KTAP version 1\r1..2\r# run 1 a\r\rok 1 a\rok 2 b\r");
        assert_eq!(unix.results.len(), 2);
        assert_eq!(unix.results[0].output, vec![String::new()], "an empty line is output too");
        assert_eq!(dos, unix);
        assert_eq!(old_mac, unix);
    }
}
