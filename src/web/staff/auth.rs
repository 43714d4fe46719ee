//! Staff accounts and sessions: argon2id password hashes, login with throttling (per account and
//! address, per address, per account: [`accounts::LoginLimits`]), a session cookie scoped to
//! `/staff`, and a CSRF token per session.
//!
//! Sessions are rows in the database (`store::staff`), so a restart logs nobody out and every
//! instance sharing the database knows them. The row holds the SHA-256 of the cookie's token,
//! never the token: a copy of the database opens no session. The CSRF token is derived from
//! the cookie's token (`csrf_of`), so it needs no storage and survives a restart with the
//! session. An account removed with `mente staff remove` loses its sessions at once.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::see_other;
use crate::store::staff::{self as accounts, Role, SessionLife};
use crate::web::html::{csrf_field, escape, page};
use crate::web::security::{
    client_addr, cookie, is_token, peer, random_token, same_secret, secure, set_cookie,
};
use crate::web::App;

/// The session cookie (path `/staff`).
pub const COOKIE: &str = "mente_staff";

/// The login form's CSRF cookie (path `/staff/login`).
pub const LOGIN_COOKIE: &str = "mente_login";

/// A session unused this long ends.
pub const IDLE_HOURS: i64 = 8;

/// A session ends this long after login however busy it is: a working day, then log in again.
pub const ABSOLUTE_HOURS: i64 = 12;

/// Shortest password `mente staff add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A logged-in member of staff, handed to console handlers.
#[derive(Debug, Clone)]
pub struct StaffUser {
    /// Account name.
    pub name: String,
    /// The session's CSRF token, embedded in every form.
    pub csrf: String,
    /// What the account may do: only an editor sees and uses the forms that change content.
    pub role: Role,
}

impl StaffUser {
    /// Whether this account may change content (`mente staff add NAME --role editor`).
    pub fn is_editor(&self) -> bool {
        self.role == Role::Editor
    }
}

fn session_life() -> SessionLife {
    SessionLife { idle: Duration::hours(IDLE_HOURS), absolute: Duration::hours(ABSOLUTE_HOURS) }
}

