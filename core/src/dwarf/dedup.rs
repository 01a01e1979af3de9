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
use std::hash::{Hash, Hasher};
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

/// Classes keyed by a hash, with the collisions chained: finding a node's
/// class hashes once and compares with one representative per candidate,
/// and allocates nothing per node.
struct ClassTable {
    by_hash: HashMap<u64, u32>,
    /// Per class: a node of it, and the next class with the same hash.
    rep: Vec<Ty>,
    next: Vec<u32>,
}

impl ClassTable {
    fn new(capacity: usize) -> ClassTable {
        ClassTable {
            by_hash: HashMap::with_capacity_and_hasher(capacity, Default::default()),
            rep: Vec::with_capacity(capacity),
            next: Vec::with_capacity(capacity),
        }
    }

    /// The class of `ty`, whose hash is `hash`, given `same(a, b)`.
    fn class_of(&mut self, ty: Ty, hash: u64, same: impl Fn(Ty, Ty) -> bool) -> u32 {
        let fresh = self.rep.len() as u32;
        let mut at = match self.by_hash.get(&hash) {
            Some(c) => *c,
            None => {
                self.by_hash.insert(hash, fresh);
                self.rep.push(ty);
                self.next.push(u32::MAX);
                return fresh;
            }
        };
        loop {
            if same(ty, self.rep[at as usize]) {
                return at;
            }
            match self.next[at as usize] {
                u32::MAX => break,
                n => at = n,
            }
        }
        self.next[at as usize] = fresh;
        self.rep.push(ty);
        self.next.push(u32::MAX);
        fresh
    }

    fn len(&self) -> u32 {
        self.rep.len() as u32
    }
}

/// Hash of the node with its references left out: what two nodes must
/// share to be equal before their references are compared.
fn shape_hash(node: &Node) -> u64 {
    let mut blank = node.clone();
    blank.map_refs(|_| VOID);
    let mut h = rustc_hash::FxHasher::default();
    blank.hash(&mut h);
    h.finish()
}

/// Whether two nodes are equal but for their references.
fn same_shape(a: &Node, b: &Node) -> bool {
    if std::mem::discriminant(a) != std::mem::discriminant(b) {
        return false;
    }
    let mut a = a.clone();
    let mut b = b.clone();
    a.map_refs(|_| VOID);
    b.map_refs(|_| VOID);
    a == b
}

fn refine(graph: &Graph, nodes: &[Ty]) -> Partition {
    let node = |ty: Ty| &graph.nodes[ty as usize - 1];
    let mut classes = vec![UNREACHED; graph.nodes.len()];
    let mut table = ClassTable::new(nodes.len());
    for &ty in nodes {
        let c = table.class_of(ty, shape_hash(node(ty)), |a, b| same_shape(node(a), node(b)));
        classes[ty as usize - 1] = c;
    }
    let mut count = table.len();
    let class_of_ref = |classes: &[u32], r: Ty| if r == VOID { VOID_CLASS } else { classes[r as usize - 1] };
    let mut refs_a = Vec::new();
    let refs_b = std::cell::RefCell::new(Vec::new());
    loop {
        let mut table = ClassTable::new(count as usize);
        let mut next = vec![UNREACHED; graph.nodes.len()];
        for &ty in nodes {
            refs_a.clear();
            node(ty).refs(&mut refs_a);
            let mut h = rustc_hash::FxHasher::default();
            classes[ty as usize - 1].hash(&mut h);
            for &r in &refs_a {
                class_of_ref(&classes, r).hash(&mut h);
            }
            let c = table.class_of(ty, h.finish(), |_, other| {
                if classes[other as usize - 1] != classes[ty as usize - 1] {
                    return false;
                }
                let mut refs_b = refs_b.borrow_mut();
                refs_b.clear();
                node(other).refs(&mut refs_b);
                refs_b.len() == refs_a.len()
                    && refs_a
                        .iter()
                        .zip(refs_b.iter())
                        .all(|(x, y)| class_of_ref(&classes, *x) == class_of_ref(&classes, *y))
            });
            next[ty as usize - 1] = c;
        }
        let new_count = table.len();
        classes = next;
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
