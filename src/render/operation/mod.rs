//! The pages of the ISMS in operation: the calendar (and, with it, its iCalendar file).

pub mod calendar;

use tera::{Context, Tera};

use super::context::Site;
use super::OutputFile;

/// `calendar.html` and `calendar.ics`.
pub fn files(site: &Site<'_>, tera: &Tera) -> Result<Vec<OutputFile>, String> {
    let events = calendar::events(site.hb, site.checked);
    let ics = OutputFile {
        path: "calendar.ics".into(),
        bytes: calendar::ics(site.hb, &events).into_bytes(),
    };
    let mut ctx = Context::new();
    ctx.insert("events", &events);
    let html = site.page(tera, "calendar.html", "calendar.html".into(), "", ctx)?;
    Ok(vec![ics, html])
}
