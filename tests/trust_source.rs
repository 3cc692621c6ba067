//! Trust, the input side: the build reads only regular files inside the handbook. Each test
//! is an attack (or a careless setup) that leaked a file, walked the disk or hung the build.

mod common;
use common::{fixtures, Handbook, Run};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

const SECRET: &str = "GITHUB_TOKEN=ghp_s3cr3tS3CR3Ts3cr3t";

/// A folder outside the handbook holding a secret file (and a secret Markdown document).
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("environ"), format!("{SECRET}\n")).unwrap();
    std::fs::write(
        dir.path().join("secret.md"),
        format!("---\nid: SEC-001\ntitle: {SECRET}\n---\n{SECRET}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("style.css"), format!("/* {SECRET} */\n")).unwrap();
    dir
}

/// No byte the run printed or wrote anywhere in the handbook contains the secret (the
/// secret's own folder is elsewhere; links are not followed by this scan).
fn assert_no_secret(hb: &Handbook, run: &Run) {
    assert!(
        !run.stdout.contains(SECRET),
        "stdout leaks:\n{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(SECRET),
        "stderr leaks:\n{}",
        run.stderr
    );
    let public = hb.path().join("public");
    if public.exists() {
        for (path, bytes) in common::files(&public) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(SECRET), "public/{} leaks", path.display());
        }
    }
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_link_to_a_secret_outside_the_handbook_is_reported_and_never_published() {
    let secret = outside();
    let hb = Handbook::fixture("_base");
    symlink(
        secret.path().join("environ"),
        hb.path().join("content/env.txt"),
    )
    .unwrap();
    symlink(
        secret.path().join("secret.md"),
        hb.path().join("content/leak.md"),
    )
    .unwrap();
    let target = secret.path().join("environ").display().to_string();
    let check = hb.check();
    check
        .assert_exit(1)
        .assert_codes(&["outside-handbook", "outside-handbook"])
        .assert_diagnostic("outside-handbook", "content/env.txt", &target)
        .assert_diagnostic(
            "outside-handbook",
            "content/leak.md",
            "copy the file into the handbook",
        );
    assert_no_secret(&hb, &check);
    let build = hb.build();
    build.assert_exit(1);
    assert!(
        build.stderr.contains("error[outside-handbook]"),
        "{}",
        build.stderr
    );
    assert_no_secret(&hb, &build);
    let human = hb.check_human();
    assert!(
        human.stderr.contains("symbolic link to "),
        "{}",
        human.stderr
    );
    assert_no_secret(&hb, &human);
}

#[test]
fn a_link_into_the_git_folder_does_not_publish_the_ci_token() {
    // actions/checkout keeps the token in .git/config: a pull request adding this link to a
    // handbook built by CI would publish it.
    let hb = Handbook::fixture("_base");
    hb.write(
        ".git/config",
        format!("[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n"),
    );
    symlink("../.git/config", hb.path().join("content/config.txt")).unwrap();
    let check = hb.check();
    check.assert_exit(1).assert_diagnostic(
        "outside-handbook",
        "content/config.txt",
        "hidden file or folder",
    );
    let build = hb.build();
    assert_no_secret(&hb, &build);
}

#[test]
fn a_configuration_linked_outside_is_not_read_into_error_messages() {
    // An unparsable file shows its lines in the error excerpt: CI logs would print the
    // environment's tokens.
    let secret = outside();
    let hb = Handbook::fixture("_base");
    std::fs::remove_file(hb.path().join("ismsbook.toml")).unwrap();
    symlink(
        secret.path().join("environ"),
        hb.path().join("ismsbook.toml"),
    )
    .unwrap();
    let run = hb.check_human();
    run.assert_exit(2);
    assert!(
        run.stderr.contains("ismsbook.toml") && run.stderr.contains("outside the handbook"),
        "{}",
        run.stderr
    );
    assert_no_secret(&hb, &run);
}

