//! Front matter as a small YAML tree that remembers where every node stands in the file.
//!
//! A generic YAML value would lose two things we need: positions (diagnostics point at the
//! file's line, not the front matter's) and the scalar as written (`version: 1.10` must stay
//! "1.10", not become the float 1.1). So we build the tree from the parser's marked events.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::core::diagnostics::Span;

#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// The scalar's text as written; `quoted` is false for plain scalars, which YAML would
    /// otherwise read as numbers, booleans, dates or null.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Alias,
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn kind(&self) -> &'static str {
        match &self.value {
            _ if self.is_null() => "nothing",
            Value::Scalar { .. } => "a single value",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Alias => "an alias",
        }
    }
}

/// A YAML syntax error, with its position in the file.
#[derive(Debug)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

/// Deeper nesting than any handbook needs. The cap keeps a hostile file (`- - - - …` a few
/// thousand levels deep) from overflowing the stack, while building the tree or dropping it.
pub const MAX_DEPTH: usize = 64;

enum Frame {
    Seq(Vec<Node>, Span),
    Map(Vec<(Node, Node)>, Option<Node>, Span),
}

/// Turns the parser's character offsets into file lines and columns.
///
/// YAML also breaks lines at a lone `\r`, but editors, `lines()` and our excerpts count
/// only `\n`: its own line numbers would point past the end of such a file. And it reports
/// what it finds at the end of the text on the line after the final line break, which no
/// editor shows: such a position becomes the start of the last real line (and one after a
/// trailing lone CR, its end).
struct Lines {
    first_line: u32,
    /// The character offset at which each line after the first starts.
    starts: Vec<usize>,
    /// The position just after the text of the last line, as (line, column).
    end: (u32, u32),
}

impl Lines {
    fn new(text: &str, first_line: u32) -> Lines {
        let starts = text
            .chars()
            .enumerate()
            .filter(|(_, c)| *c == '\n')
            .map(|(i, _)| i + 1)
            .collect();
        let last = text.lines().last().unwrap_or("");
        let end = (
            first_line + text.lines().count().max(1) as u32 - 1,
            last.trim_end_matches('\r').chars().count() as u32 + 1,
        );
        Lines {
            first_line,
            starts,
            end,
        }
    }

    fn span(&self, mark: Marker, len: usize) -> Span {
        let index = mark.index();
        let line = self.starts.partition_point(|&s| s <= index);
        let line_start = line.checked_sub(1).map_or(0, |i| self.starts[i]);
        let at = (
            self.first_line + line as u32,
            (index - line_start) as u32 + 1,
        );
        let (line, col) = match at.0 > self.end.0 {
            true => (self.end.0, 1),
            false => at.min(self.end),
        };
        Span::new(line, col, len.max(1) as u32)
    }
}

struct Builder {
    lines: Lines,
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => *pending = Some(node),
            },
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }

    /// Takes one parser event; an error when the nesting gets too deep.
    fn on_event(&mut self, ev: Event, mark: Marker) -> Result<(), YamlError> {
        match ev {
            Event::Scalar(text, style, _, _) => {
                let quoted = style != TScalarStyle::Plain;
                let len = match style {
                    TScalarStyle::Plain => text.chars().count(),
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                        text.chars().count() + 2
                    }
                    _ => 1,
                };
                let span = self.lines.span(mark, len);
                self.push(Node {
                    value: Value::Scalar { text, quoted },
                    span,
                });
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let span = self.lines.span(mark, 1);
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        span,
                        message: format!(
                            "nested more than {MAX_DEPTH} levels deep (no handbook needs that many; flatten it)"
                        ),
                    });
                }
                self.stack.push(match ev {
                    Event::SequenceStart(..) => Frame::Seq(Vec::new(), span),
                    _ => Frame::Map(Vec::new(), None, span),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(items, span)) => Node {
                        value: Value::Seq(items),
                        span,
                    },
                    Some(Frame::Map(entries, _, span)) => Node {
                        value: Value::Map(entries),
                        span,
                    },
                    None => return Ok(()),
                };
                self.push(node);
            }
            // Aliases stay unexpanded: a billion laughs costs what its text costs.
            Event::Alias(_) => {
                let span = self.lines.span(mark, 1);
                self.push(Node {
                    value: Value::Alias,
                    span,
                });
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses `text`, whose first line is line `first_line` of the file. `None` for an empty text.
pub fn parse(text: &str, first_line: u32) -> Result<Option<Node>, YamlError> {
    let mut builder = Builder {
        lines: Lines::new(text, first_line),
        stack: Vec::new(),
        root: None,
    };
    let scan_error = |builder: &Builder, e: yaml_rust2::ScanError| YamlError {
        span: builder.lines.span(*e.marker(), 1),
        message: e.info().to_string(),
    };
    // Event by event rather than `Parser::load`, which recurses once per level of nesting.
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| scan_error(&builder, e))?;
        match ev {
            Event::StreamEnd => break,
            Event::DocumentStart if documents == 1 => {
                return Err(YamlError {
                    span: builder.lines.span(mark, 3),
                    message: "a second YAML document (after a `---` line) would be ignored"
                        .to_string(),
                })
            }
            Event::DocumentStart => documents += 1,
            ev => builder.on_event(ev, mark)?,
        }
    }
    Ok(builder.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_file_lines_and_scalars_stay_as_written() {
        let root = parse("id: POL-001\nversion: 1.10\n", 2).unwrap().unwrap();
        let Value::Map(entries) = root.value else {
            panic!()
        };
        let (key, value) = &entries[1];
        assert_eq!(key.span, Span::new(3, 1, 7));
        assert_eq!(value.span, Span::new(3, 10, 4));
        assert!(matches!(&value.value, Value::Scalar { text, quoted: false } if text == "1.10"));
    }

    #[test]
    fn syntax_errors_carry_the_file_line() {
        let err = parse("id: POL-001\ntitle: [unclosed\n", 2).unwrap_err();
        assert!(err.span.line >= 3, "{err:?}");
    }
}
