//! Subscribe filters (`filter-expr`): which messages a subscriber receives.
//!
//! Grammar (PubNub's Stream Filter language, as far as it is documented):
//!
//! ```text
//! expr       := and ( "||" and )*
//! and        := unary ( "&&" unary )*
//! unary      := "!" unary | "(" expr ")" | comparison
//! comparison := operand ( op operand )?
//! op         := "==" | "!=" | "<" | ">" | "<=" | ">=" | LIKE | CONTAINS
//! operand    := path | 'string' | "string" | number | true | false | null
//! path       := name ( "." name | "[" string-or-number "]" )*
//! ```
//!
//! `uuid` is the publisher, `meta.x` a meta field, `data.x` a payload field
//! and a bare `x` is a meta field (the older filter syntax). Choices where
//! PubNub's grammar is unconfirmed: `LIKE` is case-insensitive with `*` as
//! the wildcard; ordering compares numbers only; a missing field makes every
//! comparison false except `!=`; `CONTAINS` tests a substring or an array
//! element; a bare operand is true when present and not false/null/0/"".

use serde_json::Value;

/// Longest accepted expression, in bytes.
pub const MAX_FILTER_BYTES: usize = 2048;
/// Deepest nesting of parentheses and `!`.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    Or(Box<FilterExpr>, Box<FilterExpr>),
    And(Box<FilterExpr>, Box<FilterExpr>),
    Not(Box<FilterExpr>),
    Compare(Operand, Op, Operand),
    Truthy(Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    Contains,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Value),
    Field(Root, Vec<Value>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Uuid,
    Meta,
    Data,
}

/// What a filter sees of one message.
pub struct FilterSubject<'a> {
    pub publisher: Option<&'a str>,
    pub meta: Option<&'a Value>,
    pub payload: &'a Value,
}

/// A filter expression that does not parse, or is too large or deep; its
/// text names the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(String);

impl FilterExpr {
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        Self::parse_text(text).map_err(FilterError)
    }

    fn parse_text(text: &str) -> Result<Self, String> {
        if text.len() > MAX_FILTER_BYTES {
            return Err(format!(
                "filter expression is {} bytes; the limit is {MAX_FILTER_BYTES}",
                text.len()
            ));
        }
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            position: 0,
            depth: 0,
        };
        let expr = parser.or()?;
        match parser.peek() {
            None => Ok(expr),
            Some(token) => Err(format!(
                "filter expression: unexpected {} after a complete expression",
                token.describe()
            )),
        }
    }

    pub fn matches(&self, subject: &FilterSubject) -> bool {
        match self {
            Self::Or(a, b) => a.matches(subject) || b.matches(subject),
            Self::And(a, b) => a.matches(subject) && b.matches(subject),
            Self::Not(inner) => !inner.matches(subject),
            Self::Truthy(operand) => operand.resolve(subject).is_some_and(|v| truthy(&v)),
            Self::Compare(left, op, right) => {
                let (left, right) = (left.resolve(subject), right.resolve(subject));
                match (left, right) {
                    (Some(l), Some(r)) => compare(&l, *op, &r),
                    _ => *op == Op::Ne,
                }
            }
        }
    }
}

impl Operand {
    fn resolve(&self, subject: &FilterSubject) -> Option<Value> {
        match self {
            Self::Literal(value) => Some(value.clone()),
            Self::Field(Root::Uuid, path) if path.is_empty() => {
                Some(Value::from(subject.publisher.unwrap_or_default()))
            }
            Self::Field(Root::Uuid, _) => None,
            Self::Field(root, path) => {
                let mut current = match root {
                    Root::Meta => subject.meta?,
                    _ => subject.payload,
                };
                for step in path {
                    current = match (current, step) {
                        (Value::Object(map), Value::String(key)) => map.get(key)?,
                        (Value::Array(items), Value::Number(n)) => {
                            items.get(usize::try_from(n.as_u64()?).ok()?)?
                        }
                        _ => return None,
                    };
                }
                Some(current.clone())
            }
        }
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn loosely_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            match (as_number(left), as_number(right)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
        }
        _ => left == right,
    }
}

