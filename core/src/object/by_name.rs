//! Items of a list found by name, the first of a name winning, as libbpf's
//! searches find them.
//!
//! An object has a handful of sections, DATASECs, maps and programs, and a
//! search of the list per lookup costs less than building an index. Some
//! objects have thousands of each, and one lookup per item then searching
//! all of them is quadratic. So the list is indexed once when many lookups
//! will be made, and searched otherwise; the answers are the same.

use std::collections::HashMap;

/// Up to this many lookups, each searches the list.
pub(crate) const FEW_LOOKUPS: usize = 16;

/// The items of `items` by name (see the module).
pub(crate) struct FirstByName<'a, T, F> {
    items: &'a [T],
    name: F,
    index: Option<HashMap<&'a str, &'a T>>,
}

impl<'a, T, F: Fn(&'a T) -> Option<&'a str>> FirstByName<'a, T, F> {
    /// `name` gives an item's name, or `None` to leave it out; `lookups` is
    /// how many lookups will be made, about.
    pub(crate) fn new(items: &'a [T], name: F, lookups: usize) -> Self {
        let index = (lookups > FEW_LOOKUPS).then(|| {
            let mut index = HashMap::new();
            for t in items {
                if let Some(n) = name(t) {
                    index.entry(n).or_insert(t);
                }
            }
            index
        });
        FirstByName { items, name, index }
    }

    /// The first item named `wanted`.
    pub(crate) fn get(&self, wanted: &str) -> Option<&'a T> {
        match &self.index {
            Some(index) => index.get(wanted).copied(),
            None => self.items.iter().find(|t| (self.name)(t) == Some(wanted)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searched_or_indexed_the_first_of_a_name_is_found() {
        let items = [("a", 1), ("skip", 2), ("b", 3), ("a", 4)];
        let name = |t: &(&'static str, i32)| (t.0 != "skip").then_some(t.0);
        for lookups in [1, FEW_LOOKUPS + 1] {
            let by = FirstByName::new(&items, name, lookups);
            assert_eq!(by.index.is_some(), lookups > FEW_LOOKUPS);
            assert_eq!(by.get("a"), Some(&("a", 1)));
            assert_eq!(by.get("b"), Some(&("b", 3)));
            assert_eq!(by.get("skip"), None);
            assert_eq!(by.get("c"), None);
        }
    }
}
