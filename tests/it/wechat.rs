//! The WeChat channel end to end: our `/wechat` router on 127.0.0.1:0, driven by a fake of
//! WeChat's side (`wechat_fake`) that signs, encrypts and serves the outgoing API.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use futures::FutureExt;
use mente::assistant::Assistant;
use mente::clock::Clock;
use mente::engine::{Input, UserKey};
use mente::scheduler::run_once;
use mente::store::{sessions, Store};
use mente::wechat::api::{ApiClient, ApiError};
use mente::wechat::config::WechatConfig;
use mente::wechat::sender::WechatSender;
use mente::wechat::{TurnDelay, WechatState};
use tokio::sync::{oneshot, Semaphore};

use crate::wechat_fake::{self as fake, Account, Answer, FakeApi};

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

const START: &str = "2026-03-02T10:00:00+08:00";

struct Harness {
    account: Account,
    api: FakeApi,
    store: Store,
    state: WechatState,
    clock: TestClock,
    assistant: Arc<Assistant>,
    config: WechatConfig,
    follows: std::sync::atomic::AtomicI64,
    /// Stops the server (dropped with the harness).
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn start(safe_mode: bool) -> Harness {
        Harness::start_with(safe_mode, |state| state).await
    }

    async fn start_with(
        safe_mode: bool,
        adjust: impl FnOnce(WechatState) -> WechatState,
    ) -> Harness {
        let assistant =
            Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads");
        Harness::start_full(safe_mode, assistant, adjust).await
    }

    async fn start_full(
        safe_mode: bool,
        assistant: Assistant,
        adjust: impl FnOnce(WechatState) -> WechatState,
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&crate::db::test_db_url(dir.path(), "w.sqlite")).await.unwrap();
        let assistant = Arc::new(assistant);
        let api = FakeApi::start().await;
        let mut env = vec![
            ("WECHAT_TOKEN", fake::TOKEN.to_string()),
            ("WECHAT_APPID", fake::APPID.to_string()),
            ("WECHAT_APPSECRET", fake::APPSECRET.to_string()),
            ("WECHAT_API_URL", api.url.clone()),
        ];
        if safe_mode {
            env.push(("WECHAT_AES_KEY", fake::AES_KEY.to_string()));
        }
        let config = WechatConfig::from_env(|name| {
            env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
        })
        .unwrap()
        .unwrap();
        let clock = TestClock(Arc::new(Mutex::new(at(START))));
        let state = adjust(WechatState::new(
            config.clone(),
            store.clone(),
            assistant.clone(),
            Arc::new(clock.clone()),
        ));
        let (url, stop) = spawn_server(state.clone()).await;
        Harness {
            account: Account::new(url, safe_mode),
            api,
            store,
            state,
            clock,
            assistant,
            config,
            follows: Default::default(),
            stop: Some(stop),
            _dir: dir,
        }
    }

    /// The process ends and a new one starts on the same database, with the same settings,
    /// clock and fake API.
    async fn restart(mut self) -> Harness {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let clock = Arc::new(self.clock.clone());
        let state = WechatState::new(
            self.config.clone(),
            self.store.clone(),
            self.assistant.clone(),
            clock,
        );
        let (url, stop) = spawn_server(state.clone()).await;
        let account = Account::new(url, self.account.safe_mode);
        Harness { account, state, stop: Some(stop), ..self }
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Sends a text and returns the passive reply, which must be there.
    async fn say(&self, openid: &str, msg_id: i64, content: &str) -> String {
        let answer =
            self.account.post(&fake::text(openid, self.now(), msg_id, content), self.now()).await;
        assert_eq!(answer.status, 200, "{content}");
        answer.reply.unwrap_or_else(|| panic!("no reply to {content:?}"))
    }

    /// Follows the account and chooses `region` (with a message id of its own, from 1 000 000 on:
    /// WeChat's MsgIds are unique per account, not per user).
    async fn follow_in(&self, openid: &str, region: &str) {
        let welcome =
            self.account.post(&fake::event(openid, self.now(), "subscribe", ""), self.now()).await;
        expect(&welcome.reply.expect("a welcome"), &["地区"]);
        let id = 1_000_000 + self.follows.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        expect(&self.say(openid, id, region).await, &[region, "主菜单"]);
    }

    async fn session(&self, openid: &str) -> Option<mente::engine::Session> {
        let mut conn = self.store.pool().acquire().await.unwrap();
        let user = UserKey::new("wechat", openid);
        if !sessions::exists(&mut conn, &user).await.unwrap() {
            return None;
        }
        Some(sessions::load(&mut conn, &user).await.unwrap())
    }

    async fn processed_updates(&self) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM processed_updates")
            .fetch_one(self.store.pool())
            .await
            .unwrap();
        n
    }
}

