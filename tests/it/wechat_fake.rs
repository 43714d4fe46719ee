//! A fake of WeChat's side for the WeChat channel tests.
//!
//! - [`Account`] plays the platform posting to our server: it signs every request as WeChat
//!   does (SHA-1 of the sorted token, timestamp and nonce; in safe mode also `msg_signature`
//!   over the `Encrypt` text) and, in safe mode, encrypts the message and decrypts and checks
//!   the reply.
//! - [`FakeApi`] serves the outgoing API on 127.0.0.1:0: `cgi-bin/token` and
//!   `cgi-bin/message/custom/send`, recording what was sent.
//!
//! The signature is computed here independently of the code under test; the AES part uses
//! `mente::wechat::crypto`, which its unit tests check against WeChat's published example.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use mente::wechat::crypto::{self, AesKey};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use tokio::sync::Notify;

pub const TOKEN: &str = "mentetoken";
pub const APPID: &str = "wx2c2769f8efd9abc2";
pub const APPSECRET: &str = "fake-app-secret";
pub const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
pub const ACCOUNT_ID: &str = "gh_10f6c3c3ac5a";

/// WeChat's signature: SHA-1 hex of the sorted, concatenated parts.
pub fn sign(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort();
    Sha1::digest(sorted.concat().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

// ----- messages as WeChat posts them --------------------------------------------------------

pub fn text(openid: &str, at: i64, msg_id: i64, content: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

pub fn voice(openid: &str, at: i64, msg_id: i64, recognition: Option<&str>) -> String {
    let recognition = recognition.unwrap_or("");
    format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[{recognition}]]></Recognition><MsgId>{msg_id}</MsgId></xml>"
    )
}

pub fn event(openid: &str, at: i64, event: &str, key: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )
}

pub fn image(openid: &str, at: i64, msg_id: i64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{at}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>{msg_id}</MsgId></xml>"
    )
}

// ----- the platform posting to us -----------------------------------------------------------

/// What our server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The passive reply's text; `None` for `success` or an empty body.
    pub reply: Option<String>,
}

/// Posts as WeChat does to `url` (our `/wechat`).
pub struct Account {
    pub url: String,
    pub safe_mode: bool,
    http: reqwest::Client,
}

/// WeChat signs every request with a fresh nonce; unique across the accounts of a test too.
static NONCES: AtomicUsize = AtomicUsize::new(1_000_000_000);

impl Account {
    pub fn new(url: String, safe_mode: bool) -> Account {
        Account { url, safe_mode, http: reqwest::Client::new() }
    }

    /// Posts `xml` signed with `timestamp` and a fresh nonce.
    pub async fn post(&self, xml: &str, timestamp: i64) -> Answer {
        self.post_with(xml, timestamp, TOKEN).await
    }

    /// Posts `xml` signed with `token` (a wrong one to test refusal).
    pub async fn post_with(&self, xml: &str, timestamp: i64, token: &str) -> Answer {
        let nonce = NONCES.fetch_add(1, Ordering::SeqCst).to_string();
        self.post_signed(xml, timestamp, &nonce, token).await
    }

    /// Posts `xml` under the URL signed with `timestamp` and `nonce` (a replay, when used twice).
    pub async fn post_signed(&self, xml: &str, timestamp: i64, nonce: &str, token: &str) -> Answer {
        self.try_post_signed(xml, timestamp, nonce, token).await.expect("server up")
    }

