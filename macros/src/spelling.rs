//! "Did you mean ...?": the closest candidate by edit distance.

/// Levenshtein distance over chars (insert, delete, substitute all cost 1).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // One row of the DP table: row[j] = distance(a[..i], b[..j]).
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a plausible
/// typo (at most a third of the longer word changed).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_by(word, candidates, |c| c.to_owned())
}

/// Like [`closest`], comparing `normalize(word)` with `normalize(candidate)`.
pub fn closest_by<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    normalize: impl Fn(&str) -> String,
) -> Option<&'a str> {
    let word = normalize(word);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &normalize(c)), c))
        .filter(|(d, c)| *d * 3 <= word.chars().count().max(c.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("max_entry", "max_entries"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_needs_a_plausible_typo() {
        let names = ["max_entries", "map_flags", "pinning"];
        assert_eq!(closest("max_entires", names), Some("max_entries"));
        assert_eq!(closest("pining", names), Some("pinning"));
        assert_eq!(closest("colour", names), None);
    }
}
