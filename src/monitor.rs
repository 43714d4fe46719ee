//! Prometheus metrics (issue 19): what a duty engineer graphs, served on a listen address of
//! its own (`--metrics-listen`), never on the public port.
//!
//! The adapters record where things happen — [`turn`] in `service` (every channel's turns go
//! through it), [`reminders`] in `scheduler::run_once`, [`reload`] in `reload` — through the
//! `metrics` facade; until [`install`] has set the process-wide recorder those calls cost a
//! branch and record nothing (`mente chat`, `mente remind`, tests). Figures that are the
//! database's state (outbox depth, open hand-offs) and the content version are read at each
//! scrape instead, so every instance on one database reports the same depth and nothing has
//! to poll between scrapes. The pure core knows nothing of this module.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::reload::{Live, Outcome};
use crate::scheduler::RunReport;
use crate::store::{console, outbox, Store};
use crate::web::ServerLimits;

/// Turns, by channel.
pub const TURNS: &str = "mente_turns_total";
/// Turns that failed with a database error, by channel.
pub const TURN_ERRORS: &str = "mente_turn_errors_total";
/// Seconds a turn took (its transaction included), by channel: a histogram.
pub const TURN_SECONDS: &str = "mente_turn_seconds";
/// Reminders handled by the worker, by channel and outcome.
pub const REMINDERS: &str = "mente_reminders_total";
/// Replies committed but not yet delivered, by channel (on the web: reminders parked for the
/// next visit).
pub const OUTBOX_DEPTH: &str = "mente_outbox_depth";
/// Requests for a person still waiting: not marked handled, and not closed in the inbox.
pub const HANDOFFS_OPEN: &str = "mente_handoffs_open";
/// The running content version of this process.
pub const CONTENT_VERSION: &str = "mente_content_version";
/// Content reloads refused because the content had problems.
pub const RELOAD_ERRORS: &str = "mente_content_reload_errors_total";
/// 1 when the last reload of this process failed (the previous version still runs).
pub const RELOAD_FAILING: &str = "mente_content_reload_failing";
/// 1 when the last scrape could read the database.
pub const DATABASE_UP: &str = "mente_database_up";
/// Requests refused by this process's rate limits (per process, like the limits), by limit.
pub const RATE_LIMITED: &str = "mente_rate_limited_total";

/// The rate limits counted under [`RATE_LIMITED`]: the chat's per-conversation and per-address
/// buckets.
pub const RATE_LIMITS: [&str; 2] = ["chat_conversation", "chat_address"];

/// The channels a turn or an outbox row can belong to: each gets its series at 0 from the
/// start, so a dashboard or an alert on a series that has not happened yet (no error so far,
/// an empty outbox) sees 0 rather than nothing.
pub const CHANNELS: [&str; 4] = ["web", "telegram", "wechat", "terminal"];

/// Histogram buckets of a turn, in seconds: a turn takes about a millisecond, a slow disk or a
/// queue of writers makes it tens; beyond a second something is wrong.
const TURN_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// How often histogram samples are folded into their buckets between scrapes, which keeps the
/// recorder's memory bounded however rarely Prometheus comes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The recorder could not be installed.
#[derive(Debug, thiserror::Error)]
#[error("cannot install the metrics recorder: {0}")]
pub struct InstallError(#[from] BuildError);

/// Installs the process-wide recorder (once; later calls return the same handle).
pub fn install() -> Result<PrometheusHandle, InstallError> {
    static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);
    let mut handle = HANDLE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = handle.as_ref() {
        return Ok(handle.clone());
    }
    // Buckets make the turn latency a Prometheus histogram (aggregatable across instances)
    // rather than the exporter's default per-process summary.
    let installed = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(TURN_SECONDS.into()), TURN_BUCKETS)?
        .install_recorder()?;
    register();
    *handle = Some(installed.clone());
    Ok(installed)
}

/// Describes every series and creates it at 0 (the histograms with no samples), so the first
/// scrape lists all of them: before it, a series that had not happened yet was missing, and
/// Prometheus cannot tell "none" from "not exported".
fn register() {
    describe_counter!(TURNS, "conversation turns handled");
    describe_counter!(TURN_ERRORS, "turns that failed with a database error");
    describe_histogram!(
        TURN_SECONDS,
        metrics::Unit::Seconds,
        "a turn's time, its transaction included"
    );
    describe_counter!(REMINDERS, "reminders the worker handled, by outcome");
    describe_gauge!(OUTBOX_DEPTH, "replies committed but not delivered yet (read at each scrape)");
    describe_gauge!(
        HANDOFFS_OPEN,
        "requests for a person not yet handled or closed in the inbox (read at each scrape)"
    );
    describe_gauge!(CONTENT_VERSION, "the content version this process runs");
    describe_counter!(RELOAD_ERRORS, "content reloads refused because the content had problems");
    describe_gauge!(RELOAD_FAILING, "1 while the last content reload of this process failed");
    describe_gauge!(DATABASE_UP, "1 when the last scrape could read the database");
    describe_counter!(RATE_LIMITED, "requests refused by this process's rate limits, by limit");
    for limit in RATE_LIMITS {
        counter!(RATE_LIMITED, "limit" => limit).increment(0);
    }
    for channel in CHANNELS {
        counter!(TURNS, "channel" => channel).increment(0);
        counter!(TURN_ERRORS, "channel" => channel).increment(0);
        // Registering is enough: the recorder keeps the histogram and renders it empty.
        let _ = histogram!(TURN_SECONDS, "channel" => channel);
        for outcome in OUTCOMES {
            counter!(REMINDERS, "channel" => channel, "outcome" => outcome).increment(0);
        }
    }
    counter!(RELOAD_ERRORS).increment(0);
    gauge!(RELOAD_FAILING).set(0.0);
}

