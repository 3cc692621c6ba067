//! Render: the checked handbook to HTML and CSV files. Pages are rendered with Tera from
//! the built-in theme (or the handbook's own `theme/` overrides) and written in parallel.

mod bodies;
mod context;
mod csv;
mod frameworks;
mod limits;
mod memo;
pub mod nav;
pub use nav::lists_documents;
pub mod operation;
mod paged;
mod print;
mod risks;
pub mod search;
mod sidebar;
mod signed;
pub mod theme;
mod tidy;
mod update;
mod whole;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::check::links::Target;
use crate::check::Checked;
use crate::load::markdown::LINK_PLACEHOLDER;
use crate::load::model::Handbook;

pub use bodies::Bodies;
pub use context::SiteInfo;
pub use limits::Limits;
pub use memo::Memo;
pub use print::printable_pages;
pub use update::{update_pages, Part, Written, STAGING};

/// What varies between a `build` and a page served by `serve`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// What git knows: the version label shown on every page, each document's revisions.
    pub history: crate::history::Info,
    /// Changes since the previous tag, when there is one.
    pub changes: Option<crate::history::changes::Changes>,
    /// Leave out documents classified above this level (their pages, bodies, search text).
    pub max_classification: Option<String>,
    /// HTML inserted before `</body>` of every page: the live-reload script of `serve`,
    /// never present in `build` output.
    pub inject: Option<String>,
    /// The key that seals the search shards; `None`: derived from what is indexed (see
    /// `search`).
    pub search_key: Option<[u8; 32]>,
    /// How much one page holds before print.html and listings are split (see [`Limits`]).
    pub limits: Limits,
}

/// The sidebar every page shows: `serve` rewrites every page when an edit changes it, and
/// keeps it between updates otherwise (computing it reads every document).
pub fn sidebar(hb: &Handbook, checked: &Checked, opts: &Options) -> Vec<nav::Section> {
    let site = context::Site::new(hb, checked, opts);
    site.nav().to_vec()
}

/// What `serve` keeps between updates, so that an update reads no more than it writes.
#[derive(Clone, Copy, Default)]
pub struct Kept<'a> {
    /// The search index as last written: only the shards an edit changed are written.
    pub search: Option<&'a search::SearchCache>,
    /// The sidebar, when no edit since it was computed changed it ([`sidebar`]).
    pub nav: Option<&'a [nav::Section]>,
    /// The listings as last rendered: only what an edit changed is rendered again.
    pub memo: Option<&'a Memo>,
}

/// One output file: path relative to the output directory, and its bytes.
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Renders every page and writes it under `out`, which must exist and be empty.
/// Returns the number of files written.
pub fn write_site(
    hb: &Handbook,
    checked: &Checked,
    opts: &Options,
    tera: &tera::Tera,
    source: &dyn crate::load::Source,
    out: &Path,
) -> Result<usize, String> {
    write_site_keeping(hb, checked, opts, tera, source, out, Kept::default())
}

/// [`write_site`], keeping the search index and the listings in `kept` for the updates
/// that follow (its sidebar is computed anew).
pub fn write_site_keeping(
    hb: &Handbook,
    checked: &Checked,
    opts: &Options,
    tera: &tera::Tera,
    source: &dyn crate::load::Source,
    out: &Path,
    kept: Kept<'_>,
) -> Result<usize, String> {
    write_site_with(hb, checked, opts, tera, source, out, kept, None)
}

/// [`write_site`] of a handbook whose bodies were moved into `bodies` ([`Bodies::take`]):
/// each is freed after its last use. For a build, which renders once.
pub fn write_site_releasing(
    hb: &Handbook,
    checked: &Checked,
    opts: &Options,
    tera: &tera::Tera,
    source: &dyn crate::load::Source,
    out: &Path,
    bodies: &Bodies,
) -> Result<usize, String> {
    write_site_with(
        hb,
        checked,
        opts,
        tera,
        source,
        out,
        Kept::default(),
        Some(bodies),
    )
}

