//! Where commands come from: a line editor with history on a terminal, or
//! one command per line from piped standard input (scripts, tests). Lines are
//! read on a thread, one at a time: the next is read only once the previous
//! command is done, so output and prompt stay in order.

use std::io::{BufRead, IsTerminal};
use std::sync::{Arc, Mutex, mpsc};

use rustyline::ExternalPrinter;
use tokio::sync::mpsc as async_mpsc;

/// Prints while the user may be typing: above the prompt on a terminal.
pub type Printer = Arc<dyn Fn(String) + Send + Sync>;

pub struct Input {
    lines: async_mpsc::UnboundedReceiver<String>,
    /// Asks the reader thread for the next line.
    next: mpsc::Sender<()>,
}

impl Input {
    /// Starts reading; returns the input and how to print meanwhile.
    pub fn start() -> anyhow::Result<(Self, Printer)> {
        let (line_tx, lines) = async_mpsc::unbounded_channel();
        let (next, next_rx) = mpsc::channel();
        let printer = if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
            let mut editor = rustyline::DefaultEditor::new()?;
            let external = Mutex::new(editor.create_external_printer()?);
            std::thread::spawn(move || {
                while next_rx.recv().is_ok() {
                    match editor.readline("> ") {
                        Ok(line) => {
                            let _ = editor.add_history_entry(line.as_str());
                            if line_tx.send(line).is_err() {
                                break;
                            }
                        }
                        // Ctrl-C, Ctrl-D: quit like `q`.
                        Err(_) => break,
                    }
                }
            });
            let printer: Printer = Arc::new(move |text: String| {
                let _ = external.lock().unwrap().print(format!("{text}\n"));
            });
            printer
        } else {
            std::thread::spawn(move || {
                let mut stdin = std::io::stdin().lock();
                while next_rx.recv().is_ok() {
                    let mut line = String::new();
                    match stdin.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            if line_tx.send(line.trim_end().to_owned()).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
            let printer: Printer = Arc::new(|text: String| println!("{text}"));
            printer
        };
        Ok((Self { lines, next }, printer))
    }

    /// The next line; `None` at the end of input (or Ctrl-D / Ctrl-C).
    pub async fn line(&mut self) -> Option<String> {
        self.next.send(()).ok()?;
        self.lines.recv().await
    }
}
