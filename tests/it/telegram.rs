//! The Telegram channel end to end: `run_bot` in-process, teloxide's real HTTP client, and the
//! stub Bot API server from `botapi_stub`. Chats are private chats with positive ids.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mente::assistant::Assistant;
use mente::clock::{Clock, FixedClock};
use mente::engine::UserKey;
use mente::scheduler::{SendError, Sender};
use mente::store::Store;
use mente::telegram::{
    connect, run_bot, BotConfig, Mode, RetryPolicy, TelegramError, TelegramSender,
};
use teloxide::adaptors::throttle::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::botapi_stub::{BotApiStub, Fault, TOKEN};

/// Limits high enough that tests are not slowed by them; 429s are injected explicitly.
fn fast_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 100,
        messages_per_min_chat: 10_000,
        messages_per_min_channel_or_supergroup: 10_000,
        messages_per_sec_overall: 1000,
    }
}

fn config(stub: &BotApiStub) -> BotConfig {
    let mut config = BotConfig::new(TOKEN);
    config.api_url = Some(stub.api_url());
    config.limits = fast_limits();
    config.retry = RetryPolicy {
        attempts: 5,
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(1),
    };
    config.poll_timeout = Duration::from_secs(2);
    config
}

fn assistant() -> Arc<Assistant> {
    Arc::new(Assistant::load(&mente::content::default_root()).expect("content loads"))
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock("2026-11-25T02:00:00Z".parse().expect("instant")))
}

async fn store(dir: &tempfile::TempDir) -> Store {
    let url = crate::db::test_db_url(dir.path(), "mente.sqlite");
    Store::connect(&url).await.expect("store")
}

/// A bot running in the background until [`RunningBot::stop`].
struct RunningBot {
    stop: oneshot::Sender<()>,
    handle: JoinHandle<Result<(), TelegramError>>,
}

impl RunningBot {
    fn start(config: BotConfig, store: Store) -> RunningBot {
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let handle = tokio::spawn(run_bot(config, store, assistant(), clock(), shutdown));
        RunningBot { stop, handle }
    }

    /// Signals shutdown (as Ctrl-C / SIGTERM would) and waits for the bot to finish.
    async fn stop(self) -> Result<(), TelegramError> {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(20), self.handle)
            .await
            .expect("the bot stops within 20 s")
            .expect("bot task")
    }
}

const ALICE: i64 = 5001;

/// Stops `bot`; the one message it sent to `chat` (none or more fail the test).
async fn the_only_text(stub: &BotApiStub, chat: i64, bot: RunningBot) -> String {
    bot.stop().await.expect("clean exit");
    let texts = stub.texts(chat);
    assert_eq!(texts.len(), 1, "one message only: {texts:?}");
    texts[0].clone()
}

#[tokio::test]
async fn a_wrong_token_is_a_clear_error_at_start() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&stub);
    config.token = "999:not-the-token".into();
    let (_keep, stopped) = oneshot::channel::<()>();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        run_bot(config, store(&dir).await, assistant(), clock(), async move {
            let _ = stopped.await;
        }),
    )
    .await
    .expect("gives up at once");
    let err = result.unwrap_err();
    assert!(matches!(err, TelegramError::BadToken(_)), "{err}");
    assert!(err.to_string().contains("TELOXIDE_TOKEN"));
}

#[tokio::test]
async fn shutdown_handles_every_received_update_and_confirms_it() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<i64> = (0..5).map(|i| stub.send_text(ALICE, &format!("你好 {i}"))).collect();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.wait_until(ALICE, "the updates to be fetched", |s| {
        s.calls("getUpdates").iter().any(|c| c.returned.contains(&ids[4]))
    })
    .await;
    bot.stop().await.expect("clean exit");
    assert_eq!(stub.pending_updates(), 0, "every fetched update is confirmed before exit");
}

#[tokio::test]
async fn a_failing_command_menu_and_chat_action_never_stop_the_bot() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    stub.fail_always("setMyCommands", Fault::Error(400, "Bad Request: commands broken".into()));
    stub.fail_always("sendChatAction", Fault::Error(400, "Bad Request: no actions".into()));
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.send_text(ALICE, "/start");
    stub.wait_until(ALICE, "menu and chat action attempts", |s| {
        !s.calls("setMyCommands").is_empty() && !s.calls("sendChatAction").is_empty()
    })
    .await;
    let later = stub.send_text(ALICE, "/help");
    stub.wait_until(ALICE, "the bot to keep polling", |s| {
        s.calls("getUpdates").iter().any(|c| c.returned.contains(&later))
    })
    .await;
    assert!(!bot.handle.is_finished(), "the bot is still running");
    bot.stop().await.expect("clean exit");
}

#[tokio::test]
async fn the_command_menu_is_published_in_chinese() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.wait_until(ALICE, "setMyCommands", |s| s.calls("setMyCommands").iter().any(|c| c.ok))
        .await;
    bot.stop().await.expect("clean exit");
    let call = &stub.calls("setMyCommands")[0];
    let menu: Vec<(String, String)> = call.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["command"].as_str().unwrap().into(), c["description"].as_str().unwrap().into()))
        .collect();
    assert!(menu.contains(&("menu".into(), "主菜单".into())), "{menu:?}");
    assert!(menu.contains(&("myapps".into(), "我的申请".into())), "{menu:?}");
    assert_eq!(menu.len(), 10);
    // Every published command is one the conversation engine understands.
    for (command, _) in &menu {
        assert!(mente::engine::commands::parse(&format!("/{command}")).is_some(), "/{command}");
    }
}

#[tokio::test]
async fn a_double_tap_on_a_keyboard_runs_once_and_every_tap_is_answered() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let message = stub.put_bot_message(ALICE, "请选择地区", &[("邵阳", "0:x"), ("攀枝花", "0:y")]);
    stub.press(ALICE, message, "0:x");
    stub.press(ALICE, message, "0:x");
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.wait_until(ALICE, "both taps answered", |s| s.calls("answerCallbackQuery").len() == 2)
        .await;
    stub.wait_until(ALICE, "keyboard removed", |s| s.messages(ALICE)[0].buttons.is_empty()).await;
    bot.stop().await.expect("clean exit");
    assert_eq!(stub.unanswered_callbacks(), 0);
    let answers = stub.calls("answerCallbackQuery");
    assert!(answers[0].body["text"].is_null(), "the first tap is simply acknowledged");
    assert_eq!(answers[1].body["text"], "这一步已经选过了", "the second tap is told so");
    assert_eq!(stub.calls("editMessageReplyMarkup").len(), 1, "one keyboard removal");
}

fn sender(stub: &BotApiStub) -> TelegramSender {
    let config = config(stub);
    TelegramSender::new(connect(&config), config.retry)
}

