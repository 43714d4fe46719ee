//! The outbox: replies of a committed turn that the channel has not delivered yet.
//!
//! `service::turn_with_outbox` writes a turn's replies here in the turn's own transaction, so
//! a turn is never committed without its replies. The channel sends them and calls
//! [`mark_sent`] for each; at start it sends whatever [`pending`] still holds (the previous
//! process committed a turn and died, or the send failed). Channel-neutral: rows carry the
//! channel name and the channel's user id, nothing channel-specific.
//!
//! A channel that cannot write first (the web page) *parks* reminders here instead
//! ([`park_reminder`]): they wait for the user's next visit, which takes them ([`take_parked`]).
//! A parked row names its reminder, so the staff chart can count "parked, not yet seen" apart
//! from "sent" ([`parked_reminder_ids`]). The reminder id rides in the row's JSON rather than a
//! new column: no migration, and the row format stays the outbox's own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use super::{Store, StoreError};
use crate::engine::{Choice, Reply, UserKey};

/// A reply waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Outbox id, for [`mark_sent`].
    pub id: i64,
    /// Recipient.
    pub user: UserKey,
    /// What to send.
    pub reply: Reply,
}

/// The stored form of a [`Reply`]. A type of its own so the engine's types need not be
/// deserialisable, and so a change there shows up here as a compile error, not as old rows
/// that no longer decode.
#[derive(Serialize, Deserialize)]
struct Stored {
    text: String,
    #[serde(default)]
    choices: Vec<(String, String)>,
    /// The reminder this row delivers, for a parked reminder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reminder: Option<i64>,
}

impl From<&Reply> for Stored {
    fn from(reply: &Reply) -> Self {
        Stored {
            text: reply.text.clone(),
            choices: reply.choices.iter().map(|c| (c.label.clone(), c.data.clone())).collect(),
            reminder: None,
        }
    }
}

impl From<Stored> for Reply {
    fn from(stored: Stored) -> Self {
        Reply {
            text: stored.text,
            choices: stored
                .choices
                .into_iter()
                .map(|(label, data)| Choice { label, data })
                .collect(),
        }
    }
}

/// Queues `replies` for `user` inside the turn's transaction; returns their ids in order.
/// `update_id` is the message they answer (WeChat finds them by it when a message is resent).
/// One multi-row `INSERT` for all of them: each statement is a round trip to the connection
/// (on SQLite the single writer every turn waits for). Both databases number the rows of one
/// `INSERT … VALUES` in the order of its values, so the ids sorted are the replies' order.
/// `leased_at` (Unix ms) writes them leased to the caller, who sends them at once: a sweep for
/// leftovers on another instance (`store::wechat::lease_unsent`) leaves them alone until that
/// lease is stale, so the same reply never goes out twice. `None` leaves them free (WeChat's
/// passive reply takes a free row).
pub async fn enqueue(
    conn: &mut AnyConnection,
    user: &UserKey,
    update_id: Option<i64>,
    replies: &[Reply],
    now: DateTime<Utc>,
    leased_at: Option<i64>,
) -> Result<Vec<i64>, StoreError> {
    if replies.is_empty() {
        return Ok(Vec::new());
    }
    let sql = enqueue_sql(replies.len());
    let query = sqlx::query_scalar(&sql).bind(&user.channel).bind(&user.user);
    let mut query = query.bind(now.timestamp()).bind(update_id).bind(leased_at);
    for reply in replies {
        query = query.bind(encode(reply)?);
    }
    let mut ids: Vec<i64> = query.fetch_all(&mut *conn).await?;
    ids.sort_unstable();
    Ok(ids)
}

/// SQL of [`enqueue`] for `count` replies (also run by `store::writer`): channel, user id, time
/// (Unix s), update id, lease (Unix ms), then each reply's JSON ([`encode`]); returns the ids.
pub(super) fn enqueue_sql(count: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO outbox (channel, user_id, reply, created_at, update_id, leased_at) VALUES ",
    );
    for n in 0..count {
        let sep = if n == 0 { "" } else { ", " };
        sql.push_str(&format!("{sep}($1, $2, ${}, $3, $4, $5)", n + 6));
    }
    sql.push_str(" RETURNING id");
    sql
}

