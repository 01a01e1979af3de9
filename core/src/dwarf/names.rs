//! Final names for the deduplicated types: C names stay as they are; Rust
//! names become C identifiers that are unique, stable, and no longer than
//! the kernel takes.

use super::graph::{Graph, Node, Ty};
use super::rust::{c_identifier, fit_length};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// Which C namespace a name lives in: struct/union/enum tags, or ordinary
/// identifiers (typedefs).
fn namespace(node: &Node) -> Option<bool> {
    match node {
        Node::Struct { .. } | Node::Union { .. } | Node::Enum { .. } | Node::Fwd { .. } => {
            Some(true)
        }
        Node::Typedef { .. } => Some(false),
        _ => None,
    }
}

/// Chooses the name of every representative (one per class, in emission
/// order). Returns the names of Rust types by representative; C types keep
/// their DWARF names.
///
/// A Rust type is named by its plain name made into a C identifier
/// (`Wrapper<u32>` → `Wrapper_u32`). Where two different types would get
/// the same name, each is named by its module path as well
/// (`app_flows_Key`); where even that is shared (two versions of one
/// crate), the second and later in emission order get `_2`, `_3`, ...
pub(crate) fn rust_names(graph: &Graph, reps: &[Ty]) -> HashMap<Ty, String> {
    // Names taken by C types, which cannot change.
    let mut taken: HashSet<(bool, String)> = HashSet::default();
    let mut rust: Vec<(Ty, bool)> = Vec::new();
    for &ty in reps {
        let node = &graph.nodes[ty as usize - 1];
        let (Some(ns), Some(name)) = (namespace(node), node.type_name()) else {
            continue;
        };
        if name.is_anonymous() {
            continue;
        }
        match &name.rust_path {
            None => {
                taken.insert((ns, graph.strings.get(name.text).to_string()));
            }
            Some(_) => rust.push((ty, ns)),
        }
    }
    let plain = |ty: Ty| {
        let name = graph.nodes[ty as usize - 1].type_name().expect("named");
        fit_length(c_identifier(graph.strings.get(name.text)))
    };
    let qualified = |ty: Ty| {
        let name = graph.nodes[ty as usize - 1].type_name().expect("named");
        let text = graph.strings.get(name.text);
        match name.rust_path.map(|p| graph.strings.get(p)) {
            Some(path) if !path.is_empty() => fit_length(c_identifier(&format!("{path}::{text}"))),
            _ => fit_length(c_identifier(text)),
        }
    };
    // Forward declarations do not collide with the type they declare.
    let counts_for_collision = |ty: Ty| !matches!(graph.nodes[ty as usize - 1], Node::Fwd { .. });
    let mut groups: BTreeMap<(bool, String), Vec<Ty>> = BTreeMap::new();
    for &(ty, ns) in &rust {
        groups.entry((ns, plain(ty))).or_default().push(ty);
    }
    let mut chosen: HashMap<Ty, String> = HashMap::default();
    let mut second: Vec<(Ty, bool, String)> = Vec::new();
    for ((ns, name), members) in groups {
        let colliding = members.iter().filter(|t| counts_for_collision(**t)).count() > 1
            || taken.contains(&(ns, name.clone()));
        for ty in members {
            let name = if colliding {
                qualified(ty)
            } else {
                name.clone()
            };
            second.push((ty, ns, name));
        }
    }
    // Emission order decides who keeps a name that is still shared.
    let order: HashMap<Ty, usize> = reps.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    second.sort_by_key(|(ty, _, _)| order[ty]);
    for (ty, ns, name) in second {
        let mut candidate = name.clone();
        let mut n = 1;
        while counts_for_collision(ty) && !taken.insert((ns, candidate.clone())) {
            n += 1;
            candidate = fit_length(format!("{name}_{n}"));
        }
        chosen.insert(ty, candidate);
    }
    chosen
}
