//! What a page fault says about itself.
//!
//! On a page fault the CPU leaves two clues. The faulting address, the one
//! the instruction tried to use, goes into control register CR2. An error
//! code goes onto the stack, and its low bits say what kind of access it
//! was and why it failed:
//!
//! | bit | set means                                      | clear means            |
//! |-----|------------------------------------------------|------------------------|
//! | 0   | the page was present: a protection violation   | the page was not present |
//! | 1   | the access was a write                         | a read                 |
//! | 2   | the CPU was in user mode (ring 3)              | kernel mode            |
//! | 3   | a page-table entry has a reserved bit set      |                        |
//! | 4   | the access was an instruction fetch            |                        |
//!
//! (Intel SDM volume 3, section 4.7. Later bits cover protection keys,
//! shadow stacks and SGX, which Fledge does not use.)

use core::fmt;

/// The kind of access that faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// Fetching an instruction.
    Execute,
}

/// A page fault, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageFault {
    /// The address that faulted, from CR2.
    pub address: u64,
    /// What the instruction was doing.
    pub access: Access,
    /// Whether the page was present (the access broke a protection rule)
    /// or not (nothing is mapped there).
    pub present: bool,
    /// Whether the CPU was running user code.
    pub user: bool,
    /// Whether a page-table entry had a reserved bit set: a corrupt table.
    pub reserved_bit: bool,
}

// ANCHOR: decode
impl PageFault {
    /// Decodes the CPU's error code for a fault at `address`.
    pub fn decode(address: u64, error_code: u64) -> PageFault {
        let bit = |n: u32| error_code & (1 << n) != 0;
        let access = if bit(4) {
            Access::Execute
        } else if bit(1) {
            Access::Write
        } else {
            Access::Read
        };
        PageFault { address, access, present: bit(0), user: bit(2), reserved_bit: bit(3) }
    }
}
// ANCHOR_END: decode

// ANCHOR: display
/// `page fault at 0x00000deadbeef000: read of a not-present page in kernel
/// mode`, with ` (a page table has a reserved bit set)` at the end when that
/// bit is set. The address has 16 hex digits; the access is `read`, `write`
/// or `instruction fetch`; the page `not-present` or `protected`; the mode
/// `kernel` or `user`.
impl fmt::Display for PageFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = match self.access {
            Access::Read => "read",
            Access::Write => "write",
            Access::Execute => "instruction fetch",
        };
        let page = if self.present { "protected" } else { "not-present" };
        let mode = if self.user { "user" } else { "kernel" };
        write!(f, "page fault at {:#018x}: {access} of a {page} page in {mode} mode", self.address)?;
        if self.reserved_bit {
            f.write_str(" (a page table has a reserved bit set)")?;
        }
        Ok(())
    }
}
// ANCHOR_END: display
