//! Guard pages: telling a stack overflow from any other double fault.
//!
//! A stack is mapped with an unmapped *guard page* just below it, so that
//! running off its end faults instead of silently overwriting whatever
//! lies below. The fault that results is a double fault (see [`gdt`]), and
//! a double fault by itself does not say why it happened. CR2 does: it
//! still holds the address of the page fault that could not be delivered,
//! which for an overflow lies inside the guard page. Linux's double-fault
//! handler makes the same check and reports "kernel stack overflow".
//!
//! Code that builds a stack (exercise 05's `map_stack`) registers its guard
//! page with [`watch_guard_page`]; the double-fault handler calls
//! [`report_stack_overflow`] first, which panics with a sentence that
//! names the guard page when CR2 is inside a registered one.
//!
//! [`gdt`]: crate::gdt

use core::sync::atomic::{AtomicU64, Ordering};

use fledge_memlayout::PAGE_SIZE;

/// How many guard pages can be watched at once.
pub const GUARD_PAGES: usize = 8;

/// The start of each watched guard page; 0 marks a free slot.
static WATCHED: [AtomicU64; GUARD_PAGES] = [const { AtomicU64::new(0) }; GUARD_PAGES];

/// There is no free slot for another guard page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyGuardPages;

impl core::fmt::Display for TooManyGuardPages {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "no room to watch another guard page: {GUARD_PAGES} are watched already")
    }
}

impl core::error::Error for TooManyGuardPages {}

/// Registers the unmapped page that starts at `page_start` as a stack's
/// guard page. Registering a page twice keeps one entry.
pub fn watch_guard_page(page_start: u64) -> Result<(), TooManyGuardPages> {
    let page_start = page_start & !(PAGE_SIZE - 1);
    if WATCHED.iter().any(|slot| slot.load(Ordering::SeqCst) == page_start) {
        return Ok(());
    }
    let free =
        WATCHED.iter().find(|slot| slot.compare_exchange(0, page_start, Ordering::SeqCst, Ordering::SeqCst).is_ok());
    free.map(|_| ()).ok_or(TooManyGuardPages)
}

/// The watched guard page that `address` lies in, if any.
pub fn guard_page_of(address: u64) -> Option<u64> {
    WATCHED
        .iter()
        .map(|slot| slot.load(Ordering::SeqCst))
        .find(|&start| start != 0 && (start..start + PAGE_SIZE).contains(&address))
}

/// Called by the double-fault handler before anything else: if `cr2` (the
/// address of the page fault that could not be delivered) lies in a
/// watched guard page, panics with `stack overflow: the stack ran into its
/// guard page at GUARD (CR2 ADDRESS)`. Otherwise it returns, and the
/// handler reports an ordinary double fault.
pub fn report_stack_overflow(cr2: u64) {
    if let Some(guard) = guard_page_of(cr2) {
        panic!("stack overflow: the stack ran into its guard page at {guard:#x} (CR2 {cr2:#x})");
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_watched_page_is_found_and_others_are_not() {
        watch_guard_page(0x7000_0000_0000).unwrap();
        watch_guard_page(0x7000_0000_0123).unwrap();
        assert_eq!(guard_page_of(0x7000_0000_0ff8), Some(0x7000_0000_0000));
        assert_eq!(guard_page_of(0x7000_0000_1000), None, "the page above the guard is the stack");
        assert_eq!(guard_page_of(0x6fff_ffff_fff8), None);
        let slots = WATCHED.iter().filter(|slot| slot.load(Ordering::SeqCst) == 0x7000_0000_0000).count();
        assert_eq!(slots, 1, "watching a page twice keeps one entry");
        report_stack_overflow(0x1234);
    }

    #[test]
    #[should_panic(
        expected = "stack overflow: the stack ran into its guard page at 0x710000000000 (CR2 0x710000000f08)"
    )]
    fn an_overflow_into_a_watched_page_is_reported() {
        watch_guard_page(0x7100_0000_0000).unwrap();
        report_stack_overflow(0x7100_0000_0f08);
    }
}
