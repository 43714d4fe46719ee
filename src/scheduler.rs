//! The reminder worker: a loop (`run_until_stopped`) around one public step (`run_once(now)`),
//! and the [`Sender`] interface through which every channel delivers reminders.
//!
//! # Delivery guarantee
//!
//! Each step claims due reminders with a *lease* in one atomic UPDATE (`claimed_by`,
//! `claimed_until = now + LEASE`), sends them, then marks each sent (only if it still holds the
//! lease). Consequences:
//! - two workers on one database never send the same reminder: a live lease excludes it;
//! - a worker killed after claiming but before sending leaves a lease that expires; the next
//!   step after expiry claims and sends it — the reminder is not lost;
//! - the one remaining window is a kill *after* the channel accepted the message but *before*
//!   the mark: that reminder is sent again after the lease expires. We chose at-least-once for
//!   that window (a duplicate reminder is a nuisance; a lost renewal reminder can cost a
//!   patient their benefit). The window is one UPDATE long.
//!
//! Reminders go out only 09:00–20:00 China time: a step outside that window sends nothing.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::assistant::Assistant;
use crate::clock::Clock;
use crate::engine::{Reply, UserKey};
use crate::reload::Live;
use crate::store::tracking::Claimed;
use crate::store::{Store, StoreError};
use crate::tracking::reminders::{self, in_send_window};

/// How long a claim protects a reminder from other workers. Longer than any send takes,
/// short enough that a crashed worker's reminders go out the same morning.
pub const LEASE: Duration = Duration::from_secs(300);
/// Pause between steps of [`run_until_stopped`].
pub const POLL_INTERVAL: Duration = Duration::from_secs(60);
/// Reminders claimed per step (bounded so one step never holds many leases).
pub const BATCH: u32 = 50;
/// After this many failed attempts a reminder is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Why a reminder could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The user blocked the bot (Telegram 403): send them nothing until they write again.
    #[error("the user blocked the assistant")]
    Blocked,
    /// Rate-limited: try again after this long.
    #[error("rate limited, retry after {0:?}")]
    RetryAfter(Duration),
    /// Anything else (network …): try again later.
    #[error("delivery failed: {0}")]
    Failed(String),
}

/// Delivers a reminder text to a user on the sender's channel.
pub trait Sender: Send + Sync {
    /// The channel this sender serves (`terminal`, `telegram`).
    fn channel(&self) -> &str;
    /// Sends `text` to `to`.
    fn send(&self, to: &UserKey, text: &str) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Sends `reply` with its buttons (a staff reply with its 结束人工 button, `crate::relay`);
    /// by default its text only, for channels without buttons.
    fn send_reply(
        &self,
        to: &UserKey,
        reply: &Reply,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        self.send(to, &reply.text)
    }

    /// Delivers `reminder`; by default [`Sender::send`] to its user. A channel that keeps the
    /// message for later (the web page parks it until the next visit) overrides this to record
    /// which reminder it holds.
    fn send_reminder(
        &self,
        reminder: &Claimed,
        text: &str,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        self.send(&reminder.user, text)
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Delivered and marked sent.
    pub sent: usize,
    /// Delivery failed; will be retried later (or given up after [`MAX_ATTEMPTS`]).
    pub failed: usize,
    /// Rate-limited; will be retried after the wait the channel asked for.
    pub deferred: usize,
    /// Recipient blocked the assistant; their reminders wait until they write again.
    pub blocked: usize,
    /// Given up (application deleted meanwhile, too many failures).
    pub dropped: usize,
    /// `true` when the step ran outside 09:00–20:00 China time and sent nothing.
    pub quiet_hours: bool,
}

/// A worker id unique within this host: process id plus a counter, so two workers in one
/// process (tests) are told apart too.
fn worker_id(now: DateTime<Utc>) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), now.timestamp())
}

/// `now + wait`, at least one second later (a retry "after 0s" must not be retried within the
/// same step).
fn after(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(wait.max(Duration::from_secs(1)))
        .unwrap_or(chrono::Duration::days(1))
}

