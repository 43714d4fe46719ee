//! What conversations can do with applications and reminders: the engine's named actions
//! `record_application`, `show_applications`, `show_reminders`, `review_due`, the buttons those
//! show, and free-text status reports ("审核通过了，有效期到2027年6月30日").
//!
//! Pure: the engine calls these with the content, the session's slots, the user's data and `now`;
//! it renders [`TrackOutput`] as a reply, stamps the button payloads, sets the slots and hands the
//! effects to the store in the turn's transaction.
//!
//! Button payloads (≤ 40 bytes): `t:<op>:<application id>` for application buttons,
//! `r:off:<reminder id>` / `r:all` for reminders, `r:del:<id>` and `r:mv:<id>:<YYYYMMDD>`
//! (move to that day) for the reminders of the user's own tasks. They carry database ids, so a button of a
//! deleted application or reminder is recognised as stale (`None`).
//!
//! Layer: base — imports only the base modules `input` and `types`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::input::{self, InputError};
use super::{Effect, UserData};
use crate::clock::{china_today, in_china};
use crate::content::regions::Region;
use crate::content::understand::ReportWords;
use crate::content::Content;
use crate::policy::calendar::{self, Due};
use crate::policy::dates::format_cn;
use crate::privacy;
use crate::tracking::reminders::{self, contact, plan, review_due, where_to_check, ReminderState};
use crate::tracking::{
    Application, ApplicationCommand, ApplicationDetails, Event, ForWhom, Kind, ReminderCommand,
    Status, StatusEntry, TaskReminder,
};

/// Everything a tracking action may read.
#[derive(Debug, Clone, Copy)]
pub struct TrackContext<'a> {
    /// Validated content (regions, calendar, catalogue).
    pub content: &'a Content,
    /// The user's region, if chosen.
    pub region: Option<&'a str>,
    /// The current dialog's slots (`kind`, `disease`, `insurance`, `accepted_on`, …).
    pub slots: &'a BTreeMap<String, String>,
    /// The user's stored applications.
    pub user: &'a UserData,
    /// Consent to store personal data: without `Some(true)` nothing personal may be stored.
    pub consent: Option<bool>,
    /// The time of the turn.
    pub now: DateTime<Utc>,
}

/// A button offered by tracking. The engine wraps `payload` into the button data (≤ 64 bytes
/// in total, so keep payloads ≤ 40 bytes) and hands it back through [`on_button`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackChoice {
    /// Label shown (≤ 64 bytes).
    pub label: String,
    /// Opaque to the engine.
    pub payload: String,
}

/// The result of a tracking action.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackOutput {
    /// Text for the user (may be empty when the action only sets slots).
    pub text: String,
    /// Buttons to offer with the text.
    pub choices: Vec<TrackChoice>,
    /// Slots to set for later templates (see `content::dialogs::ACTIONS`).
    pub set: BTreeMap<String, String>,
    /// Changes for the store.
    pub effects: Vec<Effect>,
    /// The news needs an application to go with and none is recorded: the engine offers the
    /// procedure that records one (`被驳回了 你帮我记一下` with nothing recorded yet).
    pub record_first: bool,
}

impl TrackOutput {
    pub(super) fn text(text: impl Into<String>) -> Self {
        TrackOutput { text: text.into(), ..TrackOutput::default() }
    }
}

/// Runs a named action (`record_application`, `show_applications`, `show_reminders`,
/// `review_due`); `None` for a name tracking does not own.
pub fn run_action(action: &str, ctx: &TrackContext) -> Option<TrackOutput> {
    match action {
        "record_application" => Some(record_application(ctx)),
        "show_applications" => Some(show_applications(ctx)),
        "show_reminders" => Some(show_reminders(ctx)),
        "review_due" => Some(review_due_action(ctx)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading slots and context

/// A slot's value, unless it is empty or means "none" (`none_answers` of
/// `faq/understand.yaml`: 受理号 无).
fn slot<'a>(ctx: &'a TrackContext, name: &str) -> Option<&'a str> {
    let none = &ctx.content.understand.none_answers;
    ctx.slots.get(name).map(|v| v.trim()).filter(|v| !v.is_empty() && !none.iter().any(|n| n == v))
}

fn slot_date(ctx: &TrackContext, name: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(slot(ctx, name)?, "%Y-%m-%d").ok()
}

fn region_by_id<'a>(ctx: &TrackContext<'a>, id: Option<&str>) -> Option<&'a Region> {
    ctx.content.regions.get(id?)
}

fn app_region<'a>(ctx: &TrackContext<'a>, app: &Application) -> Option<&'a Region> {
    region_by_id(ctx, app.details.region.as_deref())
}

fn today(ctx: &TrackContext) -> NaiveDate {
    china_today(ctx.now)
}

/// The user's applications, newest last, with their 1-based number as shown in 我的申请.
fn numbered<'a>(ctx: &TrackContext<'a>) -> impl Iterator<Item = (usize, &'a Application)> {
    ctx.user.applications.iter().enumerate().map(|(i, a)| (i + 1, a))
}

fn find_app<'a>(ctx: &TrackContext<'a>, id: i64) -> Option<(usize, &'a Application)> {
    numbered(ctx).find(|(_, a)| a.id == id)
}

// ---------------------------------------------------------------------------------------------
// record_application

