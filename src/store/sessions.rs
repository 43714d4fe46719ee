//! Storage of conversation sessions, processed update ids and hand-offs. Every function takes
//! the turn's connection (inside its transaction), so a crash never leaves half a turn.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::StoreError;
use crate::engine::{Session, UserKey};

/// Records `update_id` as processed; `false` when it already was (a redelivered update).
pub async fn claim_update(
    conn: &mut SqliteConnection,
    channel: &str,
    update_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
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
pub async fn load(conn: &mut SqliteConnection, user: &UserKey) -> Result<Session, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT state FROM sessions WHERE channel = ? AND user_id = ?")
            .bind(&user.channel)
            .bind(&user.user)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        None => Session::default(),
        Some((json,)) => serde_json::from_str(&json).unwrap_or_else(|err| {
            tracing::warn!(%err, channel = %user.channel, "stored session does not decode; starting afresh");
            Session::default()
        }),
    })
}

/// Whether `user` has a stored session at all.
pub async fn exists(conn: &mut SqliteConnection, user: &UserKey) -> Result<bool, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM sessions WHERE channel = ? AND user_id = ?")
            .bind(&user.channel)
            .bind(&user.user)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}

/// Stores `session` for `user`.
pub async fn save(
    conn: &mut SqliteConnection,
    user: &UserKey,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(session).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    )
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
    conn: &mut SqliteConnection,
    user: &UserKey,
    region: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO handoffs (channel, user_id, region, created_at) VALUES (?, ?, ?, ?)")
        .bind(&user.channel)
        .bind(&user.user)
        .bind(region)
        .bind(now.to_rfc3339())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the session, hand-off records and recent question of `user` (/forget).
pub async fn forget(conn: &mut SqliteConnection, user: &UserKey) -> Result<(), StoreError> {
    for table in ["sessions", "handoffs", "recent_questions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE channel = ? AND user_id = ?"))
            .bind(&user.channel)
            .bind(&user.user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
