//! Hotline console accounts. Only argon2id PHC strings are stored (hashing lives in
//! `web::staff::auth`); names are what staff type at the login form.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::StoreError;

/// Adds or replaces the account `name` (replacing is how a password is reset).
pub async fn upsert(
    pool: &SqlitePool,
    name: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff (name, hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET hash = excluded.hash",
    )
    .bind(name)
    .bind(hash)
    .bind(now.to_rfc3339())
    .execute(pool)
    .await?;
    Ok(())
}

/// Account names with their creation time, by name.
pub async fn list(pool: &SqlitePool) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as("SELECT name, created_at FROM staff ORDER BY name").fetch_all(pool).await?)
}

/// Removes `name`; `false` when there was no such account.
pub async fn remove(pool: &SqlitePool, name: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM staff WHERE name = ?").bind(name).execute(pool).await?;
    Ok(done.rows_affected() == 1)
}

/// The stored hash of `name`.
pub async fn hash_of(pool: &SqlitePool, name: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM staff WHERE name = ?")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(h,)| h))
}
