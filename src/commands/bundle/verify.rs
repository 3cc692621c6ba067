//! `verify`: checks a bundle as `unzip` would unpack it. Everything an unzip tool could write
//! is either checked against `SHA256SUMS` or refused: a second entry of the same name (unzip
//! extracts one of them, `unzip -n` the unchecked one), links and device entries, names that
//! leave the folder, local headers that tell another story than the central directory, and
//! entries that grow past a sane size. Contents are hashed as they are read, never held.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::{hex, SUMS};

/// The largest file a bundle may hold, unpacked. A handbook's pages and registers are
/// kilobytes, documents at most 4 MiB, scanned PDFs megabytes: 256 MiB is a zip bomb.
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;
/// The most a whole bundle may unpack to.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
/// The most entries (a 10,000-document handbook's bundle has about 10,200).
pub const MAX_ENTRIES: usize = 250_000;
/// `SHA256SUMS` is read whole: about 100 bytes a file.
const MAX_SUMS_BYTES: u64 = 64 << 20;

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verdict {
    pub verified: usize,
    pub altered: Vec<String>,
    pub missing: Vec<String>,
    pub added: Vec<String>,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.altered.is_empty() && self.missing.is_empty() && self.added.is_empty()
    }
}

fn open(path: &Path) -> Result<BufReader<File>, String> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// Checks every file of the bundle at `path` against its `SHA256SUMS`. `Err` is a refusal:
/// the zip is not one an auditor can safely unpack, whatever its sums say.
pub fn verify(path: &Path) -> Result<Verdict, String> {
    let mut zip = ZipArchive::new(open(path)?).map_err(|e| format!("not a zip file: {e}"))?;
    if zip.has_duplicate_names() {
        // The archive keeps one entry per name: the directory itself says which repeats.
        let name = repeated_name(path, zip.central_directory_start())
            .unwrap_or_else(|| "(a name given twice through a Unicode Path field)".into());
        return Err(format!("refused: entry `{name}` appears twice; unzip would unpack only one of them, maybe not the one checked"));
    }
    if zip.len() > MAX_ENTRIES {
        return Err(format!(
            "refused: {} entries; a bundle holds at most {MAX_ENTRIES}",
            zip.len()
        ));
    }
    inspect(&zip)?;
    let (hashes, sums) = hash_entries(&mut zip)?;
    // No entries overlap (the trick of non-recursive zip bombs) and none hides between them,
    // where a tool that reads local headers in order would find it.
    zip.validate_header_consistency().map_err(|e| {
        format!("refused: the zip's entries disagree with its directory ({e}); another unzip tool would unpack other files than those checked")
    })?;
    compare(&hashes, sums)
}

/// The first name the central directory at `start` lists twice, read from its raw headers
/// (signature, 42 bytes of fields, then name, extra field and comment).
fn repeated_name(path: &Path, start: u64) -> Option<String> {
    let mut file = open(path).ok()?;
    file.seek(std::io::SeekFrom::Start(start)).ok()?;
    let mut seen = HashSet::new();
    let mut header = [0u8; 46];
    while file.read_exact(&mut header).is_ok() && header[..4] == [0x50, 0x4b, 0x01, 0x02] {
        let len = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]) as usize;
        let mut name = vec![0u8; len(28)];
        file.read_exact(&mut name).ok()?;
        let skip = (len(30) + len(32)) as i64;
        file.seek(std::io::SeekFrom::Current(skip)).ok()?;
        if !seen.insert(name.clone()) {
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
    }
    None
}

/// An entry name that could write outside the folder it is unpacked in, or that names one
/// file in two ways (`a//b`, `a/./b`): only plain `/`-separated names are accepted.
pub(super) fn unsafe_name(name: &str, is_dir: bool) -> bool {
    let plain = match is_dir {
        true => name.strip_suffix('/').unwrap_or(name),
        false => name,
    };
    name.contains(['\\', '\0'])
        || plain
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        || plain
            .split('/')
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// The file type bits of Info-ZIP's unix mode (the upper half of the external attributes),
/// read whatever system the entry claims to come from, as unzip does for most of them.
fn kind(external_attributes: u32) -> Option<&'static str> {
    match (external_attributes >> 16) & 0o170000 {
        0 | 0o100000 | 0o040000 => None,
        0o120000 => Some("a symbolic link"),
        0o010000 => Some("a named pipe"),
        0o020000 | 0o060000 => Some("a device file"),
        0o140000 => Some("a socket"),
        _ => Some("of an unknown file type"),
    }
}

