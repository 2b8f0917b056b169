//! Query parameters of App Context lists: `include`, `limit`, `start`/`end`
//! cursors, `count`, `sort`, `filter`; and paging a list by them.
//!
//! Cursors are base64 of an offset into the filtered, sorted list, as the
//! real service's are (`MTA` is "10"). Like the service, a non-empty page
//! always carries `next`, and `prev` when it does not start at 0.

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::Value;

use super::filter::Filter;
use super::include::Include;
use crate::api::params::Params;
use crate::api::refusal::Refusal;

/// PubNub's default and largest page.
pub const MAX_LIMIT: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    First,
    /// `start=<next>`: the page beginning at this offset.
    After(usize),
    /// `end=<prev>`: the page ending just before this offset.
    Before(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub path: Vec<String>,
    pub descending: bool,
}

/// One list request's parameters.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub include: Include,
    pub limit: usize,
    cursor: Cursor,
    pub count: bool,
    pub sort: Vec<SortKey>,
    pub filter: Option<Filter>,
}

/// A page of a list, ready to shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub items: Vec<Value>,
    pub total: usize,
    pub next: Option<String>,
    pub prev: Option<String>,
}

impl ListQuery {
    /// Parses the parameters; `sortable` names the fields `sort` may use.
    pub fn parse(params: &Params, sortable: &[&str]) -> Result<Self, Refusal> {
        let include = Include::parse(params.all("include"));
        let limit = match params.get("limit") {
            None | Some("") => MAX_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n <= MAX_LIMIT => n,
                _ => {
                    return Err(Refusal::objects_bad_request(format!(
                        "limit {text:?} is not a number from 0 to {MAX_LIMIT}"
                    )));
                }
            },
        };
        let cursor = match (params.get("start"), params.get("end")) {
            (Some(next), _) if !next.is_empty() => Cursor::After(decode_cursor("start", next)?),
            (_, Some(prev)) if !prev.is_empty() => Cursor::Before(decode_cursor("end", prev)?),
            _ => Cursor::First,
        };
        let sort = params
            .all("sort")
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|spec| parse_sort_key(spec, sortable))
            .collect::<Result<_, _>>()?;
        let filter = match params.get("filter") {
            Some(text) if !text.trim().is_empty() => Some(
                Filter::parse(text)
                    .map_err(|e| Refusal::objects_bad_request(format!("invalid filter: {e}")))?,
            ),
            _ => None,
        };
        Ok(Self {
            include,
            limit,
            cursor,
            count: params.truthy("count") || include.total_count,
            sort,
            filter,
        })
    }

    /// Filters, sorts (stably: ties keep `items`' order) and pages `items`.
    pub fn apply(&self, mut items: Vec<Value>) -> Listed {
        if let Some(filter) = &self.filter {
            items.retain(|item| filter.matches(item));
        }
        if !self.sort.is_empty() {
            items.sort_by(|a, b| {
                self.sort
                    .iter()
                    .map(|key| {
                        let ordering = compare(lookup(a, &key.path), lookup(b, &key.path));
                        if key.descending {
                            ordering.reverse()
                        } else {
                            ordering
                        }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        let total = items.len();
        let (from, to) = match self.cursor {
            Cursor::First => (0, self.limit),
            Cursor::After(offset) => (offset, offset.saturating_add(self.limit)),
            Cursor::Before(offset) => (offset.saturating_sub(self.limit), offset),
        };
        let (from, to) = (from.min(total), to.min(total));
        let items: Vec<Value> = items.drain(from..to).collect();
        Listed {
            next: (!items.is_empty()).then(|| encode_cursor(to)),
            prev: (from > 0).then(|| encode_cursor(from)),
            items,
            total,
        }
    }
}

pub fn encode_cursor(offset: usize) -> String {
    STANDARD_NO_PAD.encode(offset.to_string())
}

fn decode_cursor(name: &str, text: &str) -> Result<usize, Refusal> {
    let trimmed = text.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|offset| offset.parse().ok())
        .ok_or_else(|| {
            Refusal::objects_bad_request(format!(
                "{name} cursor {text:?} is not one this server issued (use `next`/`prev` from a previous page)"
            ))
        })
}

fn parse_sort_key(spec: &str, sortable: &[&str]) -> Result<SortKey, Refusal> {
    let (field, direction) = spec.split_once(':').unwrap_or((spec, "asc"));
    let descending = match direction.to_ascii_lowercase().as_str() {
        "asc" | "" => false,
        "desc" => true,
        other => {
            return Err(Refusal::objects_bad_request(format!(
                "sort direction {other:?} in {spec:?} must be asc or desc"
            )));
        }
    };
    // The pre-2020 names for channels and uuids.
    let field = field
        .trim()
        .replacen("space.", "channel.", 1)
        .replacen("user.", "uuid.", 1);
    if !sortable.contains(&field.as_str()) {
        return Err(Refusal::objects_bad_request(format!(
            "cannot sort by {field:?}; sortable fields: {}",
            sortable.join(", ")
        )));
    }
    Ok(SortKey {
        path: field.split('.').map(str::to_owned).collect(),
        descending,
    })
}

fn lookup<'a>(item: &'a Value, path: &[String]) -> &'a Value {
    path.iter()
        .try_fold(item, |v, key| v.get(key))
        .unwrap_or(&Value::Null)
}

/// Orders values: null (and absent) first, then booleans, numbers, strings.
fn compare(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SORTABLE: &[&str] = &["id", "name", "updated"];

    fn query(q: &str) -> ListQuery {
        ListQuery::parse(&Params::parse(Some(q)), SORTABLE).unwrap()
    }

    fn ids(listed: &Listed) -> Vec<&str> {
        listed
            .items
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect()
    }

    fn items(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": format!("u{i:02}"), "name": format!("n{}", i % 3)}))
            .collect()
    }

    #[test]
    fn pages_forward_and_back_with_cursors() {
        let first = query("limit=4").apply(items(10));
        assert_eq!(ids(&first), ["u00", "u01", "u02", "u03"]);
        assert_eq!(first.next.as_deref(), Some("NA"));
        assert_eq!(first.prev, None);
        let second = query(&format!("limit=4&start={}", first.next.unwrap())).apply(items(10));
        assert_eq!(ids(&second), ["u04", "u05", "u06", "u07"]);
        let third =
            query(&format!("limit=4&start={}", second.next.clone().unwrap())).apply(items(10));
        assert_eq!(ids(&third), ["u08", "u09"]);
        assert_eq!(third.next.as_deref(), Some(encode_cursor(10).as_str()));
        let past_end = query(&format!("limit=4&start={}", third.next.unwrap())).apply(items(10));
        assert!(past_end.items.is_empty() && past_end.next.is_none());
        let back = query(&format!("limit=4&end={}", second.prev.unwrap())).apply(items(10));
        assert_eq!(ids(&back), ["u00", "u01", "u02", "u03"]);
        assert_eq!(
            encode_cursor(10),
            "MTA",
            "matches the real service's cursors"
        );
    }

    #[test]
    fn sorts_by_several_keys_and_filters_first() {
        let listed = query("sort=name:desc,id").apply(items(6));
        assert_eq!(ids(&listed), ["u02", "u05", "u01", "u04", "u00", "u03"]);
        let repeated = query("sort=name:desc&sort=id:desc").apply(items(6));
        assert_eq!(ids(&repeated), ["u05", "u02", "u04", "u01", "u03", "u00"]);
        let filtered = query("filter=name%20%3D%3D%20%27n1%27&count=true").apply(items(6));
        assert_eq!(ids(&filtered), ["u01", "u04"]);
        assert_eq!(filtered.total, 2);
    }

    #[test]
    fn nulls_sort_first_ascending() {
        let listed = query("sort=name").apply(vec![
            json!({"id": "a", "name": "z"}),
            json!({"id": "b"}),
            json!({"id": "c", "name": "m"}),
        ]);
        assert_eq!(ids(&listed), ["b", "c", "a"]);
    }

    #[test]
    fn rejects_bad_parameters_by_name() {
        let params = |q: &str| Params::parse(Some(q));
        for (q, expected) in [
            ("limit=101", "limit"),
            ("limit=x", "limit"),
            ("start=!!", "start cursor"),
            ("sort=email", "cannot sort by \"email\""),
            ("sort=name:sideways", "asc or desc"),
            ("filter=name%20%3D%3D", "invalid filter"),
        ] {
            let error = ListQuery::parse(&params(q), SORTABLE).unwrap_err();
            assert!(
                error.message().contains(expected),
                "{q}: {}",
                error.message()
            );
        }
    }

    #[test]
    fn count_comes_from_count_or_include() {
        assert!(query("count=True").count);
        assert!(query("include=totalCount").count);
        assert!(!query("count=false").count);
        assert_eq!(query("").limit, MAX_LIMIT);
    }
}
