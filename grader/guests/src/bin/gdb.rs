//! A passing kernel of its own for the `--gdb` test, so that it never waits
//! for another test's grading of the same guest.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

static CASES: &[Case] = &[Case::new("only", || {})];

fledge_boot::test_kernel!(CASES);
