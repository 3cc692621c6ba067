//! `--sign KEYFILE`: the signature of an approval, and adding one to an approval already
//! written. The signer is whoever `allowed_signers` names for the key, so an approval can only
//! be signed with a key the handbook already trusts. `accept` and `approve SoA` sign through
//! [`signature_for`] too.

use std::path::Path;

use super::edit::{get, plain_or_quoted, same, scalar, set};
use super::tree::{self, indent_at, line_end, scalar_end, Kind, Node};
use crate::core::signing::{self, AllowedSigners, Signatures};
use crate::load::model::{Approval, Document, Handbook};
use crate::load::yaml;

/// A signature ready to be written into an approval.
#[derive(Clone, Debug)]
pub struct Signature {
    /// The principal of `allowed_signers` the key belongs to: `jane@example.org`.
    pub signer: String,
    pub armored: String,
    /// `SHA256:…` of the key.
    pub fingerprint: String,
}

impl Signature {
    /// The armoured signature as one double-quoted YAML line (`\n` escapes): a value approve
    /// can place after, and edit, with certainty.
    pub fn yaml(&self) -> String {
        format!("\"{}\"", self.armored.replace('\n', "\\n"))
    }
}

/// Signs the approval `message` with the key at `key`, as the principal that
/// `allowed_signers` lists for it.
pub fn signature_for(hb: &Handbook, key: &Path, message: &str) -> Result<Signature, String> {
    let config = &hb.config;
    if config.signatures == Signatures::Off {
        return Err("signatures are off in ismsbook.toml ([approval] signatures = \"off\"); set it to \"optional\" or \"required\" to sign approvals".into());
    }
    let file = &config.allowed_signers;
    let Some(text) = &hb.allowed_signers else {
        return Err(format!("there is no {file} in the handbook: create it with a line per signer, e.g. `jane@example.org ssh-ed25519 AAAA…` (the signer's public key), then sign"));
    };
    let signed = signing::sign(key, message)?;
    let (allowed, _) = AllowedSigners::parse(text);
    let public = signed.public_key.to_openssh().unwrap_or_default();
    let signer = allowed.principal_of(&signed.public_key).ok_or_else(|| {
        format!(
            "the key {} ({}) is not in {file}: add the line `NAME@EXAMPLE.ORG {public}` for its owner, then sign",
            key.display(),
            signed.fingerprint()
        )
    })?;
    Ok(Signature {
        signer: signer.to_string(),
        fingerprint: signed.fingerprint(),
        armored: signed.armored,
    })
}

/// The message of a document's approval.
pub fn message_of(doc: &Document, a: &Approval) -> String {
    crate::check::signatures::message(doc, a)
}

/// The front matter with approval `index` (of `approvals:`) signed: `signer:` and
/// `signature:` added after its last field (or their values replaced), every other byte
/// unchanged. The result is parsed back and must be the old front matter plus the signature.
pub fn sign_existing(yaml_text: &str, index: usize, sig: &Signature) -> Result<String, String> {
    sign_at(yaml_text, &[Step::Key("approvals"), Step::Item(index)], sig)
}

/// A step down a YAML document to the mapping that is signed.
#[derive(Clone, Copy, Debug)]
pub enum Step<'a> {
    Key(&'a str),
    Item(usize),
}

