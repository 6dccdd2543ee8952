//! Exercise 08's host tests: the configuration address, the bus scan and
//! the BARs over a fake configuration space (`fledge_fakes::pci::FakeBus`,
//! which answers like hardware: all ones from an empty slot, BARs that
//! keep only the bits their size allows), and the `Hal` over a fake
//! physical memory: a few megabytes of the test's own heap, handed to the
//! frame allocator as if they were RAM.

use std::ptr::NonNull;
use std::sync::{Mutex, MutexGuard, Once};

use bootloader_api::info::{MemoryRegion, MemoryRegionKind};
use fledge_fakes::pci::{FakeBus, FakeFunction};
use fledge_memory::frames::BitmapFrameAllocator;
use pci::bar::{self, Bar};
use pci::config;
use pci::dma::{self, FledgeHal};
use pci::scan::{self, Function};
use virtio_drivers::transport::pci::bus::DeviceFunction;
use virtio_drivers::{BufferDirection, Hal};

fn at(device: u8, function: u8) -> DeviceFunction {
    DeviceFunction { bus: 0, device, function }
}

#[test]
fn config_address_is_encoded() {
    let cases = [
        (0, 0, 0, 0x00, 0x8000_0000),
        (0, 4, 0, 0x10, 0x8000_2010),
        (0, 1, 1, 0x08, 0x8000_0908),
        (3, 31, 7, 0xFC, 0x8003_FFFC),
        (255, 0, 0, 0x00, 0x80FF_0000),
    ];
    for (bus, device, function, offset, want) in cases {
        let got = config::address(DeviceFunction { bus, device, function }, offset);
        assert_eq!(
            got, want,
            "address({bus:02x}:{device:02x}.{function}, {offset:#x}) is {got:#010x}, not {want:#010x}"
        );
    }
    let got = config::address(at(4, 0), 0x13);
    assert_eq!(got, 0x8000_2010, "offset 0x13 lies in the word at 0x10: the two low bits are dropped, not {got:#010x}");
}

/// QEMU's `pc` machine, as far as the scan sees it, with a virtio-rng
/// in slot 4 and a made-up multi-function device in slot 9 whose
/// functions are 0, 1 and 5.
fn pc_bus() -> FakeBus {
    FakeBus::new()
        .with(0, 0, FakeFunction::new(0x8086, 0x1237, 0x06, 0x00))
        .with(1, 0, FakeFunction::new(0x8086, 0x7000, 0x06, 0x01).multi_function())
        .with(1, 1, FakeFunction::new(0x8086, 0x7010, 0x01, 0x01).prog_if(0x80))
        .with(1, 3, FakeFunction::new(0x8086, 0x7113, 0x06, 0x80))
        .with(2, 0, FakeFunction::new(0x1234, 0x1111, 0x03, 0x00))
        .with(4, 0, FakeFunction::new(0x1af4, 0x1005, 0x00, 0xff))
        .with(9, 0, FakeFunction::new(0x10ec, 0x8029, 0x02, 0x00).multi_function())
        .with(9, 1, FakeFunction::new(0x10ec, 0x8030, 0x02, 0x80))
        .with(9, 5, FakeFunction::new(0x10ec, 0x8031, 0x0c, 0x03).header_type(1))
}

#[test]
fn functions_are_read() {
    let bus = pc_bus();
    let ide = scan::read_function(&bus, at(1, 1)).expect("01.1 is there");
    let want = Function {
        address: at(1, 1),
        vendor: 0x8086,
        device: 0x7010,
        class: 0x01,
        subclass: 0x01,
        prog_if: 0x80,
        header_type: 0,
        multi_function: false,
    };
    assert_eq!(ide, want, "01.1, QEMU's IDE controller, read wrong");
    let bridge = scan::read_function(&bus, at(1, 0)).expect("01.0 is there");
    assert!(bridge.multi_function, "01.0 has bit 7 of its header type set: {bridge:?}");
    assert_eq!(bridge.header_type, 0, "the header type is read without its multi-function bit: {bridge:?}");
    let odd = scan::read_function(&bus, at(9, 5)).expect("09.5 is there");
    assert_eq!(
        (odd.header_type, odd.class, odd.subclass),
        (1, 0x0c, 0x03),
        "09.5 is a bridge header of class 0c:03: {odd:?}"
    );
    assert_eq!(scan::read_function(&bus, at(3, 0)), None, "nothing answers in slot 3: its vendor ID reads as 0xffff");
    assert_eq!(ide.to_string(), "00:01.1 8086:7010");
}

fn addresses(bus: &FakeBus) -> Vec<String> {
    scan::scan(bus, 0).map(|f| f.to_string()[..7].to_string()).collect()
}

#[test]
fn empty_slots_are_skipped() {
    let bus = FakeBus::new().with(0, 0, FakeFunction::new(0x8086, 0x1237, 0x06, 0x00)).with(
        31,
        0,
        FakeFunction::new(0x1af4, 0x1001, 0x01, 0x00),
    );
    assert_eq!(addresses(&bus), ["00:00.0", "00:1f.0"], "slots 1 to 30 are empty, slot 31 is the last one asked");
    assert_eq!(addresses(&FakeBus::new()), Vec::<String>::new(), "an empty bus has no functions");
}

