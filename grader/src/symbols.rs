//! Naming a kernel's code addresses: function, file and line, from the
//! kernel ELF's symbol table and DWARF line tables (the `kernel` profile
//! keeps line tables, see the workspace's `Cargo.toml`).
//!
//! The bootloader loads the kernel at [`KERNEL_BASE`]; the ELF is linked at
//! 0, so an address in the guest minus `KERNEL_BASE` is an address in the
//! file. One address can stand for several frames: the function the code
//! belongs to and, inside it, the functions inlined into it, innermost
//! first. A spin lock's loop, for example, is usually inlined into the
//! function that locks:
//!
//! ```text
//! 0x10000005a9c  spin_loop   core/src/hint.rs:209            inlined into
//!                relax       spin-0.9.8/src/relax.rs:29      inlined into
//!                lock        spin-0.9.8/src/mutex/spin.rs:186 inlined into
//!                Printer::print  exercises/01-serial/src/print.rs:80   (the function)
//! ```
//!
//! Files are shown relative to the repository when they are in it;
//! crates.io sources from their crate's folder (`spin-0.9.8/src/...`),
//! the standard library's from `core/src/...`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use addr2line::gimli;
use anyhow::{Context, Result};
use fledge_boot::KERNEL_BASE;
use object::{Object, ObjectSection};

/// One frame at a code address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The function, shortened: `SerialConsole::write_bytes`, `lock`.
    pub function: String,
    /// Its source file, as [`show_path`] writes it.
    pub file: Option<String>,
    /// The line in it.
    pub line: Option<u32>,
    /// Whether the file is in the repository.
    pub in_repo: bool,
    /// The `macro_rules!` macro whose body holds the line, if any: line
    /// tables give a local macro's own lines, not the line that used it.
    pub in_macro: Option<String>,
}

impl Frame {
    /// `FILE:LINE`, `FILE:LINE, in the `println!` macro`, or what is known.
    pub fn location(&self) -> String {
        let at = match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            (Some(file), None) => file.clone(),
            _ => "?".into(),
        };
        match &self.in_macro {
            Some(name) => format!("{at}, in the `{name}!` macro"),
            None => at,
        }
    }
}

/// The frames at each address in `addresses` (guest addresses), innermost
/// first. Addresses outside the kernel, or that the ELF cannot name, have
/// no entry.
pub fn lookup(kernel: &Path, root: &Path, addresses: &[u64]) -> Result<BTreeMap<u64, Vec<Frame>>> {
    let data = std::fs::read(kernel).with_context(|| format!("cannot read {}", kernel.display()))?;
    let file = object::File::parse(&data[..]).with_context(|| format!("{} is not an ELF file", kernel.display()))?;
    let load = |id: gimli::SectionId| -> Result<Cow<'_, [u8]>, gimli::Error> {
        Ok(file.section_by_name(id.name()).and_then(|s| s.uncompressed_data().ok()).unwrap_or(Cow::Borrowed(&[])))
    };
    let sections = gimli::DwarfSections::load(load)?;
    let dwarf = sections.borrow(|section| gimli::EndianSlice::new(section, gimli::LittleEndian));
    let context = addr2line::Context::from_dwarf(dwarf)?;
    let symbols = file.symbol_map();
    let mut sources = BTreeMap::new();
    let mut found = BTreeMap::new();
    for &address in addresses {
        let Some(offset) = address.checked_sub(KERNEL_BASE) else { continue };
        let mut frames = Vec::new();
        if let Ok(mut iter) = context.find_frames(offset).skip_all_loads() {
            while let Ok(Some(frame)) = iter.next() {
                let function = frame.function.as_ref().and_then(|f| f.demangle().ok()).map(|name| short(&name));
                let file = frame.location.as_ref().and_then(|l| l.file);
                let in_repo = file.is_some_and(|f| Path::new(f).starts_with(root));
                let line = frame.location.as_ref().and_then(|l| l.line);
                let in_macro = match (file, line) {
                    (Some(file), Some(line)) if in_repo => enclosing_macro(&mut sources, file, line),
                    _ => None,
                };
                let file = file.map(|f| show_path(f, root));
                let function = function.unwrap_or_else(|| "?".into());
                frames.push(Frame { function, file, line, in_repo, in_macro });
            }
        }
        // The symbol table has the outermost function's full name, which
        // line tables alone do not give.
        let symbol = symbols.get(offset).map(|s| short(&addr2line::demangle_auto(s.name().into(), None)));
        match (frames.last_mut(), symbol) {
            (Some(outer), Some(name)) => outer.function = name,
            (None, Some(name)) => {
                frames.push(Frame { function: name, file: None, line: None, in_repo: false, in_macro: None })
            }
            _ => {}
        }
        if !frames.is_empty() {
            found.insert(address, frames);
        }
    }
    Ok(found)
}

