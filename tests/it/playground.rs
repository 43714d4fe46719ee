//! The hand-typed fakes of `examples/` (`fake_telegram`, `fake_wechat`) against a real
//! `mente serve` / `mente web` process, as a play-tester runs them: typed lines in, printed
//! lines out. Through the whole way a hand-off takes — a question left for staff, a staff
//! answer relayed by the bot or the customer-service API — so the tools do not rot while the
//! channels change.

#[path = "../../examples/fake_telegram/play.rs"]
mod telegram_play;
#[path = "../../examples/fake_wechat/play.rs"]
mod wechat_play;

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use mente::store::Store;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// What a tool printed, read as a person reads the terminal.
struct Printed {
    rx: UnboundedReceiver<String>,
    all: String,
}

/// Staff answer the newest hand-off on the database `db`; what the tool printed until the
/// answer reached its user.
async fn staff_answer(db: &str, printed: &mut Printed) -> String {
    const ANSWER: &str = "您好，请把受理回执上的编号发给我。";
    let store = Store::connect(db).await.unwrap();
    crate::handoff::answer_the_newest(&store, ANSWER, chrono::Utc::now()).await;
    printed.until(&format!("【人工回复】{ANSWER}")).await
}

impl Printed {
    /// Everything printed from now until a line containing `needle` (60 s at most, for a
    /// debug build starting on a busy machine); panics with the whole printout otherwise.
    async fn until(&mut self, needle: &str) -> String {
        let mut new = String::new();
        let wait = async {
            while let Some(text) = self.rx.recv().await {
                new.push_str(&text);
                new.push('\n');
                if text.contains(needle) {
                    return true;
                }
            }
            false
        };
        let found = tokio::time::timeout(Duration::from_secs(60), wait).await.unwrap_or(false);
        self.all.push_str(&new);
        assert!(found, "never printed {needle:?}; printed so far:\n{}", self.all);
        new
    }
}

/// The number a printout gives the choice `label`: `[2] 标签` on Telegram, a line `2. 标签` on
/// WeChat (not the label's mentions in the text).
fn number_of(printed: &str, label: &str) -> String {
    printed
        .match_indices(label)
        .find_map(|(at, _)| {
            let before = printed[..at].strip_suffix("] ").or(printed[..at].strip_suffix(". "))?;
            let digits: String = before.chars().rev().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then(|| digits.chars().rev().collect())
        })
        .unwrap_or_else(|| panic!("no numbered choice {label:?} in:\n{printed}"))
}

/// A `mente` process, ended with the test.
struct Mente {
    child: Child,
}

impl Drop for Mente {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `mente ARGS` on the source tree's content and the database `db`, with `env`; returns
/// it and the address it says it listens on, if `listens`.
fn spawn_mente(args: &[&str], db: &str, env: &[(&str, String)], listens: bool) -> (Mente, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mente"));
    command
        .args(["--content", env!("CARGO_MANIFEST_DIR")])
        .args(args)
        .env("MENTE_DB", db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start mente");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std_mpsc::channel();
    // Reads the log until the process ends, so it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split("listening on ").nth(1) {
                let _ = tx.send(addr.trim().to_string());
            }
        }
    });
    let addr = if listens {
        rx.recv_timeout(Duration::from_secs(60)).expect("mente says where it listens")
    } else {
        String::new()
    };
    (Mente { child }, addr)
}

fn db_in(dir: &Path) -> String {
    crate::db::test_db_url(dir, "playground.sqlite")
}

#[tokio::test]
async fn a_user_typing_into_the_fake_telegram_gets_the_bot_and_a_staff_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let (tx, rx) = unbounded_channel();
    let mut printed = Printed { rx, all: String::new() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut play = telegram_play::Play::start(listener, "小王", tx).await;
    let env = [
        ("TELEGRAM_API_URL", play.api_url().to_string()),
        ("TELOXIDE_TOKEN", crate::botapi_stub::TOKEN.to_string()),
    ];
    let (_mente, _) = spawn_mente(&["serve"], &db, &env, false);

    play.line("/start");
    printed.until("── 机器人 → 小王").await;
    let regions = printed.until("[1] ").await;
    // A bare number taps that button of the last message.
    play.line(&number_of(&regions, "攀枝花"));
    printed.until("（小王 点了 [1] 攀枝花）").await;
    printed.until("按钮已收起").await;

    // Nobody is at the console, so a question can be left for staff.
    play.line("人工");
    let offer = printed.until("留言给工作人员").await;
    play.line(&format!("/tap {}", number_of(&offer, "留言给工作人员")));
    printed.until("点了").await;
    play.line("我的申请交上去一个月了，还没有消息");
    printed.until("已收到您的留言").await;
    staff_answer(&db, &mut printed).await;

    // Another user, with a chat of their own.
    play.line("/as 老张");
    play.line("/start");
    printed.until("── 机器人 → 老张").await;
    assert_eq!(play.line("/quit"), telegram_play::Next::Quit);
}

#[tokio::test]
async fn a_user_typing_into_the_fake_wechat_gets_passive_replies_and_a_staff_answer_by_api() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let api = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let env = [
        ("WECHAT_TOKEN", crate::wechat_fake::TOKEN.to_string()),
        ("WECHAT_APPID", crate::wechat_fake::APPID.to_string()),
        ("WECHAT_APPSECRET", crate::wechat_fake::APPSECRET.to_string()),
        ("WECHAT_API_URL", format!("http://{}/", api.local_addr().unwrap())),
    ];
    let (_mente, addr) = spawn_mente(&["web", "--listen", "127.0.0.1:0"], &db, &env, true);
    let (tx, rx) = unbounded_channel();
    let mut printed = Printed { rx, all: String::new() };
    let mut play =
        wechat_play::Play::start(format!("http://{addr}/wechat"), false, api, "老李", tx);
    assert_eq!(play.api_url(), env[3].1, "the API URL the tool tells mente to use");

    play.line("/subscribe").await;
    let regions = printed.until("── 公众号 → 老李（被动回复）──").await;
    play.line(&number_of(&regions, "攀枝花")).await;
    printed.until("被动回复").await;

    play.line("人工").await;
    let offer = printed.until("留言给工作人员").await;
    play.line(&format!("/tap {}", number_of(&offer, "留言给工作人员"))).await;
    play.line("我的申请交上去一个月了，还没有消息").await;
    printed.until("已收到您的留言").await;
    let by_api = staff_answer(&db, &mut printed).await;
    assert!(by_api.contains("── 公众号 → 老李（客服消息）──"), "{by_api}");
    assert_eq!(play.line("/quit").await, wechat_play::Next::Quit);
}
