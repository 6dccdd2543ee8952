//! CRC-32C, the checksum of each member's contents.
//!
//! Tar checksums its headers only: a member whose contents were torn by
//! a power cut, or overwritten, reads back without complaint. So every
//! member of the store's log carries a checksum of its own contents, and
//! recovery recomputes it. CRC-32C (Castagnoli's polynomial, the one
//! iSCSI, ext4's metadata and SSE 4.2's `crc32` instruction use) catches
//! every burst of errors up to 32 bits long and all but one in 2^32 of
//! the rest; it is a guard against accidents, not against an attacker.
//!
//! The table is computed at compile time: 256 entries, one per byte value.

/// Castagnoli's polynomial, bit-reversed.
const POLY: u32 = 0x82F6_3B78;

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut crc = n as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ POLY } else { crc >> 1 };
            bit += 1;
        }
        table[n] = crc;
        n += 1;
    }
    table
};

/// A CRC-32C computed piece by piece: [`update`](Crc32c::update) with
/// each piece, then [`finish`](Crc32c::finish).
#[derive(Clone, Copy, Debug)]
pub struct Crc32c(u32);

impl Crc32c {
    /// The checksum of nothing yet.
    pub const fn new() -> Crc32c {
        Crc32c(!0)
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = TABLE[((self.0 ^ u32::from(byte)) & 0xFF) as usize] ^ (self.0 >> 8);
        }
    }

    /// The checksum of everything added.
    pub const fn finish(self) -> u32 {
        !self.0
    }
}

impl Default for Crc32c {
    fn default() -> Crc32c {
        Crc32c::new()
    }
}

/// The CRC-32C of `bytes`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = Crc32c::new();
    crc.update(bytes);
    crc.finish()
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn known_values() {
        // The check value of the CRC catalogue, and RFC 3720's (iSCSI)
        // test vectors: 32 bytes of zeros, of ones, and counting up.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFF; 32]), 0x62A8_AB43);
        let counting: [u8; 32] = core::array::from_fn(|i| i as u8);
        assert_eq!(crc32c(&counting), 0x46DD_794E);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn pieces_give_the_same_checksum_as_the_whole() {
        let data: [u8; 1000] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for split in [0, 1, 511, 512, 999, 1000] {
            let mut crc = Crc32c::new();
            crc.update(&data[..split]);
            crc.update(&data[split..]);
            assert_eq!(crc.finish(), crc32c(&data), "split at {split}");
        }
    }
}
