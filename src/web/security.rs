//! Security plumbing shared by every page: response headers (strict CSP, no framing, nosniff,
//! no referrer, no caching of pages), POSTs only from our own pages, the client address and
//! scheme (trusting a reverse proxy only when configured), cookies, signed ids and random tokens.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::html::{escape, page};
use super::App;

/// Only our own embedded files; no inline script or style, no frames, forms post only here.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    // Pages hold a conversation or staff data: a shared phone's back button or a proxy cache
    // must not show them to the next person. The embedded assets may be cached.
    let cache = if is_static { "public, max-age=3600" } else { "no-store" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Refuses a POST (or any other unsafe method) that a page of another site sent, before its
/// body is read (issue 16). The browser says where a request comes from:
/// - `Sec-Fetch-Site` (every current browser): only `same-origin` and `none` (typed by the user)
///   pass; `same-site` (a sibling subdomain) and `cross-site` are refused;
/// - without it (older browsers), an `Origin` other than `null`, and a `Referer`, must name this
///   host. A request with neither is let through: old browsers send no `Origin`, and our
///   `Referrer-Policy: no-referrer` makes even same-origin posts arrive without `Referer` or with
///   `Origin: null`; the chat cookie's `SameSite=Lax` and the console's CSRF tokens still apply.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD || from_this_site(request.headers()) {
        return next.run(request).await;
    }
    tracing::info!(method = %method, path = request.uri().path(), "web: cross-site request refused");
    let body = page(
        "门特助手",
        "chat",
        &format!(
            "<main><p class=\"notice\">{}</p><p><a class=\"big-link\" href=\"/\">返回对话</a></p></main>",
            escape("这个请求不是从本站页面发出的，已拒绝。请打开本站页面后再操作。")
        ),
    );
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
        .into_response()
}

/// Whether the headers show the request came from a page of this host (see [`same_origin`]).
pub fn from_this_site(headers: &HeaderMap) -> bool {
    let value = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site.trim().to_ascii_lowercase().as_str(), "same-origin" | "none");
    }
    let host = value(header::HOST);
    let origin = value(header::ORIGIN).filter(|o| o.trim() != "null");
    [origin, value(header::REFERER)].into_iter().flatten().all(|url| same_host(url, host))
}

/// Whether `url` (an `Origin` or `Referer`) names the host of the `Host` header, a default
/// port being the same as none.
fn same_host(url: &str, host: Option<&str>) -> bool {
    let (Ok(url), Some(host)) = (url::Url::parse(url.trim()), host) else { return false };
    // The Host header read as the authority of a URL of the same scheme, so both are normalised
    // alike (letter case, default ports, IPv6 brackets).
    let Ok(this) = url::Url::parse(&format!("{}://{}", url.scheme(), host.trim())) else {
        return false;
    };
    url.host().is_some()
        && url.host() == this.host()
        && url.port_or_known_default() == this.port_or_known_default()
}

/// The client's address: the peer of the TCP connection, or — behind a trusted proxy — the
/// last `X-Forwarded-For` entry (the one the proxy itself appended; earlier ones are the
/// client's to forge).
pub fn client_addr(
    request_headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_proxy: bool,
) -> String {
    if trust_proxy {
        let forwarded = request_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// The peer address axum recorded for the connection (absent in `oneshot` tests that do not
/// insert one).
pub fn peer(request: &Request) -> Option<SocketAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// Whether cookies must be `Secure`: configured, or a trusted proxy says the user came by HTTPS.
pub fn secure(app: &App, request_headers: &HeaderMap) -> bool {
    app.config.secure_cookies
        || (app.config.trust_proxy
            && request_headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")))
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(request_headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    request_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly always, `Secure` when `secure`.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: i64,
    secure: bool,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    )
}

/// 32 hex characters (128 bits) from the OS random source: conversation ids, session and CSRF
/// tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing is not something a web request can recover from.
    getrandom::getrandom(&mut bytes).expect("OS random source unavailable");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` looks like one of ours (anything else is ignored, not looked up).
pub fn is_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `id.mac`: `id` with a 128-bit HMAC-SHA256 tag under `key`, for a cookie whose value the
/// client must not choose.
pub fn sign(id: &str, key: &[u8]) -> String {
    format!("{id}.{}", tag(id, key))
}

/// The id of a value made by [`sign`] with `key`; `None` for anything else (an unsigned or
/// altered value, a tag made with another key).
pub fn verify<'a>(value: &'a str, key: &[u8]) -> Option<&'a str> {
    let (id, mac) = value.split_once('.')?;
    (is_token(id) && same_secret(mac, &tag(id, key))).then_some(id)
}

fn tag(id: &str, key: &[u8]) -> String {
    // HMAC takes keys of any length; the error case cannot happen.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"mente_chat\0");
    mac.update(id.as_bytes());
    mac.finalize().into_bytes()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets without stopping at the first differing byte.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
