//! Signed risk acceptances and SoA approvals: `accept --sign`, `approve SoA --sign`,
//! `sign-approvals` over risks.yaml and soa.yaml, the rules approval-signature-invalid and
//! approval-unsigned over them, their pages, and the bundle's script run with ssh-keygen alone.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Handbook;

const RISKS: &str = "content/risks.yaml";
const SOA: &str = "content/soa.yaml";

/// ssh-keygen, which signed approvals must interoperate with; a machine without it fails
/// these tests rather than skip them (`.ci/run` installs openssh-client).
fn ssh_keygen() -> Command {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    assert!(found, "ssh-keygen not found: install openssh-client");
    Command::new("ssh-keygen")
}

/// A key made by `ssh-keygen -t ed25519` under `keys/`, listed in `allowed_signers` for
/// `principal`. Returns the private key's path.
fn key(hb: &Handbook, name: &str, principal: &str) -> PathBuf {
    std::fs::create_dir_all(hb.path().join("keys")).unwrap();
    let path = hb.path().join("keys").join(name);
    let made = ssh_keygen()
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let public = hb.read(&format!("keys/{name}.pub"));
    let old = std::fs::read_to_string(hb.path().join("allowed_signers")).unwrap_or_default();
    hb.write("allowed_signers", format!("{old}{principal} {public}"));
    path
}

/// The `SHA256:…` fingerprint ssh-keygen gives the key.
fn fingerprint(key: &std::path::Path) -> String {
    let out = ssh_keygen().args(["-l", "-f"]).arg(key).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().nth(1).unwrap().to_string()
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// The `risks` fixture (two risks accepted by Carl Iso, the SoA approved by Jane Doe) with
/// keys for both; returns (handbook, Carl's key, Jane's key).
fn keyed() -> (Handbook, PathBuf, PathBuf) {
    let hb = Handbook::fixture("risks");
    let carl = key(&hb, "carl", "carl@example.org");
    let jane = key(&hb, "jane", "jane@example.org");
    (hb, carl, jane)
}

fn sign_all(hb: &Handbook, carl: &std::path::Path, jane: &std::path::Path) {
    hb.run(&["sign-approvals", "--by", "Carl Iso", "--sign", s(carl)])
        .assert_exit(0);
    hb.run(&["sign-approvals", "--by", "Jane Doe", "--sign", s(jane)])
        .assert_exit(0);
}

/// The lines of `after` that `before` does not have.
fn added(before: &str, after: &str) -> Vec<String> {
    after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .map(String::from)
        .collect()
}

fn set_signatures(hb: &Handbook, mode: &str) {
    let config = hb.read("ismsbook.toml");
    hb.write(
        "ismsbook.toml",
        config.replace(
            "roles = [\"CEO\"]\n\n[risk]",
            &format!("roles = [\"CEO\"]\nsignatures = \"{mode}\"\n\n[risk]"),
        ),
    );
}

#[test]
fn accept_and_approve_soa_sign_and_the_pages_show_signer_and_key() {
    let (hb, carl, jane) = keyed();
    let (risks, soa) = (hb.read(RISKS), hb.read(SOA));
    // Accepting again, with a key, signs the acceptance already there.
    hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-03-05",
        "--sign",
        s(&carl),
    ])
    .assert_exit(0);
    let new = added(&risks, &hb.read(RISKS));
    assert_eq!(new.len(), 2, "{new:#?}");
    assert_eq!(new[0], "    signer: \"carl@example.org\"");
    assert!(new[1].starts_with("    signature: \"-----BEGIN SSH SIGNATURE-----\\n"));
    assert_eq!(
        hb.read(RISKS)
            .replace(&format!("{}\n{}\n", new[0], new[1]), ""),
        risks
    );
    // So does approving the SoA again.
    hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-03-10",
        "--sign",
        s(&jane),
    ])
    .assert_exit(0);
    let new = added(&soa, &hb.read(SOA));
    assert_eq!(new.len(), 2, "{new:#?}");
    assert_eq!(new[0], "    signer: \"jane@example.org\"");
    hb.check().assert_exit(0).assert_no_diagnostics();

    // A new acceptance, signed as it is written.
    let text = hb.read(RISKS);
    let at = text.rfind("  acceptance:").unwrap();
    hb.write(RISKS, &text[..at]);
    hb.run(&[
        "accept",
        "R-002",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-05-01",
        "--sign",
        s(&carl),
    ])
    .assert_exit(0);
    assert!(hb.read(RISKS)[at..].contains("    signer: \"carl@example.org\"\n    signature: \""));
    hb.check().assert_exit(0).assert_no_diagnostics();

    hb.build().assert_exit(0);
    let risk_page = hb.read("public/risks/R-001.html");
    let shown = |who: &str, key: &std::path::Path| {
        format!(
            "signed</span> by {who}, key <code>{}</code>",
            fingerprint(&key.with_extension("pub"))
        )
    };
    assert!(
        risk_page.contains(&shown("carl@example.org", &carl)),
        "the risk page names the signer and the key"
    );
    assert!(hb
        .read("public/soa.html")
        .contains(&shown("jane@example.org", &jane)));
}

