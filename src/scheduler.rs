//! The reminder worker: a loop (`run_until_stopped`) around one public step (`run_once(now)`),
//! and the [`Sender`] interface through which every channel delivers reminders.
//!
//! STUB: owned by the tracking work (issue 4); the `Sender` trait is the contract with Telegram.

use std::future::Future;
use std::time::Duration;

use crate::engine::UserKey;

/// Why a reminder could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The user blocked the bot (Telegram 403): never try this user again.
    #[error("the user blocked the assistant")]
    Blocked,
    /// Rate-limited: try again after this long.
    #[error("rate limited, retry after {0:?}")]
    RetryAfter(Duration),
    /// Anything else (network …): try again later.
    #[error("delivery failed: {0}")]
    Failed(String),
}

/// Delivers a reminder text to a user on the sender's channel.
pub trait Sender: Send + Sync {
    /// The channel this sender serves (`terminal`, `telegram`).
    fn channel(&self) -> &str;
    /// Sends `text` to `to`.
    fn send(&self, to: &UserKey, text: &str) -> impl Future<Output = Result<(), SendError>> + Send;
}
