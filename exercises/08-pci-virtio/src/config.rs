//! Configuration space through the legacy ports 0xCF8 and 0xCFC.
//!
//! Every PCI function has 256 bytes of *configuration space*: who made it
//! (vendor and device IDs), what it is (class), where its registers are
//! (BARs), what it can do (a list of capabilities). The PC reaches it the
//! way it did in 1993, through two I/O ports: write an address to
//! `CONFIG_ADDRESS` (0xCF8), then read or write 32 bits at
//! `CONFIG_DATA` (0xCFC).
//!
//! ```text
//!  31   30..24   23..16   15..11   10..8      7..2     1..0
//! ┌───┬────────┬────────┬────────┬──────────┬────────┬────┐
//! │ 1 │   0    │  bus   │ device │ function │ offset │ 00 │
//! └───┴────────┴────────┴────────┴──────────┴────────┴────┘
//!  enable                                    a dword
//! ```
//!
//! Bit 31 turns the access on; the two low bits are zero because the port
//! pair moves whole 32-bit words, so the offset is rounded down to one.
//! The pair is two instructions: an interrupt handler that reached
//! configuration space between them would move `CONFIG_ADDRESS` under
//! our feet, so interrupts are off around each pair.
//!
//! [`PortConfig`] implements `virtio-drivers`' [`ConfigurationAccess`]:
//! the crate ships only the memory-mapped mechanism of newer machines,
//! and takes any other through this trait.

use virtio_drivers::transport::pci::bus::{ConfigurationAccess, DeviceFunction};
use x86_64::instructions::interrupts;
use x86_64::instructions::port::Port;

/// `CONFIG_ADDRESS`: which function and register the next data access
/// reaches.
pub const ADDRESS_PORT: u16 = 0xCF8;

/// `CONFIG_DATA`: the 32 bits at the address last written.
pub const DATA_PORT: u16 = 0xCFC;

// ANCHOR: address
/// The value to write to `CONFIG_ADDRESS` to reach the 32-bit word of
/// `function`'s configuration space that holds byte `offset`.
pub fn address(function: DeviceFunction, offset: u8) -> u32 {
    let _ = (function, offset);
    todo!("pack the enable bit, bus, device, function and word offset into 32 bits")
}
// ANCHOR_END: address

/// Configuration space through the port pair.
///
/// The ports belong to the whole machine, not to a value; what the type
/// guards is that they are only reached a whole pair at a time.
#[derive(Debug)]
pub struct PortConfig {
    _private: (),
}

impl PortConfig {
    /// Configuration access for this machine.
    ///
    /// # Safety
    ///
    /// The machine must be a PC with the port pair (every x86 PC, and
    /// QEMU's `pc` and `q35` machines), and nothing in the kernel may
    /// drive ports 0xCF8 and 0xCFC except through a `PortConfig`. (Two
    /// `PortConfig`s do not disturb each other on one CPU: each access
    /// is a whole address-and-data pair with interrupts off.)
    pub unsafe fn new() -> PortConfig {
        PortConfig { _private: () }
    }
}

impl ConfigurationAccess for PortConfig {
    // ANCHOR: read_word
    fn read_word(&self, function: DeviceFunction, offset: u8) -> u32 {
        // Write the address to one port, read the data from the other,
        // with no interrupt in between.
        let _ = (function, offset, interrupts::are_enabled, Port::<u32>::new);
        todo!("read a word of configuration space through the port pair")
    }
    // ANCHOR_END: read_word

    fn write_word(&mut self, function: DeviceFunction, offset: u8, value: u32) {
        let _ = (function, offset, value);
        todo!("write a word of configuration space through the port pair")
    }

    unsafe fn unsafe_clone(&self) -> PortConfig {
        PortConfig { _private: () }
    }
}
