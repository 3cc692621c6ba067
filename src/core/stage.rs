//! Where a handbook stands on its way to certification (`[handbook] stage`): the rules that
//! say "not there yet" are warnings while it is built up and errors once it is certified.

use std::fmt;
use std::str::FromStr;

/// The adoption stage of a handbook. A handbook without the key is `Certified`: the rules
/// hold in full, as they did before stages existed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Documents are being written (after `init` or `import`).
    Draft,
    /// Documents are approved one by one and the ISMS is put into operation.
    Implementing,
    /// Certified, or about to be audited: every rule is an error where DESIGN.md says so.
    #[default]
    Certified,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Draft, Stage::Implementing, Stage::Certified];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Implementing => "implementing",
            Stage::Certified => "certified",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Stage, String> {
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a stage: draft, implementing or certified"))
    }
}
