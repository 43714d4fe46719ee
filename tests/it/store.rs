//! Storage as an auditor and a careless operator see it (issue 11): what is kept without and
//! with consent, what `/forget` leaves in the database files, bounded tables, the outbox, odd
//! `--db` URLs and processes starting together on a new file. Every turn goes through
//! `service::turn` on a real SQLite file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use mente::assistant::Assistant;
use mente::engine::{Choice, Input, Reply, UserKey};
use mente::service::{self, QueuedTurn, TurnRequest, TurnResult};
use mente::store::{console, outbox, sessions, Store, StoreError};
use mente::terminal::{format_replies, resolve_input};

const RELATIVE: &str = "王秀英";
const ILLNESS: &str = "尿毒症";
const ID: &str = "510402195001011234";
const ID_MASKED: &str = "5104************34";
const REJECTION: &str = "被驳回了，原因是我母亲王秀英的尿毒症透析病历不全";

fn assistant() -> Arc<Assistant> {
    Arc::new(Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads"))
}

struct Chat {
    dir: tempfile::TempDir,
    store: Store,
    assistant: Arc<Assistant>,
    user: UserKey,
    now: DateTime<Utc>,
    offered: Vec<Choice>,
}

impl Chat {
    async fn new() -> Chat {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&url(dir.path())).await.unwrap();
        let user = UserKey::new("terminal", "auditor");
        let now = "2025-09-26T10:00:00+08:00".parse().unwrap();
        service::preselect_region(&store, &user, "shaoyang", now).await.unwrap();
        Chat { dir, store, assistant: assistant(), user, now, offered: Vec::new() }
    }

    async fn send(&mut self, text: &str) -> String {
        let input = resolve_input(text, &self.offered);
        let request =
            TurnRequest { user: self.user.clone(), update_id: None, input, now: self.now };
        let TurnResult::Replies(replies) =
            service::turn(&self.store, &self.assistant, request).await.unwrap()
        else {
            panic!("no update id, no duplicate")
        };
        let (text, offered) = format_replies(&replies);
        if !replies.is_empty() {
            self.offered = offered;
        }
        text
    }

    /// 记录申请进度 for a new application, consent answered with `consent`, the ID number typed
    /// as the acceptance number, then the rejection reported in free text.
    async fn record_and_report(&mut self, consent: &str) {
        contains(&self.send("记录申请进度").await, "哪一类申请");
        contains(&self.send("新申请").await, "是否同意保存");
        self.send(consent).await;
        if consent == "同意" {
            contains(&self.send(ILLNESS).await, "哪天受理");
        }
        contains(&self.send("2025-09-26").await, "受理号");
        contains(&self.send(ID).await, "已记下这份申请");
        contains(&self.send(REJECTION).await, "驳回");
    }

    fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        crate::db::places_containing(&url(self.dir.path()), needle)
    }

    async fn rows_of_user(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1"))
            .bind(&self.user.user)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}

fn url(dir: &Path) -> String {
    crate::db::test_db_url(dir, "s.sqlite")
}

