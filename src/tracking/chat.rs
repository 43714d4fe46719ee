//! What conversations can do with applications and reminders: the engine's named actions
//! `record_application`, `show_applications`, `show_reminders`, `review_due`, the buttons those
//! show, and free-text status reports ("审核通过了，有效期到2027年6月30日").
//!
//! Pure: the engine calls these with the content, the session's slots, the user's data and `now`;
//! it renders [`TrackOutput`] as a reply, stamps the button payloads, sets the slots and hands the
//! effects to the store in the turn's transaction.
//!
//! STUB: owned by the tracking work (issue 4); the signatures are the contract with the engine.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::content::Content;
use crate::engine::{Effect, UserData};

/// Everything a tracking action may read.
#[derive(Debug, Clone, Copy)]
pub struct TrackContext<'a> {
    /// Validated content (regions, calendar, catalogue).
    pub content: &'a Content,
    /// The user's region, if chosen.
    pub region: Option<&'a str>,
    /// The current dialog's slots (`kind`, `disease`, `insurance`, `accepted_on`, …).
    pub slots: &'a BTreeMap<String, String>,
    /// The user's stored applications.
    pub user: &'a UserData,
    /// Consent to store personal data: without `Some(true)` nothing personal may be stored.
    pub consent: Option<bool>,
    /// The time of the turn.
    pub now: DateTime<Utc>,
}

/// A button offered by tracking. The engine wraps `payload` into the button data (≤ 64 bytes
/// in total, so keep payloads ≤ 40 bytes) and hands it back through [`on_button`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackChoice {
    /// Label shown (≤ 64 bytes).
    pub label: String,
    /// Opaque to the engine.
    pub payload: String,
}

/// The result of a tracking action.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackOutput {
    /// Text for the user (may be empty when the action only sets slots).
    pub text: String,
    /// Buttons to offer with the text.
    pub choices: Vec<TrackChoice>,
    /// Slots to set for later templates (see `content::dialogs::ACTIONS`).
    pub set: BTreeMap<String, String>,
    /// Changes for the store.
    pub effects: Vec<Effect>,
}

/// Runs a named action (`record_application`, `show_applications`, `show_reminders`,
/// `review_due`); `None` for a name tracking does not own.
pub fn run_action(_action: &str, _ctx: &TrackContext) -> Option<TrackOutput> {
    None
}

/// Handles a pressed tracking button; `None` when the payload is not (or no longer) valid.
pub fn on_button(_payload: &str, _ctx: &TrackContext) -> Option<TrackOutput> {
    None
}

/// Recognises a free-text status report about the user's application; `None` when `text` is not
/// one (the engine then tries the FAQ).
pub fn status_report(_text: &str, _ctx: &TrackContext) -> Option<TrackOutput> {
    None
}
