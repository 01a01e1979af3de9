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

/// The coarsest partition of `nodes` into classes of equal shape whose
/// members refer to the same classes in the same places.
///
/// Moore-style rounds, but each round looks only at the nodes that refer
/// to a node whose class changed in the round before: a class keeps its
/// id when it splits (the part that still has the old signature keeps it),
/// so every other node's signature is unchanged. Recomputing every node
/// each round made a chain of n pointers (whose ends differ) cost n rounds
/// of the whole graph: quadratic.
fn refine(graph: &Graph, nodes: &[Ty]) -> Partition {
    let n = graph.nodes.len();
    let mut classes = vec![UNREACHED; n];
    // Members of each class, and each node's place among them (for O(1)
    // removal).
    let mut members: Vec<Vec<Ty>> = Vec::new();
    let mut place = vec![0usize; n];
    {
        let mut shapes: HashMap<Node, u32> = HashMap::default();
        for &ty in nodes {
            let next = shapes.len() as u32;
            let class = *shapes
                .entry(shape(&graph.nodes[ty as usize - 1]))
                .or_insert(next);
            if class as usize == members.len() {
                members.push(Vec::new());
            }
            classes[ty as usize - 1] = class;
            place[ty as usize - 1] = members[class as usize].len();
            members[class as usize].push(ty);
        }
    }
    // What each node refers to, read out of the nodes once into one flat
    // list (offsets in `succ_start`): the rounds below read it many times,
    // and chasing each node's member list again was a third of the time.
    let mut refs = Vec::new();
    let mut succ_start = vec![0u32; n + 1];
    let mut succ: Vec<Ty> = Vec::with_capacity(nodes.len() * 2);
    {
        let mut at = vec![(0u32, 0u32); n];
        for &ty in nodes {
            refs.clear();
            graph.nodes[ty as usize - 1].refs(&mut refs);
            let from = succ.len() as u32;
            succ.extend_from_slice(&refs);
            at[ty as usize - 1] = (from, succ.len() as u32);
        }
        // Reorder into node order so that a node's range is
        // succ_start[ty - 1]..succ_start[ty].
        let mut ordered = Vec::with_capacity(succ.len());
        for i in 0..n {
            let (from, to) = at[i];
            ordered.extend_from_slice(&succ[from as usize..to as usize]);
            succ_start[i + 1] = ordered.len() as u32;
        }
        succ = ordered;
    }
    let succ_of =
        |ty: Ty| &succ[succ_start[ty as usize - 1] as usize..succ_start[ty as usize] as usize];
    // Who refers to whom (reached nodes only), as offsets into `preds`.
    let mut pred_start = vec![0u32; n + 1];
    for &ty in nodes {
        for &r in succ_of(ty) {
            if r != VOID {
                pred_start[r as usize] += 1;
            }
        }
    }
    for i in 0..n {
        pred_start[i + 1] += pred_start[i];
    }
    let mut preds = vec![0 as Ty; pred_start[n] as usize];
    let mut fill = pred_start.clone();
    for &ty in nodes {
        for &r in succ_of(ty) {
            if r != VOID {
                let slot = &mut fill[r as usize - 1];
                preds[*slot as usize] = ty;
                *slot += 1;
            }
        }
    }
    let signature = |classes: &[u32], ty: Ty| -> Vec<u32> {
        succ_of(ty)
            .iter()
            .map(|&r| {
                if r == VOID {
                    VOID_CLASS
                } else {
                    classes[r as usize - 1]
                }
            })
            .collect()
    };
    let mut is_dirty = vec![false; n];
    let mut dirty: Vec<Ty> = nodes.to_vec();
    for &ty in &dirty {
        is_dirty[ty as usize - 1] = true;
    }
    while !dirty.is_empty() {
        // The dirty nodes by class, classes in first-seen order.
        let mut by_class: HashMap<u32, Vec<Ty>> = HashMap::default();
        let mut class_order = Vec::new();
        for &ty in &dirty {
            let class = classes[ty as usize - 1];
            by_class
                .entry(class)
                .or_insert_with(|| {
                    class_order.push(class);
                    Vec::new()
                })
                .push(ty);
        }
        let mut moved: Vec<(Ty, u32)> = Vec::new();
        for class in class_order {
            let group = &by_class[&class];
            // Clean members all share one signature: the class's.
            let clean = members[class as usize]
                .iter()
                .copied()
                .find(|&t| !is_dirty[t as usize - 1]);
            let kept = clean.map(|t| signature(&classes, t));
            let sigs: Vec<Vec<u32>> = group.iter().map(|&t| signature(&classes, t)).collect();
            // With no clean member, the largest part keeps the class (the
            // first of the largest, for determinism): moving the large part
            // out would make all who refer to it dirty, round after round.
            let kept = kept.unwrap_or_else(|| {
                let mut counts: HashMap<&[u32], (usize, usize)> = HashMap::default();
                for (i, sig) in sigs.iter().enumerate() {
                    counts.entry(sig.as_slice()).or_insert((0, i)).0 += 1;
                }
                let (_, first) = counts
                    .values()
                    .copied()
                    .max_by_key(|&(count, first)| (count, std::cmp::Reverse(first)))
                    .expect("a dirty group is not empty");
                sigs[first].clone()
            });
            let mut fresh: HashMap<&[u32], u32> = HashMap::default();
            for (&ty, sig) in group.iter().zip(&sigs) {
                if *sig == kept {
                    continue;
                }
                let next = members.len() as u32;
                let new_class = *fresh.entry(sig.as_slice()).or_insert(next);
                if new_class == next {
                    members.push(Vec::new());
                }
                // Out of the old class (swap_remove), into the new one.
                let at = place[ty as usize - 1];
                let old = &mut members[class as usize];
                old.swap_remove(at);
                if let Some(&swapped) = old.get(at) {
                    place[swapped as usize - 1] = at;
                }
                place[ty as usize - 1] = members[new_class as usize].len();
                members[new_class as usize].push(ty);
                moved.push((ty, new_class));
            }
        }
        // Classes change only now, so every signature of the round was
        // taken against the same partition.
        for &ty in &dirty {
            is_dirty[ty as usize - 1] = false;
        }
        dirty.clear();
        for &(ty, new_class) in &moved {
            classes[ty as usize - 1] = new_class;
        }
        for &(ty, _) in &moved {
            let (from, to) = (pred_start[ty as usize - 1], pred_start[ty as usize]);
            for &p in &preds[from as usize..to as usize] {
                if !is_dirty[p as usize - 1] {
                    is_dirty[p as usize - 1] = true;
                    dirty.push(p);
                }
            }
        }
    }
    Partition {
        classes,
        count: members.len() as u32,
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