/// `reply` as the JSON an outbox row keeps.
pub(crate) fn encode(reply: &Reply) -> Result<String, StoreError> {
    serde_json::to_string(&Stored::from(reply)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Replies of `channel` still undelivered, oldest first (per user, in the order they were
/// written). Call at start, before new turns of the same process can add rows.
pub async fn pending(store: &Store, channel: &str) -> Result<Vec<Queued>, StoreError> {
    let rows = sqlx::query("SELECT id, user_id, reply FROM outbox WHERE channel = $1 ORDER BY id")
        .bind(channel)
        .fetch_all(store.pool())
        .await?;
    let mut queued = Vec::with_capacity(rows.len());
    for row in rows {
        queued.push(Queued {
            id: row.get("id"),
            user: UserKey::new(channel.to_string(), row.get::<String, _>("user_id")),
            reply: decode(row.get("reply"))?,
        });
    }
    Ok(queued)
}

/// A row's `reply` column as the reply it stores.
pub(super) fn decode(json: &str) -> Result<Reply, StoreError> {
    let stored: Stored =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(stored.into())
}

/// Rows waiting in the outbox, per channel (a metric: replies not yet delivered, and on the
/// web reminders parked for the next visit).
pub async fn depth_by_channel(pool: &sqlx::AnyPool) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as("SELECT channel, COUNT(*) FROM outbox GROUP BY channel")
        .fetch_all(pool)
        .await?)
}

/// The reply `id` was delivered (or can never be: the user blocked the bot): it leaves the
/// outbox. Deleting an id already gone is no error.
pub async fn mark_sent(store: &Store, id: i64) -> Result<(), StoreError> {
    mark_all_sent(store, &[id]).await
}

/// [`mark_sent`] for several replies in one statement (one write instead of one per reply):
/// a channel that sent a turn's replies marks them together. A crash between the sends and
/// this sends the turn's replies again at the next start, never loses one.
pub async fn mark_all_sent(store: &Store, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = mark_sent_sql(ids.len());
    if let Some(writer) = store.turn_writer() {
        // On SQLite the turns' writer connection deletes them: the same connection as the turn
        // that queued them, so the two never race for the write lock, and no hop to sqlx's
        // connection thread.
        return writer
            .run(|conn| {
                let args: Vec<&dyn rusqlite::ToSql> = ids.iter().map(|id| id as _).collect();
                super::writer::execute(conn, &sql, &args).map(drop)
            })
            .await;
    }
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(store.pool()).await?;
    Ok(())
}

/// SQL of [`mark_all_sent`] for `count` ids.
fn mark_sent_sql(count: usize) -> String {
    let list: Vec<String> = (1..=count).map(|n| format!("${n}")).collect();
    format!("DELETE FROM outbox WHERE id IN ({})", list.join(", "))
}

/// A parked message taken for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parked {
    /// What to show.
    pub reply: Reply,
    /// When it was parked (the reminder was due and the worker handed it over).
    pub parked_at: DateTime<Utc>,
}

/// Parks reminder `reminder` for `user` until their next visit; returns the outbox id.
pub async fn park_reminder(
    store: &Store,
    user: &UserKey,
    reminder: Option<i64>,
    text: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let stored = Stored { text: text.to_string(), choices: Vec::new(), reminder };
    let json = serde_json::to_string(&stored).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (channel, user_id, reply, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(json)
    .bind(now.timestamp())
    .fetch_one(store.pool())
    .await?;
    Ok(id)
}

/// Takes (and deletes) everything parked for `user`, oldest first. One DELETE … RETURNING, so
/// two page loads at the same moment cannot both show a message: each row goes to exactly one.
/// A parked reminder whose application was deleted since is dropped, not shown.
pub async fn take_parked(store: &Store, user: &UserKey) -> Result<Vec<Parked>, StoreError> {
    // Every page load asks; almost always nothing is there, and a read costs no write lock.
    let any: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE channel = $1 AND user_id = $2)
                THEN 1 ELSE 0 END",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_one(store.pool())
    .await?;
    if any == 0 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "DELETE FROM outbox WHERE channel = $1 AND user_id = $2 RETURNING id, reply, created_at",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .fetch_all(store.pool())
    .await?;
    let mut taken = Vec::with_capacity(rows.len());
    for row in rows {
        let stored: Stored = serde_json::from_str(row.get::<&str, _>("reply"))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let parked_at = DateTime::from_timestamp(row.get("created_at"), 0).unwrap_or_default();
        taken.push((
            row.get::<i64, _>("id"),
            stored.reminder,
            Parked { parked_at, reply: stored.into() },
        ));
    }
    taken.sort_by_key(|(id, ..)| *id);
    let mut shown = Vec::with_capacity(taken.len());
    for (_, reminder, parked) in taken {
        if let Some(id) = reminder {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM reminders WHERE id = $1")
                .bind(id)
                .fetch_optional(store.pool())
                .await?;
            if exists.is_none() {
                continue;
            }
        }
        shown.push(parked);
    }
    Ok(shown)
}

/// Ids of reminders parked and not yet seen (all channels).
pub async fn parked_reminder_ids(pool: &sqlx::AnyPool) -> Result<Vec<i64>, StoreError> {
    // Only a parked reminder's JSON has the key unescaped; a reply's text cannot forge it.
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT reply FROM outbox WHERE reply LIKE '%\"reminder\":%'")
            .fetch_all(pool)
            .await?;
    let mut ids = Vec::new();
    for json in rows {
        let stored: Stored =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        ids.extend(stored.reminder);
    }
    Ok(ids)
}
