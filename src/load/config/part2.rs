//! The keys of `ismsbook.toml` that turn on crosswalks and approval signatures.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{Config, Reader, FILE};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::frameworks::{framework, frameworks};
use crate::core::signing::Signatures;
use crate::core::suggest::did_you_mean;

impl Reader<'_> {
    /// `[frameworks] enabled = ["nis2", "gdpr"]`: each a known crosswalk, each once.
    pub(super) fn read_frameworks(&mut self, t: &DeTable<'_>, c: &mut Config) {
        for (key, value) in t.iter() {
            if key.get_ref().as_ref() != "enabled" {
                self.unknown(key, "[frameworks]", &["enabled"]);
                continue;
            }
            let DeValue::Array(items) = value.get_ref() else {
                self.wrong(value, "a list of strings", "frameworks.enabled");
                continue;
            };
            for item in items.iter() {
                let Some(name) = self.string(item, "frameworks.enabled") else {
                    continue;
                };
                match framework(&name) {
                    Some(f) if c.frameworks.iter().any(|g| g.key == f.key) => {}
                    Some(f) => c.frameworks.push(f),
                    None => {
                        let keys: Vec<&str> = frameworks().iter().map(|f| f.key).collect();
                        let help = match did_you_mean(&name, keys.iter().copied()) {
                            Some(s) => format!("did you mean \"{s}\"?"),
                            None => format!("the frameworks are: {}", keys.join(", ")),
                        };
                        self.diags.push(
                            Diagnostic::error(
                                Code::Config,
                                FILE,
                                format!("unknown framework `{name}` in frameworks.enabled"),
                            )
                            .at(self.span(item.span()))
                            .help(help),
                        );
                    }
                }
            }
        }
    }

    /// `signatures = "off" | "optional" | "required"` and `allowed_signers = "PATH"`.
    pub(super) fn read_signatures(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
        c: &mut Config,
    ) {
        let name = format!("approval.{}", key.get_ref());
        let Some(text) = self.string(value, &name) else {
            return;
        };
        if key.get_ref().as_ref() == "allowed_signers" {
            c.allowed_signers = text;
            return;
        }
        match text.parse::<Signatures>() {
            Ok(s) => c.signatures = s,
            Err(e) => self.diags.push(
                Diagnostic::error(Code::Config, FILE, format!("`{name}`: {e}"))
                    .at(self.span(value.span()))
                    .help("write it like: signatures = \"optional\""),
            ),
        }
    }
}
