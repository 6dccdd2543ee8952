//! Restoring: the changes that bring every key back to an older commit.
//!
//! `revert` (the `Store` trait's) undoes *one* commit. Restoring undoes
//! every commit after one, in a single new commit, as `git restore
//! --source` followed by a commit does: each key gets the value it held
//! at that commit, and a key set since is removed. The commits after it
//! stay in the history, so nothing is lost: restoring the head as it was
//! before the restore undoes the restore.

use fledge_api::store::Change;
use fledge_store::index::Index;

/// The changes that turn `head` into `target`, in key order: a set for
/// each key whose value differs or is missing, a remove for each key
/// `target` does not hold. None if the two are the same.
pub fn changes(head: &Index, target: &Index) -> Vec<Change> {
    let removes = head.iter().filter(|(key, _)| target.get(key).is_none()).map(|(key, _)| Change::remove(key));
    let sets =
        target.iter().filter(|(key, value)| head.get(key) != Some(value)).map(|(key, value)| Change::set(key, value));
    let mut changes: Vec<Change> = removes.chain(sets).collect();
    changes.sort_by(|a, b| a.key().cmp(b.key()));
    changes
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn keys_come_back_and_newer_keys_go() {
        let mut target = Index::new();
        target.apply(&[Change::set("index.html", "<h1>Hi"), Change::set("same", "1")]);
        let mut head = target.clone();
        head.apply(&[Change::set("index.html", "<h1>Hi!"), Change::set("news.html", "new")]);
        assert_eq!(changes(&head, &target), [Change::set("index.html", "<h1>Hi"), Change::remove("news.html")]);
        assert_eq!(changes(&head, &head), []);
    }
}
