//! How much one page may hold: past these, print.html is split into parts and the long
//! listings into pages, so that a 100,000-document handbook stays usable in a browser.

/// The limits a site is rendered with. Tests pass small ones (`render::Options::limits`,
/// the hidden `build --print-per-part` and `--rows-per-page`); everyone else the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Published documents print.html holds at most; past it, print.html lists parts of
    /// at most this many documents, each its own page (`print/1.html` …).
    pub print_part: usize,
    /// Rows a listing page shows at most; past it, the rest go to further pages.
    pub rows_per_page: usize,
}

/// 500 documents make a page of about 3 MB (6.5 KB a document in the generated handbook,
/// policies with tables run longer): Chromium opens and prints that in a few seconds,
/// where 10,000 documents (65 MB) take minutes and a gigabyte, and 100,000 do not print
/// at all. 500 also keeps a part's PDF under a thousand pages or so, a size that an
/// auditor's reader handles.
pub const PRINT_PART: usize = 500;

/// 1,000 rows keep a listing near 0.5 MB, which a phone opens and the filter script
/// sorts and filters at once; beyond a few thousand rows, both slow down noticeably.
pub const ROWS_PER_PAGE: usize = 1000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            print_part: PRINT_PART,
            rows_per_page: ROWS_PER_PAGE,
        }
    }
}

impl Limits {
    /// A limit of 0 would never end a page: 1 is the smallest that makes sense.
    pub fn print_part(&self) -> usize {
        self.print_part.max(1)
    }

    pub fn rows_per_page(&self) -> usize {
        self.rows_per_page.max(1)
    }
}
