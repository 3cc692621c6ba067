//! Values that are parsed once and valid from then on: ids, versions, dates, intervals.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

macro_rules! display_serialize {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

/// A document id such as `POL-005`: 2-6 capital letters, a hyphen, 2-4 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

impl DocumentId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The letters before the hyphen: `POL` of `POL-005`.
    pub fn prefix(&self) -> &str {
        self.0.split('-').next().unwrap_or("")
    }
}

impl FromStr for DocumentId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let valid = s.split_once('-').is_some_and(|(letters, digits)| {
            (2..=6).contains(&letters.len())
                && letters.bytes().all(|b| b.is_ascii_uppercase())
                && (2..=4).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
        });
        if valid {
            Ok(DocumentId(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a document id: expected 2-6 capital letters, a hyphen and 2-4 digits, like POL-005"
            ))
        }
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
display_serialize!(DocumentId);

/// An Annex A control of ISO/IEC 27001:2022. `A.5.15` and `5.15` both parse; it prints
/// `A.5.15`. Whether the control exists is the catalogue's business, not the parser's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControlId {
    pub theme: u8,
    pub number: u8,
}

impl FromStr for ControlId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bare = s.strip_prefix("A.").unwrap_or(s);
        let parse = || -> Option<ControlId> {
            let (theme, number) = bare.split_once('.')?;
            let small = |x: &str| -> Option<u8> {
                (!x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| x.parse().ok())
                    .flatten()
            };
            Some(ControlId {
                theme: small(theme)?,
                number: small(number)?,
            })
        };
        parse().ok_or_else(|| format!("`{s}` is not an Annex A control id such as A.5.15"))
    }
}

impl fmt::Display for ControlId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "A.{}.{}", self.theme, self.number)
    }
}
display_serialize!(ControlId);

/// A document version `MAJOR.MINOR`. Kept as two numbers so that 1.10 is never 1.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // A leading zero is refused: `1.01` would be the same version as `1.1`, and so would
        // an approval of either.
        let digits = |x: &str| -> Option<u32> {
            (!x.is_empty()
                && x.len() <= 6
                && x.bytes().all(|b| b.is_ascii_digit())
                && (x == "0" || !x.starts_with('0')))
            .then(|| x.parse().ok())
            .flatten()
        };
        s.split_once('.')
            .and_then(|(a, b)| {
                Some(Version {
                    major: digits(a)?,
                    minor: digits(b)?,
                })
            })
            .ok_or_else(|| {
                format!("`{s}` is not a version: expected MAJOR.MINOR without leading zeros, like \"1.2\" or \"1.10\"")
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
display_serialize!(Version);

mod date;
pub use date::Date;

/// A review interval or warning window: `12 months`, `1 year`, `6 weeks`, `30 days`, `none`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interval {
    Days(u32),
    Months(u32),
    None,
}

/// The longest interval accepted: a review cycle beyond a century is a typo (or `none`).
pub const MAX_INTERVAL_YEARS: u32 = 100;

impl FromStr for Interval {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("none") {
            return Ok(Interval::None);
        }
        let bad = || {
            format!("`{s}` is not an interval: write e.g. \"12 months\", \"1 year\", \"6 weeks\", \"30 days\" or \"none\"")
        };
        let (n, unit) = t.split_once(char::is_whitespace).ok_or_else(bad)?;
        let n: u32 = n.parse().map_err(|_| bad())?;
        let interval = match unit.trim().trim_end_matches('s') {
            "day" => Interval::Days(n),
            "week" => Interval::Days(n.saturating_mul(7)),
            "month" => Interval::Months(n),
            "year" => Interval::Months(n.saturating_mul(12)),
            _ => return Err(bad()),
        };
        let too_long = match interval {
            Interval::Days(d) => d > MAX_INTERVAL_YEARS * 366,
            Interval::Months(m) => m > MAX_INTERVAL_YEARS * 12,
            Interval::None => false,
        };
        if too_long {
            return Err(format!(
                "`{s}` is longer than {MAX_INTERVAL_YEARS} years: write a shorter interval, or \"none\" for no review cycle"
            ));
        }
        Ok(interval)
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = |f: &mut fmt::Formatter<'_>, n: u32, w: &str| {
            write!(f, "{n} {w}{}", if n == 1 { "" } else { "s" })
        };
        match *self {
            Interval::None => f.write_str("none"),
            Interval::Days(d) => unit(f, d, "day"),
            Interval::Months(m) if m % 12 == 0 => unit(f, m / 12, "year"),
            Interval::Months(m) => unit(f, m, "month"),
        }
    }
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "`{s}` is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        display_serialize!($name);
    };
}