/// Pass over the central directory alone: names, types and declared sizes.
fn inspect<R: Read + Seek>(zip: &ZipArchive<R>) -> Result<(), String> {
    let mut seen = HashSet::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_data(i)
            .map_err(|e| format!("unreadable entry {i}: {e}"))?;
        let raw = entry.name_raw();
        let Ok(name) = std::str::from_utf8(raw) else {
            let lossy = String::from_utf8_lossy(raw);
            return Err(format!(
                "refused: entry `{lossy}` has a name that is not UTF-8"
            ));
        };
        if unsafe_name(name, entry.is_dir()) {
            return Err(format!("refused: entry `{name}` would be unpacked outside its folder or under another name (absolute path, `..`, `\\`, empty or `.` part)"));
        }
        if let Some(what) = kind(entry.external_attributes()) {
            return Err(format!("refused: entry `{name}` is {what}, which unzip would create as such; a bundle holds only files and folders"));
        }
        if entry.encrypted() {
            return Err(format!(
                "refused: entry `{name}` is encrypted and cannot be checked"
            ));
        }
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(format!(
                "refused: entry `{name}` unpacks to {} MiB; a bundle's file is at most {} MiB (a zip bomb?)",
                entry.size() >> 20,
                MAX_ENTRY_BYTES >> 20
            ));
        }
        total = total.saturating_add(entry.size());
        if total > MAX_TOTAL_BYTES {
            return Err(format!(
                "refused: the entries up to `{name}` unpack to more than {} MiB, the most a bundle holds (a zip bomb?)",
                MAX_TOTAL_BYTES >> 20
            ));
        }
        // `a` and `a/` are one path once unpacked.
        if !seen.insert(name.trim_end_matches('/').to_string()) {
            return Err(format!("refused: entry `{name}` appears twice; unzip would unpack only one of them, maybe not the one checked"));
        }
    }
    Ok(())
}

/// Entry name -> hex SHA-256 of its contents.
type Hashes = BTreeMap<String, String>;
/// Every `SHA256SUMS` entry: (name, text).
type Sums = Vec<(String, Vec<u8>)>;

/// Pass over the contents: each file's SHA-256, read through a limit so that a header that
/// lies about its size cannot make it grow; and the text of `SHA256SUMS`. Each entry's local
/// header (what streaming unzip tools read) must say what the central directory says.
fn hash_entries<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<(Hashes, Sums), String> {
    let (mut hashes, mut sums) = (Hashes::new(), Vec::new());
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let name = zip
            .name_for_index(i)
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_owned();
        let checked = zip::ZipReadOptions::new().enforce_header_consistency(true);
        let mut entry = zip
            .by_index_with_options(i, checked)
            .map_err(|e| format!("refused: entry `{name}`: {e}"))?;
        if entry.is_dir() {
            continue;
        }
        let declared = entry.size();
        let is_sums = name.rsplit('/').next() == Some(SUMS);
        if is_sums && declared > MAX_SUMS_BYTES {
            return Err(format!("refused: `{name}` is {} MiB", declared >> 20));
        }
        let mut kept = Vec::new();
        let mut hasher = Sha256::new();
        let mut limited = (&mut entry).take(declared.saturating_add(1));
        let mut read: u64 = 0;
        loop {
            let n = limited
                .read(&mut buf)
                .map_err(|e| format!("refused: entry `{name}` cannot be read: {e}"))?;
            if n == 0 {
                break;
            }
            read += n as u64;
            if read > declared {
                return Err(format!("refused: entry `{name}` unpacks to more than the {declared} bytes its header declares"));
            }
            hasher.update(&buf[..n]);
            if is_sums {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        if is_sums {
            sums.push((name.clone(), kept));
        }
        hashes.insert(name, hex(&hasher.finalize()));
    }
    Ok((hashes, sums))
}

/// The verdict: each file listed in `SHA256SUMS` against what the zip holds.
fn compare(hashes: &Hashes, sums: Sums) -> Result<Verdict, String> {
    let [(sums_name, sums)] = <[_; 1]>::try_from(sums)
        .map_err(|_| format!("no single {SUMS} in the zip: this is not an ismsbook bundle"))?;
    let base = sums_name.strip_suffix(SUMS).unwrap_or("").to_string();
    let sums = String::from_utf8_lossy(&sums);
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, path) = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .ok_or_else(|| format!("{SUMS}: unreadable line `{line}`"))?;
        listed.insert(format!("{base}{path}"), hash.to_ascii_lowercase());
    }
    let mut verdict = Verdict::default();
    for (name, hash) in &listed {
        match hashes.get(name) {
            None => verdict.missing.push(name[base.len()..].to_string()),
            Some(actual) if actual != hash => verdict.altered.push(name[base.len()..].to_string()),
            Some(_) => verdict.verified += 1,
        }
    }
    for name in hashes.keys() {
        if !listed.contains_key(name) && *name != sums_name {
            verdict
                .added
                .push(name.strip_prefix(&base).unwrap_or(name).to_string());
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::{kind, unsafe_name};

    #[test]
    fn names_that_escape_or_alias_are_unsafe() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:/x",
            "a\\..\\b",
            "a//b",
            "a/./b",
            "a/",
        ] {
            assert!(unsafe_name(bad, false), "{bad}");
        }
        assert!(!unsafe_name("handbook-v1/documents/POL-001.html", false));
        assert!(!unsafe_name("handbook-v1/documents/", true));
    }

    #[test]
    fn only_files_and_folders_are_kinds_a_bundle_holds() {
        assert_eq!(kind(0o100644 << 16), None);
        assert_eq!(kind(0o040755 << 16), None);
        assert_eq!(kind(0x20), None, "a DOS archive bit");
        assert!(kind(0o120777 << 16).is_some());
        assert!(kind(0o010644 << 16).is_some());
    }
}
