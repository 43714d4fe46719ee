//! `mente web`: the applicant chat page at `/` and the hotline console at `/staff` (issue 12).
//!
//! A thin adapter like the other channels: the chat turns a form POST into [`Input`] and runs
//! [`service::turn`] on channel `web`; the console calls the same library functions as
//! `mente ask`, `disease`, `calc`, `due` and `check`. Everything the pages need (CSS, the small
//! script) is embedded in the binary. Pages work without JavaScript: every action is a form.
//!
//! One file per concern: [`chat`] (applicant page), [`limits`] (token buckets), [`security`]
//! (headers, client address, cookies, same-origin POSTs), [`transcripts`] (what the chat page
//! shows, in memory within a byte budget), [`html`] (escaping and the page frame), [`staff`] (console),
//! [`remind`] (reminders parked until the next visit, since a page cannot push), [`server`] (the
//! hardened HTTP server: timeouts, connection cap, shutdown deadline), [`health`] (`/healthz`,
//! `/readyz` for a load balancer).
//!
//! [`Input`]: crate::engine::Input
//! [`service::turn`]: crate::service::turn

pub mod chat;
pub mod handoff;
pub mod health;
pub mod html;
pub mod limits;
pub mod remind;
pub mod security;
pub mod server;
pub mod staff;
pub mod transcripts;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::reload::Live;
use crate::store::Store;
use limits::{Limiter, Rate};
pub use server::ServerLimits;

/// The channel name of web conversations (`UserKey::channel`, statistics, hand-offs).
pub const CHANNEL: &str = "web";

/// Largest request body accepted: a chat message is at most a few kilobytes (the engine reads
/// at most 2 000 characters), a console form less.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// How the server is deployed.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`: set when users reach the server over HTTPS (behind a TLS proxy).
    pub secure_cookies: bool,
    /// Believe `X-Forwarded-For` / `X-Forwarded-Proto` (only when a reverse proxy you run sets
    /// them; otherwise anyone could forge an address and escape the per-address limit).
    pub trust_proxy: bool,
    /// Content folder, for the console's content status (`mente check`).
    pub content_root: PathBuf,
    /// Rate limits.
    pub rates: Rates,
    /// Timeouts and connection cap of the HTTP server.
    pub server: ServerLimits,
    /// Memory the chat transcripts may use, in bytes (see [`transcripts::Transcripts`]).
    pub transcript_bytes: usize,
}

/// Rate limits of the server: token buckets in memory for the chat, attempts in the database
/// for the console login.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// Chat messages per conversation.
    pub chat_per_conversation: Rate,
    /// Chat messages per client address (all conversations of a phone, or a NAT'd office).
    pub chat_per_address: Rate,
    /// Console login throttling (kept in the database, shared by every instance).
    pub login: crate::store::staff::LoginLimits,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            // Tapping through a dialog is quick (a 新申请 is about a dozen taps), but nobody
            // reads and answers more than one message every two seconds for long.
            chat_per_conversation: Rate { burst: 20, per_minute: 30 },
            // Generous: a hospital's Wi-Fi may put many applicants behind one address.
            chat_per_address: Rate { burst: 60, per_minute: 120 },
            login: crate::store::staff::LoginLimits::default(),
        }
    }
}

impl WebConfig {
    /// Defaults for `content_root`: plain HTTP, no proxy, default rates.
    pub fn new(content_root: PathBuf) -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            content_root,
            rates: Rates::default(),
            server: ServerLimits::default(),
            transcript_bytes: transcripts::DEFAULT_BUDGET_BYTES,
        }
    }
}

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Inner>);

/// The shared parts behind [`App`].
pub struct Inner {
    /// The database.
    pub store: Store,
    /// Content and indexes, swapped by a reload ([`crate::reload`]): take
    /// [`Live::current`] once per request.
    pub assistant: Live,
    /// Time source (rate limits, turns, session expiry).
    pub clock: Arc<dyn Clock>,
    /// Deployment settings.
    pub config: WebConfig,
    /// Rate limit buckets.
    pub limiter: Limiter,
    /// Recent messages of each conversation, in memory only, bounded in bytes.
    pub transcripts: transcripts::Transcripts,
    /// The key chat cookies are signed with, read from the database at first use.
    pub(crate) chat_key: tokio::sync::OnceCell<Vec<u8>>,
}

impl App {
    /// Builds the shared state.
    pub fn new(
        store: Store,
        assistant: impl Into<Live>,
        clock: Arc<dyn Clock>,
        config: WebConfig,
    ) -> App {
        let transcripts = transcripts::Transcripts::new(config.transcript_bytes);
        App(Arc::new(Inner {
            store,
            assistant: assistant.into(),
            clock,
            config,
            limiter: Limiter::default(),
            transcripts,
            chat_key: tokio::sync::OnceCell::new(),
        }))
    }
}

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// All routes of the chat page and the console, with security headers, the body limit and
/// POSTs from other sites refused.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(chat::router())
        .merge(staff::router(app.clone()))
        .merge(health::router())
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(security::same_origin))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(app)
}

/// Serves [`router`] on `listener` within the app's [`ServerLimits`] until `shutdown` resolves,
/// then finishes requests in flight (for at most the grace period).
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = app.config.server;
    serve_router(listener, router(app), limits, shutdown).await
}

/// Serves any router — [`router`] with other channels' routes (WeChat's `/wechat`) merged in by
/// the caller, or another channel's alone — on the hardened [`server`].
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, router, limits, shutdown).await
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("assets/app.css"))
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("assets/app.js"))
}
