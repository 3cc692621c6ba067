//! The handbook's calendar: every due date the ISMS keeps, as `calendar.ics` (RFC 5545, for
//! subscribing in a calendar client) and as the rows of `calendar.html`.
//!
//! Hand-written lines: the format is small, and the two things that break clients are done
//! here with care: escaping of text and folding of lines longer than 75 octets.

use serde::Serialize;

use crate::check::operation::{actions, Cadence};
use crate::check::{self, Checked, ReviewState, Withheld};
use crate::core::types::{Date, Interval, Status};
use crate::load::model::Handbook;

/// One all-day event.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Stable across builds: derived from the item's id, never from a counter or the clock.
    pub uid: String,
    pub date: Date,
    /// `review`, `action`, `activity`, `missed`, `audit`, `management-review`, `certification`,
    /// `acceptance`.
    pub kind: &'static str,
    pub summary: String,
    /// Repeats every so often (recurring activities): an RRULE.
    #[serde(serialize_with = "as_text")]
    pub every: Option<Interval>,
    pub overdue: bool,
    /// The page that explains it, relative to the site root.
    pub link: Option<String>,
}

fn as_text<S: serde::Serializer>(every: &Option<Interval>, s: S) -> Result<S::Ok, S::Error> {
    match every {
        Some(i) => s.collect_str(i),
        None => s.serialize_none(),
    }
}

/// Every event, by date then uid. A document `withheld` (above `--max-classification`) has
/// no page to link to.
pub fn events(hb: &Handbook, checked: &Checked, withheld: &Withheld) -> Vec<Event> {
    let mut out = Vec::new();
    reviews(hb, withheld, &mut out);
    for a in actions::published(hb, withheld) {
        let (Some(due), true) = (a.action.due, a.action.is_open()) else {
            continue;
        };
        out.push(Event {
            uid: format!("action-{}", a.action.id.value),
            date: due,
            kind: "action",
            summary: format!(
                "Action due: {} {} ({}, {})",
                a.action.id.value, a.action.action, a.action.owner.value, a.of
            ),
            every: None,
            overdue: due < hb.today,
            link: Some("actions.html".into()),
        });
    }
    activities(hb, checked, withheld, &mut out);
    let op = &checked.operating;
    let cadences = [
        (
            &op.audits,
            "audit",
            "internal-audit-due",
            "Internal audit due",
        ),
        (
            &op.reviews,
            "management-review",
            "management-review-due",
            "Management review due",
        ),
    ];
    for (cadence, kind, uid, what) in cadences {
        if let Some(Cadence { due: Some(due), .. }) = cadence {
            out.push(Event {
                uid: uid.into(),
                date: *due,
                kind,
                summary: what.to_string(),
                every: None,
                overdue: *due < hb.today,
                link: Some("audit-programme.html".into()),
            });
        }
    }
    if let Some(cert) = &hb.config.operation.certification {
        for (i, (what, date)) in cert.milestones().into_iter().enumerate() {
            out.push(Event {
                uid: format!("certification-{}-{}", cert.issued, i + 1),
                date,
                kind: "certification",
                summary: format!("{what}: {} {}", cert.body, cert.certificate)
                    .trim_end()
                    .to_string(),
                every: None,
                overdue: false,
                link: None,
            });
        }
    }
    out.extend(acceptance_expiries(hb, withheld));
    out.sort_by(|a, b| (a.date, &a.uid).cmp(&(b.date, &b.uid)));
    out
}

/// The expiry of each risk acceptance: its `expires`, else its date plus `[risk] review`.
/// An edition that withholds the register keeps its risks off the calendar too.
fn acceptance_expiries(hb: &Handbook, withheld: &Withheld) -> Vec<Event> {
    if withheld.risks() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for risk in hb.risks.iter().flat_map(|r| &r.risks) {
        let Some(a) = &risk.acceptance else { continue };
        let Some(expires) = check::risks::expiry(&hb.config, a) else {
            continue;
        };
        let id = risk.id.value.as_str();
        out.push(Event {
            uid: format!("acceptance-{id}"),
            date: expires,
            kind: "acceptance",
            summary: format!(
                "Risk acceptance expires: {id} {} ({})",
                risk.title, risk.owner.value
            ),
            every: None,
            overdue: hb.today > expires,
            link: Some(format!("risks/{id}.html")),
        });
    }
    out
}

fn page(withheld: &Withheld, id: &str, anchor: &str) -> Option<String> {
    (!withheld.id(id)).then(|| format!("documents/{id}.html{anchor}"))
}

