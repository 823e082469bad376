//! The list conventions the sandbox understands: `filter`, `sort` and `fields` query parameters.
//!
//! They are honoured when a list (or get) action declares a query input with that wire name.
//!
//! - `filter=field:op:value`, where `op` may carry a `$` (some APIs write `$eq`, others `eq`):
//!   `eq`, `ne`, `in` and `nin` (values separated by `|`), `sw` (starts with), `search`
//!   (contains, case-insensitive), `lt`, `lte`/`le`, `gt`, `gte`/`ge`. `field` may be dotted
//!   (`attributes.x`). Repeated `filter` parameters are ANDed. Values compare as numbers when
//!   both sides are numbers, else as text; an array member matches when any element does.
//! - `sort=a,-b` or `sort=a -b`: ascending, `-` for descending.
//! - `fields=a,b` or `fields=a b`: only those members (and the record id) are returned.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// One parsed `filter` parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    path: Vec<String>,
    op: FilterOp,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FilterOp {
    Eq,
    Ne,
    In,
    Nin,
    Sw,
    Search,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Parses `field:op:value` (`op` with or without `$`).
///
/// # Errors
/// A message for the 400 answer when the filter is malformed or the operator unknown.
pub(crate) fn parse_filter(text: &str) -> Result<Filter, String> {
    let mut parts = text.splitn(3, ':');
    let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "invalid filter `{text}`: expected field:operator:value, e.g. name:eq:Engineering"
        ));
    };
    if field.is_empty() {
        return Err(format!("invalid filter `{text}`: the field is empty"));
    }
    let op = match op.trim_start_matches('$') {
        "eq" => FilterOp::Eq,
        "ne" => FilterOp::Ne,
        "in" => FilterOp::In,
        "nin" => FilterOp::Nin,
        "sw" => FilterOp::Sw,
        "search" => FilterOp::Search,
        "lt" => FilterOp::Lt,
        "lte" | "le" => FilterOp::Le,
        "gt" => FilterOp::Gt,
        "gte" | "ge" => FilterOp::Ge,
        other => {
            return Err(format!(
                "invalid filter `{text}`: unknown operator `{other}` (eq, ne, in, nin, sw, search, lt, lte, gt, gte)"
            ));
        }
    };
    Ok(Filter {
        path: field.split('.').map(str::to_owned).collect(),
        op,
        value: value.to_owned(),
    })
}

impl Filter {
    /// Whether a record passes the filter.
    pub(crate) fn matches(&self, record: &Map<String, Value>) -> bool {
        let found = lookup(record, &self.path);
        let candidates: Vec<&Value> = match found {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        let any = |test: &dyn Fn(&Value) -> bool| candidates.iter().any(|v| test(v));
        match self.op {
            FilterOp::Eq => any(&|v| equal(v, &self.value)),
            FilterOp::Ne => !any(&|v| equal(v, &self.value)),
            FilterOp::In => any(&|v| self.value.split('|').any(|x| equal(v, x))),
            FilterOp::Nin => !any(&|v| self.value.split('|').any(|x| equal(v, x))),
            FilterOp::Sw => any(&|v| text(v).starts_with(&self.value)),
            FilterOp::Search => {
                let needle = self.value.to_lowercase();
                any(&|v| text(v).to_lowercase().contains(&needle))
            }
            FilterOp::Lt => any(&|v| order(v, &self.value) == Ordering::Less),
            FilterOp::Le => any(&|v| order(v, &self.value) != Ordering::Greater),
            FilterOp::Gt => any(&|v| order(v, &self.value) == Ordering::Greater),
            FilterOp::Ge => any(&|v| order(v, &self.value) != Ordering::Less),
        }
    }
}

/// The member at a dotted path.
fn lookup<'a>(record: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = record.get(first)?;
    for key in rest {
        v = v.get(key)?;
    }
    Some(v)
}

/// A scalar as filter text.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn equal(v: &Value, wanted: &str) -> bool {
    match (v, wanted.parse::<f64>()) {
        (Value::Number(n), Ok(w)) => n.as_f64() == Some(w),
        _ => text(v) == wanted,
    }
}

fn order(v: &Value, wanted: &str) -> Ordering {
    match (v, wanted.parse::<f64>()) {
        (Value::Number(n), Ok(w)) => n
            .as_f64()
            .and_then(|n| n.partial_cmp(&w))
            .unwrap_or(Ordering::Equal),
        _ => text(v).as_str().cmp(wanted),
    }
}

/// One sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortKey {
    path: Vec<String>,
    descending: bool,
}

