//! The grader's shape, checked: its modules import each other without
//! cycles, and none of its files is over 400 lines.
//!
//! How the cycle check works: every `.rs` file under `grader/src/` is one
//! module (`src/report/junit.rs` is `report::junit`, `src/main.rs` the crate
//! root). Each file is parsed with `syn`, and every path in it is read: `use`
//! trees, paths in types and expressions, and the arguments of macros that
//! parse as expressions (`format!`, `assert!`). A path that starts with
//! `crate`, `super`, `self` or the name of a child module is resolved to the
//! longest module it names: `crate::report::Verdict` is a reference to
//! `report`, `super::*` in `ending/tests.rs` one to `ending`. That gives a
//! directed graph, module to module; a strongly connected component of more
//! than one module (Tarjan's algorithm) is a cycle, and the test fails
//! naming every module in it. `mod x;` declarations are not references, so a
//! parent and its children form a cycle only if the parent uses something
//! from a child that uses something from it. The checker itself is tested
//! on made-up modules with a cycle, so it cannot pass by seeing nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Every file's module path and text, under `dir`.
fn modules(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in rust_files(dir) {
        let relative = file.strip_prefix(dir).unwrap().with_extension("");
        let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod" || p == "main" || p == "lib") {
            parts.pop();
        }
        found.insert(parts.join("::"), std::fs::read_to_string(&file).unwrap());
    }
    found
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Reads every path of one file, resolved against its module.
struct Paths<'a> {
    /// The module being read, inline `mod` blocks included.
    here: Vec<String>,
    /// Every module there is.
    known: &'a BTreeSet<String>,
    /// The modules referred to.
    found: BTreeSet<String>,
}

impl Paths<'_> {
    fn add(&mut self, segments: Vec<String>) {
        let Some(first) = segments.first() else { return };
        let (mut absolute, rest) = match first.as_str() {
            "crate" => (Vec::new(), &segments[1..]),
            "self" => (self.here.clone(), &segments[1..]),
            "super" => {
                let supers = segments.iter().take_while(|s| *s == "super").count();
                let mut at = self.here.clone();
                at.truncate(at.len().saturating_sub(supers));
                (at, &segments[supers..])
            }
            // A child module of this one, named without `self::` (a path of
            // one segment is a function or a type, not a module).
            _ if segments.len() > 1 && self.known.contains(&[&self.here[..], &segments[..1]].concat().join("::")) => {
                (self.here.clone(), &segments[..])
            }
            // Another crate, or a name brought in by a `use` (read there).
            _ => return,
        };
        absolute.extend(rest.iter().cloned());
        if let Some(module) = longest_module(&absolute, self.known) {
            self.found.insert(module);
        }
    }
}

/// The longest known module that `path` starts with (the crate root is "").
fn longest_module(path: &[String], known: &BTreeSet<String>) -> Option<String> {
    (0..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| known.contains(m))
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_tree(&item.tree, Vec::new(), &mut paths);
        for path in paths {
            self.add(path);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.here.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.here.pop();
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        use syn::punctuated::Punctuated;
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = mac.parse_body_with(parser) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// The paths a `use` tree brings in: `use a::{b, c::d}` is `a::b`, `a::c::d`.
fn use_tree(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let with = |name: String| {
        let mut path = prefix.clone();
        path.push(name);
        path
    };
    match tree {
        syn::UseTree::Path(p) => use_tree(&p.tree, with(p.ident.to_string()), out),
        syn::UseTree::Name(n) => out.push(with(n.ident.to_string())),
        syn::UseTree::Rename(r) => out.push(with(r.ident.to_string())),
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_tree(t, prefix.clone(), out)),
    }
}

/// Module to the modules it refers to.
fn graph(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, text) in modules {
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let here = if name.is_empty() { Vec::new() } else { name.split("::").map(String::from).collect() };
        let mut paths = Paths { here, known: &known, found: BTreeSet::new() };
        paths.visit_file(&file);
        paths.found.remove(name);
        graph.insert(name.clone(), paths.found);
    }
    graph
}

/// Tarjan's strongly connected components with more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let low = s.low[v].min(s.low[w.as_str()]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.low[v].min(s.index[w.as_str()]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

fn grader() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_modules_import_each_other_without_cycles() {
    let graph = graph(&modules(&grader().join("src")));
    for (module, uses) in &graph {
        let name = if module.is_empty() { "(main)" } else { module };
        println!(
            "{name:<16} -> {}",
            uses.iter().map(|u| if u.is_empty() { "(main)" } else { u }).collect::<Vec<_>>().join(", ")
        );
    }
    assert!(graph.len() > 10 && graph["grade"].contains("run"), "the checker sees too little: {graph:?}");
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules of the grader that import each other in a cycle: {found:?}");
}

#[test]
fn the_checker_finds_cycles_through_any_kind_of_path() {
    let modules = |files: &[(&str, &str)]| files.iter().map(|(m, t)| (m.to_string(), t.to_string())).collect();
    let by_use = modules(&[("", "mod a; mod b;"), ("a", "use crate::b::X;"), ("b", "pub fn f() { crate::a::g() }")]);
    assert_eq!(cycles(&graph(&by_use)), [vec!["a".to_string(), "b".to_string()]]);
    let by_group_and_macro = modules(&[
        ("", ""),
        ("a", "use crate::{c::Y, b};"),
        ("b", "fn f() { println!(\"{}\", super::c::Z); }"),
        ("c", "fn g() -> crate::a::T { todo!() }"),
    ]);
    assert_eq!(cycles(&graph(&by_group_and_macro)), [vec!["a".to_string(), "b".to_string(), "c".to_string()]]);
    let parent_and_child = modules(&[("", ""), ("p", "mod k; pub use k::Thing;"), ("p::k", "use super::Other;")]);
    assert_eq!(cycles(&graph(&parent_and_child)), [vec!["p".to_string(), "p::k".to_string()]]);
    let layered = modules(&[("", ""), ("a", "use crate::b::X; mod t { use super::*; }"), ("b", "use std::fmt;")]);
    assert!(cycles(&graph(&layered)).is_empty());
}

#[test]
fn no_file_of_the_grader_is_over_400_lines() {
    let mut long = Vec::new();
    for dir in ["src", "tests", "guests"] {
        for file in rust_files(&grader().join(dir)) {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            if lines > 400 {
                long.push(format!("{} ({lines} lines)", file.strip_prefix(grader()).unwrap().display()));
            }
        }
    }
    assert!(long.is_empty(), "split these by idea, to 400 lines or fewer each: {}", long.join(", "));
}
