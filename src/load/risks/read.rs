//! Reading `content/risks.yaml` from the YAML tree, every problem at its line.

use std::path::Path;

use super::{Acceptance, Risk, Risks, Score, RISKS_FILE};
use crate::core::catalog::{catalog, unknown_control};
use crate::core::diagnostics::{Code, Diagnostic, Span};
use crate::core::suggest::did_you_mean;
use crate::core::types::{ActionKind, ControlId, Date, RiskId, Treatment};
use crate::load::action;
use crate::load::config::RiskConfig;
use crate::load::model::Spanned;
use crate::load::yaml::{self, Node, Value};

const KEYS: &[&str] = &[
    "title",
    "owner",
    "assets",
    "likelihood",
    "impact",
    "treatment",
    "controls",
    "actions",
    "residual",
    "review",
    "acceptance",
];
const ACCEPTANCE_KEYS: &[&str] = &[
    "by",
    "role",
    "date",
    "expires",
    "digest",
    "signer",
    "signature",
];
const EXAMPLE: &str = "R-001:\n  title: Phishing captures staff credentials\n  owner: CISO\n  likelihood: 4\n  impact: 5\n  treatment: modify\n  controls: [A.5.17, A.8.5]";

struct Reader<'a> {
    file: &'a Path,
    scale: u32,
    diags: &'a mut Vec<Diagnostic>,
}

/// Reads the register. Problems go to `diags`; a risk whose id cannot be read is left out.
pub fn read(text: &str, config: &RiskConfig, diags: &mut Vec<Diagnostic>) -> Risks {
    let file = Path::new(RISKS_FILE);
    let root = match yaml::parse(text, 1) {
        Ok(Some(root)) => root,
        Ok(None) => return Risks::default(),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::RiskInvalid,
                    file,
                    format!("invalid YAML: {}", e.message),
                )
                .at(e.span)
                .help(format!(
                    "risks.yaml maps each risk id to its assessment:\n{EXAMPLE}"
                )),
            );
            return Risks::default();
        }
    };
    let mut r = Reader {
        file,
        scale: config.scale,
        diags,
    };
    let entries = match &root.value {
        Value::Map(entries) => entries.as_slice(),
        _ if root.is_null() => &[],
        _ => {
            r.err(
                root.span,
                format!("risks.yaml must map risk ids to risks, not {}", root.kind()),
                EXAMPLE,
            );
            return Risks::default();
        }
    };
    let mut risks: Vec<Risk> = Vec::new();
    for (key, value) in entries {
        let id_text = scalar(key).unwrap_or("");
        let id = match id_text.parse::<RiskId>() {
            Ok(id) => id,
            Err(e) => {
                r.err(key.span, e, "number risks R-001, R-002, …");
                continue;
            }
        };
        if let Some(first) = risks.iter().find(|x| x.id.value == id) {
            r.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    file,
                    format!(
                        "duplicate risk id {id}: also at line {}",
                        first.id.span.line
                    ),
                )
                .at(key.span)
                .help("give one of them the next free id"),
            );
            continue;
        }
        let id = Spanned {
            value: id,
            span: key.span,
        };
        if let Some(risk) = r.risk(id, value) {
            risks.push(risk);
        }
    }
    Risks { risks }
}

fn scalar(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text.as_str()),
        _ => None,
    }
}

