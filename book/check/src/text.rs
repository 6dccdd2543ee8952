//! What legitimately differs between two runs, and how a quote is compared
//! with a run.
//!
//! Two steps. [`normalise`] turns a command's output into the form the book
//! prints: no colours, the clone's path as `<your clone>`, the home folder
//! as `~`, and for standard error without cargo's `Compiling`/`Running`
//! lines. Blessing writes that form. [`mask`] then hides, on both sides of a
//! comparison, what changes from run to run by design: nonces and other
//! 16-digit hex numbers, timings with a fraction (`after 1.07s`,
//! `17.516µs`), thread ids, host heap addresses (`0x7f...`), gdb's port,
//! and how long ago something was graded. A `check:` marker can mask more
//! (`mask numbers`, `mask addresses`).

/// The options that widen the mask.
#[derive(Debug, Clone, Copy, Default)]
pub struct Masks {
    /// Every run of digits.
    pub numbers: bool,
    /// Every hex address (`0x...`, and hex runs of 8 digits or more).
    pub addresses: bool,
}

/// The lines of `raw` in the book's form.
pub fn normalise(raw: &str, root: &str, home: &str, stderr: bool) -> Vec<String> {
    let text = strip_ansi(&raw.replace("\r\n", "\n"));
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !(stderr && is_cargo_status(l)))
        .map(|l| {
            let mut l = l.trim_end().to_string();
            if !root.is_empty() {
                l = l.replace(root, "<your clone>");
            }
            if !home.is_empty() {
                l = l.replace(&format!("{home}/"), "~/");
            }
            l
        })
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Cargo's status lines: a word right-aligned in 12 columns (`   Compiling
/// x`, `     Running ...`), or a continuation under it.
fn is_cargo_status(line: &str) -> bool {
    const WORDS: [&str; 12] = [
        "Compiling",
        "Finished",
        "Running",
        "Blocking",
        "Checking",
        "Downloaded",
        "Downloading",
        "Locking",
        "Updating",
        "Fresh",
        "Adding",
        "Building",
    ];
    let Some(head) = line.get(..12) else { return false };
    let word = head.trim_start();
    head.starts_with(' ') && WORDS.contains(&word) && line[12..].starts_with(' ')
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A line with what varies between runs replaced by placeholders.
pub fn mask(line: &str, masks: Masks) -> String {
    let mut out = mask_tokens(&mask_qemu_count(line), masks);
    for (before, after) in [("(", ") panicked"), ("port ", ""), ("127.0.0.1:", "")] {
        out = mask_between(&out, before, after);
    }
    for unit in [" min ago", " h ago", " days ago"] {
        out = mask_number_before(&out, unit, "<when>");
    }
    out.replace("just now", "<when>")
}

/// Masks hex runs, fractional timings, `0x7f` host addresses, and (with
/// the options) every number or address, one token at a time.
fn mask_tokens(line: &str, masks: Masks) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if !boundary || !chars[i].is_ascii_alphanumeric() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = (i..chars.len()).find(|&k| !chars[k].is_ascii_alphanumeric()).unwrap_or(chars.len());
        let word: String = chars[i..end].iter().collect();
        let hex = word.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
        let digits = word.chars().all(|c| c.is_ascii_digit());
        if let Some(address) = word.strip_prefix("0x").filter(|a| !a.is_empty()) {
            if masks.addresses {
                out.push_str("0x<address>");
            } else if address.len() == 12 && address.starts_with("7f") {
                out.push_str("0x<host address>");
            } else if address.len() == 16 {
                out.push_str("0x<hex16>");
            } else {
                out.push_str(&word);
            }
        } else if hex && word.len() == 16 {
            out.push_str("<hex16>");
        } else if masks.addresses && hex && word.len() >= 8 && word.chars().any(|c| c.is_ascii_digit()) {
            out.push_str("<address>");
        } else if digits && chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
            // A number with a fraction: a timing if a unit follows.
            let frac_end = (end + 1..chars.len()).find(|&k| !chars[k].is_ascii_digit()).unwrap_or(chars.len());
            let unit_start = if chars.get(frac_end) == Some(&' ') { frac_end + 1 } else { frac_end };
            let unit_end = (unit_start..chars.len()).find(|&k| !chars[k].is_alphabetic()).unwrap_or(chars.len());
            let unit: String = chars[unit_start..unit_end].iter().collect();
            if ["s", "ms", "µs", "ns"].contains(&unit.as_str()) {
                out.push_str("<time>");
                i = unit_end;
                continue;
            }
            let number: String = chars[i..frac_end].iter().collect();
            out.push_str(if masks.numbers { "<n>" } else { &number });
            i = frac_end;
            continue;
        } else if masks.numbers && digits {
            out.push_str("<n>");
        } else if masks.numbers && word.starts_with(|c: char| c.is_ascii_digit()) {
            // `9.993884ms` splits into `9`, `.`, `993884ms`: a number with a unit.
            let unit = word.trim_start_matches(|c: char| c.is_ascii_digit());
            out.push_str("<n>");
            out.push_str(unit);
        } else {
            out.push_str(&word);
        }
        i = end;
    }
    out
}