#[allow(clippy::too_many_arguments)]
fn write_site_with(
    hb: &Handbook,
    checked: &Checked,
    opts: &Options,
    tera: &tera::Tera,
    source: &dyn crate::load::Source,
    out: &Path,
    kept: Kept<'_>,
    bodies: Option<&Bodies>,
) -> Result<usize, String> {
    let mut site = context::Site::new(hb, checked, opts);
    // `out` is empty: every shard is written, and the index kept is made anew.
    if let Some(search) = kept.search {
        search.forget();
    }
    site.search_cache = kept.search;
    site.memo = kept.memo;
    if let Some(bodies) = bodies {
        bodies.release_unshown(|i| site.is_published(i));
    }
    site.bodies = bodies;
    for dir in ["documents", "controls", "static"] {
        fs::create_dir_all(out.join(dir))
            .map_err(|e| format!("cannot create {}: {e}", out.join(dir).display()))?;
    }
    let mut written = run_jobs(&site, tera, &site.jobs(), out)?;
    for f in theme::static_files(&hb.root).map_err(|e| format!("cannot read theme/static: {e}"))? {
        write_file(out, &f).map_err(|e| format!("cannot write {}: {e}", f.path.display()))?;
        written += 1;
    }
    for asset in site.published_assets() {
        let to = out.join("assets").join(asset);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let from = Path::new(crate::load::CONTENT_DIR).join(asset);
        let bytes = source
            .read(&from)
            .map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        // `check` reports these; this guards a source it did not read (another revision).
        if let Some(d) = crate::load::active::check(&from, &bytes) {
            return Err(format!(
                "{}: {} [{}]; it is not published",
                crate::core::diagnostics::display_path(&from),
                d.message,
                d.code.as_str()
            ));
        }
        fs::write(&to, bytes).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        written += 1;
    }
    Ok(written)
}

/// Runs the jobs in parallel. The site-wide pages (register, SoA, print…) come first: they
/// take longest, and they stream their rows, so several at once hold little memory.
fn run_jobs(
    site: &context::Site<'_>,
    tera: &tera::Tera,
    jobs: &[context::Job],
    out: &Path,
) -> Result<usize, String> {
    let run = |job: &&context::Job| run_job(site, tera, job, out);
    if site.bodies.is_some() {
        let starts = site.search_part_starts();
        let (showing, rest) = bodies::order(jobs, |k| site.print_part_start(k), &starts);
        let first = crate::core::parallel::map_uneven(&showing, |task| match task {
            bodies::Task::Job(job) => run(job),
            bodies::Task::SearchPart(n) => site.index_search_part(out, *n),
        });
        let first = first.into_iter().sum::<Result<usize, String>>()?;
        let then = crate::core::parallel::map_uneven(&rest, run);
        return Ok(first + then.into_iter().sum::<Result<usize, String>>()?);
    }
    let (pages, site_wide): (Vec<&context::Job>, Vec<&context::Job>) = jobs
        .iter()
        .partition(|j| matches!(j, context::Job::Document(_) | context::Job::Control(_)));
    let ordered: Vec<&context::Job> = site_wide.into_iter().chain(pages).collect();
    crate::core::parallel::map_uneven(&ordered, run)
        .into_iter()
        .sum::<Result<usize, String>>()
}

/// Renders one job's files under `out`; returns how many.
fn run_job(
    site: &context::Site<'_>,
    tera: &tera::Tera,
    job: &context::Job,
    out: &Path,
) -> Result<usize, String> {
    if let Some(streamed) = site.stream(tera, job, out) {
        return streamed;
    }
    let files = site.render(tera, job)?;
    let n = files.len();
    for f in files {
        write_file(out, &f)
            .map_err(|e| format!("cannot write {}: {e}", out.join(&f.path).display()))?;
    }
    Ok(n)
}

