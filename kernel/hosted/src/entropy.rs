//! The host's randomness: `getrandom(2)` on Linux, whatever the operating
//! system offers elsewhere, through the `getrandom` crate.

use fledge_api::{Entropy, EntropyError};

/// An [`Entropy`] over the host operating system's generator.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostEntropy;

impl Entropy for HostEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(buf).map_err(|_| EntropyError::Failed)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn two_fills_differ() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        HostEntropy.fill(&mut a).unwrap();
        HostEntropy.fill(&mut b).unwrap();
        assert_ne!(a, b);
    }
}