fn alice() -> UserKey {
    UserKey::new("telegram", ALICE.to_string())
}

#[tokio::test]
async fn a_burst_of_messages_under_429s_arrives_complete_and_in_order() {
    let stub = BotApiStub::start().await;
    let sender = sender(&stub);
    stub.fail_next("sendMessage", Fault::RetryAfter(1));
    stub.fail_next("sendMessage", Fault::RetryAfter(1));
    let texts: Vec<String> = (1..=8).map(|i| format!("提醒 {i}：请按时复查")).collect();
    for text in &texts {
        sender.send(&alice(), text).await.expect("delivered despite 429");
    }
    assert_eq!(stub.texts(ALICE), texts);
    let attempts = stub.calls("sendMessage");
    assert_eq!(attempts.len(), 10, "two refused attempts were retried");
    assert_eq!(attempts.iter().filter(|c| !c.ok).count(), 2);
    for pair in attempts.windows(2).filter(|pair| !pair[0].ok) {
        let waited = pair[1].at - pair[0].at;
        assert!(
            waited >= Duration::from_millis(950),
            "retry_after 1 s honoured, waited {waited:?}"
        );
    }
}

/// The limits as shipped (`default_limits`: one message a second per chat, 30 a second
/// overall) are what spaces out a burst. Measured on the stub's clock; the test never sleeps.
#[tokio::test]
async fn the_shipped_rate_limits_space_out_a_burst_per_chat_and_overall() {
    let stub = BotApiStub::start().await;
    let mut config = config(&stub);
    config.limits = mente::telegram::default_limits();
    let sender = TelegramSender::new(connect(&config), config.retry);
    let others: Vec<UserKey> =
        (0..40).map(|i| UserKey::new("telegram", (7000 + i).to_string())).collect();
    // Three messages for Alice and one for each of 40 other chats, all at once.
    let sends = std::iter::repeat(alice()).take(3).chain(others).map(|user| {
        let sender = &sender;
        async move { sender.send(&user, "提醒：请按时复查").await }
    });
    for result in futures::future::join_all(sends.collect::<Vec<_>>()).await {
        result.expect("delivered");
    }
    let calls = stub.calls("sendMessage");
    assert_eq!(calls.len(), 43);
    let alice_at: Vec<_> =
        calls.iter().filter(|c| c.body["chat_id"] == ALICE).map(|c| c.at).collect();
    let spread = alice_at[2] - alice_at[0];
    assert!(spread >= Duration::from_millis(1800), "3 messages to one chat within {spread:?}");
    let mut all_at: Vec<_> = calls.iter().map(|c| c.at).collect();
    all_at.sort();
    for window in all_at.windows(31) {
        let span = window[30] - window[0];
        assert!(span >= Duration::from_millis(900), "31 messages within {span:?}");
    }
}

#[tokio::test]
async fn a_long_text_is_split_at_paragraphs_and_markup_characters_survive() {
    let stub = BotApiStub::start().await;
    let first = format!("费用<1000元 & 自付比例 >5%。{}", "说明".repeat(1500));
    let second = format!("第二段：<b>不是标签</b>{}", "材料".repeat(1500));
    sender(&stub).send(&alice(), &format!("{first}\n\n{second}")).await.expect("delivered");
    assert_eq!(stub.texts(ALICE), vec![first, second]);
    for call in stub.calls("sendMessage") {
        assert_eq!(call.body["parse_mode"], "HTML");
    }
}

#[tokio::test]
async fn a_blocked_user_is_reported_as_blocked_and_other_failures_as_failed() {
    let stub = BotApiStub::start().await;
    let sender = sender(&stub);
    assert_eq!(sender.channel(), "telegram");
    stub.fail_next("sendMessage", Fault::blocked());
    assert_eq!(sender.send(&alice(), "提醒").await, Err(SendError::Blocked));
    stub.fail_next("sendMessage", Fault::Error(400, "Bad Request: chat not found".into()));
    assert!(matches!(sender.send(&alice(), "提醒").await, Err(SendError::Failed(_))));
    let terminal = UserKey::new("terminal", "local");
    assert!(matches!(sender.send(&terminal, "提醒").await, Err(SendError::Failed(_))));
    assert!(stub.texts(ALICE).is_empty());
}

/// Posts `body` to the webhook like Telegram would; returns the HTTP status line.
async fn post_webhook(addr: SocketAddr, path: &str, secret: &str, body: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("webhook listens");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response.lines().next().unwrap_or_default().to_string()
}

/// The webhook's secret token in tests.
const SECRET: &str = "s3cret-Token_1";

/// Webhook mode on a port of its own, and the address Telegram posts updates to.
fn webhook_config(stub: &BotApiStub) -> (BotConfig, SocketAddr) {
    // Bound here and handed over: the port is never free for another process to take.
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let listen = socket.local_addr().expect("addr");
    let mut config = config(stub);
    config.webhook_listener = Some(Arc::new(socket));
    config.mode = Mode::Webhook {
        url: "https://bot.example.org/telegram".parse().unwrap(),
        listen,
        secret_token: Some(SECRET.into()),
    };
    (config, listen)
}

/// Issue 19, webhook mode: two taps on one keyboard reach two instances at the same moment.
/// The keyboard is claimed in the turn's transaction, so one tap's turn runs and the other is
/// told "这一步已经选过了"; with the check read before the turn both were accepted. Answering
/// the callback is slowed down so that, were the check still ahead of the turn, both checks
/// would pass before either turn ran.
#[tokio::test]
async fn two_taps_on_one_keyboard_at_two_instances_run_one_turn() {
    let stub = BotApiStub::start().await;
    stub.slow_down("answerCallbackQuery", Duration::from_millis(500));
    let dir = tempfile::tempdir().unwrap();
    let (first_config, first) = webhook_config(&stub);
    let (second_config, second) = webhook_config(&stub);
    let a = RunningBot::start(first_config, store(&dir).await);
    let b = RunningBot::start(second_config, store(&dir).await);
    stub.wait_until(ALICE, "both webhooks", |s| s.calls("setWebhook").len() == 2).await;
    let message = stub.put_bot_message(ALICE, "请选择地区", &[("邵阳", "0:x"), ("攀枝花", "0:y")]);
    let taps = [stub.press(ALICE, message, "0:x"), stub.press(ALICE, message, "0:x")];
    let [one, two] = taps.map(|id| stub.take_update(id).to_string());
    let (posted_one, posted_two) = tokio::join!(
        post_webhook(first, "/telegram", SECRET, &one),
        post_webhook(second, "/telegram", SECRET, &two),
    );
    assert!(posted_one.contains("200") && posted_two.contains("200"), "{posted_one} {posted_two}");
    stub.wait_until(ALICE, "both taps answered", |s| s.calls("answerCallbackQuery").len() == 2)
        .await;
    stub.wait_until(ALICE, "keyboard removed", |s| s.messages(ALICE)[0].buttons.is_empty()).await;
    a.stop().await.expect("clean exit");
    b.stop().await.expect("clean exit");
    let toasts: Vec<_> =
        stub.calls("answerCallbackQuery").iter().map(|c| c.body["text"].clone()).collect();
    assert!(toasts.contains(&serde_json::Value::Null), "one tap is acknowledged: {toasts:?}");
    assert!(toasts.contains(&"这一步已经选过了".into()), "the other is told so: {toasts:?}");
    let turns: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM processed_updates")
        .fetch_one(store(&dir).await.pool())
        .await
        .unwrap();
    assert_eq!(turns, 1, "one turn ran:\n{}", stub.dump(ALICE));
}

