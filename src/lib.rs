//! ismsbook: a static site generator for ISO/IEC 27001:2022 ISMS handbooks.
//!
//! The pipeline runs one way: [`load`] reads the configuration and the files into the model
//! (parsing the Markdown); [`check`] applies the rules and resolves the links; [`render`]
//! produces the pages and [`output`] puts them in place (or prints them). [`history`] reads
//! the Git history and the changes between editions. [`site`] owns that pipeline: every one of
//! the [`commands`] goes through its `Site`. [`core`] is the vocabulary every stage uses: the
//! value types, the one type for problems and its printer, the ISO/IEC 27001:2022 catalog.

pub mod check;
pub mod commands;
pub mod core;
pub mod history;
pub mod load;
pub mod output;
pub mod render;
pub mod site;
