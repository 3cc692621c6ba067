//! Compiles the policy templates into the binary: `ismsbook init` and `new` work anywhere,
//! without the repository beside them.

use std::fmt::Write as _;
use std::path::Path;

fn collect(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            out.push(
                path.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

fn main() {
    // Read at run time, not `env!`: a build script compiled for one checkout
    // is reused by cargo for another that shares the target directory.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let base = Path::new(&manifest).join("policy-templates");
    println!("cargo:rerun-if-changed=policy-templates");
    let mut files = Vec::new();
    collect(&base, &base, &mut files);
    let mut code = String::from("/// Every file of policy-templates/: (path, text).\npub const FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed=policy-templates/{f}");
        writeln!(
            code,
            "    ({f:?}, include_str!({:?})),",
            base.join(f).display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("templates.rs");
    std::fs::write(out, code).unwrap();
}
