//! The block device suite against the RAM disk, a file of the host and the
//! power-cut fake, and against broken devices, which it must reject.

use fledge_api::{BLOCK_SIZE, BlockDevice, BlockError};
use fledge_block::RamDisk;
use fledge_conformance::block;
use fledge_fakes::{AlwaysBusy, AlwaysFull, PowerCut};
use fledge_hosted::HostDisk;

fn ram(blocks: usize) -> RamDisk<Vec<u8>> {
    RamDisk::new(vec![0; blocks * BLOCK_SIZE])
}

/// The message of the panic `check` ends in.
fn failure(check: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(check).expect_err("the suite passed a broken device");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast::<&str>().map(|m| m.to_string()).unwrap_or_default(),
    }
}

#[test]
fn ram_disks_conform_writable_and_read_only() {
    block::all(&mut ram(block::MIN_BLOCKS as usize));
    block::all(&mut ram(64));
    block::all(&mut RamDisk::new([0u8; 5 * BLOCK_SIZE + 100]));
    let mut written = ram(8);
    block::all(&mut written);
    block::all(&mut RamDisk::read_only(written.into_inner()));
}

#[test]
fn a_host_file_conforms_writable_and_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disk.img");
    block::all(&mut HostDisk::create(&path, 16).unwrap());
    block::all(&mut HostDisk::open(&path, true).unwrap());
}

