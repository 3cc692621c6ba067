//! The front matter as the parser saw it, with byte positions: what `approve` edits through.
//!
//! The parser's markers count characters, not bytes, and mark block collections where the
//! next token starts; so positions are taken from line and column, and only the starts of
//! scalars and the brackets of flow collections are trusted.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[derive(Debug)]
pub struct Node {
    /// Byte offset in the YAML text where the node starts (a quote, a bracket, a dash line).
    pub start: usize,
    pub tagged: bool,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    Scalar {
        text: String,
        style: TScalarStyle,
    },
    /// `end`: the byte offset of the closing bracket of a flow collection.
    Seq {
        flow: bool,
        items: Vec<Node>,
        end: usize,
    },
    Map {
        flow: bool,
        entries: Vec<(Node, Node)>,
        end: usize,
    },
    Alias,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Scalar { text, .. } if text == key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// A null written as nothing at all (`review:`), whose parser position is meaningless.
    pub fn is_empty_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, style: TScalarStyle::Plain } if text.is_empty())
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, style: TScalarStyle::Plain }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The last scalar or flow collection inside this node, in file order.
    pub fn last_leaf(&self) -> &Node {
        match &self.kind {
            Kind::Seq {
                flow: false, items, ..
            } => items.last().map_or(self, Node::last_leaf),
            Kind::Map {
                flow: false,
                entries,
                ..
            } => entries.last().map_or(self, |(_, v)| v.last_leaf()),
            _ => self,
        }
    }
}

/// The parsed front matter, and whether it uses anchors or aliases anywhere.
pub struct Tree {
    pub root: Node,
    pub anchors: bool,
}

enum Frame {
    Seq(Vec<Node>, usize, bool, bool),
    Map(Vec<(Node, Node)>, Option<Node>, usize, bool, bool),
}

struct Builder<'a> {
    lines: Vec<usize>,
    text: &'a str,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: bool,
}

impl Builder<'_> {
    /// Line (1-based) and column (0-based, in characters) to a byte offset.
    fn byte(&self, mark: Marker) -> usize {
        let Some(&line_start) = self.lines.get(mark.line().saturating_sub(1)) else {
            return self.text.len();
        };
        let line = &self.text[line_start..];
        line_start
            + line
                .char_indices()
                .nth(mark.col())
                .map_or(line.len(), |(b, _)| b)
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, pending, ..)) => match pending.take() {
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

    /// Where a collection starts: its bracket, or for a block collection the first
    /// non-blank character of the line its first entry is on (the dash of a sequence).
    fn collection_start(&self, mark: Marker, bracket: char) -> (usize, bool) {
        let at = self.byte(mark);
        match self.text[at..].chars().next() {
            Some(c) if c == bracket => (at, true),
            _ => {
                let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
                let indent = self.text[line_start..]
                    .find(|c: char| c != ' ')
                    .unwrap_or(0);
                (line_start + indent, false)
            }
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.anchors |= anchor != 0;
                let node = Node {
                    start: self.byte(mark),
                    tagged: tag.is_some(),
                    kind: Kind::Scalar { text, style },
                };
                self.push(node);
            }
            Event::SequenceStart(anchor, tag) => {
                self.anchors |= anchor != 0;
                let (start, flow) = self.collection_start(mark, '[');
                self.stack
                    .push(Frame::Seq(Vec::new(), start, flow, tag.is_some()));
            }
            Event::MappingStart(anchor, tag) => {
                self.anchors |= anchor != 0;
                let (start, flow) = self.collection_start(mark, '{');
                self.stack
                    .push(Frame::Map(Vec::new(), None, start, flow, tag.is_some()));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.byte(mark);
                let node = match self.stack.pop() {
                    Some(Frame::Seq(items, start, flow, tagged)) => Node {
                        start,
                        tagged,
                        kind: Kind::Seq { flow, items, end },
                    },
                    Some(Frame::Map(entries, _, start, flow, tagged)) => Node {
                        start,
                        tagged,
                        kind: Kind::Map { flow, entries, end },
                    },
                    None => return,
                };
                self.push(node);
            }
            Event::Alias(_) => {
                self.anchors = true;
                let node = Node {
                    start: self.byte(mark),
                    tagged: false,
                    kind: Kind::Alias,
                };
                self.push(node);
            }
            _ => {}
        }
    }
}

pub fn parse(text: &str) -> Result<Option<Tree>, String> {
    let mut lines = vec![0];
    lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let mut builder = Builder {
        lines,
        text,
        stack: Vec::new(),
        root: None,
        anchors: false,
    };
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| e.to_string())?;
    Ok(builder.root.map(|root| Tree {
        root,
        anchors: builder.anchors,
    }))
}

/// The byte offset just after a scalar written on one line, checked against its text;
/// `None` for block scalars and scalars over several lines, which approve does not edit.
pub fn scalar_end(yaml: &str, node: &Node) -> Option<usize> {
    let Kind::Scalar { text, style } = &node.kind else {
        return None;
    };
    let rest = &yaml[node.start..];
    match style {
        TScalarStyle::Plain if !text.is_empty() && rest.starts_with(text.as_str()) => {
            Some(node.start + text.len())
        }
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
            let quote = if *style == TScalarStyle::SingleQuoted {
                '\''
            } else {
                '"'
            };
            let mut chars = rest.char_indices().skip(1).peekable();
            if !rest.starts_with(quote) {
                return None;
            }
            while let Some((i, c)) = chars.next() {
                match c {
                    '\n' | '\r' => return None,
                    '\\' if quote == '"' => {
                        chars.next();
                    }
                    '\'' if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                        chars.next();
                    }
                    c if c == quote => return Some(node.start + i + 1),
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

/// The offset of the start of the line after the one holding `pos`.
pub fn line_end(yaml: &str, pos: usize) -> usize {
    yaml[pos..].find('\n').map_or(yaml.len(), |i| pos + i + 1)
}

/// The leading spaces of the line holding `pos`.
pub fn indent_at(yaml: &str, pos: usize) -> &str {
    let start = yaml[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = &yaml[start..];
    &line[..line.find(|c| c != ' ').unwrap_or(line.len())]
}
