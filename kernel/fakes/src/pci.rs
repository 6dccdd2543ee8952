//! A fake PCI bus: configuration space in memory.
//!
//! [`FakeBus`] implements `virtio-drivers`' `ConfigurationAccess` the way
//! hardware answers: an empty slot or function reads as all ones, a BAR
//! keeps only the address bits its size lets software change (so that
//! writing all ones and reading back tells the size), and every other
//! register keeps what was written. A test builds the bus it needs:
//!
//! ```
//! use fledge_fakes::pci::{FakeBus, FakeFunction};
//!
//! // Device 1: a multi-function chip with functions 0 and 3.
//! // Device 4: a single function with a 64-bit, 16 KiB BAR 4.
//! let bus = FakeBus::new()
//!     .with(1, 0, FakeFunction::new(0x8086, 0x7000, 0x06, 0x01).multi_function())
//!     .with(1, 3, FakeFunction::new(0x8086, 0x7113, 0x06, 0x80))
//!     .with(4, 0, FakeFunction::new(0x1af4, 0x1005, 0x00, 0xff).memory_bar64(4, 0xfe00_0000, 0x4000, true));
//! ```

use std::collections::BTreeMap;

use virtio_drivers::transport::pci::bus::{ConfigurationAccess, DeviceFunction};

/// What an absent function reads as.
const ABSENT: u32 = 0xFFFF_FFFF;

/// The configuration space of one fake function: 64 registers, and for
/// each BAR which of its bits software may change.
#[derive(Clone, Debug)]
pub struct FakeFunction {
    registers: [u32; 64],
    /// Each BAR register's writable bits; other registers are writable
    /// in full (but for the read-only IDs, class and header type).
    bar_masks: [u32; 6],
    /// Each BAR register's read-only type bits, which every read shows.
    bar_types: [u32; 6],
}

impl FakeFunction {
    /// A function with these IDs and class, header type 0, no BARs.
    pub fn new(vendor: u16, device: u16, class: u8, subclass: u8) -> FakeFunction {
        let mut registers = [0; 64];
        registers[0] = u32::from(device) << 16 | u32::from(vendor);
        registers[2] = u32::from(class) << 24 | u32::from(subclass) << 16;
        FakeFunction { registers, bar_masks: [0; 6], bar_types: [0; 6] }
    }

    /// Sets bit 7 of the header type: the device has other functions.
    pub fn multi_function(mut self) -> FakeFunction {
        self.registers[3] |= 0x80 << 16;
        self
    }

    /// Sets the header type's low seven bits (1: a PCI-to-PCI bridge).
    pub fn header_type(mut self, kind: u8) -> FakeFunction {
        self.registers[3] = (self.registers[3] & !(0x7F << 16)) | u32::from(kind & 0x7F) << 16;
        self
    }

    /// Sets the programming interface byte.
    pub fn prog_if(mut self, prog_if: u8) -> FakeFunction {
        self.registers[2] = (self.registers[2] & !(0xFF << 8)) | u32::from(prog_if) << 8;
        self
    }

    /// BAR `index`: a 32-bit memory window of `size` bytes (a power of
    /// two, at least 16) at `address`.
    pub fn memory_bar32(mut self, index: usize, address: u32, size: u32, prefetchable: bool) -> FakeFunction {
        assert!(size.is_power_of_two() && size >= 16, "a memory BAR's size is a power of two, at least 16");
        self.bar_types[index] = if prefetchable { 0x8 } else { 0 };
        self.registers[4 + index] = address | self.bar_types[index];
        self.bar_masks[index] = !(size - 1);
        self
    }

    /// BARs `index` and `index + 1`: a 64-bit memory window of `size`
    /// bytes at `address`.
    pub fn memory_bar64(mut self, index: usize, address: u64, size: u64, prefetchable: bool) -> FakeFunction {
        assert!(size.is_power_of_two() && size >= 16, "a memory BAR's size is a power of two, at least 16");
        let mask = !(size - 1);
        self.bar_types[index] = 0b100 | if prefetchable { 0x8 } else { 0 };
        self.registers[4 + index] = address as u32 | self.bar_types[index];
        self.registers[5 + index] = (address >> 32) as u32;
        self.bar_masks[index] = mask as u32 & !0xF;
        self.bar_masks[index + 1] = (mask >> 32) as u32;
        self
    }

    /// BAR `index`: `size` I/O ports (a power of two, at least 4) from
    /// `port`. Like many devices, the upper 16 bits read back as zero.
    pub fn io_bar(mut self, index: usize, port: u16, size: u16) -> FakeFunction {
        assert!(size.is_power_of_two() && size >= 4, "an I/O BAR's size is a power of two, at least 4");
        self.bar_types[index] = 1;
        self.registers[4 + index] = u32::from(port) | 1;
        self.bar_masks[index] = u32::from(!(size - 1)) & 0xFFFC;
        self
    }

    /// Register `offset / 4`, as it holds now.
    pub fn register(&self, offset: u8) -> u32 {
        self.registers[usize::from(offset / 4)]
    }
}

/// A bus of fake functions: see the [module](self).
#[derive(Clone, Debug, Default)]
pub struct FakeBus {
    functions: BTreeMap<DeviceFunction, FakeFunction>,
    reads: std::cell::Cell<usize>,
}

impl FakeBus {
    /// A bus with nothing on it.
    pub fn new() -> FakeBus {
        FakeBus::default()
    }

    /// The bus, with `function` at bus 0, `device`, `number`.
    pub fn with(mut self, device: u8, number: u8, function: FakeFunction) -> FakeBus {
        assert!(device < 32 && number < 8, "device {device} function {number} does not exist on a PCI bus");
        self.functions.insert(DeviceFunction { bus: 0, device, function: number }, function);
        self
    }

    /// The function at bus 0, `device`, `number`, if there is one.
    pub fn function(&self, device: u8, number: u8) -> Option<&FakeFunction> {
        self.functions.get(&DeviceFunction { bus: 0, device, function: number })
    }

    /// How many reads the bus has answered.
    pub fn reads(&self) -> usize {
        self.reads.get()
    }
}

fn check(offset: u8) -> usize {
    assert!(
        offset.is_multiple_of(4),
        "configuration space is read in 32-bit words: offset {offset:#x} is not a multiple of 4"
    );
    usize::from(offset / 4)
}

impl ConfigurationAccess for FakeBus {
    fn read_word(&self, function: DeviceFunction, offset: u8) -> u32 {
        self.reads.set(self.reads.get() + 1);
        let index = check(offset);
        self.functions.get(&function).map_or(ABSENT, |f| f.registers[index])
    }

    fn write_word(&mut self, function: DeviceFunction, offset: u8, value: u32) {
        let index = check(offset);
        let Some(f) = self.functions.get_mut(&function) else { return };
        match index {
            4..=9 => {
                f.registers[index] = (value & f.bar_masks[index - 4]) | f.bar_types[index - 4];
            }
            // The IDs, class and header type are read-only.
            0 | 2 | 3 => {}
            _ => f.registers[index] = value,
        }
    }

    unsafe fn unsafe_clone(&self) -> FakeBus {
        self.clone()
    }
}