/// The `macro_rules!` macro around line `line` of `file` (read once, kept
/// in `sources`): the last `macro_rules! NAME` above the line, unless an
/// item ended (a `}` at the start of a line) in between.
fn enclosing_macro(sources: &mut BTreeMap<String, String>, file: &str, line: u32) -> Option<String> {
    let text = sources.entry(file.to_string()).or_insert_with(|| std::fs::read_to_string(file).unwrap_or_default());
    let above = text.lines().take(line as usize).collect::<Vec<_>>();
    for text in above.iter().rev().skip(1) {
        if let Some(rest) = text.trim_start().strip_prefix("macro_rules!") {
            return Some(rest.trim().trim_end_matches('{').trim().to_string());
        }
        if text.starts_with('}') {
            return None;
        }
    }
    None
}

/// A function's name without crates, modules and generic arguments:
/// `<fledge_serial::uart::SerialConsole as fledge_api::console::Console>::write_bytes`
/// is `SerialConsole::write_bytes`, `serial::print::_print` is `_print`.
pub fn short(name: &str) -> String {
    // `<Type as Trait>::method` is the type's method; `<Type<A>>::f` too.
    let name = match name.strip_prefix('<').and_then(|rest| Some(rest.split_at(closing(rest)?))) {
        Some((inner, rest)) => {
            let ty = inner.split(" as ").next().unwrap_or(inner);
            format!("{ty}{}", &rest[1..])
        }
        None => name.to_string(),
    };
    let mut plain = String::new();
    let mut depth = 0;
    for c in name.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let parts: Vec<&str> = plain.split("::").filter(|p| !p.is_empty()).collect();
    match parts[..] {
        [.., ty, f] if ty.starts_with(|c: char| c.is_ascii_uppercase()) => format!("{ty}::{f}"),
        [.., f] => f.to_string(),
        [] => name,
    }
}

/// Where the `>` closing an opened `<` is in `text`, which follows that `<`.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Some(i);
        }
    }
    None
}

/// A source path for people: relative to the repository root when inside
/// it; `spin-0.9.8/src/mutex.rs` for a crate from crates.io;
/// `core/src/hint.rs` for the standard library.
pub fn show_path(path: &str, root: &Path) -> String {
    if let Ok(inside) = lexical(Path::new(path)).strip_prefix(root) {
        return inside.display().to_string();
    }
    if let Some((_, rest)) = path.split_once("/registry/src/") {
        return rest.split_once('/').map_or(rest, |(_, crate_path)| crate_path).to_string();
    }
    if let Some((_, rest)) = path.split_once("/library/") {
        return rest.to_string();
    }
    path.to_string()
}

/// `a/b/../c` as `a/c`, without asking the file system: a solution's and
/// a test kernel's tests come from `../tests/cases/...`.
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            part => out.push(part),
        }
    }
    out
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn names_are_shortened_to_type_and_function() {
        let cases = [
            (
                "<fledge_serial::uart::SerialConsole as fledge_api::console::Console>::write_bytes",
                "SerialConsole::write_bytes",
            ),
            ("<serial::print::Printer<serial::uart::SerialConsole>>::print", "Printer::print"),
            ("serial::print::_print", "_print"),
            ("guest_deadlock::record", "record"),
            ("<spin::mutex::spin::SpinMutex<T, R>>::lock", "SpinMutex::lock"),
            ("lock", "lock"),
        ];
        for (long, wanted) in cases {
            assert_eq!(short(long), wanted, "{long}");
        }
    }

    #[test]
    fn lines_inside_a_local_macro_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("print.rs");
        let text =
            "fn a() {}\n\nmacro_rules! println {\n    () => {\n        call()\n    };\n}\n\nfn b() {\n    x();\n}\n";
        std::fs::write(&file, text).unwrap();
        let file = file.to_str().unwrap();
        let mut sources = BTreeMap::new();
        assert_eq!(enclosing_macro(&mut sources, file, 5).as_deref(), Some("println"));
        assert_eq!(enclosing_macro(&mut sources, file, 10), None, "after the macro's end");
        assert_eq!(enclosing_macro(&mut sources, file, 1), None);
        let frame = Frame {
            function: "f".into(),
            file: Some("p.rs".into()),
            line: Some(5),
            in_repo: true,
            in_macro: Some("println".into()),
        };
        assert_eq!(frame.location(), "p.rs:5, in the `println!` macro");
    }

    #[test]
    fn paths_are_shown_from_where_people_find_them() {
        let root = Path::new("/home/me/fledge");
        assert_eq!(
            show_path("/home/me/fledge/exercises/01-serial/src/uart.rs", root),
            "exercises/01-serial/src/uart.rs"
        );
        assert_eq!(
            show_path(
                "/home/me/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/spin-0.9.8/src/mutex/spin.rs",
                root
            ),
            "spin-0.9.8/src/mutex/spin.rs"
        );
        assert_eq!(show_path("/rustc/ad3d0bc1/library/core/src/hint.rs", root), "core/src/hint.rs");
        assert_eq!(show_path("/elsewhere/x.rs", root), "/elsewhere/x.rs");
        assert_eq!(
            show_path("/home/me/fledge/exercises/01-serial/src/../tests/cases/kernel.rs", root),
            "exercises/01-serial/tests/cases/kernel.rs"
        );
        assert_eq!(lexical(Path::new("../a/./b/../c")), Path::new("../a/c"));
    }
}
