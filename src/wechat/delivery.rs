//! Getting a turn's messages to the user, from the outbox rows the turn committed with it, so
//! no answer is lost between the commit and WeChat:
//!
//! - the first message is the passive reply to WeChat's request (`WechatState::answer`);
//! - the rest, and everything of a turn slower than the reply budget, go through the
//!   customer-service API under a lease (`WechatState::send_rows`) and leave the outbox once
//!   sent;
//! - a resend of the same message (WeChat got no answer: the passive reply was lost, or the
//!   process died after the commit) is answered from the stored rows, not with an empty
//!   `success`;
//! - what a crashed or failed sender left is leased again once its lease is stale and sent by
//!   [`WechatState::deliver_pending`], at start and then every [`SWEEP_EVERY`]. Several
//!   instances may run it on one database: leases make each row go out once.
//!
//! The row-taking rules are in [`crate::store::wechat`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::api::ApiError;
use super::{WechatState, CHANNEL, REST_AFTER};
use crate::engine::UserKey;
use crate::store::outbox::{self, Queued};
use crate::store::{wechat as store_wechat, Store};

/// How often [`WechatState::deliver_until_stopped`] looks for rows nobody delivered.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// A sender's lease on rows it sends: longer than sending a turn's few messages can take
/// (each API call times out after 10 s, the token fetch included). A crashed sender's rows go
/// out this long after it took them, at the next sweep.
pub const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// A sweep leaves rows younger than this to the request that is about to answer them.
const SETTLE: chrono::TimeDelta = chrono::TimeDelta::seconds(10);

/// Passive replies are kept this long for a resend of their message; WeChat gives up after
/// three tries in about 15 seconds, and a resend older than the replay window is refused.
const KEEP_ANSWERED: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Rows still undelivered after WeChat's 48-hour window can never be sent.
const UNDELIVERABLE_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(48);

/// Rows one sweep takes at most.
const SWEEP_BATCH: i64 = 100;

impl WechatState {
    /// The passive reply for a request that arrived at `arrived`: the first of `rows` when it
    /// is this request's to give (see [`store_wechat::take_for_answer`]); the rest go by API
    /// in the background. `None`: answer `success`, someone else delivers.
    pub(super) async fn answer(&self, rows: Vec<Queued>, arrived: DateTime<Utc>) -> Option<String> {
        let mut rows = rows.into_iter();
        let first = rows.next()?;
        let rest: Vec<Queued> = rows.collect();
        let now = self.inner.clock.now();
        let store = &self.inner.store;
        let taken = store_wechat::take_for_answer(
            store,
            first.id,
            now.timestamp_millis(),
            arrived.timestamp_millis(),
            stale(now),
        )
        .await
        .unwrap_or_else(|err| {
            // Not answering would leave it to the sweep and make the user wait minutes.
            tracing::error!(%err, "could not mark a passive reply; giving it anyway");
            true
        });
        if !rest.is_empty() {
            let state = self.clone();
            self.inner.background.spawn(async move {
                // Let the passive reply (part one) reach WeChat first, or part two may arrive
                // before it: the passive reply leaves only once the handler returns.
                tokio::time::sleep(REST_AFTER).await;
                state.send_rows(rest).await
            });
        }
        taken.then_some(first.reply.text)
    }

    /// The passive reply to a resend of message `update_id` of `user`, from the outbox.
    pub(super) async fn answer_resend(
        &self,
        user: &UserKey,
        update_id: i64,
        arrived: DateTime<Utc>,
    ) -> Option<String> {
        match store_wechat::rows_of(&self.inner.store, user, update_id).await {
            Ok(rows) => self.answer(rows, arrived).await,
            Err(err) => {
                tracing::error!(%err, "could not read the outbox for a resent message");
                None
            }
        }
    }

    /// Leases `rows` (those nobody else has) and sends them through the customer-service API
    /// in order, each leaving the outbox once sent. A failure stops the user's later rows too
    /// (they would read out of context); they go out with a later sweep, or are dropped when
    /// WeChat will never take them.
    pub(super) async fn send_rows(&self, rows: Vec<Queued>) {
        let now = self.inner.clock.now();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let leased =
            match store_wechat::lease(&self.inner.store, &ids, now.timestamp_millis(), stale(now))
                .await
            {
                Ok(leased) => leased,
                Err(err) => return tracing::error!(%err, "could not lease replies to send"),
            };
        let rows: Vec<Queued> = rows.into_iter().filter(|r| leased.contains(&r.id)).collect();
        self.send_leased(&rows).await;
    }

