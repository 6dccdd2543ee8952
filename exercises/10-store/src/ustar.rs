//! The ustar header: 512 bytes in front of every member of a tar archive.
//!
//! POSIX.1-1988 fixed the layout, and every `tar` since reads it. Text
//! fields are NUL-padded; numbers are octal digits in ASCII, ended by a
//! NUL (or a space). The header checksum is the sum of all 512 bytes,
//! taken with the checksum field itself read as eight spaces; it covers
//! the header only, never the member's contents.
//!
//! ```text
//! offset  size  field          offset  size  field
//!      0   100  name              257     6  magic "ustar\0"
//!    100     8  mode              263     2  version "00"
//!    108     8  uid               265    32  uname
//!    116     8  gid               297    32  gname
//!    124    12  size              329     8  devmajor
//!    136    12  mtime             337     8  devminor
//!    148     8  checksum          345   155  prefix
//!    156     1  typeflag          500    12  (padding)
//!    157   100  linkname
//! ```
//!
//! An archive ends with two blocks of zeros. A reader that meets a block
//! of zeros where a header should be stops there.

use core::fmt;

/// The size of a header, and of the blocks member contents are padded to.
pub const BLOCK: usize = 512;

/// The longest name a header holds in its `name` field alone.
pub const NAME_LEN: usize = 100;

/// The largest size the 12-byte octal field can state: 8 GiB - 1.
pub const MAX_SIZE: u64 = 0o77_777_777_777;

const NAME: core::ops::Range<usize> = 0..100;
const MODE: core::ops::Range<usize> = 100..108;
const UID: core::ops::Range<usize> = 108..116;
const GID: core::ops::Range<usize> = 116..124;
const SIZE: core::ops::Range<usize> = 124..136;
const MTIME: core::ops::Range<usize> = 136..148;
const CHECKSUM: core::ops::Range<usize> = 148..156;
const TYPEFLAG: usize = 156;
const MAGIC: core::ops::Range<usize> = 257..263;
const VERSION: core::ops::Range<usize> = 263..265;

/// `typeflag` of a regular file.
pub const REGULAR: u8 = b'0';

/// What a header says about its member, as far as the store uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The member's name (at most [`NAME_LEN`] bytes, no NUL).
    pub name: &'a [u8],
    /// The size of its contents in bytes.
    pub size: u64,
    /// Its modification time, in seconds since 1970.
    pub mtime: u64,
    /// Its type: [`REGULAR`] for the store's members.
    pub typeflag: u8,
}

/// Why a block is not a header the store can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// All 512 bytes are zero: the end of the archive.
    End,
    /// The checksum does not match the bytes: a torn or overwritten block.
    Checksum {
        /// What the header says.
        stored: u32,
        /// What its bytes add up to.
        computed: u32,
    },
    /// No `ustar` magic: not a ustar header.
    Magic,
    /// A numeric field holds something other than octal digits.
    Number,
    /// The name is too long, empty, or holds a NUL.
    Name,
    /// The size does not fit the field.
    TooLarge,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::End => f.write_str("a block of zeros: the end of the archive"),
            HeaderError::Checksum { stored, computed } => {
                write!(f, "header checksum {stored:o} stored, {computed:o} computed: a torn or overwritten header")
            }
            HeaderError::Magic => f.write_str("no `ustar` magic: not a ustar header"),
            HeaderError::Number => f.write_str("a numeric field holds something other than octal digits"),
            HeaderError::Name => f.write_str("the name is empty, longer than 100 bytes, or holds a NUL"),
            HeaderError::TooLarge => f.write_str("the size does not fit a ustar header"),
        }
    }
}

impl core::error::Error for HeaderError {}

/// Writes `value` into `field` as octal digits, zero-padded, ending in
/// a NUL. `None` when it does not fit.
fn put_octal(field: &mut [u8], value: u64) -> Option<()> {
    let digits = field.len() - 1;
    if digits < 22 && value >> (3 * digits) != 0 {
        return None;
    }
    for (i, byte) in field[..digits].iter_mut().enumerate() {
        let shift = 3 * (digits - 1 - i);
        *byte = b'0' + ((value >> shift) & 7) as u8;
    }
    field[digits] = 0;
    Some(())
}

/// Reads octal digits from `field`, skipping leading spaces and stopping
/// at the first NUL or space after them.
fn get_octal(field: &[u8]) -> Result<u64, HeaderError> {
    let start = field.iter().position(|&b| b != b' ').unwrap_or(field.len());
    let mut value: u64 = 0;
    for &byte in &field[start..] {
        match byte {
            b'0'..=b'7' => value = value.checked_mul(8).ok_or(HeaderError::Number)? + u64::from(byte - b'0'),
            0 | b' ' => break,
            _ => return Err(HeaderError::Number),
        }
    }
    Ok(value)
}