fn record_application(ctx: &TrackContext) -> TrackOutput {
    let consent = ctx.consent == Some(true);
    let kind = slot(ctx, "kind").and_then(Kind::from_slot).unwrap_or(Kind::New);
    let region = slot(ctx, "region").or(ctx.region).map(str::to_string);
    let personal = |name: &str| if consent { slot(ctx, name).map(str::to_string) } else { None };
    let for_whom = match slot(ctx, "for_whom") {
        Some("other") => ForWhom::Relative {
            relation: slot(ctx, "relation").map(str::to_string),
            name: personal("person_name"),
        },
        _ => ForWhom::Myself,
    };
    let details = ApplicationDetails {
        kind,
        region,
        disease: personal("disease"),
        insurance: slot(ctx, "insurance").map(str::to_string),
        for_whom,
        id_masked: personal("id_masked"),
        channel: slot(ctx, "channel").map(str::to_string),
    };
    // A number has digits: `手机上没找到 没有` at that step says there is none.
    let acceptance_no = slot(ctx, "acceptance_no")
        .filter(|no| no.chars().any(|c| c.is_ascii_digit()))
        .and_then(|no| privacy::keepable_reference(no, consent));
    if let Some(no) = &acceptance_no {
        if let Some((n, existing)) = numbered(ctx).find(|(_, a)| a.acceptance_no() == Some(no)) {
            let mut out = TrackOutput::text(format!(
                "受理号 {no} 的申请已经记录过了（我的申请第{n}份），没有重复记录。\n{}",
                summary(ctx, existing).join("\n")
            ));
            out.set.insert("application_id".into(), n.to_string());
            return out;
        }
    }
    let accepted_on = slot_date(ctx, "accepted_on");
    // A known end of validity without an acceptance is the benefit already granted (the renewal
    // dialog records it so the renewal can be reminded), not a draft.
    let valid_until = slot_date(ctx, "valid_until");
    let hand_in_on = slot_date(ctx, "hand_in_on");
    let mut events = Vec::new();
    if accepted_on.is_some() || acceptance_no.is_some() {
        events.push(Event::Submitted { accepted_on, acceptance_no });
    } else if hand_in_on.is_some() {
        events.push(Event::Planned { hand_in_on });
    } else if valid_until.is_none() {
        events.push(Event::Draft);
    }
    if valid_until.is_some() {
        events.push(Event::Approved { valid_until });
    }
    // `不要搞两个`: the same application with the same progress is already there — said, not
    // recorded twice (a form filled in again after a question it was not meant to answer).
    if let Some((n, existing)) = numbered(ctx).find(|(_, a)| same_record(a, &details, &events)) {
        let mut lines = vec![format!("这份申请已经记过了（我的申请第{n}份），没有重复记录。")];
        lines.extend(summary(ctx, existing));
        lines.extend(reminder_lines(&pending_reminders(existing)));
        let mut out = TrackOutput::text(lines.join("\n"));
        out.set.insert("application_id".into(), n.to_string());
        return out;
    }
    let app = Application {
        id: 0,
        details: details.clone(),
        history: events.iter().map(|e| StatusEntry { event: e.clone(), at: ctx.now }).collect(),
        reminders: Vec::new(),
    };
    let region = app_region(ctx, &app);
    let planned = plan(&app, region, &ctx.content.calendar, ctx.now);
    let mut lines = vec![format!("已记下这份申请：{}", app.title(region.map(|r| r.name.as_str())))];
    lines.extend(summary(ctx, &app));
    lines.extend(reminder_lines(&planned.iter().map(|p| (p.kind, p.due_at)).collect::<Vec<_>>()));
    // Only where consent was refused or something personal was actually left out: dialogs that
    // never ask anything personal (变更定点医院, 异地备案) never asked for consent either.
    let dropped = ["disease", "person_name", "id_masked"].iter().any(|n| slot(ctx, n).is_some());
    if ctx.consent == Some(false) || (!consent && dropped) {
        lines.push(
            "因为您没有同意保存个人信息，病种、姓名和证件号都没有保存，只记了申请类型和办理进度。"
                .into(),
        );
    }
    lines.push("进度有变化直接告诉我（如“审核通过了”），或在“我的申请”里更新。".into());
    let mut out = TrackOutput::text(lines.join("\n"));
    out.set.insert("application_id".into(), (ctx.user.applications.len() + 1).to_string());
    out.effects.push(Effect::Application(ApplicationCommand::Record {
        details,
        events,
        reminders: planned,
    }));
    out
}

/// Whether `app` is the application `details` with the progress `events` (dates of recording
/// aside).
fn same_record(app: &Application, details: &ApplicationDetails, events: &[Event]) -> bool {
    app.details == *details && app.history.iter().map(|h| &h.event).eq(events.iter())
}

fn reminder_lines(planned: &[(reminders::ReminderKind, DateTime<Utc>)]) -> Vec<String> {
    if planned.is_empty() {
        return Vec::new();
    }
    let when: Vec<String> = planned
        .iter()
        .map(|(kind, at)| format!("{} {}", format_cn(in_china(*at).date_naive()), kind.label()))
        .collect();
    vec![format!("提醒日：{}。", when.join("；"))]
}

/// A summary line up to its first clause (`有效期至：…（还有20天）` without the advice after the
/// `；`), ended as a sentence.
fn first_clause(line: String) -> String {
    match line.split_once('；') {
        Some((first, _)) => format!("{first}。"),
        None => line,
    }
}

/// The reminder days alone, month and day (`提醒：12月8日、12月20日。`); none when none is set.
fn short_reminder_line(planned: &[(reminders::ReminderKind, DateTime<Utc>)]) -> Vec<String> {
    if planned.is_empty() {
        return Vec::new();
    }
    let days: Vec<String> = planned
        .iter()
        .map(|(_, at)| {
            let day = in_china(*at).date_naive();
            format!("{}月{}日", day.month(), day.day())
        })
        .collect();
    vec![format!("提醒：{}。", days.join("、"))]
}

/// An application's reminders still to be sent, soonest first.
fn pending_reminders(app: &Application) -> Vec<(reminders::ReminderKind, DateTime<Utc>)> {
    let mut set: Vec<_> = app
        .reminders
        .iter()
        .filter(|r| r.state == ReminderState::Pending)
        .map(|r| (r.kind, r.due_at))
        .collect();
    set.sort_by_key(|(_, at)| *at);
    set
}

/// The reminders already set for the user's applications, as one line (`提醒日：2026年12月9日
/// 审核超期提醒。`) — what to say when another day is asked for. `None`: none is set.
pub fn reminders_set(ctx: &TrackContext) -> Option<String> {
    let mut set: Vec<_> = ctx.user.applications.iter().flat_map(pending_reminders).collect();
    set.sort_by_key(|(_, at)| *at);
    reminder_lines(&set).pop()
}

/// The review deadline of the application recorded last and the reminders set for the
/// records (`审核期限：…` and `提醒日：…`), said beside a reminder of the user's own; `None`
/// without a deadline line.
pub fn review_and_reminders(ctx: &TrackContext) -> Option<String> {
    let app = ctx.user.applications.last()?;
    let due = summary(ctx, app).into_iter().find(|l| l.starts_with("审核期限"))?;
    Some(match reminders_set(ctx) {
        Some(set) => format!("{due}\n{set}"),
        None => due,
    })
}

/// The source and region line under an answer built from the record (its review deadline, its
/// reminders): the region of the records (`地区：`), and that region's seed — the document the
/// deadline rule comes from (`来源：`). One entry per region, in the order first met; `None`
/// when no record names a known region.
pub fn record_source_line<'a>(
    ctx: &TrackContext,
    apps: impl IntoIterator<Item = &'a Application>,
) -> Option<String> {
    let mut regions: Vec<&Region> = Vec::new();
    for app in apps {
        if let Some(region) = app_region(ctx, app) {
            if !regions.iter().any(|r| r.id == region.id) {
                regions.push(region);
            }
        }
    }
    if regions.is_empty() {
        return None;
    }
    // `seed 000（000_….txt）`: the id before the note is what citations know.
    let seeds: Vec<String> = regions
        .iter()
        .filter_map(|r| r.sources.first())
        .map(|s| s.split(['（', '(']).next().unwrap_or(s).trim().to_string())
        .map(|id| ctx.content.citations.cite_short(&id))
        .collect();
    let names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
    Some(format!("来源：{}｜地区：{}", seeds.join("；"), names.join("、")))
}

// ---------------------------------------------------------------------------------------------
// The status lines shared by 我的申请 and confirmations

fn due_text(ctx: &TrackContext, due: Due) -> String {
    let mut text = format_cn(due.date);
    if !due.exact {
        text.push_str(&format!("（{}）", calendar::note(&ctx.content.calendar, due)));
    }
    text
}

