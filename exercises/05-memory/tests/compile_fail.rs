//! Promises the compiler keeps: the files in `tests/ui/` must fail to
//! build, with the errors in their `.stderr` files. `cargo test -p
//! exercise-05-memory --test compile_fail` runs them (it needs no filled-in
//! holes: only the types matter). After an intended change to the errors,
//! `TRYBUILD=overwrite` rewrites the `.stderr` files.

#[test]
fn addresses_and_flushes_are_checked_by_the_compiler() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
