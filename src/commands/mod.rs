//! The commands: each goes through the pipeline's driver, [`crate::site::Site`].

pub mod accept;
pub mod approve;
pub mod bundle;
pub mod changed_since;
pub mod cli;
pub mod import;
pub mod serve;
pub mod templates;
mod yaml_lines;
