//! The turn the turn benches time (`turn.rs` on SQLite, `pg.rs` on PostgreSQL): a press of the
//! first button in a dialog that loops (线上还是线下 → 线上怎么办 → 还想了解什么 → …), with a
//! fresh Telegram update id, so every turn claims its update, reads session and user data,
//! runs the engine and saves the session.

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::engine::{Choice, Input, Reply, UserKey};
use mente::service::{self, TurnRequest, TurnResult};
use mente::store::Store;
use mente::terminal::{format_replies, resolve_input};

/// The press of the first of the `offered` buttons, as update `update` of `user` at `now`.
pub fn press_first(
    user: &UserKey,
    update: i64,
    offered: &[Choice],
    now: DateTime<Utc>,
) -> TurnRequest {
    TurnRequest {
        user: user.clone(),
        update_id: Some(update),
        input: resolve_input("1", offered),
        now,
    }
}

/// The buttons `replies` offer next; panics unless the dialog looped back.
pub fn looped(replies: &[Reply]) -> Vec<Choice> {
    let (text, offered) = format_replies(replies);
    assert!(text.contains("还想了解什么"), "the dialog loops: {text}");
    offered
}

/// When the benches' turns happen.
pub fn now() -> DateTime<Utc> {
    "2026-03-02T10:00:00+08:00".parse().expect("an instant")
}

/// Brings `user` into the loop (region 邵阳, then 线上还是线下); the buttons offered then.
pub async fn enter(store: &Store, assistant: &Assistant, user: &UserKey) -> Vec<Choice> {
    service::preselect_region(store, user, "shaoyang", now()).await.unwrap();
    let input = Input::Text("线上还是线下".into());
    let request = TurnRequest { user: user.clone(), update_id: None, input, now: now() };
    let TurnResult::Replies(replies) = service::turn(store, assistant, request).await.unwrap()
    else {
        panic!("no update id")
    };
    format_replies(&replies).1
}