impl Reader<'_> {
    fn err(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::error(Code::RiskInvalid, self.file, message)
                .at(span)
                .help(help),
        );
    }

    fn unknown_key(&mut self, key: &Node, known: &[&str], what: &str) {
        let name = scalar(key).unwrap_or("");
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("{what} has the keys {}", known.join(", ")),
        };
        self.err(key.span, format!("unknown key `{name}` in {what}"), help);
    }

    fn text(&mut self, node: &Node, name: &str) -> Option<Spanned<String>> {
        match scalar(node) {
            Some(t) if !node.is_null() && !t.trim().is_empty() => Some(Spanned {
                value: t.trim().to_string(),
                span: node.span,
            }),
            _ => {
                self.err(
                    node.span,
                    format!("`{name}` must be a single value, not {}", node.kind()),
                    format!("write it on one line, like `{name}: …`"),
                );
                None
            }
        }
    }

    fn rating(&mut self, node: &Node, name: &str) -> Option<u32> {
        let scale = self.scale;
        match scalar(node).and_then(|t| t.trim().parse::<u32>().ok()) {
            Some(n) if (1..=scale).contains(&n) => Some(n),
            _ => {
                let shown = scalar(node).unwrap_or(node.kind());
                self.err(
                    node.span,
                    format!("`{name}` is `{shown}`: it must be a whole number from 1 to {scale}"),
                    format!("rate it 1 (lowest) to {scale} (highest); [risk] scale in ismsbook.toml sets the top"),
                );
                None
            }
        }
    }

    fn date(&mut self, node: &Node, name: &str) -> Option<Date> {
        let text = self.text(node, name)?;
        match text.value.parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(
                    node.span,
                    format!("`{name}`: {e}"),
                    "write a date as YYYY-MM-DD",
                );
                None
            }
        }
    }

    fn map<'n>(&mut self, node: &'n Node, name: &str, example: &str) -> &'n [(Node, Node)] {
        match &node.value {
            Value::Map(pairs) => pairs,
            _ => {
                self.err(
                    node.span,
                    format!("`{name}` must be a mapping, not {}", node.kind()),
                    format!("write `{name}: {example}`"),
                );
                &[]
            }
        }
    }

    fn risk(&mut self, id: Spanned<RiskId>, node: &Node) -> Option<Risk> {
        let Value::Map(pairs) = &node.value else {
            self.err(
                node.span,
                format!("risk {} must be a mapping, not {}", id.value, node.kind()),
                EXAMPLE,
            );
            return None;
        };
        let mut title = None;
        let mut owner = None;
        let mut assets = Vec::new();
        let (mut likelihood, mut impact, mut treatment) = (None, None, None);
        let mut controls = Vec::new();
        let mut actions = Vec::new();
        let mut residual = None;
        let mut review_last = None;
        let mut acceptance = None;
        for (n, (key, value)) in pairs.iter().enumerate() {
            let name = scalar(key).unwrap_or("");
            if pairs[..n].iter().any(|(k, _)| scalar(k) == Some(name)) {
                self.err(
                    key.span,
                    format!("`{name}` is written twice in {}", id.value),
                    "keep one of them: YAML would silently take the last",
                );
                continue;
            }
            match name {
                "title" => title = self.text(value, "title"),
                "owner" => owner = self.text(value, "owner"),
                "assets" => {
                    assets = self
                        .list(value, "assets")
                        .into_iter()
                        .map(|s| s.value)
                        .collect()
                }
                "likelihood" => likelihood = self.rating(value, "likelihood"),
                "impact" => impact = self.rating(value, "impact"),
                "treatment" => treatment = self.treatment(value),
                "controls" => controls = self.controls(value),
                "actions" => {
                    actions = action::read_list(
                        value,
                        ActionKind::Treatment,
                        self.file,
                        Code::RiskInvalid,
                        self.diags,
                    )
                }
                "residual" => residual = self.residual(value),
                "review" => review_last = self.review(value),
                "acceptance" => acceptance = self.acceptance(key, value),
                _ => self.unknown_key(key, KEYS, "a risk"),
            }
        }
        let present = [
            ("title", title.is_some()),
            ("owner", owner.is_some()),
            ("likelihood", likelihood.is_some()),
            ("impact", impact.is_some()),
            ("treatment", treatment.is_some()),
        ];
        self.require(&id, pairs, present);
        let inherent = Score {
            likelihood: likelihood.unwrap_or(1),
            impact: impact.unwrap_or(1),
        };
        Some(Risk {
            title: title.map(|t| t.value).unwrap_or_default(),
            owner: owner.unwrap_or(Spanned {
                value: String::new(),
                span: id.span,
            }),
            assets,
            inherent,
            treatment: treatment.unwrap_or(Treatment::Modify),
            controls,
            actions,
            residual: residual.unwrap_or(inherent),
            review_last,
            acceptance,
            id,
            digest: Default::default(),
        })
    }

    /// risk-invalid at the risk's id for the keys it lacks (a key written with a wrong value
    /// was reported where it stands).
    fn require(
        &mut self,
        id: &Spanned<RiskId>,
        pairs: &[(Node, Node)],
        present: [(&str, bool); 5],
    ) {
        let missing: Vec<&str> = present
            .into_iter()
            .filter(|(k, here)| !*here && !pairs.iter().any(|(key, _)| scalar(key) == Some(k)))
            .map(|(k, _)| k)
            .collect();
        if !missing.is_empty() {
            self.err(
                id.span,
                format!("risk {} needs {}", id.value, missing.join(", ")),
                EXAMPLE,
            );
        }
    }

    fn treatment(&mut self, value: &Node) -> Option<Treatment> {
        let t = self.text(value, "treatment")?;
        match t.value.parse::<Treatment>() {
            Ok(t) => Some(t),
            Err(e) => {
                self.err(
                    t.span,
                    format!("`treatment`: {e}"),
                    "modify (controls reduce it), retain, avoid or share",
                );
                None
            }
        }
    }

    fn review(&mut self, value: &Node) -> Option<Date> {
        let mut last = None;
        for (k, v) in self.map(value, "review", "{ last: 2026-11-10 }") {
            match scalar(k) {
                Some("last") => last = self.date(v, "review.last"),
                _ => self.unknown_key(k, &["last"], "`review`"),
            }
        }
        last
    }

    fn list(&mut self, node: &Node, name: &str) -> Vec<Spanned<String>> {
        let items: &[Node] = match &node.value {
            Value::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                self.err(
                    node.span,
                    format!("`{name}` must be a list, not {}", node.kind()),
                    format!("write `{name}: [A, B]`"),
                );
                &[]
            }
        };
        items.iter().filter_map(|i| self.text(i, name)).collect()
    }

    fn controls(&mut self, node: &Node) -> Vec<Spanned<ControlId>> {
        let mut out = Vec::new();
        for item in self.list(node, "controls") {
            match item.value.parse::<ControlId>() {
                Ok(id) if catalog().control(id).is_some() => out.push(Spanned {
                    value: id,
                    span: item.span,
                }),
                _ => self
                    .diags
                    .push(unknown_control(self.file, &item.value, item.span)),
            }
        }
        out
    }

    fn residual(&mut self, node: &Node) -> Option<Score> {
        let (mut l, mut i) = (None, None);
        for (k, v) in self.map(node, "residual", "{ likelihood: 2, impact: 4 }") {
            match scalar(k) {
                Some("likelihood") => l = self.rating(v, "residual.likelihood"),
                Some("impact") => i = self.rating(v, "residual.impact"),
                _ => self.unknown_key(k, &["likelihood", "impact"], "`residual`"),
            }
        }
        match (l, i) {
            (Some(likelihood), Some(impact)) => Some(Score { likelihood, impact }),
            _ => {
                self.err(
                    node.span,
                    "`residual` needs both likelihood and impact",
                    "write `residual: { likelihood: 2, impact: 4 }`",
                );
                None
            }
        }
    }

    fn acceptance(&mut self, key: &Node, node: &Node) -> Option<Acceptance> {
        let (mut by, mut role, mut date, mut expires, mut digest) = (None, None, None, None, None);
        let (mut signer, mut signature) = (None, None);
        for (k, v) in self.map(
            node,
            "acceptance",
            "{ by: NAME, role: ROLE, date: …, digest: … }",
        ) {
            match scalar(k).unwrap_or("") {
                "by" => by = self.text(v, "acceptance.by"),
                "role" => role = self.text(v, "acceptance.role"),
                "date" => date = self.date(v, "acceptance.date"),
                "expires" => expires = self.date(v, "acceptance.expires"),
                "digest" => digest = self.text(v, "acceptance.digest"),
                "signer" => signer = self.text(v, "acceptance.signer"),
                "signature" => signature = self.text(v, "acceptance.signature"),
                _ => self.unknown_key(k, ACCEPTANCE_KEYS, "`acceptance`"),
            }
        }
        if let Some(d) = &digest {
            let hex = d.value.strip_prefix("sha256:").unwrap_or("");
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.err(
                    d.span,
                    "`acceptance.digest` must be `sha256:` and 64 hex digits",
                    "let `ismsbook accept` write it",
                );
            }
        }
        match (by, role, date, digest) {
            (Some(by), Some(role), Some(date), Some(digest)) => Some(Acceptance {
                by: by.value,
                role,
                date,
                expires,
                digest,
                span: key.span,
                signer,
                signature,
            }),
            _ => {
                self.err(
                    node.span,
                    "an acceptance needs by, role, date and digest",
                    "let `ismsbook accept R-001 --by NAME --role ROLE` write it",
                );
                None
            }
        }
    }
}