/// The lines describing one application: status, review deadline with days left or overdue
/// advice, supplement deadline, validity and when to renew.
fn summary(ctx: &TrackContext, app: &Application) -> Vec<String> {
    let region = app_region(ctx, app);
    let today = today(ctx);
    let mut lines = vec![status_line(app, today)];
    if app.status().under_review() {
        lines.extend(review_lines(ctx, app, region, today));
    }
    if let Event::NeedsSupplement { what, by } = app.current() {
        let what = what.clone().unwrap_or_else(|| "（未说明）".into());
        let by = match by {
            Some(by) => {
                format!("，截止{}（{}）", format_cn(*by), days_word((*by - today).num_days()))
            }
            None => "，截止日期未记录（告诉我“10月31日前补交”即可）".into(),
        };
        lines.push(format!("需补材料：{what}{by}。"));
    }
    if let Event::Rejected { reason } = app.current() {
        if let Some(reason) = reason {
            lines.push(format!("驳回原因：{reason}。"));
        }
        lines.push(format!(
            "可按原因补充材料后重新申请；对结果有异议可以申诉。具体怎么办请咨询{}。",
            contact(region)
        ));
    }
    match app.valid_until() {
        // A 续期 handed in for the benefit recorded: no advice to renew, no reminder promised.
        Some(end) if app.status().under_review() => lines.push(format!(
            "当前待遇有效期至：{}（{}）；续期（延期）已提交，等审核结果。",
            format_cn(end),
            days_word((end - today).num_days())
        )),
        Some(end) => lines.push(validity_line(app, region, end, today)),
        None => {}
    }
    lines
}

/// The review deadline with days left, or advice when it has passed. Only kinds the sources give
/// a time limit for get a deadline; for the others we say so instead of inventing one.
fn review_lines(
    ctx: &TrackContext,
    app: &Application,
    region: Option<&Region>,
    today: NaiveDate,
) -> Vec<String> {
    let mut lines = Vec::new();
    if !app.details.kind.has_review_limit() {
        lines.push(format!(
            "审核时限：来源没有给出{}的审核时限，所以这里不计算期限，也不安排超期提醒。如果等了很久还没有结果，可以{}，或拨打{}询问。",
            app.details.kind.label(),
            where_to_check(app, region),
            contact(region)
        ));
        return lines;
    }
    if let Some(region) = region.filter(|r| r.review_days().is_none()) {
        // No published limit: no date, no "超期", no overdue reminder — where to look instead.
        lines.push(format!(
            // The user who asked to be reminded learns how to get a reminder after all.
            "审核期限：{}没有公布门特审核时限，所以不算期限，也不发超期提醒。想了解进度可以{}，或咨询{}。要我哪天提醒您去问，直接说（如“过一周提醒我问进度”）。",
            region.name,
            where_to_check(app, Some(region)),
            region.contact()
        ));
        return lines;
    }
    match (region, region.and_then(|r| review_due(app, r, &ctx.content.calendar))) {
        (Some(region), Some(due)) => {
            let left = (due.date - today).num_days();
            let when = match left {
                1.. => format!("还剩{left}天"),
                0 => "今天到期".to_string(),
                _ => format!("已超期{}天", -left),
            };
            lines.push(format!(
                "审核期限：{}（{}受理后第{}个工作日），{when}。",
                due_text(ctx, due),
                app.accepted_on().map(format_cn).unwrap_or_default(),
                region.review_days().unwrap_or_default(),
            ));
            if left < 0 {
                lines.push(format!(
                    "已超过审核时限还没有结果：建议{}，或拨打{}询问。",
                    where_to_check(app, Some(region)),
                    contact(Some(region))
                ));
            }
        }
        (None, _) => lines.push("审核期限：不知道地区，无法计算。".into()),
        (_, None) => lines.push(
            "审核期限：还不知道受理日期。告诉我哪天受理的（如“9月26日受理的”），我来算。".into(),
        ),
    }
    lines
}

/// End of validity and when to renew. Only a region whose source recommends a time gets that
/// advice; elsewhere we say the source is silent. Our reminders are offered either way.
fn validity_line(
    app: &Application,
    region: Option<&Region>,
    end: NaiveDate,
    today: NaiveDate,
) -> String {
    let mut line =
        format!("有效期至：{}（{}）", format_cn(end), days_word((end - today).num_days()));
    if end < today {
        // Reminders would all be in the past: warn now instead of promising any.
        line.push_str(&format!(
            "。⚠️ 待遇可能已经到期，请尽快在“{}”或线下办理续期（延期），或咨询{}确认现在的待遇状态。",
            reminders::app_name(region),
            contact(region)
        ));
        return line;
    }
    if let Some(region) = region {
        match region.reminders.renewal_recommended_days_before {
            // Advice never names a day already gone: past the recommended start, it is "now".
            Some(days) if crate::policy::dates::days_before(end, days) < today => line.push_str(
                &format!(
                    "；{}的办理须知建议到期前约{days}天开始办理续期（延期），这个时间已过，请现在就办理",
                    region.name
                ),
            ),
            Some(days) => line.push_str(&format!(
                "；{}的办理须知建议在到期前约{days}天（{}前后）开始办理续期（延期）",
                region.name,
                format_cn(crate::policy::dates::days_before(end, days))
            )),
            None => line.push_str(&format!(
                "；来源没有说提前多久办理续期（延期），请以“{}”的提示为准",
                reminders::app_name(Some(region))
            )),
        }
        // Promise only the reminders whose day is still ahead (the plan skips the others).
        let ahead: Vec<u32> = region
            .reminders
            .renewal_days_before
            .iter()
            .copied()
            .filter(|&d| end - chrono::Duration::days(d.into()) >= today)
            .collect();
        // Recorded after a regular reminder's day: one more comes the next morning, and the
        // promise names it too (play-test round 14, P4: "到期前7天" promised, 12-09 listed).
        let days = &region.reminders.renewal_days_before;
        let catch_up = reminders::renewal_catch_up(app, days, end).filter(|d| *d >= today);
        let first = catch_up.map(|d| format!("{}和", format_cn(d))).unwrap_or_default();
        if !ahead.is_empty() {
            line.push_str(&format!("；{first}到期前{}天我会提醒您", join_days(&ahead)));
        } else if !region.reminders.renewal_days_before.is_empty() {
            line.push_str("；离到期已经很近，请尽快办理续期（延期）");
        }
    }
    line.push('。');
    line
}

fn join_days(days: &[u32]) -> String {
    let mut days = days.to_vec();
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.iter().map(u32::to_string).collect::<Vec<_>>().join("天和")
}

fn days_word(days: i64) -> String {
    match days {
        1.. => format!("还有{days}天"),
        0 => "就是今天".into(),
        _ => format!("已过{}天", -days),
    }
}

