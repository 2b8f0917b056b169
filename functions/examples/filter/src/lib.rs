//! Chat moderation: `filter` (Before Publish) blocks or rewrites messages on
//! `chat.*`; `audit` (After Publish) counts the ones that got through.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    before_publish "filter" => filter,
    after_publish "audit" => audit,
}

const FORBIDDEN: &str = "forbidden";

/// Aborts messages flagged `"blocked": true` or whose text mentions
/// "forbidden"; otherwise masks "darn", marks the message `"filtered": true`
/// and records `"filtered_by": "filter"` in its meta.
fn filter(mut req: PublishRequest) -> BeforeResult {
    if req.message.get("blocked") == Some(&Value::Bool(true)) {
        return req.abort("message blocked: flagged as blocked");
    }
    // A message is either an object with a `text` field or plain text.
    let text = match &req.message {
        Value::String(text) => Some(text.as_str()),
        message => message.get("text").and_then(Value::as_str),
    };
    if text.is_some_and(|text| text.contains(FORBIDDEN)) {
        return req.abort(format!("message blocked: text contains \"{FORBIDDEN}\""));
    }

    match &mut req.message {
        Value::String(text) => *text = mask_word(text, "darn"),
        Value::Object(fields) => {
            if let Some(Value::String(text)) = fields.get_mut("text") {
                *text = mask_word(text, "darn");
            }
            fields.insert("filtered".into(), Value::Bool(true));
        }
        _ => {}
    }
    match &mut req.meta {
        Some(Value::Object(meta)) => {
            meta.insert("filtered_by".into(), json!("filter"));
        }
        // A non-object meta is the publisher's; leave it be rather than lose it.
        Some(meta) if !meta.is_null() => {}
        meta => *meta = Some(json!({ "filtered_by": "filter" })),
    }
    req.ok()
}

/// Counts the messages that made it through.
fn audit(_req: PublishRequest) -> Result<()> {
    kvstore::incr_counter("audited", 1)?;
    Ok(())
}

/// Replaces whole-word, case-insensitive occurrences of `word` with its first
/// and last letters around asterisks: "darn" → "d**n", "Darn" → "D**n".
/// "darning" is left alone.
fn mask_word(text: &str, word: &str) -> String {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = find_ignore_ascii_case(rest, word) {
        let (before, candidate) = rest.split_at(found);
        let after = &candidate[word.len()..];
        let starts_word = !out
            .chars()
            .chain(before.chars())
            .next_back()
            .is_some_and(is_word_char);
        let ends_word = !after.chars().next().is_some_and(is_word_char);
        out.push_str(before);
        let matched = &candidate[..word.len()];
        if starts_word && ends_word {
            out.push_str(&mask(matched));
        } else {
            out.push_str(matched);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn find_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.char_indices().map(|(i, _)| i).find(|&i| {
        haystack
            .get(i..i + needle.len())
            .is_some_and(|slice| slice.eq_ignore_ascii_case(needle))
    })
}

fn mask(word: &str) -> String {
    let mut chars = word.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), Some(last)) => {
            let middle = "*".repeat(chars.count());
            format!("{first}{middle}{last}")
        }
        _ => word.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(message: Value, meta: Option<Value>) -> PublishRequest {
        PublishRequest {
            channel: "chat.room".into(),
            message,
            meta,
            publisher: None,
            verb: pigdin_sdk::Verb::Publish,
            params: Vec::new(),
            timetoken: None,
        }
    }

    fn aborted(result: BeforeResult) -> String {
        match result {
            BeforeResult::Abort { reason } => reason,
            other => panic!("expected an abort, got {other:?}"),
        }
    }

    #[test]
    fn blocked_and_forbidden_messages_are_aborted() {
        let reason = aborted(filter(request(
            json!({ "blocked": true, "text": "hi" }),
            None,
        )));
        assert_eq!(reason, "message blocked: flagged as blocked");
        let reason = aborted(filter(request(json!({ "text": "a forbidden word" }), None)));
        assert!(reason.starts_with("message blocked: "), "{reason}");
        aborted(filter(request(json!("forbidden fruit"), None)));
    }

    #[test]
    fn other_messages_are_masked_marked_and_tagged() {
        let result = filter(request(json!({ "text": "Darn, darn it; darning" }), None));
        assert_eq!(
            result,
            BeforeResult::Continue {
                message: json!({ "text": "D**n, d**n it; darning", "filtered": true }),
                meta: Some(json!({ "filtered_by": "filter" })),
            }
        );
        let result = filter(request(
            json!({ "n": 1, "blocked": false }),
            Some(json!({ "a": 1 })),
        ));
        assert_eq!(
            result,
            BeforeResult::Continue {
                message: json!({ "n": 1, "blocked": false, "filtered": true }),
                meta: Some(json!({ "a": 1, "filtered_by": "filter" })),
            }
        );
    }

    #[test]
    fn masking_handles_word_edges_and_unicode() {
        assert_eq!(mask_word("darn", "darn"), "d**n");
        assert_eq!(
            mask_word("écrire darn! darnit _darn DARN", "darn"),
            "écrire d**n! darnit _darn D**N"
        );
        assert_eq!(mask_word("", "darn"), "");
    }
}
