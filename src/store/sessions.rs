//! Storage of conversation sessions, processed update ids and hand-offs. Every turn-side
//! function takes the turn's connection (inside its transaction), so a crash never leaves half a
//! turn; [`prune_processed_updates`] is the serve loop's housekeeping step.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::handoff::{TurnView, TURN_VIEW_COLUMNS, TURN_VIEW_FROM};
use super::{Backend, StoreError};
use crate::engine::{Session, UserData, UserKey};
use crate::privacy;

/// SQL of [`claim_update`] (also run by the SQLite turn writer, `store::writer`): channel,
/// update id, time (RFC 3339).
pub(super) const CLAIM_UPDATE_SQL: &str =
    "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING";

/// Records `update_id` as processed; `false` when it already was (a redelivered update).
pub async fn claim_update(
    conn: &mut AnyConnection,
    channel: &str,
    update_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(CLAIM_UPDATE_SQL)
        .bind(channel)
        .bind(update_id)
        .bind(now.to_rfc3339())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The stored session of `user`; a fresh one when there is none. A row that no longer decodes
/// (written by an incompatible version) is replaced by a fresh session rather than locking the
/// user out — the engine then greets them as new.
pub async fn load(conn: &mut AnyConnection, user: &UserKey) -> Result<Session, StoreError> {
    lock_user(conn, user).await?;
    let row: Option<(String,)> =
        sqlx::query_as("SELECT state FROM sessions WHERE channel = $1 AND user_id = $2")
            .bind(&user.channel)
            .bind(&user.user)
            .fetch_optional(conn)
            .await?;
    Ok(decode(row.as_ref().map(|(json,)| json.as_str()), user))
}

/// What a turn reads before running the engine, in one statement: the stored session JSON (if
/// any) and whether the user is marked unreachable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TurnState {
    /// The stored session as JSON; `None` for a new user.
    pub json: Option<String>,
    /// The user is marked unreachable (blocked the bot) and must be marked reachable again.
    pub unreachable: bool,
    /// Replies of an earlier turn still wait in the outbox (a send failed and gave them back,
    /// or is under way): this turn's replies must not overtake them.
    pub behind: bool,
}

impl TurnState {
    /// The session, decoded as [`load`] does.
    pub fn session(&self, user: &UserKey) -> Session {
        decode(self.json.as_deref(), user)
    }
}

/// Loads the session, the reachability mark, whether replies of theirs wait in the outbox, the
/// applications and own-task reminders of `user` and the hand-off view ([`TurnView`]: the open
/// hand-off, and whether staff had the console open since `present_since`, Unix seconds) in one
/// round trip: each statement is a hand-off to the connection's thread, the bulk of a turn's cost.
pub async fn load_turn_state(
    conn: &mut AnyConnection,
    user: &UserKey,
    present_since: i64,
) -> Result<(TurnState, UserData, TurnView), StoreError> {
    lock_user(conn, user).await?;
    let backend = Backend::of(conn);
    type Row =
        (Option<String>, i64, i64, String, String, Option<i64>, Option<i64>, Option<i64>, i64);
    let (json, unreachable, behind, applications, tasks, live, active_at, user_messages, present): Row =
        sqlx::query_as(turn_state_sql(backend))
            .bind(&user.channel)
            .bind(&user.user)
            .bind(present_since)
            .fetch_one(conn)
            .await?;
    let mut data = super::tracking::decode_applications(&applications)?;
    data.tasks = super::tracking::decode_tasks(&tasks)?;
    let view = TurnView::from_row((live, active_at, user_messages, present));
    Ok((TurnState { json, unreachable: unreachable != 0, behind: behind != 0 }, data, view))
}