fn status_line(app: &Application, today: NaiveDate) -> String {
    let expired = app.status() == Status::Approved && app.valid_until().is_some_and(|e| e < today);
    let label = if expired {
        "已通过，但有效期已过（待遇可能已经到期）"
    } else {
        app.status().label()
    };
    let mut line = format!("状态：{label}");
    let mut extra = Vec::new();
    if let Some(no) = app.acceptance_no() {
        // A number that looked like an ID number was kept masked: the user must know why, and
        // where the whole one is (they read it out on the phone; play-test round 12, P3).
        match no.contains('*') {
            true => extra
                .push(format!("受理号 {no}（像身份证号，只存了遮挡后的；完整号码看回执或APP）")),
            false => extra.push(format!("受理号 {no}")),
        }
    }
    if let Some(on) = app.accepted_on() {
        extra.push(format!("{}受理", format_cn(on)));
    }
    if !extra.is_empty() && app.status() != Status::Approved {
        line.push_str(&format!("（{}）", extra.join("，")));
    }
    line.push('。');
    line
}

// ---------------------------------------------------------------------------------------------
// show_applications (我的申请)

fn show_applications(ctx: &TrackContext) -> TrackOutput {
    let count = ctx.user.applications.len();
    let mut out = if count == 0 {
        let mut text = "您还没有记录申请。在菜单里选“记录申请进度”，记下受理日期和受理号，我就能帮您算审核期限，并在该续期、该补材料时提醒您。".to_string();
        text.push_str(&tasks_block(ctx));
        TrackOutput::text(text)
    } else {
        let mut blocks = vec![format!("我的申请（共{count}份）：")];
        // Several applications on one phone screen: each with its facts, without the advice
        // that follows them (said when one is shown) and with its reminder days in short.
        let compact = count > 1;
        for (n, app) in numbered(ctx) {
            let region = app_region(ctx, app);
            let mut block = vec![format!("{n}. {}", app.title(region.map(|r| r.name.as_str())))];
            let lines = summary(ctx, app).into_iter();
            let lines: Vec<String> =
                if compact { lines.map(first_clause).collect() } else { lines.collect() };
            block.extend(lines.into_iter().map(|l| format!("   {l}")));
            // `啥时候提醒我 给我看下我记的申请`: each application's reminder days beside it.
            let planned = pending_reminders(app);
            let set =
                if compact { short_reminder_line(&planned) } else { reminder_lines(&planned) };
            block.extend(set.into_iter().map(|l| format!("   {l}")));
            blocks.push(block.join("\n"));
        }
        blocks.push(
            "进度有变化可以点下面的按钮，或直接告诉我（如“让我补材料，10月31日前”）。".into(),
        );
        let tasks = tasks_block(ctx);
        if !tasks.is_empty() {
            blocks.push(tasks.trim_start().to_string());
        }
        blocks.extend(record_source_line(ctx, &ctx.user.applications));
        let mut out = TrackOutput::text(blocks.join("\n"));
        out.choices = numbered(ctx).flat_map(|(n, app)| app_buttons(n, count > 1, app)).collect();
        out
    };
    out.set.insert("applications".into(), count.to_string());
    out
}

/// The user's own task reminders for 我的申请 (`\n您让我提醒的事：2026年12月20日 复查。`);
/// empty when there are none.
fn tasks_block(ctx: &TrackContext) -> String {
    let tasks = pending_tasks(ctx);
    if tasks.is_empty() {
        return String::new();
    }
    let each: Vec<String> = tasks
        .iter()
        .map(|t| format!("{} {}", format_cn(in_china(t.due_at).date_naive()), t.task))
        .collect();
    format!("\n您让我提醒的事：{}。（删除：发送“我的提醒”）", each.join("；"))
}

