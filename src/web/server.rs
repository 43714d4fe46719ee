//! The HTTP/1.1 server under every endpoint mente listens on: `mente web` (chat page, console,
//! `/wechat` when mounted), `mente wechat serve` and the Telegram webhook (issue 16).
//!
//! `axum::serve` has no timeouts and no connection cap: 1,100 idle connections used up the
//! open-file limit so `accept` failed for everyone, slow clients were held for minutes and a
//! shutdown waited for half-sent requests. This accept loop over hyper's HTTP/1 connection adds:
//! - a header read timeout, which hyper also runs between the requests of a keep-alive
//!   connection, so it is the idle timeout as well;
//! - a body deadline counted from the end of the headers: a body still arriving then gets 408
//!   and its connection is closed;
//! - a connection cap below the open-file limit: beyond it, new connections wait in the kernel's
//!   backlog until a slot frees (the timeouts above free them) instead of failing `accept`;
//! - a graceful shutdown with a deadline: requests in flight finish, idle connections close, and
//!   whatever is still open when the grace period ends is dropped.
//!
//! The listener and the shutdown future are injected, so tests bind port 0 and stop at will.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Sleep;
use tower::ServiceExt;

/// Largest request head (request line and headers). hyper's default (about 400 KiB) times a few
/// hundred slow clients would be a lot of memory; our cookies and forms need a few hundred bytes.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// The server's timeouts and connection cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a request's headers, counted from the connection's start or
    /// from the end of the previous response (so also the keep-alive idle timeout).
    pub header_timeout: Duration,
    /// Time a client has to send a request's body, counted from the end of its headers.
    pub body_timeout: Duration,
    /// Open connections at most; `None`: as many as the open-file limit allows (see
    /// [`connection_cap`]). A larger value is lowered to that, since beyond it `accept` would
    /// fail for every client.
    pub max_connections: Option<usize>,
    /// After the shutdown signal, how long requests in flight may take before their
    /// connections are dropped.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            // A phone on a weak 3G link sends a request head in well under a second; a browser
            // keeps an idle connection open for its next click, which this also bounds.
            header_timeout: Duration::from_secs(15),
            // The largest body (16 KiB) takes seconds even at 2G speeds.
            body_timeout: Duration::from_secs(30),
            max_connections: None,
            // systemd waits 90 s and docker 10 s before SIGKILL: finish well before either.
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Connections assumed to be allowed where the open-file limit cannot be read.
const FALLBACK_FILE_LIMIT: u64 = 1024;

/// Open files kept free of connections at least: the database (two or three files per pooled
/// connection), outgoing API clients, the log, the runtime's own (about 20 when idle).
const RESERVED_FILES: u64 = 64;

/// The connection cap for `requested`: the open-file limit (raised to its hard maximum first, as
/// servers usually do) less a quarter of it, or less 64 if that is more. A
/// larger request is lowered to that, with a warning.
pub fn connection_cap(requested: Option<usize>) -> usize {
    let limit = open_file_limit();
    let ceiling = limit.saturating_sub((limit / 4).max(RESERVED_FILES)).max(1);
    let ceiling = usize::try_from(ceiling).unwrap_or(usize::MAX);
    match requested {
        Some(n) if n > ceiling => {
            tracing::warn!(
                requested = n,
                cap = ceiling,
                "--max-connections would leave too few open files (ulimit -n): lowered"
            );
            ceiling
        }
        Some(n) => n.max(1),
        None => ceiling,
    }
}

/// The soft open-file limit after raising it to the hard one where allowed.
#[cfg(unix)]
fn open_file_limit() -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(maximum)) = (limit.current, limit.maximum) {
        if current < maximum
            && setrlimit(
                Resource::Nofile,
                Rlimit { current: Some(maximum), maximum: Some(maximum) },
            )
            .is_ok()
        {
            return maximum;
        }
    }
    limit.current.unwrap_or(FALLBACK_FILE_LIMIT)
}

#[cfg(not(unix))]
fn open_file_limit() -> u64 {
    FALLBACK_FILE_LIMIT
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves; then stops
/// accepting, lets requests in flight finish for up to `limits.shutdown_grace` and returns.
/// Handlers see the peer address as axum's `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cap = connection_cap(limits.max_connections);
    tracing::info!(
        listen = ?listener.local_addr().ok(),
        max_connections = cap,
        header_timeout = ?limits.header_timeout,
        body_timeout = ?limits.body_timeout,
        "HTTP server limits"
    );
    let slots = Arc::new(Semaphore::new(cap));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // A slot first, then accept: at the cap, new connections wait in the kernel's backlog.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(&err).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        // Small pages answered at once: no reason to wait for more to send.
        let _ = stream.set_nodelay(true);
        let service =
            RequestService { router: router.clone(), peer, body_timeout: limits.body_timeout };
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            if let Err(err) = connection.await {
                // Timeouts and clients going away end up here; nothing to do but note it.
                tracing::debug!(error = %err, "HTTP connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!(
            open = connections.len(),
            "shutdown grace period over: closing the connections still open"
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// Waits a moment after an `accept` failure that a retry at once would repeat (out of files
/// or memory); errors of a single connection (reset before it was accepted) are skipped.
async fn accept_failed(err: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    ) {
        return;
    }
    tracing::error!(error = %err, "accept failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// One connection's request handler: the peer address and the body deadline added to every
/// request before the router sees it.
#[derive(Clone)]
struct RequestService {
    router: Router,
    peer: SocketAddr,
    body_timeout: Duration,
}

impl hyper::service::Service<Request<Incoming>> for RequestService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let router = self.router.clone();
        let expired = Arc::new(AtomicBool::new(false));
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(ConnectInfo(self.peer));
        let body = DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(self.body_timeout)),
            expired: expired.clone(),
        };
        let request = Request::from_parts(parts, Body::new(body));
        Box::pin(async move {
            let response = router.oneshot(request).await?;
            if expired.load(Ordering::Relaxed) {
                return Ok(body_timed_out());
            }
            Ok(response)
        })
    }
}

/// 408, closing the connection: the rest of the late body must not be read as a new request.
fn body_timed_out() -> Response<Body> {
    let mut response = Response::new(Body::from("request body timed out\n"));
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain"));
    response
}

/// A request body that fails once its deadline has passed, however slowly it trickles in (a
/// timeout per read would let a client send one byte every few seconds for ever).
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

/// The error a late body ends with (the handler then fails to read it; the server answers 408).
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(BodyTimedOut.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_stays_below_the_open_file_limit() {
        let ceiling = connection_cap(None);
        assert!(ceiling >= 1);
        assert_eq!(connection_cap(Some(usize::MAX)), ceiling, "lowered to the ceiling");
        assert_eq!(connection_cap(Some(3)), 3);
        assert_eq!(connection_cap(Some(0)), 1, "never zero: the server would never accept");
    }
}