    /// Sends `text`, which belongs to no turn (nothing was stored), through the API; a failure
    /// is only logged.
    pub(super) async fn say(&self, openid: &str, text: &str) {
        if let Err(err) = self.inner.api.send_text(openid, text).await {
            tracing::warn!(%err, "a wechat note could not be sent by API");
        }
    }

    /// One sweep: forgets old nonces and passive replies, then sends what nobody delivered.
    /// Returns how many messages went out.
    pub async fn deliver_pending(&self) -> usize {
        let now = self.inner.clock.now();
        let store = &self.inner.store;
        let nonces = store_wechat::prune_nonces(store, now.timestamp() - super::NONCES_KEPT_SECS);
        if let Err(err) = nonces.await {
            tracing::error!(%err, "pruning wechat nonces failed");
        }
        let answered_before = (now - KEEP_ANSWERED).timestamp_millis();
        let created_before = (now - UNDELIVERABLE_AFTER).timestamp();
        match store_wechat::prune_delivered(store, CHANNEL, answered_before, created_before).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rows = n, "old wechat outbox rows pruned"),
            Err(err) => tracing::error!(%err, "pruning the wechat outbox failed"),
        }
        let offered_before = crate::store::leases::now_ms() - super::OFFERED_KEPT_MS;
        if let Err(err) = store.prune_offered(offered_before).await {
            tracing::error!(%err, "pruning the buttons offered failed");
        }
        let created_before = (now - SETTLE).timestamp();
        let unsent = store_wechat::lease_unsent(
            store,
            CHANNEL,
            created_before,
            now.timestamp_millis(),
            stale(now),
            SWEEP_BATCH,
        )
        .await;
        let rows = match unsent {
            Ok(rows) => rows,
            Err(err) => {
                tracing::error!(%err, "could not read the wechat outbox");
                return 0;
            }
        };
        if !rows.is_empty() {
            tracing::info!(replies = rows.len(), "sending wechat replies nobody delivered");
        }
        let mut users: Vec<(UserKey, Vec<Queued>)> = Vec::new();
        for row in rows {
            match users.iter_mut().find(|(u, _)| *u == row.user) {
                Some((_, rows)) => rows.push(row),
                None => users.push((row.user.clone(), vec![row])),
            }
        }
        let mut sent = 0;
        for (_, rows) in users {
            sent += self.send_leased(&rows).await;
        }
        sent
    }

    /// [`Self::deliver_pending`] at once and then every [`SWEEP_EVERY`] until `stop` turns
    /// true (or its sender is dropped).
    pub async fn deliver_until_stopped(&self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            self.deliver_pending().await;
            tokio::select! {
                _ = tokio::time::sleep(SWEEP_EVERY) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Sends rows this process holds the lease on, in order (one user's); returns how many
    /// went out.
    async fn send_leased(&self, rows: &[Queued]) -> usize {
        let store = &self.inner.store;
        for (n, row) in rows.iter().enumerate() {
            match self.inner.api.send_text(&row.user.user, &row.reply.text).await {
                Ok(()) => forget_row(store, row.id).await,
                Err(err @ (ApiError::OutsideWindow | ApiError::Unsubscribed)) => {
                    tracing::warn!(%err, "a wechat reply can never be delivered; dropped");
                    for dropped in &rows[n..] {
                        forget_row(store, dropped.id).await;
                    }
                    return n;
                }
                Err(ApiError::NotConfigured) => {
                    tracing::warn!("WECHAT_APPID/WECHAT_APPSECRET not set: a reply is dropped");
                    for dropped in &rows[n..] {
                        forget_row(store, dropped.id).await;
                    }
                    return n;
                }
                Err(err) => {
                    tracing::warn!(%err, "a wechat reply could not be sent by API; retried later");
                    return n;
                }
            }
        }
        rows.len()
    }
}

/// Leases taken before this are a dead sender's (ms).
fn stale(now: DateTime<Utc>) -> i64 {
    (now - LEASE).timestamp_millis()
}

async fn forget_row(store: &Store, id: i64) {
    if let Err(err) = outbox::mark_sent(store, id).await {
        // Worst case it is sent once more after its lease ran out.
        tracing::error!(%err, "could not remove a delivered wechat reply");
    }
}