/// Waits (up to 60 s) until the outbox holds no reply for Telegram: everything was delivered.
async fn wait_until_outbox_empty(store: &Store) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !mente::store::outbox::pending(store, "telegram").await.unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "replies left in the outbox");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Issue 19, webhook mode: Telegram answers 429 with `retry_after` for longer than the outbox
/// lease, and another instance sweeps the outbox meanwhile. The sender gives its rows back
/// before its lease runs out, so the sweep does not take them while it still retries: each
/// reply arrives once. Before, the sender kept retrying past its lease, the sweep took the
/// rows as a dead sender's, and both delivered them.
#[tokio::test]
async fn a_send_retrying_past_its_lease_gives_it_back_and_each_reply_arrives_once() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let sweeping = |stub: &BotApiStub| {
        let (config, listen) = webhook_config(stub);
        let lease = Duration::from_secs(3);
        (
            BotConfig { outbox_sweep: Duration::from_millis(100), outbox_lease: lease, ..config },
            listen,
        )
    };
    let ((first_config, first), (second_config, _)) = (sweeping(&stub), sweeping(&stub));
    let a = RunningBot::start(first_config, store(&dir).await);
    let b = RunningBot::start(second_config, store(&dir).await);
    stub.wait_until(ALICE, "both webhooks", |s| s.calls("setWebhook").len() == 2).await;
    // Eight seconds of 429s: past the 3-s lease even with both instances trying.
    for _ in 0..8 {
        stub.fail_next("sendMessage", Fault::RetryAfter(1));
    }
    let update = stub.send_text(ALICE, "/start");
    let body = stub.take_update(update).to_string();
    assert!(post_webhook(first, "/telegram", SECRET, &body).await.contains("200"));
    let check = store(&dir).await;
    stub.wait_until(ALICE, "the turn's replies", |s| !s.texts(ALICE).is_empty()).await;
    wait_until_outbox_empty(&check).await;
    // A sweep more (every 100 ms) to send anything twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.stop().await.expect("clean exit");
    b.stop().await.expect("clean exit");
    let texts = stub.texts(ALICE);
    let mut once = texts.clone();
    once.dedup();
    assert_eq!(texts, once, "a reply arrived twice:\n{}", stub.dump(ALICE));
    assert!(texts.iter().any(|t| t.contains("请先选择")), "{}", stub.dump(ALICE));
}

/// Issue 19: a send fails and gives the turn's replies back to the outbox; the user writes
/// again before a sweep has sent them. The new turn sends the older replies first, then its
/// own. Before, its own went out at once and the older ones with the next sweep, after them.
#[tokio::test]
async fn replies_given_back_after_a_failed_send_arrive_before_a_newer_turns() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.fail_next("sendMessage", Fault::Error(400, "Bad Request: chat not found".into()));
    stub.send_text(ALICE, "/start");
    let failed = |s: &BotApiStub| s.calls("sendMessage").iter().any(|c| !c.ok);
    stub.wait_until(ALICE, "the failed send", failed).await;
    stub.send_text(ALICE, "/menu");
    let menu = |s: &BotApiStub| s.texts(ALICE).iter().any(|t| t.starts_with("主菜单"));
    stub.wait_until(ALICE, "the menu", menu).await;
    let start = |s: &BotApiStub| s.texts(ALICE).iter().any(|t| t.starts_with("请先选择"));
    stub.wait_until(ALICE, "the first turn's replies", start).await;
    bot.stop().await.expect("clean exit");
    let texts = stub.texts(ALICE);
    let first_menu = texts.iter().position(|t| t.starts_with("主菜单")).unwrap();
    let last_start = texts.iter().rposition(|t| t.starts_with("请先选择")).unwrap();
    assert!(last_start < first_menu, "the older turn's replies came last:\n{}", stub.dump(ALICE));
}

#[tokio::test]
async fn webhook_mode_registers_the_secret_and_rejects_calls_without_it() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (config, listen) = webhook_config(&stub);
    let bot = RunningBot::start(config, store(&dir).await);
    stub.wait_until(ALICE, "setWebhook", |s| s.webhook().is_some()).await;
    assert_eq!(
        stub.webhook(),
        Some(("https://bot.example.org/telegram".into(), Some(SECRET.into())))
    );
    let update = serde_json::json!({"update_id": 77, "message": {
        "message_id": 1, "date": 0, "text": "/start",
        "chat": {"id": ALICE, "type": "private", "first_name": "测试用户"},
        "from": {"id": ALICE, "is_bot": false, "first_name": "测试用户"}}})
    .to_string();
    let refused = post_webhook(listen, "/telegram", "wrong", &update).await;
    assert!(refused.contains("401"), "{refused}");
    let accepted = post_webhook(listen, "/telegram", SECRET, &update).await;
    assert!(accepted.contains("200"), "{accepted}");
    stub.wait_until(ALICE, "the update to be handled", |s| !s.calls("sendChatAction").is_empty())
        .await;
    bot.stop().await.expect("clean exit");
    assert!(stub.webhook().is_none(), "the webhook is removed on exit");
}

#[tokio::test]
async fn a_busy_webhook_port_is_a_clear_error_before_the_webhook_is_registered() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut config = config(&stub);
    config.mode = Mode::Webhook {
        url: "https://bot.example.org/telegram".parse().unwrap(),
        listen: busy.local_addr().expect("addr"),
        secret_token: None,
    };
    let RunningBot { stop: _running, handle } = RunningBot::start(config, store(&dir).await);
    let result = tokio::time::timeout(Duration::from_secs(10), handle).await;
    let err = result.expect("gives up at once").expect("bot task").unwrap_err();
    assert!(matches!(err, TelegramError::WebhookListen { .. }), "{err}");
    assert!(stub.calls("setWebhook").is_empty(), "Telegram is not told to post into the void");
}

