//! Counts the SQL statements sqlx runs (its `sqlx::query` log events), for the benches' "statements
//! per turn" line: a figure that does not depend on the machine's load, unlike the timings.
//!
//! sqlx logs every statement it prepares or executes; `BEGIN`/`COMMIT` of an SQLite transaction
//! go to the connection's thread without a log event, so a transaction adds two round trips to
//! what is counted here (on PostgreSQL they are counted). Counting is off unless switched on,
//! so the timed parts pay only a flag check per statement.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

static ON: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicUsize = AtomicUsize::new(0);
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Installs the counter as the process's tracing subscriber (once, at the start of `main`).
pub fn install() {
    tracing::subscriber::set_global_default(Counter).expect("no other subscriber");
}

/// Runs `f` with counting on; returns its value, the statements it ran, and their first words.
pub async fn count<T>(f: impl std::future::Future<Output = T>) -> (T, usize, Vec<String>) {
    COUNT.store(0, Ordering::SeqCst);
    SEEN.lock().unwrap().clear();
    ON.store(true, Ordering::SeqCst);
    let value = f.await;
    ON.store(false, Ordering::SeqCst);
    let seen = std::mem::take(&mut *SEEN.lock().unwrap());
    (value, COUNT.load(Ordering::SeqCst), seen)
}

struct Counter;

/// Keeps the `summary` field (sqlx's first four words of the statement).
struct Summary(Option<String>);

impl tracing::field::Visit for Summary {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            self.0 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl Subscriber for Counter {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        // "Sometimes": `enabled` is asked every time, so the flag decides.
        match meta.target() == "sqlx::query" {
            true => Interest::sometimes(),
            false => Interest::never(),
        }
    }
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        meta.target() == "sqlx::query" && ON.load(Ordering::Relaxed)
    }
    fn event(&self, event: &Event<'_>) {
        COUNT.fetch_add(1, Ordering::SeqCst);
        let mut summary = Summary(None);
        event.record(&mut summary);
        SEEN.lock().unwrap().push(summary.0.unwrap_or_default());
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
