//! A set of names (channels of a group, channels of a push device) kept as
//! one sled value: a sorted JSON array. A missing or unreadable value is the
//! empty set.

use std::collections::BTreeSet;

pub fn decode(bytes: Option<&[u8]>) -> BTreeSet<String> {
    bytes
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or_default()
}

pub fn encode(set: &BTreeSet<String>) -> Vec<u8> {
    serde_json::to_vec(set).expect("a set of strings serialises")
}
