//! App Context's `filter` expressions, parsed once and evaluated against
//! each object (memberships with their joined channel or uuid).
//!
//! The grammar PubNub documents:
//!
//! ```text
//! expression := and ( "||" and )*
//! and        := unary ( "&&" unary )*
//! unary      := "!" unary | "(" expression ")" | path op value
//! path       := name ( "." name )*          e.g. name, custom.role, channel.name
//! op         := == | != | < | <= | > | >= | LIKE
//! value      := 'text' | "text" | number | true | false | null
//! ```
//!
//! `LIKE` matches `*` as any run of characters (`\*` is a literal star) and,
//! our choice where PubNub's docs are silent, ignores case. A path that is
//! absent compares as null. Ordering compares numbers with numbers and strings
//! with strings (ISO timestamps such as `updated` order as text); other
//! pairings are false.

use std::cmp::Ordering;

use serde_json::Value;

/// Longest filter expression accepted.
pub const MAX_FILTER_BYTES: usize = 2048;
/// Deepest nesting of `!` and parentheses accepted.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare {
        path: Vec<String>,
        op: Op,
        value: Value,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
}

impl Filter {
    /// Parses `text`, or explains where and why it is not a filter.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_FILTER_BYTES {
            return Err(format!(
                "filter is {} bytes; the limit is {MAX_FILTER_BYTES}",
                text.len()
            ));
        }
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, pos: 0 };
        let filter = parser.expression(0)?;
        match parser.tokens.get(parser.pos) {
            None => Ok(filter),
            Some(token) => Err(format!("unexpected {token} in filter")),
        }
    }

    pub fn matches(&self, object: &Value) -> bool {
        match self {
            Filter::Or(a, b) => a.matches(object) || b.matches(object),
            Filter::And(a, b) => a.matches(object) && b.matches(object),
            Filter::Not(inner) => !inner.matches(object),
            Filter::Compare { path, op, value } => {
                let field = path
                    .iter()
                    .try_fold(object, |v, key| v.get(key))
                    .unwrap_or(&Value::Null);
                compare(field, *op, value)
            }
        }
    }
}