/// The sum of `block`'s bytes with the checksum field read as spaces.
pub fn checksum(block: &[u8; BLOCK]) -> u32 {
    block.iter().enumerate().map(|(i, &b)| if CHECKSUM.contains(&i) { u32::from(b' ') } else { u32::from(b) }).sum()
}

/// Fills `block` with a ustar header for `header`: mode 0644, owner 0,
/// owner names "fledge". Everything else is zero.
pub fn write(header: &Header<'_>, block: &mut [u8; BLOCK]) -> Result<(), HeaderError> {
    let name = header.name;
    if name.is_empty() || name.len() > NAME_LEN || name.contains(&0) {
        return Err(HeaderError::Name);
    }
    if header.size > MAX_SIZE {
        return Err(HeaderError::TooLarge);
    }
    block.fill(0);
    block[..name.len()].copy_from_slice(name);
    let fields = [(MODE, 0o644), (UID, 0), (GID, 0), (SIZE, header.size), (MTIME, header.mtime)];
    for (range, value) in fields {
        put_octal(&mut block[range], value).ok_or(HeaderError::TooLarge)?;
    }
    block[TYPEFLAG] = header.typeflag;
    block[MAGIC].copy_from_slice(b"ustar\0");
    block[VERSION].copy_from_slice(b"00");
    block[265..271].copy_from_slice(b"fledge");
    block[297..303].copy_from_slice(b"fledge");
    // Six digits, a NUL and a space: the form tar itself writes.
    let sum = checksum(block);
    put_octal(&mut block[CHECKSUM.start..CHECKSUM.start + 7], u64::from(sum)).ok_or(HeaderError::TooLarge)?;
    block[CHECKSUM.end - 1] = b' ';
    Ok(())
}

/// The header in `block`, checked: the end of the archive, a bad
/// checksum, or not ustar are errors.
pub fn read(block: &[u8; BLOCK]) -> Result<Header<'_>, HeaderError> {
    if block.iter().all(|&b| b == 0) {
        return Err(HeaderError::End);
    }
    let stored = get_octal(&block[CHECKSUM])?;
    let computed = checksum(block);
    if stored != u64::from(computed) {
        return Err(HeaderError::Checksum { stored: stored as u32, computed });
    }
    if &block[MAGIC] != b"ustar\0" {
        return Err(HeaderError::Magic);
    }
    let name = &block[NAME];
    let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(NAME_LEN)];
    if name.is_empty() {
        return Err(HeaderError::Name);
    }
    Ok(Header { name, size: get_octal(&block[SIZE])?, mtime: get_octal(&block[MTIME])?, typeflag: block[TYPEFLAG] })
}

/// How many 512-byte blocks contents of `size` bytes take, padded.
pub fn blocks_for(size: u64) -> u64 {
    size.div_ceil(BLOCK as u64)
}

#[cfg(test)]
mod test {
    use super::*;

    fn header(name: &[u8], size: u64) -> Header<'_> {
        Header { name, size, mtime: 1_700_000_000, typeflag: REGULAR }
    }

    #[test]
    fn a_header_round_trips() {
        let mut block = [0u8; BLOCK];
        write(&header(b"000001 first commit", 1234), &mut block).unwrap();
        assert_eq!(read(&block), Ok(header(b"000001 first commit", 1234)));
        assert_eq!(&block[124..136], b"00000002322\0", "the size in octal, NUL-ended");
        assert_eq!(&block[155..156], b" ", "the checksum field ends with a space, as tar writes it");
    }

    #[test]
    fn any_changed_byte_breaks_the_checksum() {
        let mut block = [0u8; BLOCK];
        write(&header(b"x", 1), &mut block).unwrap();
        for i in (0..BLOCK).filter(|i| !CHECKSUM.contains(i)) {
            let mut torn = block;
            torn[i] ^= 0x40;
            assert!(
                matches!(read(&torn), Err(HeaderError::Checksum { .. })),
                "byte {i} changed and the header still reads"
            );
        }
    }

    #[test]
    fn zeros_end_the_archive_and_bad_fields_are_refused() {
        assert_eq!(read(&[0; BLOCK]), Err(HeaderError::End));
        let mut block = [0u8; BLOCK];
        assert_eq!(write(&header(b"", 1), &mut block), Err(HeaderError::Name));
        assert_eq!(write(&header(&[b'a'; 101], 1), &mut block), Err(HeaderError::Name));
        assert_eq!(write(&header(b"a\0b", 1), &mut block), Err(HeaderError::Name));
        assert_eq!(write(&header(b"big", MAX_SIZE + 1), &mut block), Err(HeaderError::TooLarge));
        write(&header(b"big", MAX_SIZE), &mut block).unwrap();
        assert_eq!(read(&block).unwrap().size, MAX_SIZE);
        assert_eq!(blocks_for(0), 0);
        assert_eq!(blocks_for(1), 1);
        assert_eq!(blocks_for(512), 1);
        assert_eq!(blocks_for(513), 2);
    }
}
