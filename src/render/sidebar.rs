//! The sidebar of every page, rendered from `sidebar.html` apart from the page. It depends on
//! the page only through `root` and whether `page_path` is one of its links (which it marks
//! as current), so the built-in template is rendered once per `root` for all the pages it
//! links to none of (at 1,000 documents, all but about twenty): rendering it for each page was
//! about a quarter of a build's time. A handbook's own `sidebar.html` may show anything of
//! the page's path, so it is rendered for each page.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use tera::{Context, Tera};

use super::context::Site;
use super::theme;

/// What one build (or one `serve` update) knows of its sidebars.
#[derive(Default)]
pub struct Sidebars {
    /// The paths the sidebar links to, besides `index.html`.
    linked: OnceLock<HashSet<String>>,
    /// Which templates the handbook's theme replaces.
    replaced: OnceLock<Vec<String>>,
    /// `root` -> the sidebar of a page it does not link to.
    unmarked: Mutex<Vec<(String, Arc<str>)>>,
}

impl Site<'_> {
    /// The sidebar of the page at `page_path`, whose way back to the site root is `root`.
    pub(super) fn sidebar(
        &self,
        tera: &Tera,
        root: &str,
        page_path: &str,
    ) -> Result<Arc<str>, String> {
        let cache = &self.sidebars;
        let replaced = self.replaced(tera);
        let linked = cache.linked.get_or_init(|| {
            let mut paths = HashSet::from(["index.html".to_string()]);
            for s in self.nav() {
                for l in &s.links {
                    paths.insert(l.path.clone());
                    paths.extend(l.children.iter().map(|c| c.path.clone()));
                }
            }
            paths
        });
        if replaced.iter().any(|t| t == "sidebar.html") || linked.contains(page_path) {
            return self.render_sidebar(tera, root, page_path).map(Arc::from);
        }
        let found = lock(&cache.unmarked)
            .iter()
            .find(|(r, _)| r == root)
            .map(|(_, html)| html.clone());
        if let Some(html) = found {
            return Ok(html);
        }
        // Rendered outside the lock: two threads may both render the first sidebar of a root,
        // with the same result.
        let html: Arc<str> = Arc::from(self.render_sidebar(tera, root, page_path)?);
        lock(&cache.unmarked).push((root.to_string(), html.clone()));
        Ok(html)
    }

    /// Whether pages get `nav` as well: a template of the handbook's may loop over it, as
    /// base.html did before the sidebar had its own template.
    pub(super) fn pages_get_nav(&self, tera: &Tera) -> bool {
        self.replaced(tera).iter().any(|t| t != "sidebar.html")
    }

    /// The templates the handbook's theme replaces, read from `tera` once.
    pub(super) fn replaced(&self, tera: &Tera) -> &[String] {
        self.sidebars.replaced.get_or_init(|| theme::replaced(tera))
    }

    fn render_sidebar(&self, tera: &Tera, root: &str, page_path: &str) -> Result<String, String> {
        let mut ctx = Context::new();
        ctx.insert("site", &self.info);
        ctx.insert("root", root);
        ctx.insert("page_path", page_path);
        ctx.insert("nav", self.nav());
        tera.render("sidebar.html", &ctx).map_err(|e| {
            format!(
                "rendering the sidebar of {page_path} with sidebar.html: {}",
                theme::error_chain(&e)
            )
        })
    }
}

/// The cache stays usable after a panic elsewhere: it holds only finished renderings.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
