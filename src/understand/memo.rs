//! One turn's memo of readings: the engine's handlers ask for the same message's
//! [`Understanding`] several times in one turn (dispatch, the answer, the follow-up checks …),
//! and reading it — dialect, pinyin, every word list, the disease matcher — was most of a web
//! message's CPU. Inside [`within`] (the engine wraps each turn in it) [`Reader::read`] reads a
//! (text, today, region) once and hands out copies; outside it nothing is kept. The memo ends
//! with the turn, so no message outlives it and nothing another instance needs is held. The
//! disease matches of a turn are kept the same way (`recall_matches`).
//!
//! [`Reader::read`]: super::Reader::read

use std::cell::RefCell;

use chrono::NaiveDate;

use super::{Context, Understanding};
use crate::knowledge::DiseaseMatch;

/// One reading: the reader it came from (its address: a reload builds a new one), the text and
/// the context it was read in.
struct Entry {
    reader: usize,
    text: String,
    today: NaiveDate,
    region: Option<String>,
    read: Understanding,
}

/// One disease match: the index it came from (its address), the text and the region.
struct Matched {
    index: usize,
    text: String,
    region: String,
    found: Vec<DiseaseMatch>,
}

thread_local! {
    /// `Some` while a turn runs on this thread (a turn is synchronous: it never moves threads).
    static MEMO: RefCell<Option<Vec<Entry>>> = const { RefCell::new(None) };
    /// The disease matches of the turn (the reader matches every segment of a message in every
    /// region it reads it for, and the handlers ask again): `Some` with [`MEMO`].
    static MATCHES: RefCell<Option<Vec<Matched>>> = const { RefCell::new(None) };
}

/// Runs `turn` with readings memoised; a nested call shares the outer memo.
pub fn within<T>(turn: impl FnOnce() -> T) -> T {
    let outer = MEMO.with(|m| m.borrow().is_some());
    if outer {
        return turn();
    }
    MEMO.with(|m| *m.borrow_mut() = Some(Vec::new()));
    MATCHES.with(|m| *m.borrow_mut() = Some(Vec::new()));
    // Cleared even when the turn panics (the thread may serve another conversation next).
    let _end = End;
    turn()
}

/// Empties the memo when the outermost [`within`] ends.
struct End;

impl Drop for End {
    fn drop(&mut self) {
        MEMO.with(|m| *m.borrow_mut() = None);
        MATCHES.with(|m| *m.borrow_mut() = None);
    }
}

/// The reading of `text` in `ctx` by `reader`, from the memo when a turn already read it, else
/// `read()` (kept for the rest of the turn).
pub(super) fn recall(
    reader: usize,
    text: &str,
    ctx: Context<'_>,
    read: impl FnOnce() -> Understanding,
) -> Understanding {
    let same = |e: &Entry| {
        e.reader == reader
            && e.text == text
            && e.today == ctx.today
            && e.region.as_deref() == ctx.region
    };
    let known = MEMO.with(|m| {
        m.borrow().as_ref().map(|entries| entries.iter().find(|e| same(e)).map(|e| e.read.clone()))
    });
    match known {
        // No turn running: nothing is kept.
        None => read(),
        Some(Some(u)) => u,
        Some(None) => {
            let u = read();
            MEMO.with(|m| {
                if let Some(entries) = m.borrow_mut().as_mut() {
                    entries.push(Entry {
                        reader,
                        text: text.to_string(),
                        today: ctx.today,
                        region: ctx.region.map(str::to_string),
                        read: u.clone(),
                    });
                }
            });
            u
        }
    }
}

/// The diseases `index` matches in `text` for `region`, from the memo when the turn already
/// matched them, else `find()` (kept for the rest of the turn).
pub(crate) fn recall_matches(
    index: usize,
    text: &str,
    region: &str,
    find: impl FnOnce() -> Vec<DiseaseMatch>,
) -> Vec<DiseaseMatch> {
    let same = |e: &Matched| e.index == index && e.text == text && e.region == region;
    let known = MATCHES.with(|m| {
        m.borrow().as_ref().map(|all| all.iter().find(|e| same(e)).map(|e| e.found.clone()))
    });
    match known {
        None => find(),
        Some(Some(found)) => found,
        Some(None) => {
            let found = find();
            MATCHES.with(|m| {
                if let Some(all) = m.borrow_mut().as_mut() {
                    let (text, region) = (text.to_string(), region.to_string());
                    all.push(Matched { index, text, region, found: found.clone() });
                }
            });
            found
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn ctx(region: Option<&str>) -> Context<'_> {
        Context { today: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(), region }
    }

    #[test]
    fn a_turn_reads_each_message_once_and_keeps_nothing_after_it() {
        let reads = Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            Understanding { question: true, ..Understanding::default() }
        };
        within(|| {
            assert!(recall(1, "能报吗", ctx(None), read).question);
            assert!(recall(1, "能报吗", ctx(None), read).question);
            // Another region, text or reader (a reload) is another reading.
            recall(1, "能报吗", ctx(Some("shaoyang")), read);
            recall(1, "能报不", ctx(None), read);
            recall(2, "能报吗", ctx(None), read);
        });
        assert_eq!(reads.get(), 4);
        recall(1, "能报吗", ctx(None), read);
        recall(1, "能报吗", ctx(None), read);
        assert_eq!(reads.get(), 6, "outside a turn every call reads");
        assert!(MEMO.with(|m| m.borrow().is_none()));
    }
}