fn compare(field: &Value, op: Op, value: &Value) -> bool {
    match op {
        Op::Eq => equal(field, value),
        Op::Ne => !equal(field, value),
        Op::Like => match (field, value) {
            (Value::String(text), Value::String(pattern)) => like(text, pattern),
            _ => false,
        },
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ordering = match (field, value) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            ordering.is_some_and(|o| match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            })
        }
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Case-insensitive match of `text` against `pattern`, where `*` is any run
/// of characters and `\*` a literal star.
fn like(text: &str, pattern: &str) -> bool {
    // Pattern pieces: literal runs, split at unescaped stars.
    let mut pieces = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    pieces.last_mut().expect("non-empty").push(next);
                }
            }
            '*' => pieces.push(String::new()),
            c => pieces.last_mut().expect("non-empty").push(c),
        }
    }
    let text = text.to_lowercase();
    let pieces: Vec<String> = pieces.iter().map(|p| p.to_lowercase()).collect();
    let (first, rest) = pieces.split_first().expect("non-empty");
    let Some(mut remaining) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for piece in middle {
        match remaining.find(piece.as_str()) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last.as_str())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Literal(Value),
    Op(Op),
    And,
    Or,
    Not,
    Open,
    Close,
    Dot,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Name(name) => write!(f, "`{name}`"),
            Token::Literal(value) => write!(f, "value {value}"),
            Token::Op(op) => write!(f, "operator {op:?}"),
            Token::And => f.write_str("`&&`"),
            Token::Or => f.write_str("`||`"),
            Token::Not => f.write_str("`!`"),
            Token::Open => f.write_str("`(`"),
            Token::Close => f.write_str("`)`"),
            Token::Dot => f.write_str("`.`"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        let two = text.get(at..at + 2);
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '.' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Dot,
                });
            }
            '\'' | '"' => {
                chars.next();
                let mut literal = String::new();
                let mut closed = false;
                while let Some((_, c2)) = chars.next() {
                    match c2 {
                        '\\' => match chars.next() {
                            // Keep `\*` escaped: LIKE needs to tell it from a wildcard.
                            Some((_, '*')) => literal.push_str("\\*"),
                            Some((_, escaped)) => literal.push(escaped),
                            None => break,
                        },
                        c2 if c2 == c => {
                            closed = true;
                            break;
                        }
                        c2 => literal.push(c2),
                    }
                }
                if !closed {
                    return Err(format!("unterminated string starting at {at} in filter"));
                }
                tokens.push(Token::Literal(Value::String(literal)));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut end = at;
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_ascii_digit() || matches!(d, '-' | '+' | '.' | 'e' | 'E') {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let number: serde_json::Number = text[at..end]
                    .parse()
                    .map_err(|_| format!("{:?} is not a number in filter", &text[at..end]))?;
                tokens.push(Token::Literal(Value::Number(number)));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = at;
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_alphanumeric() || matches!(d, '_' | '-') {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &text[at..end];
                tokens.push(match word {
                    "true" => Token::Literal(Value::Bool(true)),
                    "false" => Token::Literal(Value::Bool(false)),
                    "null" => Token::Literal(Value::Null),
                    w if w.eq_ignore_ascii_case("like") => Token::Op(Op::Like),
                    w => Token::Name(w.to_owned()),
                });
            }
            _ => {
                let (token, len) = match (two, c) {
                    (Some("&&"), _) => (Token::And, 2),
                    (Some("||"), _) => (Token::Or, 2),
                    (Some("=="), _) => (Token::Op(Op::Eq), 2),
                    (Some("!="), _) => (Token::Op(Op::Ne), 2),
                    (Some("<="), _) => (Token::Op(Op::Le), 2),
                    (Some(">="), _) => (Token::Op(Op::Ge), 2),
                    (_, '<') => (Token::Op(Op::Lt), 1),
                    (_, '>') => (Token::Op(Op::Gt), 1),
                    (_, '!') => (Token::Not, 1),
                    _ => return Err(format!("unexpected {c:?} at {at} in filter")),
                };
                for _ in 0..len {
                    chars.next();
                }
                tokens.push(token);
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn expression(&mut self, depth: usize) -> Result<Filter, String> {
        let mut left = self.and(depth)?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Filter, String> {
        let mut left = self.unary(depth)?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary(depth)?));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, String> {
        if depth > MAX_DEPTH {
            return Err(format!("filter nests deeper than {MAX_DEPTH}"));
        }
        match self.next() {
            Some(Token::Not) => Ok(Filter::Not(Box::new(self.unary(depth + 1)?))),
            Some(Token::Open) => {
                let inner = self.expression(depth + 1)?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("missing `)` in filter".into()),
                }
            }
            Some(Token::Name(first)) => {
                let mut path = vec![first];
                while self.peek() == Some(&Token::Dot) {
                    self.pos += 1;
                    match self.next() {
                        Some(Token::Name(name)) => path.push(name),
                        _ => return Err("expected a field name after `.` in filter".into()),
                    }
                }
                let op = match self.next() {
                    Some(Token::Op(op)) => op,
                    Some(other) => {
                        return Err(format!(
                            "expected an operator (==, !=, <, <=, >, >=, LIKE) after `{}`, got {other}",
                            path.join(".")
                        ));
                    }
                    None => return Err(format!("filter ends after `{}`", path.join("."))),
                };
                match self.next() {
                    Some(Token::Literal(value)) => {
                        let value = match (op, value) {
                            (Op::Like, value @ Value::String(_)) => value,
                            (Op::Like, value) => {
                                return Err(format!("LIKE needs a quoted pattern, got {value}"));
                            }
                            // Only LIKE gives `\*` a meaning; elsewhere it is a star.
                            (_, Value::String(text)) => Value::String(text.replace("\\*", "*")),
                            (_, value) => value,
                        };
                        Ok(Filter::Compare { path, op, value })
                    }
                    _ => Err(format!(
                        "expected a value ('text', number, true, false, null) after `{}`",
                        path.join(".")
                    )),
                }
            }
            Some(other) => Err(format!("unexpected {other} in filter")),
            None => Err("filter is empty or ends too soon".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matches(filter: &str, object: Value) -> bool {
        Filter::parse(filter)
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .matches(&object)
    }

    #[test]
    fn equality_and_like_on_id_and_name() {
        let ann = json!({"id": "u-ann", "name": "Ann Smith"});
        assert!(matches("id == 'u-ann'", ann.clone()));
        assert!(matches("id == \"u-ann\"", ann.clone()));
        assert!(!matches("id != 'u-ann'", ann.clone()));
        assert!(matches("name LIKE 'ann*'", ann.clone()), "case-insensitive");
        assert!(matches("name like '*smith'", ann.clone()));
        assert!(matches("name LIKE '*n S*'", ann.clone()));
        assert!(!matches("name LIKE 'smith*'", ann.clone()));
        assert!(
            !matches("name LIKE 'Ann'", ann.clone()),
            "no wildcard: whole match"
        );
        assert!(matches("name LIKE 'a*s*h'", ann));
    }

    #[test]
    fn escaped_star_is_literal() {
        let starred = json!({"name": "a*b"});
        assert!(matches(r"name LIKE 'a\*b'", starred));
        assert!(!matches(r"name LIKE 'a\*b'", json!({"name": "axb"})));
    }

    #[test]
    fn boolean_logic_precedence_and_parentheses() {
        let object = json!({"id": "x", "name": "n", "status": "active"});
        assert!(matches(
            "id == 'y' || id == 'x' && name == 'n'",
            object.clone()
        ));
        assert!(!matches(
            "(id == 'y' || id == 'x') && name == 'm'",
            object.clone()
        ));
        assert!(matches("!(status == 'gone')", object.clone()));
        assert!(matches("!status == 'gone'", object));
    }

    #[test]
    fn nested_paths_numbers_and_missing_fields() {
        let object = json!({"custom": {"age": 30, "vip": true}, "channel": {"name": "Lobby"}});
        assert!(matches(
            "custom.age > 18 && custom.age <= 30",
            object.clone()
        ));
        assert!(matches("custom.vip == true", object.clone()));
        assert!(matches("channel.name LIKE 'lob*'", object.clone()));
        assert!(matches("custom.missing == null", object.clone()));
        assert!(!matches("custom.missing > 1", object));
        assert!(matches(
            "updated >= '2024-01-01'",
            json!({"updated": "2024-03-07T08:49:07.011608Z"})
        ));
    }

    #[test]
    fn errors_name_the_problem() {
        for (bad, expected) in [
            ("", "empty"),
            ("name ==", "expected a value"),
            ("name 'x'", "expected an operator"),
            ("(name == 'x'", "missing `)`"),
            ("name == 'x", "unterminated"),
            ("name LIKE 5", "quoted pattern"),
            ("name == 'x' extra", "unexpected"),
            ("name = 'x'", "unexpected"),
        ] {
            let error = Filter::parse(bad).unwrap_err();
            assert!(error.contains(expected), "{bad:?}: {error}");
        }
        assert!(Filter::parse(&"(".repeat(100)).is_err());
        assert!(Filter::parse(&"x".repeat(MAX_FILTER_BYTES + 1)).is_err());
    }
}
