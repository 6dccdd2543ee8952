//! A starter's given code, everything that is not a hole, is the upstream
//! crate's code, token for token. The finished piece lives once, upstream in
//! `kernel/`; a starter repeats the parts a learner does not write, and this
//! test keeps the two copies from drifting apart.
//!
//! How: both files are parsed with `syn`, and every item (function, method
//! of an `impl`, struct, enum, constant, static, trait, macro) is compared
//! by its tokens, doc comments left out (a starter's docs may say more about
//! the hole). An item whose tokens hold `todo!` is a hole and is skipped;
//! `#[cfg(test)]` modules and `use` declarations are not compared. The crate
//! a starter is checked against is the one its solution package runs the
//! tests on (see `checklist.rs`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use quote::ToTokens;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Drops the doc comments (`#[doc = ...]`) from `attrs`.
fn strip_docs(attrs: &mut Vec<syn::Attribute>) {
    attrs.retain(|a| !a.path().is_ident("doc"));
}

/// Whether `attrs` hold `#[cfg(test)]`.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") && a.to_token_stream().to_string().contains("test"))
}

/// Every item of a file, by a key that names it, as its tokens without docs.
fn items(path: &Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
    let mut found = BTreeMap::new();
    for item in file.items {
        let (key, mut item) = match item {
            syn::Item::Fn(ref f) => (format!("fn {}", f.sig.ident), item),
            syn::Item::Struct(ref s) => (format!("struct {}", s.ident), item),
            syn::Item::Enum(ref e) => (format!("enum {}", e.ident), item),
            syn::Item::Const(ref c) => (format!("const {}", c.ident), item),
            syn::Item::Static(ref s) => (format!("static {}", s.ident), item),
            syn::Item::Trait(ref t) => (format!("trait {}", t.ident), item),
            syn::Item::Type(ref t) => (format!("type {}", t.ident), item),
            syn::Item::Macro(ref m) => {
                let name = m
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| m.mac.path.to_token_stream().to_string());
                (format!("macro {name} {}", m.mac.tokens.to_string().chars().take(40).collect::<String>()), item)
            }
            syn::Item::Impl(imp) => {
                if is_test_only(&imp.attrs) {
                    continue;
                }
                let of = imp
                    .trait_
                    .as_ref()
                    .map(|(_, path, _)| format!("{} for ", path.to_token_stream()))
                    .unwrap_or_default();
                let owner = format!("impl {of}{}", imp.self_ty.to_token_stream());
                for inner in imp.items {
                    let (name, mut tokens) = match inner {
                        syn::ImplItem::Fn(mut f) => {
                            strip_docs(&mut f.attrs);
                            (f.sig.ident.to_string(), f.to_token_stream().to_string())
                        }
                        syn::ImplItem::Const(mut c) => {
                            strip_docs(&mut c.attrs);
                            (c.ident.to_string(), c.to_token_stream().to_string())
                        }
                        syn::ImplItem::Type(mut t) => {
                            strip_docs(&mut t.attrs);
                            (t.ident.to_string(), t.to_token_stream().to_string())
                        }
                        other => (other.to_token_stream().to_string(), String::new()),
                    };
                    tokens.insert_str(0, &owner);
                    found.insert(format!("{owner}::{name}"), tokens);
                }
                continue;
            }
            _ => continue,
        };
        let attrs = match &mut item {
            syn::Item::Fn(i) => &mut i.attrs,
            syn::Item::Struct(i) => &mut i.attrs,
            syn::Item::Enum(i) => &mut i.attrs,
            syn::Item::Const(i) => &mut i.attrs,
            syn::Item::Static(i) => &mut i.attrs,
            syn::Item::Trait(i) => &mut i.attrs,
            syn::Item::Type(i) => &mut i.attrs,
            syn::Item::Macro(i) => &mut i.attrs,
            _ => unreachable!("only the kinds above are kept"),
        };
        strip_docs(attrs);
        found.insert(key, item.to_token_stream().to_string());
    }
    found
}

/// The upstream crate's `src` folder for an exercise: the crate its solution
/// package names in `extern crate fledge_x as y;`, else `fledge-boot`.
fn upstream_src(folder: &str) -> PathBuf {
    let workspace = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let main = fs::read_to_string(root().join("solutions").join(folder).join("src/main.rs")).unwrap();
    let krate = main
        .split_once("extern crate ")
        .map(|(_, rest)| rest.split_whitespace().next().unwrap().to_string())
        .unwrap_or_else(|| "fledge_boot".to_string());
    let key = format!("{} = {{ path = \"", krate.replace('_', "-"));
    let path = workspace
        .lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{krate} is not a path dependency of the workspace"));
    root().join(path).join("src")
}

#[test]
fn given_code_is_the_upstream_code() {
    let mut checked = 0;
    for entry in fs::read_dir(root().join("exercises")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("exercise.toml").is_file() {
            continue;
        }
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        let upstream = upstream_src(&folder);
        for file in fs::read_dir(dir.join("src")).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name == "main.rs" || !upstream.join(&name).is_file() {
                continue;
            }
            let theirs = items(&upstream.join(&name));
            for (key, ours) in items(&file) {
                if ours.contains("todo !") {
                    continue;
                }
                let place = format!("exercises/{folder}/src/{name}");
                let Some(upstream_item) = theirs.get(&key) else {
                    panic!("{place}: the given `{key}` is not in {}", upstream.join(&name).display());
                };
                assert_eq!(
                    &ours,
                    upstream_item,
                    "{place}: the given `{key}` differs from the upstream one in {}: given code is the upstream code, \
                     so change both",
                    upstream.join(&name).display()
                );
                checked += 1;
            }
        }
    }
    // A check that compares nothing would pass on any tree.
    assert!(checked > 50, "only {checked} given items were compared");
    println!("{checked} given items compared");
}

#[test]
fn a_changed_given_item_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        items(&path)
    };
    let a = write(
        "a.rs",
        "/// One.\npub fn given() -> u32 { 1 }\npub fn hole() { todo!(\"x\") }\nimpl S { fn m(&self) {} }\n",
    );
    let b = write("b.rs", "/// Two.\npub fn given() -> u32 { 2 }\npub fn hole() { }\nimpl S { fn m(&self) { } }\n");
    assert_ne!(a["fn given"], b["fn given"], "a changed body is a difference");
    assert!(a["fn hole"].contains("todo !"), "a hole is recognised by its todo!");
    assert_eq!(a["impl S::m"], b["impl S::m"], "white space and doc comments are not differences");
}
