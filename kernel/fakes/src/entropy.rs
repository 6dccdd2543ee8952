//! The entropy sources at the bottom of a stack of wrappers: one that
//! replays a list, one that never has anything.

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
        assert_eq!(list.fill(&mut []), Ok(()));
    }
}
