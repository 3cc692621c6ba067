//! The ids and keywords of the ISMS in operation: nonconformities, recurring activities and
//! the records that prove them (internal audits, management reviews, runs of an activity).

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A nonconformity id such as `NC-2026-03`: `NC-`, a year, `-`, 2-3 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NonconformityId {
    pub year: u16,
    pub number: u16,
    /// As written (`NC-2026-03` keeps its leading zero).
    text: String,
}

impl NonconformityId {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for NonconformityId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let digits = |x: &str, n: std::ops::RangeInclusive<usize>| {
            (n.contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit()))
                .then(|| x.parse::<u16>().ok())
                .flatten()
        };
        let parse = || {
            let rest = s.strip_prefix("NC-")?;
            let (year, number) = rest.split_once('-')?;
            Some(NonconformityId {
                year: digits(year, 4..=4)?,
                number: digits(number, 2..=3)?,
                text: s.to_string(),
            })
        };
        parse().ok_or_else(|| {
            format!("`{s}` is not a nonconformity id: expected NC-, the year, -, 2-3 digits, like NC-2026-03")
        })
    }
}

impl fmt::Display for NonconformityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
display_serialize!(NonconformityId);

/// A recurring activity's id such as `ACT-01`: `ACT-` and 2-3 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityId(String);

impl ActivityId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ActivityId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.strip_prefix("ACT-") {
            Some(d) if (2..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(ActivityId(s.to_string()))
            }
            _ => Err(format!(
                "`{s}` is not an activity id: expected ACT- and 2-3 digits, like ACT-01"
            )),
        }
    }
}

impl fmt::Display for ActivityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
display_serialize!(ActivityId);

keyword_enum!(
    /// What a `record:` block proves; its kind fixes the block's fields.
    RecordKind {
        InternalAudit = "internal-audit",
        ManagementReview = "management-review",
        Activity = "activity",
    }
);

keyword_enum!(
    /// What clause 9.3.2 asks a management review to consider, a) to g).
    ReviewInput {
        PreviousActions = "previous-actions",
        ContextChanges = "context-changes",
        InterestedParties = "interested-parties",
        Performance = "performance",
        Feedback = "feedback",
        Risks = "risks",
        Improvement = "improvement",
    }
);

impl ReviewInput {
    /// What the input is, in the words of 9.3.2.
    pub fn describe(self) -> &'static str {
        match self {
            ReviewInput::PreviousActions => "the status of actions from previous reviews (9.3.2 a)",
            ReviewInput::ContextChanges => "changes in external and internal issues (9.3.2 b)",
            ReviewInput::InterestedParties => {
                "changes in the needs and expectations of interested parties (9.3.2 c)"
            }
            ReviewInput::Performance => {
                "feedback on security performance: nonconformities, monitoring, audits, objectives (9.3.2 d)"
            }
            ReviewInput::Feedback => "feedback from interested parties (9.3.2 e)",
            ReviewInput::Risks => "results of risk assessment and the treatment plan (9.3.2 f)",
            ReviewInput::Improvement => "opportunities for continual improvement (9.3.2 g)",
        }
    }
}

keyword_enum!(
    /// Where a nonconformity was found.
    NcSource {
        InternalAudit = "internal-audit",
        ExternalAudit = "external-audit",
        Incident = "incident",
        Review = "review",
        Other = "other",
    }
);

keyword_enum!(
    /// How serious a nonconformity is, in certification bodies' terms.
    NcSeverity {
        Major = "major",
        Minor = "minor",
        Observation = "observation",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_once() {
        let nc: NonconformityId = "NC-2026-03".parse().unwrap();
        assert_eq!(
            (nc.year, nc.number, nc.to_string().as_str()),
            (2026, 3, "NC-2026-03")
        );
        assert!("NC-2026-3".parse::<NonconformityId>().is_err());
        assert!("NC-26-03".parse::<NonconformityId>().is_err());
        assert!("nc-2026-03".parse::<NonconformityId>().is_err());
        assert!("ACT-01".parse::<ActivityId>().is_ok());
        assert!("ACT-1".parse::<ActivityId>().is_err());
        assert!("ACT-0001".parse::<ActivityId>().is_err());
    }
}