fn compare(left: &Value, op: Op, right: &Value) -> bool {
    let ordered = |test: fn(f64, f64) -> bool| match (as_number(left), as_number(right)) {
        (Some(a), Some(b)) => test(a, b),
        _ => false,
    };
    match op {
        Op::Eq => loosely_equal(left, right),
        Op::Ne => !loosely_equal(left, right),
        Op::Lt => ordered(|a, b| a < b),
        Op::Gt => ordered(|a, b| a > b),
        Op::Le => ordered(|a, b| a <= b),
        Op::Ge => ordered(|a, b| a >= b),
        Op::Like => like(&as_text(left), &as_text(right)),
        Op::Contains => match left {
            Value::Array(items) => items.iter().any(|item| loosely_equal(item, right)),
            other => as_text(other).contains(&as_text(right)),
        },
    }
}

/// Case-insensitive glob: `*` matches any run of characters.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
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
    OpenBracket,
    CloseBracket,
    Dot,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Self::Name(name) => format!("`{name}`"),
            Self::Literal(value) => format!("`{value}`"),
            Self::Op(op) => format!("operator {op:?}"),
            Self::And => "`&&`".into(),
            Self::Or => "`||`".into(),
            Self::Not => "`!`".into(),
            Self::Open => "`(`".into(),
            Self::Close => "`)`".into(),
            Self::OpenBracket => "`[`".into(),
            Self::CloseBracket => "`]`".into(),
            Self::Dot => "`.`".into(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let two = |token: Token| (token, 2);
        let (token, width) = match (c, next) {
            (c, _) if c.is_whitespace() => {
                i += 1;
                continue;
            }
            ('&', Some('&')) => two(Token::And),
            ('|', Some('|')) => two(Token::Or),
            ('=', Some('=')) => two(Token::Op(Op::Eq)),
            ('!', Some('=')) => two(Token::Op(Op::Ne)),
            ('<', Some('=')) => two(Token::Op(Op::Le)),
            ('>', Some('=')) => two(Token::Op(Op::Ge)),
            ('<', _) => (Token::Op(Op::Lt), 1),
            ('>', _) => (Token::Op(Op::Gt), 1),
            ('!', _) => (Token::Not, 1),
            ('(', _) => (Token::Open, 1),
            (')', _) => (Token::Close, 1),
            ('[', _) => (Token::OpenBracket, 1),
            (']', _) => (Token::CloseBracket, 1),
            ('.', _) => (Token::Dot, 1),
            ('\'' | '"', _) => {
                let (value, width) = string_literal(&chars[i..])?;
                (Token::Literal(Value::String(value)), width)
            }
            (c, _)
                if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) =>
            {
                let end = (i + 1..chars.len())
                    .find(|&j| {
                        !(chars[j].is_ascii_digit()
                            || matches!(chars[j], '.' | 'e' | 'E')
                            || (matches!(chars[j], '+' | '-') && matches!(chars[j - 1], 'e' | 'E')))
                    })
                    .unwrap_or(chars.len());
                let literal: String = chars[i..end].iter().collect();
                let number: f64 = literal
                    .parse()
                    .map_err(|_| format!("filter expression: {literal:?} is not a number"))?;
                let value = if literal.contains(['.', 'e', 'E']) {
                    serde_json::Number::from_f64(number).map(Value::Number)
                } else {
                    literal.parse::<i64>().ok().map(Value::from)
                }
                .unwrap_or_else(|| Value::from(number));
                (Token::Literal(value), end - i)
            }
            (c, _) if c.is_alphabetic() || c == '_' || c == '$' => {
                let end = (i + 1..chars.len())
                    .find(|&j| !(chars[j].is_alphanumeric() || matches!(chars[j], '_' | '$' | '-')))
                    .unwrap_or(chars.len());
                let word: String = chars[i..end].iter().collect();
                let token = match word.to_ascii_lowercase().as_str() {
                    "like" => Token::Op(Op::Like),
                    "contains" => Token::Op(Op::Contains),
                    "true" => Token::Literal(Value::Bool(true)),
                    "false" => Token::Literal(Value::Bool(false)),
                    "null" => Token::Literal(Value::Null),
                    _ => Token::Name(word),
                };
                (token, end - i)
            }
            (c, _) => return Err(format!("filter expression: unexpected character {c:?}")),
        };
        tokens.push(token);
        i += width;
    }
    Ok(tokens)
}

