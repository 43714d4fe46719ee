//! Replaying conversations through the real turn path, shared by the message dev set
//! (`devset.rs`) and the conversation stories (`stories.rs`): a [`Conversation`] on a fresh SQLite
//! file, the [`judge`] of one turn's replies against what must and must not appear, and the
//! per-class [`Score`] with its pass floors.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::engine::{Choice, Input, Reply, UserKey};
use mente::service::{self, TurnRequest, TurnResult};
use mente::store::{sessions, Store};
use mente::terminal::{format_replies, resolve_input};

/// One phone screen: the longest factual message a user should get.
pub const SCREEN_CHARS: usize = 300;
/// At most two messages per turn (Telegram sends about one message per second per chat).
pub const MAX_MESSAGES: usize = 2;

/// Pass floors of a tuned set: overall and per class.
pub const OVERALL_FLOOR: f64 = 0.90;
pub const CLASS_FLOOR: f64 = 0.80;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's content, loaded once per scored file.
pub fn assistant() -> Arc<Assistant> {
    Arc::new(Assistant::load(&root()).expect("content loads"))
}

/// What one turn must show: `all` (each; `a|b` = either spelling), `any` (at least one; `a|b` too), `none`
/// (none of them), and the limits of one phone screen.
pub struct Checks<'a> {
    pub all: &'a [String],
    pub any: &'a [String],
    pub none: &'a [String],
    pub max_chars: Option<usize>,
    pub max_messages: Option<usize>,
}

impl Checks<'_> {
    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.any.is_empty() && self.none.is_empty()
    }
}

/// One user's conversation on its own database file, at a fixed clock.
pub struct Conversation {
    _dir: tempfile::TempDir,
    pub store: Store,
    assistant: Arc<Assistant>,
    pub user: UserKey,
    pub now: DateTime<Utc>,
    /// The buttons of the last replies, in the order the terminal numbers them.
    offered: Vec<Choice>,
}

impl Conversation {
    pub async fn new(assistant: Arc<Assistant>, id: &str, now: &str) -> Conversation {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::db::test_db_url(dir.path(), "d.sqlite");
        let store = Store::connect(&url).await.expect("database");
        let now = now.parse().unwrap_or_else(|e| panic!("{id}: clock {now:?}: {e}"));
        Conversation {
            _dir: dir,
            store,
            assistant,
            user: UserKey::new("telegram", id),
            now,
            offered: Vec::new(),
        }
    }

    /// Preselects a region silently (as `mente chat --region`).
    pub async fn preselect(&self, region: &str) {
        service::preselect_region(&self.store, &self.user, region, self.now).await.unwrap();
    }