#[test]
fn a_link_to_the_root_of_the_disk_is_not_walked() {
    let hb = Handbook::fixture("_base");
    symlink("/", hb.path().join("content/disk")).unwrap();
    let started = Instant::now();
    let check = hb.check();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    check
        .assert_exit(1)
        .assert_codes(&["outside-handbook"])
        .assert_diagnostic("outside-handbook", "content/disk", "symbolic link to /,");
}

#[test]
fn a_fifo_is_reported_and_never_opened() {
    let hb = Handbook::fixture("_base");
    mkfifo(&hb.path().join("content/pipe.md"));
    mkfifo(&hb.path().join("content/pipe.png"));
    // Opening a FIFO blocks until a writer comes: a build that opened one would never end.
    let check = hb.check();
    check
        .assert_exit(1)
        .assert_codes(&["unreadable-file", "unreadable-file"])
        .assert_diagnostic("unreadable-file", "content/pipe.md", "named pipe (FIFO)")
        .assert_diagnostic("unreadable-file", "content/pipe.png", "not a regular file");
}

#[test]
fn links_that_stay_inside_the_handbook_are_followed() {
    let hb = Handbook::fixture("_base");
    hb.write("shared/logo.png", "PNG-BYTES");
    hb.write("content/img/chart.png", "CHART-BYTES");
    symlink("../shared", hb.path().join("content/shared")).unwrap();
    symlink("img/chart.png", hb.path().join("content/chart-link.png")).unwrap();
    hb.check().assert_exit(0).assert_no_diagnostics();
    hb.build().assert_exit(0);
    assert_eq!(hb.read("public/assets/shared/logo.png"), "PNG-BYTES");
    assert_eq!(hb.read("public/assets/chart-link.png"), "CHART-BYTES");
}

#[test]
fn a_link_loop_is_reported_once_per_link() {
    let hb = Handbook::fixture("_base");
    std::fs::create_dir_all(hb.path().join("content/a")).unwrap();
    symlink("..", hb.path().join("content/a/up")).unwrap();
    symlink("itself", hb.path().join("content/itself")).unwrap();
    hb.check()
        .assert_exit(1)
        .assert_codes(&["unreadable-file", "unreadable-file"])
        .assert_diagnostic("unreadable-file", "content/a/up", "loop")
        .assert_diagnostic("unreadable-file", "content/itself", "loop");
}

#[test]
fn a_content_folder_linked_outside_is_refused() {
    let secret = outside();
    let hb = Handbook::fixture("_base");
    std::fs::remove_dir_all(hb.path().join("content")).unwrap();
    symlink(secret.path(), hb.path().join("content")).unwrap();
    let check = hb.check();
    check
        .assert_exit(1)
        .assert_diagnostic("outside-handbook", "content", "outside the handbook");
    assert_no_secret(&hb, &check);
}

#[test]
fn theme_files_linked_outside_stop_the_build_and_leak_nothing() {
    let secret = outside();
    let hb = Handbook::fixture("_base");
    hb.build().assert_exit(0);
    std::fs::create_dir_all(hb.path().join("theme/templates")).unwrap();
    symlink(
        secret.path().join("environ"),
        hb.path().join("theme/templates/base.html"),
    )
    .unwrap();
    let run = hb.build();
    run.assert_exit(2);
    assert!(
        run.stderr.contains("theme/templates/base.html")
            && run.stderr.contains("outside the handbook"),
        "{}",
        run.stderr
    );
    assert_no_secret(&hb, &run);

    std::fs::remove_file(hb.path().join("theme/templates/base.html")).unwrap();
    std::fs::create_dir_all(hb.path().join("theme/static")).unwrap();
    symlink(
        secret.path().join("style.css"),
        hb.path().join("theme/static/style.css"),
    )
    .unwrap();
    let run = hb.build();
    run.assert_exit(2);
    assert!(
        run.stderr.contains("theme/static/style.css"),
        "{}",
        run.stderr
    );
    assert_no_secret(&hb, &run);

    // The whole static folder linked to the disk's root: refused, not walked.
    std::fs::remove_dir_all(hb.path().join("theme/static")).unwrap();
    symlink("/", hb.path().join("theme/static")).unwrap();
    let started = Instant::now();
    let run = hb.build();
    assert!(started.elapsed() < Duration::from_secs(10));
    run.assert_exit(2);
    assert!(run.stderr.contains("symbolic link to /,"), "{}", run.stderr);
}