/// What the database stores of a session token: its SHA-256, in hex.
fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The CSRF token of the session whose cookie holds `token`: a hash of it under its own label,
/// so that it differs from [`token_hash`] and reveals nothing of the token (it is in every page).
fn csrf_of(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"mente staff csrf\0");
    h.update(token.as_bytes());
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Errors of account management.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The password is too short.
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    /// The name is empty or has characters other than letters, digits, `.`, `_`, `-`.
    #[error("the name must be 1–32 letters, digits, '.', '_' or '-'")]
    BadName,
    /// Hashing failed (should not happen).
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Checks a new account's name and password and returns the argon2id hash to store.
pub fn new_account_hash(name: &str, password: &str) -> Result<String, AccountError> {
    let name_ok = (1..=32).contains(&name.chars().count())
        && name.chars().all(|c| c.is_alphanumeric() || ".-_".contains(c));
    if !name_ok {
        return Err(AccountError::BadName);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    hash_password(password)
}

/// An argon2id PHC string (default parameters: 19 MiB, 2 passes) with a random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// The logged-in staff member of a request, if any (a live session of an existing account).
pub async fn current(app: &App, headers: &HeaderMap) -> Option<StaffUser> {
    let token = cookie(headers, COOKIE).filter(|t| is_token(t))?;
    let pool = app.store.pool();
    match accounts::live_session(pool, &token_hash(token), session_life(), app.clock.now()).await {
        Ok(session) => {
            session.map(|s| StaffUser { name: s.name, csrf: csrf_of(token), role: s.role })
        }
        Err(err) => {
            tracing::error!(error = %err, "web: cannot check a staff session");
            None
        }
    }
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// `GET /staff/login`.
pub async fn login_page(State(app): State<App>, headers: HeaderMap) -> Response {
    login_form(&app, &headers, StatusCode::OK, "")
}

/// `POST /staff/login`.
pub async fn login(State(app): State<App>, request: Request) -> Response {
    let now = app.clock.now();
    let headers = request.headers().clone();
    let addr = throttle_addr(&client_addr(&headers, peer(&request), app.config.trust_proxy));
    let Ok(Form(form)) =
        <Form<LoginForm> as axum::extract::FromRequest<App>>::from_request(request, &app).await
    else {
        return login_form(&app, &headers, StatusCode::BAD_REQUEST, "请填写用户名和密码。");
    };
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(expected, &form.csrf) {
        return login_form(&app, &headers, StatusCode::FORBIDDEN, "页面已过期，请重新输入。");
    }
    let name = form.name.trim().to_string();
    let limits = app.config.rates.login;
    match accounts::begin_login(app.store.pool(), &name, &addr, limits, now).await {
        Ok(Ok(())) => {}
        Ok(Err(which)) => {
            tracing::warn!(staff = %name, limit = ?which, "web: login throttled");
            return login_form(
                &app,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                "尝试次数太多，请 15 分钟后再试。",
            );
        }
        Err(err) => return super::failed(err),
    }
    let stored = match accounts::hash_of(app.store.pool(), &name).await {
        Ok(stored) => stored,
        Err(err) => return super::failed(err),
    };
    let password = form.password;
    // Hashing takes tens of milliseconds of CPU: off the async workers. An unknown name is
    // checked against a dummy hash so that the answer takes as long as for a real one.
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            let _ = verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false);
    if !ok {
        tracing::info!(staff = %name, "web: failed login");
        return login_form(&app, &headers, StatusCode::UNAUTHORIZED, "用户名或密码不对。");
    }
    start_session(&app, &headers, &name, &addr, now).await
}

/// After a right password: forgives the address's failures, stores a new session and sets its
/// cookie.
async fn start_session(
    app: &App,
    headers: &HeaderMap,
    name: &str,
    addr: &str,
    now: DateTime<Utc>,
) -> Response {
    let token = random_token();
    let pool = app.store.pool();
    let opened = match accounts::login_succeeded(pool, name, addr, now).await {
        Ok(()) => {
            accounts::open_session(pool, &token_hash(&token), name, session_life(), now).await
        }
        Err(err) => Err(err),
    };
    if let Err(err) = opened {
        return super::failed(err);
    }
    tracing::info!(staff = %name, "web: staff logged in");
    // The browser may keep the cookie as long as the session can live; idleness is the
    // server's to judge.
    let max_age = ABSOLUTE_HOURS * 3600;
    let cookie = set_cookie(COOKIE, &token, "/staff", "Strict", max_age, secure(app, headers));
    let mut response = see_other("/staff");
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// `POST /staff/logout`.
pub async fn logout(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = cookie(&headers, COOKIE) {
        if let Err(err) = accounts::close_session(app.store.pool(), &token_hash(token)).await {
            return super::failed(err);
        }
    }
    tracing::info!(staff = %user.name, "web: staff logged out");
    let mut response = see_other("/staff/login");
    let clear = set_cookie(COOKIE, "", "/staff", "Strict", 0, secure(&app, &headers));
    if let Ok(v) = clear.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// The address login throttling counts by: an IPv4 address as it is, an IPv6 address by its
/// /64 (one subscriber's network: anyone with one can pick any address in it).
fn throttle_addr(addr: &str) -> String {
    match addr.parse::<std::net::Ipv6Addr>() {
        Ok(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => addr.to_string(),
    }
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

fn login_form(app: &App, headers: &HeaderMap, status: StatusCode, problem: &str) -> Response {
    let csrf = random_token();
    let problem = if problem.is_empty() {
        String::new()
    } else {
        format!("<p class=\"problem\" role=\"alert\">{}</p>", escape(problem))
    };
    let body = format!(
        "<main class=\"login\"><h1>门特助手 · 工作台登录</h1>{problem}\
         <form method=\"post\" action=\"/staff/login\">{}\
         <label for=\"name\">用户名</label><input id=\"name\" name=\"name\" autocomplete=\"username\" autofocus required>\
         <label for=\"password\">密码</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button>登录</button></form></main>",
        csrf_field(&csrf)
    );
    let cookie =
        set_cookie(LOGIN_COOKIE, &csrf, "/staff/login", "Strict", 1800, secure(app, headers));
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page("工作台登录", "staff", &body),
    )
        .into_response();
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_of_one_network_are_throttled_as_one() {
        assert_eq!(throttle_addr("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(throttle_addr("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_eq!(throttle_addr("203.0.113.9"), "203.0.113.9");
        assert_eq!(throttle_addr("::ffff:203.0.113.9"), "::ffff:203.0.113.9");
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = new_account_hash("wang.li", "correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterx", &hash));
        assert!(matches!(new_account_hash("wang", "short"), Err(AccountError::WeakPassword)));
        assert!(matches!(new_account_hash("a b", "long enough pw"), Err(AccountError::BadName)));
    }
}