#[test]
fn serve_without_a_token_exits_non_zero_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .arg("serve")
        .env_remove("TELOXIDE_TOKEN")
        .env("MENTE_DB", crate::db::test_db_url(dir.path(), "db.sqlite"))
        .output()
        .expect("run mente");
    assert_eq!(output.status.code(), Some(2), "a usage error, as the README promises");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TELOXIDE_TOKEN"), "{stderr}");
    assert!(stderr.contains("@BotFather"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Conversations through the real engine and dialogs.

/// Drives one chat like a user: one action at a time, waiting for the bot's replies.
struct Conversation<'a> {
    stub: &'a BotApiStub,
    chat: i64,
    /// Index of the first bot message answering the last action.
    turn_start: usize,
    /// User actions so far.
    turns: usize,
    /// Messages whose buttons were pressed.
    pressed: Vec<i64>,
}

impl<'a> Conversation<'a> {
    fn new(stub: &'a BotApiStub, chat: i64) -> Self {
        Conversation {
            stub,
            chat,
            turn_start: stub.messages(chat).len(),
            turns: 0,
            pressed: Vec::new(),
        }
    }

    /// The user types `text`; waits until the replies contain every `expect`.
    async fn say(&mut self, text: &str, expect: &[&str]) -> i64 {
        self.turn_start = self.stub.messages(self.chat).len();
        let update = self.stub.send_text(self.chat, text);
        self.await_replies(&format!("> {text}"), expect).await;
        update
    }

    /// The user presses `label` on a keyboard of the last replies.
    async fn press(&mut self, label: &str, expect: &[&str]) -> i64 {
        let messages = self.stub.messages(self.chat);
        let found = messages[self.turn_start..].iter().rev().find_map(|m| {
            m.all_buttons().into_iter().find(|(l, _)| l == label).map(|(_, d)| (m.id, d))
        });
        let Some((message, data)) = found else {
            panic!("no button {label:?} in the last replies:\n{}", self.stub.dump(self.chat))
        };
        self.turn_start = messages.len();
        self.pressed.push(message);
        let update = self.stub.press(self.chat, message, &data);
        self.await_replies(&format!("[{label}]"), expect).await;
        update
    }

    /// Waits until the replies to the last action contain every `expect`, then until the chat
    /// has been quiet for a moment (a turn may send several messages).
    async fn await_replies(&mut self, action: &str, expect: &[&str]) {
        self.turns += 1;
        let (stub, chat, start) = (self.stub, self.chat, self.turn_start);
        // Texts and button labels: an expectation may name either.
        let replies = move |s: &BotApiStub| {
            let mut all = String::new();
            for m in s.messages(chat).iter().skip(start) {
                all.push_str(&m.text);
                for (label, _) in m.all_buttons() {
                    all.push_str(&format!(" [{label}]"));
                }
                all.push('\n');
            }
            all
        };
        stub.wait_until(chat, &format!("replies to {action} containing {expect:?}"), |s| {
            let text = replies(s);
            !text.is_empty() && expect.iter().all(|e| text.contains(e))
        })
        .await;
        let mut count = stub.messages(chat).len();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = stub.messages(chat).len();
            if now == count {
                break;
            }
            count = now;
        }
    }

    /// Everything the bot said in answer to the last action.
    fn last_replies(&self) -> String {
        self.stub.texts(self.chat)[self.turn_start..].join("\n")
    }
}

const BOB: i64 = 5002;

#[tokio::test]
async fn a_new_application_with_buttons_is_recorded() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let bot = RunningBot::start(config(&stub), store.clone());
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    chat.press("攀枝花", &["新申请"]).await;
    chat.say("/menu", &["新申请"]).await;
    chat.press("新申请", &["为谁申请"]).await;
    chat.press("本人", &["哪种医保"]).await;
    chat.press("职工医保", &["是否同意保存"]).await;
    chat.press("同意", &["病种"]).await;
    chat.say("糖尿病", &["哪一级医院"]).await;
    // The buttons pressed next are waited for too: they come in a later message of the turn,
    // which on a loaded machine can follow the first by more than the quiet moment.
    chat.press("二级及以上医院", &["需要准备的材料", "[下一步：怎么办理]", "[医保欠费或停保了]"])
        .await;
    chat.press("下一步：怎么办理", &["四川医保APP", "[下一步：审核要多久]"]).await;
    chat.press("下一步：审核要多久", &["受理了吗", "[是]"]).await;
    chat.press("是", &["哪种方式"]).await;
    let channel = stub.messages(BOB).last().unwrap().all_buttons()[0].0.clone();
    chat.press(&channel, &["哪天受理"]).await;
    chat.say("2026-03-02", &["受理号"]).await;
    chat.say("SC20260302001", &["已记下这份申请"]).await;
    bot.stop().await.expect("clean exit");

    let bob = UserKey::new("telegram", BOB.to_string());
    let applications = store.user_data(&bob).await.expect("user data").applications;
    assert_eq!(applications.len(), 1, "one application recorded");
    assert_eq!(applications[0].details.region.as_deref(), Some("panzhihua"));

    assert_eq!(stub.unanswered_callbacks(), 0, "every button press is answered");
    let order = stub.call_order();
    let typing = order.iter().position(|m| m == "sendChatAction").expect("typing shown");
    let reply = order.iter().position(|m| m == "sendMessage").expect("replied");
    assert!(typing < reply, "\"typing…\" comes before the answer, never after it");
    for message in stub.messages(BOB) {
        if chat.pressed.contains(&message.id) {
            assert!(message.buttons.is_empty(), "used keyboards are removed:\n{}", stub.dump(BOB));
        }
    }
    for call in stub.calls("sendMessage") {
        assert_eq!(call.body["parse_mode"], "HTML");
    }
}

#[tokio::test]
async fn a_restarted_bot_continues_at_the_same_step_and_old_buttons_still_work() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    chat.press("攀枝花", &["新申请"]).await;
    let before_restart = chat.press("新申请", &["为谁申请"]).await;
    bot.stop().await.expect("clean exit");
    // Counted before the redelivery: an answer to the duplicate must show up in the count.
    let sent = stub.calls("sendMessage").len();

    // The new process has no memory of used keyboards: the database alone recognises a
    // redelivered press from before the restart.
    stub.redeliver(before_restart);
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.wait_until(BOB, "the redelivered press to be fetched", |s| {
        s.calls("getUpdates").iter().filter(|c| c.returned.contains(&before_restart)).count() >= 2
    })
    .await;
    // Updates of a chat are handled in order, so once the probe is answered the duplicate has
    // had its turn: only the probe may have been answered.
    chat.press("本人", &["哪种医保"]).await;
    assert_eq!(stub.calls("sendMessage").len(), sent + 1, "{}", stub.dump(BOB));
    assert!(!stub.texts(BOB).iter().any(|t| t.contains("过期")), "{}", stub.dump(BOB));
    chat.press("职工医保", &["是否同意保存"]).await;
    bot.stop().await.expect("clean exit");
}

