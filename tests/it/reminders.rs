//! The reminder worker: exactly-once delivery with two workers and after a crash, quiet hours,
//! blocked users and rate limits, and a deployment moved by `mente migrate-db`. Each test has its own
//! database (tests/it/db.rs: SQLite, or PostgreSQL under `MENTE_TEST_PG`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::engine::UserKey;
use mente::scheduler::{self, run_once, SendError, Sender, TerminalSender, LEASE};
use mente::store::Store;

fn assistant() -> Assistant {
    Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads")
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

async fn store(dir: &tempfile::TempDir) -> Store {
    Store::connect(&crate::db::test_db_url(dir.path(), "x.sqlite")).await.unwrap()
}

fn user(n: usize) -> UserKey {
    UserKey::new("terminal", format!("u{n}"))
}

/// Records an application for `who` with one reminder per due time.
async fn with_reminders(store: &Store, who: &UserKey, due: &[&str]) {
    let due: Vec<_> = due.iter().map(|t| at(t)).collect();
    let command = crate::sample::approved_renewal(crate::sample::day(2026, 6, 30), &due);
    store.apply_commands(who, &[command], at("2025-10-01T10:00:00+08:00")).await.unwrap();
}

/// A sender that records deliveries, answers per user as told, and yields while "sending" so
/// that concurrent workers interleave.
#[derive(Clone, Default)]
struct Recorder {
    log: Arc<Mutex<Vec<(String, String)>>>,
    answers: Arc<Mutex<BTreeMap<String, SendError>>>,
}

impl Recorder {
    fn answer(&self, who: &UserKey, err: SendError) {
        self.answers.lock().unwrap().insert(who.user.clone(), err);
    }
    fn delivered(&self) -> Vec<String> {
        self.log.lock().unwrap().iter().map(|(u, _)| u.clone()).collect()
    }
}

impl Sender for Recorder {
    fn channel(&self) -> &str {
        "terminal"
    }
    async fn send(&self, to: &UserKey, text: &str) -> Result<(), SendError> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        if let Some(err) = self.answers.lock().unwrap().get(&to.user) {
            return Err(err.clone());
        }
        self.log.lock().unwrap().push((to.user.clone(), text.to_string()));
        Ok(())
    }
}

const DUE: &str = "2025-10-24T09:00:00+08:00";
const MORNING: &str = "2025-10-24T09:30:00+08:00";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_database_send_each_reminder_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = store(&dir).await;
    for n in 0..60 {
        with_reminders(&first, &user(n), &[DUE]).await;
    }
    // A second pool on the same file: as a second process would open it.
    let second = store(&dir).await;
    let assistant = assistant();
    let sender = Recorder::default();
    let now = at(MORNING);
    let (a, b) = tokio::join!(
        run_once(&first, &assistant, &sender, now),
        run_once(&second, &assistant, &sender, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 60, "{a:?} {b:?}");
    let mut delivered = sender.delivered();
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 60, "someone got a reminder twice or not at all");
    // Nothing left, even much later.
    let later = run_once(&second, &assistant, &sender, at("2025-10-24T19:00:00+08:00")).await;
    assert_eq!(later.unwrap().sent, 0);
    assert_eq!(sender.delivered().len(), 60);
}

/// Issue 19: two workers (as two `mente remind` processes, each with its own pool) against
/// 1,000 due reminders: every one is sent exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_send_each_of_a_thousand_due_reminders_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = store(&dir).await;
    for n in 0..1_000 {
        with_reminders(&first, &user(n), &[DUE]).await;
    }
    let second = store(&dir).await;
    let assistant = assistant();
    let sender = Recorder::default();
    let now = at(MORNING);
    let (a, b) = tokio::join!(
        run_once(&first, &assistant, &sender, now),
        run_once(&second, &assistant, &sender, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 1_000, "{a:?} {b:?}");
    assert!(a.sent > 0 && b.sent > 0, "both workers took part: {a:?} {b:?}");
    let mut delivered = sender.delivered();
    assert_eq!(delivered.len(), 1_000, "sends in all");
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 1_000, "someone got a reminder twice or not at all");
}

