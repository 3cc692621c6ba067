//! Output: [`write`](mod@write) puts the rendered site in place; [`pdf`] prints it.

pub mod pdf;
pub mod write;