#[tokio::test]
async fn a_redelivered_update_sends_nothing_and_changes_nothing() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    let mut chat = Conversation::new(&stub, BOB);
    let start = chat.say("/start", &["地区"]).await;
    let region = chat.press("攀枝花", &["新申请"]).await;
    let menu_press = chat.press("新申请", &["为谁申请"]).await;
    let sent = stub.calls("sendMessage").len();
    for update in [start, region, menu_press] {
        stub.redeliver(update);
    }
    stub.wait_until(BOB, "the redelivered updates to be fetched", |s| {
        s.calls("getUpdates").iter().filter(|c| c.returned.contains(&start)).count() >= 2
    })
    .await;
    chat.press("本人", &["哪种医保"]).await;
    let texts = stub.texts(BOB);
    assert_eq!(
        stub.calls("sendMessage").len(),
        sent + 1,
        "only the probe was answered:\n{}",
        stub.dump(BOB)
    );
    assert!(texts.last().unwrap().contains("哪种医保"), "the dialog did not move back");
    bot.stop().await.expect("clean exit");
}

/// Queues `inputs` as one burst, runs the bot until every input is answered, returns the chat.
async fn burst(stub: &BotApiStub, inputs: &[&str], expected_messages: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for input in inputs {
        stub.send_text(BOB, input);
    }
    let bot = RunningBot::start(config(stub), store(&dir).await);
    stub.wait_for_messages(BOB, expected_messages).await;
    // Stopping finishes every update already received, so a surplus reply cannot slip past
    // the comparison; and every input must have been received and confirmed.
    bot.stop().await.expect("clean exit");
    assert_eq!(stub.pending_updates(), 0, "every input was received and confirmed");
    stub.texts(BOB)
}

#[tokio::test]
async fn a_burst_of_replies_under_injected_429s_loses_nothing_and_keeps_order() {
    let inputs = ["/start", "/help", "攀枝花", "/menu", "/myapps"];
    let calm = BotApiStub::start().await;
    let reference = {
        let dir = tempfile::tempdir().unwrap();
        let bot = RunningBot::start(config(&calm), store(&dir).await);
        let mut chat = Conversation::new(&calm, BOB);
        for input in inputs {
            chat.say(input, &[]).await;
        }
        bot.stop().await.expect("clean exit");
        calm.texts(BOB)
    };

    let stormy = BotApiStub::start().await;
    for _ in 0..3 {
        stormy.fail_next("sendMessage", Fault::RetryAfter(1));
    }
    let delivered = burst(&stormy, &inputs, reference.len()).await;
    assert_eq!(delivered, reference, "same messages, same order, despite three 429s");
    assert_eq!(stormy.calls("sendMessage").iter().filter(|c| !c.ok).count(), 3);
}

#[tokio::test]
async fn a_chat_keeps_working_when_chat_actions_fail() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    stub.fail_always("sendChatAction", Fault::Error(400, "Bad Request: no actions".into()));
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    chat.press("邵阳", &["新申请"]).await;
    assert!(chat.last_replies().contains("邵阳"), "{}", chat.last_replies());
    bot.stop().await.expect("clean exit");
}

#[tokio::test]
async fn a_button_of_an_outdated_question_gets_a_polite_expiry_note_and_the_question_again() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    chat.press("攀枝花", &["新申请"]).await;
    chat.press("新申请", &["为谁申请"]).await;
    // The user types the answer instead of pressing, so that question keeps its keyboard.
    chat.say("本人", &["哪种医保"]).await;
    stub.press_label(BOB, "替家人");
    stub.wait_until(BOB, "the expiry note and the current question", |s| {
        let texts = s.texts(BOB);
        let note = texts.iter().position(|t| t.contains("按钮已经过期"));
        note.is_some_and(|i| texts[i..].iter().any(|t| t.contains("哪种医保")))
    })
    .await;
    assert_eq!(stub.unanswered_callbacks(), 0);
    bot.stop().await.expect("clean exit");
}

#[tokio::test]
async fn in_a_group_the_bot_only_asks_to_be_messaged_privately() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    const GROUP: i64 = -4001;
    stub.send_text_in_group(GROUP, BOB, "大家好，我是糖尿病患者");
    let command = stub.send_text_in_group(GROUP, BOB, "/start");
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    stub.wait_for_messages(GROUP, 1).await;
    stub.wait_until(GROUP, "the updates to be confirmed", |s| {
        s.pending_updates() == 0
            && s.calls("getUpdates").iter().any(|c| c.returned.contains(&command))
    })
    .await;
    let text = the_only_text(&stub, GROUP, bot).await;
    assert!(text.contains("私聊"), "{text}");
}

#[tokio::test]
async fn a_location_gets_a_polite_hint_and_the_dialog_stays_where_it_was() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(config(&stub), store(&dir).await);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    let before = stub.messages(BOB).len();
    stub.send_location(BOB);
    stub.wait_for_messages(BOB, before + 1).await;
    assert!(stub.texts(BOB)[before].contains("文字和按钮"), "{}", stub.dump(BOB));
    chat.press("攀枝花", &["新申请"]).await;
    bot.stop().await.expect("clean exit");
}

/// A Bot API server that is down: it holds the port (so no other process can take it) but
/// hangs up on every connection. Returns its URL, a counter of refused connections and a
/// handle that ends the outage and gives the listener back.
async fn down_server() -> (Url, Arc<AtomicUsize>, oneshot::Sender<()>, JoinHandle<TcpListener>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr")).parse().expect("url");
    let refused = Arc::new(AtomicUsize::new(0));
    let (up, mut coming_up) = oneshot::channel::<()>();
    let counter = refused.clone();
    let outage = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut coming_up => return listener,
                accepted = listener.accept() => {
                    drop(accepted);
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    });
    (url, refused, up, outage)
}

#[tokio::test]
async fn an_unreachable_bot_api_server_is_retried_until_it_comes_up() {
    let (url, refused, up, outage) = down_server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = BotConfig::new(TOKEN);
    config.api_url = Some(url);
    config.limits = fast_limits();
    config.retry = RetryPolicy {
        attempts: 8,
        first_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
    };
    let bot = RunningBot::start(config, store(&dir).await);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while refused.load(Ordering::SeqCst) < 3 {
        assert!(std::time::Instant::now() < deadline, "the bot stopped trying");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!bot.handle.is_finished(), "still trying after 3 refusals, not given up");
    up.send(()).expect("outage running");
    let stub = BotApiStub::start_on(outage.await.expect("listener back")).await;
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    bot.stop().await.expect("clean exit");
}