/// The statement of [`load_turn_state`] for `backend`, put together once per process (it is
/// the same for every turn; only the JSON aggregation differs between the backends).
pub(super) fn turn_state_sql(backend: Backend) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let cell = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| {
        format!(
            "SELECT (SELECT state FROM sessions WHERE channel = $1 AND user_id = $2),
                    CASE WHEN EXISTS (SELECT 1 FROM unreachable_users WHERE channel = $1 AND user_id = $2)
                         THEN 1 ELSE 0 END,
                    CASE WHEN EXISTS (SELECT 1 FROM outbox
                                      WHERE channel = $1 AND user_id = $2 AND answered_at IS NULL)
                         THEN 1 ELSE 0 END,
                    {},
                    {},
                    {}
             {}",
            super::tracking::applications_json(backend),
            super::tracking::tasks_json(backend),
            TURN_VIEW_COLUMNS,
            TURN_VIEW_FROM,
        )
    })
}

/// Makes the other turns of `user` wait until this transaction ends. SQLite needs nothing:
/// `BEGIN IMMEDIATE` already lets one writer in at a time. On PostgreSQL two instances may
/// run turns of one user at once (a double tap on two load-balanced connections); without the
/// lock both would read the same session and the later commit would drop the other's turn.
async fn lock_user(conn: &mut AnyConnection, user: &UserKey) -> Result<(), StoreError> {
    if Backend::of(conn) == Backend::Postgres {
        // A transaction-scoped advisory lock on a hash of the user key; released at commit.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            // A collision only makes two users wait for each other, never mixes their data.
            .bind(format!("{}/{}", user.channel, user.user))
            .execute(conn)
            .await?;
    }
    Ok(())
}

fn decode(json: Option<&str>, user: &UserKey) -> Session {
    match json {
        None => Session::default(),
        Some(json) => serde_json::from_str(json).unwrap_or_else(|err| {
            tracing::warn!(%err, channel = %user.channel, "stored session does not decode; starting afresh");
            Session::default()
        }),
    }
}

/// Telegram keeps an update it could not deliver for at most 24 hours (Bot API, getUpdates and
/// setWebhook), so a redelivery older than that cannot arrive. Three times that, because the
/// serve loop may have been down and clocks of two hosts may disagree: pruning early would turn
/// a late redelivery into a double reply, pruning late only costs a few bytes per update.
pub const REDELIVERY_WINDOW_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(72);

/// Deletes processed update ids older than [`REDELIVERY_WINDOW_KEPT`] before `now`; returns
/// how many went. Without it the table grows by one row per update forever.
pub async fn prune_processed_updates(
    store: &super::Store,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    // processed_at is RFC 3339 in UTC: its text order is time order (to the second, enough).
    let cutoff = (now - REDELIVERY_WINDOW_KEPT).to_rfc3339();
    let done = sqlx::query("DELETE FROM processed_updates WHERE processed_at < $1")
        .bind(cutoff)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Clears the conversation context (issue 17) of sessions idle longer than
/// [`crate::engine::context::IDLE_MINUTES`] before `now`; returns how many. The engine forgets it
/// at the next message anyway; this keeps the facts of a user who never comes back (a disease
/// asked about) from staying in the file.
pub async fn clear_idle_contexts(
    store: &super::Store,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let idle = chrono::TimeDelta::minutes(crate::engine::context::IDLE_MINUTES);
    // updated_at is RFC 3339 in UTC, like processed_at: text order is time order.
    let cutoff = (now - idle).to_rfc3339();
    let sql = match store.backend() {
        Backend::Sqlite => {
            "UPDATE sessions SET state = json_remove(state, '$.context')
             WHERE updated_at < $1 AND json_type(state, '$.context') IS NOT NULL"
        }
        Backend::Postgres => {
            // jsonb refuses the escape \u0000 (a NUL typed into a slot): such a row keeps its
            // context until its next turn rather than failing the whole statement (CASE: the
            // cast must not run on it).
            "UPDATE sessions SET state = CAST(CAST(state AS jsonb) - 'context' AS TEXT)
             WHERE updated_at < $1
               AND CASE WHEN strpos(state, '\\u0000') = 0
                        THEN jsonb_exists(CAST(state AS jsonb), 'context') ELSE false END"
        }
    };
    let done = sqlx::query(sql).bind(cutoff).execute(store.pool()).await?;
    Ok(done.rows_affected())
}

/// Whether `user` has a stored session at all.
pub async fn exists(conn: &mut AnyConnection, user: &UserKey) -> Result<bool, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM sessions WHERE channel = $1 AND user_id = $2")
            .bind(&user.channel)
            .bind(&user.user)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}

