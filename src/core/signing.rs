//! Signed approvals: the message an approval signs, signing it with an SSH key, and verifying
//! it against an OpenSSH `allowed_signers` file, all as `ssh-keygen -Y sign` / `-Y verify`
//! would, so an auditor can check every approval with the standard tool alone.
//!
//! Keys are read in-process when they can be (an unencrypted Ed25519 key). A key protected
//! by a passphrase, or one only `ssh-agent` holds (pass its `.pub` file), is handed to
//! `ssh-keygen -Y sign`, which asks for the passphrase or talks to the agent; its signature is
//! then verified here before it is written anywhere.

mod allowed;

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

pub use allowed::{AllowedSigners, Entry};

/// The SSHSIG namespace of every approval: a signature made for git or for files never
/// passes as an approval, nor the other way round.
pub const NAMESPACE: &str = "ismsbook-approval";

/// `[approval] signatures`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signatures {
    /// Signatures are not checked at all.
    Off,
    /// Signatures present are verified; unsigned approvals count.
    Optional,
    /// Every approval of a current version must carry a valid signature.
    Required,
}

impl FromStr for Signatures {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "off" => Ok(Signatures::Off),
            "optional" => Ok(Signatures::Optional),
            "required" => Ok(Signatures::Required),
            _ => Err(format!(
                "`{s}` is not one of \"off\", \"optional\", \"required\""
            )),
        }
    }
}

/// The exact text an approval signs (DESIGN.md, "Signed approvals"): one field a line, LF
/// line ends, a final LF. `subject` is a document id, a risk id or `SoA`.
pub fn approval_message(
    subject: &str,
    version: impl fmt::Display,
    role: &str,
    date: impl fmt::Display,
    digest: &str,
) -> String {
    format!(
        "ismsbook approval\nsubject: {subject}\nversion: {version}\nrole: {role}\ndate: {date}\ndigest: {digest}\n"
    )
}

/// A signature made by [`sign`].
#[derive(Clone, Debug)]
pub struct Signed {
    /// `-----BEGIN SSH SIGNATURE-----` … with LF line ends, as `ssh-keygen` writes it.
    pub armored: String,
    pub public_key: PublicKey,
}

impl Signed {
    pub fn fingerprint(&self) -> String {
        self.public_key.fingerprint(HashAlg::Sha256).to_string()
    }
}

/// Signs `message` with the key at `key_path`: a private key file, or the `.pub` of a key
/// held by `ssh-agent`. The signature is verified against the key before it is returned.
pub fn sign(key_path: &Path, message: &str) -> Result<Signed, String> {
    let text = std::fs::read_to_string(key_path)
        .map_err(|e| format!("cannot read the key {}: {e}", key_path.display()))?;
    let shown = key_path.display();
    let (public_key, in_process) = if text.contains("PRIVATE KEY-----") {
        let key = PrivateKey::from_openssh(&text).map_err(|e| {
            format!("{shown} is not an OpenSSH private key ({e}); convert it with `ssh-keygen -p -f {shown}` or create one with `ssh-keygen -t ed25519`")
        })?;
        let public = key.public_key().clone();
        (public, (!key.is_encrypted()).then_some(key))
    } else {
        let public = PublicKey::from_openssh(text.trim()).map_err(|e| {
            format!("{shown} is neither an OpenSSH private key nor a public key ({e})")
        })?;
        (public, None)
    };
    if public_key.algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(format!(
            "{shown} is an {} key; ismsbook signs and verifies Ed25519 keys: make one with `ssh-keygen -t ed25519` and list its public half in allowed_signers",
            public_key.algorithm()
        ));
    }
    let armored = match in_process {
        Some(key) => key
            .sign(NAMESPACE, HashAlg::Sha512, message.as_bytes())
            .and_then(|sig| sig.to_pem(LineEnding::LF))
            .map_err(|e| format!("cannot sign with {shown}: {e}"))?,
        None => sign_with_ssh_keygen(key_path, message)?,
    };
    let sig =
        SshSig::from_pem(&armored).map_err(|e| format!("ssh-keygen wrote no signature: {e}"))?;
    public_key
        .verify(NAMESPACE, message.as_bytes(), &sig)
        .map_err(|e| format!("the signature made with {shown} does not verify: {e}"))?;
    Ok(Signed {
        armored,
        public_key,
    })
}

/// `ssh-keygen -Y sign` over standard input: it asks for a passphrase on the terminal, or
/// uses the agent when `key_path` is a public key.
fn sign_with_ssh_keygen(key_path: &Path, message: &str) -> Result<String, String> {
    let mut child = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            format!("the key {} is protected by a passphrase or held by ssh-agent, and ssh-keygen (OpenSSH 8.0 or later) cannot be run to use it: {e}; install openssh-client, or sign with an unencrypted key file", key_path.display())
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(message.as_bytes())
            .map_err(|e| format!("ssh-keygen: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("ssh-keygen: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "ssh-keygen -Y sign failed ({}): check the passphrase, or that ssh-agent holds the key of {} (`ssh-add -l`)",
            out.status,
            key_path.display()
        ));
    }
    let armored =
        String::from_utf8(out.stdout).map_err(|_| "ssh-keygen wrote no text".to_string())?;
    Ok(armored.replace("\r\n", "\n"))
}