/// Serves `state` on 127.0.0.1:0 until the returned sender fires or is dropped; returns the
/// URL of its `/wechat`.
async fn spawn_server(state: WechatState) -> (String, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wechat", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        mente::wechat::serve(listener, state, shutdown).await.unwrap()
    });
    (url, stop)
}

fn expect(reply: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(reply.contains(f), "expected {f:?} in:\n{reply}");
    }
}

#[tokio::test]
async fn server_verification_echoes_only_with_the_right_signature() {
    let h = Harness::start(false).await;
    assert_eq!(h.account.verify(fake::TOKEN, "shr5ch").await, (200, "shr5ch".to_string()));
    let (status, body) = h.account.verify("wrongtoken", "shr5ch").await;
    assert_eq!(status, 403);
    assert!(!body.contains("shr5ch"));
}

#[tokio::test]
async fn subscribing_welcomes_and_asks_for_the_region_with_numbered_choices() {
    let h = Harness::start(false).await;
    let answer = h.account.post(&fake::event("o-new", h.now(), "subscribe", ""), h.now()).await;
    let reply = answer.reply.expect("a welcome");
    expect(&reply, &["门特助手", "地区", "1. 攀枝花", "2. 邵阳", "回复数字即可"]);
}

#[tokio::test]
async fn a_new_application_by_numbered_replies_and_free_text_in_safe_mode() {
    let h = Harness::start(true).await;
    let me = "o-apply";
    let welcome = h.account.post(&fake::event(me, h.now(), "subscribe", ""), h.now()).await;
    expect(&welcome.reply.unwrap(), &["2. 邵阳"]);
    expect(&h.say(me, 1, "2").await, &["邵阳", "1. 新申请", "回复数字即可"]);
    expect(&h.say(me, 2, "1").await, &["为谁申请", "1. 本人", "2. 替家人"]);
    expect(&h.say(me, 3, "2").await, &["哪种医保", "2. 城乡居民医保"]);
    // The consent question is answered by its number too (not a step choice of the dialog).
    let consent = h.say(me, 4, "2").await;
    expect(&consent, &["同意"]);
    let yes = consent
        .lines()
        .find(|l| l.ends_with(". 同意"))
        .and_then(|l| l.split('.').next())
        .expect("consent offered as a numbered line")
        .to_string();
    expect(&h.say(me, 5, &yes).await, &["病种"]);
    let checklist = h.say(me, 6, "糖尿病").await;
    expect(&checklist, &["湘医保"]);
    let session = h.session(me).await.unwrap();
    assert_eq!(session.region.as_deref(), Some("shaoyang"));
    assert_eq!(session.slots.get("insurance").map(String::as_str), Some("resident"));
    assert!(h.api.sent().is_empty(), "everything fitted the passive replies");
}

#[tokio::test]
async fn a_menu_click_starts_its_dialog() {
    let h = Harness::start(false).await;
    let me = "o-click";
    h.follow_in(me, "邵阳").await;
    let answer =
        h.account.post(&fake::event(me, h.now(), "CLICK", "mente:dialog:apply"), h.now()).await;
    expect(&answer.reply.unwrap(), &["为谁申请", "1. 本人"]);
}

#[tokio::test]
async fn voice_is_read_from_its_recognition_or_the_user_is_asked_to_type() {
    let h = Harness::start(false).await;
    let me = "o-voice";
    h.follow_in(me, "邵阳").await;
    let spoken = h.account.post(&fake::voice(me, h.now(), 2, Some("新申请。")), h.now()).await;
    expect(&spoken.reply.unwrap(), &["为谁申请"]);
    let silent = h.account.post(&fake::voice(me, h.now(), 3, None), h.now()).await;
    expect(&silent.reply.unwrap(), &["打字"]);
    assert_eq!(h.session(me).await.unwrap().step.as_deref(), Some("for_whom"));
    let photo = h.account.post(&fake::image(me, h.now(), 4), h.now()).await;
    expect(&photo.reply.unwrap(), &["文字"]);
}

#[tokio::test]
async fn a_resent_msg_id_has_no_second_effect() {
    let h = Harness::start(false).await;
    let me = "o-resend";
    h.follow_in(me, "邵阳").await;
    expect(&h.say(me, 2, "1").await, &["为谁申请"]);
    // Had the resend been handled, "1" would have answered 为谁申请 with 本人.
    let resend = h.account.post(&fake::text(me, h.now(), 2, "1"), h.now()).await;
    assert_eq!((resend.status, resend.reply), (200, None));
    assert_eq!(h.session(me).await.unwrap().step.as_deref(), Some("for_whom"));
}

