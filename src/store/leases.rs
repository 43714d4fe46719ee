//! Leases: a job only one instance may do at a time (Telegram long polling, refreshing the
//! WeChat access token) is held by one holder until a deadline it keeps pushing forward. A
//! holder that dies stops renewing, and once the deadline has passed anyone may take over.
//!
//! One upsert does the taking, renewing and taking over, so it is atomic on SQLite and
//! PostgreSQL alike (no advisory lock, which SQLite lacks). Times are Unix milliseconds passed
//! in by the caller, so tests drive expiry without waiting.

use super::{Store, StoreError};

impl Store {
    /// Takes or renews the lease `name` for `holder` until `until_ms`: succeeds when nobody
    /// holds it, when `holder` already does, or when the current holder's lease ran out before
    /// `now_ms`. `false`: someone else holds it.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, until_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
             WHERE leases.holder = excluded.holder OR leases.until_ms <= $4",
        )
        .bind(name)
        .bind(holder)
        .bind(until_ms)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease `name` up if `holder` holds it, so another instance can take over at
    /// once instead of waiting for it to run out.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Who holds the lease `name` at `now_ms`, if anyone.
    pub async fn lease_holder(
        &self,
        name: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT holder FROM leases WHERE name = $1 AND until_ms > $2")
            .bind(name)
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?)
    }
}

/// A name for this process as a lease holder: host-independent, unique per start (the process
/// id alone repeats across machines and restarts).
pub fn holder_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", std::process::id())
}

/// Now as Unix milliseconds, the unit of lease deadlines.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
