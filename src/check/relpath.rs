//! A path as it is written in a link: relative to the file the link is in, so that the
//! help's suggestion works when pasted (`../physical/locking.md`, not
//! `content/physical/locking.md`).

use std::path::{Component, Path};

/// `to` (relative to the handbook root) as a link from a file in the folder `from_dir`
/// (relative to the handbook root), with `/` separators.
pub fn relative(from_dir: &Path, to: &Path) -> String {
    let parts = |p: &Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let (from, to) = (parts(from_dir), parts(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_string(); from.len() - common];
    out.extend(to[common..].iter().cloned());
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_is_relative_to_the_linking_file() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(
            r("content/policies", "content/physical/locking.md"),
            "../physical/locking.md"
        );
        assert_eq!(r("content/policies", "content/policies/x.md"), "x.md");
        assert_eq!(r("content", "content/a/b.md"), "a/b.md");
        assert_eq!(r("content/a/b", "content/c.md"), "../../c.md");
    }
}