fn contains(reply: &str, want: &str) {
    assert!(reply.contains(want), "expected {want:?} in:\n{reply}");
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn consent_refused_keeps_no_name_illness_or_id_only_the_reason_category() {
    let mut chat = Chat::new().await;
    chat.record_and_report("不同意").await;
    let app = chat.store.user_data(&chat.user).await.unwrap().applications[0].clone();
    let json = serde_json::to_string(&app).unwrap();
    assert!(json.contains("材料不全"), "the reason's category is kept: {json}");
    for secret in [RELATIVE, ILLNESS, ID, ID_MASKED] {
        assert!(!json.contains(secret), "{secret} stored: {json}");
        assert_eq!(chat.files_containing(secret), Vec::<PathBuf>::new(), "{secret} in the files");
    }
    // The ID typed again in a free-text report is refused, not stored.
    contains(&chat.send(&format!("受理号是{ID}")).await, "没有记录");
    assert!(chat.files_containing(ID).is_empty() && chat.files_containing(ID_MASKED).is_empty());
}

#[tokio::test]
async fn with_consent_the_reason_is_kept_and_the_id_only_masked() {
    let mut chat = Chat::new().await;
    chat.record_and_report("同意").await;
    let app = chat.store.user_data(&chat.user).await.unwrap().applications[0].clone();
    assert_eq!(app.acceptance_no(), Some(ID_MASKED));
    let json = serde_json::to_string(&app).unwrap();
    assert!(json.contains(RELATIVE), "with consent the reason is kept: {json}");
    assert!(chat.files_containing(ID).is_empty(), "the ID in clear is in the database files");
}

#[tokio::test]
async fn forget_leaves_no_row_and_no_byte_of_the_user_in_the_database_files() {
    let mut chat = Chat::new().await;
    chat.record_and_report("同意").await;
    chat.send("转人工").await;
    assert!(!chat.files_containing(RELATIVE).is_empty(), "the test must see the name first");
    assert!(chat.rows_of_user("handoffs").await + chat.rows_of_user("applications").await >= 2);

    // An unanswered question naming people, kept (masked) with consent and linked to the user.
    chat.send(NAMED_QUESTION).await;
    assert!(!chat.files_containing(QUESTION_TAIL).is_empty(), "the test must see the question");
    assert!(chat.count("SELECT COUNT(*) FROM unanswered").await >= 1, "kept with consent");
    chat.send("转人工").await;

    contains(&chat.send("/forget").await, "已删除");
    for table in [
        "sessions",
        "applications",
        "reminders",
        "handoffs",
        "outbox",
        "unreachable_users",
        "recent_questions",
    ] {
        assert_eq!(chat.rows_of_user(table).await, 0, "{table} keeps a row of the user");
    }
    assert_eq!(chat.count("SELECT COUNT(*) FROM unanswered").await, 0, "the user's questions");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM application_events")
        .fetch_one(chat.store.pool())
        .await
        .unwrap();
    assert_eq!(events, 0, "history of a deleted application is left");
    // The pool is still open: the WAL and deleted pages are what a running process leaves.
    for secret in [RELATIVE, ILLNESS, ID, ID_MASKED, QUESTION_TAIL, "刘**"] {
        assert_eq!(chat.files_containing(secret), Vec::<PathBuf>::new(), "{secret} survives");
    }
}

/// A question the assistant cannot answer that names the asker, a relative and an address.
const NAMED_QUESTION: &str = "我叫王秀英 我妈刘淑芬住在仁和区 心脏不好 门特的药能不能快递到家";
/// Words of [`NAMED_QUESTION`] that masking leaves, to find it in the database files.
const QUESTION_TAIL: &str = "门特的药能不能快递到家";

impl Chat {
    async fn column(&self, sql: &str) -> Vec<Option<String>> {
        sqlx::query_scalar(sql).fetch_all(self.store.pool()).await.unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(self.store.pool()).await.unwrap()
    }
}

#[tokio::test]
async fn the_console_adds_askers_up_and_forget_takes_away_only_the_users_own_questions() {
    const QUESTION: &str = "门特的药能不能快递到家";
    let mut chat = Chat::new().await;
    chat.send(QUESTION).await;
    chat.user = UserKey::new("terminal", "second");
    service::preselect_region(&chat.store, &chat.user, "shaoyang", chat.now).await.unwrap();
    chat.send(QUESTION).await;
    chat.send("门特的药能不能快递到家？").await;
    // A group shows one of its wordings (the latest asked) and how often any was asked.
    let counts = |groups: Vec<console::UnansweredGroup>| {
        groups.into_iter().map(|g| (g.question.replace('？', ""), g.count)).collect::<Vec<_>>()
    };
    let store = chat.store.clone();
    let open = counts(console::open_unanswered(store.pool()).await.unwrap());
    assert_eq!(open, [(QUESTION.to_string(), 3)], "one group of two askers");
    contains(&chat.send("/forget").await, "已删除");
    let open = counts(console::open_unanswered(store.pool()).await.unwrap());
    assert_eq!(open, [(QUESTION.to_string(), 1)], "the first asker's question stays");
}

#[tokio::test]
async fn without_consent_a_name_the_heuristic_misses_is_still_erased_by_forget() {
    // A given name alone: nothing marks it as a name, so the question is kept as typed.
    const QUESTION: &str = "秀兰的门特卡丢了怎么补办";
    assert!(!mente::privacy::names_a_person(QUESTION), "the test needs a name it misses");
    let mut chat = Chat::new().await;
    chat.send(QUESTION).await;
    let kept = chat.column("SELECT question FROM unanswered").await;
    assert_eq!(kept, [Some(QUESTION.into())], "kept without consent");
    contains(&chat.send("/forget").await, "已删除");
    assert_eq!(chat.count("SELECT COUNT(*) FROM unanswered").await, 0);
    assert_eq!(chat.files_containing("秀兰"), Vec::<PathBuf>::new(), "the name survives");
}

#[tokio::test]
async fn without_consent_no_user_linked_free_text_and_no_named_person_is_kept() {
    let mut chat = Chat::new().await;
    chat.send("我妈刘淑芬心脏不好 门特的药能不能快递到家").await;
    // The same question without a name is useful to the content team and identifies nobody.
    chat.send("我妈心脏不好 门特的药能不能快递到家").await;
    let remembered = chat.column("SELECT question FROM recent_questions").await;
    assert!(!remembered.is_empty(), "the last unanswered question is remembered for a hand-off");
    assert!(remembered.iter().flatten().all(|q| !q.contains("心脏")), "{remembered:?}");
    chat.send("转人工 我妈刘淑芬有尿毒症").await;

    let handoffs = chat.column("SELECT question FROM handoffs").await;
    assert_eq!(handoffs.len(), 1, "one hand-off");
    assert!(handoffs.iter().flatten().all(|q| !q.contains("尿毒症")), "{handoffs:?}");
    let unanswered = chat.column("SELECT question FROM unanswered ORDER BY id").await;
    assert_eq!(
        unanswered,
        [
            Some("原文未保存（含个人信息）".into()),
            Some("我妈心脏不好 门特的药能不能快递到家".into())
        ]
    );
    // Linked to the asker for /forget, by a keyed hash: the user id is not there in clear.
    let askers = chat.column("SELECT asker FROM unanswered").await;
    assert!(
        askers.iter().flatten().all(|a| a.len() == 64 && !a.contains(&chat.user.user)),
        "{askers:?}"
    );
    for secret in ["刘淑芬", "淑芬", "我妈刘"] {
        assert_eq!(chat.files_containing(secret), Vec::<PathBuf>::new(), "{secret} in the files");
    }
}

#[tokio::test]
async fn numbers_typed_in_groups_are_not_stored_in_clear() {
    let mut chat = Chat::new().await;
    chat.send("张桂兰 510402 19500101 1234 139 1234 5678").await;
    let unanswered = chat.column("SELECT question FROM unanswered").await;
    assert_eq!(unanswered, [Some("原文未保存（含个人信息）".into())], "without consent");
    for secret in ["张桂兰", "19500101", "1234 5678"] {
        assert_eq!(chat.files_containing(secret), Vec::<PathBuf>::new(), "{secret} in the files");
    }
}

#[tokio::test]
async fn processed_updates_are_pruned_after_the_redelivery_window_only() {
    let chat = Chat::new().await;
    let start = at("2026-01-01T00:00:00Z");
    let mut tx = chat.store.begin().await.unwrap();
    for (id, hours) in [(1, 0), (2, 47), (3, 71), (4, 73)] {
        let when = start + TimeDelta::hours(hours);
        assert!(sessions::claim_update(&mut tx, "telegram", id, when).await.unwrap());
    }
    tx.commit().await.unwrap();
    let now = start + TimeDelta::hours(144);
    // 144 h: updates 1 (144 h old) and 2 (97 h) are past 72 h; 3 (73 h) too; 4 (71 h) stays.
    assert_eq!(sessions::prune_processed_updates(&chat.store, now).await.unwrap(), 3);
    let mut tx = chat.store.begin().await.unwrap();
    assert!(!sessions::claim_update(&mut tx, "telegram", 4, now).await.unwrap(), "4 was pruned");
    assert!(sessions::claim_update(&mut tx, "telegram", 1, now).await.unwrap());
}

/// Issue 17: the conversation context (a disease asked about) does not outlive 30 idle minutes in
/// the file, even when the user never writes again.
#[tokio::test]
async fn the_context_of_an_idle_conversation_is_cleared_from_the_file() {
    let mut chat = Chat::new().await;
    chat.send("帕金森能办门特吗").await;
    let stored = |chat: &Chat| {
        let pool = chat.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT state FROM sessions")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(stored(&chat).await.contains("帕金森病"), "kept while the conversation is live");
    let soon = chat.now + TimeDelta::minutes(mente::engine::context::IDLE_MINUTES - 1);
    assert_eq!(sessions::clear_idle_contexts(&chat.store, soon).await.unwrap(), 0);
    let later = chat.now + TimeDelta::minutes(mente::engine::context::IDLE_MINUTES + 1);
    assert_eq!(sessions::clear_idle_contexts(&chat.store, later).await.unwrap(), 1);
    let state = stored(&chat).await;
    assert!(!state.contains("帕金森") && state.contains("shaoyang"), "{state}");
}

#[tokio::test]
async fn ten_thousand_turns_in_one_dialog_keep_the_session_row_the_same_size() {
    let mut chat = Chat::new().await;
    contains(&chat.send("线上还是线下").await, "想了解哪方面");
    let size = |chat: &Chat| {
        let pool = chat.store.pool().clone();
        let user = chat.user.user.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT length(state) FROM sessions WHERE user_id = $1")
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let mut early = 0;
    for turn in 1..=10_000 {
        // 线上怎么办 → 还想了解什么？ → 线上怎么办 …: the dialog loops, each answer a step.
        contains(&chat.send("1").await, "还想了解什么");
        if turn == 100 {
            early = size(&chat).await;
        }
    }
    let late = size(&chat).await;
    // The turn counter gains a digit or two; 71 bytes a turn would be 700 kB.
    assert!(late <= early + 8, "session grew from {early} to {late} bytes");
}

#[tokio::test]
async fn queued_replies_survive_a_failed_send_and_go_out_once_after_a_restart() {
    let chat = Chat::new().await;
    let request = |update_id| TurnRequest {
        user: UserKey::new("telegram", "42"),
        update_id: Some(update_id),
        input: Input::Text("/start".into()),
        now: chat.now,
    };
    let QueuedTurn::Queued(queued) =
        service::turn_with_outbox(&chat.store, &chat.assistant, request(7)).await.unwrap()
    else {
        panic!("a new update is no duplicate")
    };
    assert!(!queued.is_empty());
    // The send fails after the commit; the process dies. A new one starts on the same file.
    chat.store.pool().close().await;
    let store = Store::connect(&url(chat.dir.path())).await.unwrap();
    let pending = outbox::pending(&store, "telegram").await.unwrap();
    assert_eq!(pending, queued, "the committed turn's replies wait, in order");
    assert!(outbox::pending(&store, "terminal").await.unwrap().is_empty());
    // Telegram redelivers the same update: no second turn, no second copy of the replies.
    let again = service::turn_with_outbox(&store, &chat.assistant, request(7)).await.unwrap();
    assert_eq!(again, QueuedTurn::Duplicate);
    for item in &pending {
        outbox::mark_sent(&store, item.id).await.unwrap();
    }
    assert!(outbox::pending(&store, "telegram").await.unwrap().is_empty(), "sent once only");
}

/// Issue 19, input hygiene for every channel (Telegram and WeChat pass user text straight
/// to the turn): a NUL and other control characters are stripped before anything is stored.
/// PostgreSQL refuses a NUL in text, so a message left for staff failed the turn there; SQLite
/// kept the garbage. A 10,000-character message is answered politely and changes nothing.
#[tokio::test]
async fn control_characters_are_stripped_before_the_turn_and_a_huge_message_changes_nothing() {
    let mut chat = Chat::new().await;
    chat.send("转人工").await;
    contains(&chat.send("1").await, "请写下您的问题");
    let huge = "问".repeat(10_000);
    contains(&chat.send(&huge).await, "这条消息太长了");
    // Still waiting for the message to staff: the next one is taken as it.
    chat.send("药能不能\0快递\u{1b}[0m到家\u{7f}\u{202e}").await;
    let left: Vec<String> =
        sqlx::query_scalar("SELECT body FROM handoff_messages WHERE sender = 'user' ORDER BY id")
            .fetch_all(chat.store.pool())
            .await
            .unwrap();
    assert_eq!(left, ["药能不能快递[0m到家"], "the message left for staff, clean, and only it");
}

/// Issue 19, Telegram's webhook mode: the instance that ran a turn is still sending its replies
/// when another instance starts and sweeps the outbox for leftovers (what Telegram's start-up
/// resend does). The sweep leaves those rows alone: the turn wrote them leased to its sender.
/// Only once that lease is stale (the sender died) are they swept, and of two instances
/// sweeping at once each row goes to exactly one.
#[tokio::test]
async fn a_turns_replies_being_sent_are_not_swept_by_another_instance_and_leftovers_go_once() {
    let chat = Chat::new().await;
    let request = TurnRequest {
        user: UserKey::new("telegram", "42"),
        update_id: Some(8),
        input: Input::Text("/start".into()),
        now: chat.now,
    };
    let QueuedTurn::Queued(queued) =
        service::turn_with_outbox(&chat.store, &chat.assistant, request).await.unwrap()
    else {
        panic!("a new update is no duplicate")
    };
    let ids: Vec<i64> = queued.iter().map(|q| q.id).collect();
    assert!(!ids.is_empty());
    let (first, second) =
        (Store::connect(&url(chat.dir.path())).await.unwrap(), chat.store.clone());
    // As `telegram::handler::resend_pending` sweeps: everything queued so far, leases older
    // than a minute counting as a dead instance's.
    let sweep = |store: Store, now_ms: i64| async move {
        let created_before = chat.now.timestamp() + 1;
        let stale = now_ms - 60_000;
        let rows = mente::store::wechat::lease_unsent(
            &store,
            "telegram",
            created_before,
            now_ms,
            stale,
            100,
        )
        .await
        .unwrap();
        rows.into_iter().map(|q| q.id).collect::<Vec<i64>>()
    };
    let now_ms = mente::store::leases::now_ms();
    assert_eq!(sweep(first.clone(), now_ms).await, Vec::<i64>::new(), "the sender's own rows");
    // The sender died: a minute later its rows are leftovers, swept by two instances at once.
    let later = now_ms + 61_000;
    let (a, b) = tokio::join!(sweep(first, later), sweep(second, later));
    let mut both = [a.clone(), b.clone()].concat();
    both.sort_unstable();
    assert_eq!(both, ids, "each row to exactly one instance: {a:?} {b:?}");
}

#[tokio::test]
async fn urls_without_a_file_and_in_memory_databases_are_refused() {
    for url in ["sqlite:", "sqlite://"] {
        let err = Store::connect(url).await.unwrap_err();
        assert!(matches!(err, StoreError::NoFile { .. }), "{url}: {err}");
    }
    let err = Store::connect("sqlite::memory:").await.unwrap_err();
    assert!(err.to_string().contains("in memory"), "{err}");
}

#[test]
fn mente_chat_with_an_odd_db_url_says_what_is_wrong() {
    for (url, want) in [("sqlite:", "names no file"), ("sqlite::memory:", "in memory")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
            .args(["--content", env!("CARGO_MANIFEST_DIR"), "--db", url, "chat"])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("mente runs");
        assert!(!out.status.success(), "{url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{url}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opened_at_the_same_moment_on_a_new_file_all_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let url = url(dir.path());
    let opening: Vec<_> = (0..16)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Store::connect(&url).await })
        })
        .collect();
    for task in opening {
        let store = task.await.unwrap().expect("every store opens");
        assert!(store.user_data(&UserKey::new("terminal", "x")).await.is_ok());
    }
}

#[test]
fn processes_started_at_the_same_moment_on_a_new_file_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let url = url(dir.path());
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
                .args(["--content", env!("CARGO_MANIFEST_DIR"), "--db", &url])
                .args(["remind", "--once", "--now", "2026-01-05T10:00:00+08:00"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("mente starts")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The outbox through the real Telegram adapter: the stub Bot API and teloxide's HTTP client.
mod over_telegram {
    use std::time::Duration;

    use mente::clock::FixedClock;
    use mente::store::{outbox, Store};
    use mente::telegram::{run_bot, BotConfig, RetryPolicy, TelegramError};
    use teloxide::adaptors::throttle::Limits;
    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    use crate::botapi_stub::{BotApiStub, Fault, TOKEN};

    const CHAT: i64 = 7001;
    /// Tries per call: the test queues this many faults to make one reply fail for good.
    const ATTEMPTS: u32 = 2;

    fn config(stub: &BotApiStub) -> BotConfig {
        let mut config = BotConfig::new(TOKEN);
        config.api_url = Some(stub.api_url());
        config.limits = Limits {
            messages_per_sec_chat: 100,
            messages_per_min_chat: 10_000,
            messages_per_min_channel_or_supergroup: 10_000,
            messages_per_sec_overall: 1000,
        };
        config.retry = RetryPolicy {
            attempts: ATTEMPTS,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        };
        config.poll_timeout = Duration::from_secs(1);
        config
    }

    fn start(
        stub: &BotApiStub,
        store: Store,
    ) -> (oneshot::Sender<()>, JoinHandle<Result<(), TelegramError>>) {
        let (stop, stopped) = oneshot::channel::<()>();
        let clock = std::sync::Arc::new(FixedClock("2026-11-25T02:00:00Z".parse().unwrap()));
        let bot = run_bot(config(stub), store, super::assistant(), clock, async move {
            let _ = stopped.await;
        });
        (stop, tokio::spawn(bot))
    }

    async fn stop(bot: (oneshot::Sender<()>, JoinHandle<Result<(), TelegramError>>)) {
        let _ = bot.0.send(());
        tokio::time::timeout(Duration::from_secs(20), bot.1)
            .await
            .expect("the bot stops")
            .expect("bot task")
            .expect("clean exit");
    }

    #[tokio::test]
    async fn a_reply_whose_send_failed_after_the_commit_arrives_once_after_a_restart() {
        let stub = BotApiStub::start().await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&super::url(dir.path())).await.unwrap();
        for _ in 0..ATTEMPTS {
            stub.fail_next("sendMessage", Fault::Error(500, "Internal Server Error".into()));
        }
        let update = stub.send_text(CHAT, "/start");
        let bot = start(&stub, store.clone());
        stub.wait_until(CHAT, "the send to fail for good", |s| {
            s.calls("sendMessage").len() >= ATTEMPTS as usize
        })
        .await;
        stop(bot).await;
        assert!(stub.texts(CHAT).is_empty(), "nothing arrived: {:?}", stub.texts(CHAT));
        let queued = outbox::pending(&store, "telegram").await.unwrap();
        assert!(!queued.is_empty(), "the committed turn's replies are kept");

        // Telegram redelivers the update as well: it must not run a second time.
        stub.redeliver(update);
        let bot = start(&stub, store.clone());
        stub.wait_for_messages(CHAT, queued.len()).await;
        stub.wait_until(CHAT, "the redelivered update to be confirmed", |s| {
            s.pending_updates() == 0
        })
        .await;
        stop(bot).await;
        let texts = stub.texts(CHAT);
        let expected: Vec<String> = queued.iter().map(|q| q.reply.text.clone()).collect();
        assert_eq!(texts.len(), expected.len(), "each reply once: {texts:#?}");
        for (sent, want) in texts.iter().zip(&expected) {
            assert!(sent.contains(want.lines().next().unwrap_or("")), "{sent:?} vs {want:?}");
        }
        assert!(outbox::pending(&store, "telegram").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn with_consent_the_handoff_question_is_kept_with_the_name_masked() {
    let mut chat = Chat::new().await;
    chat.record_and_report("同意").await;
    chat.send("转人工 我妈刘淑芬有尿毒症").await;
    let handoffs = chat.column("SELECT question FROM handoffs").await;
    assert_eq!(handoffs, [Some("转人工 我妈刘**有尿毒症".into())]);
    assert_eq!(chat.files_containing("刘淑芬"), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn the_consent_explanation_says_what_masking_really_keeps_of_an_id() {
    let mut chat = Chat::new().await;
    contains(&chat.send("记录申请进度").await, "哪一类申请");
    contains(&chat.send("新申请").await, "是否同意保存");
    let why = chat.send("为啥要身份证号").await;
    let kept = mente::privacy::mask_identifiers(ID);
    let head = kept.chars().take_while(|c| *c != '*').count();
    let tail = kept.chars().rev().take_while(|c| *c != '*').count();
    contains(&why, &format!("只留前{head}位和后{tail}位"));
}

/// A NUL character in a message (a broken client, a paste) is no failure on either backend:
/// PostgreSQL text cannot hold one, so what is kept of the question goes without it.
#[tokio::test]
async fn a_nul_character_in_a_message_is_answered_and_kept_text_goes_without_it() {
    let mut chat = Chat::new().await;
    let reply = chat.send("门特的药能不能\u{0}快递到家").await;
    assert!(!reply.contains("系统暂时出了点问题"), "{reply}");
    assert_eq!(
        console::keepable_text("门特的药能不能\u{0}快递到家", None),
        "门特的药能不能快递到家"
    );
    chat.now += chrono::Duration::hours(2);
    sessions::clear_idle_contexts(&chat.store, chat.now).await.unwrap();
}

#[tokio::test]
async fn a_turns_replies_are_queued_in_order_and_those_sent_leave_the_outbox_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    let user = UserKey::new("telegram", "7");
    let now = "2025-09-26T10:00:00+08:00".parse().unwrap();
    let replies: Vec<Reply> = ["一", "二", "三"]
        .iter()
        .map(|text| Reply { text: text.to_string(), choices: Vec::new() })
        .collect();
    let mut conn = store.pool().acquire().await.unwrap();
    let ids = outbox::enqueue(&mut conn, &user, Some(1), &replies, now, None).await.unwrap();
    drop(conn);
    let queued: Vec<outbox::Queued> = ids
        .iter()
        .zip(&replies)
        .map(|(id, reply)| outbox::Queued { id: *id, user: user.clone(), reply: reply.clone() })
        .collect();
    assert_eq!(outbox::pending(&store, "telegram").await.unwrap(), queued, "in reply order");
    // The first two were delivered, the third failed: it alone waits for the next start.
    outbox::mark_all_sent(&store, &ids[..2]).await.unwrap();
    assert_eq!(outbox::pending(&store, "telegram").await.unwrap(), queued[2..]);
}

#[tokio::test]
async fn a_page_load_sees_parked_reminders_staff_replies_and_an_open_handoff_in_one_read() {
    use mente::store::handoff;
    use mente::store::page::{self, PageNews};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&url(dir.path())).await.unwrap();
    let user = UserKey::new("web", "page");
    let now = "2025-09-26T10:00:00+08:00".parse().unwrap();
    let news = || async { page::news(store.reader(), &user).await.unwrap() };
    assert_eq!(news().await, PageNews::default(), "nothing waits");
    outbox::park_reminder(&store, &user, None, "明天去交材料", now).await.unwrap();
    assert_eq!(news().await, PageNews { parked: true, ..PageNews::default() });
    outbox::take_parked(&store, &user).await.unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    let id = handoff::open(&mut conn, &user, Some("邵阳"), true, now).await.unwrap();
    drop(conn);
    let live = PageNews { handoff_open: true, handoff_live: true, ..PageNews::default() };
    assert_eq!(news().await, live);
    handoff::claim(store.pool(), id, "王芳", now).await.unwrap();
    assert!(handoff::reply(store.pool(), id, "王芳", "您好，我来帮您看看", now).await.unwrap());
    let waiting = PageNews { replies: true, ..live };
    assert_eq!(news().await, waiting, "a staff reply waits");
    assert_eq!(handoff::take_for(store.pool(), &user, now).await.unwrap().len(), 1);
    assert_eq!(news().await, live);
    // Another user's reply is not this page's.
    let other = UserKey::new("web", "other");
    assert_eq!(page::news(store.reader(), &other).await.unwrap(), PageNews::default());
    // A question left off duty is open, not live (nobody is talking with the user yet).
    let mut conn = store.pool().acquire().await.unwrap();
    handoff::open(&mut conn, &other, Some("邵阳"), false, now).await.unwrap();
    drop(conn);
    let left = PageNews { handoff_open: true, ..PageNews::default() };
    assert_eq!(page::news(store.reader(), &other).await.unwrap(), left);
}

/// Another process holding SQLite's write lock (a `mente remind` worker, a backup) makes a turn
/// wait for it, not fail, and does not stall the process meanwhile: the turn's `BEGIN
/// IMMEDIATE` is refused at once and tried again on the runtime's timer (`store::writer`).
/// (SQLite only: PostgreSQL has row locks, not one write lock.)
#[tokio::test]
async fn a_turn_waits_for_another_processes_write_lock_and_then_answers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("locked.sqlite");
    let store = Store::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let user = UserKey::new("terminal", "waiting");
    let now = at("2025-09-26T10:00:00+08:00");
    service::preselect_region(&store, &user, "panzhihua", now).await.unwrap();
    let other = rusqlite::Connection::open(&file).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let input = Input::Text("起付线多少".into());
    let request = TurnRequest { user: user.clone(), update_id: None, input, now };
    let (turn_store, assistant) = (store.clone(), assistant());
    let turn = tokio::spawn(async move { service::turn(&turn_store, &assistant, request).await });
    // On this test's one-thread runtime the sleep ends only if the waiting turn leaves the
    // thread free.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!turn.is_finished(), "no turn commits while another process holds the write lock");
    other.execute_batch("COMMIT").unwrap();
    let result = turn.await.unwrap().expect("the turn waited for the lock instead of failing");
    let TurnResult::Replies(replies) = result else { panic!("no update id, no duplicate") };
    let text: String = replies.iter().map(|r| r.text.as_str()).collect();
    assert!(text.contains("800"), "攀枝花's deductible once the lock was free: {text}");
}
