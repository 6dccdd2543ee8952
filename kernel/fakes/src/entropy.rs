//! Entropy sources that behave as a test needs them to.

use fledge_api::{Entropy, EntropyError};

/// Replays a list of bytes, then says [`EntropyError::WouldBlock`]. A fill
/// that asks for more than is left takes nothing.
#[derive(Clone, Debug)]
pub struct ListEntropy {
    bytes: Vec<u8>,
    next: usize,
}

impl ListEntropy {
    /// A source that gives exactly `bytes`, in order.
    pub fn new(bytes: impl Into<Vec<u8>>) -> ListEntropy {
        ListEntropy { bytes: bytes.into(), next: 0 }
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.next
    }
}

impl Entropy for ListEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let end = self.next + buf.len();
        let bytes = self.bytes.get(self.next..end).ok_or(EntropyError::WouldBlock)?;
        buf.copy_from_slice(bytes);
        self.next = end;
        Ok(())
    }
}

/// A source that never has anything to give.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlockingEntropy;

impl Entropy for BlockingEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        if buf.is_empty() { Ok(()) } else { Err(EntropyError::WouldBlock) }
    }
}

/// A source that gives `limit` bytes (a counting pattern, 0, 1, 2, ...),
/// then fails: [`EntropyError::Failed`] for any fill that would go past
/// the limit.
#[derive(Clone, Copy, Debug)]
pub struct FailingEntropy {
    limit: usize,
    given: usize,
}

impl FailingEntropy {
    /// A source that fails once `limit` bytes have been given.
    pub fn after(limit: usize) -> FailingEntropy {
        FailingEntropy { limit, given: 0 }
    }
}

impl Entropy for FailingEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        if self.given + buf.len() > self.limit {
            return Err(EntropyError::Failed);
        }
        for byte in buf.iter_mut() {
            *byte = self.given as u8;
            self.given += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_fakes_do_what_they_say() {
        let mut list = ListEntropy::new([1, 2, 3]);
        let mut two = [0; 2];
        assert_eq!(list.fill(&mut two), Ok(()));
        assert_eq!(two, [1, 2]);
        assert_eq!(list.fill(&mut two), Err(EntropyError::WouldBlock));
        assert_eq!(list.remaining(), 1);
        assert_eq!(BlockingEntropy.fill(&mut two), Err(EntropyError::WouldBlock));
        assert_eq!(BlockingEntropy.fill(&mut []), Ok(()));
        let mut failing = FailingEntropy::after(3);
        assert_eq!(failing.fill(&mut two), Ok(()));
        assert_eq!(two, [0, 1]);
        assert_eq!(failing.fill(&mut two), Err(EntropyError::Failed));
    }
}
