//! Server secret keys shared by every instance on the database (issue 16): generated once, by
//! whichever instance asks first, and never shown. The chat cookie's signing key lives here so
//! that an id issued by one instance is recognised by the others and after a restart.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::StoreError;

/// The key `name`: the stored one, or `fresh` stored now if there is none yet. Two instances
/// asking at the same moment get the same key (the first insert wins, both read it back).
pub async fn get_or_create(
    pool: &AnyPool,
    name: &str,
    fresh: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<u8>, StoreError> {
    sqlx::query(
        "INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(name)
    .bind(fresh)
    .bind(now.to_rfc3339())
    .execute(pool)
    .await?;
    let (secret,): (Vec<u8>,) = sqlx::query_as("SELECT secret FROM server_keys WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await?;
    Ok(secret)
}
