//! Asking the CPU what it can do.
//!
//! `CPUID` takes a *leaf* number in EAX and answers in four registers.
//! Leaf 1 describes the basic features: bit 30 of ECX says RDRAND is there.
//! Leaf 7 (sub-leaf 0) describes the extended ones: bit 18 of EBX says
//! RDSEED is there. A CPU too old to have leaf 7 answers leaf 0 with a
//! highest leaf below 7, and then leaf 7 must not be trusted.
//!
//! Executing an instruction the CPU does not have raises an invalid-opcode
//! exception (`#UD`), so a driver checks first.

use core::arch::x86_64::{__cpuid, __cpuid_count};

/// What this CPU offers for randomness.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// The `RDRAND` instruction.
    pub rdrand: bool,
    /// The `RDSEED` instruction.
    pub rdseed: bool,
}

// ANCHOR: decode
/// Decodes the two CPUID registers that matter: ECX of leaf 1 and EBX of
/// leaf 7 (0 when the CPU has no leaf 7).
pub fn decode(leaf1_ecx: u32, leaf7_ebx: u32) -> Features {
    Features { rdrand: leaf1_ecx & (1 << 30) != 0, rdseed: leaf7_ebx & (1 << 18) != 0 }
}
// ANCHOR_END: decode

/// Asks this CPU.
pub fn detect() -> Features {
    let highest = __cpuid(0).eax;
    let leaf1 = __cpuid(1).ecx;
    let leaf7 = if highest >= 7 { __cpuid_count(7, 0).ebx } else { 0 };
    decode(leaf1, leaf7)
}
