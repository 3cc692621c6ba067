//! Line-level edits of a YAML file in block style (risks.yaml, soa.yaml): find the lines of a
//! key's block and insert or replace whole lines there, every other byte kept. The callers
//! read the result again and refuse any edit that changed more than it meant to.

/// The file as lines, each with its line ending.
pub struct Lines<'a> {
    pub lines: Vec<&'a str>,
    /// `\r\n` when the file uses it, else `\n`.
    pub eol: &'static str,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines {
            lines: text.split_inclusive('\n').collect(),
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    fn content(&self, i: usize) -> &'a str {
        self.lines[i].trim_end_matches(['\n', '\r'])
    }

    /// The indentation of line `i` (spaces), `None` for a blank or comment line.
    pub fn indent(&self, i: usize) -> Option<usize> {
        let line = self.content(i);
        let trimmed = line.trim_start_matches(' ');
        (!trimmed.is_empty() && !trimmed.starts_with('#')).then(|| line.len() - trimmed.len())
    }

    /// The end (exclusive) of the block of the key on line `key` (0-based): the following
    /// lines indented deeper (or, for a sequence, starting with `- ` at the key's indent),
    /// blank and comment lines between them included, trailing ones not.
    pub fn block_end(&self, key: usize) -> usize {
        let own = self.indent(key).unwrap_or(0);
        let mut end = key + 1;
        for i in key + 1..self.lines.len() {
            match self.indent(i) {
                None => continue,
                Some(n)
                    if n > own
                        || self.content(i)[n..].starts_with("- ")
                        || self.content(i)[n..] == *"-" =>
                {
                    end = i + 1
                }
                Some(_) => break,
            }
        }
        end
    }

    /// The first line in `from..to` at indentation `indent` that holds the key `key`.
    pub fn find_key(&self, from: usize, to: usize, indent: usize, key: &str) -> Option<usize> {
        (from..to).find(|&i| {
            self.indent(i) == Some(indent)
                && self.content(i)[indent..]
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(':'))
        })
    }

    /// The text with `lines[from..to]` replaced by `new`; a missing line ending before an
    /// insertion at the end of the file is added.
    pub fn splice(&self, from: usize, to: usize, new: &str) -> String {
        let mut out: String = self.lines[..from].concat();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(self.eol);
        }
        out.push_str(new);
        out.push_str(&self.lines[to..].concat());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_ends_before_the_next_key_at_its_level_and_trailing_blank_lines() {
        let l = Lines::new("a:\n  b: 1\n\n  c:\n  - x\n\nd: 2\n");
        assert_eq!(l.block_end(0), 5);
        assert_eq!(l.block_end(3), 5);
        assert_eq!(l.find_key(0, 7, 2, "c"), Some(3));
        assert_eq!(
            l.splice(5, 5, "  e: 3\n"),
            "a:\n  b: 1\n\n  c:\n  - x\n  e: 3\n\nd: 2\n"
        );
    }
}
