//! Base address registers: where a device's own registers are.
//!
//! An ordinary function (header type 0) has six 32-bit BARs, at offsets
//! 0x10 to 0x24. The firmware (SeaBIOS, in QEMU) has already given each an
//! address; the kernel reads them back. The low bits say what kind of
//! window it is:
//!
//! ```text
//! I/O BAR      31 ............................ 2   1   0
//!             │          port number           │ 0 │ 1 │
//!
//! memory BAR   31 ..................... 4    3     2..1     0
//!             │         address         │ pref │  type  │ 0 │
//!                                               00: 32-bit
//!                                               10: 64-bit, the next BAR
//!                                                   holds bits 63..32
//! ```
//!
//! Nothing states a BAR's size. The device says it by which address bits
//! it lets software change: write all ones, read back, and the bits that
//! stayed zero are the size's (a 16 KiB window ignores bits 13..4, so it
//! reads back `0xFFFF_C000` and the size is `!0xFFFF_C000 + 1`). Then
//! write the address back. While a BAR holds all ones the device would
//! answer at a nonsense address, so its decoding is off meanwhile (bits
//! 0 and 1 of the command register, offset 0x04).

use virtio_drivers::transport::pci::bus::{ConfigurationAccess, DeviceFunction};

/// The offset of BAR 0; BAR n is 4n bytes further.
pub const BAR0: u8 = 0x10;

/// How many BARs an ordinary function has.
pub const BAR_COUNT: u8 = 6;

/// The command register's offset; bits 0 (I/O) and 1 (memory) turn the
/// function's decoding of its windows on.
pub const COMMAND: u8 = 0x04;

/// One window of a function's registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    /// Registers in memory, reached with loads and stores.
    Memory {
        /// The physical address of the window.
        address: u64,
        /// Its size in bytes, a power of two.
        size: u64,
        /// Reads have no side effects, so they may be cached or merged.
        prefetchable: bool,
        /// A 64-bit BAR: it took this BAR's slot and the next one.
        wide: bool,
    },
    /// Registers in I/O space, reached with `in` and `out`.
    Io {
        /// The first port.
        port: u32,
        /// How many ports.
        size: u32,
    },
}

// ANCHOR: decode
/// Decodes a BAR from what it holds (`value`, and `high`, the next BAR,
/// used only for a 64-bit one) and what it read back after all ones were
/// written (`mask`, `mask_high`). `None` for a BAR the function does not
/// implement: every bit of it reads back zero.
pub fn decode(value: u32, high: u32, mask: u32, mask_high: u32) -> Option<Bar> {
    if mask == 0 {
        return None;
    }
    if value & 1 == 1 {
        // I/O space is 64 Ki ports: the upper half may read back zero.
        let mask = (mask & !0x3) | 0xFFFF_0000;
        return Some(Bar::Io { port: value & !0x3, size: (!mask).wrapping_add(1) });
    }
    let prefetchable = value & 0x8 != 0;
    let wide = (value >> 1) & 0x3 == 0b10;
    let (address, mask) = if wide {
        (u64::from(high) << 32 | u64::from(value & !0xF), u64::from(mask_high) << 32 | u64::from(mask & !0xF))
    } else {
        (u64::from(value & !0xF), 0xFFFF_FFFF_0000_0000 | u64::from(mask & !0xF))
    };
    Some(Bar::Memory { address, size: (!mask).wrapping_add(1), prefetchable, wide })
}
// ANCHOR_END: decode

/// What the register at `offset` reads back after all ones are written to
/// it; the old value is written back after.
fn probe(access: &mut impl ConfigurationAccess, function: DeviceFunction, offset: u8) -> u32 {
    let old = access.read_word(function, offset);
    access.write_word(function, offset, 0xFFFF_FFFF);
    let mask = access.read_word(function, offset);
    access.write_word(function, offset, old);
    mask
}

/// BAR `index` of `function`, decoded and sized: `None` when unused, and
/// for the upper half of a 64-bit BAR.
pub fn read_bar(access: &mut impl ConfigurationAccess, function: DeviceFunction, index: u8) -> Option<Bar> {
    assert!(index < BAR_COUNT, "BAR {index} does not exist: an ordinary function has BARs 0 to 5");
    let offset = BAR0 + 4 * index;
    let value = access.read_word(function, offset);
    let wide = value & 1 == 0 && (value >> 1) & 0x3 == 0b10 && index + 1 < BAR_COUNT;
    // Windows off while a BAR holds all ones; the status half of the
    // register is written as zero, which changes none of its bits.
    let command = access.read_word(function, COMMAND) & 0xFFFF;
    access.write_word(function, COMMAND, command & !0x3);
    let mask = probe(access, function, offset);
    let (high, mask_high) =
        if wide { (access.read_word(function, offset + 4), probe(access, function, offset + 4)) } else { (0, 0) };
    access.write_word(function, COMMAND, command);
    decode(value, high, mask, mask_high)
}

/// Every BAR of `function`, indexed by BAR number: a 64-bit BAR appears
/// at its first index and leaves the next `None`.
pub fn read_bars(access: &mut impl ConfigurationAccess, function: DeviceFunction) -> [Option<Bar>; BAR_COUNT as usize] {
    let mut bars = [None; BAR_COUNT as usize];
    let mut index = 0;
    while index < BAR_COUNT {
        let bar = read_bar(access, function, index);
        bars[index as usize] = bar;
        index += if matches!(bar, Some(Bar::Memory { wide: true, .. })) { 2 } else { 1 };
    }
    bars
}
