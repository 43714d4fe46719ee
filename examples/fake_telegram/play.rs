//! The interactive part of `fake_telegram`: typed lines become a user's Telegram updates on the
//! test suite's Bot API stub, and what the bot sends (new messages, edited ones, callback
//! notes) is printed with its buttons numbered. Shared with the test that keeps the tool working
//! (`tests/it/playground.rs`), so it takes its input as lines and gives its output as lines.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::botapi_stub::{BotApiStub, ChatMessage};

/// What the person typing can ask of the fake itself; every other line is the user's message.
pub const HELP: &str = "\
输入一行 = 当前用户发给机器人的一条消息（/start、/menu 等命令照常发给机器人）。
  数字 N        点最后一条机器人消息的第 N 个按钮（没有按钮时作为文字发送）
  /tap N        点第 N 个按钮
  /say TEXT     原样作为文字发送（例如发送数字本身）
  /as NAME      换成另一个用户（新用户第一次说话前先发 /start）
  /users        列出用户
  /help         本说明
  /quit 或 Ctrl-D  退出";

/// How often the printer looks for what the bot sent; fast enough to feel immediate.
const POLL: Duration = Duration::from_millis(100);

/// The users typed as so far: name by chat id (private chats: chat id = user id).
#[derive(Default)]
struct Users {
    names: HashMap<i64, String>,
}

impl Users {
    fn chat_of(&mut self, name: &str) -> i64 {
        let chat = chat_id(name);
        self.names.entry(chat).or_insert_with(|| name.to_string());
        chat
    }
}

/// A stable chat id for `name`, so a user keeps their conversation across restarts of the fake
/// (mente keys the conversation by it in its database). FNV-1a, folded into 1e9..2e9.
pub fn chat_id(name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    1_000_000_000 + (hash % 1_000_000_000) as i64
}

/// The running fake: the stub, the users and who is typing.
pub struct Play {
    stub: Arc<BotApiStub>,
    users: Arc<Mutex<Users>>,
    current: String,
    out: UnboundedSender<String>,
    printer: tokio::task::JoinHandle<()>,
}

impl Drop for Play {
    fn drop(&mut self) {
        self.printer.abort();
    }
}

/// What [`Play::line`] wants next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

impl Play {
    /// Serves the Bot API on `listener`, typing as `user`; every printed line goes to `out`.
    pub async fn start(
        listener: tokio::net::TcpListener,
        user: &str,
        out: UnboundedSender<String>,
    ) -> Play {
        let stub = Arc::new(BotApiStub::start_on(listener).await);
        let users = Arc::new(Mutex::new(Users::default()));
        users.lock().expect("users").chat_of(user);
        let printer = tokio::spawn(print_bot_messages(stub.clone(), users.clone(), out.clone()));
        Play { stub, users, current: user.to_string(), out, printer }
    }

    /// The base URL for `TELEGRAM_API_URL`.
    pub fn api_url(&self) -> url::Url {
        self.stub.api_url()
    }

    /// Handles one typed line.
    pub fn line(&mut self, line: &str) -> Next {
        let line = line.trim();
        if line.is_empty() {
            return Next::Continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "/quit" | "/exit" => return Next::Quit,
            "/help" => self.say(HELP),
            "/users" => self.list_users(),
            "/as" if !rest.is_empty() => self.switch_to(rest),
            "/tap" => match rest.parse::<usize>() {
                Ok(n) => self.tap(n),
                Err(_) => self.say("用法：/tap N（N 是按钮编号）"),
            },
            "/say" if !rest.is_empty() => self.send_text(rest),
            _ => match line.parse::<usize>() {
                Ok(n) if self.button_count() >= n && n > 0 => self.tap(n),
                _ => self.send_text(line),
            },
        }
        Next::Continue
    }

    fn chat(&self) -> i64 {
        chat_id(&self.current)
    }

    fn say(&self, text: &str) {
        let _ = self.out.send(text.to_string());
    }

    fn switch_to(&mut self, name: &str) {
        self.users.lock().expect("users").chat_of(name);
        self.current = name.to_string();
        self.say(&format!("（现在以 {name} 的身份输入）"));
    }

    fn list_users(&self) {
        let users = self.users.lock().expect("users");
        let mut names: Vec<&String> = users.names.values().collect();
        names.sort();
        let list = names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join("、");
        self.say(&format!("用户：{list}（当前：{}）", self.current));
    }

    fn send_text(&self, text: &str) {
        self.stub.send_text(self.chat(), text);
    }

    /// The newest bot message in the current chat: only its buttons can be tapped by number.
    fn last_message(&self) -> Option<ChatMessage> {
        self.stub.messages(self.chat()).pop()
    }

    fn button_count(&self) -> usize {
        self.last_message().map_or(0, |m| m.all_buttons().len())
    }

    fn tap(&self, n: usize) {
        let Some(message) = self.last_message().filter(|m| !m.buttons.is_empty()) else {
            self.say("（最后一条消息没有按钮）");
            return;
        };
        let buttons = message.all_buttons();
        let Some((label, data)) = n.checked_sub(1).and_then(|i| buttons.get(i)) else {
            self.say(&format!("（没有第 {n} 个按钮：共 {} 个）", buttons.len()));
            return;
        };
        self.say(&format!("（{} 点了 [{n}] {label}）", self.current));
        self.stub.press(self.chat(), message.id, data);
    }
}

/// What was printed of a message, to print edits only when something changed.
type Shown = HashMap<(i64, i64), ChatMessage>;

/// Prints, until aborted, every message the bot sends or edits and the notes it shows on
/// button taps.
async fn print_bot_messages(
    stub: Arc<BotApiStub>,
    users: Arc<Mutex<Users>>,
    out: UnboundedSender<String>,
) {
    let mut shown = Shown::new();
    let mut notes_seen = 0;
    loop {
        let chats: Vec<(i64, String)> =
            users.lock().expect("users").names.iter().map(|(c, n)| (*c, n.clone())).collect();
        for (chat, name) in chats {
            for message in stub.messages(chat) {
                if let Some(text) = describe_change(&mut shown, &name, message) {
                    let _ = out.send(text);
                }
            }
        }
        let notes = stub.calls("answerCallbackQuery");
        for call in notes.iter().skip(notes_seen) {
            if let Some(text) = call.body["text"].as_str().filter(|t| !t.is_empty()) {
                let _ = out.send(format!("（按钮提示：{text}）"));
            }
        }
        notes_seen = notes.len();
        tokio::time::sleep(POLL).await;
    }
}

/// The printout of `message` if it is new or changed since last shown.
fn describe_change(shown: &mut Shown, name: &str, message: ChatMessage) -> Option<String> {
    let key = (message.chat, message.id);
    let text = match shown.get(&key) {
        None => format!("── 机器人 → {name}（消息 #{}）──\n{}", message.id, render(&message)),
        Some(before) if *before == message => return None,
        Some(before) if before.text == message.text && message.buttons.is_empty() => {
            format!("（消息 #{} 的按钮已收起）", message.id)
        }
        Some(_) => format!("── 机器人修改了消息 #{}（{name}）──\n{}", message.id, render(&message)),
    };
    shown.insert(key, message);
    Some(text)
}

/// A message's text and its buttons numbered 1, 2, … row by row.
fn render(message: &ChatMessage) -> String {
    let mut text = message.text.clone();
    let mut n = 0;
    for row in &message.buttons {
        let labels: Vec<String> = row
            .iter()
            .map(|(label, _)| {
                n += 1;
                format!("[{n}] {label}")
            })
            .collect();
        text.push_str("\n  ");
        text.push_str(&labels.join("   "));
    }
    text
}
