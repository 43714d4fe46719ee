//! The conversation engine: `state + input + now → replies, next state, effects`.
//!
//! Pure: no teloxide, sqlx, axum or filesystem. Adapters (terminal, Telegram) turn their
//! updates into [`Input`], call [`handle`], send the [`Reply`]s and hand the [`Effect`]s to the
//! store inside the same transaction as the new [`Session`].
//!
//! Precedence for typed text: a command in plain words or a region switch (unless it is a
//! button label of the step), then an answer to the current step, then slash commands, then a
//! free-text question (answered from the FAQ, after which the current step is
//! asked again so nothing the user already entered is lost).
//!
//! # Layout
//!
//! [`handle`] runs one `turn::Turn`, whose methods are split by concern: `turn` (state, dispatch,
//! buttons, at most two messages a turn), `text` (typed text; `Turn::free_text` is where text
//! that answers no step goes), `answers` (reading answers to the current step), `steps` (walking
//! dialog trees), `pending` (consent, "did you mean …?", a disease the catalogue lacks), `menu`
//! (commands and the main menu), `said` (commands in plain words and region switches, read at
//! every step before its answer; the words are content, see [`commands`]). [`wording`] reads typed button answers (numbers, partial labels,
//! 是的/算了) and tells questions from answers; [`track`] is the conversation side of
//! application tracking. The engine sits on top of the domain modules (`tracking`, `knowledge`,
//! `policy`, `content`); none of them imports the engine.
//!
//! Free text is first read by [`crate::understand`]; `understood` is the policy acting on it
//! (regions named, 异地, facts for an estimate or deadline, several diseases) and `composed` the
//! answers it builds within one phone screen. [`context`] is what the conversation has
//! established (insurance, status, amounts, dates, the last question), read by both; it imports
//! neither, so the layers stay one-way: `context` ← `composed` ← `understood` ← `text`.
//! `followup` is the turn's side of the context: follow-ups (`糖尿病呢`), the question asked
//! before the region, no answer twice in a row, dates already said, and `region_changed`, the hook
//! that answers the last question again after a switch of region in words.

mod answers;
pub mod commands;
mod composed;
pub mod context;
mod followup;
pub mod input;
mod menu;
mod pending;
pub mod render;
mod said;
mod steps;
mod text;
pub mod track;
mod track_said;
mod turn;
mod types;
mod understood;
pub mod wording;

pub use commands::Command;
pub use types::*;

use chrono::{DateTime, Utc};

use crate::assistant::Assistant;

/// Messages longer than this are not parsed: nobody answers a step in 2 000 characters, and
/// matching a pasted document against the FAQ would only produce a confident-looking guess.
pub const MAX_INPUT_CHARS: usize = 2000;

/// Handles one user input. Never fails: bad input and stale state produce polite replies.
pub fn handle(
    assistant: &Assistant,
    session: &Session,
    user: &UserData,
    input: Input,
    now: DateTime<Utc>,
) -> Outcome {
    let mut turn = turn::Turn::new(assistant, session.clone(), user, now, true);
    turn.run(input);
    turn.finish()
}

/// What to show a returning user (terminal restart): the pending question again, with buttons
/// that stay valid for the next [`handle`]. Changes nothing.
pub fn resume(
    assistant: &Assistant,
    session: &Session,
    user: &UserData,
    now: DateTime<Utc>,
) -> Vec<Reply> {
    let mut turn = turn::Turn::new(assistant, session.clone(), user, now, false);
    turn.resume();
    turn.finish().replies
}
