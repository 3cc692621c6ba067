//! Signed approvals: `approve --sign`, the rules approval-signature-invalid and
//! approval-unsigned, and interoperability with OpenSSH's `ssh-keygen -Y`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Handbook;
use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::{LineEnding, PrivateKey};

/// An unencrypted Ed25519 key made from `seed` under `keys/` of the handbook; `principal`
/// is added to `allowed_signers` for it unless empty. Returns the key's path.
fn key(hb: &Handbook, name: &str, seed: u8, principal: &str) -> PathBuf {
    let pair = Ed25519Keypair::from_seed(&[seed; 32]);
    let key = PrivateKey::new(KeypairData::Ed25519(pair), name).unwrap();
    let path = hb.path().join("keys").join(name);
    hb.write(
        &format!("keys/{name}"),
        key.to_openssh(LineEnding::LF).unwrap().as_bytes(),
    );
    if !principal.is_empty() {
        let line = format!("{principal} {}\n", key.public_key().to_openssh().unwrap());
        let old = std::fs::read_to_string(hb.path().join("allowed_signers")).unwrap_or_default();
        hb.write("allowed_signers", old + &line);
    }
    path
}

fn approve(hb: &Handbook, by: &str, key: &std::path::Path) -> common::Run {
    hb.run(&[
        "approve",
        "BASE-01",
        "--by",
        by,
        "--role",
        "CEO",
        "--date",
        "2026-01-12",
        "--sign",
        key.to_str().unwrap(),
    ])
}

/// `_base` with its approval signed by Jane's key.
fn signed() -> Handbook {
    let hb = Handbook::fixture("_base");
    let jane = key(&hb, "jane", 1, "jane@example.org");
    approve(&hb, "Jane Doe", &jane).assert_exit(0);
    hb
}

fn set_signatures(hb: &Handbook, mode: &str) {
    let config = hb.read("ismsbook.toml");
    hb.write(
        "ismsbook.toml",
        config.replace(
            "roles = [\"CEO\"]",
            &format!("roles = [\"CEO\"]\nsignatures = \"{mode}\""),
        ),
    );
}

#[test]
fn signing_an_approval_adds_signer_and_signature_and_nothing_else() {
    let before = Handbook::fixture("_base").read("content/baseline.md");
    let hb = signed();
    let after = hb.read("content/baseline.md");
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    assert_eq!(added.len(), 2, "{added:#?}");
    assert_eq!(added[0], "    signer: \"jane@example.org\"");
    assert!(added[1].starts_with("    signature: \"-----BEGIN SSH SIGNATURE-----\\n"));
    assert_eq!(
        after.replace(&format!("{}\n{}\n", added[0], added[1]), ""),
        before
    );
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn a_changed_approval_no_longer_verifies() {
    let hb = signed();
    // The approval now claims another date than the one signed.
    let page = hb.read("content/baseline.md");
    hb.write(
        "content/baseline.md",
        page.replace("date: 2026-01-12", "date: 2026-01-11"),
    );
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/baseline.md:19:16",
        "does not match this approval",
    );
}

#[test]
fn a_key_allowed_signers_does_not_list_for_the_signer_is_refused_or_invalid() {
    let hb = Handbook::fixture("_base");
    key(&hb, "jane", 1, "jane@example.org");
    let eve = key(&hb, "eve", 2, "");
    let out = approve(&hb, "Jane Doe", &eve);
    out.assert_exit(1);
    assert!(
        out.stderr.contains("is not in allowed_signers"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("nothing was changed"));
    assert_eq!(
        hb.read("content/baseline.md"),
        Handbook::fixture("_base").read("content/baseline.md")
    );
    // A signature by Eve's key, claimed as Jane's, does not verify.
    let forged = signed();
    let eve_signed = Handbook::fixture("_base");
    key(&eve_signed, "jane", 2, "jane@example.org");
    approve(
        &eve_signed,
        "Jane Doe",
        &eve_signed.path().join("keys/jane"),
    )
    .assert_exit(0);
    forged.write(
        "content/baseline.md",
        eve_signed.read("content/baseline.md"),
    );
    forged.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/baseline.md:19:16",
        "which allowed_signers does not list for `jane@example.org`",
    );
}