#[tokio::test]
async fn a_reminder_claimed_by_a_crashed_worker_is_sent_once_after_the_lease_expires() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &[DUE]).await;
    let assistant = assistant();
    let now = at(MORNING);
    // The crashed worker: claimed, then killed before sending (nothing marked).
    let lease = now + chrono::Duration::from_std(LEASE).unwrap();
    let claimed = store.claim_due("terminal", "crashed", now, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let sender = Recorder::default();
    // While the lease lives, a restarted worker leaves it alone …
    let report = run_once(&store, &assistant, &sender, now + chrono::Duration::seconds(60)).await;
    assert_eq!(report.unwrap().sent, 0);
    // … and sends it once the lease has expired.
    let after = lease + chrono::Duration::seconds(1);
    assert_eq!(run_once(&store, &assistant, &sender, after).await.unwrap().sent, 1);
    assert_eq!(run_once(&store, &assistant, &sender, after).await.unwrap().sent, 0);
    assert_eq!(sender.delivered(), vec!["u1".to_string()]);
    // The crashed worker's late mark cannot double-book it.
    assert!(!store.mark_sent(claimed[0].id, "crashed", after).await.unwrap());
}

#[tokio::test]
async fn a_crash_after_sending_but_before_marking_repeats_the_reminder_once() {
    // The documented at-least-once window: the channel got the message, the mark was lost.
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &[DUE]).await;
    let assistant = assistant();
    let now = at(MORNING);
    let lease = now + chrono::Duration::from_std(LEASE).unwrap();
    let claimed = store.claim_due("terminal", "crashed", now, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "the crashed worker had claimed (and sent) it");
    // Before its lease ends nobody else may send it …
    let sender = Recorder::default();
    let during = lease - chrono::Duration::seconds(1);
    assert_eq!(run_once(&store, &assistant, &sender, during).await.unwrap().sent, 0);
    // … afterwards it is repeated exactly once, and then never again.
    let after = lease + chrono::Duration::seconds(1);
    assert_eq!(run_once(&store, &assistant, &sender, after).await.unwrap().sent, 1);
    let later = after + chrono::Duration::minutes(10);
    assert_eq!(run_once(&store, &assistant, &sender, later).await.unwrap().sent, 0);
    assert_eq!(sender.delivered(), vec!["u1".to_string()]);
}

#[tokio::test]
async fn reminders_wait_for_nine_in_the_morning_and_stop_at_eight_in_the_evening() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    // Due in the middle of the night (planned at 02:00 China time).
    with_reminders(&store, &user(1), &["2025-10-24T02:00:00+08:00"]).await;
    let assistant = assistant();
    let sender = TerminalSender::collecting();
    for night in
        ["2025-10-24T02:00:00+08:00", "2025-10-24T08:59:59+08:00", "2025-10-24T20:00:00+08:00"]
    {
        let report = run_once(&store, &assistant, &sender, at(night)).await.unwrap();
        assert!(report.quiet_hours, "{night}");
        assert_eq!(report.sent, 0, "{night}");
    }
    let report = run_once(&store, &assistant, &sender, at("2025-10-25T09:00:00+08:00")).await;
    assert_eq!(report.unwrap().sent, 1);
    let sent = sender.sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.contains("续期"), "{}", sent[0].1);
    assert!(sent[0].1.contains("2026年6月30日"), "{}", sent[0].1);
}

#[tokio::test]
async fn a_user_who_blocked_the_bot_gets_no_more_reminders() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &[DUE, "2025-11-24T09:00:00+08:00"]).await;
    with_reminders(&store, &user(2), &[DUE, "2025-11-24T09:00:00+08:00"]).await;
    let assistant = assistant();
    let sender = Recorder::default();
    sender.answer(&user(1), SendError::Blocked);
    let report = run_once(&store, &assistant, &sender, at(MORNING)).await.unwrap();
    assert_eq!((report.sent, report.blocked), (1, 1));
    assert!(store.is_unreachable(&user(1)).await.unwrap());
    // Even if sending to them would work again, nothing more goes out to user 1.
    let sender = Recorder::default();
    let report = run_once(&store, &assistant, &sender, at("2025-11-24T10:00:00+08:00")).await;
    assert_eq!(report.unwrap().sent, 1);
    assert_eq!(sender.delivered(), vec!["u2".to_string()]);
}