    /// Records consent to store personal data, as if the user had said yes before.
    pub async fn consent(&self) {
        let mut tx = self.store.begin().await.unwrap();
        let mut session = sessions::load(&mut tx, &self.user).await.unwrap();
        session.consent = Some(true);
        sessions::save(&mut tx, &self.user, &session, self.now).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// `line` as a tap when it is the label or number of a button just offered, else typed.
    pub fn tap(&self, line: &str) -> Input {
        resolve_input(line, &self.offered)
    }

    pub async fn send(&mut self, input: Input) -> Vec<Reply> {
        let request =
            TurnRequest { user: self.user.clone(), update_id: None, input, now: self.now };
        let TurnResult::Replies(replies) =
            service::turn(&self.store, &self.assistant, request).await.expect("turn")
        else {
            panic!("no update id, so never a duplicate")
        };
        let (_, offered) = format_replies(&replies);
        if !replies.is_empty() {
            self.offered = offered;
        }
        replies
    }
}

/// What the user sees of `replies`: texts and numbered button labels.
pub fn seen(replies: &[Reply]) -> String {
    format_replies(replies).0
}

/// Why one turn fails its checks; empty when it passes.
pub fn judge(checks: &Checks, replies: &[Reply], seen: &str) -> Vec<String> {
    let mut problems = Vec::new();
    // "a|b": either spelling is the same fact (10月22日 | 10-22), in `all` and `any` alike.
    let says = |want: &str| want.split('|').any(|alt| seen.contains(alt));
    for want in checks.all {
        if !says(want) {
            problems.push(format!("missing {want:?}"));
        }
    }
    if !checks.any.is_empty() && !checks.any.iter().any(|w| says(w)) {
        problems.push(format!("none of {:?}", checks.any));
    }
    for bad in checks.none {
        if seen.contains(bad.as_str()) {
            problems.push(format!("must not say {bad:?}"));
        }
    }
    let max_messages = checks.max_messages.unwrap_or(MAX_MESSAGES);
    if replies.len() > max_messages {
        problems.push(format!("{} messages > {max_messages}", replies.len()));
    }
    let max_chars = checks.max_chars.unwrap_or(SCREEN_CHARS);
    for (i, reply) in replies.iter().enumerate() {
        let chars = reply.text.trim().chars().count();
        if chars > max_chars {
            problems.push(format!("message {} has {chars} chars > {max_chars}", i + 1));
        }
    }
    if replies.is_empty() {
        problems.push("no reply".into());
    }
    problems
}

/// class → (passed, total), plus the failure reports.
#[derive(Default)]
pub struct Score {
    pub per_class: BTreeMap<String, (usize, usize)>,
    pub failures: Vec<String>,
}

impl Score {
    /// Counts one case of `class`; `failure` is its report when it failed.
    pub fn add(&mut self, class: &str, failure: Option<String>) {
        let entry = self.per_class.entry(class.to_string()).or_default();
        entry.1 += 1;
        match failure {
            None => entry.0 += 1,
            Some(report) => self.failures.push(report),
        }
    }

    pub fn overall(&self) -> (usize, usize) {
        self.per_class.values().fold((0, 0), |(p, t), (cp, ct)| (p + cp, t + ct))
    }

    pub fn print(&self, title: &str) {
        println!("== {title}");
        for (class, (p, t)) in &self.per_class {
            println!("{class:<18} {p:>3}/{t:<3} {:5.1}%", pct(*p, *t));
        }
        let (p, t) = self.overall();
        println!("{:<18} {p:>3}/{t:<3} {:5.1}%", "overall", pct(p, t));
        for failure in &self.failures {
            println!("{failure}");
        }
    }

    /// Fails the test below [`OVERALL_FLOOR`] overall or [`CLASS_FLOOR`] in any class.
    pub fn assert_floors(&self, what: &str) {
        let (p, t) = self.overall();
        let weak: Vec<String> = self
            .per_class
            .iter()
            .filter(|(_, (cp, ct))| pct(*cp, *ct) < 100.0 * CLASS_FLOOR)
            .map(|(c, (cp, ct))| format!("{c} {cp}/{ct}"))
            .collect();
        assert!(pct(p, t) >= 100.0 * OVERALL_FLOOR, "{what}: overall {p}/{t} below 90%");
        assert!(weak.is_empty(), "{what}: classes below 80%: {weak:?}");
    }
}

pub fn pct(passed: usize, total: usize) -> f64 {
    100.0 * passed as f64 / total.max(1) as f64
}

pub fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  | {l}\n")).collect()
}

/// `a|b` is either spelling in `any:` as in `all:`: the blind set writes its alternatives so.
#[test]
fn either_spelling_counts_in_any_as_in_all() {
    let any = vec!["未公布|湘医保".to_string(), "12393".to_string()];
    let checks = Checks { all: &[], any: &any, none: &[], max_chars: None, max_messages: None };
    let lacks_any = |seen: &str| judge(&checks, &[], seen).iter().any(|p| p.starts_with("none of"));
    assert!(!lacks_any("可以在湘医保里关注"));
    assert!(lacks_any("没有答案"), "still needs one of them");
}