/// Status buttons that make sense for the application's current status, plus 删除.
fn app_buttons(n: usize, numbered: bool, app: &Application) -> Vec<TrackChoice> {
    let ops: &[(&str, &str)] = match app.status() {
        Status::Draft => &[("sub", "已受理")],
        Status::Submitted | Status::Resubmitted | Status::Appealed => {
            &[("ok", "已通过"), ("sup", "要补材料"), ("rej", "被驳回")]
        }
        Status::NeedsSupplement => &[("resub", "已补交"), ("ok", "已通过"), ("rej", "被驳回")],
        Status::Rejected => &[("resub", "重新提交"), ("appeal", "已申诉")],
        Status::Approved => &[],
    };
    ops.iter()
        .chain(&[("del", "删除")])
        .map(|(op, label)| TrackChoice {
            label: if numbered { format!("第{n}份：{label}") } else { label.to_string() },
            payload: format!("t:{op}:{}", app.id),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// show_reminders (/reminders)

fn show_reminders(ctx: &TrackContext) -> TrackOutput {
    let mut pending: Vec<(&Application, &crate::tracking::Reminder)> = ctx
        .user
        .applications
        .iter()
        .flat_map(|a| a.reminders.iter().map(move |r| (a, r)))
        .filter(|(_, r)| r.state == ReminderState::Pending)
        .collect();
    pending.sort_by_key(|(_, r)| (r.due_at, r.id));
    let tasks = pending_tasks(ctx);
    let count = pending.len() + tasks.len();
    let mut out = if count == 0 {
        TrackOutput::text(
            "目前没有待发送的提醒。记录申请（受理日期、有效期、补材料截止日）后，我会自动安排提醒；自己的事也可以让我提醒，例如“12月20号提醒我去复查”。",
        )
    } else {
        let mut lines = vec!["待发送的提醒（只在每天9:00–20:00发送）：".to_string()];
        let mut choices = Vec::new();
        for (i, (app, reminder)) in pending.iter().enumerate() {
            let region = app_region(ctx, app);
            lines.push(format!(
                "{}. {} {}——{}",
                i + 1,
                format_cn(in_china(reminder.due_at).date_naive()),
                reminder.kind.label(),
                app.title(region.map(|r| r.name.as_str()))
            ));
            choices.push(TrackChoice {
                label: format!("取消第{}条", i + 1),
                payload: format!("r:off:{}", reminder.id),
            });
        }
        // The user's own tasks: deleted (nothing of them is kept), not switched off; one verb,
        // 取消, on every button, whatever the kind (play-test round 12, P7: 关闭 beside 删除
        // confused), and the reply says what became of it.
        for (i, task) in tasks.iter().enumerate() {
            let n = pending.len() + i + 1;
            lines.push(task_line(n, task));
            choices.push(TrackChoice {
                label: format!("取消第{n}条"),
                payload: format!("r:del:{}", task.id),
            });
        }
        lines.push("提醒发在这个对话里（不发短信）。不需要的可以点按钮取消。".into());
        lines.extend(record_source_line(ctx, pending.iter().map(|(a, _)| *a)));
        let mut out = TrackOutput::text(lines.join("\n"));
        out.choices = choices;
        if count > 1 {
            out.choices.push(TrackChoice { label: "全部取消".into(), payload: "r:all".into() });
        }
        out
    };
    out.set.insert("reminders".into(), count.to_string());
    out
}

/// The user's own task reminders still to be sent, soonest first.
fn pending_tasks<'a>(ctx: &TrackContext<'a>) -> Vec<&'a TaskReminder> {
    let mut tasks: Vec<&TaskReminder> =
        ctx.user.tasks.iter().filter(|t| t.state == ReminderState::Pending).collect();
    tasks.sort_by_key(|t| (t.due_at, t.id));
    tasks
}

/// `3. 2026年12月20日 事项提醒——复查`.
fn task_line(n: usize, task: &TaskReminder) -> String {
    format!(
        "{n}. {} {}——{}",
        format_cn(in_china(task.due_at).date_naive()),
        reminders::ReminderKind::Task.label(),
        task.task
    )
}

/// "好多天能审完" once an application under review is recorded: that application's review
/// deadline (days left, or overdue and whom to ask), not the general time limit. `None`: no
/// recorded application is under review.
pub fn own_review(ctx: &TrackContext) -> Option<TrackOutput> {
    let (n, app) = numbered(ctx).filter(|(_, a)| a.status().under_review()).last()?;
    let region = app_region(ctx, app);
    let mut lines = vec![format!(
        "您记下的申请（我的申请第{n}份：{}）：",
        app.title(region.map(|r| r.name.as_str()))
    )];
    lines.extend(summary(ctx, app));
    // While the last day is ahead, what to do if it passes (past it, the summary says so).
    let cal = &ctx.content.calendar;
    let due = region.and_then(|r| review_due(app, r, cal));
    if due.is_some_and(|due| due.date >= today(ctx)) {
        lines.push(format!(
            "过了这天还没有结果：{}，或拨打{}询问。",
            where_to_check(app, region),
            contact(region)
        ));
    }
    lines.extend(reminder_lines(&pending_reminders(app)));
    lines.extend(record_source_line(ctx, [app]));
    Some(TrackOutput::text(lines.join("\n")))
}

/// [`own_review`], when reminders are set for that application: the answer to a request for a
/// reminder about it (`到时候提醒我一哈`), which is already planned.
pub fn own_review_reminded(ctx: &TrackContext) -> Option<TrackOutput> {
    let (_, app) = numbered(ctx).filter(|(_, a)| a.status().under_review()).last()?;
    if pending_reminders(app).is_empty() {
        return None;
    }
    own_review(ctx)
}

/// `不是续期 是新申请`: the last recorded application becomes of `kind`, with its history kept
/// and its reminders planned again (the store has no change of details, so it is recorded anew
/// in place of the old one, in the same transaction). `None`: nothing recorded, or already so.
pub fn correct_kind(ctx: &TrackContext, kind: Kind) -> Option<TrackOutput> {
    let app = ctx.user.applications.last().filter(|a| a.details.kind != kind)?;
    let mut updated = app.clone();
    updated.details.kind = kind;
    Some(rewritten(ctx, app, updated, &format!("好的，已改为{}", kind.label()), true))
}

/// `app` recorded anew as `updated` (the store has no change of details: the old row goes and
/// the new one, with `updated`'s history, takes its reminders planned again, in the same
/// transaction). The reply: `said` before the record's title, its summary and, with
/// `with_reminders`, its reminder days.
fn rewritten(
    ctx: &TrackContext,
    app: &Application,
    updated: Application,
    said: &str,
    with_reminders: bool,
) -> TrackOutput {
    let region = app_region(ctx, &updated);
    let planned = plan(&updated, region, &ctx.content.calendar, ctx.now);
    let mut lines = vec![format!("{said}：{}", updated.title(region.map(|r| r.name.as_str())))];
    lines.extend(summary(ctx, &updated));
    if with_reminders {
        let days: Vec<_> = planned.iter().map(|p| (p.kind, p.due_at)).collect();
        lines.extend(reminder_lines(&days));
    }
    let mut out = TrackOutput::text(lines.join("\n"));
    out.effects.push(Effect::Application(ApplicationCommand::Delete { id: app.id }));
    out.effects.push(Effect::Application(ApplicationCommand::Record {
        events: updated.history.iter().map(|h| h.event.clone()).collect(),
        details: updated.details,
        reminders: planned,
    }));
    out
}

/// `不是续期 也还没通过 是新申请 11月17号交的 还在审核`: the last recorded application restated —
/// of `kind` (when said), handed in on `accepted` and under review, its earlier progress (an
/// approval it never had) dropped; recorded anew in place of the old one as [`correct_kind`]
/// does. `None`: nothing recorded.
pub fn correct_record(
    ctx: &TrackContext,
    kind: Option<Kind>,
    accepted: NaiveDate,
) -> Option<TrackOutput> {
    let app = ctx.user.applications.last()?;
    let mut updated = app.clone();
    if let Some(kind) = kind {
        updated.details.kind = kind;
    }
    let event = Event::Submitted {
        accepted_on: Some(accepted),
        acceptance_no: app.acceptance_no().map(str::to_string),
    };
    updated.history = vec![StatusEntry { event, at: ctx.now }];
    Some(rewritten(ctx, app, updated, "好的，已改过来", true))
}

/// `病种给我补上 糖尿病`: the last recorded application gets disease `name` (a catalogue name),
/// recorded anew in place of the old one as [`correct_kind`] does. `None`: nothing recorded, or
/// already so. Only called with consent (the disease is personal).
pub fn correct_disease(ctx: &TrackContext, name: &str) -> Option<TrackOutput> {
    let app =
        ctx.user.applications.last().filter(|a| a.details.disease.as_deref() != Some(name))?;
    let mut updated = app.clone();
    updated.details.disease = Some(name.to_string());
    Some(rewritten(ctx, app, updated, &format!("好的，病种已记为{name}"), false))
}

// ---------------------------------------------------------------------------------------------
// review_due

fn review_due_action(ctx: &TrackContext) -> TrackOutput {
    let mut out = TrackOutput::default();
    let region = region_by_id(ctx, slot(ctx, "region").or(ctx.region));
    let kind = slot(ctx, "kind").and_then(Kind::from_slot).unwrap_or(Kind::New);
    let (date, note) = match (slot_date(ctx, "accepted_on"), region) {
        _ if !kind.has_review_limit() => (
            "（来源未给出）".into(),
            format!(
                "来源没有给出{}的审核时限，无法估算办结日期；等了很久还没有结果的，请咨询{}。",
                kind.label(),
                contact(region)
            ),
        ),
        // No published limit: say so and where to check, never a borrowed figure.
        (_, Some(region)) if region.review_days().is_none() => {
            ("（当地未公布审核时限）".into(), region.no_review_limit_text())
        }
        (Some(on), Some(region)) => {
            let days = region.review_days().unwrap_or_default();
            let due = calendar::working_days_after(&ctx.content.calendar, on, days);
            let note = format!(
                "{}的审核时限是受理后{days}个工作日（受理当天不计），从{}算起是{}；{}。",
                region.name,
                format_cn(on),
                format_cn(due.date),
                calendar::note(&ctx.content.calendar, due)
            );
            (due.date.format("%Y-%m-%d").to_string(), note)
        }
        (None, _) => ("（未知）".into(), "还不知道受理日期，暂时算不出审核期限。".into()),
        (_, None) => ("（未知）".into(), "请先选择地区，才能按当地时限计算审核期限。".into()),
    };
    out.set.insert("due_date".into(), date);
    out.set.insert("due_note".into(), note);
    out
}

// ---------------------------------------------------------------------------------------------
// Buttons

/// Handles a pressed tracking button; `None` when the payload is not (or no longer) valid.
pub fn on_button(payload: &str, ctx: &TrackContext) -> Option<TrackOutput> {
    let mut parts = payload.split(':');
    match (parts.next()?, parts.next()?, parts.next()) {
        ("r", "all", None) => Some(switch_off_all(ctx)),
        ("r", "off", Some(id)) => switch_off(ctx, id.parse().ok()?),
        ("r", "del", Some(id)) => delete_task(ctx, id.parse().ok()?),
        ("r", "mv", Some(id)) => {
            let day = NaiveDate::parse_from_str(parts.next()?, "%Y%m%d").ok()?;
            move_task(ctx, id.parse().ok()?, day)
        }
        ("t", op, Some(id)) => app_button(ctx, op, id.parse().ok()?),
        _ => None,
    }
}

fn switch_off(ctx: &TrackContext, id: i64) -> Option<TrackOutput> {
    let (app, reminder) = ctx.user.applications.iter().find_map(|a| {
        a.reminders.iter().find(|r| r.id == id && r.state == ReminderState::Pending).map(|r| (a, r))
    })?;
    let region = app_region(ctx, app);
    let mut out = TrackOutput::text(format!(
        "已取消：{} {}（{}），这个提醒不会再发；申请记录还在。",
        format_cn(in_china(reminder.due_at).date_naive()),
        reminder.kind.label(),
        app.title(region.map(|r| r.name.as_str()))
    ));
    out.effects.push(Effect::Reminders(ReminderCommand::SwitchOff { id }));
    Some(out)
}

/// Deletes a reminder of the user's own task; `None` for an id that is not (or no longer) one.
fn delete_task(ctx: &TrackContext, id: i64) -> Option<TrackOutput> {
    let task = pending_tasks(ctx).into_iter().find(|t| t.id == id)?;
    let mut out = TrackOutput::text(format!(
        "已取消：{} {}，这个提醒已删除，不会再发。",
        format_cn(in_china(task.due_at).date_naive()),
        task.task
    ));
    out.effects.push(Effect::Reminders(ReminderCommand::DeleteTask { id }));
    Some(out)
}

/// Moves a reminder of the user's own task to `day` (its morning, or the next moment inside the
/// send window when that is today and later); `None` for an id that is not (or no longer) one.
/// A day gone, or the day it is on already, changes nothing and says so.
fn move_task(ctx: &TrackContext, id: i64, day: NaiveDate) -> Option<TrackOutput> {
    let task = pending_tasks(ctx).into_iter().find(|t| t.id == id)?;
    let on = in_china(task.due_at).date_naive();
    if day < today(ctx) {
        return Some(TrackOutput::text(format!(
            "{}已经过去了，“{}”的提醒没有改，还是{}。要改的话请说以后的一天，例如“改到12月20号”。",
            format_cn(day),
            task.task,
            format_cn(on)
        )));
    }
    if day == on {
        return Some(TrackOutput::text(format!(
            "“{}”的提醒本来就是{}，不用改。",
            task.task,
            format_cn(on)
        )));
    }
    let due_at = reminders::next_send_time(reminders::morning(day).max(ctx.now));
    let region = region_by_id(ctx, ctx.region).map(|r| format!("｜地区：{}", r.name));
    let mut out = TrackOutput::text(format!(
        "好的，“{}”的提醒已从{}改到{}，只提醒这一次（9:00–20:00之间）。\n来源：{}{}",
        task.task,
        format_cn(on),
        format_cn(day),
        ctx.content.citations.cite_short("README.md"),
        region.unwrap_or_default()
    ));
    out.effects.push(Effect::Reminders(ReminderCommand::MoveTask { id, due_at }));
    Some(out)
}

/// One line of the reminders list (`show_reminders`), numbered as it shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its number in the list (1-based).
    pub n: usize,
    /// The reminder's id.
    pub id: i64,
    /// The day it goes out (China time).
    pub day: NaiveDate,
    /// A reminder of the user's own task (deleted, may be moved), else an application's
    /// (switched off, its day follows the application).
    pub task: Option<String>,
}