/// A quoted string starting at `chars[0]`; returns it and the characters consumed.
fn string_literal(chars: &[char]) -> Result<(String, usize), String> {
    let quote = chars[0];
    let mut value = String::new();
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                value.push(chars[i + 1]);
                i += 2;
            }
            c if c == quote => return Ok((value, i + 1)),
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    Err(format!(
        "filter expression: unterminated string starting with {quote}"
    ))
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<FilterExpr, String> {
        let mut left = self.and()?;
        while self.eat(&Token::Or) {
            left = FilterExpr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<FilterExpr, String> {
        let mut left = self.unary()?;
        while self.eat(&Token::And) {
            left = FilterExpr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<FilterExpr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "filter expression nests deeper than {MAX_DEPTH} levels"
            ));
        }
        let expr = if self.eat(&Token::Not) {
            FilterExpr::Not(Box::new(self.unary()?))
        } else if self.eat(&Token::Open) {
            let inner = self.or()?;
            if !self.eat(&Token::Close) {
                return Err("filter expression: missing `)`".into());
            }
            inner
        } else {
            self.comparison()?
        };
        self.depth -= 1;
        Ok(expr)
    }

    fn comparison(&mut self) -> Result<FilterExpr, String> {
        let left = self.operand()?;
        if let Some(Token::Op(op)) = self.peek().cloned() {
            self.position += 1;
            let right = self.operand()?;
            return Ok(FilterExpr::Compare(left, op, right));
        }
        Ok(FilterExpr::Truthy(left))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        match self.next() {
            Some(Token::Literal(value)) => Ok(Operand::Literal(value)),
            Some(Token::Name(name)) => {
                let (root, mut path) = match name.as_str() {
                    "uuid" => (Root::Uuid, Vec::new()),
                    "meta" => (Root::Meta, Vec::new()),
                    "data" => (Root::Data, Vec::new()),
                    _ => (Root::Meta, vec![Value::String(name)]),
                };
                loop {
                    if self.eat(&Token::Dot) {
                        match self.next() {
                            Some(Token::Name(key)) => path.push(Value::String(key)),
                            other => {
                                return Err(format!(
                                    "filter expression: expected a field name after `.`, found {}",
                                    describe(other.as_ref())
                                ));
                            }
                        }
                    } else if self.eat(&Token::OpenBracket) {
                        match self.next() {
                            Some(Token::Literal(key @ (Value::String(_) | Value::Number(_)))) => {
                                path.push(key)
                            }
                            other => {
                                return Err(format!(
                                    "filter expression: expected a quoted key or an index in `[]`, found {}",
                                    describe(other.as_ref())
                                ));
                            }
                        }
                        if !self.eat(&Token::CloseBracket) {
                            return Err("filter expression: missing `]`".into());
                        }
                    } else {
                        break;
                    }
                }
                Ok(Operand::Field(root, path))
            }
            other => Err(format!(
                "filter expression: expected a field or a value, found {}",
                describe(other.as_ref())
            )),
        }
    }
}