/// One step: send every reminder of `sender`'s channel that is due at `now`, exactly once.
pub async fn run_once<S: Sender>(
    store: &Store,
    assistant: &Assistant,
    sender: &S,
    now: DateTime<Utc>,
) -> Result<RunReport, StoreError> {
    let report = step(store, assistant, sender, now).await?;
    crate::monitor::reminders(sender.channel(), &report);
    Ok(report)
}

/// [`run_once`] without the metrics.
async fn step<S: Sender>(
    store: &Store,
    assistant: &Assistant,
    sender: &S,
    now: DateTime<Utc>,
) -> Result<RunReport, StoreError> {
    let mut report = RunReport::default();
    if !in_send_window(now) {
        report.quiet_hours = true;
        return Ok(report);
    }
    let worker = worker_id(now);
    // Users who answered 403 in this step: their other claimed reminders are given back unsent.
    let mut blocked: Vec<UserKey> = Vec::new();
    loop {
        let claimed =
            store.claim_due(sender.channel(), &worker, now, after(now, LEASE), BATCH).await?;
        let full = claimed.len() == BATCH as usize;
        for reminder in &claimed {
            if superseded(reminder, &claimed) {
                store.drop_reminder(reminder.id, &worker, "superseded").await?;
                report.dropped += 1;
            } else if blocked.contains(&reminder.user) {
                store.release(reminder.id, &worker, now, "unreachable").await?;
            } else {
                let before = report.blocked;
                deliver(store, assistant, sender, &worker, reminder, now, &mut report).await?;
                if report.blocked > before {
                    blocked.push(reminder.user.clone());
                }
            }
        }
        // A released reminder waits until at least `now + 1s`, so later batches of this step
        // never see it again and the loop ends.
        if !full {
            return Ok(report);
        }
    }
}

/// A later reminder of the same deadline is due in the same batch (the worker was down): the
/// user gets the later one only.
fn superseded(reminder: &Claimed, batch: &[Claimed]) -> bool {
    batch.iter().any(|other| {
        // A task reminder (no application) stands alone: two tasks are two things to do.
        reminder.application_id.is_some()
            && other.application_id == reminder.application_id
            && reminders::same_deadline(other.kind, reminder.kind)
            && (other.due_at, other.id) > (reminder.due_at, reminder.id)
    })
}

