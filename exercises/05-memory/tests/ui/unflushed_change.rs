// A page-table change hands back a `MapperFlush`, and dropping it without
// flushing (or saying `.ignore()`) does not compile: the type is
// `#[must_use]`, and every Fledge crate denies `unused_must_use` through the
// workspace's `[lints]`. trybuild builds this file outside the workspace, so
// it says so itself.
#![deny(unused_must_use)]

use memory::frames::BitmapFrameAllocator;
use x86_64::structures::paging::{Mapper, Page, PageTableFlags, PhysFrame, Size4KiB};

#[allow(dead_code)]
fn map_one(mapper: &mut impl Mapper<Size4KiB>, frames: &mut BitmapFrameAllocator, page: Page, frame: PhysFrame) {
    // SAFETY: never runs; this file must not compile.
    unsafe { mapper.map_to(page, frame, PageTableFlags::PRESENT, frames) }.expect("mapped");
}

fn main() {}
