//! The entropy suite against the host's generator and the fakes, and
//! against broken sources, which it must reject.

use fledge_api::{Entropy, EntropyError};
use fledge_conformance::entropy;
use fledge_fakes::{BlockingEntropy, ListEntropy, Recorder};
use fledge_hosted::HostEntropy;

#[test]
fn host_entropy_conforms() {
    entropy::all(&mut HostEntropy);
}

#[test]
fn a_recorded_source_conforms_and_the_suite_reads_what_it_says() {
    let mut source = Recorder::new(HostEntropy);
    let log = source.log();
    entropy::all(&mut source);
    let fills: usize = entropy::LENGTHS.iter().map(|len| len * entropy::FILLS).sum();
    assert_eq!(log.bytes().len(), fills + 2 * 32 + 4096);
    assert_eq!(log.errors(), 0);
}

#[test]
fn a_list_of_random_bytes_conforms() {
    let mut bytes = vec![0; 64 * 1024];
    HostEntropy.fill(&mut bytes).unwrap();
    entropy::all(&mut ListEntropy::new(bytes));
}

/// Says `WouldBlock` to every other call, as a source that refills slowly.
struct Hesitant<E> {
    inner: E,
    calls: usize,
}

impl<E: Entropy> Entropy for Hesitant<E> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        self.calls += 1;
        if !buf.is_empty() && self.calls % 2 == 1 {
            return Err(EntropyError::WouldBlock);
        }
        self.inner.fill(buf)
    }
}

#[test]
fn a_source_that_sometimes_would_block_conforms() {
    let mut source = Hesitant { inner: HostEntropy, calls: 0 };
    entropy::all(&mut source);
    assert!(source.calls > 2 * entropy::LENGTHS.len() * entropy::FILLS, "the suite tried again");
}

#[test]
#[should_panic(expected = "said WouldBlock 100000 times in a row")]
fn a_source_that_always_blocks_is_rejected() {
    entropy::all(&mut BlockingEntropy);
}

/// Fills whole 8-byte pieces only, as an RDRAND driver that forgets the
/// short last piece.
struct TailLeft;

impl Entropy for TailLeft {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let whole_pieces = buf.len() / 8 * 8;
        HostEntropy.fill(&mut buf[..whole_pieces])
    }
}

#[test]
#[should_panic(expected = "byte 0 of a 1-byte fill was 0x00 in all 8 fills")]
fn a_source_that_leaves_the_tail_is_rejected() {
    entropy::every_byte_is_written(&mut TailLeft);
}

#[test]
fn the_tail_is_caught_past_the_first_piece_too() {
    // Lengths that are multiples of 8 pass; 9 is the first that fails, at
    // its ninth byte.
    let outcome = std::panic::catch_unwind(|| entropy::every_byte_is_written(&mut ShortFillsWork(TailLeft)));
    let message = *outcome.unwrap_err().downcast::<String>().unwrap();
    assert!(message.starts_with("byte 8 of a 9-byte fill"), "{message}");
}

/// Fills shorter than 8 bytes from a working source, longer ones from the
/// one it wraps: the wrapped source's tail bug shows on the next length.
struct ShortFillsWork<E>(E);

impl<E: Entropy> Entropy for ShortFillsWork<E> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        if buf.len() < 8 { HostEntropy.fill(buf) } else { self.0.fill(buf) }
    }
}

/// Returns `Ok` and writes nothing.
struct WritesNothing;

impl Entropy for WritesNothing {
    fn fill(&mut self, _: &mut [u8]) -> Result<(), EntropyError> {
        Ok(())
    }
}

#[test]
#[should_panic(expected = "the source never writes it")]
fn ok_without_writing_is_rejected() {
    entropy::all(&mut WritesNothing);
}

/// The same pseudo-random bytes every time.
struct Repeats;

impl Entropy for Repeats {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let mut x: u32 = 0x1234_5678;
        for byte in buf {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *byte = (x >> 24) as u8;
        }
        Ok(())
    }
}

#[test]
#[should_panic(expected = "two 32-byte fills gave the same bytes")]
fn a_source_that_repeats_itself_is_rejected_by_fills_differ() {
    entropy::fills_differ(&mut Repeats);
}

#[test]
#[should_panic(expected = "in all 8 fills")]
fn a_source_that_repeats_itself_is_rejected_by_the_suite() {
    entropy::all(&mut Repeats);
}

/// Fails an empty fill, and works otherwise.
struct EmptyFails;

impl Entropy for EmptyFails {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        if buf.is_empty() { Err(EntropyError::WouldBlock) } else { HostEntropy.fill(buf) }
    }
}

#[test]
#[should_panic(expected = "an empty fill returned Err(WouldBlock)")]
fn a_source_that_fails_an_empty_fill_is_rejected() {
    entropy::all(&mut EmptyFails);
}

/// Random hex digits only: 16 byte values.
struct HexDigits;

impl Entropy for HexDigits {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        HostEntropy.fill(buf)?;
        for byte in buf {
            *byte = b"0123456789abcdef"[usize::from(*byte & 15)];
        }
        Ok(())
    }
}

#[test]
#[should_panic(expected = "had only 16 of the 256 byte values")]
fn a_source_of_few_values_is_rejected() {
    entropy::all(&mut HexDigits);
}

#[test]
#[should_panic(expected = "failed with Failed")]
fn a_source_that_fails_is_rejected() {
    entropy::all(&mut fledge_fakes::FailAfter::new(HostEntropy, 3, EntropyError::Failed));
}
