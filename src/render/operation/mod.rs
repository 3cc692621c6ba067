//! The pages of the ISMS in operation: nonconformities, actions, the audit programme and
//! the calendar (with its iCalendar file), and their CSV twins.

pub mod calendar;
pub mod pages;

use serde_json::Value;
use tera::{Context, Tera};

use super::context::Site;
use super::csv::table;
use super::memo::{Lazy, Part};
use super::OutputFile;

pub fn files(site: &Site<'_>, tera: &Tera) -> Result<Vec<OutputFile>, String> {
    let events = calendar::events(site.hb, site.checked, &site.withheld);
    let mut out = vec![OutputFile {
        path: "calendar.ics".into(),
        bytes: ics(site, &events)?,
    }];
    let page = |template: &str, key: &str, value: &dyn Part| -> Result<OutputFile, String> {
        let page = (template, template.to_string(), "");
        site.listing_page(tera, page, Context::new(), &[(key, value)])
    };
    // Past the limit of rows, in pages (calendar-2.html …): the dates grow with documents.
    let paged_page = |template: &'static str| {
        move |p: usize, ctx: Context, rows: &Lazy<'_>| {
            let path = super::paged::page_file(template.trim_end_matches(".html"), p);
            site.listing_page(tera, (template, path, ""), ctx, rows)
        }
    };
    let note = "Sorting works on this page; calendar.ics holds every date.";
    let calendar = paged_page("calendar.html");
    out.extend(site.paged_rows(
        &events,
        "calendar",
        ("events", note),
        calendar,
        Context::new(),
    )?);
    let actions = pages::action_rows(site);
    let note = "Sorting works on this page; actions.csv holds every action.";
    let page_of = paged_page("actions.html");
    out.extend(site.paged_rows(
        &actions,
        "actions",
        ("actions", note),
        page_of,
        Context::new(),
    )?);
    let ncs = pages::nonconformity_rows(site);
    out.push(page("nonconformities.html", "nonconformities", &ncs)?);
    out.push(page(
        "audit-programme.html",
        "programme",
        &pages::programme(site),
    )?);
    out.push(csv(
        "actions.csv",
        &actions,
        &[
            "id", "kind", "of", "action", "owner", "due", "status", "done", "overdue",
        ],
    ));
    out.push(csv(
        "nonconformities.csv",
        &ncs,
        &[
            "id",
            "raised",
            "source",
            "severity",
            "description",
            "controls",
            "clauses",
            "root_cause",
            "correction",
            "actions",
            "effectiveness",
            "closed",
        ],
    ));
    Ok(out)
}

/// Events per part of calendar.ics that `serve` keeps.
const ICS_CHUNK: usize = 512;

/// calendar.ics: every date of the handbook (6 MB at 10,000 documents). In `serve`, only
/// the parts whose events an edit changed are made again.
fn ics(site: &Site<'_>, events: &[calendar::Event]) -> Result<Vec<u8>, String> {
    let today = site.hb.today;
    let head = calendar::ics_head(site.hb);
    let parts = (events.chunks(ICS_CHUNK).enumerate())
        .map(|(k, chunk)| {
            let place = format!("calendar.ics#{k}");
            site.memoized(&place, &[&chunk, &today.to_string()], || {
                Ok(calendar::ics_events(today, chunk))
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    // Sized once: grown part by part, 6 MB were copied and faulted in several times.
    let size = head.len() + parts.iter().map(|p| p.len()).sum::<usize>() + calendar::ICS_TAIL.len();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head.as_bytes());
    for part in &parts {
        out.extend_from_slice(part.as_bytes());
    }
    out.extend_from_slice(calendar::ICS_TAIL.as_bytes());
    Ok(out)
}

/// A CSV of JSON rows: lists joined with `; `, nested values (actions, effectiveness) as
/// their short text.
fn csv(path: &str, rows: &[Value], columns: &[&str]) -> OutputFile {
    let cell = |v: &Value| -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => format!(
                        "{} ({}, due {}, {})",
                        o["id"].as_str().unwrap_or(""),
                        o["owner"].as_str().unwrap_or(""),
                        o["due"].as_str().unwrap_or(""),
                        o["status"].as_str().unwrap_or("")
                    ),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{k}: {}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    };
    let body = table(
        columns,
        rows.iter()
            .map(|r| columns.iter().map(|c| cell(&r[*c])).collect::<Vec<_>>()),
    );
    OutputFile {
        path: path.into(),
        bytes: body.into_bytes(),
    }
}
