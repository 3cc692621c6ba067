//! The vocabulary every stage uses: the value [`types`], the one [`diagnostics`] type and
//! printer, the ISO/IEC 27001:2022 [`catalog`], spelling [`suggest`]ions, and `parallel`
//! work.

pub mod base64;
pub mod catalog;
pub mod diagnostics;
pub mod formats;
pub mod frameworks;
pub(crate) mod parallel;
pub mod signing;
pub mod stage;
pub mod suggest;
pub mod types;