fn reviews(hb: &Handbook, withheld: &Withheld, out: &mut Vec<Event>) {
    for d in hb.documents.iter().filter(|d| d.status == Status::Approved) {
        let (state, Some(next)) = check::review_state(d, &hb.config, hb.today) else {
            continue;
        };
        out.push(Event {
            uid: format!("review-{}", d.id_str()),
            date: next,
            kind: "review",
            summary: format!("Review due: {} {} ({})", d.id_str(), d.title, d.owner.value),
            every: None,
            overdue: state == ReviewState::Overdue,
            link: page(withheld, d.id_str(), ""),
        });
    }
}

/// One repeating event per activity from its next due date, and one more for a missed run.
fn activities(hb: &Handbook, checked: &Checked, withheld: &Withheld, out: &mut Vec<Event>) {
    for s in checked.operating.activities.iter().filter(|s| s.in_force) {
        let a = s.activity(hb);
        let Some(due) = s.cadence.due else { continue };
        let doc = &hb.documents[s.doc];
        let link = page(withheld, doc.id_str(), &format!("#{}", a.id.value));
        let summary = format!("{} {} ({})", a.id.value, a.what, a.owner.value);
        if s.cadence.state == ReviewState::Overdue {
            out.push(Event {
                uid: format!("activity-{}-missed-{due}", a.id.value),
                date: due,
                kind: "missed",
                summary: format!("Missed: {summary}"),
                every: None,
                overdue: true,
                link: link.clone(),
            });
        }
        // The series runs on from the next date not yet past, so a missed run is not repeated.
        let mut next = due;
        while next < hb.today {
            match next.plus(a.every) {
                Some(n) if n > next => next = n,
                _ => break,
            }
        }
        out.push(Event {
            uid: format!("activity-{}", a.id.value),
            date: next,
            kind: "activity",
            summary,
            every: Some(a.every),
            overdue: false,
            link,
        });
    }
}

/// `calendar.ics`: one VEVENT per event, all-day, DTSTAMP from `today` (never the clock).
pub fn ics(hb: &Handbook, events: &[Event]) -> String {
    let mut out = ics_head(hb);
    out.push_str(&ics_events(hb.today, events));
    out.push_str(ICS_TAIL);
    out
}

/// The calendar's properties, before its events.
pub fn ics_head(hb: &Handbook) -> String {
    let mut out = String::new();
    let mut line = |s: &str| fold(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//ismsbook//ISMS calendar//EN");
    line("CALSCALE:GREGORIAN");
    line(&format!(
        "X-WR-CALNAME:{}",
        escape(&format!("{} ISMS", hb.config.organization))
    ));
    out
}

/// The `VEVENT`s of `events`, stamped `today`.
pub fn ics_events(today: Date, events: &[Event]) -> String {
    let mut out = String::new();
    let stamp = format!("{}T000000Z", compact(today));
    let mut line = |s: &str| fold(&mut out, s);
    for e in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}@ismsbook", escape(&e.uid)));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;VALUE=DATE:{}", compact(e.date)));
        line(&format!("DTEND;VALUE=DATE:{}", compact(e.date.add_days(1))));
        if let Some(rule) = e.every.and_then(rrule) {
            line(&format!("RRULE:{rule}"));
        }
        line(&format!("SUMMARY:{}", escape(&e.summary)));
        line(&format!("CATEGORIES:{}", e.kind));
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    out
}

pub const ICS_TAIL: &str = "END:VCALENDAR\r\n";

fn compact(d: Date) -> String {
    d.to_string().replace('-', "")
}

fn rrule(every: Interval) -> Option<String> {
    match every {
        Interval::Days(d) if d % 7 == 0 => Some(format!("FREQ=WEEKLY;INTERVAL={}", d / 7)),
        Interval::Days(d) => Some(format!("FREQ=DAILY;INTERVAL={d}")),
        Interval::Months(m) if m % 12 == 0 => Some(format!("FREQ=YEARLY;INTERVAL={}", m / 12)),
        Interval::Months(m) => Some(format!("FREQ=MONTHLY;INTERVAL={m}")),
        Interval::None => None,
    }
}

/// TEXT escaping of RFC 5545 3.3.11; control characters other than newline are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `s` as content lines of at most 75 octets (RFC 5545 3.1), never splitting a
/// UTF-8 character; each continuation starts with a space.
fn fold(out: &mut String, s: &str) {
    let mut width = 0;
    for c in s.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        fold(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l}");
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
