//! The signed approvals in the auditor's bundle: for each, the exact message signed
//! (`approvals/NAME.msg`) and its armoured signature (`approvals/NAME.sig`), the handbook's
//! `allowed_signers`, and `verify-approvals.sh`, which checks every one with
//! `ssh-keygen -Y verify` and nothing else: the auditor need not trust ismsbook.

use std::collections::BTreeSet;
use std::path::Path;

use crate::check::signatures::Subject;
use crate::core::signing::{Signatures, NAMESPACE};
use crate::site::Site;

/// Writes the files under `dir` (the bundle's folder); returns how many approvals.
pub fn write(p: &Site, dir: &Path) -> Result<usize, String> {
    if p.hb.config.signatures == Signatures::Off {
        return Ok(0);
    }
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {rel}: {e}"))
    };
    let mut names = BTreeSet::new();
    let mut checks = String::new();
    for s in &p.checked.signatures {
        let Some(base) = name_of(p, s.subject) else {
            continue;
        };
        let mut name = base.clone();
        let mut n = 1;
        while !names.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        write(&format!("approvals/{name}.msg"), &s.message)?;
        write(&format!("approvals/{name}.sig"), &s.armored)?;
        checks.push_str(&format!("check {} {}\n", quote(&name), quote(&s.signer)));
    }
    if let Some(allowed) = &p.hb.allowed_signers {
        write("allowed_signers", allowed)?;
    }
    write("verify-approvals.sh", &script(&checks, names.len()))?;
    Ok(names.len())
}

/// The file name (without extension) of a signed approval; `None` for a withheld document's.
fn name_of(p: &Site, subject: Subject) -> Option<String> {
    let name = match subject {
        Subject::Document { document, approval } => {
            let doc = &p.hb.documents[document];
            if p.checked.withheld.id(doc.id_str()) {
                return None;
            }
            let a = &doc.approvals[approval];
            format!(
                "{}-v{}-{}-{}",
                doc.id_str(),
                a.version,
                a.role.value,
                a.date
            )
        }
        Subject::Acceptance { risk } => {
            let r = &p.hb.risks.as_ref()?.risks[risk];
            let a = r.acceptance.as_ref()?;
            format!("{}-acceptance-{}-{}", r.id.value, a.role.value, a.date)
        }
        Subject::Soa { approval } => {
            let a = &p.hb.soa.approvals[approval];
            format!("SoA-v{}-{}-{}", a.version, a.role.value, a.date)
        }
    };
    Some(super::slug(&name))
}

/// A word for `sh`, in single quotes.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn script(checks: &str, count: usize) -> String {
    format!(
        r#"#!/bin/sh
# Verifies every signed approval of this bundle with OpenSSH alone (OpenSSH 8.0 or later):
#   sh verify-approvals.sh
# For each approval it runs
#   ssh-keygen -Y verify -f allowed_signers -I SIGNER -n {NAMESPACE} -s approvals/NAME.sig < approvals/NAME.msg
# approvals/NAME.msg is the exact text the approver signed: subject, version, role, date and
# the SHA-256 digest of what was approved: a document's body (see its page), a risk's
# assessment (version "-": see risks/ID.html) or the SoA's decisions (subject "SoA").
set -u
cd "$(dirname "$0")" || exit 2
command -v ssh-keygen >/dev/null 2>&1 || {{ echo "ssh-keygen not found: install OpenSSH" >&2; exit 2; }}
failed=0
check() {{
  if ssh-keygen -Y verify -f allowed_signers -I "$2" -n {NAMESPACE} -s "approvals/$1.sig" < "approvals/$1.msg" >/dev/null 2>&1; then
    echo "ok      $1 (signed by $2)"
  else
    echo "FAILED  $1 (signed by $2)"
    failed=$((failed + 1))
  fi
}}
{checks}if [ "$failed" -gt 0 ]; then
  echo "$failed of {count} signed approvals do NOT verify"
  exit 1
fi
echo "all {count} signed approvals verify"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signer_is_one_word_for_sh_whatever_it_holds() {
        assert_eq!(quote("jane@example.org"), "'jane@example.org'");
        assert_eq!(quote("o'hara'; rm -rf ~"), "'o'\\''hara'\\''; rm -rf ~'");
        let script = script("check 'A' 'b'\n", 1);
        assert!(script.contains("\ncheck 'A' 'b'\nif [ \"$failed\" -gt 0 ]; then"));
    }
}
