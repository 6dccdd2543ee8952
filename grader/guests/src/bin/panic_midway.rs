//! A kernel whose second of three tests panics: that boot reports fewer
//! results than it planned. The grader must mark the second `failed` with
//! the panic's place and message, boot again, and grade the third.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

fn before() {}

fn panics() {
    panic!("half way there");
}

fn after() {}

static CASES: &[Case] = fledge_boot::cases![before, panics, after];

fledge_boot::test_kernel!(CASES);