/// `mente serve` as an operator runs it: token and local Bot API server from the environment,
/// a conversation, then SIGTERM (systemd, docker) and a clean exit.
#[cfg(unix)]
/// `mente serve` as an operator starts it: token and Bot API URL from the environment.
fn spawn_serve(stub: &BotApiStub, dir: &tempfile::TempDir) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .arg("serve")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELEGRAM_API_URL", stub.api_url().as_str())
        .env("MENTE_DB", crate::db::test_db_url(dir.path(), "serve.sqlite"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start mente serve")
}

/// Sends SIGTERM and asserts a clean exit within 20 s.
async fn stop_with_sigterm(child: std::process::Child) {
    crate::web::stop_with_sigterm(child, Duration::from_secs(20)).await;
}

#[tokio::test]
async fn mente_serve_talks_to_a_local_bot_api_server_and_exits_cleanly_on_sigterm() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_serve(&stub, &dir);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    chat.press("邵阳", &["新申请"]).await;
    stop_with_sigterm(child).await;
    assert_eq!(stub.pending_updates(), 0, "everything received was confirmed");
}

/// SIGHUP (what operators send to make a service reread its files) reloads the content; the
/// bot keeps answering and still stops cleanly on SIGTERM.
#[cfg(unix)]
#[tokio::test]
async fn mente_serve_keeps_answering_after_sighup() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_serve(&stub, &dir);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    chat.press("邵阳", &["新申请"]).await;
    stop_with_sigterm(child).await;
}

/// SIGTERM while a turn's replies are still being sent: the turn is finished (every reply
/// delivered, the state stored) before the process exits.
#[tokio::test]
async fn sigterm_during_a_turn_finishes_that_turn_before_exiting() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_serve(&stub, &dir);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    // Every reply now takes a second to be accepted; /menu answers with one message.
    stub.slow_down("sendMessage", Duration::from_millis(1500));
    let before = stub.calls("sendMessage").len();
    stub.send_text(BOB, "/menu");
    // Wait until the reply is on its way (the turn is in flight), then ask the process to stop.
    for _ in 0..200 {
        if stub.calls("sendChatAction").len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_with_sigterm(child).await;
    let sent = stub.calls("sendMessage");
    assert!(
        sent[before..]
            .iter()
            .any(|c| c.ok && c.body["text"].as_str().unwrap_or("").contains("主菜单")),
        "the menu of the interrupted turn was delivered: {}",
        stub.dump(BOB)
    );
}

/// Issue 16: with sends failing, `mente serve` kept retrying for about 4 minutes after SIGTERM.
/// Now the retries stop at once, the process exits within seconds, and the undelivered reply
/// waits in the outbox: the next start sends it.
#[tokio::test]
async fn sigterm_while_sends_keep_failing_exits_promptly_and_the_next_start_sends_the_reply() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_serve(&stub, &dir);
    let mut chat = Conversation::new(&stub, BOB);
    chat.say("/start", &["地区"]).await;
    // Telegram in trouble: every send fails, and the default policy would back off for a minute.
    stub.fail_always("sendMessage", Fault::Error(500, "Internal Server Error".into()));
    let failed_before = stub.calls("sendMessage").iter().filter(|c| !c.ok).count();
    stub.send_text(BOB, "/menu");
    stub.wait_until(BOB, "two failed tries of the reply", |s| {
        s.calls("sendMessage").iter().filter(|c| !c.ok).count() >= failed_before + 2
    })
    .await;
    crate::web::stop_with_sigterm(child, Duration::from_secs(10)).await;

    let store = Store::connect(&crate::db::test_db_url(dir.path(), "serve.sqlite")).await.unwrap();
    let queued = mente::store::outbox::pending(&store, "telegram").await.unwrap();
    assert!(
        queued.iter().any(|q| q.reply.text.contains("主菜单")),
        "the reply waits in the outbox: {queued:?}"
    );
    stub.clear_faults("sendMessage");
    let child = spawn_serve(&stub, &dir);
    stub.wait_until(BOB, "the queued reply after the restart", |s| {
        s.calls("sendMessage")
            .iter()
            .any(|c| c.ok && c.body["text"].as_str().unwrap_or("").contains("主菜单"))
    })
    .await;
    stop_with_sigterm(child).await;
}

#[tokio::test]
async fn a_due_reminder_goes_out_through_the_running_bot() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let bob = UserKey::new("telegram", BOB.to_string());
    // An hour before the test clock (10:00 China time), inside the sending hours.
    let due = "2026-11-25T01:00:00Z".parse().unwrap();
    let record = crate::sample::approved_renewal(crate::sample::day(2026, 12, 31), &[due]);
    store.apply_commands(&bob, &[record], "2026-06-01T02:00:00Z".parse().unwrap()).await.unwrap();

    let bot = RunningBot::start(config(&stub), store);
    stub.wait_for_messages(BOB, 1).await;
    let text = the_only_text(&stub, BOB, bot).await;
    assert!(text.contains("续期提醒"), "{text}");
}

#[tokio::test]
async fn a_user_who_blocked_the_bot_is_marked_unreachable() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let bob = UserKey::new("telegram", BOB.to_string());
    stub.fail_always("sendMessage", Fault::blocked());
    let bot = RunningBot::start(config(&stub), store.clone());
    let update = stub.send_text(BOB, "/start");
    stub.wait_until(BOB, "the reply attempt", |s| !s.calls("sendMessage").is_empty()).await;
    stub.wait_until(BOB, "the update to be confirmed", |s| {
        s.pending_updates() == 0
            && s.calls("getUpdates").iter().any(|c| c.returned.contains(&update))
    })
    .await;
    bot.stop().await.expect("clean exit");
    assert!(store.is_unreachable(&bob).await.unwrap(), "403 recorded");
    assert_eq!(stub.calls("sendMessage").len(), 1, "a 403 is not retried");
}