/// Stores `session` for `user`.
pub async fn save(
    conn: &mut AnyConnection,
    user: &UserKey,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    save_json(conn, user, encode(session)?, now).await
}

/// The stored form of `session`. ID numbers in slot values (one typed where a 受理号 was asked,
/// kept until the dialog ends) are stored masked only; the engine reads them back masked, which
/// is all any later step needs. Phone numbers stay: they are asked only with consent, and a
/// later step may show them.
pub fn encode(session: &Session) -> Result<String, StoreError> {
    let encoded = match has_identifiers(session) {
        false => serde_json::to_string(session),
        true => serde_json::to_string(&masked(session)),
    };
    encoded.map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn all_slots(session: &Session) -> impl Iterator<Item = &BTreeMap<String, String>> {
    std::iter::once(&session.slots).chain(session.back.iter().map(|p| &p.slots))
}

fn has_identifiers(session: &Session) -> bool {
    all_slots(session)
        .flat_map(|slots| slots.values())
        .any(|v| matches!(privacy::mask_id_numbers(v), std::borrow::Cow::Owned(_)))
}

fn masked(session: &Session) -> Session {
    let mask = |slots: &mut BTreeMap<String, String>| {
        for value in slots.values_mut() {
            *value = privacy::mask_id_numbers(value).into_owned();
        }
    };
    let mut session = session.clone();
    mask(&mut session.slots);
    session.back.iter_mut().for_each(|p| mask(&mut p.slots));
    session
}

/// SQL of [`save_json`] (also run by `store::writer`): channel, user id, JSON, time (RFC 3339).
pub(super) const SAVE_SESSION_SQL: &str =
    "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";

/// Stores a session already encoded with [`encode`].
pub async fn save_json(
    conn: &mut AnyConnection,
    user: &UserKey,
    json: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(SAVE_SESSION_SQL)
        .bind(&user.channel)
        .bind(&user.user)
        .bind(json)
        .bind(now.to_rfc3339())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a request for a person.
pub async fn record_handoff(
    conn: &mut AnyConnection,
    user: &UserKey,
    region: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO handoffs (channel, user_id, region, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(region)
    .bind(now.to_rfc3339())
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the session, hand-off records, recent question and undelivered replies of `user`
/// (/forget). `processed_updates` holds no user id, so nothing there ties an update to them.
pub async fn forget(conn: &mut AnyConnection, user: &UserKey) -> Result<(), StoreError> {
    for table in ["sessions", "handoffs", "recent_questions", "outbox"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE channel = $1 AND user_id = $2"))
            .bind(&user.channel)
            .bind(&user.user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// When `user` last had a turn (their last message); `None` without a session. Channels with
/// a reply window (WeChat's 48 hours) ask this before writing first.
pub async fn last_seen(
    conn: &mut AnyConnection,
    user: &UserKey,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT updated_at FROM sessions WHERE channel = $1 AND user_id = $2")
            .bind(&user.channel)
            .bind(&user.user)
            .fetch_optional(conn)
            .await?;
    match row {
        None => Ok(None),
        Some((at,)) => DateTime::parse_from_rfc3339(&at)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| StoreError::Corrupt(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Position;

    #[test]
    fn id_numbers_in_slots_are_stored_masked_and_other_slots_unchanged() {
        let mut session = Session::default();
        session.slots.insert("acceptance_no".into(), "510402195001011234".into());
        session.slots.insert("accepted_on".into(), "2025-09-26".into());
        let slots = session.slots.clone();
        session.back.push(Position { dialog: "d".into(), step: "s".into(), slots });
        let json = encode(&session).unwrap();
        assert!(!json.contains("510402195001011234"), "{json}");
        assert_eq!(json.matches("5104************34").count(), 2, "{json}");
        assert_eq!(json.matches("2025-09-26").count(), 2, "{json}");
    }
}
