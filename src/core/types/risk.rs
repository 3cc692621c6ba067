//! The ids and keywords of the risk register (`content/risks.yaml`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A risk id such as `R-001`: `R-` and 3 or 4 digits. Ordered by number, so R-999 comes
/// before R-1000.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RiskId(String);

impl RiskId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every risk id written in `text` (an `included:` reason), in order, each once.
    pub fn find_all(text: &str) -> Vec<RiskId> {
        let mut out: Vec<RiskId> = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(at) = text[i..].find("R-").map(|k| k + i) {
            let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
            let digits = bytes[at + 2..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let after = at + 2 + digits;
            let after_ok = after >= bytes.len() || !bytes[after].is_ascii_alphanumeric();
            if before_ok && after_ok {
                if let Ok(id) = text[at..after].parse::<RiskId>() {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
            i = at + 2;
        }
        out
    }
}

impl FromStr for RiskId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let valid = s.strip_prefix("R-").is_some_and(|digits| {
            (3..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        });
        if valid {
            Ok(RiskId(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a risk id: expected `R-` and 3 or 4 digits, like R-001"
            ))
        }
    }
}

impl Ord for RiskId {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.len(), &self.0).cmp(&(other.0.len(), &other.0))
    }
}

impl PartialOrd for RiskId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RiskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
display_serialize!(RiskId);

keyword_enum!(
    /// How a risk is treated (ISO/IEC 27001 6.1.3 a).
    Treatment {
        Modify = "modify",
        Retain = "retain",
        Avoid = "avoid",
        Share = "share",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_ids_are_checked_and_ordered_by_number() {
        assert!("R-001".parse::<RiskId>().is_ok());
        assert!("R-1000".parse::<RiskId>().is_ok());
        for bad in ["R-01", "R-10000", "r-001", "RISK-001", "R-00a"] {
            assert!(bad.parse::<RiskId>().is_err(), "{bad}");
        }
        let a: RiskId = "R-999".parse().unwrap();
        let b: RiskId = "R-1000".parse().unwrap();
        assert!(a < b);
    }

    #[test]
    fn risk_ids_are_found_in_a_reason() {
        let ids = RiskId::find_all("R-001, R-006 and GDPR Art. 32; not XR-002 nor R-0001x; R-001");
        let ids: Vec<&str> = ids.iter().map(RiskId::as_str).collect();
        assert_eq!(ids, ["R-001", "R-006"]);
    }
}
