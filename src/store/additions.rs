//! The audit of content changes made from the console (who, when, what), and unanswered
//! questions marked answered by the FAQ entry that now answers them (issue 18 item 3).

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::StoreError;

/// One content change made from the console.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Change {
    /// Row id.
    pub id: i64,
    /// The staff account that made it.
    pub staff: String,
    /// When (Unix seconds).
    pub at: i64,
    /// `wording` (a question added to an entry) or `entry` (a new entry).
    pub kind: String,
    /// The region whose staff-additions file got it.
    pub region: String,
    /// The entry that answers the question now.
    pub entry_id: String,
    /// The question added.
    pub question: String,
    /// The content file written (`faq/staff-<region>.yaml`).
    pub file: String,
    /// The YAML item appended to it.
    pub item: String,
    /// The unanswered question it answered, if it came from the list.
    pub unanswered_id: Option<i64>,
}

/// What to record of a change (the row without its id).
#[derive(Debug, Clone)]
pub struct NewChange<'a> {
    /// The staff account.
    pub staff: &'a str,
    /// `wording` or `entry`.
    pub kind: &'a str,
    /// The region.
    pub region: &'a str,
    /// The entry that answers the question now.
    pub entry_id: &'a str,
    /// The question added.
    pub question: &'a str,
    /// The content file written.
    pub file: &'a str,
    /// The YAML item appended.
    pub item: &'a str,
    /// The unanswered question it answered.
    pub unanswered_id: Option<i64>,
}

/// Records a change made at `now` and marks the unanswered groups of `answered` (row ids, each
/// standing for its wording and region) answered by the change's entry; one transaction. The
/// new row's id.
pub async fn record(
    pool: &AnyPool,
    change: &NewChange<'_>,
    answered: &[i64],
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO content_changes
           (staff, at, kind, region, entry_id, question, file, item, unanswered_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(change.staff)
    .bind(now.timestamp())
    .bind(change.kind)
    .bind(change.region)
    .bind(change.entry_id)
    .bind(change.question)
    .bind(change.file)
    .bind(change.item)
    .bind(change.unanswered_id)
    .fetch_one(&mut *tx)
    .await?;
    for group in answered {
        sqlx::query(
            "UPDATE unanswered SET handled_at = $1, answered_by = $2
             WHERE handled_at IS NULL AND (wording, region) =
               (SELECT wording, region FROM unanswered WHERE id = $3)",
        )
        .bind(now.timestamp())
        .bind(change.entry_id)
        .bind(group)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The change with row id `id`.
pub async fn change(pool: &AnyPool, id: i64) -> Result<Option<Change>, StoreError> {
    Ok(sqlx::query_as("SELECT * FROM content_changes WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// The latest `limit` changes, newest first.
pub async fn recent(pool: &AnyPool, limit: i64) -> Result<Vec<Change>, StoreError> {
    Ok(sqlx::query_as("SELECT * FROM content_changes ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// The entry an unanswered question (row `id`) was answered by, if staff turned it into one.
pub async fn answered_by(pool: &AnyPool, id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT answered_by FROM unanswered WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|(entry,)| entry))
}

/// How long a refused form is kept for the page after it.
const DRAFT_SECONDS: i64 = 24 * 3600;

/// Keeps a refused form of `staff` (`body`, JSON) for the page the browser is sent to next;
/// deletes those older than a day. Returns its id.
pub async fn save_draft(
    pool: &AnyPool,
    staff: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM editor_drafts WHERE created_at < $1")
        .bind(now.timestamp() - DRAFT_SECONDS)
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO editor_drafts (staff, body, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(staff)
    .bind(body)
    .bind(now.timestamp())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The refused form `id` of `staff` (another account's is `None`, as is one deleted).
pub async fn draft(pool: &AnyPool, id: i64, staff: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT body FROM editor_drafts WHERE id = $1 AND staff = $2")
        .bind(id)
        .bind(staff)
        .fetch_optional(pool)
        .await?)
}
