//! WeChat's own storage, shared by every instance on the database: the signed request URLs
//! already used (replay protection) and who delivers which outbox row of a WeChat message.
//!
//! An outbox row of a WeChat message goes out exactly one way: as the passive reply to a
//! request for that message ([`take_for_answer`]) or through the customer-service API by a
//! sender holding its lease ([`lease`], [`lease_unsent`]). Each way takes the row with one
//! conditional `UPDATE`, so two requests, a request and a sender, or two instances never both
//! get it. Times are Unix milliseconds (`answered_at`, `leased_at`; see migration 0006).

use sqlx::Row;

use super::outbox::{self, Queued};
use super::{Store, StoreError};
use crate::engine::UserKey;

/// Records that the URL signed with `timestamp` and `nonce` carried a body with `digest`.
/// `false` when the same URL already carried another body (a replay); `true` the first time
/// and for the same body again (WeChat resending the same message).
pub async fn remember_nonce(
    store: &Store,
    timestamp: i64,
    nonce: &str,
    digest: &str,
) -> Result<bool, StoreError> {
    // One statement: of two requests racing with the same URL, the first insert wins and the
    // second reads the first one's digest back.
    let first: String = sqlx::query_scalar(
        "INSERT INTO wechat_nonces (timestamp, nonce, digest) VALUES ($1, $2, $3)
         ON CONFLICT (timestamp, nonce) DO UPDATE SET digest = wechat_nonces.digest RETURNING digest",
    )
    .bind(timestamp)
    .bind(nonce)
    .bind(digest)
    .fetch_one(store.pool())
    .await?;
    Ok(first == digest)
}

/// Forgets URLs signed before `timestamp` (Unix seconds): such a request is refused for its
/// stale timestamp anyway. Returns how many went.
pub async fn prune_nonces(store: &Store, timestamp: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM wechat_nonces WHERE timestamp < $1")
        .bind(timestamp)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

/// The outbox rows answering message `update_id` of `user`, in order (none once delivered and
/// pruned).
pub async fn rows_of(
    store: &Store,
    user: &UserKey,
    update_id: i64,
) -> Result<Vec<Queued>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, reply FROM outbox WHERE channel = $1 AND user_id = $2 AND update_id = $3
         ORDER BY id",
    )
    .bind(&user.channel)
    .bind(&user.user)
    .bind(update_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let reply = outbox::decode(row.get("reply"))?;
            Ok(Queued { id: row.get("id"), user: user.clone(), reply })
        })
        .collect()
}

/// Takes row `id` as the passive reply to a request that arrived at `arrived`; `false` when
/// it is not this request's to give. Free rows (never given, no live lease: a lease taken
/// before `stale` is a dead sender's) are taken; so is a row given as the passive reply
/// *before* this request arrived: WeChat sends a message again only when it did not get the
/// answer, so that one was lost.
pub async fn take_for_answer(
    store: &Store,
    id: i64,
    now: i64,
    arrived: i64,
    stale: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET answered_at = $1, leased_at = NULL
         WHERE id = $2 AND ((answered_at IS NULL AND (leased_at IS NULL OR leased_at < $3))
                            OR answered_at < $4)",
    )
    .bind(now)
    .bind(id)
    .bind(stale)
    .bind(arrived)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Leases those of `ids` that nobody gave or holds (a lease from before `stale` is a dead
/// sender's) for sending through the API; returns the ids leased.
pub async fn lease(
    store: &Store,
    ids: &[i64],
    now: i64,
    stale: i64,
) -> Result<Vec<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One placeholder per id ($3, $4, …): the same SQL on both backends.
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "UPDATE outbox SET leased_at = $1
         WHERE id IN ({})
           AND answered_at IS NULL AND (leased_at IS NULL OR leased_at < $2)
         RETURNING id",
        list.join(", ")
    );
    let mut query = sqlx::query_scalar(&sql).bind(now).bind(stale);
    for id in ids {
        query = query.bind(*id);
    }
    let mut leased: Vec<i64> = query.fetch_all(store.pool()).await?;
    leased.sort_unstable();
    Ok(leased)
}