/// A turn delay that holds every turn of `text` until the returned gate gets a permit.
fn hold_turns_of(text: &'static str) -> (Arc<Semaphore>, TurnDelay) {
    let gate = Arc::new(Semaphore::new(0));
    let held = gate.clone();
    let delay: TurnDelay = Arc::new(move |input: &Input| {
        let held = held.clone();
        let slow = *input == Input::Text(text.into());
        async move {
            if slow {
                let _ = held.acquire().await.unwrap();
            }
        }
        .boxed()
    });
    (gate, delay)
}

#[tokio::test]
async fn a_slow_turn_is_answered_by_the_customer_service_api_once() {
    let (gate, delay) = hold_turns_of("起付线是多少");
    let h = Harness::start_with(false, |s| {
        s.with_reply_budget(Duration::from_millis(200)).with_turn_delay(delay)
    })
    .await;
    let me = "o-slow";
    h.follow_in(me, "攀枝花").await;
    let answer = h.account.post(&fake::text(me, h.now(), 2, "起付线是多少"), h.now()).await;
    assert_eq!((answer.status, answer.reply), (200, None), "answered empty within the budget");
    // WeChat resends while the turn is still running: still nothing, and no second turn.
    let resend = h.account.post(&fake::text(me, h.now(), 2, "起付线是多少"), h.now()).await;
    assert_eq!(resend.reply, None);
    gate.add_permits(2);
    let sent = h.api.wait_for(1).await;
    assert_eq!(sent[0].0, me);
    expect(&sent[0].1, &["起付"]);
    h.state.drain().await;
    assert_eq!(h.api.sent().len(), 1, "the slow reply went out once");
    assert_eq!(h.api.token_fetches(), 1);
}