#[tokio::test]
async fn reminders_wait_while_a_user_has_blocked_the_bot_and_go_out_once_they_write_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let blocker = user(1);
    // A reminder due now, and one of the same deadline months ahead.
    with_reminders(&store, &blocker, &[DUE, "2026-05-31T09:00:00+08:00"]).await;
    let assistant = assistant();
    let sender = Recorder::default();
    sender.answer(&blocker, SendError::Blocked);
    let report = run_once(&store, &assistant, &sender, at(MORNING)).await.unwrap();
    assert_eq!(report.blocked, 1);
    let pending = |data: mente::engine::UserData| {
        data.applications[0]
            .reminders
            .iter()
            .filter(|r| r.state == mente::tracking::ReminderState::Pending)
            .count()
    };
    assert_eq!(pending(store.user_data(&blocker).await.unwrap()), 2, "nothing dropped");
    // While blocked: nothing is even tried.
    let sender = Recorder::default();
    let report = run_once(&store, &assistant, &sender, at("2025-11-24T10:00:00+08:00")).await;
    assert_eq!(report.unwrap(), scheduler::RunReport::default());
    // They write again (service::turn marks them reachable): the kept reminder goes out once.
    let mut tx = store.pool().begin().await.unwrap();
    mente::store::tracking::mark_reachable(&mut tx, &blocker).await.unwrap();
    tx.commit().await.unwrap();
    let now = at("2025-11-25T10:00:00+08:00");
    assert_eq!(run_once(&store, &assistant, &sender, now).await.unwrap().sent, 1);
    assert_eq!(run_once(&store, &assistant, &sender, now).await.unwrap().sent, 0);
    assert_eq!(sender.delivered(), vec!["u1".to_string()]);
    // … and so does the one months ahead, when its day comes.
    let later = at("2026-05-31T10:00:00+08:00");
    assert_eq!(run_once(&store, &assistant, &sender, later).await.unwrap().sent, 1);
    assert!(sender.log.lock().unwrap()[1].1.contains("还有30天"), "{:?}", sender.log);
}

#[tokio::test]
async fn a_rate_limited_reminder_is_retried_after_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &[DUE]).await;
    let assistant = assistant();
    let limited = Recorder::default();
    limited.answer(&user(1), SendError::RetryAfter(Duration::from_secs(30)));
    let now = at(MORNING);
    let report = run_once(&store, &assistant, &limited, now).await.unwrap();
    assert_eq!((report.sent, report.deferred), (0, 1));
    let ok = Recorder::default();
    let soon = run_once(&store, &assistant, &ok, now + chrono::Duration::seconds(10)).await;
    assert_eq!(soon.unwrap().sent, 0, "retried before the wait was over");
    let later = run_once(&store, &assistant, &ok, now + chrono::Duration::seconds(31)).await;
    assert_eq!(later.unwrap().sent, 1);
}

#[tokio::test]
async fn a_failing_channel_is_retried_and_eventually_given_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &[DUE]).await;
    let assistant = assistant();
    let broken = Recorder::default();
    broken.answer(&user(1), SendError::Failed("network down".into()));
    let mut now = at(MORNING);
    let mut failed = 0;
    let mut dropped = 0;
    for _ in 0..20 {
        let report = run_once(&store, &assistant, &broken, now).await.unwrap();
        failed += report.failed;
        dropped += report.dropped;
        now += chrono::Duration::minutes(30);
    }
    assert_eq!(failed as i64, scheduler::MAX_ATTEMPTS - 1);
    assert_eq!(dropped, 1);
}

#[tokio::test]
async fn the_loop_stops_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &[DUE]).await;
    let assistant = mente::reload::Live::from(assistant());
    let sender = TerminalSender::collecting();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let clock = mente::clock::FixedClock(at(MORNING));
    let worker = scheduler::run_until_stopped(&store, &assistant, &sender, &clock, shutdown);
    let stopper = async {
        while sender.sent().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.send(true).unwrap();
    };
    tokio::time::timeout(Duration::from_secs(10), async { tokio::join!(worker, stopper) })
        .await
        .expect("the loop stopped");
    assert_eq!(sender.sent().len(), 1);
}