/// Gives up the lease on rows `ids` that could not be sent now, so the next sweep (on any
/// instance, or at the next start) takes them at once instead of waiting for the lease to
/// run out.
pub async fn release(store: &Store, ids: &[i64]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 1)).collect();
    let sql = format!(
        "UPDATE outbox SET leased_at = NULL WHERE id IN ({}) AND answered_at IS NULL",
        list.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(store.pool()).await?;
    Ok(())
}

/// Leases up to `limit` rows of `channel` that nobody delivered: queued before
/// `created_before` (Unix seconds; younger ones are still their request's to answer) and
/// neither given nor held by a live lease. Oldest first. What a crashed process, or a send
/// that failed, left behind. A user's row is not taken while an older row of that user is
/// held by a live lease (being sent elsewhere): their replies arrive in the order written.
pub async fn lease_unsent(
    store: &Store,
    channel: &str,
    created_before: i64,
    now: i64,
    stale: i64,
    limit: i64,
) -> Result<Vec<Queued>, StoreError> {
    lease_left(store, channel, None, created_before, now, stale, limit).await
}

/// [`lease_unsent`] for one user, all of it: what a new turn of theirs must send before its
/// own replies (which it wrote free, to be taken here in their place in the queue).
pub async fn lease_unsent_of(
    store: &Store,
    user: &UserKey,
    created_before: i64,
    now: i64,
    stale: i64,
) -> Result<Vec<Queued>, StoreError> {
    let (channel, user) = (user.channel.as_str(), Some(user.user.as_str()));
    lease_left(store, channel, user, created_before, now, stale, i64::MAX).await
}

/// [`lease_unsent`], of one user when `user` is given.
async fn lease_left(
    store: &Store,
    channel: &str,
    user: Option<&str>,
    created_before: i64,
    now: i64,
    stale: i64,
    limit: i64,
) -> Result<Vec<Queued>, StoreError> {
    let of_user = if user.is_some() { " AND o.user_id = $6" } else { "" };
    let sql = format!(
        "UPDATE outbox SET leased_at = $1
         WHERE id IN (SELECT o.id FROM outbox o
                      WHERE o.channel = $2 AND o.created_at < $3 AND o.answered_at IS NULL
                        AND (o.leased_at IS NULL OR o.leased_at < $4){of_user}
                        AND NOT EXISTS (SELECT 1 FROM outbox older
                                        WHERE older.channel = o.channel
                                          AND older.user_id = o.user_id AND older.id < o.id
                                          AND older.answered_at IS NULL
                                          AND older.leased_at >= $4)
                      ORDER BY o.id LIMIT $5{})
         RETURNING id, user_id, reply",
        store.skip_locked()
    );
    let mut query =
        sqlx::query(&sql).bind(now).bind(channel).bind(created_before).bind(stale).bind(limit);
    if let Some(user) = user {
        query = query.bind(user);
    }
    let rows = query.fetch_all(store.pool()).await?;
    let mut queued = rows
        .iter()
        .map(|row| {
            Ok(Queued {
                id: row.get("id"),
                user: UserKey::new(channel, row.get::<String, _>("user_id")),
                reply: outbox::decode(row.get("reply"))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    queued.sort_by_key(|q| q.id);
    Ok(queued)
}

/// Deletes rows of `channel` given as passive replies before `answered_before` (ms: no resend
/// can ask for them any more) and rows queued before `created_before` (s: too old to be
/// delivered at all). Returns how many went.
pub async fn prune_delivered(
    store: &Store,
    channel: &str,
    answered_before: i64,
    created_before: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM outbox WHERE channel = $1 AND (answered_at < $2 OR created_at < $3)",
    )
    .bind(channel)
    .bind(answered_before)
    .bind(created_before)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}
