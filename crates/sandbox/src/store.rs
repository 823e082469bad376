//! The sandbox's records, in memory, each with its JSON text cached.
//!
//! A list page is the concatenation of cached record texts, so serving a page costs a copy,
//! not a serialization; the cache is rebuilt when a record changes.

use bytes::Bytes;
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// One record and its JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub value: Map<String, Value>,
    pub json: Bytes,
}

impl Record {
    /// A record, serialized once.
    pub(crate) fn new(value: Map<String, Value>) -> Record {
        let json = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        Record { value, json }
    }
}

/// The values of a collection path's placeholders (`/commands/{id}/results` → `[id]`); empty
/// for top-level collections.
pub(crate) type PartitionKey = Vec<String>;

/// The records of one collection, in insertion order, by id.
#[derive(Debug, Default)]
pub(crate) struct Partition {
    pub records: IndexMap<String, Record>,
}

/// Every resource's records.
#[derive(Debug, Default)]
pub(crate) struct Store {
    tables: Vec<IndexMap<PartitionKey, Partition>>,
}

impl Store {
    /// An empty store for `resources` resources.
    pub(crate) fn new(resources: usize) -> Store {
        Store {
            tables: (0..resources).map(|_| IndexMap::new()).collect(),
        }
    }

    /// The records of one collection, if it has any.
    pub(crate) fn partition(&self, resource: usize, key: &[String]) -> Option<&Partition> {
        self.tables.get(resource)?.get(key)
    }

    /// One record.
    pub(crate) fn get(&self, resource: usize, key: &[String], id: &str) -> Option<&Record> {
        self.partition(resource, key)?.records.get(id)
    }

    /// Adds or replaces a record.
    pub(crate) fn insert(
        &mut self,
        resource: usize,
        key: PartitionKey,
        id: String,
        record: Record,
    ) {
        if let Some(table) = self.tables.get_mut(resource) {
            table.entry(key).or_default().records.insert(id, record);
        }
    }

    /// Removes a record, returning it.
    pub(crate) fn remove(&mut self, resource: usize, key: &[String], id: &str) -> Option<Record> {
        self.tables
            .get_mut(resource)?
            .get_mut(key)?
            .records
            .shift_remove(id)
    }

    /// How many records a resource holds, over all its collections.
    pub(crate) fn count(&self, resource: usize) -> usize {
        self.tables
            .get(resource)
            .map_or(0, |t| t.values().map(|p| p.records.len()).sum())
    }

    /// Every (partition, id) of a resource, in order.
    pub(crate) fn ids(&self, resource: usize) -> Vec<(PartitionKey, String)> {
        self.tables
            .get(resource)
            .map(|t| {
                t.iter()
                    .flat_map(|(k, p)| p.records.keys().map(move |id| (k.clone(), id.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether any collection of the resource holds `id`.
    pub(crate) fn contains_anywhere(&self, resource: usize, id: &str) -> bool {
        self.tables
            .get(resource)
            .is_some_and(|t| t.values().any(|p| p.records.contains_key(id)))
    }
}

/// Merges `patch` into `target` as RFC 7386 (JSON Merge Patch) does: objects merge member by
/// member, `null` removes a member, anything else replaces.
pub(crate) fn merge_patch(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(p) => match target.get_mut(k) {
                Some(Value::Object(t)) => merge_patch(t, p),
                _ => {
                    let mut fresh = Map::new();
                    merge_patch(&mut fresh, p);
                    target.insert(k.clone(), Value::Object(fresh));
                }
            },
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut t = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let p = json!({"a": 9, "b": {"c": null, "x": 1}, "e": null, "f": [1]})
            .as_object()
            .cloned()
            .unwrap_or_default();
        merge_patch(&mut t, &p);
        assert_eq!(
            Value::Object(t),
            json!({"a": 9, "b": {"d": 3, "x": 1}, "f": [1]})
        );
    }

    #[test]
    fn records_keep_insertion_order_and_their_json() {
        let mut s = Store::new(1);
        for i in 0..3 {
            let v = json!({"id": i.to_string()})
                .as_object()
                .cloned()
                .unwrap_or_default();
            s.insert(0, vec![], i.to_string(), Record::new(v));
        }
        assert_eq!(s.count(0), 3);
        assert_eq!(
            &s.get(0, &[], "1")
                .map(|r| r.json.clone())
                .unwrap_or_default()[..],
            br#"{"id":"1"}"#
        );
        assert!(s.remove(0, &[], "1").is_some());
        let ids: Vec<String> = s.ids(0).into_iter().map(|(_, id)| id).collect();
        assert_eq!(ids, ["0", "2"]);
        assert!(s.contains_anywhere(0, "2"));
        assert!(!s.contains_anywhere(0, "1"));
    }
}
