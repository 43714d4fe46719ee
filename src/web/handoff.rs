//! The chat page's side of a live hand-off (issue 18): staff replies shown on the page, and the
//! conversation before the hand-off shared with staff once the user agreed.
//!
//! The page cannot be pushed to: a reply waits in the database until the page takes it — at the
//! next load (works without script) or through `GET /news`, which the page's script asks every
//! few seconds while a hand-off is open. Taking marks the message delivered in the same
//! statement, so two tabs or instances never show it twice. Failures are logged and cost only a
//! delay: whatever was not taken is taken at the next ask.

use chrono::{DateTime, Utc};

use super::{App, CHANNEL};
use crate::engine::{Reply, UserKey};
use crate::relay::text_of;
use crate::store::handoff;

/// How many of the last messages on the page go to staff with a new hand-off.
const LEAD_MESSAGES: usize = 12;

/// Takes the replies waiting for conversation `id` into its transcript; how many there were.
pub(crate) async fn take(app: &App, id: &str, now: DateTime<Utc>) -> usize {
    let replies = taken(app, id, now).await;
    if !replies.is_empty() {
        app.transcripts.append(id, &replies, false, now);
    }
    replies.len()
}

/// [`take`], returning the texts as shown (for `GET /news`).
pub(crate) async fn take_texts(app: &App, id: &str, now: DateTime<Utc>) -> Vec<String> {
    let replies = taken(app, id, now).await;
    if !replies.is_empty() {
        app.transcripts.append(id, &replies, false, now);
    }
    replies.into_iter().map(|r| r.text).collect()
}

/// Whether conversation `id` has an open hand-off (the page then asks for replies). Read on a
/// reader: every message asks, and need not queue behind other conversations' turns.
pub(crate) async fn is_open(app: &App, id: &str) -> bool {
    let user = UserKey::new(CHANNEL, id);
    handoff::is_open(app.store.reader(), &user).await.unwrap_or_else(|err| {
        tracing::error!(error = %err, "web: hand-off state unreadable");
        false
    })
}

/// Shares the page's last messages with staff when a hand-off was opened (the store adds them
/// once, to an open hand-off without them). The page is the only place a web conversation is
/// kept; the user agreed to share it before the hand-off opened.
pub(crate) async fn share_lead(app: &App, id: &str, now: DateTime<Utc>) {
    let user = UserKey::new(CHANNEL, id);
    if !is_open(app, id).await {
        return;
    }
    let transcript = app.transcripts.get(id, now);
    let skip = transcript.messages.len().saturating_sub(LEAD_MESSAGES);
    let lines: Vec<(bool, String)> = transcript
        .messages
        .iter()
        .skip(skip)
        .filter(|m| !m.reminder)
        .map(|m| (m.mine, m.text.clone()))
        .collect();
    let hotlines: Vec<String> = app
        .assistant
        .current()
        .content
        .regions
        .values()
        .filter_map(|r| r.hotline.clone())
        .collect();
    if let Err(err) = handoff::attach_lead(app.store.pool(), &user, &lines, &hotlines, now).await {
        tracing::error!(error = %err, "web: hand-off lead not shared");
    }
}

async fn taken(app: &App, id: &str, now: DateTime<Utc>) -> Vec<Reply> {
    let user = UserKey::new(CHANNEL, id);
    match handoff::take_for(app.store.pool(), &user, now).await {
        Ok(rows) => {
            let assistant = app.assistant.current();
            rows.iter()
                .map(|m| Reply { text: text_of(&assistant, m), choices: Vec::new() })
                .collect()
        }
        Err(err) => {
            tracing::error!(error = %err, "web: staff replies unreadable");
            Vec::new()
        }
    }
}
