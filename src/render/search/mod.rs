//! The search index: sharded so that its first load stays small at any size, and loaded by
//! `<script>` so that it works from file://. `search.html` holds only what a first load needs
//! (shard counts, the key); `search/t<n>.js` hold the postings of the terms that hash to `n`,
//! `search/d<n>.js` the titles and section texts of [`DOCS_PER_SHARD`] entries, fetched only
//! for the results shown. Each shard is sealed with a key held in search.html (see
//! [`cipher`]): another origin can run the scripts but not read them.

pub mod cipher;
mod tokens;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};
use tera::{Context, Tera};

use super::context::Site;
use super::whole::slot;
use crate::load::config::SearchLanguage;
use tokens::Words;

/// Entries per document shard: a page of results touches at most this many shards' worth.
pub const DOCS_PER_SHARD: usize = 8;
/// About this many bytes of postings per term shard.
const TERM_SHARD_BYTES: usize = 48 * 1024;

/// (entry number, weight) of each entry holding a term, entries ascending.
type Postings = Vec<(u32, u32)>;

/// Entries indexed by one thread at a time: whole document shards.
const PART: usize = DOCS_PER_SHARD * 64;

/// What an entry is made from: a published document or a control (by index).
#[derive(Clone, Copy)]
enum Source {
    Document(usize),
    Control(usize),
}

/// One searchable page: a document or a control.
struct Entry {
    id: String,
    title: String,
    url: String,
    kind: &'static str,
    /// (heading, anchor, text) of each section; the first has no heading.
    sections: Vec<(String, String, String)>,
}

impl<'a> Site<'a> {
    /// `search.html` and its shards under `search/`; returns the number of files written.
    pub(in crate::render) fn write_search(&self, tera: &Tera, out: &Path) -> Result<usize, String> {
        let language = self.hb.config.search_language;
        let key = self.search_key();
        let dir = out.join("search");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // In parts, in parallel: each part's entries fill whole document shards.
        let sources: Vec<Source> = self
            .published()
            .map(|(i, _)| Source::Document(i))
            .chain((0..self.controls().len()).map(Source::Control))
            .collect();
        let count = sources.len();
        let parts: Vec<(usize, &[Source])> = sources
            .chunks(PART)
            .enumerate()
            .map(|(n, c)| (n * PART, c))
            .collect();
        let done = crate::core::parallel::map(&parts, |&(first, part)| {
            self.index_part(language, &key, &dir, first, part)
        });
        let mut postings: BTreeMap<String, Postings> = BTreeMap::new();
        for part in done {
            for (term, list) in part? {
                postings.entry(term).or_default().extend(list);
            }
        }
        let doc_shards = count.div_ceil(DOCS_PER_SHARD);
        let term_shards = write_terms(&dir, &key, postings)?;
        let meta = serde_json::json!({
            "key": hex(&key), "terms": term_shards, "docs": doc_shards, "per": DOCS_PER_SHARD,
            "count": count, "language": match language { SearchLanguage::English => "english", SearchLanguage::None => "none" },
        });
        let mut ctx = Context::new();
        ctx.insert("index", &slot(0));
        let meta = meta.to_string().replace('<', "\\u003c");
        let fill = move |w: &mut dyn Write| -> Result<(), String> {
            w.write_all(meta.as_bytes()).map_err(|e| e.to_string())
        };
        self.write_slotted(
            tera,
            ("search.html", "search.html", ""),
            ctx,
            vec![Box::new(fill)],
            out,
        )?;
        Ok(1 + doc_shards + term_shards as usize)
    }