fn mente_remind(db: &str, now: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--content", env!("CARGO_MANIFEST_DIR"), "--db", db])
        .args(["remind", "--once", "--now", now])
        .output()
        .expect("mente runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn mente_remind_once_delivers_each_due_reminder_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "x.sqlite");
    {
        let store = store(&dir).await;
        with_reminders(&store, &user(1), &[DUE]).await;
        store.pool().close().await;
    }
    let night = mente_remind(&db, "2025-10-24T07:00:00+08:00");
    assert!(night.contains("sent 0") && night.contains("quiet hours"), "{night}");
    let first = mente_remind(&db, MORNING);
    assert!(first.contains("[提醒]") && first.contains("续期"), "{first}");
    assert!(first.contains("sent 1"), "{first}");
    let second = mente_remind(&db, MORNING);
    assert!(second.contains("sent 0") && !second.contains("[提醒]"), "{second}");
}

/// Issue 19: the worker loop stops cleanly on SIGTERM (systemd's stop, as in
/// docs/deploy/mente-remind.service), not only on Ctrl-C: it was killed by the signal, possibly
/// between a send and its mark.
#[cfg(unix)]
#[tokio::test]
async fn the_mente_remind_loop_exits_cleanly_on_sigterm_after_sending() {
    use std::io::BufRead;

    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "x.sqlite");
    {
        let store = store(&dir).await;
        with_reminders(&store, &user(1), &[DUE]).await;
        store.pool().close().await;
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--content", env!("CARGO_MANIFEST_DIR"), "--db", &db])
        .args(["remind", "--now", MORNING])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mente remind starts");
    let stdout = child.stdout.take().unwrap();
    let sent = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).find(|l| l.contains("[提醒]"))
    });
    let sent = tokio::time::timeout(Duration::from_secs(30), sent).await.expect("a reminder");
    assert!(sent.unwrap().is_some(), "the due reminder went out");
    crate::web::stop_with_sigterm(child, Duration::from_secs(10)).await;
    let again = mente_remind(&db, MORNING);
    assert!(again.contains("sent 0"), "marked sent before exiting: {again}");
}

#[test]
fn mente_remind_rejects_a_bad_now_with_exit_code_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--content", env!("CARGO_MANIFEST_DIR"), "--db", "sqlite::memory:"])
        .args(["remind", "--once", "--now", "tomorrow morning"])
        .output()
        .expect("mente runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[tokio::test]
async fn after_a_long_outage_only_the_latest_reminder_of_a_deadline_goes_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    // Validity ends 2026-06-30; the 30-day and 7-day reminders are both overdue at restart.
    with_reminders(&store, &user(1), &["2026-05-31T09:00:00+08:00", "2026-06-23T09:00:00+08:00"])
        .await;
    let assistant = assistant();
    let sender = TerminalSender::collecting();
    let report =
        run_once(&store, &assistant, &sender, at("2026-06-25T10:00:00+08:00")).await.unwrap();
    assert_eq!((report.sent, report.dropped), (1, 1));
    assert!(sender.sent()[0].1.contains("还有5天"), "{}", sender.sent()[0].1);
}

#[tokio::test]
async fn a_renewal_reminder_for_a_validity_already_ended_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_reminders(&store, &user(1), &["2026-06-23T09:00:00+08:00"]).await;
    let assistant = assistant();
    let sender = TerminalSender::collecting();
    let report =
        run_once(&store, &assistant, &sender, at("2026-07-02T10:00:00+08:00")).await.unwrap();
    assert_eq!((report.sent, report.dropped), (0, 1));
    assert!(sender.sent().is_empty());
}