keyword_enum!(
    /// Where a document stands in its life cycle.
    Status {
        Draft = "draft",
        InReview = "in-review",
        Approved = "approved",
        Retired = "retired",
    }
);

keyword_enum!(
    /// What kind of document it is; decides the review interval and the id prefix.
    DocType {
        Policy = "policy",
        Standard = "standard",
        Procedure = "procedure",
        Guideline = "guideline",
        Plan = "plan",
        Register = "register",
        Record = "record",
        Form = "form",
    }
);

impl Status {
    /// Draft and in-review documents are not yet in force.
    pub fn is_in_force(self) -> bool {
        self == Status::Approved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keeps_minor_as_a_number() {
        let v: Version = "1.10".parse().unwrap();
        assert_eq!(v.to_string(), "1.10");
        assert!(v > "1.9".parse().unwrap());
        assert!("1".parse::<Version>().is_err());
        assert!("1.2.3".parse::<Version>().is_err());
        assert!("01.1".parse::<Version>().is_err());
        assert!("1.01".parse::<Version>().is_err());
        assert_eq!("0.0".parse::<Version>().unwrap().to_string(), "0.0");
    }

    #[test]
    fn control_ids_accept_both_forms_and_print_one() {
        assert_eq!("5.15".parse::<ControlId>().unwrap().to_string(), "A.5.15");
        assert_eq!("A.8.34".parse::<ControlId>().unwrap().to_string(), "A.8.34");
        assert!("A.9.2.3".parse::<ControlId>().is_err());
    }

    #[test]
    fn document_ids_are_checked() {
        assert!("POL-005".parse::<DocumentId>().is_ok());
        assert!("pol-005".parse::<DocumentId>().is_err());
        assert!("P-005".parse::<DocumentId>().is_err());
        assert!("POL-00005".parse::<DocumentId>().is_err());
    }

    #[test]
    fn intervals_parse_words() {
        assert_eq!("12 months".parse::<Interval>(), Ok(Interval::Months(12)));
        assert_eq!("1 year".parse::<Interval>(), Ok(Interval::Months(12)));
        assert_eq!("30 days".parse::<Interval>(), Ok(Interval::Days(30)));
        assert_eq!("none".parse::<Interval>(), Ok(Interval::None));
        assert!("soon".parse::<Interval>().is_err());
        assert_eq!("100 years".parse::<Interval>(), Ok(Interval::Months(1200)));
        for huge in [
            "101 years",
            "99999999 months",
            "4294967295 weeks",
            "429496730 years",
        ] {
            assert!(
                huge.parse::<Interval>().unwrap_err().contains("100 years"),
                "{huge}"
            );
        }
    }
}

keyword_enum!(
    /// Where an action of any kind stands: treatment (risks), corrective (nonconformities),
    /// management-review. Open means not `Done`.
    ActionStatus {
        Planned = "planned",
        InProgress = "in-progress",
        Done = "done",
    }
);

keyword_enum!(
    /// Which plan an action belongs to. All kinds share one id space and one `actions.html`.
    ActionKind {
        Treatment = "treatment",
        Corrective = "corrective",
        ManagementReview = "management-review",
    }
);

mod operation;
pub use operation::{ActivityId, NcSeverity, NcSource, NonconformityId, RecordKind, ReviewInput};
mod risk;
pub use risk::{RiskId, Treatment};