/// QEMU's `-d int` numbers the interrupts it logs (`   113: v=27 ...`):
/// how many came before depends on timing.
fn mask_qemu_count(line: &str) -> String {
    let body = line.trim_start();
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && body[digits..].starts_with(": v=") {
        format!("<count>{}", &body[digits..])
    } else {
        line.to_string()
    }
}

/// Replaces the digits between `before` and `after` with `<n>` (with an
/// empty `after`: digits that end a word).
fn mask_between(line: &str, before: &str, after: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(before) {
        let (head, tail) = rest.split_at(at + before.len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let next = &tail[digits..];
        let ends = if after.is_empty() {
            !next.starts_with(|c: char| c.is_ascii_alphanumeric())
        } else {
            next.starts_with(after)
        };
        if digits > 0 && ends {
            out.push_str("<n>");
            rest = &tail[digits..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Replaces `N UNIT` with `WITH`.
fn mask_number_before(line: &str, unit: &str, with: &str) -> String {
    let Some(at) = line.find(unit) else { return line.to_string() };
    let head = &line[..at];
    let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return line.to_string();
    }
    format!("{}{with}{}", &head[..head.len() - digits], &line[at + unit.len()..])
}

/// Whether a line of a block is a gap: `...`, however indented.
pub fn is_gap(line: &str) -> bool {
    line.trim() == "..."
}

/// The first difference between a block and what the run gives, as
/// (line of the block, the book's line, the run's line), or `None`.
pub fn first_difference(book: &[String], run: &[String], masks: Masks) -> Option<(usize, String, String)> {
    let n = book.len().max(run.len());
    (0..n).find_map(|k| {
        let b = book.get(k).map(String::as_str).unwrap_or("(the block ends here)");
        let r = run.get(k).map(String::as_str).unwrap_or("(nothing more)");
        let same = match (book.get(k), run.get(k)) {
            (Some(b), Some(r)) if is_gap(b) || is_gap(r) => b.trim() == r.trim(),
            (Some(b), Some(r)) => mask(b, masks) == mask(r, masks),
            _ => false,
        };
        (!same).then(|| (k, b.to_string(), r.to_string()))
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn output_in_the_books_form() {
        let raw = "\u{1b}[1mExercise 01\u{1b}[0m  \r\nSerial log: /home/me/fledge/target/x.log\n   Compiling foo v0.1.0\n    Finished `dev`\nat /home/me/.cargo/registry/x.rs\n\n";
        assert_eq!(
            normalise(raw, "/home/me/fledge", "/home/me", true),
            vec!["Exercise 01", "Serial log: <your clone>/target/x.log", "at ~/.cargo/registry/x.rs"]
        );
        assert_eq!(normalise("   Compiling foo\n", "", "", false), vec!["   Compiling foo"]);
    }

    #[test]
    fn what_varies_is_masked() {
        let m = |l: &str| mask(l, Masks::default());
        assert_eq!(
            m("===== boot 3: from test 1, nonce a1bf6b43f2b777b1, Exited(35) after 1.07s ====="),
            "===== boot 3: from test 1, nonce <hex16>, Exited(35) after <time> ====="
        );
        assert_eq!(m("(0.15 s after the save)"), "(<time> after the save)");
        assert_eq!(
            m("thread 'cases::x' (1465) panicked at a.rs:130:1:"),
            "thread 'cases::x' (<n>) panicked at a.rs:130:1:"
        );
        assert_eq!(m("through VirtAddr(0x7f7c88005000)"), "through VirtAddr(0x<host address>)");
        assert_eq!(m("VirtAddr(0x300000100000) after 5s"), "VirtAddr(0x300000100000) after 5s");
        assert_eq!(
            m("  exercise-01  Hello   0/20  failed       8 min ago"),
            "  exercise-01  Hello   0/20  failed       <when>"
        );
        assert_eq!(m("a gdb server on port 42859."), "a gdb server on port <n>.");
        assert_eq!(m("target remote 127.0.0.1:42859'"), "target remote 127.0.0.1:<n>'");
        assert_eq!(m("tick rate 100.061 Hz"), "tick rate 100.061 Hz");
        assert_eq!(m("   113: v=27 e=0000 i=1"), "<count>: v=27 e=0000 i=1");
        let n = Masks { numbers: true, addresses: false };
        assert_eq!(
            mask("rate 100.061 Hz, interval 9.993884ms, 10 waits", n),
            "rate <n> Hz, interval <time>, <n> waits"
        );
        let a = Masks { numbers: false, addresses: true };
        assert_eq!(
            mask("IP=0008:0000010000006184 rsp 0x18000014dd0 line 77", a),
            "IP=0008:<hex16> rsp 0x<address> line 77"
        );
    }

    #[test]
    fn differences_are_found_line_by_line() {
        let s = |v: &[&str]| v.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let book = s(&["nonce 0123456789abcdef", "  ...", "ok 1 a"]);
        assert_eq!(first_difference(&book, &s(&["nonce fedcba9876543210", "...", "ok 1 a"]), Masks::default()), None);
        assert_eq!(
            first_difference(&book, &s(&["nonce fedcba9876543210", "...", "ok 1 b"]), Masks::default()),
            Some((2, "ok 1 a".into(), "ok 1 b".into()))
        );
        assert_eq!(
            first_difference(&book, &s(&["nonce fedcba9876543210"]), Masks::default()),
            Some((1, "  ...".into(), "(nothing more)".into()))
        );
    }
}
