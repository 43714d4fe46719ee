//! The interactive part of `fake_wechat`: typed lines become a follower's messages, posted to
//! mente's `/wechat` signed (and in safe mode encrypted) as WeChat does, with the passive reply
//! printed; the customer-service API the fake serves prints what mente sends through it (the
//! rest of long replies, staff replies of a hand-off, reminders). Shared with the test that
//! keeps the tool working (`tests/it/playground.rs`): input and output are lines.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::wechat_fake::{self, Account, FakeApi};

/// What the person typing can ask of the fake itself; every other line is the user's message.
pub const HELP: &str = "\
输入一行 = 当前用户发给公众号的一条文字消息；选项按公众号的提示回复数字即可。
  /tap N        同回复数字 N
  /voice TEXT   语音消息（微信的语音识别结果为 TEXT）
  /subscribe    关注公众号（事件）   /unsubscribe  取消关注
  /click KEY    点自定义菜单（KEY 见 `mente wechat menu` 的 key，例如 cmd:human）
  /as NAME      换成另一个用户        /users  列出用户
  /help         本说明                /quit 或 Ctrl-D  退出";

/// How often the printer looks at the customer-service API's messages.
const POLL: Duration = Duration::from_millis(100);

/// A stable OpenID for `name` (WeChat's are 28 characters of letters, digits, `-` and `_`), so
/// a user keeps their conversation across restarts of the fake.
pub fn openid(name: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("oFAKE{hash:016x}fakeuser")[..28].to_string()
}

/// What [`Play::line`] wants next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

/// The running fake: the poster, the API, the users and who is typing.
pub struct Play {
    account: Account,
    api: Arc<FakeApi>,
    /// Name by OpenID, for printing the API's messages.
    names: Arc<Mutex<HashMap<String, String>>>,
    current: String,
    msg_ids: AtomicI64,
    out: UnboundedSender<String>,
    printer: tokio::task::JoinHandle<()>,
}

impl Drop for Play {
    fn drop(&mut self) {
        self.printer.abort();
    }
}

impl Play {
    /// Posts to `endpoint` (mente's `…/wechat`), serves the API on `api_listener`, typing as
    /// `user`; safe mode encrypts as an account with an EncodingAESKey does.
    pub fn start(
        endpoint: String,
        safe_mode: bool,
        api_listener: tokio::net::TcpListener,
        user: &str,
        out: UnboundedSender<String>,
    ) -> Play {
        let api = Arc::new(FakeApi::start_on(api_listener));
        let names = Arc::new(Mutex::new(HashMap::from([(openid(user), user.to_string())])));
        let printer = tokio::spawn(print_api_messages(api.clone(), names.clone(), out.clone()));
        Play {
            account: Account::new(endpoint, safe_mode),
            api,
            names,
            current: user.to_string(),
            // Message ids must not repeat for a user across restarts (mente drops repeats).
            msg_ids: AtomicI64::new(chrono::Utc::now().timestamp_millis()),
            out,
            printer,
        }
    }

    /// The base URL for `WECHAT_API_URL`.
    pub fn api_url(&self) -> &str {
        &self.api.url
    }

    /// Handles one typed line; returns after mente's answer to it is printed.
    pub async fn line(&mut self, line: &str) -> Next {
        let line = line.trim();
        if line.is_empty() {
            return Next::Continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let (openid, at, msg_id) = (openid(&self.current), now(), self.next_msg_id());
        let xml = match word {
            "/quit" | "/exit" => return Next::Quit,
            "/help" => return self.say(HELP),
            "/users" => return self.list_users(),
            "/as" if !rest.is_empty() => return self.switch_to(rest),
            "/tap" if !rest.is_empty() => wechat_fake::text(&openid, at, msg_id, rest),
            "/voice" => {
                wechat_fake::voice(&openid, at, msg_id, Some(rest).filter(|r| !r.is_empty()))
            }
            "/subscribe" => wechat_fake::event(&openid, at, "subscribe", ""),
            "/unsubscribe" => wechat_fake::event(&openid, at, "unsubscribe", ""),
            "/click" if !rest.is_empty() => wechat_fake::event(&openid, at, "CLICK", rest),
            _ => wechat_fake::text(&openid, at, msg_id, line),
        };
        self.post(&xml, at).await;
        Next::Continue
    }

    fn say(&self, text: &str) -> Next {
        let _ = self.out.send(text.to_string());
        Next::Continue
    }

    fn switch_to(&mut self, name: &str) -> Next {
        self.names.lock().expect("names").insert(openid(name), name.to_string());
        self.current = name.to_string();
        self.say(&format!("（现在以 {name} 的身份输入；新用户可先 /subscribe）"))
    }

    fn list_users(&self) -> Next {
        let mut names: Vec<String> = self.names.lock().expect("names").values().cloned().collect();
        names.sort();
        self.say(&format!("用户：{}（当前：{}）", names.join("、"), self.current))
    }

    fn next_msg_id(&self) -> i64 {
        self.msg_ids.fetch_add(1, Ordering::SeqCst)
    }

    /// Posts as WeChat does, with a nonce of its own (WeChat refuses nothing twice, but mente
    /// does: a signed URL carries one message), and prints the passive reply.
    async fn post(&self, xml: &str, at: i64) {
        let nonce = self.next_msg_id().to_string();
        let answer = self.account.try_post_signed(xml, at, &nonce, wechat_fake::TOKEN).await;
        let text = match answer.map(|a| (a.status, a.reply)) {
            Ok((200, Some(reply))) => {
                format!("── 公众号 → {}（被动回复）──\n{reply}", self.current)
            }
            Ok((200, None)) => {
                "（公众号没有立即回复：之后的消息会经客服接口发来，显示在这里）".to_string()
            }
            Ok((status, _)) => {
                format!("（mente 拒绝了这条消息：HTTP {status}。WECHAT_TOKEN 对吗？）")
            }
            Err(err) => format!("（连不上 mente：{err}。mente web 启动了吗？）"),
        };
        let _ = self.out.send(text);
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Prints, until aborted, every customer-service message mente sends through the API.
async fn print_api_messages(
    api: Arc<FakeApi>,
    names: Arc<Mutex<HashMap<String, String>>>,
    out: UnboundedSender<String>,
) {
    let mut seen = 0;
    loop {
        let sent = api.sent();
        for (to, text) in sent.iter().skip(seen) {
            let name = names.lock().expect("names").get(to).cloned().unwrap_or_else(|| to.clone());
            let _ = out.send(format!("── 公众号 → {name}（客服消息）──\n{text}"));
        }
        seen = sent.len();
        tokio::time::sleep(POLL).await;
    }
}
