//! A well-behaved test kernel: two tests, both pass.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

static CASES: &[Case] = &[Case::new("first", || {}), Case::new("second", || {})];

fledge_boot::test_kernel!(CASES);
