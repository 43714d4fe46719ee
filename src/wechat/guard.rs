//! Which `POST /wechat` requests are WeChat's, decided before the body is parsed or anything
//! is stored, cheapest check first:
//!
//! 1. `signature` (SHA-1 of token, timestamp, nonce; sent in every mode): a wrong one is
//!    refused before a byte of the body is read.
//! 2. The signed timestamp within [`MAX_SKEW_SECS`] of our clock.
//! 3. Safe mode (`WECHAT_AES_KEY` set): only an encrypted body whose `msg_signature` matches
//!    its `Encrypt` text (found by a bounded scan, not the XML parser); a plaintext body is
//!    refused, whatever `FromUserName` it claims.
//! 4. The signed URL (timestamp + nonce) used for one body only, remembered in the database
//!    for the window ([`NONCES_KEPT_SECS`]) so every instance on it refuses the replay. The
//!    same body again is WeChat resending the message: let through to the `MsgId` dedupe.
//!
//! Only then is the message (decrypted in safe mode) parsed, after the same pre-scan
//! ([`xml::prescan`]) bounded its size, depth and attributes.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::config::WechatConfig;
use super::{crypto, xml};
use crate::store::{wechat as store_wechat, Store};

/// Requests whose signed timestamp is further off than this (either way) are refused: the
/// replay window.
pub const MAX_SKEW_SECS: i64 = 300;

/// How long a used nonce is remembered: twice the window, so instances whose clocks differ by
/// up to [`MAX_SKEW_SECS`] still all know it while any of them would accept its timestamp.
pub const NONCES_KEPT_SECS: i64 = 2 * MAX_SKEW_SECS;

/// Nonces longer than this are not WeChat's (it sends about ten digits).
const MAX_NONCE_CHARS: usize = 64;

/// The query WeChat signs every request with.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Signed {
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub nonce: String,
    pub echostr: Option<String>,
    pub msg_signature: Option<String>,
    pub encrypt_type: Option<String>,
}

/// Why a request is not handled; each maps to a status and a log line (never to details in
/// the answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    /// 403: not WeChat, or not this message.
    Forbidden(&'static str),
    /// 400: from WeChat perhaps, but not a message we can read.
    Malformed(String),
    /// 500: our configuration cannot read it (an encrypted body without `WECHAT_AES_KEY`), or
    /// the database is unavailable (WeChat resends).
    Unavailable(String),
}

/// A request that passed: the message's XML, and whether the reply must be encrypted.
#[derive(Debug)]
pub(super) struct Opened {
    pub plain: String,
    pub encrypted: bool,
}

/// Checks a `POST /wechat` and returns its message, decrypted.
pub(super) async fn open(
    config: &WechatConfig,
    store: &Store,
    q: &Signed,
    body: String,
    now: DateTime<Utc>,
) -> Result<Opened, Refusal> {
    let token = config.token.as_str();
    if !crypto::verify(&q.signature, &[token, &q.timestamp, &q.nonce]) {
        return Err(Refusal::Forbidden("message with a wrong signature"));
    }
    let timestamp = match q.timestamp.parse::<i64>() {
        Ok(ts) if (now.timestamp() - ts).abs() <= MAX_SKEW_SECS => ts,
        _ => return Err(Refusal::Forbidden("message with a stale or missing timestamp")),
    };
    if q.nonce.is_empty() || q.nonce.chars().count() > MAX_NONCE_CHARS {
        return Err(Refusal::Forbidden("message without a usable nonce"));
    }
    let malformed = |err: xml::XmlError| Refusal::Malformed(err.to_string());
    let encrypted = xml::encrypted_field(&body).map_err(malformed)?;
    // What the signature vouches for: in safe mode the Encrypt text (msg_signature covers it),
    // in plain mode the whole body (nothing covers it, hence the nonce).
    let (signed_for, key) = match (&config.aes_key, &encrypted) {
        (Some(_), None) => return Err(Refusal::Forbidden("plaintext message in safe mode")),
        (Some(key), Some(enc)) => {
            let parts = [token, &q.timestamp, &q.nonce, enc.as_str()];
            if !crypto::verify(q.msg_signature.as_deref().unwrap_or(""), &parts) {
                return Err(Refusal::Forbidden("encrypted message with a wrong msg_signature"));
            }
            (enc.as_str(), Some(key))
        }
        (None, Some(_)) => {
            return Err(Refusal::Unavailable(
                "an encrypted message arrived but WECHAT_AES_KEY/WECHAT_APPID are not set".into(),
            ))
        }
        (None, None) if q.encrypt_type.as_deref() == Some("aes") => {
            return Err(Refusal::Malformed("no Encrypt field".into()))
        }
        (None, None) => (body.as_str(), None),
    };
    // SHA-1 of one part is the digest of that text.
    let digest = crypto::signature(&[signed_for]);
    match store_wechat::remember_nonce(store, timestamp, &q.nonce, &digest).await {
        Ok(true) => {}
        Ok(false) => return Err(Refusal::Forbidden("a signed URL replayed with another body")),
        Err(err) => return Err(Refusal::Unavailable(format!("nonce not recorded: {err}"))),
    }
    let (Some(key), Some(enc)) = (key, &encrypted) else {
        return Ok(Opened { plain: body, encrypted: false });
    };
    let Some(appid) = &config.appid else {
        return Err(Refusal::Unavailable("WECHAT_APPID is not set".into()));
    };
    let plain = crypto::decrypt(key, enc, appid).map_err(|e| Refusal::Malformed(e.to_string()))?;
    Ok(Opened { plain, encrypted: true })
}