async fn deliver<S: Sender>(
    store: &Store,
    assistant: &Assistant,
    sender: &S,
    worker: &str,
    reminder: &Claimed,
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(), StoreError> {
    let text = match reminder.application_id {
        Some(id) => match application_text(store, assistant, worker, reminder, id, now).await? {
            Some(text) => text,
            None => {
                report.dropped += 1;
                return Ok(());
            }
        },
        // The user's own task: said once on its day, whatever else changed.
        None => reminders::task_message(reminder.task.as_deref().unwrap_or("您设的事项")),
    };
    send(store, sender, worker, reminder, &text, now, report).await
}

/// The text of an application's reminder, or `None` when it was dropped (the application is
/// gone, or the reminder no longer says something true).
async fn application_text(
    store: &Store,
    assistant: &Assistant,
    worker: &str,
    reminder: &Claimed,
    application_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let Some(app) = store.load_application(application_id).await? else {
        store.drop_reminder(reminder.id, worker, "application deleted").await?;
        return Ok(None);
    };
    if !reminders::still_relevant(reminder.kind, &app, now) {
        store.drop_reminder(reminder.id, worker, "out of date").await?;
        return Ok(None);
    }
    Ok(Some(reminders::message(reminder.kind, &app, &assistant.content, now)))
}

/// Sends `text` for `reminder` and records the outcome (sent once; kept for a blocked user;
/// retried after a rate limit or a failure, up to [`MAX_ATTEMPTS`]).
async fn send<S: Sender>(
    store: &Store,
    sender: &S,
    worker: &str,
    reminder: &Claimed,
    text: &str,
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(), StoreError> {
    match sender.send_reminder(reminder, text).await {
        Ok(()) => {
            store.mark_sent(reminder.id, worker, now).await?;
            report.sent += 1;
        }
        Err(SendError::Blocked) => {
            // Kept pending, not dropped: once the user writes again it is still worth sending.
            // Marked first, so no worker claims it again while the user is unreachable.
            store.mark_unreachable(&reminder.user, now).await?;
            store.release(reminder.id, worker, now, "unreachable").await?;
            report.blocked += 1;
        }
        Err(SendError::RetryAfter(wait)) => {
            store.release(reminder.id, worker, after(now, wait), "rate limited").await?;
            report.deferred += 1;
        }
        Err(SendError::Failed(why)) => {
            tracing::warn!(reminder = reminder.id, %why, "reminder delivery failed");
            if store.reminder_attempts(reminder.id).await? >= MAX_ATTEMPTS {
                store.drop_reminder(reminder.id, worker, &why).await?;
                report.dropped += 1;
            } else {
                // Back off a little more after every attempt (1, 2, 3 … × the poll interval).
                let attempts = store.reminder_attempts(reminder.id).await?.max(1) as u32;
                store
                    .release(reminder.id, worker, after(now, POLL_INTERVAL * attempts), &why)
                    .await?;
                report.failed += 1;
            }
        }
    }
    Ok(())
}

/// Runs [`run_once`] every [`POLL_INTERVAL`] until `shutdown` turns `true` (or its sender is
/// dropped). Store errors are logged and the loop goes on: a locked or briefly unavailable
/// database must not stop reminders for good. Each step uses the content running at its start
/// (a reload between steps applies to the next one).
pub async fn run_until_stopped<S: Sender, C: Clock>(
    store: &Store,
    assistant: &Live,
    sender: &S,
    clock: &C,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Housekeeping rides on the same loop: bounded state needs no extra task or timer.
        match crate::store::sessions::prune_processed_updates(store, clock.now()).await {
            Ok(0) => {}
            Ok(pruned) => tracing::debug!(pruned, "old processed update ids pruned"),
            Err(err) => tracing::error!(%err, "pruning processed updates failed"),
        }
        match crate::store::sessions::clear_idle_contexts(store, clock.now()).await {
            Ok(0) => {}
            Ok(cleared) => tracing::debug!(cleared, "idle conversation contexts cleared"),
            Err(err) => tracing::error!(%err, "clearing idle conversation contexts failed"),
        }
        match crate::handoff_idle::run_once(store, &assistant.current(), clock.now()).await {
            Ok(0) => {}
            Ok(closed) => tracing::info!(closed, "idle hand-offs closed"),
            Err(err) => tracing::error!(%err, "closing idle hand-offs failed"),
        }
        match run_once(store, &assistant.current(), sender, clock.now()).await {
            Ok(report) if report.sent + report.failed + report.blocked > 0 => {
                tracing::info!(?report, "reminder step");
            }
            Ok(_) => {}
            Err(err) => tracing::error!(%err, "reminder step failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Delivers reminders to terminal users: prints `[提醒] …` to stdout, or collects them in
/// memory (tests).
#[derive(Debug, Clone, Default)]
pub struct TerminalSender {
    collected: Option<Outbox>,
}

/// Messages kept by a collecting [`TerminalSender`], shared with its clones.
type Outbox = Arc<Mutex<Vec<(UserKey, String)>>>;

impl TerminalSender {
    /// Prints to stdout.
    pub fn stdout() -> Self {
        TerminalSender { collected: None }
    }

    /// Keeps messages in memory; read them with [`TerminalSender::sent`].
    pub fn collecting() -> Self {
        TerminalSender { collected: Some(Arc::default()) }
    }

    /// Messages collected so far (empty for a printing sender).
    pub fn sent(&self) -> Vec<(UserKey, String)> {
        self.collected
            .as_ref()
            .map(|c| c.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }
}

impl Sender for TerminalSender {
    fn channel(&self) -> &str {
        "terminal"
    }

    async fn send(&self, to: &UserKey, text: &str) -> Result<(), SendError> {
        match &self.collected {
            Some(collected) => collected
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((to.clone(), text.to_string())),
            // A closed or full stdout is a failed delivery (retried later), not a panic.
            None => {
                use std::io::Write as _;
                writeln!(std::io::stdout().lock(), "[提醒] ({}) {text}", to.user)
                    .map_err(|err| SendError::Failed(err.to_string()))?;
            }
        }
        Ok(())
    }
}
