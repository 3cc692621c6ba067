//! Front matter as a small YAML tree that remembers where every node stands in the file.
//!
//! A generic YAML value would lose two things we need: positions (diagnostics point at the
//! file's line, not the front matter's) and the scalar as written (`version: 1.10` must stay
//! "1.10", not become the float 1.1). So we build the tree from the parser's marked events.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diagnostics::Span;

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

enum Frame {
    Seq(Vec<Node>, Span),
    Map(Vec<(Node, Node)>, Option<Node>, Span),
}

struct Builder {
    first_line: u32,
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder {
    fn span(&self, mark: Marker, len: usize) -> Span {
        Span::new(
            self.first_line + mark.line() as u32 - 1,
            mark.col() as u32 + 1,
            len.max(1) as u32,
        )
    }

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
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
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
                let span = self.span(mark, len);
                self.push(Node {
                    value: Value::Scalar { text, quoted },
                    span,
                });
            }
            Event::SequenceStart(..) => {
                let span = self.span(mark, 1);
                self.stack.push(Frame::Seq(Vec::new(), span));
            }
            Event::MappingStart(..) => {
                let span = self.span(mark, 1);
                self.stack.push(Frame::Map(Vec::new(), None, span));
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
                    None => return,
                };
                self.push(node);
            }
            Event::Alias(_) => {
                let span = self.span(mark, 1);
                self.push(Node {
                    value: Value::Alias,
                    span,
                });
            }
            _ => {}
        }
    }
}

/// Parses `text`, whose first line is line `first_line` of the file. `None` for an empty text.
pub fn parse(text: &str, first_line: u32) -> Result<Option<Node>, YamlError> {
    let mut builder = Builder {
        first_line,
        stack: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| {
        let m = e.marker();
        let line = first_line + m.line() as u32 - 1;
        // The scanner reports some errors one past the last line; point at the last real one.
        let last_line = first_line + text.lines().count().max(1) as u32 - 1;
        YamlError {
            span: Span::new(line.min(last_line), m.col() as u32 + 1, 1),
            message: e.info().to_string(),
        }
    })?;
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
