//! A kernel whose first test prints without end: the grader must stop it
//! once the output passes its limit, keep the head and the tail of what it
//! said, and say `flooded`.

#![cfg_attr(target_os = "none", no_std, no_main)]

use core::fmt::Write;

use fledge_boot::Case;

fn floods() {
    let mut line = 0u64;
    loop {
        let _ = writeln!(fledge_boot::com1::Com1, "flood line {line}: the quick brown fox jumps over the lazy dog");
        line += 1;
    }
}

fn never_reached() {}

static CASES: &[Case] = fledge_boot::cases![floods, never_reached];

fledge_boot::test_kernel!(CASES);
