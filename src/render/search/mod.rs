//! The search index: sharded so that its first load stays small at any size, and loaded by
//! `<script>` so that it works from file://. `search.html` holds only what a first load needs
//! (shard counts, the key); `search/t<n>.js` hold the postings of the terms that hash to `n`,
//! `search/d<n>.js` the titles and section texts of [`DOCS_PER_SHARD`] entries, fetched only
//! for the results shown. Each shard is sealed with a key held in search.html (see
//! [`cipher`]) under a nonce it carries: another origin can run the scripts but not read
//! them. `serve` keeps the index between edits ([`SearchCache`]) and writes only the shards
//! an edit changes.

pub mod cipher;
mod kept;
mod parts;
mod tokens;

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};
use tera::{Context, Tera};

use super::context::Site;
use super::whole::slot;
use crate::load::config::SearchLanguage;
pub use kept::SearchCache;
pub(in crate::render) use parts::Parts;
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

/// An entry as indexed: a digest of its JSON in its document shard (the JSON is made again
/// for a shard written again: keeping it cost 40 MB at 10,000 documents), and the weight of
/// each of its terms (by number, ascending).
struct Indexed {
    digest: [u8; 16],
    weights: Vec<(u32, u32)>,
}

/// The whole index: every entry's shard JSON and the postings of every term.
struct Index {
    words: Words,
    /// By term number.
    postings: Vec<Postings>,
    /// Kept only for [`SearchCache`].
    entries: Vec<Indexed>,
    term_shards: u32,
}

/// A part's terms, their postings and, when kept, its entries.
type PartIndex = (Words, Vec<Postings>, Vec<Indexed>);

/// What the shards are sealed with and written to.
struct Shards<'p> {
    key: [u8; 32],
    dir: &'p Path,
}