fn describe(token: Option<&Token>) -> String {
    token.map_or_else(|| "the end".into(), Token::describe)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(expr: &str, publisher: &str, meta: Value, payload: Value) -> bool {
        let filter = FilterExpr::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        filter.matches(&FilterSubject {
            publisher: Some(publisher),
            meta: Some(&meta),
            payload: &payload,
        })
    }

    #[test]
    fn uuid_equality_and_inequality() {
        assert!(check("uuid == 'alice'", "alice", json!({}), json!(1)));
        assert!(!check("uuid == 'alice'", "bob", json!({}), json!(1)));
        assert!(check("uuid != \"alice\"", "bob", json!({}), json!(1)));
    }

    #[test]
    fn meta_fields_bare_and_prefixed() {
        let meta = json!({"lang": "en", "level": 5, "user": {"role": "admin"}, "tags": ["a", "b"]});
        assert!(check("lang == 'en'", "u", meta.clone(), json!(1)));
        assert!(check("meta.lang == 'en'", "u", meta.clone(), json!(1)));
        assert!(check(
            "meta.user.role == 'admin'",
            "u",
            meta.clone(),
            json!(1)
        ));
        assert!(check(
            "meta.user[\"role\"] == 'admin'",
            "u",
            meta.clone(),
            json!(1)
        ));
        assert!(check("meta.tags[1] == 'b'", "u", meta.clone(), json!(1)));
        assert!(check("level > 3 && level < 6", "u", meta.clone(), json!(1)));
        assert!(check(
            "level >= 5 && level <= 5",
            "u",
            meta.clone(),
            json!(1)
        ));
        assert!(!check("level > 5", "u", meta.clone(), json!(1)));
        assert!(check("meta.tags CONTAINS 'a'", "u", meta, json!(1)));
    }

    #[test]
    fn payload_fields() {
        assert!(check(
            "data.score > 80",
            "u",
            json!({}),
            json!({"score": 81})
        ));
        assert!(!check(
            "data.score > 80",
            "u",
            json!({}),
            json!({"score": 8})
        ));
    }

    #[test]
    fn like_is_a_case_insensitive_glob() {
        let meta = json!({"name": "Johnny"});
        assert!(check("name LIKE 'jo*'", "u", meta.clone(), json!(1)));
        assert!(check("name like '*NN*'", "u", meta.clone(), json!(1)));
        assert!(check("name LIKE 'johnny'", "u", meta.clone(), json!(1)));
        assert!(!check("name LIKE 'jo'", "u", meta.clone(), json!(1)));
        assert!(check("uuid LIKE 'web*'", "webex-1", meta, json!(1)));
    }

    #[test]
    fn precedence_and_parentheses() {
        let meta = json!({"a": 1, "b": 2});
        // && binds tighter than ||.
        assert!(check(
            "a == 1 || a == 9 && b == 9",
            "u",
            meta.clone(),
            json!(1)
        ));
        assert!(!check(
            "(a == 1 || a == 9) && b == 9",
            "u",
            meta.clone(),
            json!(1)
        ));
        assert!(check("!(a == 2)", "u", meta.clone(), json!(1)));
        assert!(check(
            "((a == 1)) && (b == 2 || b == 3)",
            "u",
            meta,
            json!(1)
        ));
    }

    #[test]
    fn missing_fields_fail_comparisons_except_inequality() {
        let meta = json!({});
        assert!(!check("lang == 'en'", "u", meta.clone(), json!(1)));
        assert!(!check("level > 1", "u", meta.clone(), json!(1)));
        assert!(check("lang != 'en'", "u", meta, json!(1)));
        let no_meta = FilterExpr::parse("lang == 'en'").unwrap();
        assert!(!no_meta.matches(&FilterSubject {
            publisher: None,
            meta: None,
            payload: &json!(1)
        }));
    }

    #[test]
    fn numbers_compare_with_numeric_strings() {
        assert!(check("n == 5", "u", json!({"n": "5"}), json!(1)));
        assert!(check("n == 5.0", "u", json!({"n": 5}), json!(1)));
        assert!(check("n > -1", "u", json!({"n": 0}), json!(1)));
    }

    #[test]
    fn syntax_errors_say_what_is_wrong() {
        for bad in [
            "",
            "uuid ==",
            "(uuid == 'a'",
            "uuid == 'a",
            "uuid === 'a'",
            "a == 1 b",
            "#",
            "meta.[1]",
        ] {
            assert!(FilterExpr::parse(bad).is_err(), "{bad:?} should not parse");
        }
        let deep = format!("{}a == 1{}", "(".repeat(100), ")".repeat(100));
        assert!(
            FilterExpr::parse(&deep)
                .unwrap_err()
                .to_string()
                .contains("deeper")
        );
        assert!(FilterExpr::parse(&"a".repeat(MAX_FILTER_BYTES + 1)).is_err());
    }
}