    /// Writes the document shards of `part` (entries from number `first` on) and returns
    /// its postings: term -> (entry, weight), entries ascending.
    fn index_part(
        &self,
        language: SearchLanguage,
        key: &[u8; 32],
        dir: &Path,
        first: usize,
        part: &[Source],
    ) -> Result<Vec<(String, Postings)>, String> {
        let mut words = Words::new(language);
        let mut postings: Vec<Vec<(u32, u32)>> = Vec::new();
        for (k, chunk) in part.chunks(DOCS_PER_SHARD).enumerate() {
            let mut shard = Vec::with_capacity(chunk.len());
            for (j, &source) in chunk.iter().enumerate() {
                let entry = self.search_entry(source);
                let number = (first + k * DOCS_PER_SHARD + j) as u32;
                for (term, weight) in weights(&mut words, &entry) {
                    if postings.len() <= term as usize {
                        postings.resize_with(term as usize + 1, Vec::new);
                    }
                    postings[term as usize].push((number, weight));
                }
                shard.push(serde_json::json!({
                    "id": entry.id, "title": entry.title, "url": entry.url, "kind": entry.kind,
                    "s": entry.sections,
                }));
            }
            let n = (first + k * DOCS_PER_SHARD) / DOCS_PER_SHARD;
            write_shard(dir, key, 'd', n, &serde_json::Value::from(shard))?;
        }
        Ok(words.terms.into_iter().zip(postings).collect())
    }

    /// The key of this build's shards: derived from what is indexed (so the same input gives
    /// the same bytes), and so unknown to whoever does not already know the whole handbook.
    fn search_key(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"ismsbook search key 1\0");
        for (_, d) in self.published() {
            for part in [d.id_str(), &d.title, &d.digest] {
                h.update(part.as_bytes());
                h.update([0]);
            }
        }
        for c in self.controls() {
            h.update(c.justification.as_bytes());
            h.update([0]);
        }
        h.finalize().into()
    }

    fn search_entry(&self, source: Source) -> Entry {
        match source {
            Source::Document(i) => {
                let d = &self.hb.documents[i];
                Entry {
                    id: d.id_str().to_string(),
                    title: d.title.clone(),
                    url: format!("documents/{}.html", d.id_str()),
                    kind: d.doc_type.as_str(),
                    sections: sections(&d.body.html, &d.body.headings),
                }
            }
            Source::Control(i) => {
                let c = &self.controls()[i];
                Entry {
                    id: c.id.clone(),
                    title: c.title.to_string(),
                    url: format!("controls/{}.html", c.id),
                    kind: "control",
                    sections: vec![(c.theme.to_string(), String::new(), c.justification.clone())],
                }
            }
        }
    }
}

/// Each term of an entry (by number) with its weight: in the id 20, in the title 10, in a
/// heading 4, and one for each time in the text, up to 5.
fn weights(words: &mut Words, e: &Entry) -> HashMap<u32, u32> {
    let mut w: HashMap<u32, u32> = HashMap::new();
    let once = |words: &mut Words, text: &str, weight: u32, w: &mut HashMap<u32, u32>| {
        let mut seen = Vec::new();
        words.each(text, |t| {
            if !seen.contains(&t) {
                seen.push(t);
                *w.entry(t).or_default() += weight;
            }
        });
    };
    once(words, &e.id, 20, &mut w);
    once(words, &e.title, 10, &mut w);
    let mut text: HashMap<u32, u32> = HashMap::new();
    for (heading, _, body) in &e.sections {
        once(words, heading, 4, &mut w);
        words.each(body, |t| *text.entry(t).or_default() += 1);
    }
    for (t, n) in text {
        *w.entry(t).or_default() += n.min(5);
    }
    w
}

/// The body cut at its headings: (heading text, anchor, plain text under it).
fn sections(
    html: &str,
    headings: &[crate::load::markdown::Heading],
) -> Vec<(String, String, String)> {
    let plain = crate::load::markdown::plain_text;
    let starts: Vec<usize> = memchr::memmem::find_iter(html.as_bytes(), "<h")
        .filter(|&at| matches!(html.as_bytes().get(at + 2), Some(b'1'..=b'6')))
        .collect();
    if starts.len() != headings.len() {
        return vec![(String::new(), String::new(), plain(html))];
    }
    let mut out = Vec::with_capacity(starts.len() + 1);
    let first = starts.first().copied().unwrap_or(html.len());
    out.push((String::new(), String::new(), plain(&html[..first])));
    for (k, h) in headings.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(html.len());
        let part = &html[starts[k]..end];
        let after = part
            .find("</h")
            .and_then(|i| part[i..].find('>').map(|j| i + j + 1));
        let text = plain(after.map_or(part, |a| &part[a..]));
        out.push((h.text.clone(), h.anchor.clone(), text));
    }
    out.retain(|(h, _, t)| !h.is_empty() || !t.is_empty());
    out
}