/// Issue 19: two instances in long-polling mode on one database. Only the lease holder calls
/// getUpdates (Telegram would answer the second poller 409 Conflict); when it stops, it gives
/// the lease up and the other takes over within one retry interval.
#[tokio::test]
async fn two_pollers_on_one_database_poll_one_at_a_time_and_the_second_takes_over() {
    let (first_stub, second_stub) = (BotApiStub::start().await, BotApiStub::start().await);
    let dir = tempfile::tempdir().unwrap();
    let timing = mente::telegram::LeaseTiming {
        ttl: Duration::from_secs(5),
        renew: Duration::from_millis(50),
    };
    let with_lease = |stub: &BotApiStub| BotConfig { polling_lease: timing, ..config(stub) };
    let first = RunningBot::start(with_lease(&first_stub), store(&dir).await);
    first_stub
        .wait_until(ALICE, "the first instance to poll", |s| !s.calls("getUpdates").is_empty())
        .await;
    let second = RunningBot::start(with_lease(&second_stub), store(&dir).await);
    second_stub
        .wait_until(ALICE, "the second instance to start", |s| !s.calls("getMe").is_empty())
        .await;
    // Several of its lease attempts (every 50 ms) go by while the first one polls.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(second_stub.calls("getUpdates").is_empty(), "two instances polled at once");

    first.stop().await.expect("clean exit");
    second_stub.send_text(ALICE, "/start");
    second_stub
        .wait_until(ALICE, "the second instance to answer", |s| {
            s.texts(ALICE).iter().any(|t| t.contains("地区"))
        })
        .await;
    second.stop().await.expect("clean exit");
}

/// Lease timing for tests: lost after a second without renewal, renewed every 50 ms.
fn short_lease(stub: &BotApiStub) -> BotConfig {
    let timing = mente::telegram::LeaseTiming {
        ttl: Duration::from_secs(1),
        renew: Duration::from_millis(50),
    };
    BotConfig { polling_lease: timing, poll_timeout: Duration::from_secs(1), ..config(stub) }
}

/// Waits until `stub` has seen no new getUpdates for longer than one long poll (the poller has
/// stopped); panics after 30 s.
async fn wait_until_polling_stops(stub: &BotApiStub) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = stub.calls("getUpdates").len();
    loop {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let now = stub.calls("getUpdates").len();
        if now == seen {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the instance kept polling");
        seen = now;
    }
}

/// Issue 19: the polling instance dies (its task is gone, nothing gives the lease up). The
/// other one takes over once the lease runs out and answers; the dead one, started again while
/// the other polls, waits instead of polling, and takes over when that one stops.
#[tokio::test]
async fn a_dead_pollers_lease_is_taken_over_and_it_waits_when_it_comes_back() {
    let (a_stub, b_stub) = (BotApiStub::start().await, BotApiStub::start().await);
    b_stub.number_updates_from(5000);
    let dir = tempfile::tempdir().unwrap();
    let a = RunningBot::start(short_lease(&a_stub), store(&dir).await);
    a_stub.wait_until(ALICE, "A to poll", |s| !s.calls("getUpdates").is_empty()).await;
    let b = RunningBot::start(short_lease(&b_stub), store(&dir).await);
    b_stub.wait_until(ALICE, "B to start", |s| !s.calls("getMe").is_empty()).await;
    assert!(b_stub.calls("getUpdates").is_empty(), "B polled while A held the lease");

    a.handle.abort(); // A dies: no shutdown, no release.
    let lease = mente::telegram::poll_lease::LEASE_NAME;
    b_stub.send_text(ALICE, "/start");
    b_stub
        .wait_until(ALICE, "B to take over and answer", |s| {
            s.texts(ALICE).iter().any(|t| t.contains("地区"))
        })
        .await;

    let a_polls = a_stub.calls("getUpdates").len();
    let getme = a_stub.calls("getMe").len();
    let a = RunningBot::start(short_lease(&a_stub), store(&dir).await);
    a_stub.wait_until(ALICE, "A to start again", |s| s.calls("getMe").len() > getme).await;
    let check = store(&dir).await;
    let holder = check.lease_holder(lease, mente::store::leases::now_ms()).await.unwrap();
    assert!(holder.is_some(), "B holds the lease");
    // Many of A's lease attempts (every 50 ms) go by while B polls.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(a_stub.calls("getUpdates").len(), a_polls, "A polled while B held the lease");

    b.stop().await.expect("clean exit");
    a_stub.send_text(ALICE, "/start");
    a_stub
        .wait_until(ALICE, "A to take over and answer", |s| {
            s.texts(ALICE).iter().any(|t| t.contains("地区"))
        })
        .await;
    a.stop().await.expect("clean exit");
}

/// A bot polling under [`short_lease`], once it polls; the directory holds its database.
async fn short_lease_poller() -> (BotApiStub, tempfile::TempDir, RunningBot) {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = RunningBot::start(short_lease(&stub), store(&dir).await);
    stub.wait_until(ALICE, "the bot to poll", |s| !s.calls("getUpdates").is_empty()).await;
    (stub, dir, bot)
}

/// Once the poller has stopped polling, a message waits for it; returns the message's update.
async fn a_message_waits_while_polling_stopped(stub: &BotApiStub) -> i64 {
    wait_until_polling_stops(stub).await;
    let polls = stub.calls("getUpdates").len();
    let update = stub.send_text(ALICE, "/start");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stub.calls("getUpdates").len(), polls, "polled without the lease");
    assert_eq!(stub.pending_updates(), 1, "the message waits for the lease holder");
    update
}

/// The poller polls again and answers `update`; then it stops.
async fn polls_again_and_answers(stub: &BotApiStub, update: i64, bot: RunningBot) {
    stub.wait_until(ALICE, "the bot to poll again and answer", |s| {
        s.texts(ALICE).iter().any(|t| t.contains("地区"))
            && s.calls("getUpdates").iter().any(|c| c.returned.contains(&update))
    })
    .await;
    bot.stop().await.expect("clean exit");
}

/// Issue 19: a poller that loses its lease while alive (its database was out of reach for
/// longer than the lease, and another instance took over) stops polling at its next renewal,
/// and polls again once it gets the lease back.
#[tokio::test]
async fn a_poller_that_loses_its_lease_stops_polling_until_it_gets_it_back() {
    let (stub, dir, bot) = short_lease_poller().await;
    // Another instance holds the lease now, for a long time.
    let check = store(&dir).await;
    let lease = mente::telegram::poll_lease::LEASE_NAME;
    sqlx::query("UPDATE leases SET holder = 'other', until_ms = $1 WHERE name = $2")
        .bind(mente::store::leases::now_ms() + 600_000)
        .bind(lease)
        .execute(check.pool())
        .await
        .unwrap();
    let update = a_message_waits_while_polling_stopped(&stub).await;
    check.release_lease(lease, "other").await.unwrap();
    polls_again_and_answers(&stub, update, bot).await;
}