/// Parses sort parameters: fields separated by `,` or spaces, `-` for descending.
pub(crate) fn parse_sort<'a>(values: impl Iterator<Item = &'a str>) -> Vec<SortKey> {
    values
        .flat_map(|v| v.split([',', ' ']))
        .filter(|f| !f.is_empty() && *f != "-")
        .map(|f| {
            let (descending, name) = match f.strip_prefix('-') {
                Some(n) => (true, n),
                None => (false, f.strip_prefix('+').unwrap_or(f)),
            };
            SortKey {
                path: name.split('.').map(str::to_owned).collect(),
                descending,
            }
        })
        .collect()
}

/// Compares two records by the sort keys.
pub(crate) fn compare(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    keys: &[SortKey],
) -> Ordering {
    for key in keys {
        let o = compare_values(lookup(a, &key.path), lookup(b, &key.path));
        let o = if key.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Missing < null < booleans < numbers < strings < arrays < objects.
fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None => 0,
            Some(Value::Null) => 1,
            Some(Value::Bool(_)) => 2,
            Some(Value::Number(_)) => 3,
            Some(Value::String(_)) => 4,
            Some(Value::Array(_)) => 5,
            Some(Value::Object(_)) => 6,
        }
    }
    match (a, b) {
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y))
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Parses `fields` parameters: names separated by `,` or spaces.
pub(crate) fn parse_fields<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    values
        .flat_map(|v| v.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The record with only `fields` (and the id member), in the record's own order.
pub(crate) fn project(
    record: &Map<String, Value>,
    fields: &[String],
    id_field: &str,
) -> Map<String, Value> {
    record
        .iter()
        .filter(|(k, _)| *k == id_field || fields.iter().any(|f| f == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn v1_and_v2_filter_syntaxes() {
        let r =
            rec(json!({"department": "Engineering", "n": 5, "tags": ["a", "b"], "a": {"b": "c"}}));
        assert!(
            parse_filter("department:$eq:Engineering")
                .unwrap()
                .matches(&r)
        );
        assert!(
            parse_filter("department:eq:Engineering")
                .unwrap()
                .matches(&r)
        );
        assert!(
            !parse_filter("department:ne:Engineering")
                .unwrap()
                .matches(&r)
        );
        assert!(
            parse_filter("department:in:Sales|Engineering")
                .unwrap()
                .matches(&r)
        );
        assert!(
            parse_filter("department:nin:Sales|Legal")
                .unwrap()
                .matches(&r)
        );
        assert!(parse_filter("department:sw:Eng").unwrap().matches(&r));
        assert!(
            parse_filter("department:search:gineer")
                .unwrap()
                .matches(&r)
        );
        assert!(parse_filter("n:gt:4").unwrap().matches(&r));
        assert!(parse_filter("n:$lte:5").unwrap().matches(&r));
        assert!(!parse_filter("n:lt:5").unwrap().matches(&r));
        assert!(parse_filter("tags:eq:b").unwrap().matches(&r));
        assert!(parse_filter("a.b:eq:c").unwrap().matches(&r));
        assert!(!parse_filter("missing:eq:x").unwrap().matches(&r));
        assert!(parse_filter("missing:ne:x").unwrap().matches(&r));
        // Values may hold colons.
        assert_eq!(
            parse_filter("t:eq:09:15").unwrap().value,
            "09:15".to_owned()
        );
    }

    #[test]
    fn malformed_filters_are_rejected_with_a_message() {
        assert!(
            parse_filter("name")
                .unwrap_err()
                .contains("field:operator:value")
        );
        assert!(
            parse_filter("name:like:x")
                .unwrap_err()
                .contains("unknown operator")
        );
        assert!(parse_filter(":eq:x").is_err());
    }

    #[test]
    fn sort_keys_in_both_syntaxes() {
        let keys = parse_sort(["name,-created", "x"].into_iter());
        assert_eq!(keys.len(), 3);
        assert!(keys[1].descending);
        let a = rec(json!({"name": "a", "created": 2}));
        let b = rec(json!({"name": "a", "created": 3}));
        assert_eq!(compare(&a, &b, &keys), Ordering::Greater);
    }

    #[test]
    fn projection_keeps_the_id() {
        let r = rec(json!({"_id": "1", "a": 1, "b": 2}));
        let fields = parse_fields(["b a"].into_iter());
        assert_eq!(
            Value::Object(project(&r, &fields, "_id")),
            json!({"_id": "1", "a": 1, "b": 2})
        );
        let fields = parse_fields(["b"].into_iter());
        assert_eq!(
            Value::Object(project(&r, &fields, "_id")),
            json!({"_id": "1", "b": 2})
        );
    }
}
