//! [`Sink`]: the console at the bottom of a stack of wrappers.

use fledge_api::{Console, ConsoleError};

/// A [`Console`] that accepts every write and keeps nothing. On its own it
/// is `/dev/null`; under a [`Recorder`](crate::Recorder) it is a console
/// that keeps everything, under a [`FailAfter`](crate::FailAfter) one that
/// stops.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sink;

impl Console for Sink {
    fn write_bytes(&mut self, _bytes: &[u8]) -> Result<(), ConsoleError> {
        Ok(())
    }
}
