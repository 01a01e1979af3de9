//! A unified diff of two texts, line by line (Myers' algorithm), for showing
//! how an object's map ABI drifted from its snapshot.

use std::fmt::Write;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// Beyond this many differing lines the diff gives up on finding the
/// shortest edit and shows the old text removed and the new one added
/// (still a correct diff, and bounded work on unrelated inputs).
const MAX_EDIT_DISTANCE: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// `None` when the texts are equal; otherwise a unified diff with
/// `--- old_label` / `+++ new_label` headers and `@@` hunks.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = edit_script(&a, &b);
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    // Walk the script keeping line numbers on both sides; emit hunks around changes.
    let changed: Vec<usize> = (0..ops.len()).filter(|&i| ops[i] != Op::Same).collect();
    if changed.is_empty() {
        // Same lines, different line endings or a trailing newline.
        out.push_str("@@ line endings or the final newline differ @@\n");
        return Some(out);
    }
    // Positions (old line, new line) before each op.
    let mut pos = Vec::with_capacity(ops.len() + 1);
    let (mut i, mut j) = (0usize, 0usize);
    for op in &ops {
        pos.push((i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Removed => i += 1,
            Op::Added => j += 1,
        }
    }
    pos.push((i, j));
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut last = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        let end = (last + 1 + CONTEXT).min(ops.len());
        let (a0, b0) = pos[start];
        let (a1, b1) = pos[end];
        let _ = writeln!(out, "@@ -{} +{} @@", range(a0, a1 - a0), range(b0, b1 - b0));
        for (idx, op) in ops.iter().enumerate().take(end).skip(start) {
            let (ai, bi) = pos[idx];
            match op {
                Op::Same => {
                    let _ = writeln!(out, " {}", a[ai]);
                }
                Op::Removed => {
                    let _ = writeln!(out, "-{}", a[ai]);
                }
                Op::Added => {
                    let _ = writeln!(out, "+{}", b[bi]);
                }
            }
        }
        k += 1;
    }
    Some(out)
}

/// `start,len` in unified-diff numbering (1-based; an empty range names the line before it).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// The shortest edit script from `a` to `b` (Myers 1986, forward greedy
/// search; for the backtrack, step `d` keeps the part of the V array it
/// read, diagonals `-d-1..=d+1`, so memory grows with the square of the
/// edit distance, which `MAX_EDIT_DISTANCE` bounds).
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let max = (n + m).min(MAX_EDIT_DISTANCE);
    let offset = max as isize + 1;
    let mut v = vec![0usize; 2 * max + 3];
    let mut trace: Vec<Vec<usize>> = Vec::new();
    let mut found = false;
    'search: for d in 0..=max as isize {
        trace.push(v[(offset - d - 1) as usize..=(offset + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let idx = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) {
                v[idx + 1]
            } else {
                v[idx - 1] + 1
            };
            let mut y = (x as isize - k) as usize;
            while x < n && y < m && a[x] == b[y] {
                x += 1;
                y += 1;
            }
            v[idx] = x;
            if x >= n && y >= m {
                found = true;
                break 'search;
            }
            k += 2;
        }
    }
    if !found {
        let mut ops = vec![Op::Removed; n];
        ops.extend(std::iter::repeat_n(Op::Added, m));
        return ops;
    }
    // Backtrack from (n, m) through the saved V arrays.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n as isize, m as isize);
    for d in (0..trace.len() as isize).rev() {
        let saved = &trace[d as usize];
        let at = |k: isize| saved[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k) as isize;
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            ops.push(if x == prev_x { Op::Added } else { Op::Removed });
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("a\nb\n", "a\nb\n", "x", "y"), None);
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified_diff(old, new, "snap", "obj").unwrap(),
            "--- snap\n+++ obj\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn insertions_and_deletions_at_the_edges() {
        assert_eq!(
            unified_diff("a\n", "z\na\n", "o", "n").unwrap(),
            "--- o\n+++ n\n@@ -1 +1,2 @@\n+z\n a\n"
        );
        assert_eq!(
            unified_diff("a\nb\n", "a\n", "o", "n").unwrap(),
            "--- o\n+++ n\n@@ -1,2 +1 @@\n a\n-b\n"
        );
        assert_eq!(
            unified_diff("", "a\n", "o", "n").unwrap(),
            "--- o\n+++ n\n@@ -0,0 +1 @@\n+a\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (0..30).map(|i| format!("{i}\n")).collect();
        let new: String = (0..30)
            .map(|i| match i {
                3 => "three\n".to_string(),
                25 => "twenty-five\n".to_string(),
                i => format!("{i}\n"),
            })
            .collect();
        let d = unified_diff(&old, &new, "o", "n").unwrap();
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("-3\n+three\n") && d.contains("-25\n+twenty-five\n"));
    }

    #[test]
    fn applying_the_script_gives_the_new_text() {
        // Property: removed lines come from old, added from new, in order.
        let old = "a\nb\nc\nd\ne\nf\n";
        let new = "b\nc\nx\ne\nf\ng\n";
        let a: Vec<&str> = old.lines().collect();
        let b: Vec<&str> = new.lines().collect();
        let ops = edit_script(&a, &b);
        let (mut i, mut j, mut rebuilt) = (0, 0, Vec::new());
        for op in ops {
            match op {
                Op::Same => {
                    assert_eq!(a[i], b[j]);
                    rebuilt.push(b[j]);
                    i += 1;
                    j += 1;
                }
                Op::Removed => i += 1,
                Op::Added => {
                    rebuilt.push(b[j]);
                    j += 1;
                }
            }
        }
        assert_eq!((i, j), (a.len(), b.len()));
        assert_eq!(rebuilt, b);
    }
}