fn write_file(out: &Path, f: &OutputFile) -> io::Result<()> {
    let path = out.join(&f.path);
    match fs::write(&path, &f.bytes) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(path, &f.bytes)
        }
        other => other,
    }
}

/// Where a rendered body is shown, which decides the URLs of its links.
pub enum Place<'a> {
    /// A page whose way back to the site root is `root` (`""` or `"../"`).
    Page { root: &'a str },
    /// The section of document `doc` in `print.html`, where every document shares one page:
    /// links between documents become anchors, and ids are prefixed with the document's id.
    /// In a part of a large handbook (`print/N.html`), `part` leads to the other parts.
    Print {
        doc: &'a str,
        part: Option<print::InPart<'a>>,
    },
}

/// Swaps each link placeholder of a rendered body for the URL of its target. Links to
/// withheld documents (above `--max-classification`) point at the register instead. In
/// print.html, where every body shares one page, ids and fragment links get the document's
/// id in front. One pass over the body, whatever the place.
pub fn resolve_body(
    html: &str,
    targets: &[Target],
    place: &Place<'_>,
    withheld: &crate::check::Withheld,
) -> String {
    const ID: &str = " id=\"";
    const FRAGMENT: &str = "href=\"#";
    let patterns: &[&str] = match place {
        Place::Print { .. } => &[LINK_PLACEHOLDER, ID, FRAGMENT],
        Place::Page { .. } => &[LINK_PLACEHOLDER],
    };
    let finders: Vec<memchr::memmem::Finder<'_>> =
        patterns.iter().map(memchr::memmem::Finder::new).collect();
    let bytes = html.as_bytes();
    let mut next: Vec<Option<usize>> = finders.iter().map(|f| f.find(bytes)).collect();
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut from = 0;
    while let Some((k, at)) = next
        .iter()
        .enumerate()
        .filter_map(|(k, at)| at.map(|at| (k, at)))
        .min_by_key(|&(_, at)| at)
    {
        out.push_str(&html[from..at]);
        from = at + patterns[k].len();
        match (patterns[k], place) {
            (LINK_PLACEHOLDER, _) => {
                let digits = bytes[from..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let target = html[from..from + digits]
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| targets.get(n));
                from += digits;
                out.push_str(&escape_attr(&href(target, place, withheld)));
            }
            (pattern, Place::Print { doc, .. }) => {
                out.push_str(pattern);
                out.push_str(doc);
                out.push('-');
            }
            (pattern, Place::Page { .. }) => out.push_str(pattern),
        }
        for (at, finder) in next.iter_mut().zip(&finders) {
            if at.is_some_and(|at| at < from) {
                *at = finder.find(&bytes[from..]).map(|i| i + from);
            }
        }
    }
    out.push_str(&html[from..]);
    out
}

fn href(target: Option<&Target>, place: &Place<'_>, withheld: &crate::check::Withheld) -> String {
    let with_fragment = |base: String, fragment: &Option<String>| match fragment {
        Some(f) => format!("{base}#{f}"),
        None => base,
    };
    let root = match place {
        Place::Page { root } => *root,
        Place::Print { part: Some(_), .. } => "../",
        Place::Print { .. } => "",
    };
    match (target, place) {
        (Some(Target::Document { id, .. }), _) if withheld.id(id.as_str()) => {
            format!("{root}documents/index.html")
        }
        (Some(Target::Document { id, anchor }), Place::Print { part, .. }) => {
            // In another part of a large handbook: that part's page.
            let page = part.as_ref().map_or(String::new(), |p| p.page_of(id));
            match anchor {
                Some(a) => format!("{page}#{id}-{a}"),
                None => format!("{page}#{id}"),
            }
        }
        (Some(Target::Document { id, anchor }), _) => {
            with_fragment(format!("{root}documents/{id}.html"), anchor)
        }
        (Some(Target::Control(c)), _) => format!("{root}controls/{c}.html"),
        (Some(Target::Risk(r)), _) if withheld.risks() => format!("{root}index.html"),
        (Some(Target::Risk(r)), _) => format!("{root}risks/{r}.html"),
        (Some(Target::Nonconformity(n)), _) => format!("{root}nonconformities.html#{n}"),
        (Some(Target::Asset { path, fragment }), _) => {
            with_fragment(format!("{root}{}", asset_url(path)), fragment)
        }
        (Some(Target::External(url)), _) => url.clone(),
        (Some(Target::Anchor(a)), Place::Print { doc, .. }) => format!("#{doc}-{a}"),
        (Some(Target::Anchor(a)), _) => format!("#{a}"),
        (Some(Target::Unresolved) | None, _) => "#".to_string(),
    }
}

