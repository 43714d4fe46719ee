//! What channels used to keep in one process's memory and several instances on one database
//! must share (issue 19): the WeChat access token, the buttons last offered to a WeChat user,
//! and the Telegram keyboards already used. Times are Unix milliseconds.

use sqlx::AnyConnection;

use super::{Store, StoreError};
use crate::engine::Choice;

/// How many used Telegram keyboards are kept at most: only taps racing the keyboard's removal
/// need catching, so a small window is enough.
pub(super) const USED_KEYBOARDS_KEPT: i64 = 10_000;

impl Store {
    /// The shared value `name` if it is still good at `now_ms`.
    pub async fn shared_value(
        &self,
        name: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT value FROM shared_values WHERE name = $1 AND until_ms > $2")
            .bind(name)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Stores `value` as `name`, good until `until_ms`.
    pub async fn set_shared_value(
        &self,
        name: &str,
        value: &str,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO shared_values (name, value, until_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, until_ms = excluded.until_ms",
        )
        .bind(name)
        .bind(value)
        .bind(until_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Drops `name` if it still holds `value` (a value found bad; a newer one stays).
    pub async fn drop_shared_value(&self, name: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM shared_values WHERE name = $1 AND value = $2")
            .bind(name)
            .bind(value)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The buttons last offered to WeChat user `openid` (none when nothing was offered).
    pub async fn offered_choices(&self, openid: &str) -> Result<Vec<Choice>, StoreError> {
        let json: Option<String> =
            sqlx::query_scalar("SELECT choices FROM wechat_offered WHERE openid = $1")
                .bind(openid)
                .fetch_optional(self.pool())
                .await?;
        let Some(json) = json else { return Ok(Vec::new()) };
        let pairs: Vec<(String, String)> =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(pairs.into_iter().map(|(label, data)| Choice { label, data }).collect())
    }

    /// Remembers `choices` as the buttons last offered to `openid`.
    pub async fn remember_offered(
        &self,
        openid: &str,
        choices: &[Choice],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let pairs: Vec<(&str, &str)> =
            choices.iter().map(|c| (c.label.as_str(), c.data.as_str())).collect();
        let json = serde_json::to_string(&pairs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO wechat_offered (openid, choices, at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (openid) DO UPDATE SET choices = excluded.choices, at_ms = excluded.at_ms",
        )
        .bind(openid)
        .bind(json)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets buttons offered before `before_ms` (an old "2" then reaches the engine, which
    /// still reads numbers for its own step's choices).
    pub async fn prune_offered(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM wechat_offered WHERE at_ms < $1")
            .bind(before_ms)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

/// SQL of [`claim_keyboard`] (also run by `store::writer`): chat, message, time (Unix ms).
pub(super) const CLAIM_KEYBOARD_SQL: &str =
    "INSERT INTO telegram_used_keyboards (chat_id, message_id, at_ms) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING";

/// SQL of the pruning after a claim: keeps the newest `$1` used keyboards.
pub(super) const PRUNE_KEYBOARDS_SQL: &str = "DELETE FROM telegram_used_keyboards WHERE at_ms < (
         SELECT at_ms FROM telegram_used_keyboards ORDER BY at_ms DESC LIMIT 1 OFFSET $1)";

/// Whether claiming the keyboard of `message` prunes old ones: now and then, not every tap.
pub(super) fn prunes_after(message: i64) -> bool {
    message % 100 == 0
}

/// Claims the keyboard of Telegram message `message` in `chat` for the turn running in
/// `conn`'s transaction; `false` when it was already used (a second tap, perhaps delivered to
/// another instance). A unique claim, like the update-id dedupe: two instances running the
/// taps at once both insert, and the second waits for the first to commit and then finds the
/// row, so exactly one tap's turn commits.
pub async fn claim_keyboard(
    conn: &mut AnyConnection,
    chat: i64,
    message: i64,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(CLAIM_KEYBOARD_SQL)
        .bind(chat)
        .bind(message)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    let claimed = done.rows_affected() == 1;
    if claimed && prunes_after(message) {
        prune_used_keyboards(conn).await?;
    }
    Ok(claimed)
}

/// Keeps the newest [`USED_KEYBOARDS_KEPT`] used keyboards.
async fn prune_used_keyboards(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query(PRUNE_KEYBOARDS_SQL).bind(USED_KEYBOARDS_KEPT).execute(conn).await?;
    Ok(())
}
