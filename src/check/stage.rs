//! The one place where a rule's severity depends on the handbook's stage
//! (`[handbook] stage`, see `core::stage`). Rules report their certified severity; this
//! lowers it while the handbook is built up. Grouped by why a rule may wait:
//! - completeness: what an ISMS in operation has and a new one has not yet (every control
//!   covered, reviews held, audits, management reviews, recurring activities, risk
//!   acceptances, actions done): warnings until certified;
//! - approval: a document or the SoA that claims an approval it does not hold: a warning
//!   while drafting, an error from `implementing` on, when approvals start to mean something.

use crate::core::diagnostics::{Code, Diagnostic, Severity};
use crate::core::stage::Stage;

/// Rules that are warnings until the handbook is certified.
pub const COMPLETENESS: &[Code] = &[
    Code::UncoveredControl,
    Code::ReviewOverdue,
    Code::InternalAuditStale,
    Code::ManagementReviewStale,
    Code::ActivityMissed,
    Code::ResidualUnaccepted,
    Code::AcceptanceExpired,
    Code::ActionOverdue,
];

/// Rules that are warnings while the handbook is a draft.
pub const APPROVAL: &[Code] = &[
    Code::UnapprovedVersion,
    Code::ChangedSinceApproval,
    Code::SoaChangedSinceApproval,
    Code::ApprovalUnsigned,
];

/// Every rule whose severity a stage may lower (for docs/rules.md's "error or warning").
pub fn relaxed() -> impl Iterator<Item = Code> {
    COMPLETENESS.iter().chain(APPROVAL).copied()
}

/// The severity of a diagnostic of `code`, reported as `severity` by its rule, at `stage`.
pub fn severity(stage: Stage, code: Code, severity: Severity) -> Severity {
    let waits = match stage {
        Stage::Certified => false,
        Stage::Implementing => COMPLETENESS.contains(&code),
        Stage::Draft => COMPLETENESS.contains(&code) || APPROVAL.contains(&code),
    };
    match waits {
        true => Severity::Warning,
        false => severity,
    }
}

/// Applies the stage to every diagnostic of a check.
pub fn apply(stage: Stage, diags: &mut [Diagnostic]) {
    for d in diags {
        d.severity = severity(stage, d.code, d.severity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_waits_until_certified_and_approvals_until_implementing() {
        let s = |stage, code| severity(stage, code, Severity::Error);
        assert_eq!(s(Stage::Draft, Code::UncoveredControl), Severity::Warning);
        assert_eq!(
            s(Stage::Implementing, Code::UncoveredControl),
            Severity::Warning
        );
        assert_eq!(s(Stage::Certified, Code::UncoveredControl), Severity::Error);
        assert_eq!(
            s(Stage::Draft, Code::ChangedSinceApproval),
            Severity::Warning
        );
        assert_eq!(
            s(Stage::Implementing, Code::ChangedSinceApproval),
            Severity::Error
        );
        // Wrong data is never "not yet": it stays an error at every stage.
        assert_eq!(s(Stage::Draft, Code::BrokenReference), Severity::Error);
        assert_eq!(s(Stage::Draft, Code::FrontMatter), Severity::Error);
    }
}
