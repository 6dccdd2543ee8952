//! A well-behaved test kernel: two tests, both pass.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

fn first() {}

fn second() {}

static CASES: &[Case] = fledge_boot::cases![first, second];

fledge_boot::test_kernel!(CASES);
