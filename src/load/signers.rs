//! The `allowed_signers` file named by `[approval] allowed_signers`, read from the same source
//! as the documents (under the filesystem rule in a work tree, from the object store for a
//! revision) so that an approval is verified against the keys of its own edition.

use std::io;
use std::path::Path;

use super::{config, refused, Source};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::signing::Signatures;

/// The file's text; `None` when signatures are off or the file is absent (the check says
/// so where it matters) or unreadable (reported here).
pub fn read(
    source: &dyn Source,
    config: &config::Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    if config.signatures == Signatures::Off {
        return None;
    }
    let path = Path::new(&config.allowed_signers);
    if path.is_absolute() || path.components().any(|c| c.as_os_str() == "..") {
        diags.push(
            Diagnostic::error(
                Code::Config,
                config::FILE,
                format!(
                    "`approval.allowed_signers` is `{}`: it must be a path inside the handbook, relative to its root",
                    config.allowed_signers
                ),
            )
            .help("copy the file into the handbook and write e.g. allowed_signers = \"allowed_signers\""),
        );
        return None;
    }
    match source.read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                diags.push(Diagnostic::error(
                    Code::UnreadableFile,
                    path,
                    "allowed_signers is not UTF-8 text",
                ));
                None
            }
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            diags.push(match super::inside::refusal(&e) {
                Some(why) => refused(path, why),
                None => Diagnostic::error(Code::UnreadableFile, path, format!("cannot read: {e}")),
            });
            None
        }
    }
}