#[tokio::test]
async fn a_restarted_mente_remind_sends_what_a_killed_worker_had_claimed() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "x.sqlite");
    {
        let store = store(&dir).await;
        with_reminders(&store, &user(1), &[DUE]).await;
        // The killed worker's claim, left in the database file.
        let lease = at(MORNING) + chrono::Duration::from_std(LEASE).unwrap();
        assert_eq!(
            store.claim_due("terminal", "killed", at(MORNING), lease, 10).await.unwrap().len(),
            1
        );
        store.pool().close().await;
    }
    assert!(mente_remind(&db, "2025-10-24T09:31:00+08:00").contains("sent 0"));
    let out = mente_remind(&db, "2025-10-24T09:36:00+08:00");
    assert!(out.contains("sent 1") && out.contains("[提醒]"), "{out}");
    assert!(mente_remind(&db, "2025-10-24T09:50:00+08:00").contains("sent 0"));
}

/// `mente remind --once` with stdout at `to` (a closed socket or /dev/full).
#[cfg(unix)]
fn mente_remind_into(db: &str, to: std::process::Stdio) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--content", env!("CARGO_MANIFEST_DIR"), "--db", db])
        .args(["remind", "--once", "--now", MORNING])
        // The failed delivery's warning is expected; only errors count here.
        .env("RUST_LOG", "error")
        .stdout(to)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("mente runs")
}

/// Issue 11: `mente remind | head -0` and a full disk used to panic in `println!` (exit 101).
/// A closed stdout ends quietly like ripgrep; a full one is an error; and a reminder that could
/// not be printed is not marked sent.
#[cfg(unix)]
#[tokio::test]
async fn mente_remind_survives_a_closed_or_full_stdout_and_delivers_later() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "x.sqlite");
    {
        let store = store(&dir).await;
        with_reminders(&store, &user(1), &[DUE]).await;
        store.pool().close().await;
    }
    // The reader of this socket is gone before mente starts: every write is EPIPE.
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    drop(ours);
    let closed = mente_remind_into(&db, std::os::fd::OwnedFd::from(theirs).into());
    let stderr = String::from_utf8_lossy(&closed.stderr);
    assert_eq!(closed.status.code(), Some(0), "broken pipe ends quietly: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = mente_remind_into(&db, full.into());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("mente: ") && !stderr.contains("panicked"), "{stderr}");

    // Failed deliveries are retried after a back-off of a few poll intervals.
    let later = mente_remind(&db, "2025-10-24T10:30:00+08:00");
    assert!(later.contains("[提醒]") && later.contains("sent 1"), "{later}");
}

/// Issue 19: `mente migrate-db` moves an SQLite deployment with reminders (one already sent,
/// some waiting) into the test database (PostgreSQL under `MENTE_TEST_PG`), counts match, a
/// second copy into the now full target is refused, and on the target the worker sends each
/// waiting reminder once while new applications get new ids.
#[tokio::test]
async fn migrate_db_moves_reminders_and_the_worker_sends_each_once_on_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let old = format!("sqlite://{}/old.sqlite", dir.path().display());
    let source = Store::connect(&old).await.unwrap();
    let (assistant, sender) = (assistant(), Recorder::default());
    with_reminders(&source, &user(0), &["2025-10-10T09:00:00+08:00", DUE]).await;
    let sent = run_once(&source, &assistant, &sender, at("2025-10-10T10:00:00+08:00")).await;
    assert_eq!(sent.unwrap().sent, 1, "the first reminder went out before the move");
    for n in 1..4 {
        with_reminders(&source, &user(n), &[DUE]).await;
    }
    let asker_key = "SELECT secret FROM server_keys WHERE name = 'unanswered_asker'";
    let key: Vec<u8> = sqlx::query_scalar(asker_key).fetch_one(source.pool()).await.unwrap();
    source.pool().close().await;

    let new = crate::db::test_db_url(dir.path(), "new.sqlite");
    let migrate = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
            .args(["migrate-db", "--from", &old, "--to", &new])
            .output()
            .expect("mente migrate-db runs")
    };
    let out = migrate();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let line =
        |table: &str| stdout.lines().find(|l| l.starts_with(table)).unwrap_or("").to_string();
    let reminders: Vec<String> = line("reminders ").split_whitespace().map(String::from).collect();
    assert_eq!(reminders, ["reminders", "5", "5"], "{stdout}");
    assert!(line("applications ").ends_with(" 4          4"), "{stdout}");
    assert!(stdout.contains("every count matches"), "{stdout}");
    let again = migrate();
    assert_eq!(again.status.code(), Some(2), "a full target is refused");
    let refused = String::from_utf8_lossy(&again.stderr);
    assert!(refused.contains("--overwrite") && refused.contains("reminders: 5 rows"), "{refused}");

    let target = Store::connect(&new).await.unwrap();
    let copied: Vec<u8> = sqlx::query_scalar(asker_key).fetch_one(target.pool()).await.unwrap();
    assert_eq!(copied, key, "the asker key moves with the questions it links");
    with_reminders(&target, &user(9), &["2026-01-10T09:00:00+08:00"]).await;
    let report = run_once(&target, &assistant, &sender, at(MORNING)).await.unwrap();
    assert_eq!(report.sent, 4, "the four waiting reminders go out");
    assert_eq!(run_once(&target, &assistant, &sender, at(MORNING)).await.unwrap().sent, 0);
    let mut delivered = sender.delivered();
    delivered.sort();
    assert_eq!(delivered, ["u0", "u0", "u1", "u2", "u3"], "each reminder once in all");
}

