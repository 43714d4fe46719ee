//! Tracking in conversation: recording an application, 我的申请, status reports in free text,
//! buttons, /reminders — and a transcript from recording to the overdue-review reminder, with
//! `now` driven by the test and every effect applied to a real SQLite file.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use mente::assistant::Assistant;
use mente::engine::track::{on_button, run_action, status_report, TrackContext, TrackOutput};
use mente::engine::{Effect, UserData, UserKey};
use mente::scheduler::{run_once, TerminalSender};
use mente::store::{tracking as st, Store};
use mente::tracking::{ApplicationCommand, Event, Status};

fn assistant() -> Assistant {
    Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads")
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

fn slots(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The slots the track_record dialog collects for a 邵阳 new application accepted on 2025-09-26
/// (the only kind with a review time limit).
fn recorded_slots() -> BTreeMap<String, String> {
    slots(&[
        ("kind", "new"),
        ("region", "panzhihua"),
        ("disease", "糖尿病"),
        ("insurance", "resident"),
        ("accepted_on", "2025-09-26"),
        ("acceptance_no", "XYB2025092600123"),
    ])
}

struct Chat {
    assistant: Assistant,
    store: Store,
    user: UserKey,
    _dir: tempfile::TempDir,
}

impl Chat {
    async fn new() -> Chat {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&crate::db::test_db_url(dir.path(), "x.sqlite")).await.unwrap();
        Chat { assistant: assistant(), store, user: UserKey::new("terminal", "t1"), _dir: dir }
    }

    async fn data(&self) -> UserData {
        self.store.user_data(&self.user).await.unwrap()
    }

    /// What the engine does with a tracking output: apply its effects in one transaction.
    async fn apply(&self, out: &TrackOutput, now: DateTime<Utc>) {
        let mut tx = self.store.pool().begin().await.unwrap();
        for effect in &out.effects {
            match effect {
                Effect::Application(c) => st::apply_application(&mut tx, &self.user, c, now).await,
                Effect::Reminders(c) => st::apply_reminders(&mut tx, &self.user, c, now).await,
                other => panic!("unexpected effect {other:?}"),
            }
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    async fn action(&self, name: &str, slots: &BTreeMap<String, String>, now: &str) -> TrackOutput {
        let data = self.data().await;
        let ctx = ctx(&self.assistant, slots, &data, Some(true), at(now));
        let out = run_action(name, &ctx).expect("tracking owns the action");
        self.apply(&out, at(now)).await;
        out
    }

    async fn say(&self, text: &str, now: &str) -> Option<TrackOutput> {
        let data = self.data().await;
        let empty = BTreeMap::new();
        let out = status_report(text, &ctx(&self.assistant, &empty, &data, Some(true), at(now)))?;
        self.apply(&out, at(now)).await;
        Some(out)
    }

    async fn press(&self, payload: &str, now: &str) -> Option<TrackOutput> {
        let data = self.data().await;
        let empty = BTreeMap::new();
        let out = on_button(payload, &ctx(&self.assistant, &empty, &data, Some(true), at(now)))?;
        self.apply(&out, at(now)).await;
        Some(out)
    }
}

fn ctx<'a>(
    assistant: &'a Assistant,
    slots: &'a BTreeMap<String, String>,
    user: &'a UserData,
    consent: Option<bool>,
    now: DateTime<Utc>,
) -> TrackContext<'a> {
    TrackContext {
        content: &assistant.content,
        region: Some("shaoyang"),
        slots,
        user,
        consent,
        now,
    }
}

fn payload(out: &TrackOutput, label_part: &str) -> String {
    out.choices
        .iter()
        .find(|c| c.label.contains(label_part))
        .unwrap_or_else(|| panic!("no button {label_part:?} in {:?}", out.choices))
        .payload
        .clone()
}

#[tokio::test]
async fn transcript_from_recording_to_the_overdue_reminder_and_renewal() {
    let chat = Chat::new().await;
    // Day of acceptance: recorded from the dialog's slots.
    let out =
        chat.action("record_application", &recorded_slots(), "2025-09-26T18:00:00+08:00").await;
    assert!(out.text.contains("审核期限：2025年10月23日"), "{}", out.text);
    assert!(out.text.contains("还剩27天"), "{}", out.text);
    assert_eq!(out.set.get("application_id").map(String::as_str), Some("1"));

    // 我的申请 a week before the deadline.
    let out = chat.action("show_applications", &BTreeMap::new(), "2025-10-16T12:00:00+08:00").await;
    assert!(out.text.contains("新申请 · 攀枝花 · 糖尿病"), "{}", out.text);
    assert!(out.text.contains("受理号 XYB2025092600123"), "{}", out.text);
    assert!(out.text.contains("还剩7天"), "{}", out.text);
    assert!(!out.text.contains("估算"), "{}", out.text);

    // The deadline passes without news: the nudge goes out the next working day, 09:00, once.
    let sender = TerminalSender::collecting();
    let a = &chat.assistant;
    let report = run_once(&chat.store, a, &sender, at("2025-10-23T19:00:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 0, "not before the deadline has passed");
    let report = run_once(&chat.store, a, &sender, at("2025-10-24T08:00:00+08:00")).await.unwrap();
    assert!(report.quiet_hours);
    let report = run_once(&chat.store, a, &sender, at("2025-10-24T09:01:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 1);
    let report = run_once(&chat.store, a, &sender, at("2025-10-24T15:00:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 0, "sent exactly once");
    let (to, text) = &sender.sent()[0];
    assert_eq!(to, &chat.user);
    assert!(text.contains("审核期限是2025年10月23日"), "{text}");
    assert!(text.contains("办理进度"), "{text}");

    // 我的申请 now says it is overdue and what to do.
    let out = chat.action("show_applications", &BTreeMap::new(), "2025-10-27T10:00:00+08:00").await;
    assert!(out.text.contains("已超期4天"), "{}", out.text);
    assert!(out.text.contains("办理进度") && out.text.contains("0812-3323000"), "{}", out.text);

    // Approved, with the end of validity in free text: renewal reminders replace the nudge.
    let out = chat.say("审核通过了, 有效期到2026年10月31日", "2025-10-28T10:00:00+08:00").await;
    let out = out.expect("a status report");
    assert!(out.text.contains("已通过") && out.text.contains("2026年10月31日"), "{}", out.text);
    let data = chat.data().await;
    let app = &data.applications[0];
    assert_eq!(app.status(), Status::Approved);
    assert_eq!(app.valid_until(), NaiveDate::from_ymd_opt(2026, 10, 31));
    let out = chat.action("show_reminders", &BTreeMap::new(), "2025-10-28T10:01:00+08:00").await;
    assert!(
        out.text.contains("2026年10月1日") && out.text.contains("2026年10月24日"),
        "{}",
        out.text
    );
    assert_eq!(out.set.get("reminders").map(String::as_str), Some("2"));

    // Switch the 30-day one off; only the 7-day one goes out.
    let first = payload(&out, "取消第1条");
    assert!(chat.press(&first, "2025-10-28T10:02:00+08:00").await.is_some());
    let report = run_once(&chat.store, a, &sender, at("2026-10-01T10:00:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 0, "switched off");
    let report = run_once(&chat.store, a, &sender, at("2026-10-24T10:00:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 1);
    assert!(
        sender.sent()[1].1.contains("有效期到2026年10月31日（还有7天）"),
        "{:?}",
        sender.sent()
    );
}

#[tokio::test]
async fn without_consent_nothing_personal_is_stored_and_the_user_is_told() {
    let chat = Chat::new().await;
    let mut slots = recorded_slots();
    slots.insert("for_whom".into(), "other".into());
    slots.insert("relation".into(), "母亲".into());
    slots.insert("person_name".into(), "王秀英".into());
    slots.insert("id_masked".into(), "4305**********1234".into());
    let data = chat.data().await;
    let ctx = ctx(&chat.assistant, &slots, &data, Some(false), at("2025-09-26T10:00:00+08:00"));
    let out = run_action("record_application", &ctx).unwrap();
    assert!(out.text.contains("没有保存"), "{}", out.text);
    chat.apply(&out, at("2025-09-26T10:00:00+08:00")).await;
    let stored = &chat.data().await.applications[0];
    assert_eq!(stored.details.disease, None);
    assert_eq!(stored.details.id_masked, None);
    let json = serde_json::to_string(stored).unwrap();
    assert!(!json.contains("王秀英") && !json.contains("糖尿病"), "{json}");
    assert!(json.contains("母亲"), "the relation is not personal: {json}");
}

#[tokio::test]
async fn free_text_reports_update_the_latest_application() {
    let chat = Chat::new().await;
    let mut draft = recorded_slots();
    draft.remove("accepted_on");
    draft.remove("acceptance_no");
    chat.action("record_application", &draft, "2025-09-20T10:00:00+08:00").await;
    assert_eq!(chat.data().await.applications[0].status(), Status::Draft);

    let out = chat.say("受理号是 SY-2025-0042", "2025-09-26T10:00:00+08:00").await.unwrap();
    assert!(out.text.contains("SY-2025-0042"), "{}", out.text);
    let out = chat.say("9月26日受理的", "2025-09-26T11:00:00+08:00").await.unwrap();
    assert!(out.text.contains("2025年10月23日"), "{}", out.text);
    let app = chat.data().await.applications[0].clone();
    assert_eq!(app.acceptance_no(), Some("SY-2025-0042"), "the number survives the date report");

    let out = chat.say("让我补材料", "2025-10-10T10:00:00+08:00").await.unwrap();
    assert!(out.text.contains("哪天前要交"), "asks for the deadline: {}", out.text);
    let out = chat.say("补充诊断证明，10月20日前", "2025-10-10T10:05:00+08:00").await.unwrap();
    assert!(out.text.contains("诊断证明") && out.text.contains("2025年10月20日"), "{}", out.text);
    let app = chat.data().await.applications[0].clone();
    assert_eq!(
        app.current(),
        &Event::NeedsSupplement {
            what: Some("诊断证明".into()),
            by: NaiveDate::from_ymd_opt(2025, 10, 20)
        }
    );
    assert!(!app.reminders.is_empty(), "a reminder before the supplement deadline");

    let out = chat.say("被驳回了，原因是缺少检查报告", "2025-10-22T10:00:00+08:00").await.unwrap();
    assert!(out.text.contains("缺少检查报告"), "{}", out.text);
    assert_eq!(chat.data().await.applications[0].status(), Status::Rejected);
    assert!(chat.data().await.applications[0]
        .reminders
        .iter()
        .all(|r| r.state != mente::tracking::ReminderState::Pending));
}

#[tokio::test]
async fn questions_and_chatter_are_not_status_reports() {
    let chat = Chat::new().await;
    chat.action("record_application", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    for text in ["审核通过后多久能用？", "被驳回了怎么办", "今天天气不错", "有效期是多久"]
    {
        assert!(chat.say(text, "2025-09-27T10:00:00+08:00").await.is_none(), "{text}");
    }
}

#[tokio::test]
async fn impossible_changes_and_stale_buttons_change_nothing() {
    let chat = Chat::new().await;
    chat.action("record_application", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    chat.say("审核通过了，有效期到2026年9月30日", "2025-10-01T10:00:00+08:00").await.unwrap();
    let out = chat.say("被驳回了", "2025-10-02T10:00:00+08:00").await.unwrap();
    assert!(out.effects.is_empty(), "{out:?}");
    assert!(out.text.contains("不能直接改成"), "{}", out.text);
    let out = chat.say("有效期到2026年2月30日", "2025-10-02T10:00:00+08:00").await.unwrap();
    assert!(out.effects.is_empty() && out.text.contains("没有30日"), "{}", out.text);
    assert!(chat.press("t:ok:999", "2025-10-02T10:00:00+08:00").await.is_none());
    assert!(chat.press("r:off:999", "2025-10-02T10:00:00+08:00").await.is_none());
    assert!(chat.press("garbage", "2025-10-02T10:00:00+08:00").await.is_none());
}

#[tokio::test]
async fn buttons_in_my_applications_report_status_and_delete_after_confirmation() {
    let chat = Chat::new().await;
    chat.action("record_application", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    let out = chat.action("show_applications", &BTreeMap::new(), "2025-09-27T10:00:00+08:00").await;
    assert!(out.choices.iter().all(|c| c.payload.len() <= 40 && c.label.len() <= 64));
    let sup = payload(&out, "要补材料");
    let out = chat.press(&sup, "2025-09-28T10:00:00+08:00").await.unwrap();
    assert!(out.text.contains("需要补材料"), "{}", out.text);
    assert_eq!(chat.data().await.applications[0].status(), Status::NeedsSupplement);

    let out = chat.action("show_applications", &BTreeMap::new(), "2025-09-28T10:01:00+08:00").await;
    let del = payload(&out, "删除");
    let confirm = chat.press(&del, "2025-09-28T10:02:00+08:00").await.unwrap();
    assert!(confirm.effects.is_empty(), "asks first");
    assert_eq!(chat.data().await.applications.len(), 1);
    chat.press(&payload(&confirm, "确定删除"), "2025-09-28T10:03:00+08:00").await.unwrap();
    assert!(chat.data().await.applications.is_empty());
}

#[tokio::test]
async fn deadlines_past_the_calendar_are_shown_as_estimates() {
    let chat = Chat::new().await;
    let mut slots = recorded_slots();
    slots.insert("accepted_on".into(), "2026-12-20".into());
    let out = chat.action("record_application", &slots, "2026-12-20T10:00:00+08:00").await;
    assert!(out.text.contains("2027年1月8日") && out.text.contains("估算"), "{}", out.text);
    let out = chat.action("review_due", &slots, "2026-12-20T10:00:00+08:00").await;
    assert_eq!(out.set.get("due_date").map(String::as_str), Some("2027-01-08"));
    assert!(out.set["due_note"].contains("估算"), "{:?}", out.set);
    let out = chat.action("review_due", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    assert_eq!(out.set.get("due_date").map(String::as_str), Some("2025-10-23"));
    assert!(!out.set["due_note"].contains("估算"), "{:?}", out.set);
}

/// Audit of main: 邵阳 publishes no review time limit, yet a recorded application got
/// 攀枝花's 15 working days as "审核期限", "已超期38天" and an overdue reminder.
#[tokio::test]
async fn shaoyang_publishes_no_review_limit_so_no_deadline_overdue_or_nudge_is_made_up() {
    let chat = Chat::new().await;
    let mut slots = recorded_slots();
    slots.insert("region".into(), "shaoyang".into());
    let out = chat.action("record_application", &slots, "2025-09-26T10:00:00+08:00").await;
    assert!(out.text.contains("没有公布门特审核时限"), "{}", out.text);
    assert!(!out.text.contains("个工作日") && !out.text.contains("审核超期提醒"), "{}", out.text);
    assert!(out.text.contains("湘医保") && out.text.contains("12393"), "{}", out.text);
    assert!(chat.data().await.applications[0].reminders.is_empty());
    // Months later: still no deadline, no "超期", nothing sent.
    let late = "2025-12-01T10:00:00+08:00";
    let out = chat.action("show_applications", &BTreeMap::new(), late).await;
    assert!(out.text.contains("没有公布门特审核时限"), "{}", out.text);
    assert!(!out.text.contains("已超期") && !out.text.contains("审核期限：2025"), "{}", out.text);
    let sender = TerminalSender::collecting();
    let report = run_once(&chat.store, &chat.assistant, &sender, at(late)).await.unwrap();
    assert_eq!(report.sent, 0, "{:?}", sender.sent());
    // The 新申请 dialog's deadline step says the same.
    let out = chat.action("review_due", &slots, "2025-09-26T10:00:00+08:00").await;
    assert!(!out.set["due_date"].starts_with("20"), "{:?}", out.set);
    assert!(out.set["due_note"].contains("没有公布门特审核时限"), "{:?}", out.set);
}

#[tokio::test]
async fn recording_the_same_acceptance_number_twice_keeps_one_application() {
    let chat = Chat::new().await;
    chat.action("record_application", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    let out =
        chat.action("record_application", &recorded_slots(), "2025-09-26T10:05:00+08:00").await;
    assert!(out.text.contains("已经记录过"), "{}", out.text);
    assert_eq!(chat.data().await.applications.len(), 1);
}

#[tokio::test]
async fn other_users_cannot_touch_an_application_and_forget_removes_everything() {
    let chat = Chat::new().await;
    chat.action("record_application", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    let id = chat.data().await.applications[0].id;
    let other = UserKey::new("terminal", "someone-else");
    let cmd = ApplicationCommand::Delete { id };
    chat.store.apply_commands(&other, &[cmd], at("2025-09-27T10:00:00+08:00")).await.unwrap();
    assert_eq!(chat.data().await.applications.len(), 1, "deleted by another user");

    let mut tx = chat.store.pool().begin().await.unwrap();
    st::forget_user(&mut tx, &chat.user).await.unwrap();
    tx.commit().await.unwrap();
    assert!(chat.data().await.applications.is_empty());
    let sender = TerminalSender::collecting();
    let report = run_once(&chat.store, &chat.assistant, &sender, at("2025-10-24T10:00:00+08:00"));
    assert_eq!(report.await.unwrap().sent, 0, "a forgotten user's reminder went out");
}

#[tokio::test]
async fn only_a_new_application_gets_a_review_deadline_and_an_overdue_nudge() {
    for kind in ["renew", "change_hospital", "remote"] {
        let chat = Chat::new().await;
        let mut slots = recorded_slots();
        slots.insert("kind".into(), kind.into());
        slots.insert("region".into(), "panzhihua".into());
        let out = chat.action("record_application", &slots, "2025-09-26T10:00:00+08:00").await;
        assert!(!out.text.contains("个工作日"), "{kind}: a made-up deadline: {}", out.text);
        assert!(!out.text.contains("审核超期提醒"), "{kind}: {}", out.text);
        assert!(out.text.contains("来源没有给出"), "{kind}: {}", out.text);
        assert!(out.text.contains("0812-3323000"), "{kind}: {}", out.text);
        assert!(chat.data().await.applications[0].reminders.is_empty(), "{kind}");
        // Long after 15 working days: still no deadline, no overdue talk, nothing sent.
        let late = "2025-11-20T10:00:00+08:00";
        let out = chat.action("show_applications", &BTreeMap::new(), late).await;
        assert!(!out.text.contains("已超期") && !out.text.contains("个工作日"), "{}", out.text);
        let sender = TerminalSender::collecting();
        let report = run_once(&chat.store, &chat.assistant, &sender, at(late)).await.unwrap();
        assert_eq!(report.sent, 0, "{kind}");
        let out = chat.action("review_due", &slots, "2025-09-26T10:00:00+08:00").await;
        assert!(out.set["due_note"].contains("来源没有给出"), "{kind}: {:?}", out.set);
    }
    // A new application keeps the documented 15 working days.
    let chat = Chat::new().await;
    let mut slots = recorded_slots();
    slots.insert("region".into(), "panzhihua".into());
    let out = chat.action("record_application", &slots, "2025-09-26T10:00:00+08:00").await;
    assert!(out.text.contains("第15个工作日") && out.text.contains("审核超期提醒"), "{}", out.text);
}

#[tokio::test]
async fn renewal_timing_advice_is_given_only_where_the_source_recommends_one() {
    let now = "2026-03-02T10:00:00+08:00";
    let mut advice = BTreeMap::new();
    for region in ["panzhihua", "shaoyang"] {
        let chat = Chat::new().await;
        let slots = slots(&[("kind", "renew"), ("region", region), ("valid_until", "2026-12-31")]);
        let out = chat.action("record_application", &slots, now).await;
        assert!(out.text.contains("到期前30天和7天我会提醒您"), "{region}: {}", out.text);
        assert_eq!(chat.data().await.applications[0].reminders.len(), 2, "{region}");
        advice.insert(region, out.text);
    }
    let pzh = &advice["panzhihua"];
    assert!(!pzh.contains("建议"), "攀枝花's source recommends no time: {pzh}");
    assert!(pzh.contains("来源没有说提前多久") && pzh.contains("四川医保APP"), "{pzh}");
    let sy = &advice["shaoyang"];
    assert!(sy.contains("建议在到期前约30天（2026年11月30日前后）"), "{sy}");
}

#[tokio::test]
async fn a_validity_already_ended_is_warned_about_not_called_valid_or_reminded() {
    let now = "2026-02-27T10:00:00+08:00";
    let chat = Chat::new().await;
    let ended = slots(&[("kind", "renew"), ("region", "panzhihua"), ("valid_until", "2025-10-01")]);
    let out = chat.action("record_application", &ended, now).await;
    assert!(!out.text.contains("待遇有效"), "{}", out.text);
    assert!(
        out.text.contains("待遇可能已经到期") && out.text.contains("已过149天"),
        "{}",
        out.text
    );
    assert!(out.text.contains("0812-3323000"), "{}", out.text);
    assert!(!out.text.contains("我会提醒") && !out.text.contains("我会在"), "{}", out.text);
    assert!(chat.data().await.applications[0].reminders.is_empty());

    // The same when an approval with an ended validity is reported.
    let chat = Chat::new().await;
    chat.action("record_application", &recorded_slots(), "2025-09-26T10:00:00+08:00").await;
    let out = chat.say("审核通过了，有效期到2025年10月1日", now).await.unwrap();
    assert!(!out.text.contains("待遇有效"), "{}", out.text);
    assert!(out.text.contains("待遇可能已经到期"), "{}", out.text);
    assert!(!out.text.contains("我会提醒") && !out.text.contains("我会在"), "{}", out.text);
    let app = &chat.data().await.applications[0];
    assert!(app.reminders.iter().all(|r| r.state != mente::tracking::ReminderState::Pending));

    // Five days before the end only the reminder still ahead is promised.
    let chat = Chat::new().await;
    let close = slots(&[("kind", "renew"), ("region", "panzhihua"), ("valid_until", "2026-03-04")]);
    let out = chat.action("record_application", &close, now).await;
    assert!(!out.text.contains("30天和7天"), "{}", out.text);
    assert!(out.text.contains("离到期已经很近"), "{}", out.text);
}

#[tokio::test]
async fn overdue_advice_names_the_regions_app_not_the_way_of_applying() {
    let chat = Chat::new().await;
    let mut slots = recorded_slots();
    slots.insert("region".into(), "panzhihua".into());
    slots.insert("channel".into(), "线上".into());
    chat.action("record_application", &slots, "2025-09-26T10:00:00+08:00").await;
    let out = chat.action("show_applications", &BTreeMap::new(), "2025-10-27T10:00:00+08:00").await;
    assert!(out.text.contains("已超期"), "{}", out.text);
    assert!(!out.text.contains("“线上”"), "{}", out.text);
    assert!(out.text.contains("“四川医保APP”中查看办理进度"), "{}", out.text);
    let sender = TerminalSender::collecting();
    let now = at("2025-10-24T10:00:00+08:00");
    assert_eq!(run_once(&chat.store, &chat.assistant, &sender, now).await.unwrap().sent, 1);
    let text = &sender.sent()[0].1;
    assert!(!text.contains("“线上”") && text.contains("四川医保APP"), "{text}");
}

#[tokio::test]
async fn the_consent_note_appears_only_when_consent_was_refused_or_something_was_left_out() {
    let chat = Chat::new().await;
    let now = at("2026-03-02T10:00:00+08:00");
    let data = chat.data().await;
    // 变更定点医院 and 异地备案 never ask anything personal, so consent is never asked.
    for kind in ["change_hospital", "remote"] {
        let slots =
            slots(&[("kind", kind), ("region", "panzhihua"), ("accepted_on", "2026-03-02")]);
        let out = run_action("record_application", &ctx(&chat.assistant, &slots, &data, None, now));
        let text = out.unwrap().text;
        assert!(!text.contains("没有同意"), "{kind}: {text}");
    }
    let bare = slots(&[("kind", "new"), ("region", "panzhihua"), ("accepted_on", "2026-03-02")]);
    let refused =
        run_action("record_application", &ctx(&chat.assistant, &bare, &data, Some(false), now));
    assert!(refused.unwrap().text.contains("没有同意"), "consent refused");
    let mut with_disease = bare.clone();
    with_disease.insert("disease".into(), "糖尿病".into());
    let out =
        run_action("record_application", &ctx(&chat.assistant, &with_disease, &data, None, now));
    assert!(out.unwrap().text.contains("没有保存"), "a disease was left out");
}

#[tokio::test]
async fn renewal_advice_past_its_recommended_start_says_now_and_reminds_once_next_morning() {
    // Expiry 12-20, told on 11-28: 邵阳's "about 30 days before" (11-20) is already gone.
    let now = "2026-11-28T21:30:00+08:00";
    let chat = Chat::new().await;
    let late = slots(&[("kind", "renew"), ("region", "shaoyang"), ("valid_until", "2026-12-20")]);
    let out = chat.action("record_application", &late, now).await;
    assert!(out.text.contains("请现在就办理"), "{}", out.text);
    assert!(!out.text.contains("11月20日"), "a past day given as advice: {}", out.text);
    let due: Vec<DateTime<Utc>> =
        chat.data().await.applications[0].reminders.iter().map(|r| r.due_at).collect();
    assert!(due.iter().all(|d| *d > at(now)), "a reminder in the past: {due:?}");
    // The missed reminder comes once, the next morning at 9, besides the regular 7-day one.
    assert_eq!(due, vec![at("2026-11-29T09:00:00+08:00"), at("2026-12-13T09:00:00+08:00")]);
    assert!(out.text.contains("2026年11月29日 续期提醒（到期前21天）"), "{}", out.text);
}

/// Playtest (tune3): `手机上没找到 没有` typed at the 受理号 step says there is none; it is not
/// kept as a "number" (which 我的申请 would show and duplicates would be matched on).
#[tokio::test]
async fn a_sentence_saying_there_is_no_acceptance_number_is_none() {
    let chat = Chat::new().await;
    let mut slots = recorded_slots();
    slots.insert("acceptance_no".into(), "手机上没找到 没有".into());
    let out = chat.action("record_application", &slots, "2025-09-26T18:00:00+08:00").await;
    assert!(!out.text.contains("没找到"), "{}", out.text);
    let out = chat.action("show_applications", &BTreeMap::new(), "2025-10-16T12:00:00+08:00").await;
    assert!(!out.text.contains("受理号"), "{}", out.text);
}

/// `我明天去交 到时候提醒我`: an application not handed in yet is kept with a reminder on the
/// morning of the day named; once its acceptance is reported, the review's nudge replaces it,
/// and a nudge that was due but not yet sent is not sent any more.
#[tokio::test]
async fn a_planned_hand_in_is_reminded_that_morning_and_replaced_by_the_review_once_accepted() {
    let chat = Chat::new().await;
    let a = &chat.assistant;
    let slots = slots_with_day("2026-12-08");
    let out = chat.action("record_application", &slots, "2026-12-07T10:00:00+08:00").await;
    assert!(out.text.contains("准备中"), "{}", out.text);
    assert!(out.text.contains("2026年12月8日 交申请提醒"), "{}", out.text);

    let sender = TerminalSender::collecting();
    let report = run_once(&chat.store, a, &sender, at("2026-12-07T19:00:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 0, "not before that day");
    let report = run_once(&chat.store, a, &sender, at("2026-12-08T09:01:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 1);
    assert!(sender.sent()[0].1.contains("交申请提醒"), "{:?}", sender.sent());

    // A second planned day, accepted before it comes: no nudge to hand it in any more.
    let chat = Chat::new().await;
    let slots = slots_with_day("2026-12-10");
    chat.action("record_application", &slots, "2026-12-07T10:00:00+08:00").await;
    let out = chat.say("12月8号受理的", "2026-12-08T15:00:00+08:00").await.expect("a report");
    assert!(out.text.contains("2026年12月8日受理"), "{}", out.text);
    let out = chat.action("show_reminders", &BTreeMap::new(), "2026-12-08T15:01:00+08:00").await;
    assert!(out.text.contains("审核超期提醒") && !out.text.contains("交申请提醒"), "{}", out.text);
    let sender = TerminalSender::collecting();
    let report = run_once(&chat.store, a, &sender, at("2026-12-10T10:00:00+08:00")).await.unwrap();
    assert_eq!(report.sent, 0, "{:?}", sender.sent());
}

fn slots_with_day(day: &str) -> BTreeMap<String, String> {
    slots(&[("kind", "new"), ("region", "panzhihua"), ("hand_in_on", day)])
}

/// Play-test round 6 (persona 4): 我的申请 with two 邵阳 renewals was 596 characters with the
/// menu, each record repeating the renewal advice. With several records each keeps its facts
/// (status, validity with days left, reminder days) and the whole list fits one phone screen.
#[tokio::test]
async fn several_applications_are_listed_on_one_phone_screen() {
    let now = "2026-12-07T10:00:00+08:00";
    let chat = Chat::new().await;
    for day in ["2026-12-27", "2026-12-28"] {
        let renew = slots(&[
            ("kind", "renew"),
            ("region", "shaoyang"),
            ("disease", "慢性阻塞性肺疾病"),
            ("valid_until", day),
        ]);
        chat.action("record_application", &renew, now).await;
    }
    let out = chat.action("show_applications", &BTreeMap::new(), now).await;
    let text = &out.text;
    assert!(text.contains("共2份"), "{text}");
    assert!(text.contains("2026年12月27日（还有20天）"), "{text}");
    assert!(text.contains("2026年12月28日（还有21天）"), "{text}");
    assert!(text.contains("提醒：12月8日、12月20日") && text.contains("12月21日"), "{text}");
    assert_eq!(text.matches("建议到期前").count(), 0, "advice repeated per record: {text}");
    assert!(text.chars().count() <= 300, "{} chars:\n{text}", text.chars().count());
}