/// Issue 19: the poller's database fails (here its lease table is out of reach): it cannot
/// renew, so it stops polling rather than risk a second poller once the lease runs out; when
/// the database answers again it takes the lease back and polls.
#[tokio::test]
async fn a_poller_whose_database_fails_stops_polling_until_it_answers_again() {
    let (stub, dir, bot) = short_lease_poller().await;
    let check = store(&dir).await;
    let rename = |from: &str, to: &str| format!("ALTER TABLE {from} RENAME TO {to}");
    sqlx::query(&rename("leases", "leases_away")).execute(check.pool()).await.unwrap();
    let update = a_message_waits_while_polling_stopped(&stub).await;
    sqlx::query(&rename("leases_away", "leases")).execute(check.pool()).await.unwrap();
    polls_again_and_answers(&stub, update, bot).await;
}

/// Issue 19: another instance ran a turn and is sending its replies (webhook mode: any
/// instance runs turns). This instance's outbox sweep leaves them alone; once that instance
/// has died (its lease on the rows is over a minute old) the sweep sends each reply once.
#[tokio::test]
async fn the_outbox_sweep_sends_a_dead_instances_replies_once_and_leaves_a_live_ones_alone() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let request = mente::service::TurnRequest {
        user: UserKey::new("telegram", BOB.to_string()),
        update_id: Some(1),
        input: mente::engine::Input::Text("/start".into()),
        now: clock().now(),
    };
    let turn = mente::service::turn_with_outbox(&store, &assistant(), request).await.unwrap();
    let mente::service::QueuedTurn::Queued(queued) = turn else { panic!("a new update") };
    let sweeping = BotConfig { outbox_sweep: Duration::from_millis(50), ..config(&stub) };
    let bot = RunningBot::start(sweeping, store.clone());
    stub.wait_until(BOB, "the bot to poll", |s| !s.calls("getUpdates").is_empty()).await;
    // Many sweeps (every 50 ms) go by while the other instance is sending.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(stub.texts(BOB).is_empty(), "sent a live instance's replies: {}", stub.dump(BOB));

    let died = mente::store::leases::now_ms() - 120_000;
    sqlx::query("UPDATE outbox SET leased_at = $1").bind(died).execute(store.pool()).await.unwrap();
    stub.wait_for_messages(BOB, queued.len()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.stop().await.expect("clean exit");
    assert_eq!(stub.texts(BOB).len(), queued.len(), "each once: {}", stub.dump(BOB));
    assert!(mente::store::outbox::pending(&store, "telegram").await.unwrap().is_empty());
}

/// Issue 19, several instances: another instance ran a turn for Bob and is still sending its
/// replies when Bob writes again here. This turn's replies queue behind those; once the other
/// instance has delivered its own, this one sends them without waiting for the sweep (set to
/// an hour here). Before, they waited for the next sweep (30 s by default).
#[tokio::test]
async fn replies_queued_behind_another_instances_send_go_out_once_it_has_finished() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let request = mente::service::TurnRequest {
        user: UserKey::new("telegram", BOB.to_string()),
        update_id: Some(1),
        input: mente::engine::Input::Text("/start".into()),
        now: clock().now(),
    };
    let turn = mente::service::turn_with_outbox(&store, &assistant(), request).await.unwrap();
    let mente::service::QueuedTurn::Queued(elsewhere) = turn else { panic!("a new update") };
    let no_sweep = BotConfig { outbox_sweep: Duration::from_secs(3600), ..config(&stub) };
    let bot = RunningBot::start(no_sweep, store.clone());
    stub.wait_until(BOB, "the bot to poll", |s| !s.calls("getUpdates").is_empty()).await;
    stub.send_text(BOB, "/menu");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(stub.texts(BOB).is_empty(), "sent before the older replies: {}", stub.dump(BOB));

    let ids: Vec<i64> = elsewhere.iter().map(|q| q.id).collect();
    mente::store::outbox::mark_all_sent(&store, &ids).await.unwrap();
    let menu = |s: &BotApiStub| s.texts(BOB).iter().any(|t| t.starts_with("主菜单"));
    stub.wait_until(BOB, "the menu, well before a sweep", menu).await;
    bot.stop().await.expect("clean exit");
    assert!(mente::store::outbox::pending(&store, "telegram").await.unwrap().is_empty());
}

/// The lease itself, with time driven explicitly: a holder that dies without giving it up
/// blocks the others only until its lease runs out, and cannot renew it once it was taken.
#[tokio::test]
async fn a_lease_not_renewed_is_taken_over_when_it_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let name = mente::telegram::poll_lease::LEASE_NAME;
    assert!(store.take_lease(name, "a", 0, 1_000).await.unwrap());
    assert!(!store.take_lease(name, "b", 999, 1_999).await.unwrap(), "taken while held");
    assert!(store.take_lease(name, "a", 900, 1_900).await.unwrap(), "the holder renews");
    assert!(!store.take_lease(name, "b", 1_899, 2_899).await.unwrap());
    assert!(store.take_lease(name, "b", 1_900, 2_900).await.unwrap(), "run out: taken over");
    assert!(!store.take_lease(name, "a", 1_950, 2_950).await.unwrap(), "the old holder lost it");
    assert_eq!(store.lease_holder(name, 2_000).await.unwrap().as_deref(), Some("b"));
    store.release_lease(name, "a").await.unwrap();
    assert_eq!(store.lease_holder(name, 2_000).await.unwrap().as_deref(), Some("b"), "not a's");
    store.release_lease(name, "b").await.unwrap();
    assert!(store.take_lease(name, "a", 2_000, 3_000).await.unwrap(), "released: free at once");
}

#[tokio::test]
async fn a_staff_reply_to_a_hand_off_goes_out_through_the_running_bot() {
    let stub = BotApiStub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let bob = UserKey::new("telegram", BOB.to_string());
    let now = clock().now();
    let (question, answer) = ("异地就医怎么报", "需要先办异地备案");
    crate::handoff::left_and_answered(&store, &assistant(), &bob, question, answer, now).await;

    let bot = RunningBot::start(config(&stub), store.clone());
    stub.wait_for_messages(BOB, 1).await;
    assert_eq!(stub.texts(BOB), [format!("【人工回复】{answer}")]);
    let buttons = stub.messages(BOB)[0].all_buttons();
    assert!(buttons.iter().any(|(label, _)| label == "结束人工"), "{}", stub.dump(BOB));
    // The button under the staff reply ends the hand-off; the assistant is back.
    stub.press_label(BOB, "结束人工");
    let ended = |s: &BotApiStub| s.texts(BOB).iter().any(|t| t.contains("已结束人工服务"));
    stub.wait_until(BOB, "the hand-off ended", ended).await;
    bot.stop().await.expect("clean exit");
    let undelivered: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM handoff_messages WHERE sender = 'staff' AND delivered_at IS NULL",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(undelivered, 0, "marked delivered: a restart does not send it again");
}
