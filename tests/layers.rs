//! Layers point down: no import circle in `src/`.
//!
//! The test reads every `src/**/*.rs`, collects the edges "this file names an item of that file"
//! from its `crate::` and `super::` paths (in `use` declarations and in expressions alike), and
//! fails, naming the circle and printing its edges, if one exists among:
//!
//! 1. **the top-level modules**: the files and folders directly under `src/` (`lib.rs` is the
//!    crate root, not a node: it declares the modules and re-exports their items);
//! 2. **the siblings of one folder**: for every folder under `src/`, its files and sub-folders.
//!    A folder's `mod.rs` is the folder itself, not one of its siblings: it declares its
//!    children and re-exports their items, and a child may use what its parent defines, so
//!    edges from or to `mod.rs` take part in no sibling circle (they count at the level above,
//!    as edges of the folder).
//!
//! A path is resolved to the file that defines the item, not to the file that re-exports it:
//! `crate::where_` (re-exported by `lib.rs`) is an edge to `array/`, and `super::Name` in a child
//! of `graph/`, where `graph/mod.rs` has `pub use movement::Name`, is an edge to
//! `graph/movement.rs`. So a circle cannot hide behind a re-export. (`use` declarations of any
//! visibility are followed, since a child sees its parent's private imports.) Paths through
//! `use super::*` globs and items named after a glob are not followed.
//!
//! Unit tests are not layers: a `#[cfg(test)]` item (an inline `mod tests { .. }`) and a
//! folder's `tests.rs` are left out, since testing the plan, say, means building arrays with
//! the API above it. They are compiled into test builds only, so they make no circle in the
//! library.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A module path from the crate root (`[]` is `lib.rs`, `["graph", "reduce"]` is
/// `src/graph/reduce.rs`).
type ModPath = Vec<String>;

/// One source file: its module path, whether it is a folder's `mod.rs` (or `lib.rs`), and its
/// tokens with line numbers.
struct File {
    rel: String,
    module: ModPath,
    tokens: Vec<(String, usize)>,
}