#[test]
fn required_signatures_flag_each_unsigned_current_approval() {
    let hb = Handbook::fixture("_base");
    let jane = key(&hb, "jane", 1, "jane@example.org");
    set_signatures(&hb, "required");
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-unsigned",
        "content/baseline.md:13:12",
        "ismsbook approve BASE-01 --by \"Jane Doe\" --role CEO --sign KEYFILE",
    );
    approve(&hb, "Jane Doe", &jane).assert_exit(0);
    hb.check().assert_exit(0).assert_no_diagnostics();
    // Optional, the unsigned approval counts.
    let optional = Handbook::fixture("_base");
    set_signatures(&optional, "optional");
    optional.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn without_allowed_signers_a_signature_cannot_verify_and_off_reads_none() {
    let hb = signed();
    std::fs::remove_file(hb.path().join("allowed_signers")).unwrap();
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/baseline.md:19:16",
        "create allowed_signers",
    );
    set_signatures(&hb, "off");
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn half_a_signature_and_a_broken_allowed_signers_line_are_reported() {
    let hb = signed();
    let page = hb.read("content/baseline.md");
    hb.write(
        "content/baseline.md",
        page.replace("    signer: \"jane@example.org\"\n", ""),
    );
    hb.write(
        "allowed_signers",
        hb.read("allowed_signers") + "bob@example.org ssh-ed25519 notakey\n",
    );
    hb.check()
        .assert_exit(1)
        .assert_diagnostic(
            "approval-signature-invalid",
            "content/baseline.md:18:16",
            "both `signer:` and `signature:`",
        )
        .assert_diagnostic("config", "allowed_signers:2:1", "not a public key");
}

#[test]
fn a_bad_signatures_setting_is_a_config_error() {
    let hb = Handbook::fixture("_base");
    set_signatures(&hb, "sometimes");
    hb.check().assert_exit(1).assert_diagnostic(
        "config",
        "ismsbook.toml:11:14",
        "\"off\", \"optional\", \"required\"",
    );
}

/// ssh-keygen, which signed approvals must interoperate with; a machine without it fails
/// these tests rather than skip them (`.ci/run` installs openssh-client).
fn ssh_keygen() -> Command {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    assert!(
        found,
        "ssh-keygen not found: install openssh-client (signed approvals are checked against it)"
    );
    Command::new("ssh-keygen")
}

#[test]
fn a_key_held_only_by_ssh_agent_signs_through_its_public_key() {
    let hb = Handbook::fixture("_base");
    let dir = hb.path().join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("agent");
    let made = ssh_keygen()
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "agent", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    let public = std::fs::read_to_string(dir.join("agent.pub")).unwrap();
    hb.write("allowed_signers", format!("ann@example.org {public}"));
    let socket = dir.join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .args(["-D", "-a"])
        .arg(&socket)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ssh-agent (openssh-client)");
    for _ in 0..100 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let added = Command::new("ssh-add")
        .arg("-q")
        .arg(&key)
        .env("SSH_AUTH_SOCK", &socket)
        .status()
        .unwrap();
    std::fs::remove_file(&key).unwrap(); // only the agent has it now
    let out = Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .args([
            "approve",
            "BASE-01",
            "--by",
            "Ann",
            "--role",
            "CEO",
            "--date",
            "2026-02-01",
            "--sign",
        ])
        .arg(dir.join("agent.pub"))
        .arg("--root")
        .arg(hb.path())
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .unwrap();
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(added.success());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(hb
        .read("content/baseline.md")
        .contains("signer: \"ann@example.org\""));
    hb.check().assert_exit(0).assert_no_diagnostics();
}

