//! Finding the functions on a bus.
//!
//! A bus has 32 device slots, and a device up to 8 functions, each with
//! its own configuration space (an IDE controller and a USB controller
//! can share one chip). Nothing lists them: the kernel asks every slot.
//!
//! ```text
//! offset  31        24 23        16 15         8 7          0
//!  0x00  │        device ID        │        vendor ID        │
//!  0x08  │   class    │  subclass  │  prog. IF  │  revision  │
//!  0x0C  │    BIST    │ header type│  latency   │ cache line │
//!                       bit 7: multi-function
//! ```
//!
//! - A vendor ID of 0xFFFF means nobody answered: the slot or function
//!   is empty. (The bus floats high when no device drives it.)
//! - Function 0 of a device always exists if the device does. Only when
//!   bit 7 of its header type is set may functions 1 to 7 exist, and
//!   then each must be asked, since they need not be consecutive.
//!
//! This is the *brute force* scan of the PCI specification, on bus 0
//! only: QEMU's `pc` machine puts every device there. (A bridge's header
//! names a bus behind it; following bridges is left for later.)

use core::fmt;

use virtio_drivers::transport::pci::bus::{ConfigurationAccess, DeviceFunction};

/// How many device slots a bus has.
pub const DEVICES_PER_BUS: u8 = 32;

/// How many functions a device may have.
pub const FUNCTIONS_PER_DEVICE: u8 = 8;

/// What a vendor ID reads as when no function answers.
pub const ABSENT: u16 = 0xFFFF;

/// One function found on a bus, from its configuration header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function {
    /// Where it is.
    pub address: DeviceFunction,
    /// Who made it (0x8086 Intel, 0x1af4 virtio).
    pub vendor: u16,
    /// Which of the vendor's devices it is.
    pub device: u16,
    /// What it is: the class code (0x01 storage, 0x06 bridge, ...).
    pub class: u8,
    /// What kind within the class (0x01 IDE within storage, ...).
    pub subclass: u8,
    /// The register interface within the subclass.
    pub prog_if: u8,
    /// The header type without its multi-function bit: 0 an ordinary
    /// device, 1 a PCI-to-PCI bridge, 2 a CardBus bridge.
    pub header_type: u8,
    /// Bit 7 of the header type: the device has functions besides 0.
    /// Only function 0's bit counts.
    pub multi_function: bool,
}

impl fmt::Display for Function {
    /// `00:04.0 1af4:1005`: the address and the IDs, the way `lspci -n`
    /// shows them, and the way the kernel tests report what they found.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.address;
        write!(f, "{:02x}:{:02x}.{} {:04x}:{:04x}", a.bus, a.device, a.function, self.vendor, self.device)
    }
}

// ANCHOR: read_function
/// The function at `address`, or `None` when nothing answers there.
pub fn read_function(access: &impl ConfigurationAccess, address: DeviceFunction) -> Option<Function> {
    let ids = access.read_word(address, 0x00);
    let vendor = ids as u16;
    if vendor == ABSENT {
        return None;
    }
    let class = access.read_word(address, 0x08);
    let header = (access.read_word(address, 0x0C) >> 16) as u8;
    Some(Function {
        address,
        vendor,
        device: (ids >> 16) as u16,
        class: (class >> 24) as u8,
        subclass: (class >> 16) as u8,
        prog_if: (class >> 8) as u8,
        header_type: header & 0x7F,
        multi_function: header & 0x80 != 0,
    })
}
// ANCHOR_END: read_function

/// The functions on one bus, in address order: see [`scan`].
pub struct Scan<'a, C: ConfigurationAccess> {
    access: &'a C,
    bus: u8,
    /// The next slot to ask.
    device: u8,
    /// The next function of `device` to ask.
    function: u8,
    /// Whether `device`'s function 0 said it has others.
    multi_function: bool,
}

/// Every function on `bus`, asked slot by slot.
pub fn scan<C: ConfigurationAccess>(access: &C, bus: u8) -> Scan<'_, C> {
    Scan { access, bus, device: 0, function: 0, multi_function: false }
}

// ANCHOR: next
impl<C: ConfigurationAccess> Iterator for Scan<'_, C> {
    type Item = Function;

    fn next(&mut self) -> Option<Function> {
        while self.device < DEVICES_PER_BUS {
            let address = DeviceFunction { bus: self.bus, device: self.device, function: self.function };
            let found = read_function(self.access, address);
            if self.function == 0 {
                self.multi_function = found.is_some_and(|f| f.multi_function);
            }
            // Functions 1 to 7 only when function 0 exists and says so.
            if self.multi_function && self.function + 1 < FUNCTIONS_PER_DEVICE {
                self.function += 1;
            } else {
                self.device += 1;
                self.function = 0;
            }
            if found.is_some() {
                return found;
            }
        }
        None
    }
}
// ANCHOR_END: next
