//! Server secret keys shared by every instance on the database (issue 16): generated once, by
//! whichever instance asks first, and never shown. The chat cookie's signing key lives here so
//! that an id issued by one instance is recognised by the others and after a restart.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::StoreError;

/// The key `name`: the stored one, or `fresh` stored now if there is none yet. Two instances
/// asking at the same moment get the same key (the first insert wins, both read it back).
pub async fn get_or_create(
    pool: &SqlitePool,
    name: &str,
    fresh: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<u8>, StoreError> {
    sqlx::query("INSERT OR IGNORE INTO server_keys (name, secret, created_at) VALUES (?, ?, ?)")
        .bind(name)
        .bind(fresh)
        .bind(now.to_rfc3339())
        .execute(pool)
        .await?;
    let (secret,): (Vec<u8>,) = sqlx::query_as("SELECT secret FROM server_keys WHERE name = ?")
        .bind(name)
        .fetch_one(pool)
        .await?;
    Ok(secret)
}