#[test]
fn multi_function_devices_are_scanned() {
    let found = addresses(&pc_bus());
    let want = ["00:00.0", "00:01.0", "00:01.1", "00:01.3", "00:02.0", "00:04.0", "00:09.0", "00:09.1", "00:09.5"];
    assert_eq!(
        found, want,
        "every function, in address order: functions 1 to 7 of a multi-function device are each asked, gaps and all"
    );
}

#[test]
fn single_function_devices_are_not_asked_again() {
    // Some single-function devices answer the same on all eight function
    // numbers; only function 0's multi-function bit says whether to look.
    let mirror = FakeFunction::new(0x1af4, 0x1005, 0x00, 0xff);
    let bus = FakeBus::new().with(4, 0, mirror.clone()).with(4, 1, mirror.clone()).with(4, 7, mirror);
    assert_eq!(
        addresses(&bus),
        ["00:04.0"],
        "04.0's header has no multi-function bit, so 04.1 to 04.7 are not its functions"
    );
}

/// virtio-rng as QEMU 7.2 lays it out: 32 I/O ports, 4 KiB of MSI-X
/// table, 16 KiB of 64-bit prefetchable memory for the modern interface.
fn virtio_rng() -> FakeFunction {
    FakeFunction::new(0x1af4, 0x1005, 0x00, 0xff)
        .io_bar(0, 0xc040, 0x20)
        .memory_bar32(1, 0xfebf_1000, 0x1000, false)
        .memory_bar64(4, 0xfe00_4000, 0x4000, true)
}

#[test]
fn bars_are_decoded_and_sized() {
    let mut bus = FakeBus::new().with(4, 0, virtio_rng());
    let bars = bar::read_bars(&mut bus, at(4, 0));
    assert_eq!(bars[0], Some(Bar::Io { port: 0xc040, size: 0x20 }), "BAR 0: 32 I/O ports from 0xc040");
    assert_eq!(
        bars[1],
        Some(Bar::Memory { address: 0xfebf_1000, size: 0x1000, prefetchable: false, wide: false }),
        "BAR 1: 4 KiB of 32-bit memory"
    );
    assert_eq!(bars[2], None, "BAR 2 is unused: it reads back zero");
    assert_eq!(bars[3], None, "BAR 3 is unused");
    assert_eq!(
        bars[4],
        Some(Bar::Memory { address: 0xfe00_4000, size: 0x4000, prefetchable: true, wide: true }),
        "BAR 4: 16 KiB of 64-bit prefetchable memory"
    );
    assert_eq!(bars[5], None, "BAR 5 is BAR 4's upper half, not a BAR of its own");
}

#[test]
fn wide_bars_above_4_gib() {
    let mut bus = FakeBus::new().with(
        5,
        0,
        FakeFunction::new(0x1af4, 0x1041, 0x02, 0x00).memory_bar64(0, 0x8_0000_0000, 1 << 33, false),
    );
    let got = bar::read_bar(&mut bus, at(5, 0), 0);
    let want = Bar::Memory { address: 0x8_0000_0000, size: 1 << 33, prefetchable: false, wide: true };
    assert_eq!(got, Some(want), "an 8 GiB window at 32 GiB: both halves of the address and of the size");
}

#[test]
fn sizing_restores_every_register() {
    let mut bus = FakeBus::new().with(4, 0, virtio_rng());
    let before: Vec<u32> = (0..16).map(|r| bus.function(4, 0).unwrap().register(r * 4)).collect();
    let _ = bar::read_bars(&mut bus, at(4, 0));
    let after: Vec<u32> = (0..16).map(|r| bus.function(4, 0).unwrap().register(r * 4)).collect();
    for (register, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(
            b,
            a,
            "register {:#04x} was {b:#010x} before the BARs were sized and is {a:#010x} after",
            register * 4
        );
    }
}

/// Where the fake physical memory starts, as the device would see it.
const FAKE_BASE: u64 = 0x10_0000;
/// How much of it there is: 1024 frames.
const FAKE_SIZE: u64 = 4 << 20;

static FRAMES: spin::Mutex<BitmapFrameAllocator> = spin::Mutex::new(BitmapFrameAllocator::empty());

/// The fake physical memory, set up once for every test of this binary;
/// the guard keeps the tests that allocate from it one at a time, so that
/// each can count the free frames.
fn fake_memory() -> MutexGuard<'static, ()> {
    static SETUP: Once = Once::new();
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    SETUP.call_once(|| {
        let layout = std::alloc::Layout::from_size_align(FAKE_SIZE as usize, 4096).unwrap();
        // SAFETY: the layout has a non-zero size; the memory is never
        // freed, so it outlives every test.
        let memory = unsafe { std::alloc::alloc(layout) };
        assert!(!memory.is_null(), "no memory for the fake physical memory");
        // Garbage, so that memory nobody zeroed does not look zeroed.
        // SAFETY: `memory` holds FAKE_SIZE bytes.
        unsafe { std::ptr::write_bytes(memory, 0xA5, FAKE_SIZE as usize) };
        let region = MemoryRegion { start: FAKE_BASE, end: FAKE_BASE + FAKE_SIZE, kind: MemoryRegionKind::Usable };
        FRAMES.lock().init(&[region]);
        // SAFETY: every frame the allocator hands out lies in
        // FAKE_BASE..FAKE_BASE + FAKE_SIZE, which appears at `memory`.
        unsafe { dma::init(&FRAMES, (memory as u64).wrapping_sub(FAKE_BASE)) }.expect("first init");
    });
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn free_frames() -> usize {
    FRAMES.lock().free_frames()
}

