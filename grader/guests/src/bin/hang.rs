//! A kernel whose second test never returns: the grader must stop it at the
//! deadline and say `timed_out`.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

fn hangs() {
    loop {
        core::hint::spin_loop();
    }
}

fn fine() {}

fn never_reached() {}

static CASES: &[Case] = fledge_boot::cases![fine, hangs, never_reached];

fledge_boot::test_kernel!(CASES);
