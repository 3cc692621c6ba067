//! `calendar.ics` is read back by a real iCalendar parser (the `ical` crate): one event per
//! due item, all-day, stable UIDs, a recurrence rule per recurring activity, same bytes for
//! the same `--today`.

mod common;
use std::collections::BTreeMap;

use common::Handbook;

/// (UID, property name -> value) of every VEVENT of the built calendar.
pub fn parse(ics: &str) -> Vec<BTreeMap<String, String>> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let mut out = Vec::new();
    for cal in reader {
        let cal = cal.expect("calendar.ics parses");
        for e in cal.events {
            let mut props = BTreeMap::new();
            for p in e.properties {
                let params = p
                    .params
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| format!(";{k}={}", v.join(",")))
                    .collect::<String>();
                props.insert(format!("{}{params}", p.name), p.value.unwrap_or_default());
            }
            out.push(props);
        }
    }
    out
}

fn build(hb: &Handbook, today: &str) -> String {
    let out = hb.path().join("public");
    hb.run(&["build", "--today", today, "--out", out.to_str().unwrap()])
        .assert_exit(0);
    hb.read("public/calendar.ics")
}

#[test]
fn the_calendar_has_one_all_day_event_per_due_item_with_stable_uids() {
    let hb = Handbook::fixture("operation");
    let ics = build(&hb, "2026-06-01");
    let events = parse(&ics);
    let uids: Vec<&str> = events.iter().map(|e| e["UID"].as_str()).collect();
    assert_eq!(
        uids,
        [
            "activity-ACT-01@ismsbook",
            "action-CA-2026-01-1@ismsbook",
            "action-MR-2026-01@ismsbook",
            "review-BASE-01@ismsbook",
            "review-PRO-01@ismsbook",
            "management-review-due@ismsbook",
            "internal-audit-due@ismsbook",
        ]
    );
    let activity = &events[0];
    assert_eq!(activity["DTSTART;VALUE=DATE"], "20260710");
    assert_eq!(activity["RRULE"], "FREQ=MONTHLY;INTERVAL=3");
    assert_eq!(
        activity["DTSTAMP"], "20260601T000000Z",
        "from --today, not the clock"
    );
    assert!(events.iter().all(|e| e.contains_key("DTSTART;VALUE=DATE")));
    // The escaped comma comes back as a comma.
    assert!(
        events[1]["SUMMARY"].contains("(CISO\\, NC-2026-01)")
            || events[1]["SUMMARY"].contains("(CISO, NC-2026-01)")
    );
    assert_eq!(build(&hb, "2026-06-01"), ics, "same input, same bytes");
    assert!(
        ics.lines().all(|l| l.len() <= 76),
        "lines fold at 75 octets"
    );
}

#[test]
fn a_missed_run_is_flagged_and_the_series_moves_on() {
    let hb = Handbook::fixture("operation");
    let toml = hb.read("ismsbook.toml");
    hb.write(
        "ismsbook.toml",
        format!("{toml}\n[certification]\nbody = \"Cert Ltd\"\ncertificate = \"IS 1\"\nissued = 2025-06-20\n"),
    );
    // `build` refuses a handbook with errors (a missed run is one); `serve` shows it, from
    // the same events.
    let source = ismsbook::load::WorkTree {
        root: hb.path().to_path_buf(),
    };
    let today = "2026-07-20".parse().unwrap();
    let loaded =
        ismsbook::load::load(hb.path(), &source, today, ismsbook::load::Keep::Metadata).unwrap();
    let checked = ismsbook::check::check(&loaded);
    let events =
        ismsbook::render::operation::calendar::events(&loaded, &checked, &checked.withheld);
    let ics = ismsbook::render::operation::calendar::ics(&loaded, &events);
    let events = parse(&ics);
    let by_uid = |uid: &str| {
        events
            .iter()
            .find(|e| e["UID"] == uid)
            .unwrap_or_else(|| panic!("{uid}: {events:#?}"))
    };
    assert_eq!(
        by_uid("activity-ACT-01-missed-2026-07-10@ismsbook")["DTSTART;VALUE=DATE"],
        "20260710"
    );
    assert_eq!(
        by_uid("activity-ACT-01@ismsbook")["DTSTART;VALUE=DATE"],
        "20261010"
    );
    assert_eq!(
        by_uid("certification-2025-06-20-3@ismsbook")["DTSTART;VALUE=DATE"],
        "20280620"
    );
    assert!(by_uid("certification-2025-06-20-1@ismsbook")["SUMMARY"]
        .contains("First surveillance audit: Cert Ltd IS 1"));
}

#[test]
fn the_example_calendar_has_one_event_per_due_item() {
    let hb = Handbook::example();
    let events = parse(&build(&hb, "2026-11-30"));
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        *by_kind.entry(e["CATEGORIES"].clone()).or_default() += 1;
    }
    // 42 approved documents with a review cycle (records have none), the 15 open actions
    // (7 of risk treatment, 3 corrective, 5 of the management review), the expiry of each of
    // the 17 risk acceptances, 5 recurring activities, the next internal audit and
    // management review, and the certificate's three audits.
    let want: BTreeMap<String, usize> = [
        ("review", 42),
        ("action", 15),
        ("acceptance", 17),
        ("activity", 5),
        ("audit", 1),
        ("management-review", 1),
        ("certification", 3),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(by_kind, want);
    let uids: std::collections::BTreeSet<&str> = events.iter().map(|e| e["UID"].as_str()).collect();
    assert_eq!(uids.len(), events.len(), "every UID unique");
    assert!(events
        .iter()
        .filter(|e| e["CATEGORIES"] == "activity")
        .all(|e| e["RRULE"].starts_with("FREQ=")));
}