/// [`sign_existing`] for the mapping at `path` (`R-001`, `acceptance` of risks.yaml; `approvals`,
/// 0 of soa.yaml or of front matter).
pub fn sign_at(yaml_text: &str, path: &[Step<'_>], sig: &Signature) -> Result<String, String> {
    let tree = tree::parse(yaml_text)?.ok_or("the YAML is empty")?;
    if tree.anchors {
        return Err("the YAML uses anchors or aliases".into());
    }
    let Some(
        item @ Node {
            kind: Kind::Map { flow, entries, .. },
            tagged: false,
            ..
        },
    ) = node_at(&tree.root, path)
    else {
        return Err("the approval is not a mapping ismsbook can edit".into());
    };
    let signer = plain_or_quoted(&sig.signer);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut put = |node: Option<(&Node, &Node)>, key: &str, value: &str| match node {
        Some((_, v)) => {
            let end = scalar_end(yaml_text, v).ok_or(format!("`{key}` is not on one line"))?;
            edits.push((v.start, end, value.to_string()));
            Ok::<bool, String>(true)
        }
        None => Ok(false),
    };
    let had_signer = put(item.get("signer"), "signer", &signer)?;
    let had_signature = put(item.get("signature"), "signature", &sig.yaml())?;
    if !(had_signer && had_signature) {
        let (last_key, last_value) = entries.last().ok_or("the approval is empty")?;
        let end = match &last_value.kind {
            Kind::Scalar { .. } => scalar_end(yaml_text, last_value),
            _ => None,
        }
        .ok_or("the approval's last field is not a value on one line")?;
        let mut add = Vec::new();
        if !had_signer {
            add.push(("signer", signer.clone()));
        }
        if !had_signature {
            add.push(("signature", sig.yaml()));
        }
        if *flow {
            let text: String = add.iter().map(|(k, v)| format!(", {k}: {v}")).collect();
            edits.push((end, end, text));
        } else {
            let eol = if yaml_text.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let line_start = yaml_text[..last_key.start].rfind('\n').map_or(0, |i| i + 1);
            let col = yaml_text[line_start..last_key.start].chars().count();
            let pad = " ".repeat(col);
            if indent_at(yaml_text, last_key.start).len() > col {
                return Err("the approval is indented oddly".into());
            }
            let text: String = add
                .iter()
                .map(|(k, v)| format!("{pad}{k}: {v}{eol}"))
                .collect();
            let at = line_end(yaml_text, end);
            edits.push((at, at, text));
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(yaml_text.len() + 600);
    let mut pos = 0;
    for (start, end, text) in edits {
        out.push_str(&yaml_text[pos..start]);
        out.push_str(&text);
        pos = end;
    }
    out.push_str(&yaml_text[pos..]);
    check_signed(yaml_text, &out, path, sig)?;
    Ok(out)
}

/// The node at `path` below `root`.
fn node_at<'t>(root: &'t Node, path: &[Step<'_>]) -> Option<&'t Node> {
    let mut at = root;
    for step in path {
        at = match (step, &at.kind) {
            (Step::Key(k), Kind::Map { .. }) => at.get(k).map(|(_, v)| v)?,
            (Step::Item(i), Kind::Seq { items, .. }) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The edited YAML must be the old one with the signature set on the mapping at `path`.
fn check_signed(old: &str, new: &str, path: &[Step<'_>], sig: &Signature) -> Result<(), String> {
    let unsure = || "ismsbook could not place the signature with certainty".to_string();
    let parse = |t: &str| yaml::parse(t, 1).ok().flatten();
    let (Some(mut expected), Some(got)) = (parse(old), parse(new)) else {
        return Err(unsure());
    };
    let mut item = Some(&mut expected);
    for step in path {
        item = match (step, item) {
            (Step::Key(k), Some(node)) => get(node, k),
            (
                Step::Item(i),
                Some(yaml::Node {
                    value: yaml::Value::Seq(items),
                    ..
                }),
            ) => items.get_mut(*i),
            _ => None,
        };
    }
    let item = item.ok_or_else(unsure)?;
    let quoted = plain_or_quoted(&sig.signer).starts_with('"');
    set(item, "signer", scalar(&sig.signer, quoted));
    set(item, "signature", scalar(&sig.armored, true));
    match same(&expected, &got) {
        true => Ok(()),
        false => Err(unsure()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig() -> Signature {
        Signature {
            signer: "jane@example.org".into(),
            armored: "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
                .into(),
            fingerprint: "SHA256:x".into(),
        }
    }

    #[test]
    fn a_signature_is_added_after_the_approval_touching_nothing_else() {
        let block = "status: approved # c\napprovals:\n  - version: \"1.0\"\n    by: Jane\n    digest: sha256:00 # d\n  - version: \"1.1\"\n    by: Jane\n    date: 2026-01-01\ntags: []\n";
        let out = sign_existing(block, 0, &sig()).unwrap();
        assert_eq!(
            out,
            block.replace(
                "sha256:00 # d\n",
                "sha256:00 # d\n    signer: \"jane@example.org\"\n    signature: \"-----BEGIN SSH SIGNATURE-----\\nU1NIU0lH\\n-----END SSH SIGNATURE-----\\n\"\n"
            )
        );
        let flow = "approvals: [{version: \"1.0\", by: Jane}]\n";
        let out = sign_existing(flow, 0, &sig()).unwrap();
        assert!(out.starts_with("approvals: [{version: \"1.0\", by: Jane, signer: \"jane@example.org\", signature: \"-----BEGIN"));
        // Signed again, the values are replaced in place.
        let again = sign_existing(
            &out,
            0,
            &Signature {
                signer: "bob@example.org".into(),
                ..sig()
            },
        )
        .unwrap();
        assert_eq!(again, out.replace("jane@", "bob@"));
        // One dash-line approval, signed: the keys line up under its first key.
        let one = "approvals:\n- {version: \"1.0\"}\n- version: \"1.1\"\n";
        let out = sign_existing(one, 1, &sig()).unwrap();
        assert!(out.ends_with("- version: \"1.1\"\n  signer: \"jane@example.org\"\n  signature: \"-----BEGIN SSH SIGNATURE-----\\nU1NIU0lH\\n-----END SSH SIGNATURE-----\\n\"\n"), "{out}");
        assert!(sign_existing("approvals:\n  - digest: |\n      x\n", 0, &sig()).is_err());
    }
}
