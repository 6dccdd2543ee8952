//! [`NoTrace`]: a trace that keeps nothing.
//!
//! Code that records into a `&dyn Trace` pays for the call even when nobody
//! reads the trace. Running the same code over `NoTrace` and over a
//! [`Ring`](crate::Ring) shows what the recording itself costs
//! (`fledge-executor`'s benchmark does).

use fledge_api::{Event, Trace};

/// A [`Trace`] that drops every event, and so trivially keeps the
/// contract's promises (it counts nothing, because nothing is ever read).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Trace for NoTrace {
    fn record(&self, _event: Event) {}
}