#[test]
fn a_disk_that_loses_unflushed_writes_conforms_whatever_a_cut_keeps() {
    block::all(&mut PowerCut::new(ram(16)));
    type Disk = PowerCut<RamDisk<Vec<u8>>>;
    block::flushed_writes_survive_a_cut(&mut PowerCut::new(ram(4)), |disk: &mut Disk| disk.cut(|_| false).unwrap());
    block::flushed_writes_survive_a_cut(&mut PowerCut::new(ram(4)), |disk: &mut Disk| disk.cut(|_| true).unwrap());
    block::flushed_writes_survive_a_cut(&mut PowerCut::new(ram(4)), |disk: &mut Disk| {
        disk.cut(|write| write % 2 == 0).unwrap()
    });
    for seed in 0..64 {
        block::flushed_writes_survive_a_cut(&mut PowerCut::new(ram(8)), |disk: &mut Disk| {
            assert_eq!(disk.pending(), 2, "the suite leaves two block writes unflushed");
            disk.cut_seeded(seed).unwrap();
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let file = HostDisk::create(dir.path().join("disk.img"), 8).unwrap();
    block::flushed_writes_survive_a_cut(&mut PowerCut::new(file), |disk| disk.cut(|_| false).unwrap());
}

#[test]
fn a_disk_that_keeps_everything_passes_the_durability_check_too() {
    // A cut that loses nothing: what `kill -9` of QEMU does to a file.
    block::flushed_writes_survive_a_cut(&mut ram(4), |_| {});
}

#[test]
fn full_and_busy_disks_are_rejected() {
    let message = failure(|| block::all(&mut AlwaysFull::new(ram(8))));
    assert!(message.starts_with("a write of 1 block(s) at block 7 failed with Full"), "{message}");
    let message = failure(|| block::all(&mut AlwaysBusy::new(ram(8))));
    assert!(message.contains("failed with Busy"), "{message}");
    // A full disk is still a good read-only one.
    block::all(&mut AlwaysFull::new(RamDisk::read_only(vec![0; 8 * BLOCK_SIZE])));
}

/// A broken device: `RamDisk`, except for what `fault` changes.
struct Broken<F> {
    disk: RamDisk<Vec<u8>>,
    fault: F,
}

/// What a broken device gets wrong.
#[derive(Clone, Copy)]
enum Fault {
    /// Asserts, as `virtio-drivers` does, instead of refusing a bad length.
    PanicsOnBadLength,
    /// Pads a short write with zeroes and writes it.
    WritesShortBuffers,
    /// Writes block `n` to block `n + 1`.
    WritesTheNextBlock,
    /// Writes a second, zeroed block after every single-block write.
    ClobbersTheNextBlock,
    /// Wraps block numbers around the end instead of refusing them.
    WrapsAround,
    /// Says it is read-only, and writes anyway.
    IgnoresReadOnly,
}

impl BlockDevice for Broken<Fault> {
    fn block_count(&self) -> u64 {
        self.disk.block_count()
    }

    fn read_only(&self) -> bool {
        matches!(self.fault, Fault::IgnoresReadOnly)
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        match self.fault {
            Fault::PanicsOnBadLength => {
                assert!(
                    !buf.is_empty() && buf.len().is_multiple_of(BLOCK_SIZE),
                    "buffer is not a multiple of 512 bytes"
                );
            }
            Fault::WrapsAround => return self.disk.read(block % self.block_count(), buf),
            _ => {}
        }
        self.disk.read(block, buf)
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        match self.fault {
            Fault::PanicsOnBadLength => {
                assert!(
                    !buf.is_empty() && buf.len().is_multiple_of(BLOCK_SIZE),
                    "buffer is not a multiple of 512 bytes"
                );
            }
            Fault::WritesShortBuffers if !buf.is_empty() && !buf.len().is_multiple_of(BLOCK_SIZE) => {
                let mut padded = buf.to_vec();
                padded.resize(buf.len().div_ceil(BLOCK_SIZE) * BLOCK_SIZE, 0);
                return self.disk.write(block, &padded);
            }
            Fault::WritesTheNextBlock => return self.disk.write(block + 1, buf),
            Fault::ClobbersTheNextBlock if buf.len() == BLOCK_SIZE && block + 1 < self.block_count() => {
                return self.disk.write(block, &[buf, &[0; BLOCK_SIZE]].concat());
            }
            Fault::WrapsAround => return self.disk.write(block % self.block_count(), buf),
            _ => {}
        }
        self.disk.write(block, buf)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.disk.flush()
    }
}

fn broken(fault: Fault) -> Broken<Fault> {
    Broken { disk: ram(8), fault }
}

#[test]
#[should_panic(expected = "buffer is not a multiple of 512 bytes")]
fn a_device_that_panics_on_a_bad_length_fails_with_its_own_panic() {
    block::all(&mut broken(Fault::PanicsOnBadLength));
}

#[test]
fn a_device_that_writes_short_buffers_is_rejected() {
    let message = failure(|| block::all(&mut broken(Fault::WritesShortBuffers)));
    assert!(message.starts_with("a write of 1 bytes at block 0 returned Ok(()), not Err(BadLength)"), "{message}");
}

#[test]
fn a_device_that_writes_the_next_block_is_rejected() {
    let message = failure(|| block::all(&mut broken(Fault::WritesTheNextBlock)));
    assert!(message.starts_with("a write of 1 block(s) at block 7 failed with OutOfRange"), "{message}");
    // Away from the end, the read back shows where the data went.
    let message = failure(|| {
        block::whole_blocks_round_trip(&mut ShiftedEnd(broken(Fault::WritesTheNextBlock)));
    });
    assert!(message.starts_with("block 6 reads back as the data written to block 5 in step 1, not"), "{message}");
}

/// Hides the last block of a device, so that a write of its last block
/// (the device's last but one) does not fail.
struct ShiftedEnd<D>(D);

impl<D: BlockDevice> BlockDevice for ShiftedEnd<D> {
    fn block_count(&self) -> u64 {
        self.0.block_count() - 1
    }
    fn read_only(&self) -> bool {
        self.0.read_only()
    }
    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.0.read(block, buf)
    }
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        self.0.write(block, buf)
    }
    fn flush(&mut self) -> Result<(), BlockError> {
        self.0.flush()
    }
}

#[test]
fn a_device_that_clobbers_the_next_block_is_rejected() {
    let message = failure(|| block::all(&mut broken(Fault::ClobbersTheNextBlock)));
    assert!(
        message.starts_with(
            "block 7 reads back as bytes the suite did not write, starting [00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00], \
             not the data written to block 7 in step 1"
        ),
        "{message}"
    );
}

#[test]
fn a_device_that_wraps_around_its_end_is_rejected() {
    let message = failure(|| block::all(&mut broken(Fault::WrapsAround)));
    assert_eq!(
        message,
        "a read of 1 block(s) at block 8 returned Ok(()), not Err(OutOfRange): the device has 8 blocks"
    );
}

#[test]
fn a_device_that_ignores_read_only_is_rejected() {
    let message = failure(|| block::all(&mut broken(Fault::IgnoresReadOnly)));
    assert_eq!(message, "a write of block 0 to a read-only device returned Ok(()), not Err(ReadOnly)");
}

/// Says a flush worked and does nothing: its writes stay in the cache of
/// the `PowerCut` underneath, where a cut loses them.
struct LazyFlush(PowerCut<RamDisk<Vec<u8>>>);

impl BlockDevice for LazyFlush {
    fn block_count(&self) -> u64 {
        self.0.block_count()
    }
    fn read_only(&self) -> bool {
        self.0.read_only()
    }
    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.0.read(block, buf)
    }
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        self.0.write(block, buf)
    }
    fn flush(&mut self) -> Result<(), BlockError> {
        Ok(())
    }
}

#[test]
fn a_flush_that_does_nothing_passes_without_a_cut_and_is_rejected_with_one() {
    let mut lazy = LazyFlush(PowerCut::new(ram(8)));
    block::all(&mut lazy);
    let message = failure(move || {
        let mut lazy = LazyFlush(PowerCut::new(ram(8)));
        block::flushed_writes_survive_a_cut(&mut lazy, |lazy| lazy.0.cut(|_| false).unwrap());
    });
    assert!(
        message.starts_with("block 1 reads back as bytes the suite did not write")
            && message.ends_with(
                "(written and flushed before the power cut: flush returned Ok before the write was durable)"
            ),
        "{message}"
    );
}

/// A power cut that garbles the blocks it loses, instead of leaving their
/// old contents: the suite tells it from a cut the contract allows.
#[test]
fn a_cut_that_tears_unflushed_blocks_is_rejected() {
    let message = failure(|| {
        block::flushed_writes_survive_a_cut(&mut PowerCut::new(ram(8)), |disk| {
            disk.cut(|_| false).unwrap();
            disk.write(0, &[0xff; BLOCK_SIZE]).unwrap();
        })
    });
    assert!(
        message.starts_with("after a power cut, block 0 reads as bytes the suite did not write, starting [ff"),
        "{message}"
    );
}
