//! A commit as bytes: the contents of one tar member, readable as text.
//!
//! `tar xOf disk.img '000002 add about'` prints a commit as it is stored:
//!
//! ```text
//! fledge-commit 000002
//! parents 000001
//! time 1764547200
//! author ada
//! message add about
//! set 10 11
//! about.html
//! <p>About me
//! remove 9
//! news.html
//! crc32c 8a1f03c2
//! ```
//!
//! Keys and values are byte strings, so each is written after a line that
//! gives its length, and followed by a line break that is not part of it;
//! a value with line breaks or bytes that are not text reads back exactly.
//! The last line is the CRC-32C of every byte before it, in hex. Tar
//! checks nothing of a member's contents; this line is how the store
//! tells a commit that reached the disk whole from one a power cut tore.
//!
//! The member's *name* is the commit id and the first 93 bytes of the
//! message ([`member_name`]), so that `tar tvf` reads like `git log
//! --oneline`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use fledge_api::store::{Change, Commit, CommitId};

use crate::crc32c::crc32c;
use crate::ustar::NAME_LEN;

/// Why bytes read back are not a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// The CRC-32C line does not match the bytes before it: a torn or
    /// damaged member.
    Checksum {
        /// The CRC the last line states.
        stored: u32,
        /// The CRC of the bytes before it.
        computed: u32,
    },
    /// The bytes do not follow the format; the text names the line.
    Syntax(&'static str),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Checksum { stored, computed } => {
                write!(f, "contents CRC-32C {stored:08x} stored, {computed:08x} computed: torn or damaged")
            }
            RecordError::Syntax(what) => write!(f, "not a commit record: {what}"),
        }
    }
}

impl core::error::Error for RecordError {}

/// The name of commit `id`'s tar member: its six-digit id, a space, and
/// the message with every byte that is not printable ASCII, and `/`, made
/// `_` (a `/` would make tar read a folder), cut to fit 100 bytes.
///
/// ```
/// use fledge_api::CommitId;
/// use fledge_store::record::member_name;
///
/// assert_eq!(member_name(CommitId(7), "fix index/about links"), b"000007 fix index_about links");
/// ```
pub fn member_name(id: CommitId, message: &str) -> Vec<u8> {
    let mut name = alloc::format!("{id} ").into_bytes();
    let room = NAME_LEN - name.len();
    name.extend(message.bytes().take(room).map(|b| if (0x20..0x7f).contains(&b) && b != b'/' { b } else { b'_' }));
    if name.len() == 7 {
        // An empty message: no trailing space in the listing.
        name.pop();
    }
    name
}

/// The commit id a member name starts with, if it starts with six digits.
pub fn id_of_name(name: &[u8]) -> Option<CommitId> {
    let digits = name.get(..6)?;
    if !digits.iter().all(u8::is_ascii_digit) || name.get(6).is_some_and(|&b| b != b' ') {
        return None;
    }
    let id = digits.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    Some(CommitId(id))
}

/// Writes `commit` in the format above.
pub fn encode(commit: &Commit) -> Vec<u8> {
    use core::fmt::Write;
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(text, "fledge-commit {}", commit.id);
    text.push_str("parents");
    for parent in &commit.parents {
        let _ = write!(text, " {parent}");
    }
    let _ = writeln!(text, "\ntime {}\nauthor {}\nmessage {}", commit.time, commit.author, commit.message);
    let mut bytes = text.into_bytes();
    for change in &commit.changes {
        match change {
            Change::Set { key, value } => {
                bytes.extend_from_slice(alloc::format!("set {} {}\n", key.len(), value.len()).as_bytes());
                bytes.extend_from_slice(key);
                bytes.push(b'\n');
                bytes.extend_from_slice(value);
                bytes.push(b'\n');
            }
            Change::Remove { key } => {
                bytes.extend_from_slice(alloc::format!("remove {}\n", key.len()).as_bytes());
                bytes.extend_from_slice(key);
                bytes.push(b'\n');
            }
        }
    }
    let crc = crc32c(&bytes);
    bytes.extend_from_slice(alloc::format!("crc32c {crc:08x}\n").as_bytes());
    bytes
}

/// Reads a commit back from `bytes`, checking its CRC first.
pub fn decode(bytes: &[u8]) -> Result<Commit, RecordError> {
    let body = checked_body(bytes)?;
    let mut reader = Reader { rest: body };
    let id = reader.field(b"fledge-commit ")?;
    let id = id_of_name(id).filter(|_| id.len() == 6).ok_or(RecordError::Syntax("the first line's commit id"))?;
    let parents = reader.field(b"parents")?;
    let parents = parents
        .split(|&b| b == b' ')
        .filter(|word| !word.is_empty())
        .map(|word| id_of_name(word).filter(|_| word.len() == 6))
        .collect::<Option<Vec<_>>>()
        .ok_or(RecordError::Syntax("the parents line"))?;
    let time = number(reader.field(b"time ")?).ok_or(RecordError::Syntax("the time line"))?;
    let author = text(reader.field(b"author ")?).ok_or(RecordError::Syntax("the author line"))?;
    let message = text(reader.field(b"message ")?).ok_or(RecordError::Syntax("the message line"))?;
    let mut changes = Vec::new();
    while !reader.rest.is_empty() {
        let line = reader.line()?;
        if let Some(sizes) = line.strip_prefix(b"set ") {
            let mut sizes = sizes.split(|&b| b == b' ').map(number);
            let (Some(Some(key)), Some(Some(value)), None) = (sizes.next(), sizes.next(), sizes.next()) else {
                return Err(RecordError::Syntax("a set line"));
            };
            let key = reader.bytes(key)?.to_vec();
            let value = reader.bytes(value)?.to_vec();
            changes.push(Change::Set { key, value });
        } else if let Some(size) = line.strip_prefix(b"remove ") {
            let size = number(size).ok_or(RecordError::Syntax("a remove line"))?;
            changes.push(Change::Remove { key: reader.bytes(size)?.to_vec() });
        } else {
            return Err(RecordError::Syntax("a change line that is neither set nor remove"));
        }
    }
    Ok(Commit { id, parents, time, author, message, changes })
}