/// The URL of an asset under `assets/`, percent-encoded segment by segment so names with
/// spaces or non-ASCII letters work from file:// and any web server.
pub fn asset_url(path: &Path) -> String {
    let mut url = String::from("assets");
    for part in path.components() {
        url.push('/');
        for b in part.as_os_str().to_string_lossy().bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                url.push(b as char);
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
    }
    url
}

/// Escapes text for HTML content and quoted attributes (but not `/`, unlike Tera's default).
/// Tera calls it for every value a page shows: bytes, and runs copied whole, since the five
/// characters are ASCII (a search by `char` was 2% of a build).
pub fn escape_attr(s: &str) -> String {
    let special = |b: &u8| matches!(b, b'&' | b'"' | b'<' | b'>' | b'\'');
    let bytes = s.as_bytes();
    let Some(first) = bytes.iter().position(special) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(s.len() + 16);
    let mut from = 0;
    for (at, b) in bytes.iter().enumerate().skip(first) {
        let entity = match b {
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // `at` is an ASCII byte: a char boundary.
        out.push_str(&s[from..at]);
        out.push_str(entity);
        from = at + 1;
    }
    out.push_str(&s[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_attr_escapes_the_five_and_keeps_the_rest() {
        assert_eq!(escape_attr("a/b é"), "a/b é");
        assert_eq!(
            escape_attr("<a href=\"x\">Tom & Jerry's</a> ü>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; ü&gt;"
        );
        assert_eq!(escape_attr("&"), "&amp;");
        assert_eq!(escape_attr(""), "");
    }

    #[test]
    fn in_print_ids_and_fragments_get_the_document_in_front() {
        let targets = vec![Target::Anchor("scope".into())];
        let html =
            "<h2 id=\"scope\">Scope</h2><a href=\"ismsbook-link:0\">s</a><a href=\"#fn1\">1</a>";
        let out = resolve_body(
            html,
            &targets,
            &Place::Print {
                doc: "POL-001",
                part: None,
            },
            &crate::check::Withheld::none(),
        );
        assert_eq!(
            out,
            "<h2 id=\"POL-001-scope\">Scope</h2><a href=\"#POL-001-scope\">s</a><a href=\"#POL-001-fn1\">1</a>"
        );
    }

    #[test]
    fn placeholders_become_relative_urls() {
        let targets = vec![
            Target::Document {
                id: "POL-009".parse().unwrap(),
                anchor: Some("retention".into()),
            },
            Target::Control("A.8.13".parse().unwrap()),
            Target::Asset {
                path: "img/org chart é.png".into(),
                fragment: None,
            },
            Target::External("https://x.test/?a=1&b=2".into()),
        ];
        let html = "<a href=\"ismsbook-link:0\">a</a><a href=\"ismsbook-link:1\">b</a><img src=\"ismsbook-link:2\"><a href=\"ismsbook-link:3\">";
        let out = resolve_body(
            html,
            &targets,
            &Place::Page { root: "../" },
            &crate::check::Withheld::none(),
        );
        assert_eq!(
            out,
            "<a href=\"../documents/POL-009.html#retention\">a</a><a href=\"../controls/A.8.13.html\">b</a><img src=\"../assets/img/org%20chart%20%C3%A9.png\"><a href=\"https://x.test/?a=1&amp;b=2\">"
        );
    }
}