    /// [`Account::post_signed`], with an unreachable server as an error instead of a panic
    /// (`examples/fake_wechat` may be typed into before mente is up).
    pub async fn try_post_signed(
        &self,
        xml: &str,
        timestamp: i64,
        nonce: &str,
        token: &str,
    ) -> reqwest::Result<Answer> {
        let ts = timestamp.to_string();
        let nonce = nonce.to_string();
        let mut query = vec![
            ("signature", sign(&[token, &ts, &nonce])),
            ("timestamp", ts.clone()),
            ("nonce", nonce.clone()),
        ];
        let body = if self.safe_mode {
            let key = AesKey::parse(AES_KEY).unwrap();
            let encrypted = crypto::encrypt(&key, *b"0123456789abcdef", xml, APPID);
            query.push(("encrypt_type", "aes".into()));
            query.push(("msg_signature", sign(&[token, &ts, &nonce, &encrypted])));
            format!(
                "<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
        } else {
            xml.to_string()
        };
        let response = self.http.post(&self.url).query(&query).body(body).send().await?;
        let status = response.status().as_u16();
        let body = response.text().await?;
        Ok(Answer { status, reply: self.read_reply(&body) })
    }

    /// Posts `body`, bytes that need not be UTF-8, as a plaintext-mode message.
    pub async fn post_bytes(&self, body: Vec<u8>, timestamp: i64) -> Answer {
        assert!(!self.safe_mode, "plaintext mode only");
        let ts = timestamp.to_string();
        let nonce = NONCES.fetch_add(1, Ordering::SeqCst).to_string();
        let query = [
            ("signature", sign(&[TOKEN, &ts, &nonce])),
            ("timestamp", ts.clone()),
            ("nonce", nonce.clone()),
        ];
        let response =
            self.http.post(&self.url).query(&query).body(body).send().await.expect("server up");
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        Answer { status, reply: self.read_reply(&body) }
    }

    /// Server verification as WeChat does it when the URL is saved.
    pub async fn verify(&self, token: &str, echostr: &str) -> (u16, String) {
        let (ts, nonce) = ("1409735669", "1320562132");
        let query = [
            ("signature", sign(&[token, ts, nonce])),
            ("timestamp", ts.into()),
            ("nonce", nonce.into()),
            ("echostr", echostr.into()),
        ];
        let response = self.http.get(&self.url).query(&query).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    fn read_reply(&self, body: &str) -> Option<String> {
        if body.is_empty() || body == "success" || !body.starts_with("<xml>") {
            return None;
        }
        let xml = if self.safe_mode {
            let encrypted = field(body, "Encrypt").expect("safe-mode reply is encrypted");
            let ts = field(body, "TimeStamp").unwrap();
            let nonce = field(body, "Nonce").unwrap();
            assert_eq!(
                field(body, "MsgSignature").unwrap(),
                sign(&[TOKEN, &ts, &nonce, &encrypted]),
                "the reply's msg_signature is WeChat's"
            );
            crypto::decrypt(&AesKey::parse(AES_KEY).unwrap(), &encrypted, APPID).unwrap()
        } else {
            body.to_string()
        };
        assert_eq!(field(&xml, "FromUserName").as_deref(), Some(ACCOUNT_ID));
        assert_eq!(field(&xml, "MsgType").as_deref(), Some("text"));
        let content = field(&xml, "Content").unwrap();
        assert!(content.len() <= 2048, "a text reply over 2048 bytes: {}", content.len());
        Some(content)
    }
}

fn field(xml: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let node = doc.root_element().children().find(|n| n.has_tag_name(name))?;
    Some(node.children().filter_map(|c| c.text()).collect())
}

// ----- the outgoing API ---------------------------------------------------------------------

#[derive(Default)]
struct ApiState {
    sent: Mutex<Vec<(String, String)>>,
    token_fetches: AtomicUsize,
    /// Tokens handed out carry this number; only the current one is accepted.
    generation: AtomicUsize,
    /// Customer-service sends fail (503) while set.
    down: AtomicBool,
    changed: Notify,
}

/// The fake outgoing API.
pub struct FakeApi {
    pub url: String,
    state: Arc<ApiState>,
}

impl FakeApi {
    pub async fn start() -> FakeApi {
        FakeApi::start_on(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
    }

    /// Serves on `listener` (`examples/fake_wechat` binds the port a person chose).
    pub fn start_on(listener: tokio::net::TcpListener) -> FakeApi {
        let state = Arc::new(ApiState::default());
        let app = Router::new()
            .route("/cgi-bin/token", get(token))
            .route("/cgi-bin/message/custom/send", post(custom_send))
            .with_state(state.clone());
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeApi { url, state }
    }

    /// Customer-service messages received so far: (OpenID, text).
    pub fn sent(&self) -> Vec<(String, String)> {
        self.state.sent.lock().unwrap().clone()
    }

    pub fn token_fetches(&self) -> usize {
        self.state.token_fetches.load(Ordering::SeqCst)
    }

    /// Invalidates the access token handed out so far (as a fetch elsewhere would).
    pub fn rotate_token(&self) {
        self.state.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Makes customer-service sends fail (503) until called again with `false`.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// Waits (10 s at most) until at least `n` messages were sent.
    pub async fn wait_for(&self, n: usize) -> Vec<(String, String)> {
        let wait = async {
            loop {
                let changed = self.state.changed.notified();
                if self.sent().len() >= n {
                    return;
                }
                changed.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("expected {n} API messages, got {:?}", self.sent()));
        self.sent()
    }
}

async fn token(
    State(state): State<Arc<ApiState>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Json<Value> {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credential")
        || get("appid") != Some(APPID)
        || get("secret") != Some(APPSECRET)
    {
        return Json(json!({"errcode": 40013, "errmsg": "invalid appid"}));
    }
    state.token_fetches.fetch_add(1, Ordering::SeqCst);
    let token = access_token(&state);
    Json(json!({"access_token": token, "expires_in": 7200}))
}

fn access_token(state: &ApiState) -> String {
    format!("ACCESS_TOKEN_{}", state.generation.load(Ordering::SeqCst))
}

async fn custom_send(
    State(state): State<Arc<ApiState>>,
    Query(q): Query<Vec<(String, String)>>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, StatusCode> {
    if state.down.load(Ordering::SeqCst) {
        return Err(StatusCode::SERVICE_UNAVAILABLE);
    }
    let current = access_token(&state);
    if !q.iter().any(|(k, v)| k == "access_token" && *v == current) {
        return Ok(Json(json!({"errcode": 40001, "errmsg": "invalid credential"})));
    }
    let to = body["touser"].as_str().unwrap_or_default().to_string();
    assert_eq!(body["msgtype"], "text");
    let text = body["text"]["content"].as_str().unwrap_or_default().to_string();
    assert!(text.len() <= 2048, "customer-service text over 2048 bytes");
    state.sent.lock().unwrap().push((to, text));
    state.changed.notify_waiters();
    Ok(Json(json!({"errcode": 0, "errmsg": "ok"})))
}
