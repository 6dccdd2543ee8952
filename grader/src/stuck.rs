//! Where a hung guest is: its instruction pointer and its stack, read
//! through QEMU before the grader stops it.
//!
//! At a boot's deadline, while QEMU still runs, [`sample`] pauses the
//! virtual CPU a few times, [`SAMPLES`] in all, a few milliseconds apart,
//! and each time reads its registers and walks its stack:
//!
//! ```text
//! stop; info registers            RIP=0000010000005a9c RBP=0000018000014e90 ... HLT=0
//! x/2gx 0x18000014e90             0000018000014e90: 0x0000018000014ef0 0x00000100000028a4
//!                                                   saved rbp (caller's)  return address
//! x/2gx 0x18000014ef0             ...                  one frame further out, and so on
//! cont
//! ```
//!
//! Fledge's kernels keep frame pointers (`.cargo/config.toml`), so `rbp`
//! points at the caller's saved `rbp` with the return address above it.
//! The walk stops at a null, misaligned or unreadable frame, or one that is
//! not further up the stack than the last. The CPU is paused while it is
//! read (`stop`): under TCG a running CPU's registers in QEMU's monitor can
//! be those of a while ago. Several samples show the loop rather than one
//! point in it. The addresses are raw: [`crate::symbols`] names them.

use std::path::Path;
use std::thread;
use std::time::Duration;

use crate::qmp::Qmp;

/// How many times the CPU is looked at.
pub const SAMPLES: usize = 5;

/// How long it runs between two looks.
const BETWEEN: Duration = Duration::from_millis(15);

/// At most this many frames are walked.
const MAX_FRAMES: usize = 32;

/// One look at the CPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The instruction pointer.
    pub rip: u64,
    /// Whether the CPU was halted (`hlt`), waiting for an interrupt.
    pub halted: bool,
    /// The return addresses on the stack, innermost first.
    pub returns: Vec<u64>,
}

/// Looks at the guest behind the QMP socket `socket` [`SAMPLES`] times, and
/// leaves it paused. `None` if QEMU could not be asked (it is gone, or does
/// not answer).
pub fn sample(socket: &Path) -> Option<Vec<Sample>> {
    let mut qmp = Qmp::connect(socket).ok()?;
    let mut samples = Vec::new();
    for i in 0..SAMPLES {
        if i > 0 {
            qmp.execute("cont", None).ok()?;
            thread::sleep(BETWEEN);
        }
        qmp.execute("stop", None).ok()?;
        let registers = qmp.monitor("info registers").ok()?;
        let (Some(rip), Some(rbp)) = (register(&registers, "RIP"), register(&registers, "RBP")) else {
            // Not in long mode yet: the bootloader's stages, not the kernel.
            return None;
        };
        let halted = register(&registers, "HLT") == Some(1);
        samples.push(Sample { rip, halted, returns: walk(&mut qmp, rbp) });
    }
    Some(samples)
}

/// The return addresses of the frame chain that starts at `rbp`.
fn walk(qmp: &mut Qmp, mut rbp: u64) -> Vec<u64> {
    let mut returns = Vec::new();
    while returns.len() < MAX_FRAMES && rbp != 0 && rbp.is_multiple_of(8) {
        let Ok(text) = qmp.monitor(&format!("x/2gx {rbp:#x}")) else { break };
        let Some([saved, ret]) = two_words(&text) else { break };
        if ret == 0 {
            break;
        }
        returns.push(ret);
        if saved <= rbp {
            break;
        }
        rbp = saved;
    }
    returns
}

/// The value of `NAME=` in QEMU's `info registers`, read as hex.
pub fn register(text: &str, name: &str) -> Option<u64> {
    let prefix = format!("{name}=");
    text.split_whitespace()
        .find_map(|word| word.strip_prefix(&prefix))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
}

/// The two words of an `x/2gx` dump: `ADDRESS: 0xAAAA 0xBBBB`.
fn two_words(text: &str) -> Option<[u64; 2]> {
    let (_, words) = text.lines().next()?.split_once(": ")?;
    let mut words = words.split_whitespace().map(|w| u64::from_str_radix(w.strip_prefix("0x")?, 16).ok());
    Some([words.next()??, words.next()??])
}

#[cfg(test)]
mod test {
    use super::*;

    /// What QEMU 7.2 prints, cut short.
    const REGISTERS: &str = "RAX=0000000000000000 RBX=0000000000000005 RCX=0000000000000000 RDX=00000000000003f8\n\
        RSI=00000100000009d3 RDI=0000000000000001 RBP=0000018000014ef0 RSP=0000018000014ef0\n\
        RIP=0000010000005a9c RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\n";

    #[test]
    fn registers_are_read_by_name() {
        assert_eq!(register(REGISTERS, "RIP"), Some(0x0000_0100_0000_5a9c));
        assert_eq!(register(REGISTERS, "RBP"), Some(0x0000_0180_0001_4ef0));
        assert_eq!(register(REGISTERS, "HLT"), Some(0));
        assert_eq!(register(REGISTERS, "IP"), None, "a name is a whole word's start");
        assert_eq!(register("EAX=00000000 EIP=00007c00", "RIP"), None, "not in long mode");
    }

    #[test]
    fn memory_dumps_give_two_words() {
        let dump = "0000018000014ef0: 0x0000018000014fd0 0x00000100000028a4\n";
        assert_eq!(two_words(dump), Some([0x0000_0180_0001_4fd0, 0x0000_0100_0000_28a4]));
        assert_eq!(two_words("Cannot access memory\n"), None);
        assert_eq!(two_words(""), None);
    }
}
