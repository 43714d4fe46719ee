//! `mente web`: the applicant chat page at `/` and the hotline console at `/staff` (issue 12).
//!
//! A thin adapter like the other channels: the chat turns a form POST into [`Input`] and runs
//! [`service::turn`] on channel `web`; the console calls the same library functions as
//! `mente ask`, `disease`, `calc`, `due` and `check`. Everything the pages need (CSS, the small
//! script) is embedded in the binary. Pages work without JavaScript: every action is a form.
//!
//! One file per concern: [`chat`] (applicant page), [`limits`] (token buckets), [`security`]
//! (headers, client address, cookies), [`html`] (escaping and the page frame), [`staff`] (console),
//! [`remind`] (reminders parked until the next visit, since a page cannot push).
//!
//! [`Input`]: crate::engine::Input
//! [`service::turn`]: crate::service::turn

pub mod chat;
pub mod html;
pub mod limits;
pub mod remind;
pub mod security;
pub mod staff;

use std::future::Future;
use std::net::SocketAddr;
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
}

/// Token-bucket rates of the server.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// Chat messages per conversation.
    pub chat_per_conversation: Rate,
    /// Chat messages per client address (all conversations of a phone, or a NAT'd office).
    pub chat_per_address: Rate,
    /// Login attempts per client address.
    pub login_per_address: Rate,
    /// Login attempts per account name (guessing one account from many addresses).
    pub login_per_name: Rate,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            // Tapping through a dialog is quick (a 新申请 is about a dozen taps), but nobody
            // reads and answers more than one message every two seconds for long.
            chat_per_conversation: Rate { burst: 20, per_minute: 30 },
            // Generous: a hospital's Wi-Fi may put many applicants behind one address.
            chat_per_address: Rate { burst: 60, per_minute: 120 },
            login_per_address: Rate { burst: 5, per_minute: 1 },
            login_per_name: Rate { burst: 5, per_minute: 1 },
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
    /// Recent messages of each conversation, in memory only.
    pub transcripts: chat::Transcripts,
    /// Logged-in staff.
    pub staff_sessions: staff::auth::Sessions,
}

impl App {
    /// Builds the shared state.
    pub fn new(
        store: Store,
        assistant: impl Into<Live>,
        clock: Arc<dyn Clock>,
        config: WebConfig,
    ) -> App {
        App(Arc::new(Inner {
            store,
            assistant: assistant.into(),
            clock,
            config,
            limiter: Limiter::default(),
            transcripts: chat::Transcripts::default(),
            staff_sessions: staff::auth::Sessions::default(),
        }))
    }
}

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// All routes of the chat page and the console, with security headers and the body limit.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(chat::router())
        .merge(staff::router(app.clone()))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(app)
}

/// Serves [`router`] on `listener` until `shutdown` resolves, then finishes requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, router(app), shutdown).await
}

/// Serves any router built from [`router`] — the place where other channels' routers (WeChat's
/// `/wechat`) are merged in by the caller before serving.
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("assets/app.css"))
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("assets/app.js"))
}
