//! One conversation turn, end to end: in a single transaction, skip an already-processed update,
//! load the session and user data, run the engine, apply its effects, save the session and
//! record the update. A crash anywhere before commit leaves no trace of the turn.
//!
//! Shared by every channel (terminal, Telegram, tests).
//!
//! STUB: owned by the conversation-engine work (issue 3); the signature is the contract.

use chrono::{DateTime, Utc};

use crate::assistant::Assistant;
use crate::engine::{Input, Reply, UserKey};
use crate::store::{Store, StoreError};

/// One incoming message or button press.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    /// Who sent it.
    pub user: UserKey,
    /// The channel's update id, when the channel may redeliver (Telegram); `None` for the terminal.
    pub update_id: Option<i64>,
    /// What they sent.
    pub input: Input,
    /// When it is handled.
    pub now: DateTime<Utc>,
}

/// What a turn produced.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnResult {
    /// Replies to send, in order.
    Replies(Vec<Reply>),
    /// The update was already processed: send nothing, change nothing.
    Duplicate,
}

/// Runs one turn in one transaction.
pub async fn turn(
    _store: &Store,
    _assistant: &Assistant,
    _request: TurnRequest,
) -> Result<TurnResult, StoreError> {
    Ok(TurnResult::Replies(Vec::new()))
}
