//! The outgoing WeChat API: the access token (fetched once, cached until shortly before it
//! expires, one refresh at a time) and customer-service text messages (客服消息), used for
//! replies that miss the 5-second window, the rest of long replies, and reminders.
//!
//! Every fetch of a token invalidates the previous one at WeChat, so instances sharing a
//! database ([`ApiClient::sharing`]) keep one token there: one instance refreshes it under a
//! lease, the others wait for it and read the stored one.
//!
//! The AppSecret and the access token travel in URLs, so no URL is ever put in an error or a
//! log line (`reqwest::Error::without_url`).

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::store::leases::{holder_id, now_ms};
use crate::store::Store;

/// Refresh this long before the token's announced expiry, so a send never races it.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);
/// A request that takes longer has failed (WeChat answers in well under a second).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Name of the shared token in the database, and of the lease of whoever refreshes it.
const SHARED_TOKEN: &str = "wechat_access_token";
const REFRESH_LEASE: &str = "wechat_access_token_refresh";
/// How long a refresher holds the lease: longer than one fetch may take, so a live refresher
/// never loses it; a dead one blocks the others no longer than this.
const REFRESH_LEASE_MS: i64 = 2 * HTTP_TIMEOUT.as_millis() as i64;
/// How often an instance waiting for another's refresh looks for the new token.
const REFRESH_POLL: Duration = Duration::from_millis(50);

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// AppID or AppSecret is not configured.
    #[error("WECHAT_APPID and WECHAT_APPSECRET are needed to send messages")]
    NotConfigured,
    /// 45015: the user has not written within the last 48 hours.
    #[error("the user has not written within 48 hours (45015)")]
    OutsideWindow,
    /// 43004: the user does not follow the account (any more).
    #[error("the user does not follow the account (43004)")]
    Unsubscribed,
    /// 45009 / 45047 / -1: busy or over quota; try later.
    #[error("WeChat asked to try later ({0})")]
    TryLater(i64),
    /// Any other error code.
    #[error("WeChat error {code}: {message}")]
    Api {
        /// `errcode`.
        code: i64,
        /// `errmsg`.
        message: String,
    },
    /// Network or decoding trouble.
    #[error("request failed: {0}")]
    Http(String),
    /// The token shared through the database could not be read or stored.
    #[error("the shared access token is unavailable: {0}")]
    Shared(String),
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<u64>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CodeResponse {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// Client of the outgoing API; share it (`Arc`) so the cached token is shared.
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    credentials: Option<(String, String)>,
    token: Mutex<Option<(String, Instant)>>,
    /// Where instances sharing a database keep the token, and this one's name as refresher.
    shared: Option<(Store, String)>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client for `base` (`https://api.weixin.qq.com`); without AppID and AppSecret every
    /// send fails with [`ApiError::NotConfigured`].
    pub fn new(base: Url, appid: Option<String>, appsecret: Option<String>) -> ApiClient {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let credentials = appid.zip(appsecret);
        ApiClient { http, base, credentials, token: Mutex::new(None), shared: None }
    }

    /// Keeps the token in `store` instead of this process's memory, shared with every instance
    /// on that database (one refresh at a time across all of them, under a lease).
    pub fn sharing(mut self, store: Store) -> ApiClient {
        self.shared = Some((store, holder_id()));
        self
    }

    /// Whether sending is possible at all.
    pub fn configured(&self) -> bool {
        self.credentials.is_some()
    }

    /// Sends a customer-service text message to `openid`. A token WeChat calls invalid or
    /// expired (40001, 40014, 42001) is refreshed and the send tried once more.
    pub async fn send_text(&self, openid: &str, text: &str) -> Result<(), ApiError> {
        let body =
            serde_json::json!({"touser": openid, "msgtype": "text", "text": {"content": text}});
        for attempt in 0..2 {
            let token = self.access_token().await?;
            let mut url = self.url("cgi-bin/message/custom/send")?;
            url.query_pairs_mut().append_pair("access_token", &token);
            let response: CodeResponse = self.call(self.http.post(url).json(&body)).await?;
            match response.errcode {
                0 => return Ok(()),
                40001 | 40014 | 42001 if attempt == 0 => self.forget_token(&token).await,
                code => return Err(classify(code, response.errmsg)),
            }
        }
        Err(ApiError::Http("the access token was refused twice".into()))
    }

    /// The cached access token, fetched when missing or about to expire. The lock is held
    /// while fetching, so concurrent senders wait for one refresh instead of each fetching
    /// (every fetch invalidates the previous token at WeChat).
    pub async fn access_token(&self) -> Result<String, ApiError> {
        let (appid, secret) = self.credentials.as_ref().ok_or(ApiError::NotConfigured)?;
        let mut cached = self.token.lock().await;
        if let Some((store, holder)) = &self.shared {
            return self.shared_token(store, holder, appid, secret).await;
        }
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = self.fetch_token(appid, secret).await?;
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// The token stored in the database; when there is none (or it is about to expire), one
    /// instance fetches it under the refresh lease while the others wait and then read it.
    async fn shared_token(
        &self,
        store: &Store,
        holder: &str,
        appid: &str,
        secret: &str,
    ) -> Result<String, ApiError> {
        let shared = |err: crate::store::StoreError| ApiError::Shared(err.to_string());
        let give_up = Instant::now() + 2 * HTTP_TIMEOUT;
        loop {
            let now = now_ms();
            if let Some(token) = store.shared_value(SHARED_TOKEN, now).await.map_err(shared)? {
                return Ok(token);
            }
            let until = now + REFRESH_LEASE_MS;
            if store.take_lease(REFRESH_LEASE, holder, now, until).await.map_err(shared)? {
                let refreshed = self.refresh_shared(store, appid, secret).await;
                if let Err(err) = store.release_lease(REFRESH_LEASE, holder).await {
                    tracing::warn!(%err, "could not release the token refresh lease");
                }
                return refreshed;
            }
            if Instant::now() > give_up {
                return Err(ApiError::Shared("another instance's refresh takes too long".into()));
            }
            tokio::time::sleep(REFRESH_POLL).await;
        }
    }

    /// Under the refresh lease: the token another instance stored meanwhile (between our look
    /// and our lease), or a new one fetched and stored.
    async fn refresh_shared(
        &self,
        store: &Store,
        appid: &str,
        secret: &str,
    ) -> Result<String, ApiError> {
        let shared = |err: crate::store::StoreError| ApiError::Shared(err.to_string());
        if let Some(token) = store.shared_value(SHARED_TOKEN, now_ms()).await.map_err(shared)? {
            return Ok(token);
        }
        let (token, lifetime) = self.fetch_token(appid, secret).await?;
        let until = now_ms() + i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX / 2);
        store.set_shared_value(SHARED_TOKEN, &token, until).await.map_err(shared)?;
        Ok(token)
    }

    /// Asks WeChat for a new token; returns it with how long to use it.
    async fn fetch_token(&self, appid: &str, secret: &str) -> Result<(String, Duration), ApiError> {
        let mut url = self.url("cgi-bin/token")?;
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credential")
            .append_pair("appid", appid)
            .append_pair("secret", secret);
        let response: TokenResponse = self.call(self.http.get(url)).await?;
        let (Some(token), Some(expires_in)) = (response.access_token, response.expires_in) else {
            let code = response.errcode.unwrap_or(-1);
            return Err(classify(code, response.errmsg.unwrap_or_default()));
        };
        Ok((token, Duration::from_secs(expires_in).saturating_sub(EXPIRY_MARGIN)))
    }

    /// Drops `token` from the cache unless another task (or instance) already replaced it.
    async fn forget_token(&self, token: &str) {
        let mut cached = self.token.lock().await;
        if let Some((store, _)) = &self.shared {
            if let Err(err) = store.drop_shared_value(SHARED_TOKEN, token).await {
                tracing::warn!(%err, "could not drop the refused access token");
            }
        }
        if cached.as_ref().is_some_and(|(t, _)| t == token) {
            *cached = None;
        }
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        self.base.join(path).map_err(|_| ApiError::Http("bad WECHAT_API_URL".into()))
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let response =
            request.send().await.map_err(|e| ApiError::Http(e.without_url().to_string()))?;
        response.json().await.map_err(|e| ApiError::Http(e.without_url().to_string()))
    }
}

fn classify(code: i64, message: String) -> ApiError {
    match code {
        45015 => ApiError::OutsideWindow,
        43004 => ApiError::Unsubscribed,
        -1 | 45009 | 45047 => ApiError::TryLater(code),
        _ => ApiError::Api { code, message },
    }
}
