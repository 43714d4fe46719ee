//! The account's settings, read from environment variables only (never flags: they would end
//! up in shell history and process lists). Debug output shows which are set, never a value.

use url::Url;

use super::crypto::AesKey;

/// Verification token of the account's server settings (服务器配置 → 令牌 Token).
pub const TOKEN_VAR: &str = "WECHAT_TOKEN";
/// The account's AppID (开发者ID).
pub const APPID_VAR: &str = "WECHAT_APPID";
/// The account's AppSecret, for the outgoing API.
pub const APPSECRET_VAR: &str = "WECHAT_APPSECRET";
/// The 43-character EncodingAESKey (消息加解密密钥), for safe mode.
pub const AES_KEY_VAR: &str = "WECHAT_AES_KEY";
/// Base URL of the outgoing API (tests point it at a fake).
pub const API_URL_VAR: &str = "WECHAT_API_URL";
/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.weixin.qq.com";

/// A setting that is wrong; the message names the variable and never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The account's settings.
#[derive(Clone)]
pub struct WechatConfig {
    /// Verification token.
    pub token: String,
    /// AppID; needed for safe mode and the outgoing API.
    pub appid: Option<String>,
    /// AppSecret; needed for the outgoing API.
    pub appsecret: Option<String>,
    /// Safe-mode key; `None` = plain mode only.
    pub aes_key: Option<AesKey>,
    /// Outgoing API base URL.
    pub api_url: Url,
}

impl std::fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatConfig")
            .field("token", &"<redacted>")
            .field("appid", &self.appid.as_ref().map(|_| "<set>"))
            .field("appsecret", &self.appsecret.as_ref().map(|_| "<redacted>"))
            .field("aes_key", &self.aes_key.as_ref().map(|_| "<redacted>"))
            .field("api_url", &self.api_url.as_str())
            .finish()
    }
}

impl WechatConfig {
    /// Reads the settings through `var` (`std::env::var` in production). `Ok(None)` when
    /// `WECHAT_TOKEN` is not set: the WeChat channel is off.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<WechatConfig>, ConfigError> {
        let get = |name: &str| var(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let Some(token) = get(TOKEN_VAR) else { return Ok(None) };
        // WeChat allows 3–32 letters and digits; anything else was pasted wrong.
        if !(3..=32).contains(&token.len()) || !token.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ConfigError(format!(
                "{TOKEN_VAR} must be the 3–32 letters and digits entered as Token in the account's server settings"
            )));
        }
        let aes_key = match get(AES_KEY_VAR) {
            None => None,
            Some(key) => Some(AesKey::parse(&key).map_err(|_| {
                ConfigError(format!(
                    "{AES_KEY_VAR} must be the 43-character EncodingAESKey of the account's server settings"
                ))
            })?),
        };
        let appid = get(APPID_VAR);
        if aes_key.is_some() && appid.is_none() {
            return Err(ConfigError(format!(
                "{AES_KEY_VAR} is set but {APPID_VAR} is not: safe mode checks every message against the AppID"
            )));
        }
        let api_url = get(API_URL_VAR).unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let api_url =
            Url::parse(&api_url).map_err(|_| ConfigError(format!("{API_URL_VAR} is not a URL")))?;
        Ok(Some(WechatConfig { token, appid, appsecret: get(APPSECRET_VAR), aes_key, api_url }))
    }

    /// Whether replies can be sent through the customer-service API (AppID and AppSecret set).
    pub fn can_send(&self) -> bool {
        self.appid.is_some() && self.appsecret.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn without_a_token_the_channel_is_off() {
        assert_eq!(WechatConfig::from_env(env(&[])).unwrap().map(|c| c.token), None);
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = WechatConfig::from_env(env(&[
            (TOKEN_VAR, "spamtest"),
            (APPID_VAR, "wx2c2769f8efd9abc2"),
            (APPSECRET_VAR, "topsecretvalue"),
            (AES_KEY_VAR, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
        ]))
        .unwrap()
        .unwrap();
        let shown = format!("{config:?}");
        for secret in ["spamtest", "wx2c2769f8efd9abc2", "topsecretvalue", "abcdefghij"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(config.can_send());
        assert_eq!(config.api_url.as_str(), "https://api.weixin.qq.com/");
    }

    #[test]
    fn a_bad_key_or_a_key_without_appid_is_refused_without_echoing_it() {
        let err = WechatConfig::from_env(env(&[(TOKEN_VAR, "tok123"), (AES_KEY_VAR, "short")]))
            .unwrap_err();
        assert!(err.0.contains(AES_KEY_VAR) && !err.0.contains("short"), "{}", err.0);
        let err = WechatConfig::from_env(env(&[
            (TOKEN_VAR, "tok123"),
            (AES_KEY_VAR, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
        ]))
        .unwrap_err();
        assert!(err.0.contains(APPID_VAR), "{}", err.0);
        assert!(WechatConfig::from_env(env(&[(TOKEN_VAR, "has space")])).is_err());
    }
}
