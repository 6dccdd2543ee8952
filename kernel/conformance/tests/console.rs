//! The console suite against the host's console and the fakes, and against
//! broken consoles, which it must reject.

use fledge_api::{Console, ConsoleError};
use fledge_conformance::console::{self, BEGIN, END, Mismatch};
use fledge_fakes::{Bytewise, Recorder, Sink, Yielding};
use fledge_hosted::HostConsole;

/// The frame, as a `Vec`.
fn script() -> Vec<u8> {
    console::expected().collect()
}

#[test]
fn host_console_conforms() {
    console::all(&mut HostConsole::new(Vec::new()), |console| console.get_ref().clone());
}

#[test]
fn the_fakes_conform() {
    let recorder = Recorder::new(Sink);
    let log = recorder.log();
    console::all(&mut Bytewise::new(Yielding::new(recorder)), |_| log.bytes());
    let recorder = Recorder::new(Sink);
    let log = recorder.log();
    console::all(&mut { recorder }, |_| log.bytes());
    assert_eq!(log.calls(), 29, "one call per write of the script");
}

#[test]
fn the_frame_is_found_among_other_output() {
    let mut port = b"COM2 works too\n".to_vec();
    console::write_script(&mut HostConsole::new(&mut port)).unwrap();
    port.extend_from_slice(b"whatever comes next\n");
    assert_eq!(console::check_received(&port), Ok(()));
    assert!(matches!(console::check_exact(&port), Err(Mismatch::Before { count: 15 })));
    let after = &port[15..];
    let mismatch = console::check_exact(after).unwrap_err();
    assert!(matches!(mismatch, Mismatch::After { extra } if extra == b"whatever comes next\n"));
    assert_eq!(mismatch.to_string(), r#"20 bytes arrived after the script's last write: "whatever comes next\n""#);
}

#[test]
fn a_frame_cut_short_or_missing_is_a_mismatch() {
    let whole = script();
    let cut = &whole[..whole.len() - END.len()];
    let mismatch = console::check_received(cut).unwrap_err();
    assert_eq!(mismatch, Mismatch::Differs { at: cut.len(), framed: cut });
    assert!(mismatch.to_string().starts_with(&format!("the console's output ends after byte {}", cut.len())));
    let mismatch = console::check_received(b"nothing here").unwrap_err();
    assert_eq!(
        mismatch.to_string(),
        r#"the console's output has no "[console begin]" line: 12 bytes arrived, starting "nothing here""#
    );
}

/// Drops everything after the first 16 bytes of each write, as a UART
/// driver that fills the FIFO once and returns.
struct OneFifo<C>(C);

impl<C: Console> Console for OneFifo<C> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        self.0.write_bytes(&bytes[..bytes.len().min(16)])
    }
}

#[test]
#[should_panic(expected = "differs from the script at byte 32 of 1349 (line 2 of the frame)")]
fn a_console_that_drops_bytes_past_16_is_rejected() {
    console::all(&mut OneFifo(HostConsole::new(Vec::new())), |c| c.0.get_ref().clone());
}

/// Turns `\n` into `\r\n`, as a terminal driver would.
struct Crlf<C>(C);

impl<C: Console> Console for Crlf<C> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            match line.strip_suffix(b"\n") {
                Some(text) => {
                    self.0.write_bytes(text)?;
                    self.0.write_bytes(b"\r\n")?;
                }
                None => self.0.write_bytes(line)?,
            }
        }
        Ok(())
    }
}

#[test]
#[should_panic(expected = r#"at byte 15 of 1349 (line 1 of the frame): expected "[console begin]\nbytes one at a"#)]
fn a_console_that_adds_carriage_returns_is_rejected() {
    console::all(&mut Crlf(HostConsole::new(Vec::new())), |c| c.0.get_ref().clone());
}

/// Fails empty writes, and works otherwise.
struct EmptyFails<C>(C);

impl<C: Console> Console for EmptyFails<C> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        if bytes.is_empty() { Err(ConsoleError::NotReady) } else { self.0.write_bytes(bytes) }
    }
}

#[test]
#[should_panic(expected = r#"write 0 of the script (0 bytes: "") failed with NotReady: an empty write must succeed"#)]
fn a_console_that_fails_empty_writes_is_rejected() {
    console::all(&mut EmptyFails(Sink), |_| Vec::new());
}

#[test]
fn write_script_reports_the_error_itself() {
    assert_eq!(console::write_script(&mut EmptyFails(Sink)), Err(ConsoleError::NotReady));
}

/// Writes each write of more than 16 bytes in 16-byte pieces, with two
/// neighbouring pieces swapped: every byte arrives, in the wrong order.
struct Swaps<C>(C);

impl<C: Console> Console for Swaps<C> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        let mut pieces: Vec<&[u8]> = bytes.chunks(16).collect();
        if pieces.len() > 2 {
            pieces.swap(1, 2);
        }
        pieces.into_iter().try_for_each(|piece| self.0.write_bytes(piece))
    }
}

#[test]
#[should_panic(expected = "differs from the script at byte")]
fn a_console_that_reorders_is_rejected() {
    console::all(&mut Swaps(HostConsole::new(Vec::new())), |c| c.0.get_ref().clone());
}

/// Sends the first 16 bytes of each long write twice, as a driver that
/// does not advance after the FIFO took a piece.
struct Repeats<C>(C);

impl<C: Console> Console for Repeats<C> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        if bytes.len() > 16 {
            self.0.write_bytes(&bytes[..16])?;
        }
        self.0.write_bytes(bytes)
    }
}

#[test]
#[should_panic(expected = "differs from the script at byte 32 of 1349")]
fn a_console_that_duplicates_is_rejected() {
    console::all(&mut Repeats(HostConsole::new(Vec::new())), |c| c.0.get_ref().clone());
}

#[test]
fn a_mismatch_names_the_first_difference() {
    let mut port = script();
    let at = port.len() - END.len() - 100;
    port[at] = b'#';
    let message = console::check_received(&port).unwrap_err().to_string();
    assert!(message.starts_with(&format!("the console's output differs from the script at byte {at} of")), "{message}");
    assert!(message.contains("(line 24 of the frame)"), "{message}");
    assert!(BEGIN.len() < at);
}