impl Listed {
    /// The payload of its 删除/关闭 button, as the list offers it.
    pub fn remove_payload(&self) -> String {
        match self.task {
            Some(_) => format!("r:del:{}", self.id),
            None => format!("r:off:{}", self.id),
        }
    }
}

/// The pending reminders in the order and with the numbers the reminders list shows them:
/// the applications' first, then the user's own tasks, each soonest first.
pub fn listed_reminders(ctx: &TrackContext) -> Vec<Listed> {
    let mut apps: Vec<&crate::tracking::Reminder> = ctx
        .user
        .applications
        .iter()
        .flat_map(|a| &a.reminders)
        .filter(|r| r.state == ReminderState::Pending)
        .collect();
    apps.sort_by_key(|r| (r.due_at, r.id));
    let apps = apps.into_iter().map(|r| (r.id, r.due_at, None));
    let tasks = pending_tasks(ctx).into_iter().map(|t| (t.id, t.due_at, Some(t.task.clone())));
    apps.chain(tasks)
        .enumerate()
        .map(|(i, (id, due_at, task))| Listed {
            n: i + 1,
            id,
            day: in_china(due_at).date_naive(),
            task,
        })
        .collect()
}

fn switch_off_all(ctx: &TrackContext) -> TrackOutput {
    let any = ctx
        .user
        .applications
        .iter()
        .flat_map(|a| &a.reminders)
        .any(|r| r.state == ReminderState::Pending)
        || !pending_tasks(ctx).is_empty();
    if !any {
        return TrackOutput::text("目前没有待发送的提醒，不需要取消。");
    }
    let mut out =
        TrackOutput::text("已取消全部待发送的提醒，都不会再发；申请记录还在，以后记录新的进度时，我会按新进度重新安排提醒。");
    out.effects.push(Effect::Reminders(ReminderCommand::SwitchOffAll));
    out
}

