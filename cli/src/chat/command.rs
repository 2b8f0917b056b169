//! The chat prompt's commands: `r text`, `r3 text`, `p`, `p3`, `s`, `s3`,
//! `m`, `m3`, `h`, `q`. A number picks a message; none means the latest.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Reply to a message's room.
    Reply {
        to: Option<usize>,
        text: String,
    },
    /// The previous messages of a message's room, from history.
    Previous(Option<usize>),
    /// Who sent a message (App Context).
    Sender(Option<usize>),
    /// The members of a message's room (App Context).
    Members(Option<usize>),
    Help,
    Quit,
    /// A blank line.
    Nothing,
}

/// Parses one input line; the error says what is wrong and points to `h`.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Command::Nothing);
    }
    let (word, rest) = match line.find(char::is_whitespace) {
        Some(at) => (&line[..at], line[at..].trim()),
        None => (line, ""),
    };
    let letter_end = word
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(word.len());
    let (letter, digits) = word.split_at(letter_end);
    let number = if digits.is_empty() {
        None
    } else {
        match digits.parse::<usize>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(format!(
                    "{word:?}: messages are numbered from 1 (type h for help)"
                ));
            }
        }
    };
    let no_text = |command: Command| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(format!("{letter} takes no text (type h for help)"))
        }
    };
    match letter {
        "r" if rest.is_empty() => Err("r needs the reply text: r hello, or r3 hello".to_owned()),
        "r" => Ok(Command::Reply {
            to: number,
            text: rest.to_owned(),
        }),
        "p" => no_text(Command::Previous(number)),
        "s" => no_text(Command::Sender(number)),
        "m" => no_text(Command::Members(number)),
        "h" | "help" if number.is_none() => Ok(Command::Help),
        "q" | "quit" if number.is_none() => Ok(Command::Quit),
        _ => Err(format!("unknown command {word:?} (type h for help)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_with_and_without_numbers() {
        assert_eq!(
            parse("r hello there"),
            Ok(Command::Reply {
                to: None,
                text: "hello there".into()
            })
        );
        assert_eq!(
            parse("r3  hi"),
            Ok(Command::Reply {
                to: Some(3),
                text: "hi".into()
            })
        );
        assert_eq!(parse("p"), Ok(Command::Previous(None)));
        assert_eq!(parse("p12"), Ok(Command::Previous(Some(12))));
        assert_eq!(parse("s2"), Ok(Command::Sender(Some(2))));
        assert_eq!(parse(" m "), Ok(Command::Members(None)));
        assert_eq!(parse("h"), Ok(Command::Help));
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(parse(""), Ok(Command::Nothing));
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(parse("r").unwrap_err().contains("needs the reply text"));
        assert!(parse("r0 x").unwrap_err().contains("numbered from 1"));
        assert!(parse("p x").unwrap_err().contains("takes no text"));
        assert!(parse("x").unwrap_err().contains("unknown command"));
        assert!(parse("q2").unwrap_err().contains("unknown command"));
    }
}