/// Keeps a reminder of `who`'s own task (`复查`) due at `due`, as a turn does after consent.
async fn with_task(store: &Store, who: &UserKey, task: &str, due: &str) {
    use mente::tracking::ReminderCommand;
    let command = ReminderCommand::AddTask { task: task.to_string(), due_at: at(due) };
    let mut tx = store.pool().begin().await.unwrap();
    mente::store::tracking::apply_reminders(&mut tx, who, &command, at(due)).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_reminder_of_the_users_own_task_goes_out_once_on_its_morning_saying_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    with_task(&store, &user(1), "复查", "2026-12-20T09:00:00+08:00").await;
    let assistant = assistant();
    let sender = TerminalSender::collecting();
    // Not before: the night before, the same morning before nine, the day before at noon.
    for early in
        ["2026-12-19T12:00:00+08:00", "2026-12-20T02:00:00+08:00", "2026-12-20T08:59:59+08:00"]
    {
        let report = run_once(&store, &assistant, &sender, at(early)).await.unwrap();
        assert_eq!(report.sent, 0, "{early}");
    }
    let report = run_once(&store, &assistant, &sender, at("2026-12-20T09:00:00+08:00")).await;
    assert_eq!(report.unwrap().sent, 1);
    // Not twice: later that day and the day after.
    for later in ["2026-12-20T09:05:00+08:00", "2026-12-21T10:00:00+08:00"] {
        let report = run_once(&store, &assistant, &sender, at(later)).await.unwrap();
        assert_eq!(report.sent, 0, "{later}");
    }
    let sent = sender.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, user(1));
    assert!(sent[0].1.contains("复查") && sent[0].1.contains("只发这一次"), "{}", sent[0].1);
    let data = store.user_data(&user(1)).await.unwrap();
    assert_eq!(data.tasks.len(), 1);
    assert_eq!(data.tasks[0].state, mente::tracking::ReminderState::Sent);
}

#[tokio::test]
async fn two_task_reminders_due_together_both_go_out_and_forget_erases_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    // Two tasks of one user on one morning: two things to do, neither supersedes the other.
    with_task(&store, &user(1), "复查", "2026-12-20T09:00:00+08:00").await;
    with_task(&store, &user(1), "拿药", "2026-12-20T09:00:00+08:00").await;
    with_task(&store, &user(2), "交材料", "2026-12-31T09:00:00+08:00").await;
    let assistant = assistant();
    let sender = TerminalSender::collecting();
    let report = run_once(&store, &assistant, &sender, at("2026-12-20T10:00:00+08:00")).await;
    assert_eq!(report.unwrap().sent, 2);
    // /forget: nothing of user 2's task is left, and nothing goes out on its day.
    let mut tx = store.pool().begin().await.unwrap();
    mente::store::tracking::forget_user(&mut tx, &user(2)).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.user_data(&user(2)).await.unwrap().tasks.is_empty());
    let report = run_once(&store, &assistant, &sender, at("2026-12-31T10:00:00+08:00")).await;
    assert_eq!(report.unwrap().sent, 0);
}
