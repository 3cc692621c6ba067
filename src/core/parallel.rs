//! Data parallelism for the per-document stages (parse, render, write).

use rayon::prelude::*;

/// `items.map(f)` on all cores, results in input order (so output stays deterministic).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    items.par_iter().map(f).collect()
}
