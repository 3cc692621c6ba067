//! Watching the sources with a short debounce: editors that save by rename, write swap files
//! or save twice in a row produce one rebuild, and the editor droppings none.

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, Debouncer, RecommendedCache};

use super::Shared;

/// Short enough to stay well under the 100 ms save-to-reload budget, long enough to fold an
/// editor's rename-and-write into one event.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Whether a changed path is a source of the handbook (and not an editor's temporary file).
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel
        .components()
        .any(|c| crate::load::is_ignored(c.as_os_str()))
    {
        return false;
    }
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    match first.as_deref() {
        Some("content") | Some("theme") => true,
        Some(name) => name == crate::load::config::FILE,
        None => false,
    }
}

pub fn start(
    shared: Arc<Shared>,
) -> Result<Debouncer<RecommendedWatcher, RecommendedCache>, String> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer = new_debouncer(DEBOUNCE, Some(DEBOUNCE / 5), tx)
        .map_err(|e| format!("cannot watch files: {e}"))?;
    let root = std::fs::canonicalize(&shared.root).unwrap_or_else(|_| shared.root.clone());
    // The root itself, not recursively: ismsbook.toml, and content/ or theme/ appearing later.
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    for dir in ["content", "theme"] {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    std::thread::spawn(move || {
        while let Ok(events) = rx.recv() {
            let Ok(events) = events else { continue };
            // Reading files (our own builds do) is an access event, not a change.
            let changes: Vec<(EventKind, &std::path::PathBuf)> = events
                .iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
                    )
                })
                .flat_map(|e| e.paths.iter().map(move |p| (e.kind, p)))
                .filter(|(_, p)| is_source(&root, p))
                .collect();
            if changes.is_empty() {
                continue;
            }
            // Whatever arrived meanwhile is covered by this rebuild.
            while rx.try_recv().is_ok() {}
            let changed: Vec<std::path::PathBuf> = changes
                .iter()
                .filter_map(|(_, p)| p.strip_prefix(&root).ok().map(|r| r.to_path_buf()))
                .collect();
            shared.rebuild_after(&changed);
        }
    });
    Ok(debouncer)
}

#[cfg(test)]
mod tests {
    use super::is_source;
    use std::path::Path;

    #[test]
    fn only_sources_trigger_rebuilds() {
        let root = Path::new("/h");
        assert!(is_source(root, Path::new("/h/content/policies/a.md")));
        assert!(is_source(root, Path::new("/h/ismsbook.toml")));
        assert!(is_source(root, Path::new("/h/theme/templates/base.html")));
        assert!(!is_source(root, Path::new("/h/content/.a.md.swp")));
        assert!(!is_source(root, Path::new("/h/content/a.md~")));
        assert!(!is_source(root, Path::new("/h/public/index.html")));
    }
}