#[test]
fn the_bundle_lets_an_auditor_verify_every_approval_with_ssh_keygen_alone() {
    let hb = Handbook::fixture("_base");
    std::fs::create_dir_all(hb.path().join("keys")).unwrap();
    let key = hb.path().join("keys/jane");
    let made = ssh_keygen()
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "jane", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    let public = std::fs::read_to_string(hb.path().join("keys/jane.pub")).unwrap();
    hb.write("allowed_signers", format!("jane@example.org {public}"));
    approve(&hb, "Jane Doe", &key).assert_exit(0);
    hb.build().assert_exit(0);
    let page = hb.read("public/documents/BASE-01.html");
    let fingerprint = String::from_utf8(
        ssh_keygen()
            .args(["-l", "-f"])
            .arg(hb.path().join("keys/jane.pub"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let fingerprint = fingerprint.split_whitespace().nth(1).unwrap();
    assert!(
        page.contains(&format!(
            "signed</span> by jane@example.org, key <code>{fingerprint}</code>"
        )),
        "the page names the signer and the key"
    );

    let zip = hb.path().join("bundle.zip");
    hb.run(&[
        "bundle",
        "--today",
        common::TODAY,
        "-o",
        zip.to_str().unwrap(),
    ])
    .assert_exit(0);
    let unpacked = Handbook::empty();
    zip::ZipArchive::new(std::fs::File::open(&zip).unwrap())
        .unwrap()
        .extract(unpacked.path())
        .unwrap();
    let top = std::fs::read_dir(unpacked.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let run = || {
        Command::new("sh")
            .arg(top.join("verify-approvals.sh"))
            .output()
            .unwrap()
    };
    let good = run();
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok      BASE-01-v1.0-CEO-2026-01-12 (signed by jane@example.org)"),
        "{stdout}"
    );
    assert!(stdout.contains("all 1 signed approvals verify"));
    let script = std::fs::read_to_string(top.join("verify-approvals.sh")).unwrap();
    assert!(
        script.contains("ssh-keygen -Y verify -f allowed_signers -I \"$2\" -n ismsbook-approval")
    );
    // The auditor's copy of the message is altered: the approval now claims another version.
    let msg = top.join("approvals/BASE-01-v1.0-CEO-2026-01-12.msg");
    let text = std::fs::read_to_string(&msg).unwrap();
    assert!(text.starts_with("ismsbook approval\nsubject: BASE-01\nversion: 1.0\nrole: CEO\n"));
    std::fs::write(&msg, text.replace("version: 1.0", "version: 1.1")).unwrap();
    let bad = run();
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED  BASE-01-v1.0-CEO-2026-01-12"),
        "{stdout}"
    );
    assert!(stdout.contains("1 of 1 signed approvals do NOT verify"));
}

#[test]
fn sign_approvals_signs_each_current_approval_of_the_approver_once() {
    let hb = Handbook::fixture("_base");
    let jane = key(&hb, "jane", 1, "jane@example.org");
    // Bob approved the same version too; his approval is not Jane's to sign.
    let page = hb.read("content/baseline.md");
    let jane_approval = "  - version: \"1.0\"\n    by: Jane Doe\n";
    hb.write(
        "content/baseline.md",
        page.replace(
            "controls:",
            &format!(
                "{}    role: CEO\n    date: 2026-01-13\n    digest: {}\ncontrols:",
                jane_approval.replace("Jane Doe", "Bob Roe"),
                page.split("digest: ")
                    .nth(1)
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
            ),
        ),
    );
    let sign = || {
        hb.run(&[
            "sign-approvals",
            "--by",
            "Jane Doe",
            "--sign",
            jane.to_str().unwrap(),
        ])
    };
    let out = sign();
    out.assert_exit(0);
    assert!(
        out.stderr.contains("1 approval(s) by Jane Doe signed"),
        "{}",
        out.stderr
    );
    let signed = hb.read("content/baseline.md");
    assert_eq!(signed.matches("signer: \"jane@example.org\"").count(), 1);
    assert!(
        signed.find("signer:").unwrap() < signed.find("Bob Roe").unwrap(),
        "Jane's, not Bob's"
    );
    hb.check().assert_exit(0).assert_no_diagnostics();
    let again = sign();
    again.assert_exit(0);
    assert!(again.stderr.contains("0 approval(s)"), "{}", again.stderr);
    assert_eq!(hb.read("content/baseline.md"), signed);
}

/// The example handbook signs every approval of a current version with its demo keys
/// (examples/keys/). A new approval someone adds unsigned fails this test: sign it with
/// `ismsbook sign-approvals --by NAME --sign examples/keys/demo-...` (examples/keys/README.md).
#[test]
fn every_current_approval_of_the_example_is_signed_and_verifies() {
    let hb = Handbook::example();
    let config = hb.read("ismsbook.toml");
    assert!(config.contains("signatures = \"optional\""));
    hb.write(
        "ismsbook.toml",
        config.replace("signatures = \"optional\"", "signatures = \"required\""),
    );
    hb.run(&[
        "check",
        "--format",
        "json",
        "--today",
        "2026-11-23",
        "--deny-warnings",
    ])
    .assert_exit(0)
    .assert_no_diagnostics();
    hb.run(&["build", "--today", "2026-11-23"]).assert_exit(0);
    let page = hb.read("public/documents/PRO-005.html");
    assert!(
        page.contains("signed</span> by tom.okafor@northwind.example, key <code>SHA256:"),
        "signer and key on the page"
    );
}

#[test]
fn the_document_page_says_when_a_signature_does_not_verify_or_is_not_checked() {
    let hb = signed();
    let page = hb.read("content/baseline.md");
    hb.write(
        "content/baseline.md",
        page.replace("date: 2026-01-12", "date: 2026-01-11"),
    );
    // Off, signatures are not read: the page says so rather than vouch for this one.
    set_signatures(&hb, "off");
    hb.build().assert_exit(0);
    let html = hb.read("public/documents/BASE-01.html");
    assert!(
        html.contains(
            "by jane@example.org <span class=\"muted\">(not checked: signatures are off)</span>"
        ),
        "{html}"
    );
}

#[test]
fn a_key_that_is_not_ed25519_is_refused_with_what_to_do() {
    let hb = Handbook::fixture("_base");
    key(&hb, "jane", 1, "jane@example.org");
    let rsa = ssh_key::PublicKey::from_openssh("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDDlkEi0XHpM0D2AowBULmDxzTBJbFVVeZ4cMOdfCKGrKMzfbTm/HLHNlcM8ClJc/2hLCCcgP3QEz8WVwmH3Rme5Bf2NB5xmbK2bFlzB1RnmtQJ80uCCGmHUY3u2QDfj6HrAd3IXQH5yrdg+RxpdtzZ1Ui3LPXBXuwQrnbFhrQTZw== rsa").unwrap();
    hb.write("keys/rsa.pub", rsa.to_openssh().unwrap());
    let out = approve(&hb, "Jane Doe", &hb.path().join("keys/rsa.pub"));
    out.assert_exit(1);
    assert!(
        out.stderr
            .contains("is an ssh-rsa key; ismsbook signs and verifies Ed25519 keys"),
        "{}",
        out.stderr
    );
}
