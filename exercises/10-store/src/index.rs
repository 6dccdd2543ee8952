//! The index: every key's value at the head, in memory.
//!
//! Reading a key at the head is the common case (a web server serving the
//! current page), so the store keeps the answer at hand: a map from each
//! key to its latest value, built by applying every commit's changes in
//! order when the store opens, and one commit's more after each commit.
//! Older versions are read from the log when asked for.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use fledge_api::store::Change;

/// Each key's value at the head of the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    values: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Index {
    /// An index of no keys: the store before its first commit.
    pub fn new() -> Index {
        Index::default()
    }

    // ANCHOR: apply
    /// Applies one commit's `changes`, in order: a later change of a key
    /// wins over an earlier one.
    pub fn apply(&mut self, changes: &[Change]) {
        // `self.values` is a `BTreeMap` from key to value. The chapter's
        // section "The index" says what each kind of change does to it.
        todo!("apply {} changes to the index", changes.len())
    }
    // ANCHOR_END: apply

    /// The value `key` holds, if any.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.values.get(key).map(Vec::as_slice)
    }

    /// How many keys hold a value.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no key holds a value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every key and its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.values.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }
}

/// What commit `changes` left in `key`, if it changed `key`: `Some(Some(v))`
/// for a set, `Some(None)` for a remove, `None` if it did not touch it.
pub fn last_change<'a>(changes: &'a [Change], key: &[u8]) -> Option<Option<&'a [u8]>> {
    changes.iter().rev().find(|change| change.key() == key).map(|change| match change {
        Change::Set { value, .. } => Some(value.as_slice()),
        Change::Remove { .. } => None,
    })
}