#[test]
fn a_changed_assessment_is_stale_and_a_changed_or_swapped_signature_does_not_verify() {
    let (hb, carl, jane) = keyed();
    sign_all(&hb, &carl, &jane);
    hb.check().assert_exit(0).assert_no_diagnostics();
    let signed = hb.read(RISKS);

    // The assessment changes: the acceptance is stale, but it still signs what was accepted.
    hb.write(RISKS, signed.replacen("likelihood: 4", "likelihood: 3", 1));
    hb.check()
        .assert_exit(1)
        .assert_codes(&["acceptance-stale"]);

    // The acceptance claims another date than the one signed.
    hb.write(
        RISKS,
        signed.replacen("date: 2026-03-05", "date: 2026-03-04", 1),
    );
    hb.check()
        .assert_exit(1)
        .assert_codes(&["approval-signature-invalid"])
        .assert_diagnostic(
            "approval-signature-invalid",
            "content/risks.yaml:25:16",
            "does not match this approval",
        );

    // R-002's signature pasted onto R-001's acceptance.
    let sigs: Vec<&str> = signed
        .lines()
        .filter(|l| l.starts_with("    signature: "))
        .collect();
    assert_eq!(sigs.len(), 2);
    hb.write(RISKS, signed.replacen(sigs[0], sigs[1], 1));
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/risks.yaml:25:16",
        "the acceptance of R-001 by Carl Iso (CISO)",
    );
    hb.write(RISKS, &signed);

    // The SoA approval now claims another role than the one signed.
    let soa = hb.read(SOA);
    hb.write(SOA, soa.replace("role: CEO", "role: CISO"));
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/soa.yaml:10:16",
        "the approval of version 1.0 of the SoA by Jane Doe",
    );
    // A signature that is not one.
    let sig = soa.lines().find(|l| l.contains("signature: ")).unwrap();
    hb.write(
        SOA,
        soa.replace(
            sig,
            "    signature: \"-----BEGIN SSH SIGNATURE-----\\nAAAA\\n\"",
        ),
    );
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/soa.yaml:10:16",
        "not an SSH signature",
    );
    // Half a signature.
    hb.write(SOA, soa.replace(sig, ""));
    hb.check().assert_exit(1).assert_diagnostic(
        "approval-signature-invalid",
        "content/soa.yaml:9:13",
        "both `signer:` and `signature:`",
    );
}

