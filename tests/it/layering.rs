//! The engine's layering, as ARCHITECTURE.md states it: every `crate::module` path in
//! a module's code (test code aside) is one the table allows, and the table itself
//! has no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The table of ARCHITECTURE.md: module → the modules it may use.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let section = text
        .split("## Layering")
        .nth(1)
        .expect("ARCHITECTURE.md has a layering section");
    let name = |cell: &str| cell.trim().trim_matches('`').to_owned();
    section
        .lines()
        .take_while(|line| !line.starts_with("## "))
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
            let uses = cells[1]
                .split(',')
                .map(name)
                .filter(|m| !m.is_empty() && m != "—")
                .collect();
            (name(cells[0]), uses)
        })
        .collect()
}

/// A file's code without its comments and its inline test module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("mod tests {") {
        Some(at) => &text[..text[..at].rfind("#[cfg(").unwrap_or(at)],
        None => &text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Test-only files (`tests.rs`, `*_tests.rs`, fixtures, property tests) may use
/// anything.
fn is_test_code(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name.ends_with("tests.rs") || matches!(name.as_ref(), "fixtures.rs" | "properties.rs")
}

/// Module → the engine modules its code uses.
fn used() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("engine/src");
    let modules: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .filter(|m| m != "lib")
        .collect();
    let mut used: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files.iter().filter(|f| !is_test_code(f)) {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = Path::new(first).file_stem().unwrap().to_string_lossy();
        if module == "lib" {
            continue;
        }
        let code = code(file);
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if modules.contains(&name) && name != module {
                used.get_mut(module.as_ref()).unwrap().insert(name);
            }
        }
    }
    used
}

#[test]
fn engine_modules_use_only_what_the_table_allows() {
    let allowed = allowed();
    let used = used();
    let mut wrong = Vec::new();
    for (module, uses) in &used {
        let Some(may) = allowed.get(module) else {
            wrong.push(format!(
                "{module} is not in ARCHITECTURE.md's layering table"
            ));
            continue;
        };
        for other in uses.difference(may) {
            wrong.push(format!(
                "{module} uses {other}, which the table does not allow"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(used.len() > 10, "the engine's modules were found: {used:?}");
}

#[test]
fn the_layering_table_has_no_cycle() {
    let allowed = allowed();
    // Peel modules whose allowed uses are all peeled already; what is left loops.
    let mut peeled: BTreeSet<&str> = BTreeSet::new();
    loop {
        let next: Vec<&str> = allowed
            .iter()
            .filter(|(m, uses)| {
                !peeled.contains(m.as_str()) && uses.iter().all(|u| peeled.contains(u.as_str()))
            })
            .map(|(m, _)| m.as_str())
            .collect();
        if next.is_empty() {
            break;
        }
        peeled.extend(next);
    }
    let looping: Vec<&String> = allowed
        .keys()
        .filter(|m| !peeled.contains(m.as_str()))
        .collect();
    assert!(looping.is_empty(), "modules in a cycle: {looping:?}");
}
