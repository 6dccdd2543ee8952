//! Guest text, made safe to show on a terminal.
//!
//! A kernel's output is whatever bytes it wrote: invalid UTF-8, NUL, and
//! escape sequences that a terminal would obey (clear the screen, change
//! colours, set the window title). The scorecard quotes a guest's test
//! names and diagnostics, and `--verbose` streams its output. Both go
//! through here first, so that such bytes are shown, as `\u{1b}` and the
//! like, and never acted on. The saved log keeps the raw bytes: it is the
//! evidence.

/// `text` with every control character but tab written as a Rust escape.
pub fn line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A chunk of raw output for a terminal: invalid UTF-8 becomes `\xNN`,
/// control characters are escaped, line ends are kept.
pub fn bytes(raw: &[u8]) -> String {
    let mut out = String::new();
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' | '\t' => out.push(c),
                '\r' => {}
                c if c.is_control() => out.extend(c.escape_default()),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(line("\u{1b}[2Jred\0\u{7}"), "\\u{1b}[2Jred\\u{0}\\u{7}");
        assert_eq!(line("plain text\twith a tab"), "plain text\twith a tab");
    }

    #[test]
    fn raw_bytes_keep_their_lines() {
        assert_eq!(bytes(b"ok\r\n\xff\x1b[31mx\n"), "ok\n\\xff\\u{1b}[31mx\n");
    }
}