#[test]
fn required_signatures_flag_unsigned_acceptances_and_the_soa_approval() {
    let (hb, carl, jane) = keyed();
    set_signatures(&hb, "required");
    // The two acceptances, the SoA's approval and the base document's approval.
    hb.check()
        .assert_exit(1)
        .assert_codes(&["approval-unsigned"; 4])
        .assert_diagnostic(
            "approval-unsigned",
            "content/risks.yaml:19:3",
            "ismsbook sign-approvals --by \"Carl Iso\" --sign KEYFILE",
        )
        .assert_diagnostic(
            "approval-unsigned",
            "content/risks.yaml:33:3",
            "the acceptance of R-002 by Carl Iso (CISO) is not signed",
        )
        .assert_diagnostic(
            "approval-unsigned",
            "content/soa.yaml:4:12",
            "ismsbook approve SoA --by \"Jane Doe\" --role CEO --sign KEYFILE",
        );
    let out = hb.run(&["sign-approvals", "--by", "Carl Iso", "--sign", s(&carl)]);
    out.assert_exit(0);
    assert!(
        out.stderr
            .contains("signed 2 risk acceptance(s) by Carl Iso"),
        "{}",
        out.stderr
    );
    hb.check()
        .assert_exit(1)
        .assert_codes(&["approval-unsigned"; 2]);
    let out = hb.run(&["sign-approvals", "--by", "Jane Doe", "--sign", s(&jane)]);
    assert!(
        out.stderr
            .contains("signed 1 approval(s) of the SoA by Jane Doe"),
        "{}",
        out.stderr
    );
    hb.check().assert_exit(0).assert_no_diagnostics();
    // Everything is signed: signing again changes nothing.
    let before = common::files(hb.path());
    let out = hb.run(&["sign-approvals", "--by", "Carl Iso", "--sign", s(&carl)]);
    assert!(
        out.stderr.contains("0 approval(s) by Carl Iso"),
        "{}",
        out.stderr
    );
    assert_eq!(common::files(hb.path()), before);
}

#[test]
fn sign_approvals_adds_two_lines_to_an_acceptance_and_leaves_a_stale_one_alone() {
    let (hb, carl, _) = keyed();
    // R-001's acceptance has an expiry and a comment written by hand; R-002's is stale.
    let text = hb
        .read(RISKS)
        .replacen(
            "    date: 2026-03-05\n",
            "    date: 2026-03-05\n    expires: 2026-12-31 # board decision\n",
            1,
        )
        .replacen("  likelihood: 2\n", "  likelihood: 3\n", 1);
    hb.write(RISKS, &text);
    hb.check().assert_codes(&["acceptance-stale"]);
    let out = hb.run(&["sign-approvals", "--by", "Carl Iso", "--sign", s(&carl)]);
    out.assert_exit(0);
    assert!(
        out.stderr.contains("signed 1 risk acceptance(s)"),
        "{}",
        out.stderr
    );
    let after = hb.read(RISKS);
    let new = added(&text, &after);
    assert_eq!(new.len(), 2, "{new:#?}");
    assert_eq!(
        after.replace(&format!("{}\n{}\n", new[0], new[1]), ""),
        text,
        "nothing else changes, the stale acceptance included"
    );
    assert!(after.contains("# board decision\n    digest: sha256:22bf"));
    hb.check().assert_codes(&["acceptance-stale"]);
}