/// The outcomes of a reminder, as the `outcome` label spells them.
const OUTCOMES: [&str; 5] = ["sent", "failed", "deferred", "blocked", "dropped"];

/// Records one turn of `channel` that took `elapsed`; `ok` is false when it failed.
pub fn turn(channel: &str, elapsed: Duration, ok: bool) {
    let channel = channel.to_string();
    if ok {
        counter!(TURNS, "channel" => channel.clone()).increment(1);
    } else {
        counter!(TURN_ERRORS, "channel" => channel.clone()).increment(1);
    }
    histogram!(TURN_SECONDS, "channel" => channel).record(elapsed.as_secs_f64());
}

/// Records what one reminder step of `channel` did.
pub fn reminders(channel: &str, report: &RunReport) {
    let outcomes = [
        ("sent", report.sent),
        ("failed", report.failed),
        ("deferred", report.deferred),
        ("blocked", report.blocked),
        ("dropped", report.dropped),
    ];
    for (outcome, n) in outcomes {
        counter!(REMINDERS, "channel" => channel.to_string(), "outcome" => outcome)
            .increment(n as u64);
    }
}

/// Records a request refused by the rate limit `limit` (one of [`RATE_LIMITS`]).
pub fn rate_limited(limit: &'static str) {
    counter!(RATE_LIMITED, "limit" => limit).increment(1);
}

/// Records how a content reload ended.
pub fn reload(outcome: &Outcome) {
    let failed = matches!(outcome, Outcome::Failed(..));
    if failed {
        counter!(RELOAD_ERRORS).increment(1);
    }
    gauge!(RELOAD_FAILING).set(if failed { 1.0 } else { 0.0 });
}

/// What a scrape reads: the recorder, the database and the running content.
#[derive(Clone)]
pub struct Scrape {
    handle: PrometheusHandle,
    store: Store,
    live: Live,
    /// Channels whose outbox depth is reported: [`CHANNELS`] from the start and any other
    /// found in the outbox since, so an empty or emptied outbox reports 0 instead of nothing
    /// or its last value.
    channels: Arc<Mutex<BTreeSet<String>>>,
}

impl Scrape {
    /// A scrape of `store` and `live` rendered by `handle` (from [`install`]).
    pub fn new(handle: PrometheusHandle, store: Store, live: Live) -> Scrape {
        let channels = CHANNELS.iter().map(|c| c.to_string()).collect();
        Scrape { handle, store, live, channels: Arc::new(Mutex::new(channels)) }
    }

    /// Sets the gauges read at scrape time, then renders every metric in the text format.
    pub async fn render(&self) -> String {
        gauge!(CONTENT_VERSION).set(self.live.version().number as f64);
        match self.read_database().await {
            Ok(()) => gauge!(DATABASE_UP).set(1.0),
            Err(err) => {
                tracing::warn!(%err, "metrics: database not readable");
                gauge!(DATABASE_UP).set(0.0);
            }
        }
        self.handle.run_upkeep();
        self.handle.render()
    }

    async fn read_database(&self) -> Result<(), crate::store::StoreError> {
        let depths = outbox::depth_by_channel(self.store.reader()).await?;
        let handoffs = console::open_handoff_count(self.store.reader()).await?;
        let mut seen = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        for channel in seen.iter() {
            if !depths.iter().any(|(c, _)| c == channel) {
                gauge!(OUTBOX_DEPTH, "channel" => channel.clone()).set(0.0);
            }
        }
        for (channel, depth) in depths {
            gauge!(OUTBOX_DEPTH, "channel" => channel.clone()).set(depth as f64);
            seen.insert(channel);
        }
        gauge!(HANDOFFS_OPEN).set(handoffs as f64);
        Ok(())
    }
}

/// `GET /metrics`: the Prometheus text format.
pub fn router(scrape: Scrape) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(scrape)
}

async fn metrics(State(scrape): State<Scrape>) -> impl IntoResponse {
    let text = scrape.render().await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}

/// Serves [`router`] on `listener` (the same hardened server as the public port) until
/// `shutdown` resolves, folding histogram samples in between scrapes.
pub async fn serve(
    listener: TcpListener,
    scrape: Scrape,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = scrape.handle.clone();
    let upkeep = tokio::spawn(async move {
        loop {
            tokio::time::sleep(UPKEEP_EVERY).await;
            handle.run_upkeep();
        }
    });
    let limits = ServerLimits::default();
    let served = crate::web::serve_router(listener, router(scrape), limits, shutdown).await;
    upkeep.abort();
    served
}
