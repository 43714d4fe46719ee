//! Staff replies of live hand-offs (issue 18) to the channels that can write first: Telegram (a
//! message) and WeChat (the customer-service API, only within 48 hours of the user's last
//! message). The chat page takes its replies itself (`web::handoff`).
//!
//! A single step, [`deliver_once`], leases what waits for the sender's channel, sends it through
//! the same [`Sender`] the reminders use — a staff reply with the 结束人工 button (an inline
//! button on Telegram, a number on WeChat) — and marks it delivered; [`run_until_stopped`] repeats it
//! every few seconds. Leases make each message go out once when several instances run it. A
//! WeChat reply outside the window is not even leased: it waits in the database, and the user's
//! next message (every turn notes the time on their open hand-off) brings it within the window,
//! so it goes out right after that message.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

use crate::assistant::Assistant;
use crate::clock::Clock;
use crate::engine::render::{encode, ButtonKind};
use crate::engine::{Choice, Reply, UserKey};
use crate::reload::Live;
use crate::scheduler::{SendError, Sender};
use crate::store::handoff::{self, Outgoing};
use crate::store::{Store, StoreError};

/// How often [`run_until_stopped`] looks for replies: a user waiting in a chat notices more
/// than a few seconds.
pub const EVERY: Duration = Duration::from_secs(2);

/// A lease older than this is taken over (the sender died mid-send).
const LEASE_SECONDS: i64 = 120;

/// What one step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Sent and marked delivered.
    pub sent: usize,
    /// Left for a later step (failed, rate-limited, outside the channel's window).
    pub waiting: usize,
}

/// Sends every reply waiting for `sender`'s channel. `window`: the channel may write only this
/// long after the user's last message (WeChat's 48 hours); `None` for no limit.
pub async fn deliver_once(
    store: &Store,
    assistant: &Assistant,
    sender: &impl Sender,
    window: Option<TimeDelta>,
    now: DateTime<Utc>,
) -> Result<Delivered, StoreError> {
    let window_from = window.map_or(i64::MIN, |w| (now - w).timestamp());
    let stale = now.timestamp() - LEASE_SECONDS;
    let channel = sender.channel().to_string();
    let rows = handoff::lease_outgoing(store.pool(), &channel, window_from, stale, now).await?;
    let mut done = Delivered::default();
    for row in rows {
        let user = UserKey::new(channel.clone(), row.user_id.clone());
        match sender.send_reply(&user, &reply_of(assistant, &row)).await {
            Ok(()) => {
                handoff::mark_delivered(store.pool(), row.id, now).await?;
                done.sent += 1;
            }
            // A user who blocked a Telegram bot never gets it; on WeChat "blocked" means
            // outside the window, which their next message reopens.
            Err(SendError::Blocked) if window.is_none() => {
                handoff::mark_delivered(store.pool(), row.id, now).await?;
            }
            Err(err) => {
                tracing::warn!(%err, channel = %channel, "hand-off reply not sent yet");
                handoff::release(store.pool(), row.id).await?;
                done.waiting += 1;
            }
        }
    }
    Ok(done)
}

/// [`deliver_once`] every [`EVERY`] until `stop` turns true.
pub async fn run_until_stopped(
    store: &Store,
    assistant: &Live,
    sender: &impl Sender,
    window: Option<TimeDelta>,
    clock: &dyn Clock,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let current = assistant.current();
        if let Err(err) = deliver_once(store, &current, sender, window, clock.now()).await {
            tracing::error!(%err, "hand-off replies not delivered");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// How a message to the user reads: staff replies marked as such (`staff_says` of
/// `faq/handoff.yaml`).
pub fn text_of(assistant: &Assistant, message: &Outgoing) -> String {
    match message.sender.as_str() {
        handoff::sender::STAFF => assistant.content.handoff.staff_says(&message.body),
        _ => message.body.clone(),
    }
}

/// A message to the user as sent: a staff reply carries the 结束人工 button (the hand-off is
/// open while staff answer; a tap after it closed is told so), the assistant's notices none.
pub fn reply_of(assistant: &Assistant, message: &Outgoing) -> Reply {
    let text = text_of(assistant, message);
    let choices = match message.sender.as_str() {
        handoff::sender::STAFF => vec![end_button(assistant)],
        _ => Vec::new(),
    };
    Reply { text, choices }
}

/// The 结束人工 button, valid whatever turn the user is at.
pub fn end_button(assistant: &Assistant) -> Choice {
    let label = assistant.content.handoff.end_button.clone();
    Choice { label, data: encode(0, &ButtonKind::EndHuman) }
}