#[test]
fn with_signatures_off_accept_will_not_sign() {
    let (hb, carl, _) = keyed();
    set_signatures(&hb, "off");
    let before = hb.read(RISKS);
    let out = hb.run(&[
        "accept",
        "R-001",
        "--by",
        "Carl Iso",
        "--role",
        "CISO",
        "--date",
        "2026-05-01",
        "--sign",
        s(&carl),
    ]);
    out.assert_exit(1);
    assert!(out.stderr.contains("signatures are off"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing was changed"));
    assert_eq!(hb.read(RISKS), before);
}

#[test]
fn the_bundle_verifies_acceptances_and_the_soa_with_ssh_keygen_alone() {
    let (hb, carl, jane) = keyed();
    sign_all(&hb, &carl, &jane);
    let zip = hb.path().join("bundle.zip");
    hb.run(&["bundle", "--today", common::TODAY, "-o", s(&zip)])
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
    for line in [
        "ok      R-001-acceptance-CISO-2026-03-05 (signed by carl@example.org)",
        "ok      R-002-acceptance-CISO-2026-03-05 (signed by carl@example.org)",
        "ok      SoA-v1.0-CEO-2026-03-10 (signed by jane@example.org)",
        "all 4 signed approvals verify",
    ] {
        assert!(stdout.contains(line), "{line} in\n{stdout}");
    }
    let msg = top.join("approvals/R-001-acceptance-CISO-2026-03-05.msg");
    let text = std::fs::read_to_string(&msg).unwrap();
    assert!(
        text.starts_with("ismsbook approval\nsubject: R-001\nversion: -\nrole: CISO\n"),
        "{text}"
    );
    let soa = std::fs::read_to_string(top.join("approvals/SoA-v1.0-CEO-2026-03-10.msg")).unwrap();
    assert!(soa.starts_with("ismsbook approval\nsubject: SoA\nversion: 1.0\nrole: CEO\n"));
    // The auditor's copy of an acceptance is altered: it now claims the CEO accepted.
    std::fs::write(&msg, text.replace("role: CISO", "role: CEO")).unwrap();
    let bad = run();
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED  R-001-acceptance-CISO-2026-03-05"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 of 4 signed approvals do NOT verify"),
        "{stdout}"
    );
}

#[test]
fn the_example_signs_every_acceptance_and_its_soa_approval() {
    let hb = Handbook::example();
    set_signatures_in_example(&hb);
    // Required: any acceptance or the SoA approval left unsigned would be flagged.
    let run = hb.check();
    let unsigned: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == "approval-unsigned")
        .filter(|d| d.location.starts_with(RISKS) || d.location.starts_with(SOA))
        .collect();
    assert!(unsigned.is_empty(), "{unsigned:#?}");
    assert!(!run
        .diagnostics()
        .iter()
        .any(|d| d.code == "approval-signature-invalid"));
}

fn set_signatures_in_example(hb: &Handbook) {
    let config = hb.read("ismsbook.toml");
    assert!(config.contains("signatures = \"optional\""));
    hb.write(
        "ismsbook.toml",
        config.replace("signatures = \"optional\"", "signatures = \"required\""),
    );
}

#[test]
fn a_new_soa_version_is_approved_and_signed_in_one_go() {
    let (hb, _, jane) = keyed();
    hb.write(
        SOA,
        hb.read(SOA)
            .replacen("version: \"1.0\"", "version: \"1.1\"", 1),
    );
    hb.check().assert_codes(&["soa-unapproved"]);
    let before = hb.read(SOA);
    hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-05-02",
        "--sign",
        s(&jane),
    ])
    .assert_exit(0);
    let after = hb.read(SOA);
    assert_eq!(after.lines().count(), before.lines().count() + 7);
    let item: Vec<&str> = after
        .lines()
        .skip_while(|l| *l != "  - version: \"1.1\"")
        .take(7)
        .collect();
    assert_eq!(
        &item[1..4],
        ["    by: Jane Doe", "    role: CEO", "    date: 2026-05-02"]
    );
    assert!(item[4].starts_with("    digest: sha256:"));
    assert_eq!(item[5], "    signer: \"jane@example.org\"");
    assert!(item[6].starts_with("    signature: \"-----BEGIN SSH SIGNATURE-----\\n"));
    hb.check().assert_exit(0).assert_no_diagnostics();
    // The same approval again is refused: it is signed already.
    let out = hb.run(&[
        "approve",
        "SoA",
        "--by",
        "Jane Doe",
        "--role",
        "CEO",
        "--date",
        "2026-05-02",
        "--sign",
        s(&jane),
    ]);
    out.assert_exit(1);
    assert!(
        out.stderr.contains("already approved version 1.1"),
        "{}",
        out.stderr
    );
}
