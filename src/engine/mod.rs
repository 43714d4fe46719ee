//! The conversation engine: `state + input + now → replies, next state, effects`.
//!
//! Pure: no teloxide, sqlx, axum or filesystem. Adapters (terminal, Telegram) turn their
//! updates into [`Input`], call [`handle`], send the [`Reply`]s and hand the [`Effect`]s to the
//! store inside the same transaction as the new [`Session`].
//!
//! STUB: owned by the conversation-engine work (issue 3); the types are the contract.

pub mod input;
mod types;

pub use types::*;

use chrono::{DateTime, Utc};

use crate::assistant::Assistant;

/// Handles one user input. Never fails: bad input and stale state produce polite replies.
pub fn handle(
    _assistant: &Assistant,
    session: &Session,
    _user: &UserData,
    _input: Input,
    _now: DateTime<Utc>,
) -> Outcome {
    Outcome { replies: Vec::new(), session: session.clone(), effects: Vec::new() }
}
