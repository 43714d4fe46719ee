//! The outgoing WeChat API: the access token (fetched once, cached until shortly before it
//! expires, one refresh at a time) and customer-service text messages (客服消息), used for
//! replies that miss the 5-second window, the rest of long replies, and reminders.
//!
//! The AppSecret and the access token travel in URLs, so no URL is ever put in an error or a
//! log line (`reqwest::Error::without_url`).

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

/// Refresh this long before the token's announced expiry, so a send never races it.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);
/// A request that takes longer has failed (WeChat answers in well under a second).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

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
        ApiClient { http, base, credentials: appid.zip(appsecret), token: Mutex::new(None) }
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
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
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
        let lifetime = Duration::from_secs(expires_in).saturating_sub(EXPIRY_MARGIN);
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Drops `token` from the cache unless another task already replaced it.
    async fn forget_token(&self, token: &str) {
        let mut cached = self.token.lock().await;
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