/// The term shards: each a JSON object of term -> [entry, weight, entry, weight, …], each
/// entry as its distance from the one before (mostly small: a common word's list is short).
fn write_terms(
    dir: &Path,
    key: &[u8; 32],
    postings: BTreeMap<String, Postings>,
) -> Result<u32, String> {
    let bytes: usize = postings
        .iter()
        .map(|(t, p)| t.len() + 6 + p.len() * 5)
        .sum();
    let shards = bytes.div_ceil(TERM_SHARD_BYTES).max(1) as u32;
    let mut parts: Vec<serde_json::Map<String, serde_json::Value>> =
        (0..shards).map(|_| serde_json::Map::new()).collect();
    for (term, list) in postings {
        let mut last = 0;
        let flat: Vec<u32> = list
            .into_iter()
            .flat_map(|(d, w)| {
                let delta = d - last;
                last = d;
                [delta, w]
            })
            .collect();
        parts[tokens::shard_of(&term, shards) as usize].insert(term, flat.into());
    }
    for (n, part) in parts.into_iter().enumerate() {
        write_shard(dir, key, 't', n, &serde_json::Value::Object(part))?;
    }
    Ok(shards)
}

/// `search/<kind><n>.js`: a call that hands the sealed JSON to search.js.
fn write_shard(
    dir: &Path,
    key: &[u8; 32],
    kind: char,
    n: usize,
    value: &serde_json::Value,
) -> Result<(), String> {
    let mut data = value.to_string().into_bytes();
    cipher::apply(key, &nonce(kind, n), &mut data);
    let text = format!(
        "ismsbookSearchShard(\"{kind}{n}\",\"{}\");\n",
        crate::core::base64::encode(&data)
    );
    let path = dir.join(format!("{kind}{n}.js"));
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A shard's nonce: its kind and number, never the same twice under one key.
fn nonce(kind: char, n: usize) -> [u8; 12] {
    let mut out = [0u8; 12];
    out[0] = kind as u8;
    out[4..8].copy_from_slice(&(n as u32).to_le_bytes());
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a built site's search data back: every entry with its text, in index order. For
/// tests and tools that check what a reader can find.
pub fn read_back(site: &Path) -> Result<Vec<serde_json::Value>, String> {
    read_back_with(|path| std::fs::read_to_string(site.join(path)).map_err(|e| e.to_string()))
}

/// [`read_back`], each file (by its path in the site) read by `read`: from disk, a server.
pub fn read_back_with(
    read: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<serde_json::Value>, String> {
    let page = read("search.html")?;
    let start = page
        .find("id=\"search-meta\">")
        .ok_or("search.html has no search-meta")?
        + "id=\"search-meta\">".len();
    let end = start + page[start..].find("</script>").ok_or("unterminated")?;
    let meta: serde_json::Value =
        serde_json::from_str(&page[start..end]).map_err(|e| e.to_string())?;
    let key_hex = meta["key"].as_str().ok_or("no key")?;
    let key: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&key_hex[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect();
    let key: [u8; 32] = key.try_into().map_err(|_| "bad key")?;
    let mut out = Vec::new();
    for n in 0..meta["docs"].as_u64().unwrap_or(0) as usize {
        let text = read(&format!("search/d{n}.js"))?;
        let b64 = text.split('"').nth(3).ok_or("bad shard")?;
        let mut data = crate::core::base64::decode(b64);
        cipher::apply(&key, &nonce('d', n), &mut data);
        let v: serde_json::Value = serde_json::from_slice(&data).map_err(|e| e.to_string())?;
        for mut e in v.as_array().cloned().unwrap_or_default() {
            let text: Vec<String> = e["s"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    format!(
                        "{} {}",
                        s[0].as_str().unwrap_or(""),
                        s[2].as_str().unwrap_or("")
                    )
                })
                .collect();
            e["text"] = text.join(" ").into();
            out.push(e);
        }
    }
    Ok(out)
}
