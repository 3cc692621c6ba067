//! Search in `serve`: an edit rewrites only the search shards it changes (the key is fixed
//! for the session, so an unchanged shard keeps its bytes), what a reader finds follows the
//! edit, and each session seals its shards with its own key while `build` stays
//! deterministic.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{get, Handbook};
use ismsbook::render::search::read_back;
use ismsbook::site::{History, Options, Site, Update};

#[path = "serve/support.rs"]
mod support;

const DOCS: usize = 60;

fn options() -> Options {
    Options {
        history: History::Revisions,
        search_key: Some([42; 32]),
        ..Options::new(common::TODAY.parse().unwrap())
    }
}

/// Document `i`: words of its own (so that the postings fill several term shards), and
/// `word` in its body.
fn doc(i: usize, word: &str) -> String {
    let own: Vec<String> = (0..150).map(|k| format!("w{i}x{k}")).collect();
    format!(
        "---\nid: POL-{i:03}\ntitle: Policy {i}\ntype: policy\nversion: \"1.0\"\nstatus: draft\n\
         owner: CISO\nclassification: internal\n---\n\n# Policy {i}\n\nThe {word} rule.\n\n{}\n",
        own.join(" ")
    )
}

fn search_meta(page: &str) -> serde_json::Value {
    let start = page.find("id=\"search-meta\">").unwrap() + "id=\"search-meta\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

/// FNV-1a, as the index and search.js place a term in a term shard.
fn term_shard(term: &str, shards: u64) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in term.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("t{}.js", h as u64 % shards)
}

/// Each shard under `search/` with its bytes and modification time.
fn shards(site: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    std::fs::read_dir(site.join("search"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            (name, (std::fs::read(&path).unwrap(), modified))
        })
        .collect()
}

fn finds(site: &Path, word: &str) -> Vec<String> {
    read_back(site)
        .unwrap()
        .iter()
        .filter(|e| e["text"].as_str().unwrap().contains(word))
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_body_edit_rewrites_only_the_shards_it_changes() {
    let hb = Handbook::fixture("_base");
    for i in 1..=DOCS {
        hb.write(&format!("content/policies/p{i:03}.md"), doc(i, "common"));
    }
    hb.write("content/policies/p030.md", doc(30, "zanzibar"));
    let mut site = Site::open(hb.path(), options()).unwrap();
    assert!(!site.has_errors());
    let served = tempfile::tempdir().unwrap();
    site.render_to(served.path()).unwrap();
    let meta = search_meta(&std::fs::read_to_string(served.path().join("search.html")).unwrap());
    let term_shards = meta["terms"].as_u64().unwrap();
    assert!(term_shards >= 3, "the postings fill several term shards");
    let entries = read_back(served.path()).unwrap();
    let at = entries.iter().position(|e| e["id"] == "POL-030").unwrap();
    assert_eq!(finds(served.path(), "zanzibar"), ["POL-030"]);
    let before = shards(served.path());
    std::thread::sleep(std::time::Duration::from_millis(20));

    // One word of one body changes: its document shard and the term shards of the word
    // that went and of the word that came are written, no other.
    hb.write("content/policies/p030.md", doc(30, "quokka"));
    let update = site
        .update(&[PathBuf::from("content/policies/p030.md")])
        .unwrap();
    let Update::Pages(pages) = update else {
        panic!("a body edit updates pages, not {update:?}")
    };
    site.write_pages(served.path(), &pages).unwrap();
    site.write_whole(served.path()).unwrap();
    let after = shards(served.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: BTreeSet<String> = after
        .iter()
        .filter(|(name, (bytes, modified))| {
            let (old_bytes, old_modified) = &before[*name];
            assert_eq!(
                old_bytes == bytes,
                old_modified == modified,
                "{name}: written exactly when its bytes changed"
            );
            old_bytes != bytes
        })
        .map(|(name, _)| name.clone())
        .collect();
    let expected: BTreeSet<String> = [
        format!("d{}.js", at / ismsbook::render::search::DOCS_PER_SHARD),
        term_shard("zanzibar", term_shards),
        term_shard("quokka", term_shards),
    ]
    .into();
    assert_eq!(changed, expected);
    assert_eq!(finds(served.path(), "quokka"), ["POL-030"]);
    assert!(finds(served.path(), "zanzibar").is_empty());

    // And the shards are those of a fresh build with the same key.
    let fresh = tempfile::tempdir().unwrap();
    let mut rebuilt = Site::open(hb.path(), options()).unwrap();
    rebuilt.render_to(fresh.path()).unwrap();
    let fresh_shards = shards(fresh.path());
    for (name, (bytes, _)) in &after {
        assert!(
            &fresh_shards[name].0 == bytes,
            "{name} differs from a fresh build"
        );
    }
    assert_eq!(fresh_shards.len(), after.len());
}

#[test]
fn each_serve_session_has_its_own_key_and_build_has_one_key_for_one_input() {
    let hb = Handbook::fixture("_base");
    let key = |page: &str| search_meta(page)["key"].as_str().unwrap().to_string();
    let first = key(&get(support::serve(&hb, &[]).port, "/search.html").body);
    let second = key(&get(support::serve(&hb, &[]).port, "/search.html").body);
    assert_ne!(first, second, "a new session, a new key");
    hb.build().assert_exit(0);
    let built = key(&hb.read("public/search.html"));
    hb.build().assert_exit(0);
    assert_eq!(built, key(&hb.read("public/search.html")));
    assert_ne!(built, first);
}
