//! [`HostDisk`]: a block device over a file of the host.
//!
//! Block `n` is bytes `n * 512 .. (n + 1) * 512` of the file, read with
//! `pread(2)` and written with `pwrite(2)` (std's `FileExt::read_exact_at`
//! and `write_all_at`, which also retry short transfers and `EINTR`). The
//! host's page cache plays the disk's write cache: a write that returned
//! is in memory, and [`flush`](BlockDevice::flush) is `fdatasync(2)`
//! (`File::sync_data`), which returns when the host's disk has it. So
//! the contract's durability rule holds for a power cut of the host, not
//! only of this process. (A process killed with `kill -9` loses nothing
//! that was written: that is a crash, not a power cut. `fledge_fakes::PowerCut`
//! simulates the power cut.)
//!
//! The same file can be a QEMU drive (`-drive file=disk.img,format=raw`),
//! so a host test can read, with this device, the blocks a guest wrote.

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::FileExt;
use std::path::Path;

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError, check_request};

/// A [`BlockDevice`] over a file: as many blocks as fit in the file's
/// length when it was opened (a tail shorter than a block is not used).
///
/// ```
/// use fledge_api::{BLOCK_SIZE, BlockDevice};
/// use fledge_hosted::HostDisk;
///
/// let path = std::env::temp_dir().join(format!("host-disk-doc-{}.img", std::process::id()));
/// let mut disk = HostDisk::create(&path, 8).unwrap();
/// disk.write(7, &[0x5a; BLOCK_SIZE]).unwrap();
/// disk.flush().unwrap();
/// let bytes = std::fs::read(&path).unwrap();
/// assert_eq!((bytes.len(), bytes[7 * BLOCK_SIZE]), (8 * BLOCK_SIZE, 0x5a));
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct HostDisk {
    file: File,
    blocks: u64,
    read_only: bool,
}

impl HostDisk {
    /// Creates (or truncates) the file at `path` with `blocks` blocks of
    /// zeroes, and opens it for reading and writing.
    pub fn create(path: impl AsRef<Path>, blocks: u64) -> io::Result<HostDisk> {
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(path)?;
        file.set_len(blocks * BLOCK_SIZE as u64)?;
        HostDisk::new(file, false)
    }

    /// Opens the file at `path` as it is; `read_only` opens it for reading
    /// only and refuses every write.
    pub fn open(path: impl AsRef<Path>, read_only: bool) -> io::Result<HostDisk> {
        let file = OpenOptions::new().read(true).write(!read_only).open(path)?;
        HostDisk::new(file, read_only)
    }

    /// A disk over a file that is already open (for writing too, unless
    /// `read_only`).
    pub fn new(file: File, read_only: bool) -> io::Result<HostDisk> {
        let blocks = file.metadata()?.len() / BLOCK_SIZE as u64;
        Ok(HostDisk { file, blocks, read_only })
    }

    /// Gives back the file.
    pub fn into_inner(self) -> File {
        self.file
    }
}

/// The contract's error for a host error: `Full` when the host's disk or
/// quota ran out, `Io` for anything else. Both are failures, which is what
/// a host error is: `pread` and `pwrite` may have moved part of the data
/// (a file shortened under us ends a read early, with part of `buf`
/// filled). The `io::Error` itself is dropped: `BlockError` is a plain
/// enum, the same on every device.
fn block_error(error: io::Error) -> BlockError {
    match error.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => BlockError::Full,
        _ => BlockError::Io,
    }
}

impl BlockDevice for HostDisk {
    fn block_count(&self) -> u64 {
        self.blocks
    }

    fn read_only(&self) -> bool {
        self.read_only
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        check_request(block, buf.len(), self.blocks)?;
        self.file.read_exact_at(buf, block * BLOCK_SIZE as u64).map_err(block_error)
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        check_request(block, buf.len(), self.blocks)?;
        if self.read_only {
            return Err(BlockError::ReadOnly);
        }
        self.file.write_all_at(buf, block * BLOCK_SIZE as u64).map_err(block_error)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        if self.read_only {
            // Nothing was written; a file opened read-only may refuse
            // fdatasync on some systems.
            return Ok(());
        }
        self.file.sync_data().map_err(block_error)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn blocks_land_at_their_offsets_in_the_file_and_a_read_only_disk_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk.img");
        std::fs::write(&path, vec![0u8; 3 * BLOCK_SIZE + 7]).unwrap();
        let mut disk = HostDisk::open(&path, false).unwrap();
        assert_eq!(disk.block_count(), 3, "the 7-byte tail is not a block");
        disk.write(1, &[0xc3; 2 * BLOCK_SIZE]).unwrap();
        assert_eq!(disk.write(2, &[1; 2 * BLOCK_SIZE]), Err(BlockError::OutOfRange));
        disk.flush().unwrap();
        drop(disk);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!((bytes[BLOCK_SIZE - 1], bytes[BLOCK_SIZE], bytes[3 * BLOCK_SIZE - 1]), (0, 0xc3, 0xc3));

        let mut disk = HostDisk::open(&path, true).unwrap();
        assert_eq!(disk.write(0, &[9; BLOCK_SIZE]), Err(BlockError::ReadOnly));
        assert_eq!(disk.flush(), Ok(()));
        let mut block = [0; BLOCK_SIZE];
        disk.read(2, &mut block).unwrap();
        assert_eq!(block, [0xc3; BLOCK_SIZE]);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn a_file_shortened_under_the_disk_fails_its_reads_with_io() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk.img");
        let mut disk = HostDisk::create(&path, 4).unwrap();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(BLOCK_SIZE as u64).unwrap();
        assert_eq!(disk.read(3, &mut [0; BLOCK_SIZE]), Err(BlockError::Io));
        assert_eq!(disk.block_count(), 4, "the count does not change");
    }
}