/// The repository's content plus a general FAQ entry whose answer is 4 500 bytes long. Added
/// after loading: `mente check` refuses an answer over one phone screen, but a reply this long
/// can still be composed (several answers at once), and the channel must split it.
fn content_with_a_long_answer() -> Assistant {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut content = mente::content::load(root).expect("content loads");
    let line = "门特长答案测试内容，这一行用来把答案撑长。".repeat(5); // 300 bytes
    let answer: Vec<String> = (0..15).map(|i| format!("第{i}段：{line}")).collect();
    content.faq.push(mente::content::faq::FaqEntry {
        id: "general.long-test".into(),
        regions: Vec::new(),
        topic: None,
        questions: vec!["长答案测试问题是什么".into()],
        answer: answer.join("\n"),
        brief: None,
        source: "facts/policy_research.md".into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        verified: true,
        file: "faq/general.yaml".into(),
    });
    Assistant::from_content(content)
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_long_reply_is_split_and_the_rest_goes_by_the_customer_service_api() {
    let assistant = content_with_a_long_answer();
    let h = Harness::start_full(true, assistant, |s| s).await;
    let me = "o-long";
    h.follow_in(me, "邵阳").await;
    let first = h.say(me, 2, "长答案测试问题是什么").await;
    expect(&first, &["第0段"]);
    let rest = h.api.wait_for(2).await;
    h.state.drain().await;
    assert_eq!(h.api.sent().len(), 2, "4 500 bytes make three messages");
    assert!(rest.iter().all(|(to, _)| to == me));
    expect(&rest[1].1, &["第14段"]);
    let whole: String =
        std::iter::once(first.clone()).chain(rest.iter().map(|(_, t)| t.clone())).collect();
    for i in 0..15 {
        expect(&whole, &[&format!("第{i}段")]);
    }
}

#[test]
fn the_custom_menu_fits_wechat_and_offers_every_menu_dialog() {
    let assistant = Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let menu = mente::wechat::menu::menu_json(&assistant.content).unwrap();
    let buttons = menu["button"].as_array().unwrap();
    assert!(buttons.len() <= 3);
    let mut keys = Vec::new();
    for button in buttons {
        assert!(button["name"].as_str().unwrap().len() <= 16);
        let subs = button["sub_button"].as_array().unwrap();
        assert!((1..=5).contains(&subs.len()));
        for sub in subs {
            assert!(sub["name"].as_str().unwrap().len() <= 60);
            let key = sub["key"].as_str().unwrap();
            assert!(key.len() <= 128);
            assert!(mente::wechat::menu::click_input(key).is_some(), "{key} maps to nothing");
            keys.push(key.to_string());
        }
    }
    for dialog in assistant.content.dialogs.trees.values().filter(|d| d.menu.is_some()) {
        assert!(
            keys.iter().any(|k| k.ends_with(&format!(":{}", dialog.id))),
            "{} missing",
            dialog.id
        );
    }
}

#[tokio::test]
async fn the_access_token_is_fetched_once_for_concurrent_sends_and_again_when_refused() {
    let api = FakeApi::start().await;
    let client = ApiClient::new(
        api.url.parse().unwrap(),
        Some(fake::APPID.into()),
        Some(fake::APPSECRET.into()),
    );
    let sends = (0..8).map(|i| client.send_text("o-many", if i % 2 == 0 { "甲" } else { "乙" }));
    assert!(join_all(sends).await.iter().all(Result::is_ok));
    assert_eq!((api.sent().len(), api.token_fetches()), (8, 1));
    // WeChat invalidated the token (40001): one new token, and the message still goes out.
    api.rotate_token();
    client.send_text("o-many", "丙").await.unwrap();
    assert_eq!((api.sent().len(), api.token_fetches()), (9, 2));
    let unconfigured = ApiClient::new(api.url.parse().unwrap(), None, None);
    assert_eq!(unconfigured.send_text("o-many", "丁").await, Err(ApiError::NotConfigured));
}

#[tokio::test]
async fn a_stale_timestamp_is_refused_and_nothing_is_stored() {
    let h = Harness::start(false).await;
    let old = h.now() - 301;
    let answer = h.account.post(&fake::text("o-stale", old, 1, "邵阳"), old).await;
    assert_eq!((answer.status, answer.reply), (403, None));
    let future = h.now() + 301;
    assert_eq!(h.account.post(&fake::text("o-stale", future, 2, "邵阳"), future).await.status, 403);
    assert!(h.session("o-stale").await.is_none());
    assert_eq!(h.processed_updates().await, 0);
}

#[tokio::test]
async fn a_wrong_signature_is_refused_and_nothing_is_stored() {
    for safe_mode in [false, true] {
        let h = Harness::start(safe_mode).await;
        let xml = fake::text("o-forged", h.now(), 1, "邵阳");
        let answer = h.account.post_with(&xml, h.now(), "wrongtoken").await;
        assert_eq!((answer.status, answer.reply), (403, None));
        // The signature is checked before the body is read at all.
        let garbage = Account::new(h.account.url.clone(), false);
        assert_eq!(garbage.post_with("<xml><a", h.now(), "wrongtoken").await.status, 403);
        assert!(h.session("o-forged").await.is_none());
        assert_eq!(h.processed_updates().await, 0);
    }
}

#[tokio::test]
async fn a_resend_storm_gives_each_reply_once() {
    let h = Harness::start(true).await;
    let me = "o-storm";
    let messages = ["邵阳", "1", "1", "2", "起付线是多少", "/menu"];
    for (i, text) in messages.iter().enumerate() {
        let xml = fake::text(me, h.now(), 100 + i as i64, text);
        let answers: Vec<Answer> = join_all((0..3).map(|_| h.account.post(&xml, h.now()))).await;
        assert!(answers.iter().all(|a| a.status == 200));
        let replies = answers.iter().filter(|a| a.reply.is_some()).count();
        assert_eq!(replies, 1, "message {text:?} answered {replies} times");
    }
    let subscribe = fake::event(me, h.now(), "subscribe", "");
    let answers = join_all((0..3).map(|_| h.account.post(&subscribe, h.now()))).await;
    assert_eq!(answers.iter().filter(|a| a.reply.is_some()).count(), 1);
    h.state.drain().await;
    assert!(h.api.sent().is_empty());
    assert_eq!(h.processed_updates().await, messages.len() as i64 + 1);
}

#[tokio::test]
async fn reminders_wait_outside_the_48_hour_window_and_go_out_after_the_next_message() {
    let h = Harness::start(false).await;
    let me = "o-remind";
    h.follow_in(me, "邵阳").await;
    let user = UserKey::new("wechat", me);
    let due = at("2026-03-05T10:00:00+08:00"); // three days after the last message
    record_reminder(&h.store, &user, due).await;
    let sender = WechatSender::new(h.state.api(), h.store.clone(), Arc::new(h.clock.clone()));

    h.clock.set(due);
    let report = run_once(&h.store, &h.assistant, &sender, due).await.unwrap();
    assert_eq!((report.sent, report.blocked), (0, 1));
    assert!(h.api.sent().is_empty());

    let reminders = h.say(me, 2, "/reminders").await;
    expect(&reminders, &["48小时"]);
    let later = due + chrono::Duration::minutes(1);
    h.clock.set(later);
    let report = run_once(&h.store, &h.assistant, &sender, later).await.unwrap();
    assert_eq!(report.sent, 1);
    let sent = h.api.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, me);
}

