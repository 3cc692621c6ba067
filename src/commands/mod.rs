//! The commands: each goes through the pipeline's driver, [`crate::site::Site`].

pub mod approve;
pub mod bundle;
pub mod changed_since;
pub mod cli;
pub mod import;
pub mod serve;
pub mod templates;
