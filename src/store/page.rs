//! What a chat page load must look at, in one read (issue 19, item 7): reminders parked for
//! the user, staff replies of a hand-off not yet shown, and whether a hand-off is open. Almost
//! always all three are "no", and then the page takes nothing: one statement on a reader
//! instead of three on the single writer (one of them an `UPDATE`) for every page view.

use sqlx::AnyPool;

use super::StoreError;
use crate::engine::UserKey;

/// What waits for a page of `user`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageNews {
    /// Rows in the outbox (reminders parked for the next visit): take them.
    pub parked: bool,
    /// Staff replies or notices of a hand-off not yet delivered: take them.
    pub replies: bool,
    /// A hand-off is open: the page asks for replies every few seconds.
    pub handoff_open: bool,
    /// ... and it is live (staff are talking with the user), not a question left off duty
    /// that waits for staff: only then is the page "人工服务中" with a 结束人工 button.
    pub handoff_live: bool,
}

/// Reads [`PageNews`] for `user` in one statement (on a reader pool: nothing here writes).
pub async fn news(pool: &AnyPool, user: &UserKey) -> Result<PageNews, StoreError> {
    // Integers, not booleans: SQLite has none, and both backends must decode the same types.
    let (parked, replies, open, live): (i64, i64, i64, i64) = sqlx::query_as(concat!(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE channel = $1 AND user_id = $2)
                     THEN 1 ELSE 0 END,
                CASE WHEN EXISTS (SELECT 1 FROM handoff_messages m
                                  JOIN handoff_threads t ON t.id = m.thread_id
                                  WHERE t.channel = $1 AND t.user_id = $2
                                    AND m.delivered_at IS NULL AND m.sender IN ('staff', 'bot'))
                     THEN 1 ELSE 0 END, ",
        open_handoff_sql!(),
        ", CASE WHEN EXISTS (SELECT 1 FROM handoff_threads
                             WHERE channel = $1 AND user_id = $2 AND closed_at IS NULL AND live = 1)
                THEN 1 ELSE 0 END"
    ))
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_one(pool)
    .await?;
    Ok(PageNews {
        parked: parked != 0,
        replies: replies != 0,
        handoff_open: open != 0,
        handoff_live: live != 0,
    })
}