fn app_button(ctx: &TrackContext, op: &str, id: i64) -> Option<TrackOutput> {
    let (n, app) = find_app(ctx, id)?;
    let region = app_region(ctx, app);
    let title = app.title(region.map(|r| r.name.as_str()));
    let today = today(ctx);
    let (event, follow_up) = match op {
        "sub" => (
            Event::Submitted { accepted_on: Some(today), acceptance_no: None },
            "已按今天受理记录；如果不是今天，告诉我受理日期（如“9月26日受理的”）。",
        ),
        "ok" => (
            Event::Approved { valid_until: None },
            "有效期到哪天？直接告诉我（如“有效期到2027年6月30日”），我会在到期前提醒您续期。",
        ),
        "sup" => (
            Event::NeedsSupplement { what: None, by: None },
            "要补什么、哪天前交？告诉我（如“补诊断证明，10月31日前”），我会在截止前提醒您。",
        ),
        "rej" => (
            Event::Rejected { reason: None },
            "驳回原因可以告诉我（如“驳回了，原因是缺少检查报告”），我帮您记下。",
        ),
        "resub" => (
            Event::Resubmitted { accepted_on: Some(today) },
            "已按今天重新提交记录，审核期限重新计算。",
        ),
        "appeal" => (Event::Appealed, "申诉结果出来后告诉我。"),
        "del" => {
            let mut out = TrackOutput::text(format!(
                "确定删除第{n}份申请“{title}”吗？删除后它的提醒也会一起取消。"
            ));
            out.choices = vec![
                TrackChoice { label: "确定删除".into(), payload: format!("t:delok:{id}") },
                TrackChoice { label: "不删了".into(), payload: format!("t:keep:{id}") },
            ];
            return Some(out);
        }
        "delok" => {
            let mut out = TrackOutput::text(format!("已删除“{title}”及其提醒。"));
            out.effects.push(Effect::Application(ApplicationCommand::Delete { id }));
            return Some(out);
        }
        "keep" => return Some(TrackOutput::text("好的，没有删除。")),
        _ => return None,
    };
    Some(report(ctx, app, event, follow_up))
}

/// Records `event` on `app` (checked against the status flow), re-plans its reminders and
/// confirms with the updated summary.
fn report(ctx: &TrackContext, app: &Application, event: Event, follow_up: &str) -> TrackOutput {
    let from = app.status();
    let to = event.status();
    if !app.may_become(to) {
        return TrackOutput::text(format!(
            "这份申请现在是“{}”，不能直接改成“{}”。如果是另一份新的申请，请在菜单里选“记录申请进度”另记一份；如果记错了，可以在“我的申请”里删除后重新记录。",
            from.label(),
            to.label()
        ));
    }
    let event = app.merged(event);
    let mut updated = app.clone();
    updated.history.push(StatusEntry { event: event.clone(), at: ctx.now });
    let region = app_region(ctx, &updated);
    let planned = plan(&updated, region, &ctx.content.calendar, ctx.now);
    let mut lines = vec![format!("已更新：{}", updated.title(region.map(|r| r.name.as_str())))];
    lines.extend(summary(ctx, &updated));
    lines.extend(reminder_lines(&planned.iter().map(|p| (p.kind, p.due_at)).collect::<Vec<_>>()));
    if !follow_up.is_empty() {
        lines.push(follow_up.to_string());
    }
    let mut out = TrackOutput::text(lines.join("\n"));
    out.effects.push(Effect::Application(ApplicationCommand::Report {
        id: app.id,
        event,
        reminders: planned,
    }));
    out
}

// ---------------------------------------------------------------------------------------------
// Free-text status reports

/// What a free-text message reports.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reported {
    Approved,
    Supplement,
    Rejected,
    Resubmitted,
    Appealed,
    AcceptanceNo,
    Accepted,
}

/// `questions`: words that make a message a question (handled by the FAQ), not a report
/// (`question_clear` and `question_weak` of `faq/understand.yaml`).
fn classify<'w>(
    text: &str,
    mut questions: impl Iterator<Item = &'w String>,
    words: &ReportWords,
) -> Option<Reported> {
    let has = |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
    if questions.any(|w| !w.is_empty() && text.contains(w.as_str())) {
        return None;
    }
    // "我不服", "找地方说理", a bare "申诉": asking how to appeal, not news of an appeal made.
    if has(&words.not_news) || text.trim() == "申诉" {
        return None;
    }
    // Order matters: "补交了" is a resubmission, "没通过" a rejection, not an approval.
    let kinds = [
        (&words.resubmitted, Reported::Resubmitted),
        (&words.rejected, Reported::Rejected),
        (&words.appealed, Reported::Appealed),
        (&words.supplement, Reported::Supplement),
        (&words.approved, Reported::Approved),
        (&words.acceptance_no, Reported::AcceptanceNo),
        (&words.accepted, Reported::Accepted),
    ];
    kinds.into_iter().find(|(list, _)| has(list)).map(|(_, kind)| kind)
}

/// Recognises a free-text status report about the user's application; `None` when `text` is not
/// one (the engine then tries the FAQ).
pub fn status_report(text: &str, ctx: &TrackContext) -> Option<TrackOutput> {
    let text = input::normalize(text);
    let words = &ctx.content.understand;
    let questions = words.question_clear.iter().chain(&words.question_weak);
    let reported = classify(&text, questions, &words.commands.reports)
        .or_else(|| handed_in_on_a_day(&text, ctx))
        .or_else(|| corrected_day(&text, ctx))?;
    let Some(app) = ctx.user.applications.last() else {
        // "它说材料不全 要补材料" with nothing recorded: what to do next (the FAQ) matters more
        // than where to record it.
        let record_it = words.commands.reports.record_it.iter();
        let asks_to_record = record_it.filter(|w| !w.is_empty()).any(|w| text.contains(w.as_str()));
        if !asks_to_record
            && matches!(reported, Reported::Supplement | Reported::Rejected | Reported::Appealed)
        {
            return None;
        }
        let mut out = TrackOutput::text(
            "您还没有记录申请，我不知道这是哪一份。先点下面的“记录申请进度”记下这份申请，之后的进度直接告诉我就行。",
        );
        out.record_first = true;
        return Some(out);
    };
    // An acceptance number may look like a date (20250926…): look for dates without it.
    let number = (reported == Reported::AcceptanceNo)
        .then(|| acceptance_number(&text, &words.commands.reports.acceptance_no))
        .flatten();
    let dated = match &number {
        Some(no) => text.replace(no.as_str(), " "),
        None => text.clone(),
    };
    // `上礼拜三` on a Sunday: which of two days is asked before anything is changed.
    if let Some(question) = which_day(&dated, today(ctx)) {
        return Some(TrackOutput::text(question));
    }
    let date = match input::parse_date(&dated, today(ctx)) {
        Ok(date) => Some(date),
        Err(err @ InputError::NoSuchDay(..)) => {
            return Some(TrackOutput::text(format!("{err}（这次没有记录任何变化）")));
        }
        // `上个月26号`, `前天`: the chat's forms of a date.
        Err(_) => said_date(&dated, ctx),
    };
    let (event, follow_up) = match reported {
        Reported::Approved => {
            // "9月30日通过了" dates the approval, not the end of validity.
            let validity = ["有效期", "到", "至", "截止"].iter().any(|w| text.contains(w));
            let date = date.filter(|_| validity);
            (
                Event::Approved { valid_until: date },
                if date.is_some() {
                    ""
                } else {
                    "有效期到哪天？告诉我（如“有效期到2027年6月30日”），我会在到期前提醒您续期。"
                },
            )
        }
        Reported::Supplement => {
            let what = after_any(&text, &["补充", "补交", "补"])
                .filter(|w| !matches!(w.as_str(), "材料" | "资料" | "件"));
            let follow_up = if date.is_none() {
                "哪天前要交？告诉我日期（如“10月31日前”），我会在截止前提醒您。"
            } else {
                ""
            };
            // Without consent "what" may be "我妈的住院病历": not kept (the reminder still says
            // by when), with consent kept with identifiers masked.
            let what = what.filter(|_| consented(ctx)).map(|w| privacy::mask_identifiers(&w).into_owned());
            (Event::NeedsSupplement { what, by: date }, follow_up)
        }
        Reported::Rejected => {
            let reason = after_any(&text, &["原因是", "原因：", "原因:", "因为", "理由是"])
                .and_then(|r| privacy::keepable_note(&r, consented(ctx)));
            (Event::Rejected { reason }, "")
        }
        Reported::Resubmitted => {
            (Event::Resubmitted { accepted_on: Some(date.unwrap_or(today(ctx))) }, "")
        }
        Reported::Appealed => (Event::Appealed, ""),
        Reported::AcceptanceNo => match number {
            Some(no) if privacy::keepable_reference(&no, consented(ctx)).is_none() => {
                return Some(TrackOutput::text(
                    "这串数字像是身份证号或手机号，不是受理号。您没有同意保存个人信息，所以没有记录。受理号在受理回执或APP的“办理进度”里。",
                ))
            }
            Some(no) => {
                let acceptance_no = privacy::keepable_reference(&no, consented(ctx));
                (Event::Submitted { accepted_on: date, acceptance_no }, "")
            }
            None => {
                return Some(TrackOutput::text(
                    "没看清受理号。请这样发：“受理号是 SC2025092600123”（字母、数字都可以）。",
                ))
            }
        },
        Reported::Accepted => match date {
            Some(on) => (Event::Submitted { accepted_on: Some(on), acceptance_no: None }, ""),
            None => {
                return Some(TrackOutput::text(
                    "哪天受理的？请带上日期告诉我，例如“9月26日受理的”，我来算审核期限。",
                ))
            }
        },
    };
    Some(report(ctx, app, event, follow_up))
}

