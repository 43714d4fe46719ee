//! Health checks for a load balancer or an orchestrator (issue 19): `/healthz` says the
//! process answers at all, `/readyz` whether it can serve a turn now (the database answers
//! within a moment, content is loaded). Neither needs a login or a cookie, and neither touches
//! the chat's rate limits: a balancer probing every second must never use up a conversation's
//! or an address's budget.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::App;

/// How long `/readyz` waits for the database: a balancer probes every few seconds and must
/// get its answer before its own timeout, and a database slower than this cannot serve a chat.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz` and `GET /readyz`.
pub fn router() -> Router<App> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up and its server answers; no database access, so a database outage does
/// not make a balancer restart healthy processes.
async fn healthz() -> &'static str {
    "ok"
}

/// 200 with the content version when a turn could be served now; 503 with a one-line reason
/// otherwise.
async fn readyz(State(app): State<App>) -> impl IntoResponse {
    match ready(&app).await {
        Ok(version) => (StatusCode::OK, format!("ready: content version {version}\n")),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}\n")),
    }
}

/// The running content version, or why the instance is not ready.
async fn ready(app: &App) -> Result<crate::reload::Version, String> {
    match tokio::time::timeout(READY_TIMEOUT, app.store.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            tracing::warn!(%err, "readyz: database not reachable");
            return Err("database not reachable".into());
        }
        Err(_) => return Err(format!("database did not answer within {READY_TIMEOUT:?}")),
    }
    // The handle always holds a validated version (a process without one never starts, and a
    // failed reload keeps the running one); an empty one would answer nothing useful.
    let (assistant, version) = app.assistant.current_with_version();
    if assistant.content.regions.is_empty() {
        return Err("no content loaded".into());
    }
    Ok(version)
}
