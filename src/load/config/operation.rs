//! `[audit]`, `[management_review]` and `[certification]`: how often the ISMS must prove it
//! runs. Each table is optional; declaring `[audit]` or `[management_review]` (or writing a
//! record of that kind) turns its rules on, so a handbook of documents alone is not told off
//! for audits it never meant to track here.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{Reader, FILE};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::types::{Date, Interval};

/// The three tables, with where they were written (rules point at them).
#[derive(Clone, Debug, Default)]
pub struct Operation {
    pub audit: Option<Audit>,
    pub management_review: Option<Every>,
    pub certification: Option<Certification>,
}

#[derive(Clone, Copy, Debug)]
pub struct Audit {
    /// An internal audit record at least this often.
    pub interval: Interval,
    /// Every applicable control and clauses 4-10 audited within it.
    pub cycle: Interval,
    pub span: Span,
    pub cycle_span: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct Every {
    pub interval: Interval,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Certification {
    pub body: String,
    pub certificate: String,
    /// Surveillance audits fall due at +12 and +24 months; the certificate expires at +36.
    pub issued: Date,
    pub span: Span,
}

impl Certification {
    /// The audits of the certificate's cycle: (what, due date).
    pub fn milestones(&self) -> [(&'static str, Date); 3] {
        [
            ("First surveillance audit", self.issued.add_months(12)),
            ("Second surveillance audit", self.issued.add_months(24)),
            (
                "Recertification audit (certificate expires)",
                self.issued.add_months(36),
            ),
        ]
    }
}

pub const DEFAULT_AUDIT: Interval = Interval::Months(12);
pub const DEFAULT_CYCLE: Interval = Interval::Months(36);
pub const DEFAULT_REVIEW: Interval = Interval::Months(12);

impl Reader<'_> {
    pub(super) fn read_audit(&mut self, t: &DeTable<'_>, whole: &Spanned<DeValue<'_>>) -> Audit {
        let span = self.span(whole.span());
        let mut audit = Audit {
            interval: DEFAULT_AUDIT,
            cycle: DEFAULT_CYCLE,
            span,
            cycle_span: span,
        };
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "interval" => {
                    if let Some(i) = self.interval(value, "audit.interval") {
                        audit.interval = i;
                    }
                }
                "cycle" => {
                    if let Some(i) = self.interval(value, "audit.cycle") {
                        audit.cycle = i;
                        audit.cycle_span = self.span(key.span());
                    }
                }
                _ => self.unknown(key, "[audit]", &["interval", "cycle"]),
            }
        }
        audit
    }

    pub(super) fn read_management_review(
        &mut self,
        t: &DeTable<'_>,
        whole: &Spanned<DeValue<'_>>,
    ) -> Every {
        let mut every = Every {
            interval: DEFAULT_REVIEW,
            span: self.span(whole.span()),
        };
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "interval" => {
                    if let Some(i) = self.interval(value, "management_review.interval") {
                        every.interval = i;
                    }
                }
                _ => self.unknown(key, "[management_review]", &["interval"]),
            }
        }
        every
    }

    pub(super) fn read_certification(
        &mut self,
        t: &DeTable<'_>,
        whole: &Spanned<DeValue<'_>>,
    ) -> Option<Certification> {
        let (mut body, mut certificate, mut issued) = (String::new(), String::new(), None);
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "body" => body = self.string(value, "certification.body").unwrap_or_default(),
                "certificate" => {
                    certificate = self
                        .string(value, "certification.certificate")
                        .unwrap_or_default()
                }
                "issued" => issued = self.date(value, "certification.issued"),
                _ => self.unknown(key, "[certification]", &["body", "certificate", "issued"]),
            }
        }
        let span = self.span(whole.span());
        if issued.is_none() && !t.iter().any(|(k, _)| k.get_ref() == "issued") {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    FILE,
                    "missing key `certification.issued`",
                )
                .at(span)
                .help(
                    "add `issued = 2025-06-20` (the date on the certificate) under [certification]",
                ),
            );
        }
        Some(Certification {
            body,
            certificate,
            issued: issued?,
            span,
        })
    }

    /// A TOML date (`2025-06-20`) or a string holding one.
    fn date(&mut self, value: &Spanned<DeValue<'_>>, key: &str) -> Option<Date> {
        let text = match value.get_ref() {
            DeValue::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            DeValue::String(s) => s.to_string(),
            _ => {
                self.wrong(value, "a date, like 2025-06-20", key);
                return None;
            }
        };
        match text.parse() {
            Ok(d) => Some(d),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(Code::Config, FILE, format!("`{key}`: {e}"))
                        .at(self.span(value.span())),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn the_tables_read_with_defaults_and_typos_are_reported() {
        let (c, diags) = parse(
            "[handbook]\ntitle = \"T\"\norganization = \"O\"\n[audit]\ncycle = \"24 months\"\n[management_review]\nintervall = \"6 months\"\n[certification]\nbody = \"B\"\nissued = 2025-06-20\n",
        );
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].span.unwrap().line, 7);
        let audit = c.operation.audit.unwrap();
        assert_eq!(audit.interval.to_string(), "1 year");
        assert_eq!(audit.cycle.to_string(), "2 years");
        let cert = c.operation.certification.unwrap();
        assert_eq!(cert.milestones()[2].1.to_string(), "2028-06-20");
    }
}