/// `刚在湘医保上把延期交了`: the renewal recorded while its benefit runs is handed in on `on`
/// (no day said: today), the record updated as a dated report would (play-test round 11, P4).
/// `None`: the last record is no renewal, or is under review already.
pub fn renewal_handed_in(ctx: &TrackContext, on: NaiveDate) -> Option<TrackOutput> {
    let app = ctx.user.applications.last()?;
    if app.details.kind != crate::tracking::Kind::Renew || app.status().under_review() {
        return None;
    }
    let event = Event::Submitted { accepted_on: Some(on), acceptance_no: None };
    app.may_become(event.status()).then(|| report(ctx, app, event, ""))
}

/// `不对 是上个月26号交的`: a weaker word of handing in (`reported_accepted` of
/// `faq/understand.yaml`: 交的, 交了 …) reports an acceptance only with a day said and no
/// question in it (`材料交了` alone is no news about the application).
fn handed_in_on_a_day(text: &str, ctx: &TrackContext) -> Option<Reported> {
    let words = &ctx.content.understand;
    let asks = words.question_clear.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
    let handed_in = words.commands.reported_accepted.iter().any(|w| text.contains(w.as_str()));
    let dated = input::parse_date(text, today(ctx)).is_ok() || said_date(text, ctx).is_some();
    (handed_in && dated && !asks).then_some(Reported::Accepted)
}

/// Longest message read as a bare correction of the acceptance date (`不对 是上个礼拜二`).
const MAX_CORRECTION_CHARS: usize = 16;

/// `不对 是上个礼拜二` right after an application was recorded: a short correction with a day
/// and no question corrects the acceptance date of the last application under review, even
/// without a word of handing in.
fn corrected_day(text: &str, ctx: &TrackContext) -> Option<Reported> {
    let words = &ctx.content.understand;
    let corrects = words.commands.correction.iter().any(|w| text.contains(w.as_str()));
    let asks = words.question_clear.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
    let dated = input::parse_date(text, today(ctx)).is_ok() || said_date(text, ctx).is_some();
    let under_review = ctx.user.applications.last().is_some_and(|a| a.status().under_review());
    (corrects && dated && !asks && under_review && text.chars().count() <= MAX_CORRECTION_CHARS)
        .then_some(Reported::Accepted)
}

/// `上礼拜三` said on a Sunday may be three or ten days ago: the question that asks which,
/// with both dates. `None` when the day is clear.
pub fn which_day(text: &str, today: NaiveDate) -> Option<String> {
    let [later, earlier] = crate::understand::last_weekday_readings(text, today)?;
    Some(format!(
        "今天是星期天，您说的是{}还是{}？请带上日期再告诉我一次，例如“{}交的”。这次没有记录任何变化。",
        format_cn(later),
        format_cn(earlier),
        later.format("%-m月%-d日")
    ))
}

/// The first date `text` names in the chat's forms (`上个月26号`), when the strict reader of
/// typed dates finds none.
fn said_date(text: &str, ctx: &TrackContext) -> Option<NaiveDate> {
    crate::understand::dates_in(text, today(ctx)).first().copied()
}

/// Whether the user agreed to keep personal data (not asked yet counts as no).
fn consented(ctx: &TrackContext) -> bool {
    ctx.consent == Some(true)
}

/// The words after the first of `markers`, up to punctuation or a date; `None` when empty.
fn after_any(text: &str, markers: &[&str]) -> Option<String> {
    let (_, rest) = markers.iter().find_map(|m| text.split_once(m))?;
    let stop = |c: char| "，,。.;；!！\n".contains(c) || c.is_ascii_digit();
    let what: String = rest.chars().take_while(|c| !stop(*c)).collect();
    let what = what.trim().trim_start_matches(['是', ':', '：', '了']).trim();
    (!what.is_empty()).then(|| what.chars().take(60).collect())
}

/// An acceptance number: the first run of 4+ letters, digits or dashes after a keyword
/// (`commands.reports.acceptance_no` of faq/understand.yaml: 受理号, 回执上编号 …); without
/// one, a code with letters shaped like the ones issued (`医院给了个号SY20261208001`).
pub(super) fn acceptance_number(text: &str, markers: &[String]) -> Option<String> {
    let marked = markers.iter().filter(|m| !m.is_empty()).find_map(|m| text.split_once(m.as_str()));
    let Some((_, rest)) = marked else { return issued_code(text) };
    let token: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (token.len() >= 4 && token.len() <= 40).then_some(token)
}

/// A code with letters in it (`SY20261208001`): a bare number could be anything else.
fn issued_code(text: &str) -> Option<String> {
    let codes = crate::understand::codes_in(text).into_iter();
    codes.into_iter().find(|c| c.chars().any(|ch| ch.is_ascii_alphabetic()))
}
