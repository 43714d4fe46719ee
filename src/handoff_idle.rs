//! The idle close of live hand-offs (issue 18) as a background step: a hand-off in which
//! nobody wrote for [`IDLE_MINUTES`] closes, and its user is told the assistant is back
//! (`closed_idle` of `faq/handoff.yaml`) on their channel — without waiting for the user's next
//! message or for staff to load the inbox, which also close it.
//!
//! [`run_once`] is one public step, run by the reminder worker's loop on every instance
//! (`scheduler::run_until_stopped`) and by each load of the inbox. The notice goes the way staff
//! replies go: it is a message of the hand-off, taken by the chat page and sent to Telegram
//! and WeChat by the relay (`crate::relay`). Each hand-off is closed once however many
//! workers run: the store claims it in the database (`store::handoff::close_idle`).

use chrono::{DateTime, Utc};

use crate::assistant::Assistant;
use crate::engine::handoff::IDLE_MINUTES;
use crate::store::{handoff, Store, StoreError};

/// One step: closes every live hand-off idle since `now - IDLE_MINUTES` and queues the notice
/// for its user. Returns how many this worker closed.
pub async fn run_once(
    store: &Store,
    assistant: &Assistant,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let before = now.timestamp() - IDLE_MINUTES * 60;
    let notice = &assistant.content.handoff.closed_idle;
    let mut closed = 0;
    // Batches keep each claim short; a batch smaller than the limit was the last.
    loop {
        let batch = handoff::close_idle(store, before, notice, now).await?;
        closed += batch;
        if batch < handoff::IDLE_BATCH {
            return Ok(closed);
        }
    }
}
