//! Before Publish on `chat.*`: a moderation filter. A message whose text
//! holds a banned word is rejected (the publisher gets the reason; nothing is
//! stored or delivered). Any other text is tidied (trimmed, runs of spaces
//! made one) and milder words are masked with asterisks before it goes on.

use pigdin_sdk::prelude::*;

pigdin_sdk::module! {
    before_publish "filter" => filter,
}

const BANNED: &[&str] = &["spam", "scam"];
const MASKED: &[&str] = &["darn", "heck"];

fn filter(mut req: PublishRequest) -> BeforeResult {
    // A message is text itself, or an object with a `text` (as chat apps send it).
    let Some(text) = text_of(&mut req.message) else {
        return req.ok();
    };
    let banned = BANNED
        .iter()
        .find(|banned| words(text).any(|word| word.eq_ignore_ascii_case(banned)));
    if let Some(banned) = banned {
        let reason = format!(
            "message rejected: \"{banned}\" is not allowed on {}",
            req.channel
        );
        return req.abort(reason);
    }
    *text = tidy(text);
    req.ok()
}

fn text_of(message: &mut Value) -> Option<&mut String> {
    match message {
        Value::String(text) => Some(text),
        Value::Object(fields) => match fields.get_mut("text") {
            Some(Value::String(text)) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

/// The runs of letters and digits in `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// `text` trimmed, its runs of spaces made one and its masked words starred out.
fn tidy(text: &str) -> String {
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(spaced.len());
    let mut rest = spaced.as_str();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        if MASKED
            .iter()
            .any(|masked| word.eq_ignore_ascii_case(masked))
        {
            out.extend(std::iter::repeat_n('*', word.chars().count()));
        } else {
            out.push_str(word);
        }
        let gap = after.find(char::is_alphanumeric).unwrap_or(after.len());
        out.push_str(&after[..gap]);
        rest = &after[gap..];
    }
    out
}