#[test]
fn dma_pages_are_zeroed_and_contiguous() {
    let _memory = fake_memory();
    let free = free_frames();
    let (paddr, vaddr) = FledgeHal::dma_alloc(3, BufferDirection::Both);
    assert_eq!(paddr % 4096, 0, "DMA memory starts on a page: {paddr:#x}");
    assert!(
        (FAKE_BASE..FAKE_BASE + FAKE_SIZE).contains(&paddr),
        "{paddr:#x} is not in the (fake) RAM the allocator was given"
    );
    assert_eq!(vaddr.as_ptr(), dma::virt(paddr), "the pointer is the physical address through the physical-memory map");
    assert_eq!(free_frames(), free - 3, "three pages take three frames");
    // SAFETY: dma_alloc returned 3 pages at `vaddr`.
    let bytes = unsafe { std::slice::from_raw_parts(vaddr.as_ptr(), 3 * 4096) };
    if let Some(at) = bytes.iter().position(|&b| b != 0) {
        panic!("byte {at} of 3 freshly allocated DMA pages is {:#04x}: dma_alloc must zero them", bytes[at]);
    }
    // SAFETY: paddr and vaddr came from dma_alloc(3).
    unsafe { FledgeHal::dma_dealloc(paddr, vaddr, 3) };
    assert_eq!(free_frames(), free, "dma_dealloc gives the three frames back");
}

/// Shares `buffer`, lets `device` act on the bounce pages, unshares.
fn bounce(buffer: &mut [u8], direction: BufferDirection, device: impl FnOnce(&mut [u8])) {
    let len = buffer.len();
    let shared = NonNull::from(&mut *buffer);
    // SAFETY: `buffer` is valid and nothing else touches it meanwhile.
    let paddr = unsafe { FledgeHal::share(shared, direction) };
    // SAFETY: `paddr` is what share returned: a bounce buffer of `len`
    // bytes, which only the "device" uses until unshare.
    device(unsafe { std::slice::from_raw_parts_mut(dma::virt(paddr), len) });
    // SAFETY: as for share, and `paddr` came from it.
    unsafe { FledgeHal::unshare(paddr, shared, direction) };
}

#[test]
fn share_copies_toward_the_device() {
    let _memory = fake_memory();
    let mut buffer: Vec<u8> = (0..100).collect();
    let mut seen = Vec::new();
    bounce(&mut buffer, BufferDirection::DriverToDevice, |bounce| seen = bounce.to_vec());
    assert_eq!(
        seen,
        (0..100).collect::<Vec<u8>>(),
        "DriverToDevice: the device must find the buffer's bytes in the bounce buffer"
    );
    bounce(&mut buffer, BufferDirection::DriverToDevice, |bounce| bounce.fill(0xEE));
    assert_eq!(buffer, (0..100).collect::<Vec<u8>>(), "DriverToDevice: nothing is copied back (the device only reads)");
}

#[test]
fn unshare_copies_back_from_the_device() {
    let _memory = fake_memory();
    let mut buffer = vec![0u8; 5000];
    bounce(&mut buffer, BufferDirection::DeviceToDriver, |bounce| bounce.fill(0x5A));
    assert!(
        buffer.iter().all(|&b| b == 0x5A),
        "DeviceToDriver: what the device wrote must be copied back into the buffer at unshare"
    );
    let mut both: Vec<u8> = (0..=255).collect();
    bounce(&mut both, BufferDirection::Both, |bounce| {
        assert_eq!(bounce[200], 200, "Both: the device sees the buffer's bytes");
        bounce[200] = 7;
    });
    assert_eq!(both[200], 7, "Both: the device's change is copied back");
}

#[test]
fn bounce_pages_are_given_back() {
    let _memory = fake_memory();
    let free = free_frames();
    let mut buffer = vec![1u8; 3 * 4096 + 1];
    let mut during = 0;
    bounce(&mut buffer, BufferDirection::Both, |_| during = free_frames());
    assert_eq!(during, free - 4, "3 pages and one byte take 4 bounce pages while shared");
    assert_eq!(free_frames(), free, "unshare gives the bounce pages back");
    let mut one = [9u8; 1];
    bounce(&mut one, BufferDirection::DeviceToDriver, |bounce| bounce[0] = 3);
    assert_eq!((one[0], free_frames()), (3, free), "a one-byte buffer bounces through one page, given back");
}