#[test]
fn theme_files_linked_inside_are_used() {
    let hb = Handbook::fixture("_base");
    hb.write("branding/extra.css", "body { color: teal }");
    std::fs::create_dir_all(hb.path().join("theme/static")).unwrap();
    symlink(
        "../../branding/extra.css",
        hb.path().join("theme/static/extra.css"),
    )
    .unwrap();
    hb.build().assert_exit(0);
    assert_eq!(hb.read("public/static/extra.css"), "body { color: teal }");
}

fn import(src: &Path) -> (tempfile::TempDir, Run) {
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_ismsbook"))
        .arg("import")
        .arg(src)
        .arg(out.path().join("isms"))
        .output()
        .unwrap();
    let run = Run {
        code: run.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    };
    (out, run)
}

/// A copy of the MkDocs import fixture, with `docs_dir` set to `docs_dir`.
fn mkdocs_with(docs_dir: &str) -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    let from = fixtures().join("import/mkdocs");
    for (rel, bytes) in common::files(&from) {
        let to = src.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    let yml = std::fs::read_to_string(src.path().join("mkdocs.yml")).unwrap();
    std::fs::write(
        src.path().join("mkdocs.yml"),
        yml.replace("docs_dir: docs\n", &format!("docs_dir: {docs_dir}\n")),
    )
    .unwrap();
    src
}

#[test]
fn import_refuses_a_docs_dir_outside_its_source() {
    let secret = outside();
    for docs_dir in [secret.path().display().to_string(), "../..".to_string()] {
        let src = mkdocs_with(&docs_dir);
        let (out, run) = import(src.path());
        run.assert_exit(2);
        assert!(
            run.stderr.contains(&format!("docs_dir `{docs_dir}`")),
            "{}",
            run.stderr
        );
        assert!(!out.path().join("isms").exists(), "nothing imported");
    }
}

#[test]
fn import_does_not_follow_links_out_of_its_source() {
    let secret = outside();
    let src = mkdocs_with("docs");
    symlink(
        secret.path().join("secret.md"),
        src.path().join("docs/leak.md"),
    )
    .unwrap();
    let (out, run) = import(src.path());
    run.assert_exit(2);
    assert!(
        run.stderr.contains("leak.md") && run.stderr.contains("outside the import source"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(SECRET));
    if out.path().join("isms").exists() {
        for (path, bytes) in common::files(&out.path().join("isms")) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(SECRET),
                "{}",
                path.display()
            );
        }
    }
    // The docs folder itself linked outside.
    let src = mkdocs_with("docs");
    std::fs::remove_dir_all(src.path().join("docs")).unwrap();
    symlink(secret.path(), src.path().join("docs")).unwrap();
    let (_, run) = import(src.path());
    run.assert_exit(2);
    assert!(
        run.stderr.contains("outside the import source"),
        "{}",
        run.stderr
    );
}

#[test]
fn what_an_interrupted_approve_left_is_never_published() {
    let hb = Handbook::fixture("approve");
    let draft = hb.read("content/draft.md");
    // An older approve, killed (or out of disk) between writing and renaming, left this.
    hb.write(
        "content/draft.md.ismsbook-approve",
        draft.replace("Work from anywhere", SECRET),
    );
    hb.write(
        "content/.draft.md.ismsbook-approve-4242",
        draft.replace("Work from anywhere", SECRET),
    );
    let check = hb.check();
    check.assert_exit(0).assert_no_diagnostics();
    let build = hb.build();
    build.assert_exit(0);
    assert_no_secret(&hb, &build);
    assert!(!hb
        .path()
        .join("public/assets/draft.md.ismsbook-approve")
        .exists());
}
