//! Data parallelism for the per-document stages (parse, render, write).

use rayon::prelude::*;

/// `items.map(f)` on all cores, results in input order (so output stays deterministic).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    items.par_iter().map(f).collect()
}

/// [`map`] for items of very uneven cost (a site-wide page beside a thousand small ones),
/// longest first: each core takes the next item when it is free, so the small items at the
/// end fill the gaps. [`map`] hands each core halves of the list, and the half holding the
/// long items kept one core busy for the last tenth of a build while the other idled.
pub fn map_uneven<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let done: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        let r = f(item);
        *done[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    };
    let workers = rayon::current_num_threads().clamp(1, items.len().max(1));
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| work());
        }
    });
    // A panic in `f` ends the scope with it: every slot is filled here.
    done.into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_uneven_keeps_the_input_order() {
        let items: Vec<u64> = (0..200).collect();
        // The first items cost most, as a build's site-wide pages do.
        let out = super::map_uneven(&items, |&n| {
            let spin = if n < 4 { 200_000 } else { 10 };
            (0..spin).fold(n, |a, b| a.wrapping_add(b % 3)) - (0..spin).map(|b| b % 3).sum::<u64>()
        });
        assert_eq!(out, items);
        assert!(super::map_uneven(&Vec::<u8>::new(), |&b| b).is_empty());
    }
}