#[tokio::test]
async fn unsubscribing_stops_reminders() {
    let h = Harness::start(false).await;
    let me = "o-leave";
    h.follow_in(me, "邵阳").await;
    let user = UserKey::new("wechat", me);
    let due = at("2026-03-02T11:00:00+08:00");
    record_reminder(&h.store, &user, due).await;
    let answer = h.account.post(&fake::event(me, h.now(), "unsubscribe", ""), h.now()).await;
    assert_eq!((answer.status, answer.reply), (200, None));
    let sender = WechatSender::new(h.state.api(), h.store.clone(), Arc::new(h.clock.clone()));
    h.clock.set(due);
    let report = run_once(&h.store, &h.assistant, &sender, due).await.unwrap();
    assert_eq!(report.sent, 0);
    assert!(h.api.sent().is_empty());
    assert!(h.store.is_unreachable(&user).await.unwrap());

    // Someone without reminders leaves no record behind by unfollowing.
    h.follow_in("o-gone", "攀枝花").await;
    h.account.post(&fake::event("o-gone", h.now(), "unsubscribe", ""), h.now()).await;
    assert!(!h.store.is_unreachable(&UserKey::new("wechat", "o-gone")).await.unwrap());
}

// ----- hostile requests and lost replies (issue 16) ---------------------------------------------

#[tokio::test]
async fn attributes_and_oversized_bodies_are_refused_before_parsing() {
    let h = Harness::start(false).await;
    // WeChat's messages carry no attributes; the parser's cost grows with their square.
    let xml =
        fake::text("o-attr", h.now(), 1, "邵阳").replace("<Content>", "<Content lang=\"zh\">");
    let answer = h.account.post(&xml, h.now()).await;
    assert_eq!((answer.status, answer.reply), (400, None));
    let attributes = |n: usize| (0..n).map(|i| format!(" a{i}=\"\"")).collect::<String>();
    let within_bound = format!("<xml{}></xml>", attributes(5_000));
    assert!(within_bound.len() < mente::wechat::xml::MAX_BODY_BYTES);
    assert_eq!(h.account.post(&within_bound, h.now()).await.status, 400);
    let huge = format!("<xml{}></xml>", attributes(40_000));
    assert_eq!(h.account.post(&huge, h.now()).await.status, 413, "refused unread");
    assert!(h.session("o-attr").await.is_none());
    assert_eq!(h.processed_updates().await, 0);
    // And the server still answers.
    h.follow_in("o-after", "邵阳").await;
}

