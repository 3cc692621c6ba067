//! What `serve` keeps of the listings it rendered, so that an edit re-renders only the
//! parts of a listing that show something else: a register of 10,000 documents is 40
//! chunks of rows and 10 pages, and a new title changes one chunk of one page.
//!
//! Each place a listing is rendered at (a page's path, or a chunk of a page's rows) keeps
//! the digest of everything its template was given and the HTML it made. The next render
//! at that place whose input has the same digest takes the HTML as it is. Input and
//! template are all a page depends on (the theme's templates are pure, and a theme edit
//! reopens the site, and with it a new memo), so the HTML is what Tera would make again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// Past this much HTML, places not kept yet are rendered every time: a 100,000-document
/// handbook's listings do not all stay in memory.
const MAX_BYTES: usize = 256 << 20;

/// The HTML rendered at each place of the listings, by the digest of its input.
#[derive(Default)]
pub struct Memo {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    places: HashMap<String, ([u8; 32], Arc<str>)>,
    bytes: usize,
}

impl Memo {
    /// The HTML at `place` for the input `digest`: kept, or made by `render` and kept.
    pub fn get_or_render(
        &self,
        place: String,
        digest: [u8; 32],
        render: impl FnOnce() -> Result<String, String>,
    ) -> Result<Arc<str>, String> {
        if let Some((d, html)) = self.lock().places.get(&place) {
            if *d == digest {
                return Ok(html.clone());
            }
        }
        // Rendered unlocked: the listings render in parallel.
        let html: Arc<str> = render()?.into();
        let mut kept = self.lock();
        let old = kept.places.get(&place).map_or(0, |(_, h)| h.len());
        if kept.bytes - old + html.len() <= MAX_BYTES {
            kept.bytes = kept.bytes - old + html.len();
            kept.places.insert(place, (digest, html.clone()));
        }
        Ok(html)
    }

    /// The HTML at `place` of `template` given `input`: kept, or made by `render` and kept.
    pub fn render(
        &self,
        place: String,
        template: &str,
        input: &[&dyn Part],
        render: impl FnOnce() -> Result<String, String>,
    ) -> Result<Arc<str>, String> {
        self.get_or_render(place, digest(template, input), render)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A render that panicked left the map whole: each insert is one step.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The digest of a template's name and its input, serialized as JSON (which is what Tera
/// turns the input into).
pub fn digest(template: &str, parts: &[&dyn Part]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(template.as_bytes());
    // Into a buffer rather than a `dyn Write`: JSON comes in writes of a few bytes, which
    // a `Vec` takes inline, at three times the speed.
    let mut json = Vec::with_capacity(1 << 16);
    for part in parts {
        json.clear();
        json.push(0xff);
        // A value that cannot be serialized makes the template fail too, and its digest
        // then only has to differ from the next one.
        if part.write_json(&mut json).is_err() {
            json.extend_from_slice(b"unserializable");
        }
        hash.update(&json);
    }
    hash.finalize().into()
}

/// A value of a template's input, of any type: hashed as it is, and turned into Tera's
/// values only when the template renders.
pub trait Part {
    fn write_json(&self, w: &mut Vec<u8>) -> serde_json::Result<()>;
    fn insert(&self, ctx: &mut tera::Context, key: &str);
}

impl<T: serde::Serialize + ?Sized> Part for T {
    fn write_json(&self, w: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(w, self)
    }
    fn insert(&self, ctx: &mut tera::Context, key: &str) {
        ctx.insert(key, self);
    }
}

/// Named parts of a page's input that are converted for Tera only when it renders.
pub type Lazy<'v> = [(&'v str, &'v dyn Part)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_renders_again_only_when_its_input_changes() {
        let memo = Memo::default();
        let renders = std::cell::Cell::new(0);
        let at = |input: &str| {
            let d = digest("t.html", &[&input]);
            let html = memo.get_or_render("page.html".into(), d, || {
                renders.set(renders.get() + 1);
                Ok(format!("<p>{input}</p>"))
            });
            html.unwrap().to_string()
        };
        assert_eq!(at("a"), "<p>a</p>");
        assert_eq!(at("a"), "<p>a</p>");
        assert_eq!(renders.get(), 1);
        assert_eq!(at("b"), "<p>b</p>");
        assert_eq!(at("a"), "<p>a</p>");
        assert_eq!(renders.get(), 3);
    }

    #[test]
    fn the_template_and_every_part_count() {
        let one = digest("a.html", &[&"x", &1]);
        assert_ne!(one, digest("b.html", &[&"x", &1]));
        assert_ne!(one, digest("a.html", &[&"x", &2]));
        // The parts are kept apart: "ab","c" is not "a","bc".
        assert_ne!(digest("t", &[&"ab", &"c"]), digest("t", &[&"a", &"bc"]));
    }
}