/// An edge: `from` names an item defined in `to`, at `line` of `from`, through `path`.
#[derive(Clone)]
struct Edge {
    from: ModPath,
    to: ModPath,
    file: String,
    line: usize,
    path: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src/`.
fn module_of(rel: &Path) -> ModPath {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_string()),
    }
    parts
}

/// Identifiers and punctuation of Rust source, without comments, strings and char literals
/// (lifetimes are dropped too). `::` is one token; `$crate` becomes `crate`.
fn tokenize(text: &str) -> Vec<(String, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let count_lines = |s: &[char]| s.iter().filter(|&&ch| ch == '\n').count();
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let (start, mut depth) = (i, 0);
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            line += count_lines(&c[start..i]);
        } else if ch == 'r' && (c.get(i + 1) == Some(&'#') || c.get(i + 1) == Some(&'"')) && {
            let mut j = i + 1;
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            c.get(j) == Some(&'"')
        } {
            // A raw string: r#"..."#.
            let start = i;
            let mut j = i + 1;
            let mut hashes = 0;
            while c[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if c[j] == '"' && (0..hashes).all(|h| c.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            line += count_lines(&c[start..i]);
        } else if ch == '"' {
            let start = i;
            i += 1;
            while c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            line += count_lines(&c[start..i]);
        } else if ch == '\'' {
            if c.get(i + 1) == Some(&'\\') {
                i += 2;
                while c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                // A lifetime: skip the quote and its name.
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((c[start..i].iter().collect(), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(("::".into(), line));
            i += 2;
        } else if ch == '$' && c[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            i += 1;
        } else {
            out.push((ch.to_string(), line));
            i += 1;
        }
    }
    out
}

/// Parses a use tree (or an expression path) starting at `tokens[i]`, after its prefix has been
/// resolved to `prefix`; pushes every leaf path (with the name it binds) and returns the index
/// after the tree.
fn parse_tree(
    tokens: &[(String, usize)],
    mut i: usize,
    prefix: ModPath,
    leaves: &mut Vec<(ModPath, Option<String>)>,
) -> usize {
    let mut path = prefix;
    loop {
        match tokens.get(i).map(|t| t.0.as_str()) {
            Some("{") => {
                i += 1;
                loop {
                    match tokens.get(i).map(|t| t.0.as_str()) {
                        Some("}") => return i + 1,
                        Some(",") => i += 1,
                        Some("self") => {
                            let mut j = i + 1;
                            let mut name = path.last().cloned();
                            if tokens.get(j).map(|t| t.0.as_str()) == Some("as") {
                                name = Some(tokens[j + 1].0.clone());
                                j += 2;
                            }
                            leaves.push((path.clone(), name));
                            i = j;
                        }
                        Some(_) => i = parse_tree(tokens, i, path.clone(), leaves),
                        None => return i,
                    }
                }
            }
            Some("*") => {
                // A glob: an edge to the module, no name bound.
                leaves.push((path, None));
                return i + 1;
            }
            Some(t) if is_ident(t) => {
                path.push(t.to_string());
                i += 1;
                if tokens.get(i).map(|t| t.0.as_str()) == Some("::") {
                    i += 1;
                    continue;
                }
                let mut name = path.last().cloned();
                if tokens.get(i).map(|t| t.0.as_str()) == Some("as") {
                    name = tokens.get(i + 1).map(|t| t.0.clone());
                    i += 2;
                }
                leaves.push((path, name));
                return i;
            }
            _ => {
                leaves.push((path, None));
                return i;
            }
        }
    }
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Every path of a file that starts with `crate::`, `super::` or `self::` (or, in a `use`
/// declaration, with a child module's name), resolved to absolute module paths: (path, the name
/// a `use` binds or None, the module the `use` binds it in if it is one, line).
type Found = Vec<(ModPath, Option<String>, Option<ModPath>, usize)>;

fn paths_of(file: &File, modules: &BTreeSet<ModPath>) -> Found {
    let t = &file.tokens;
    let mut found = Vec::new();
    // The module the tokens are in: the file's, plus inline `mod name { ... }` blocks.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut in_use = false;
    let mut i = 0;
    while i < t.len() {
        let tok = t[i].0.as_str();
        match tok {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|m| m.1 == depth) {
                    inline.pop();
                }
            }
            ";" => in_use = false,
            "mod" if t.get(i + 2).map(|x| x.0.as_str()) == Some("{") => {
                inline.push((t[i + 1].0.clone(), depth));
            }
            "use" => in_use = true,
            _ => {}
        }
        let here: ModPath = file
            .module
            .iter()
            .cloned()
            .chain(inline.iter().map(|m| m.0.clone()))
            .collect();
        let starts_path =
            (i == 0 || t[i - 1].0 != "::") && t.get(i + 1).map(|x| x.0.as_str()) == Some("::");
        let child_module = {
            let mut p = here.clone();
            p.push(tok.to_string());
            inline.is_empty() && modules.contains(&p)
        };
        if starts_path && (matches!(tok, "crate" | "super" | "self") || (in_use && child_module)) {
            let line = t[i].1;
            let mut base = match tok {
                "crate" => Vec::new(),
                "self" => here.clone(),
                "super" => {
                    let mut b = here.clone();
                    b.pop();
                    b
                }
                _ => {
                    let mut b = here.clone();
                    b.push(tok.to_string());
                    b
                }
            };
            let mut j = i + 2;
            while t.get(j).map(|x| x.0.as_str()) == Some("super")
                && t.get(j + 1).map(|x| x.0.as_str()) == Some("::")
            {
                base.pop();
                j += 2;
            }
            let mut leaves = Vec::new();
            let end = parse_tree(t, j, base, &mut leaves);
            for (p, name) in leaves {
                found.push((p, name, in_use.then(|| here.clone()), line));
            }
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

/// The names each module binds with `use` (of any visibility): name -> absolute path.
type Bindings = BTreeMap<ModPath, BTreeMap<String, ModPath>>;

/// Resolves an absolute path to the module (file) that defines its item, following the modules
/// that exist as files and the names bound by `use`.
fn resolve(path: &[String], modules: &BTreeSet<ModPath>, binds: &Bindings, hops: usize) -> ModPath {
    let mut at: ModPath = Vec::new();
    for (k, seg) in path.iter().enumerate() {
        let mut child = at.clone();
        child.push(seg.clone());
        if modules.contains(&child) {
            at = child;
            continue;
        }
        if let Some(target) = binds.get(&at).and_then(|b| b.get(seg))
            && hops < 16
            && target.as_slice() != &path[..=k]
        {
            let mut rest = target.clone();
            rest.extend(path[k + 1..].iter().cloned());
            return resolve(&rest, modules, binds, hops + 1);
        }
        return at;
    }
    at
}

fn load() -> (Vec<File>, BTreeSet<ModPath>) {
    let src = src_dir();
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: Vec<File> = paths
        .iter()
        .filter(|p| !p.ends_with("tests.rs"))
        .map(|p| {
            let rel = p.strip_prefix(&src).expect("under src/");
            File {
                rel: format!("src/{}", rel.display()),
                module: module_of(rel),
                tokens: without_test_items(tokenize(
                    &std::fs::read_to_string(p).expect("a readable source file"),
                )),
            }
        })
        .collect();
    let modules = files.iter().map(|f| f.module.clone()).collect();
    (files, modules)
}

/// The tokens without the items under `#[cfg(test)]`: each such attribute and the item after
/// it, up to the `}` closing its first `{` (or its `;` when it has no body).
fn without_test_items(tokens: Vec<(String, usize)>) -> Vec<(String, usize)> {
    const ATTR: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let is_attr = tokens.len() - i >= ATTR.len()
            && ATTR.iter().zip(&tokens[i..]).all(|(a, (t, _))| a == t);
        if !is_attr {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += ATTR.len();
        let mut depth = 0usize;
        while i < tokens.len() {
            let t = tokens[i].0.as_str();
            i += 1;
            match t {
                "{" => depth += 1,
                "}" if depth == 1 => break,
                "}" => depth = depth.saturating_sub(1),
                ";" if depth == 0 => break,
                _ => {}
            }
        }
    }
    out
}

fn edges() -> Vec<Edge> {
    let (files, modules) = load();
    let found: Vec<Found> = files.iter().map(|f| paths_of(f, &modules)).collect();
    let mut binds = Bindings::new();
    for found in &found {
        for (path, name, used_in, _) in found {
            if let (Some(name), Some(module)) = (name, used_in) {
                binds
                    .entry(module.clone())
                    .or_default()
                    .insert(name.clone(), path.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (f, found) in files.iter().zip(found) {
        for (path, _, _, line) in found {
            let to = resolve(&path, &modules, &binds, 0);
            if to != f.module {
                out.push(Edge {
                    from: f.module.clone(),
                    to,
                    file: f.rel.clone(),
                    line,
                    path: format!("crate::{}", path.join("::")),
                });
            }
        }
    }
    out
}

/// The node a module is at the level of folder `dir`: the child of `dir` it is in (None for
/// `dir` itself and for modules outside it).
fn node_in(dir: &[String], module: &[String]) -> Option<String> {
    (module.len() > dir.len() && module.starts_with(dir)).then(|| module[dir.len()].clone())
}

/// The circles among the children of folder `dir`: each strongly connected component of more
/// than one node, as (a cycle through it, its edges).
fn circles(dir: &[String], edges: &[Edge]) -> Vec<(Vec<String>, Vec<Edge>)> {
    let mut graph: BTreeMap<String, BTreeMap<String, Vec<Edge>>> = BTreeMap::new();
    for e in edges {
        if let (Some(a), Some(b)) = (node_in(dir, &e.from), node_in(dir, &e.to))
            && a != b
        {
            graph.entry(b.clone()).or_default();
            graph
                .entry(a)
                .or_default()
                .entry(b)
                .or_default()
                .push(e.clone());
        }
    }
    let nodes: Vec<String> = graph.keys().cloned().collect();
    // Reachability by repeated search: the graphs have a few dozen nodes.
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for m in graph[&n].keys() {
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<String, BTreeSet<String>> =
        nodes.iter().map(|n| (n.clone(), reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if done.contains(n) || !reaches[n].contains(n) {
            continue;
        }
        let scc: BTreeSet<String> = nodes
            .iter()
            .filter(|m| reaches[n].contains(*m) && reaches[*m].contains(n))
            .cloned()
            .collect();
        done.extend(scc.iter().cloned());
        // A shortest cycle from n back to n inside the component, by breadth-first search.
        let mut prev: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([n.clone()]);
        'search: while let Some(x) = queue.pop_front() {
            for y in graph[&x].keys().filter(|y| scc.contains(*y)) {
                if y == n {
                    prev.insert(format!("{n}#end"), x.clone());
                    break 'search;
                }
                if !prev.contains_key(y) {
                    prev.insert(y.clone(), x.clone());
                    queue.push_back(y.clone());
                }
            }
        }
        let mut cycle = vec![n.clone()];
        let mut at = prev[&format!("{n}#end")].clone();
        while &at != n {
            cycle.push(at.clone());
            at = prev[&at].clone();
        }
        cycle.push(n.clone());
        cycle.reverse();
        let inner = scc
            .iter()
            .flat_map(|a| {
                graph[a]
                    .iter()
                    .filter(|(b, _)| scc.contains(*b))
                    .flat_map(|(_, es)| es.iter().cloned())
            })
            .collect();
        out.push((cycle, inner));
    }
    out
}

fn report(dir: &[String], found: &[(Vec<String>, Vec<Edge>)]) -> String {
    let mut s = String::new();
    let place = if dir.is_empty() {
        "top-level modules of src/".to_string()
    } else {
        format!("files of src/{}/", dir.join("/"))
    };
    for (cycle, edges) in found {
        writeln!(s, "import circle among the {place}: {}", cycle.join(" -> ")).unwrap();
        for e in edges {
            let (a, b) = (node_in(dir, &e.from).unwrap(), node_in(dir, &e.to).unwrap());
            writeln!(s, "    {a} -> {b}: {}:{} {}", e.file, e.line, e.path).unwrap();
        }
    }
    s
}

fn folders() -> Vec<ModPath> {
    let (files, _) = load();
    let mut dirs: BTreeSet<ModPath> = BTreeSet::new();
    for f in &files {
        let rel = f.rel.trim_start_matches("src/");
        let parts: Vec<&str> = rel.split('/').collect();
        for k in 0..parts.len() {
            dirs.insert(parts[..k].iter().map(|p| p.to_string()).collect());
        }
    }
    dirs.into_iter().collect()
}

#[test]
fn top_level_modules_form_no_circle() {
    let found = circles(&[], &edges());
    assert!(found.is_empty(), "{}", report(&[], &found));
}

#[test]
fn files_of_one_folder_form_no_circle() {
    let edges = edges();
    let mut msg = String::new();
    for dir in folders().into_iter().filter(|d| !d.is_empty()) {
        msg += &report(&dir, &circles(&dir, &edges));
    }
    assert!(msg.is_empty(), "{msg}");
}

/// The parser finds the edges it must: a check that the test itself sees imports.
#[test]
fn the_edges_include_known_imports() {
    let edges = edges();
    let has = |from: &[&str], to: &[&str]| edges.iter().any(|e| e.from == from && e.to == to);
    // `use crate::element::Element;` in graph/mod.rs.
    assert!(has(&["graph"], &["element"]));
    // `use super::{read, Expr, ...}` in graph/reduce.rs: items defined in graph/mod.rs.
    assert!(has(&["graph", "reduce"], &["graph"]));
    // `crate::stack` (in sources/creation.rs) through lib.rs's re-export of `array::stack`,
    // itself array/mod.rs's re-export of `movement::stack`: resolved to the defining file.
    assert!(edges
        .iter()
        .any(|e| e.path == "crate::stack" && e.to == ["array", "movement"]));
}
