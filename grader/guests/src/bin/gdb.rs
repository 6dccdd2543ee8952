//! A passing kernel of its own for the `--gdb` test, so that it never waits
//! for another test's grading of the same guest.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

fn only() {}

static CASES: &[Case] = fledge_boot::cases![only];

fledge_boot::test_kernel!(CASES);