/// What verifying one approval's signature found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by `signer` with the key of this fingerprint (`SHA256:…`), which
    /// `allowed_signers` lists for them.
    Valid { fingerprint: String },
    /// Why it does not verify; `fingerprint` when the signature could be read.
    Invalid {
        reason: String,
        fingerprint: Option<String>,
    },
}

/// The fingerprint (`SHA256:…`) of the key that made an armoured signature, if it is one.
pub fn fingerprint(armored: &str) -> Option<String> {
    let sig = SshSig::from_pem(armored).ok()?;
    Some(sig.public_key().fingerprint(HashAlg::Sha256).to_string())
}

/// Verifies an armoured signature of `message` by `signer`, as
/// `ssh-keygen -Y verify -f allowed_signers -I signer -n ismsbook-approval` would.
/// `today` (`YYYYMMDD`) is held against the `valid-after` and `valid-before` options.
pub fn verify(
    allowed: &AllowedSigners,
    signer: &str,
    message: &str,
    armored: &str,
    today: &str,
) -> Verdict {
    let invalid = |reason: String, fingerprint: Option<String>| Verdict::Invalid {
        reason,
        fingerprint,
    };
    let sig = match SshSig::from_pem(armored) {
        Ok(sig) => sig,
        Err(e) => return invalid(format!("the signature is not an SSH signature ({e})"), None),
    };
    let fp = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    if sig.namespace() != NAMESPACE {
        return invalid(
            format!(
                "the signature is for namespace `{}`, not `{NAMESPACE}`",
                sig.namespace()
            ),
            Some(fp),
        );
    }
    let keys = allowed.keys_for(signer, today);
    if keys.is_empty() {
        return invalid(
            format!("allowed_signers lists no key for `{signer}` (valid today, for namespace {NAMESPACE})"),
            Some(fp),
        );
    }
    let Some(key) = keys.iter().find(|k| k.key_data() == sig.public_key()) else {
        return invalid(
            format!(
                "it was made with key {fp}, which allowed_signers does not list for `{signer}`"
            ),
            Some(fp),
        );
    };
    match key.verify(NAMESPACE, message.as_bytes(), &sig) {
        Ok(()) => Verdict::Valid { fingerprint: fp },
        Err(ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. }) => {
            invalid(
                format!(
                    "ismsbook verifies Ed25519 signatures; this one is {}: check it with ssh-keygen -Y verify, or sign with an Ed25519 key",
                    sig.algorithm()
                ),
                Some(fp),
            )
        }
        Err(_) => invalid(
            "the signature does not match this approval: the subject, version, role, date or digest differ from what was signed".into(),
            Some(fp),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id_ed25519");
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&[7; 32]);
        let key = PrivateKey::new(ssh_key::private::KeypairData::Ed25519(pair), "jane").unwrap();
        std::fs::write(&path, key.to_openssh(LineEnding::LF).unwrap().as_bytes()).unwrap();
        (dir, path)
    }

    #[test]
    fn the_message_is_the_designs() {
        assert_eq!(
            approval_message("POL-001", "1.2", "CEO", "2026-01-12", "sha256:ab"),
            "ismsbook approval\nsubject: POL-001\nversion: 1.2\nrole: CEO\ndate: 2026-01-12\ndigest: sha256:ab\n"
        );
    }

    #[test]
    fn a_signature_verifies_for_its_signer_and_message_only() {
        let (_dir, path) = key_file();
        let msg = approval_message("POL-001", "1.2", "CEO", "2026-01-12", "sha256:ab");
        let signed = sign(&path, &msg).unwrap();
        assert!(signed
            .armored
            .starts_with("-----BEGIN SSH SIGNATURE-----\n"));
        let line = format!(
            "jane@example.org {}\n",
            signed.public_key.to_openssh().unwrap()
        );
        let (allowed, problems) = AllowedSigners::parse(&line);
        assert!(problems.is_empty(), "{problems:?}");
        let ok = verify(
            &allowed,
            "jane@example.org",
            &msg,
            &signed.armored,
            "20260601",
        );
        assert_eq!(
            ok,
            Verdict::Valid {
                fingerprint: signed.fingerprint()
            }
        );
        let other = msg.replace("1.2", "1.3");
        assert!(matches!(
            verify(&allowed, "jane@example.org", &other, &signed.armored, "20260601"),
            Verdict::Invalid { reason, .. } if reason.contains("does not match")
        ));
        assert!(matches!(
            verify(&allowed, "eve@example.org", &msg, &signed.armored, "20260601"),
            Verdict::Invalid { reason, .. } if reason.contains("no key for `eve@example.org`")
        ));
    }
}
