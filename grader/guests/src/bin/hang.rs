//! A kernel whose second test never returns: the grader must stop it at the
//! deadline and say `timed_out`.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

fn hang() {
    loop {
        core::hint::spin_loop();
    }
}

static CASES: &[Case] = &[Case::new("fine", || {}), Case::new("hangs", hang), Case::new("never_reached", || {})];

fledge_boot::test_kernel!(CASES);
