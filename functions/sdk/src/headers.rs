//! Header lists as the WIT passes them: ordered `(name, value)` pairs.

/// The first value of header `name`, compared case-insensitively (HTTP header
/// names are case-insensitive, whatever case a handler writes them in).
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

pub(crate) fn has_header(headers: &[(String, String)], name: &str) -> bool {
    find_header(headers, name).is_some()
}
