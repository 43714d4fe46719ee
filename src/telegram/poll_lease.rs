//! Long polling on one instance at a time. Telegram answers a second concurrent `getUpdates`
//! with 409 Conflict, and two pollers would split one chat's updates between them; so the
//! poller holds a lease row in the database (`store::leases`, the same on SQLite and
//! PostgreSQL), renews it every [`LeaseTiming::renew`] and gives it up when it stops. The
//! other instances try every `renew` and take over once it is free or has run out (its
//! holder died without giving it up).

use std::time::Duration;

use super::send::Stopping;
use crate::store::leases::{holder_id, now_ms};
use crate::store::Store;

/// Name of the lease row: one bot per database.
pub const LEASE_NAME: &str = "telegram_polling";

/// How long a poller's lease lasts and how often it is renewed (and how often a waiting
/// instance tries to take it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTiming {
    /// A lease not renewed for this long is taken over.
    pub ttl: Duration,
    /// Renewal (and retry) interval; well under `ttl`, so a slow renewal does not lose it.
    pub renew: Duration,
}

impl Default for LeaseTiming {
    /// Renewed every 3 s, lost after 15 s without renewal: a dead poller is replaced within
    /// about 15 s, and a database hiccup of a few seconds costs nothing.
    fn default() -> Self {
        LeaseTiming { ttl: Duration::from_secs(15), renew: Duration::from_secs(3) }
    }
}

/// This process's claim on long polling.
pub(crate) struct PollingLease {
    store: Store,
    holder: String,
    timing: LeaseTiming,
}

impl PollingLease {
    pub(crate) fn new(store: Store, timing: LeaseTiming) -> Self {
        PollingLease { store, holder: holder_id(), timing }
    }

    /// Takes or renews the lease now; `false` when another instance holds it. A database
    /// error counts as not holding it: polling without the lease risks two pollers.
    pub(crate) async fn try_take(&self) -> bool {
        let now = now_ms();
        let ttl = i64::try_from(self.timing.ttl.as_millis()).unwrap_or(i64::MAX / 2);
        match self.store.take_lease(LEASE_NAME, &self.holder, now, now + ttl).await {
            Ok(held) => held,
            Err(err) => {
                tracing::error!(error = %err, "could not take the polling lease");
                false
            }
        }
    }

    /// Waits until the lease is ours (`true`) or shutdown is asked for (`false`).
    pub(crate) async fn wait(&self, stopping: &Stopping) -> bool {
        let mut said = false;
        loop {
            if stopping.is_set() {
                return false;
            }
            if self.try_take().await {
                return true;
            }
            if !said {
                tracing::info!("another instance is polling Telegram; waiting to take over");
                said = true;
            }
            tokio::select! {
                () = tokio::time::sleep(self.timing.renew) => {}
                () = stopping.wait() => return false,
            }
        }
    }

    /// Renews the lease every `renew` while polling; resolves when a renewal fails (the lease
    /// was lost: this process stalled past `ttl` and another took over), so polling stops.
    pub(crate) async fn keep(&self) {
        loop {
            tokio::time::sleep(self.timing.renew).await;
            if !self.try_take().await {
                tracing::warn!("lost the polling lease to another instance; polling stops here");
                return;
            }
        }
    }

    /// Gives the lease up, so a waiting instance takes over at once.
    pub(crate) async fn release(&self) {
        if let Err(err) = self.store.release_lease(LEASE_NAME, &self.holder).await {
            tracing::warn!(error = %err, "could not release the polling lease; it runs out by itself");
        }
    }
}