/// The bytes before the last line, once the last line's CRC matches them.
fn checked_body(bytes: &[u8]) -> Result<&[u8], RecordError> {
    let trimmed = bytes.strip_suffix(b"\n").ok_or(RecordError::Syntax("no line break at the end"))?;
    let start = trimmed.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
    let (body, last) = bytes.split_at(start);
    let hex = last
        .strip_prefix(b"crc32c ")
        .and_then(|hex| hex.strip_suffix(b"\n"))
        .filter(|hex| hex.len() == 8 && hex.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)))
        .ok_or(RecordError::Syntax("the last line is not `crc32c` and 8 lower-case hex digits"))?;
    let stored = core::str::from_utf8(hex)
        .ok()
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or(RecordError::Syntax("the CRC is not hex"))?;
    let computed = crc32c(body);
    if stored != computed {
        return Err(RecordError::Checksum { stored, computed });
    }
    Ok(body)
}

/// Reads lines and counted byte strings off the front of a record.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn line(&mut self) -> Result<&'a [u8], RecordError> {
        let end = self.rest.iter().position(|&b| b == b'\n').ok_or(RecordError::Syntax("a line with no end"))?;
        let line = &self.rest[..end];
        self.rest = &self.rest[end + 1..];
        Ok(line)
    }

    /// The rest of the next line, which must start with `name`.
    fn field(&mut self, name: &'static [u8]) -> Result<&'a [u8], RecordError> {
        self.line()?.strip_prefix(name).ok_or(RecordError::Syntax("a header line missing or out of order"))
    }

    /// `len` bytes and the line break after them.
    fn bytes(&mut self, len: usize) -> Result<&'a [u8], RecordError> {
        if self.rest.get(len) != Some(&b'\n') {
            return Err(RecordError::Syntax("a key or value longer than the record"));
        }
        let bytes = &self.rest[..len];
        self.rest = &self.rest[len + 1..];
        Ok(bytes)
    }
}

fn number<T: core::str::FromStr>(digits: &[u8]) -> Option<T> {
    core::str::from_utf8(digits).ok().filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?.parse().ok()
}

fn text(bytes: &[u8]) -> Option<String> {
    String::from_utf8(bytes.to_vec()).ok()
}

#[cfg(test)]
mod test {
    use alloc::vec;

    use super::*;

    fn commit() -> Commit {
        Commit {
            id: CommitId(2),
            parents: vec![CommitId(1)],
            time: 1_764_547_200,
            author: "ada".into(),
            message: "add about".into(),
            changes: vec![Change::set("about.html", "<p>About me"), Change::remove("news.html")],
        }
    }

    #[test]
    fn a_commit_reads_back_as_it_was_written() {
        let bytes = encode(&commit());
        assert_eq!(decode(&bytes), Ok(commit()));
        let text = core::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with("fledge-commit 000002\nparents 000001\ntime 1764547200\nauthor ada\n"), "{text}");
        assert!(text.contains("set 10 11\nabout.html\n<p>About me\nremove 9\nnews.html\ncrc32c "), "{text}");
    }

    #[test]
    fn binary_values_and_line_breaks_survive() {
        let mut odd = commit();
        odd.parents.clear();
        odd.changes = vec![Change::set(&b"k\n\0"[..], (0..=255u8).collect::<Vec<_>>()), Change::set("e", "")];
        assert_eq!(decode(&encode(&odd)), Ok(odd));
    }

    #[test]
    fn any_changed_byte_is_caught() {
        let bytes = encode(&commit());
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x20;
            assert!(decode(&bad).is_err(), "a flip at byte {at} went unseen");
        }
        assert!(decode(&bytes[..bytes.len() - 1]).is_err(), "cut short");
        assert!(decode(&[]).is_err());
    }

    #[test]
    fn names_are_ids_and_messages() {
        assert_eq!(member_name(CommitId(1), ""), b"000001");
        let long = "x".repeat(200);
        assert_eq!(member_name(CommitId(1), &long).len(), NAME_LEN);
        assert_eq!(member_name(CommitId(3), "café"), b"000003 caf__");
        assert_eq!(id_of_name(b"000003 caf__"), Some(CommitId(3)));
        assert_eq!(id_of_name(b"000003"), Some(CommitId(3)));
        assert_eq!(id_of_name(b"00003 x"), None);
        assert_eq!(id_of_name(b"notes.txt"), None);
    }
}
