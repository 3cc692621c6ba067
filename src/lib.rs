//! ismsbook: a static site generator for ISO/IEC 27001:2022 ISMS handbooks.
//!
//! The pipeline runs one way: [`config`] and [`load`] read the files into the [`model`];
//! [`validate`] applies the rules and resolves [`links`]; [`render`] produces the pages and
//! [`write`] puts them in place. [`site`] owns that pipeline: every command (`cli`, `serve`,
//! `bundle`) goes through its `Site`. [`diagnostics`] is the one type for problems and the one
//! printer; [`catalog`] is the ISO/IEC 27001:2022 data.

pub mod approve;
pub mod bundle;
pub mod catalog;
pub mod changes;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod history;
pub mod import;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
mod parallel;
pub mod pdf;
pub mod render;
pub mod serve;
pub mod site;
pub mod suggest;
pub mod templates;
pub mod types;
pub mod validate;
pub mod write;
