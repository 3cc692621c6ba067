//! The pages of the ISMS in operation: nonconformities, actions, the audit programme and
//! the calendar (with its iCalendar file), and their CSV twins.

pub mod calendar;
pub mod pages;

use serde_json::Value;
use tera::{Context, Tera};

use super::context::Site;
use super::csv::table;
use super::OutputFile;

pub fn files(site: &Site<'_>, tera: &Tera) -> Result<Vec<OutputFile>, String> {
    let events = calendar::events(site.hb, site.checked, &site.withheld);
    let mut out = vec![OutputFile {
        path: "calendar.ics".into(),
        bytes: calendar::ics(site.hb, &events).into_bytes(),
    }];
    let page = |template: &str, key: &str, value: &dyn erased::Ser| -> Result<OutputFile, String> {
        let mut ctx = Context::new();
        value.insert(&mut ctx, key);
        site.listing_page(tera, template, template.into(), "", ctx)
    };
    // Past the limit of rows, in pages (calendar-2.html …): the dates grow with documents.
    let paged_page = |template: &'static str| {
        move |p: usize, ctx: &mut Context| {
            let path = super::paged::page_file(template.trim_end_matches(".html"), p);
            site.listing_page(tera, template, path, "", ctx.clone())
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

/// Tera's `insert` is generic; this lets one closure insert values of several types.
mod erased {
    pub trait Ser {
        fn insert(&self, ctx: &mut tera::Context, key: &str);
    }
    impl<T: serde::Serialize> Ser for T {
        fn insert(&self, ctx: &mut tera::Context, key: &str) {
            ctx.insert(key, self);
        }
    }
}
