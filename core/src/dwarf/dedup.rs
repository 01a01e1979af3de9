//! Type dedup: one BTF type for every set of structurally equal types,
//! whichever compilation unit or crate they came from.
//!
//! libbpf's `btf__dedup` compares type graphs pairwise against canonical
//! candidates found by hashing. The same equivalence, "same shape and
//! equivalent types referenced in the same places", is the coarsest
//! bisimulation of the graph, and partition refinement (minimising the
//! graph as one would a DFA) computes it directly: start from classes of
//! equal shape, split a class whenever its members refer to different
//! classes, stop when nothing splits. Cycles through pointers need no
//! special case. Forward declarations are then resolved to the one
//! struct or union of their name, where there is exactly one, and the
//! classes refined again, as libbpf does in its fwd-resolution pass.

use super::graph::{Graph, Name, Node, Ty, VOID};
use rustc_hash::FxHashMap as HashMap;

/// The class of every node: `classes[ty - 1]`, `u32::MAX` for nodes not
/// reachable from the roots.
pub(crate) struct Partition {
    pub classes: Vec<u32>,
    pub count: u32,
}

const UNREACHED: u32 = u32::MAX;
const VOID_CLASS: u32 = u32::MAX - 1;

/// Every node reachable from `roots`, in first-visit order.
pub(crate) fn reachable(graph: &Graph, roots: &[Ty]) -> Vec<Ty> {
    let mut seen = vec![false; graph.nodes.len()];
    let mut order = Vec::new();
    let mut stack: Vec<Ty> = roots.iter().rev().copied().collect();
    let mut refs = Vec::new();
    while let Some(ty) = stack.pop() {
        if ty == VOID || seen[ty as usize - 1] {
            continue;
        }
        seen[ty as usize - 1] = true;
        order.push(ty);
        refs.clear();
        graph.nodes[ty as usize - 1].refs(&mut refs);
        stack.extend(refs.iter().rev().copied());
    }
    order
}

/// The node with its references blanked: what two nodes must share to be
/// equal before their references are compared.
fn shape(node: &Node) -> Node {
    let mut n = node.clone();
    n.map_refs(|_| VOID);
    n
}

fn refine(graph: &Graph, nodes: &[Ty]) -> Partition {
    let mut classes = vec![UNREACHED; graph.nodes.len()];
    let mut shapes: HashMap<Node, u32> = HashMap::default();
    for &ty in nodes {
        let next = shapes.len() as u32;
        classes[ty as usize - 1] = *shapes
            .entry(shape(&graph.nodes[ty as usize - 1]))
            .or_insert(next);
    }
    let mut count = shapes.len() as u32;
    drop(shapes);
    let mut refs = Vec::new();
    loop {
        let mut signatures: HashMap<Vec<u32>, u32> = HashMap::with_capacity_and_hasher(count as usize, Default::default());
        let mut next = vec![UNREACHED; graph.nodes.len()];
        for &ty in nodes {
            refs.clear();
            graph.nodes[ty as usize - 1].refs(&mut refs);
            let mut sig = Vec::with_capacity(refs.len() + 1);
            sig.push(classes[ty as usize - 1]);
            sig.extend(refs.iter().map(|&r| {
                if r == VOID {
                    VOID_CLASS
                } else {
                    classes[r as usize - 1]
                }
            }));
            let fresh = signatures.len() as u32;
            next[ty as usize - 1] = *signatures.entry(sig).or_insert(fresh);
        }
        let new_count = signatures.len() as u32;
        classes = next;
        if std::env::var_os("BPFC_TIMING").is_some() { eprintln!("round: {new_count} classes"); }
        if new_count == count {
            return Partition { classes, count };
        }
        count = new_count;
    }
}

/// Points every forward declaration with exactly one matching struct or
/// union class at that type. Returns whether any changed.
fn resolve_forwards(graph: &mut Graph, nodes: &[Ty], partition: &Partition) -> bool {
    // (name, is union) → the distinct classes of complete types, and one
    // node of the first.
    let mut complete: HashMap<(&Name, bool), (Ty, u32, bool)> = HashMap::default();
    for &ty in nodes {
        let (name, union) = match &graph.nodes[ty as usize - 1] {
            Node::Struct { name, .. } => (name, false),
            Node::Union { name, .. } => (name, true),
            _ => continue,
        };
        if name.is_anonymous() {
            continue;
        }
        let class = partition.classes[ty as usize - 1];
        complete
            .entry((name, union))
            .and_modify(|(_, c, unique)| *unique &= *c == class)
            .or_insert((ty, class, true));
    }
    let mut resolved = Vec::new();
    for &ty in nodes {
        if let Node::Fwd { name, union } = &graph.nodes[ty as usize - 1] {
            if let Some((target, _, true)) = complete.get(&(name, *union)) {
                resolved.push((ty, *target));
            }
        }
    }
    let changed = !resolved.is_empty();
    for (fwd, target) in resolved {
        graph.set(fwd, Node::Alias(target));
    }
    if changed {
        graph.resolve_aliases();
    }
    changed
}

/// Dedups the graph reachable from `roots` (rewriting resolved forward
/// declarations in place) and returns the partition and the reachable
/// nodes in first-visit order.
pub(crate) fn dedup(graph: &mut Graph, roots: &mut [Ty]) -> (Partition, Vec<Ty>) {
    let nodes = reachable(graph, roots);
    let partition = refine(graph, &nodes);
    if resolve_forwards(graph, &nodes, &partition) {
        for root in roots.iter_mut() {
            *root = graph.unalias(*root);
        }
        let nodes = reachable(graph, roots);
        let partition = refine(graph, &nodes);
        return (partition, nodes);
    }
    (partition, nodes)
}

/// A node on a cycle that does not pass through a pointer (a type that
/// contains itself, a typedef of itself): no C type is like that, and the
/// kernel refuses such BTF.
pub(crate) fn find_strong_cycle(graph: &Graph, nodes: &[Ty]) -> Option<Ty> {
    // 0: unvisited, 1: on the stack, 2: done.
    let mut state = vec![0u8; graph.nodes.len()];
    let mut refs = Vec::new();
    for &start in nodes {
        if state[start as usize - 1] != 0 {
            continue;
        }
        // (node, its strong references, next to visit)
        let mut stack: Vec<(Ty, Vec<Ty>, usize)> = Vec::new();
        let strong = |ty: Ty, refs: &mut Vec<Ty>| -> Vec<Ty> {
            refs.clear();
            let node = &graph.nodes[ty as usize - 1];
            if !matches!(node, Node::Ptr(_)) {
                node.refs(refs);
            }
            refs.iter().copied().filter(|&r| r != VOID).collect()
        };
        state[start as usize - 1] = 1;
        stack.push((start, strong(start, &mut refs), 0));
        while let Some((ty, out, next)) = stack.last_mut() {
            if *next == out.len() {
                state[*ty as usize - 1] = 2;
                stack.pop();
                continue;
            }
            let child = out[*next];
            *next += 1;
            match state[child as usize - 1] {
                0 => {
                    state[child as usize - 1] = 1;
                    let out = strong(child, &mut refs);
                    stack.push((child, out, 0));
                }
                1 => return Some(child),
                _ => {}
            }
        }
    }
    None
}
