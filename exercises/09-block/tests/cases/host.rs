//! Exercise 09's host tests: `VirtioBlock` over a fake disk of sectors.
//!
//! The fake keeps its sectors in a `Vec`, records every request the
//! driver sends, and keeps the rules of the real one: `virtio-drivers`
//! panics on a request that is not a non-zero whole number of sectors,
//! the device fails a request past its end, and a read-only device fails
//! every write. It adds one rule of Fledge's: no request may carry more
//! than `MAX_REQUEST` bytes, the size of the bounce buffers.

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError, pattern_block};
use fledge_conformance::block as conformance;
use virtio_blk::VirtioBlock;
use virtio_blk::device::{MAX_REQUEST, failure};
use virtio_blk::sectors::{SECTOR_SIZE, Sectors};
use virtio_drivers::Error;

/// One request the driver sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Request {
    Read { sector: usize, sectors: usize },
    Write { sector: usize, sectors: usize },
    Flush,
}

struct FakeDisk {
    data: Vec<u8>,
    readonly: bool,
    requests: Vec<Request>,
    /// Every request fails with this, when set.
    fail: Option<Error>,
}

impl FakeDisk {
    /// `sectors` sectors, each holding the grader's fill pattern.
    fn new(sectors: usize) -> FakeDisk {
        let mut data = vec![0; sectors * SECTOR_SIZE];
        for (n, sector) in data.chunks_mut(SECTOR_SIZE).enumerate() {
            pattern_block(0, n as u64, sector.try_into().unwrap());
        }
        FakeDisk { data, readonly: false, requests: Vec::new(), fail: None }
    }

    fn range(&self, sector: usize, len: usize) -> Result<std::ops::Range<usize>, Error> {
        assert!(
            len > 0 && len.is_multiple_of(SECTOR_SIZE),
            "virtio-drivers panics: a request of {len} bytes is not a non-zero whole number of 512-byte sectors"
        );
        assert!(
            len <= MAX_REQUEST,
            "a request of {len} bytes: the bounce buffer would take more than MAX_REQUEST ({MAX_REQUEST}) bytes of contiguous frames"
        );
        let start = sector * SECTOR_SIZE;
        if start + len > self.data.len() {
            return Err(Error::IoError);
        }
        Ok(start..start + len)
    }
}

impl Sectors for FakeDisk {
    fn capacity(&self) -> u64 {
        (self.data.len() / SECTOR_SIZE) as u64
    }

    fn readonly(&self) -> bool {
        self.readonly
    }

    fn read_sectors(&mut self, sector: usize, buf: &mut [u8]) -> Result<(), Error> {
        self.requests.push(Request::Read { sector, sectors: buf.len() / SECTOR_SIZE });
        let range = self.range(sector, buf.len())?;
        if let Some(error) = self.fail {
            return Err(error);
        }
        buf.copy_from_slice(&self.data[range]);
        Ok(())
    }

    fn write_sectors(&mut self, sector: usize, buf: &[u8]) -> Result<(), Error> {
        self.requests.push(Request::Write { sector, sectors: buf.len() / SECTOR_SIZE });
        let range = self.range(sector, buf.len())?;
        if let Some(error) = self.fail {
            return Err(error);
        }
        if self.readonly {
            return Err(Error::IoError);
        }
        self.data[range].copy_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.requests.push(Request::Flush);
        self.fail.map_or(Ok(()), Err)
    }
}

/// The fill pattern of blocks `first..first + count`, or what the tests
/// write (seed 1).
fn pattern(seed: u8, first: u64, count: usize) -> Vec<u8> {
    let mut out = vec![0; count * BLOCK_SIZE];
    for (i, block) in out.chunks_mut(BLOCK_SIZE).enumerate() {
        pattern_block(seed, first + i as u64, block.try_into().unwrap());
    }
    out
}

#[test]
fn reads_map_blocks_to_sectors() {
    let mut disk = VirtioBlock::new(FakeDisk::new(64));
    let mut one = [0u8; BLOCK_SIZE];
    disk.read(5, &mut one).expect("block 5 of 64 can be read");
    assert_eq!(
        disk.device().requests,
        [Request::Read { sector: 5, sectors: 1 }],
        "block 5 is sector 5, read in one request"
    );
    assert!(one[..] == pattern(0, 5, 1)[..], "the buffer must hold sector 5's bytes after the read");
    let mut three = [0u8; 3 * BLOCK_SIZE];
    disk.read(61, &mut three).expect("blocks 61 to 63 of 64 can be read");
    assert_eq!(
        disk.device().requests[1],
        Request::Read { sector: 61, sectors: 3 },
        "three blocks from 61: one request"
    );
    assert!(three[..] == pattern(0, 61, 3)[..], "the buffer must hold sectors 61 to 63");
}

