//! OpenSSH's `allowed_signers` format (ssh-keygen(1), "ALLOWED SIGNERS"): one line per key,
//! `principals [options] keytype base64-key [comment]`; principals are comma-separated
//! patterns (`*`, `?`, `!` to negate); options `namespaces="…"`, `valid-after="…"`,
//! `valid-before="…"` and `cert-authority`.

use ssh_key::PublicKey;

use super::NAMESPACE;

/// One line of the file.
#[derive(Clone, Debug)]
pub struct Entry {
    pub line: u32,
    pub principals: Vec<String>,
    pub key: PublicKey,
    namespaces: Option<Vec<String>>,
    valid_after: Option<String>,
    valid_before: Option<String>,
    /// A CA key: ismsbook does not verify certificates, so such a line never matches.
    cert_authority: bool,
}

#[derive(Clone, Debug, Default)]
pub struct AllowedSigners {
    pub entries: Vec<Entry>,
}

impl AllowedSigners {
    /// The entries read, and (line, problem) for each line that is not one.
    pub fn parse(text: &str) -> (AllowedSigners, Vec<(u32, String)>) {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match entry(line, i as u32 + 1) {
                Ok(e) => entries.push(e),
                Err(why) => problems.push((i as u32 + 1, why)),
            }
        }
        (AllowedSigners { entries }, problems)
    }

    /// The keys allowed to sign approvals as `signer` on `today` (`YYYYMMDD`).
    pub fn keys_for(&self, signer: &str, today: &str) -> Vec<&PublicKey> {
        self.entries
            .iter()
            .filter(|e| !e.cert_authority && principal_matches(&e.principals, signer))
            .filter(|e| {
                e.namespaces
                    .as_ref()
                    .is_none_or(|ns| ns.iter().any(|n| glob(n, NAMESPACE)))
            })
            .filter(|e| e.valid_after.as_deref().is_none_or(|d| day(d) <= today))
            .filter(|e| e.valid_before.as_deref().is_none_or(|d| today < day(d)))
            .map(|e| &e.key)
            .collect()
    }

    /// The first plain (pattern-free) principal listed for `key`: who signs with it.
    pub fn principal_of(&self, key: &PublicKey) -> Option<&str> {
        self.entries
            .iter()
            .filter(|e| !e.cert_authority && e.key.key_data() == key.key_data())
            .flat_map(|e| &e.principals)
            .map(String::as_str)
            .find(|p| !p.contains(['*', '?', '!']))
    }
}

/// The date part of an OpenSSH time (`YYYYMMDD[HHMM[SS]][Z]`).
fn day(time: &str) -> &str {
    time.get(..8).unwrap_or(time)
}

/// Splits at spaces outside double quotes.
fn fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (None, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
                continue;
            }
            _ => {}
        }
        start.get_or_insert(i);
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

fn is_key_type(s: &str) -> bool {
    s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-")
}

fn entry(line: &str, number: u32) -> Result<Entry, String> {
    let f = fields(line);
    let principals: Vec<String> = f
        .first()
        .map(|p| p.trim_matches('"').split(',').map(String::from).collect())
        .unwrap_or_default();
    let (options, rest) = match f.get(1) {
        Some(t) if !is_key_type(t) => (Some(*t), &f[2.min(f.len())..]),
        _ => (None, &f[1.min(f.len())..]),
    };
    let [kind, data, ..] = rest else {
        return Err("expected `principals [options] keytype key`, e.g. `jane@example.org ssh-ed25519 AAAA…`".into());
    };
    let key = PublicKey::from_openssh(&format!("{kind} {data}"))
        .map_err(|e| format!("not a public key ({e})"))?;
    let mut e = Entry {
        line: number,
        principals,
        key,
        namespaces: None,
        valid_after: None,
        valid_before: None,
        cert_authority: false,
    };
    for option in options.map(split_options).unwrap_or_default() {
        let (name, value) = option.split_once('=').unwrap_or((option, ""));
        let value = value.trim_matches('"').to_string();
        match name.to_ascii_lowercase().as_str() {
            "cert-authority" => e.cert_authority = true,
            "namespaces" => e.namespaces = Some(value.split(',').map(String::from).collect()),
            "valid-after" => e.valid_after = Some(value),
            "valid-before" => e.valid_before = Some(value),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(e)
}

/// Splits options at commas outside double quotes.
fn split_options(options: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in options.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&options[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&options[start..]);
    out
}

/// OpenSSH's pattern lists: a negated pattern that matches wins over any other.
fn principal_matches(patterns: &[String], name: &str) -> bool {
    let mut matched = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) if glob(neg, name) => return false,
            Some(_) => {}
            None => matched |= glob(p, name),
        }
    }
    matched
}

/// `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB5l5x3uOhmXuu58Jgiy1K2aGTUSPXa2JW2qYPt55VHJ";

    #[test]
    fn options_patterns_and_namespaces_decide_which_keys_count() {
        let text = format!(
            "# signers\njane@example.org {KEY} laptop\n*@example.org,!eve@example.org namespaces=\"git,ismsbook-approval\" {KEY}\nbob@other.org namespaces=\"git\" {KEY}\nold@other.org valid-before=\"20250101\" {KEY}\nbroken line\n"
        );
        let (a, problems) = AllowedSigners::parse(&text);
        assert_eq!(a.entries.len(), 4);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 6);
        assert_eq!(a.keys_for("jane@example.org", "20260601").len(), 2);
        assert_eq!(a.keys_for("sam@example.org", "20260601").len(), 1);
        assert!(a.keys_for("eve@example.org", "20260601").is_empty());
        assert!(
            a.keys_for("bob@other.org", "20260601").is_empty(),
            "git only"
        );
        assert!(
            a.keys_for("old@other.org", "20260601").is_empty(),
            "expired"
        );
        assert_eq!(a.keys_for("old@other.org", "20241231").len(), 1);
        assert_eq!(a.principal_of(&a.entries[0].key), Some("jane@example.org"));
    }
}