impl<'a> Site<'a> {
    /// `search.html` and its shards under `search/`; returns the number of files written.
    /// With a [`SearchCache`] (serve), only the shards an edit changed are written.
    pub(in crate::render) fn write_search(&self, tera: &Tera, out: &Path) -> Result<usize, String> {
        let language = self.hb.config.search_language;
        let dir = out.join("search");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let shards = Shards {
            key: self.search_parts.key(self),
            dir: &dir,
        };
        let sources = self.search_sources();
        let count = sources.len();
        let (term_shards, written) = match self.search_cache {
            Some(cache) => cache.write(self, &shards, &sources)?,
            // A build indexed its parts among the pages (see `parts`).
            None if self.bodies.is_some() => {
                let index = self.merge(&shards, self.search_parts.take())?;
                (index.term_shards, index.term_shards as usize)
            }
            None => {
                let index = self.index_all(&shards, &sources, false)?;
                let docs = count.div_ceil(DOCS_PER_SHARD);
                (index.term_shards, docs + index.term_shards as usize)
            }
        };
        let meta = serde_json::json!({
            "key": hex(&shards.key), "terms": term_shards, "docs": count.div_ceil(DOCS_PER_SHARD), "per": DOCS_PER_SHARD,
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
        Ok(1 + written)
    }

    /// The entries, in index order: the published documents, then the controls.
    fn search_sources(&self) -> Vec<Source> {
        self.published()
            .map(|(i, _)| Source::Document(i))
            .chain((0..self.controls().len()).map(Source::Control))
            .collect()
    }

    /// Indexes every entry and writes every shard; keeps each entry's JSON and weights when
    /// `keep`.
    fn index_all(
        &self,
        shards: &Shards<'_>,
        sources: &[Source],
        keep: bool,
    ) -> Result<Index, String> {
        let language = self.hb.config.search_language;
        // In parts, in parallel: each part's entries fill whole document shards.
        let parts: Vec<(usize, &[Source])> = sources
            .chunks(PART)
            .enumerate()
            .map(|(n, c)| (n * PART, c))
            .collect();
        let done = crate::core::parallel::map(&parts, |&(first, part)| {
            self.index_part(language, shards, first, part, keep)
        });
        self.merge(shards, done)
    }

    /// The index of all `done` parts, in order; writes its term shards.
    fn merge(
        &self,
        shards: &Shards<'_>,
        done: Vec<Result<PartIndex, String>>,
    ) -> Result<Index, String> {
        let language = self.hb.config.search_language;
        // Each part numbered its own terms: one numbering for the whole index.
        let mut index = Index {
            words: Words::new(language),
            postings: Vec::new(),
            entries: Vec::new(),
            term_shards: 0,
        };
        for part in done {
            let (words, postings, entries) = part?;
            let numbers: Vec<u32> = words.terms.iter().map(|t| index.words.number(t)).collect();
            index
                .postings
                .resize_with(index.words.terms.len(), Vec::new);
            for (local, list) in postings.into_iter().enumerate() {
                index.postings[numbers[local] as usize].extend(list);
            }
            for mut e in entries {
                for (term, _) in &mut e.weights {
                    *term = numbers[*term as usize];
                }
                e.weights.sort_unstable();
                index.entries.push(e);
            }
        }
        index.term_shards = term_shard_count(&index.words.terms, &index.postings);
        write_terms(shards, &index, None)?;
        Ok(index)
    }

    /// Writes the document shards of `part` (entries from number `first` on) and returns
    /// its terms, their postings (entries ascending) and, when `keep`, its entries.
    fn index_part(
        &self,
        language: SearchLanguage,
        shards: &Shards<'_>,
        first: usize,
        part: &[Source],
        keep: bool,
    ) -> Result<PartIndex, String> {
        let mut words = Words::new(language);
        let mut postings: Vec<Postings> = Vec::new();
        let mut kept = Vec::new();
        for (k, chunk) in part.chunks(DOCS_PER_SHARD).enumerate() {
            let mut shard = Vec::with_capacity(chunk.len());
            for (j, &source) in chunk.iter().enumerate() {
                let entry = self.search_entry(source)?;
                let number = (first + k * DOCS_PER_SHARD + j) as u32;
                let weights = weights(&mut words, &entry);
                for &(term, weight) in &weights {
                    if postings.len() <= term as usize {
                        postings.resize_with(term as usize + 1, Vec::new);
                    }
                    postings[term as usize].push((number, weight));
                }
                let json = entry_json(&entry);
                if keep {
                    kept.push(Indexed {
                        digest: json_digest(&json),
                        weights,
                    });
                }
                shard.push(json);
            }
            let n = (first + k * DOCS_PER_SHARD) / DOCS_PER_SHARD;
            write_shard(shards, 'd', n, &doc_shard(&shard))?;
        }
        postings.resize_with(words.terms.len(), Vec::new);
        Ok((words, postings, kept))
    }

    /// The key of this build's shards: the options' (serve's, one per session), or else
    /// derived from what is indexed (so the same input gives the same bytes), and so unknown
    /// to whoever does not already know the whole handbook.
    fn search_key(&self) -> [u8; 32] {
        if let Some(key) = self.opts.search_key {
            return key;
        }
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

    fn search_entry(&self, source: Source) -> Result<Entry, String> {
        Ok(match source {
            Source::Document(i) => {
                let d = &self.hb.documents[i];
                Entry {
                    id: d.id_str().to_string(),
                    title: d.title.clone(),
                    url: format!("documents/{}.html", d.id_str()),
                    kind: d.doc_type.as_str(),
                    sections: self.with_body(i, |html| sections(html, &d.body.headings))?,
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
        })
    }
}

/// Each term of an entry (by number, ascending) with its weight: in the id 20, in the title
/// 10, in a heading 4, and one for each time in the text, up to 5. Sorted lists, not maps:
/// an entry has a few hundred words.
fn weights(words: &mut Words, e: &Entry) -> Vec<(u32, u32)> {
    let mut w: Vec<(u32, u32)> = Vec::new();
    let once = |words: &mut Words, text: &str, weight: u32, w: &mut Vec<(u32, u32)>| {
        let mut terms = Vec::new();
        words.each(text, |t| terms.push(t));
        terms.sort_unstable();
        terms.dedup();
        w.extend(terms.into_iter().map(|t| (t, weight)));
    };
    once(words, &e.id, 20, &mut w);
    once(words, &e.title, 10, &mut w);
    let mut text: Vec<u32> = Vec::new();
    for (heading, _, body) in &e.sections {
        once(words, heading, 4, &mut w);
        words.each(body, |t| text.push(t));
    }
    text.sort_unstable();
    for run in text.chunk_by(|a, b| a == b) {
        w.push((run[0], (run.len() as u32).min(5)));
    }
    w.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(w.len());
    for (t, weight) in w {
        match out.last_mut() {
            Some((last, sum)) if *last == t => *sum += weight,
            _ => out.push((t, weight)),
        }
    }
    out
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

/// An entry's JSON in its document shard: its fields borrowed, keys in the sorted order
/// of a `serde_json` object (a `json!` value copied every section's text first).
fn entry_json(e: &Entry) -> String {
    #[derive(serde::Serialize)]
    struct Json<'e> {
        id: &'e str,
        kind: &'e str,
        s: &'e [(String, String, String)],
        title: &'e str,
        url: &'e str,
    }
    let json = Json {
        id: &e.id,
        kind: e.kind,
        s: &e.sections,
        title: &e.title,
        url: &e.url,
    };
    serde_json::to_string(&json).unwrap_or_default()
}

fn json_digest(json: &str) -> [u8; 16] {
    let digest = Sha256::digest(json.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// A document shard: the JSON array of its entries.
fn doc_shard<S: AsRef<str>>(entries: &[S]) -> String {
    let mut out =
        String::with_capacity(2 + entries.iter().map(|e| e.as_ref().len() + 1).sum::<usize>());
    out.push('[');
    for (k, e) in entries.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(e.as_ref());
    }
    out.push(']');
    out
}

/// How many term shards hold the postings: about [`TERM_SHARD_BYTES`] each.
fn term_shard_count(terms: &[String], postings: &[Postings]) -> u32 {
    let bytes: usize = terms
        .iter()
        .zip(postings)
        .filter(|(_, p)| !p.is_empty())
        .map(|(t, p)| t.len() + 6 + p.len() * 5)
        .sum();
    bytes.div_ceil(TERM_SHARD_BYTES).max(1) as u32
}

/// Writes the term shards of `index` (those numbered in `only`, or all), in parallel; returns
/// how many. Each is a JSON object of term -> [entry, weight, entry, weight, …], terms in
/// order, each entry as its distance from the one before (mostly small: a common word's list
/// is short).
fn write_terms(
    shards: &Shards<'_>,
    index: &Index,
    only: Option<&std::collections::BTreeSet<u32>>,
) -> Result<usize, String> {
    let wanted = |n: u32| only.is_none_or(|o| o.contains(&n));
    let mut parts: Vec<(u32, Vec<u32>)> = (0..index.term_shards).map(|n| (n, Vec::new())).collect();
    let terms = &index.words.terms;
    for (t, term) in terms.iter().enumerate() {
        if index.postings[t].is_empty() {
            continue;
        }
        let n = tokens::shard_of(term, index.term_shards);
        if wanted(n) {
            parts[n as usize].1.push(t as u32);
        }
    }
    parts.retain(|(n, _)| wanted(*n));
    let written = crate::core::parallel::map(&parts, |(n, members)| {
        let mut members = members.clone();
        members.sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
        // Written out directly, in the order a JSON object of sorted keys has: a shard's
        // postings as JSON values would take about eight times their size at once.
        use std::fmt::Write as _;
        let mut json = String::from("{");
        for (k, t) in members.into_iter().enumerate() {
            if k > 0 {
                json.push(',');
            }
            json.push_str(&serde_json::Value::from(terms[t as usize].as_str()).to_string());
            json.push_str(":[");
            let mut last = 0;
            for (j, &(d, w)) in index.postings[t as usize].iter().enumerate() {
                if j > 0 {
                    json.push(',');
                }
                let _ = write!(json, "{},{w}", d - last);
                last = d;
            }
            json.push(']');
        }
        json.push('}');
        write_shard(shards, 't', *n as usize, &json)
    });
    written.into_iter().collect::<Result<Vec<()>, String>>()?;
    Ok(parts.len())
}

/// `search/<kind><n>.js`: a call that hands the sealed JSON, after its nonce, to search.js.
fn write_shard(shards: &Shards<'_>, kind: char, n: usize, json: &str) -> Result<(), String> {
    let nonce = nonce(&shards.key, kind, n, json.as_bytes());
    let mut data = Vec::with_capacity(nonce.len() + json.len());
    data.extend_from_slice(&nonce);
    data.extend_from_slice(json.as_bytes());
    cipher::apply(&shards.key, &nonce, &mut data[nonce.len()..]);
    let mut text = format!("ismsbookSearchShard(\"{kind}{n}\",\"").into_bytes();
    crate::core::base64::encode_into(&data, &mut text);
    text.extend_from_slice(b"\");\n");
    let path = shards.dir.join(format!("{kind}{n}.js"));
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A shard's nonce: a keyed hash of the shard's name and text. Never the same for two texts
/// under one key, which a key kept for a whole `serve` session needs: a shard rewritten
/// under the nonce of its old text would let anyone holding both versions (any origin can
/// run the scripts) XOR them into the XOR of the two texts. The same text gets the same
/// nonce, so output stays deterministic and an unchanged shard keeps its bytes.
fn nonce(key: &[u8; 32], kind: char, n: usize, text: &[u8]) -> [u8; 12] {
    let mut h = Sha256::new();
    h.update(b"ismsbook shard nonce 1\0");
    h.update(key);
    h.update([kind as u8]);
    h.update((n as u64).to_le_bytes());
    h.update(text);
    let digest = h.finalize();
    let mut out = [0u8; 12];
    out.copy_from_slice(&digest[..12]);
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
        let data = crate::core::base64::decode(b64);
        if data.len() < 12 {
            return Err(format!("search/d{n}.js is too short"));
        }
        let (nonce, sealed) = data.split_at(12);
        let mut data = sealed.to_vec();
        cipher::apply(&key, nonce.try_into().map_err(|_| "bad nonce")?, &mut data);
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