#[test]
fn writes_map_blocks_to_sectors() {
    let mut disk = VirtioBlock::new(FakeDisk::new(64));
    disk.write(7, &pattern(1, 7, 2)).expect("blocks 7 and 8 of 64 can be written");
    assert_eq!(
        disk.device().requests,
        [Request::Write { sector: 7, sectors: 2 }],
        "two blocks from 7: one request at sector 7"
    );
    let data = &disk.device().data;
    assert!(data[7 * BLOCK_SIZE..9 * BLOCK_SIZE] == pattern(1, 7, 2)[..], "sectors 7 and 8 must hold what was written");
    assert!(data[6 * BLOCK_SIZE..7 * BLOCK_SIZE] == pattern(0, 6, 1)[..], "sector 6 must be untouched");
    assert!(data[9 * BLOCK_SIZE..10 * BLOCK_SIZE] == pattern(0, 9, 1)[..], "sector 9 must be untouched");
}

#[test]
fn long_requests_are_split() {
    let mut disk = VirtioBlock::new(FakeDisk::new(1024));
    let mut buf = vec![0u8; 300 * BLOCK_SIZE];
    disk.read(100, &mut buf).expect("300 blocks from 100 of 1024 can be read");
    let per = MAX_REQUEST / SECTOR_SIZE;
    let want = [
        Request::Read { sector: 100, sectors: per },
        Request::Read { sector: 100 + per, sectors: per },
        Request::Read { sector: 100 + 2 * per, sectors: 300 - 2 * per },
    ];
    assert_eq!(
        disk.device().requests,
        want,
        "300 blocks go as pieces of at most MAX_REQUEST bytes, each at its own sector"
    );
    assert!(buf == pattern(0, 100, 300), "the pieces must land at their places in the buffer");
    disk.write(500, &pattern(1, 500, 300)).expect("300 blocks from 500 can be written");
    assert_eq!(
        disk.device().requests[3],
        Request::Write { sector: 500, sectors: per },
        "writes are split the same way"
    );
    assert_eq!(disk.device().requests.len(), 6, "3 pieces of reading, 3 of writing: {:?}", disk.device().requests);
    assert!(
        disk.device().data[500 * BLOCK_SIZE..800 * BLOCK_SIZE] == pattern(1, 500, 300)[..],
        "every piece of the write must land at its sector"
    );
}

#[test]
fn bad_requests_never_reach_the_device() {
    let mut disk = VirtioBlock::new(FakeDisk::new(64));
    let mut buf = vec![0u8; 2 * BLOCK_SIZE];
    assert_eq!(disk.read(0, &mut buf[..0]), Err(BlockError::BadLength), "an empty read");
    assert_eq!(disk.read(0, &mut buf[..100]), Err(BlockError::BadLength), "a read of 100 bytes");
    assert_eq!(disk.write(0, &buf[..513]), Err(BlockError::BadLength), "a write of 513 bytes");
    assert_eq!(disk.read(63, &mut buf), Err(BlockError::OutOfRange), "two blocks from 63 of 64");
    assert_eq!(disk.write(64, &buf[..BLOCK_SIZE]), Err(BlockError::OutOfRange), "block 64 of 64");
    assert_eq!(disk.read(u64::MAX, &mut buf), Err(BlockError::OutOfRange), "a block number near u64::MAX");
    assert_eq!(disk.device().requests, [], "no bad request may reach the device (check the request before sending it)");
}

#[test]
fn read_only_drives_refuse_writes() {
    let mut fake = FakeDisk::new(16);
    fake.readonly = true;
    let mut disk = VirtioBlock::new(fake);
    assert!(disk.read_only(), "the device says it is read-only, so read_only() is true");
    assert_eq!(disk.write(2, &[0u8; BLOCK_SIZE]), Err(BlockError::ReadOnly), "a write to a read-only drive is refused");
    assert_eq!(disk.device().requests, [], "the refused write must not reach the device");
    let mut buf = [0u8; BLOCK_SIZE];
    assert_eq!(disk.read(2, &mut buf), Ok(()), "reads of a read-only drive work");
    assert_eq!(disk.flush(), Ok(()), "flushes of a read-only drive work");
}

#[test]
fn flush_reaches_the_device() {
    let mut disk = VirtioBlock::new(FakeDisk::new(16));
    disk.write(3, &pattern(1, 3, 1)).expect("block 3 can be written");
    disk.flush().expect("the fake disk flushes");
    assert_eq!(disk.device().requests.last(), Some(&Request::Flush), "flush must send the device a flush request");
}

#[test]
fn device_errors_become_block_errors() {
    assert_eq!(failure(Error::IoError), BlockError::Io, "the device's I/O error status is a failure");
    assert_eq!(failure(Error::QueueFull), BlockError::Busy, "a full queue is a refusal: try again later");
    assert_eq!(failure(Error::NotReady), BlockError::Busy, "a device not ready yet is busy");
    let mut fake = FakeDisk::new(16);
    fake.fail = Some(Error::IoError);
    let mut disk = VirtioBlock::new(fake);
    let mut buf = [0u8; BLOCK_SIZE];
    assert_eq!(disk.read(1, &mut buf), Err(BlockError::Io), "a read the device fails");
    assert_eq!(disk.write(1, &buf), Err(BlockError::Io), "a write the device fails");
    assert_eq!(disk.flush(), Err(BlockError::Io), "a flush the device fails");
}

#[test]
fn conforms_over_a_fake_disk() {
    conformance::all(&mut VirtioBlock::new(FakeDisk::new(64)));
    let mut readonly = FakeDisk::new(8);
    readonly.readonly = true;
    conformance::all(&mut VirtioBlock::new(readonly));
}