#[tokio::test]
async fn a_signed_url_carries_one_message_only() {
    let h = Harness::start(false).await;
    h.follow_in("o-first", "邵阳").await;
    let (ts, nonce) = (h.now(), "1409735669");
    let first = fake::text("o-first", ts, 2, "1");
    let answer = h.account.post_signed(&first, ts, nonce, fake::TOKEN).await;
    expect(&answer.reply.expect("answered"), &["为谁申请"]);
    // The same URL with another message under another OpenID: refused, nothing stored.
    let other = fake::text("o-other", ts, 3, "邵阳");
    let replay = h.account.post_signed(&other, ts, nonce, fake::TOKEN).await;
    assert_eq!((replay.status, replay.reply), (403, None));
    assert!(h.session("o-other").await.is_none());
    // The same message under the same URL is WeChat resending it: accepted, no second turn.
    let resend = h.account.post_signed(&first, ts, nonce, fake::TOKEN).await;
    assert_eq!(resend.status, 200);
    assert_eq!(h.session("o-first").await.unwrap().step.as_deref(), Some("for_whom"));
    // Another process on the same database knows the URL too.
    let h = h.restart().await;
    let replay = h.account.post_signed(&other, ts, nonce, fake::TOKEN).await;
    assert_eq!((replay.status, replay.reply), (403, None));
    assert!(h.session("o-other").await.is_none());
    // Used URLs are forgotten once their timestamp is outside the window for every instance.
    let window = chrono::Duration::seconds(mente::wechat::NONCES_KEPT_SECS + 1);
    h.clock.set(h.clock.now() + window);
    h.state.deliver_pending().await;
    let (nonces,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM wechat_nonces")
        .fetch_one(h.store.pool())
        .await
        .unwrap();
    assert_eq!(nonces, 0);
}

#[tokio::test]
async fn safe_mode_refuses_a_plaintext_body_in_a_victims_name() {
    let h = Harness::start(true).await;
    let victim = "o-victim";
    h.follow_in(victim, "邵阳").await;
    let user = UserKey::new("wechat", victim);
    record_reminder(&h.store, &user, at("2026-05-31T09:00:00+08:00")).await;
    // Correctly signed (signature), but not encrypted: anyone who saw one signed URL could
    // write such a body.
    let forger = Account::new(h.account.url.clone(), false);
    for (i, text) in ["我的申请", "/forget"].into_iter().enumerate() {
        let xml = fake::text(victim, h.now(), 50 + i as i64, text);
        let answer = forger.post(&xml, h.now()).await;
        assert_eq!((answer.status, answer.reply), (403, None), "{text}");
    }
    assert_eq!(h.store.user_data(&user).await.unwrap().applications.len(), 1);
    assert_eq!(h.session(victim).await.unwrap().region.as_deref(), Some("shaoyang"));
}

/// Issue 19, input hygiene: bytes that are not UTF-8 in a WeChat text were refused (400:
/// WeChat retries the same bytes, then tells the user the account is down). Now the message
/// is answered, with a note that unreadable characters were dropped.
#[tokio::test]
async fn a_text_with_bytes_that_are_not_utf8_is_answered_with_a_note() {
    let h = Harness::start(false).await;
    h.follow_in("o_bytes", "邵阳").await;
    let xml = fake::text("o_bytes", h.now(), 77, "门特的药可以快递到家吗XX");
    let mut bytes = xml.into_bytes();
    let at = bytes.windows(2).position(|w| w == b"XX").unwrap();
    bytes[at..at + 2].copy_from_slice(&[0xff, 0xfe]);
    let answer = h.account.post_bytes(bytes, h.now()).await;
    assert_eq!(answer.status, 200);
    expect(&answer.reply.expect("a passive reply"), &["无法识别的字符"]);
}

#[tokio::test]
async fn a_msg_id_reused_by_another_user_is_answered() {
    let h = Harness::start(false).await;
    h.follow_in("o-one", "邵阳").await;
    h.follow_in("o-two", "邵阳").await;
    expect(&h.say("o-one", 7, "1").await, &["为谁申请"]);
    expect(&h.say("o-two", 7, "1").await, &["为谁申请"]);
    assert_eq!(h.session("o-two").await.unwrap().step.as_deref(), Some("for_whom"));
}

#[tokio::test]
async fn a_lost_passive_reply_is_given_again_when_wechat_resends() {
    let h = Harness::start(true).await;
    let me = "o-lost";
    h.follow_in(me, "邵阳").await;
    let xml = fake::text(me, h.now(), 2, "1");
    let first = h.account.post(&xml, h.now()).await.reply.expect("answered");
    // The answer never reached WeChat, which sends the message again five seconds later.
    h.clock.set(h.clock.now() + chrono::Duration::seconds(5));
    let again = h.account.post(&xml, h.now()).await;
    assert_eq!(again.reply.as_deref(), Some(first.as_str()));
    assert_eq!(h.session(me).await.unwrap().step.as_deref(), Some("for_whom"), "no second turn");
    assert!(h.api.sent().is_empty());
}

#[tokio::test]
async fn a_slow_reply_not_sent_before_the_process_died_is_sent_after_the_restart() {
    let (gate, delay) = hold_turns_of("起付线是多少");
    let h = Harness::start_with(false, |s| {
        s.with_reply_budget(Duration::from_millis(200)).with_turn_delay(delay)
    })
    .await;
    let me = "o-crash";
    h.follow_in(me, "攀枝花").await;
    // The customer-service send does not happen: the turn commits, its reply is not sent.
    h.api.set_down(true);
    let xml = fake::text(me, h.now(), 2, "起付线是多少");
    let answer = h.account.post(&xml, h.now()).await;
    assert_eq!((answer.status, answer.reply), (200, None), "answered empty within the budget");
    gate.add_permits(1);
    h.state.drain().await;
    assert!(h.api.sent().is_empty());

    h.api.set_down(false);
    h.clock.set(h.clock.now() + chrono::Duration::minutes(3));
    let h = h.restart().await;
    let sent = h.api.wait_for(1).await;
    assert_eq!(sent[0].0, me);
    expect(&sent[0].1, &["起付"]);
    // WeChat resending the message now gets no second copy.
    let resend = h.account.post(&xml, h.now()).await;
    assert_eq!((resend.status, resend.reply), (200, None));
    h.state.drain().await;
    assert_eq!(h.api.sent().len(), 1);
}

async fn record_reminder(store: &Store, user: &UserKey, due: DateTime<Utc>) {
    let command = crate::sample::approved_renewal(crate::sample::day(2026, 6, 30), &[due]);
    store.apply_commands(user, &[command], at(START)).await.unwrap();
}

// ----- the command line -----------------------------------------------------------------------

fn mente_wechat(args: &[&str]) -> std::process::Command {
    let mut command = mente(&["wechat"]);
    command.args(args);
    command
}

/// The binary with none of the WeChat settings of the environment it runs in.
fn mente(args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mente"));
    command.args(args);
    for var in
        ["WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_APPSECRET", "WECHAT_AES_KEY", "WECHAT_API_URL"]
    {
        command.env_remove(var);
    }
    command
}

#[test]
fn mente_wechat_menu_prints_the_menu_and_serve_needs_the_token() {
    let out = mente_wechat(&["menu"]).output().unwrap();
    assert!(out.status.success());
    let menu: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(menu["button"][0]["sub_button"][0]["name"], "新申请");

    let out = mente_wechat(&["serve", "--listen", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("WECHAT_TOKEN"));
}

#[cfg(unix)]
#[tokio::test]
async fn mente_wechat_serve_answers_wechat_and_exits_cleanly_on_sigterm() {
    let command = mente_wechat(&["serve", "--listen", "127.0.0.1:0"]);
    serve_answers_wechat_and_exits_on_sigterm(command, true).await;
}

/// `mente web` is the one server behind the TLS proxy: with WECHAT_TOKEN set it answers WeChat
/// at `/wechat` beside the chat page.
#[cfg(unix)]
#[tokio::test]
async fn mente_web_mounts_wechat_when_the_token_is_set() {
    serve_answers_wechat_and_exits_on_sigterm(mente(&["web", "--listen", "127.0.0.1:0"]), false)
        .await;
}

/// Starts the server `command` runs (in safe mode or not), has it answer WeChat, survive
/// deeply nested bodies (they overflowed the stack and killed the process, issue 16), and
/// stop on SIGTERM.
#[cfg(unix)]
async fn serve_answers_wechat_and_exits_on_sigterm(
    mut command: std::process::Command,
    safe_mode: bool,
) {
    let api = FakeApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    if safe_mode {
        command.env("WECHAT_AES_KEY", fake::AES_KEY);
    }
    let mut child = command
        .env("WECHAT_TOKEN", fake::TOKEN)
        .env("WECHAT_APPID", fake::APPID)
        .env("WECHAT_APPSECRET", fake::APPSECRET)
        .env("WECHAT_API_URL", &api.url)
        .env("MENTE_DB", crate::db::test_db_url(dir.path(), "w.sqlite"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = crate::web::listening_on(&mut child).await;
    let account = Account::new(format!("http://{addr}/wechat"), safe_mode);
    assert_eq!(account.verify(fake::TOKEN, "hello").await, (200, "hello".to_string()));
    let now = Utc::now().timestamp();
    let welcome = account.post(&fake::event("o-cli", now, "subscribe", ""), now).await;
    expect(&welcome.reply.expect("a welcome"), &["地区"]);

    // 28 KB, validly signed: as the body itself, and in safe mode also as the encrypted message.
    let nested = format!("<xml>{}{}</xml>", "<a>".repeat(4000), "</a>".repeat(4000));
    let raw = Account::new(account.url.clone(), false);
    assert_eq!(raw.post(&nested, now).await.status, 400);
    if safe_mode {
        assert_eq!(account.post(&nested, now).await.status, 400);
    }
    let welcome = account.post(&fake::event("o-cli-2", now, "subscribe", ""), now).await;
    expect(&welcome.reply.expect("still serving"), &["地区"]);

    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut status = None;
    for _ in 0..400 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("the server did not exit within 20 s of SIGTERM");
    };
    assert!(status.success(), "clean exit on SIGTERM, got {status}");
}

impl Harness {
    /// A second instance on the same database file, as another process behind the same load
    /// balancer would open it (its own pool, its own API client), with the same fake API.
    async fn second_instance(&self) -> (Account, WechatState, oneshot::Sender<()>) {
        let url = crate::db::test_db_url(self._dir.path(), "w.sqlite");
        let store = Store::connect(&url).await.unwrap();
        let clock = Arc::new(self.clock.clone());
        let state = WechatState::new(self.config.clone(), store, self.assistant.clone(), clock);
        let (url, stop) = spawn_server(state.clone()).await;
        (Account::new(url, self.account.safe_mode), state, stop)
    }
}

/// Issue 19: the buttons one instance offered are read by the other: the other instance's
/// view of the database holds them, and the number typed next is answered there. (The engine
/// reads the consent number on its own as well, so the reply alone would not show it.)
#[tokio::test]
async fn buttons_offered_by_one_instance_are_understood_by_the_other() {
    let h = Harness::start(false).await;
    let (other, _, _stop) = h.second_instance().await;
    let me = "o-two-instances";
    h.account.post(&fake::event(me, h.now(), "subscribe", ""), h.now()).await;
    expect(&h.say(me, 1, "2").await, &["邵阳", "1. 新申请"]);
    expect(&h.say(me, 2, "1").await, &["为谁申请", "2. 替家人"]);
    expect(&h.say(me, 3, "2").await, &["哪种医保", "2. 城乡居民医保"]);
    let consent = h.say(me, 4, "2").await;
    let yes = consent
        .lines()
        .find(|l| l.ends_with(". 同意"))
        .and_then(|l| l.split('.').next())
        .expect("consent offered as a numbered line")
        .to_string();
    let seen_by_other = Store::connect(&crate::db::test_db_url(h._dir.path(), "w.sqlite"))
        .await
        .unwrap()
        .offered_choices(me)
        .await
        .unwrap();
    let labels: Vec<&str> = seen_by_other.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels.get(yes.parse::<usize>().unwrap() - 1), Some(&"同意"), "{labels:?}");
    let answer = other.post(&fake::text(me, h.now(), 5, &yes), h.now()).await;
    expect(&answer.reply.expect("the other instance answers"), &["病种"]);
}

/// Issue 19: every fetch of an access token invalidates the previous one at WeChat, so two
/// instances share one: fetched once for both, and refreshed once when WeChat refuses it.
#[tokio::test]
async fn two_instances_fetch_one_access_token_between_them() {
    let h = Harness::start(false).await;
    let (_, other, _stop) = h.second_instance().await;
    let (mine, theirs) = (h.state.api(), other.api());
    let sends = (0..8).map(|i| {
        let api = if i % 2 == 0 { mine.clone() } else { theirs.clone() };
        async move { api.send_text("o-token", "甲").await }
    });
    assert!(join_all(sends).await.iter().all(Result::is_ok));
    assert_eq!((h.api.sent().len(), h.api.token_fetches()), (8, 1));
    // WeChat invalidated it (40001): the first instance to notice refreshes it; the other
    // reads the new one instead of fetching (which would invalidate it again).
    h.api.rotate_token();
    mine.send_text("o-token", "乙").await.unwrap();
    theirs.send_text("o-token", "丙").await.unwrap();
    assert_eq!((h.api.sent().len(), h.api.token_fetches()), (10, 2));
}

#[tokio::test]
async fn a_staff_reply_goes_by_the_customer_service_api_only_within_48_hours() {
    let h = Harness::start(false).await;
    let me = "o-handoff";
    h.follow_in(me, "邵阳").await;
    // Monday 10:00 but nobody in the console: off duty, the user may leave a question.
    expect(&h.say(me, 2, "人工").await, &["要留言吗", "12393"]);
    h.say(me, 3, "1").await;
    expect(&h.say(me, 4, "异地就医怎么报").await, &["已收到您的留言"]);
    let sender = WechatSender::new(h.state.api(), h.store.clone(), Arc::new(h.clock.clone()));
    let window = Some(mente::wechat::sender::REPLY_WINDOW);
    let deliver = |now| mente::relay::deliver_once(&h.store, &h.assistant, &sender, window, now);

    let now = h.clock.now();
    crate::handoff::answer_the_newest(&h.store, "需要先办异地备案", now).await;
    assert_eq!(deliver(now).await.unwrap().sent, 1);
    let sent = h.api.sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.starts_with("【人工回复】需要先办异地备案"), "{sent:?}");
    // 结束人工 is a word to send, not a number: a "1" in a hand-off is an answer for staff.
    assert!(sent[0].1.contains("发送“结束人工”"), "{sent:?}");
    assert!(!sent[0].1.contains("1. 结束人工") && !sent[0].1.contains("回复数字即可"), "{sent:?}");

    // Three days later: outside the window the reply waits ...
    let later = now + chrono::Duration::days(3);
    h.clock.set(later);
    crate::handoff::answer_the_newest(&h.store, "备案好了吗", later).await;
    assert_eq!(deliver(later).await.unwrap().sent, 0);
    assert_eq!(h.api.sent().len(), 1, "nothing sent outside the 48 hours");
    // ... and goes out with the user's next message (in a live hand-off, to staff).
    h.account.post(&fake::text(me, h.now(), 5, "还没有"), h.now()).await;
    assert_eq!(deliver(later).await.unwrap().sent, 1);
    assert!(h.api.sent()[1].1.starts_with("【人工回复】备案好了吗"), "{:?}", h.api.sent());
    // A bare "1" answers staff and keeps the hand-off open; the word ends it; sent again
    // later, it is told that nothing is open.
    h.account.post(&fake::text(me, h.now(), 6, "1"), h.now()).await;
    expect(&h.say(me, 7, "结束人工").await, &["已结束人工服务"]);
    expect(&h.say(me, 8, "结束人工").await, &["现在没有进行中的人工服务"]);
}
