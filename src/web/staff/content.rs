//! Content status and reload: which content version this server runs, a button that reloads
//! the content folder (validated in full first, as `mente check` does), the last reload's
//! result with every problem as `file:line`, and the as-of dates of the running FAQ files and
//! the calendar years covered, and the latest content changes made from the unanswered list
//! (who, when, what). The running version and the last result belong to the instance that
//! served the page ([`crate::reload`]).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use chrono::{DateTime, NaiveDate, Utc};

use super::auth::StaffUser;
use super::{see_other, staff_page};
use crate::assistant::Assistant;
use crate::clock::in_china;
use crate::reload::{Outcome, Report, Trigger, Version};
use crate::store::additions::{self, Change};
use crate::web::html::{csrf_field, escape};
use crate::web::App;

/// Content changes listed on the page.
const RECENT_CHANGES: i64 = 20;

/// `GET /staff/content`
pub async fn page(State(app): State<App>, Extension(user): Extension<StaffUser>) -> Response {
    // One snapshot for the whole page: a reload meanwhile must not mix two versions.
    let (assistant, version) = app.assistant.current_with_version();
    let mut body = String::from("<h1>内容状态</h1>");
    body.push_str(&running(&assistant, &version));
    body.push_str(&format!(
        "<form method=\"post\" action=\"/staff/content/reload\">{}<button>重新载入内容</button></form>\
         <p class=\"meta\">内容文件夹里的文件一改，这台服务器会自动重新载入；也可以点上面的按钮。\
         新内容先按 mente check 完整检查，有任何问题就继续用运行中的版本。按钮只作用于这台服务器（多台时，每台各自看自己的内容文件夹）。</p>",
        csrf_field(&user.csrf)
    ));
    body.push_str(&last_reload(app.assistant.last_reload().as_ref()));
    match additions::recent(app.store.pool(), RECENT_CHANGES).await {
        Ok(changes) => body.push_str(&changes_list(&changes)),
        Err(err) => return super::failed(err),
    }
    body.push_str(&as_of_table(&assistant));
    staff_page(&user, "内容状态", "/staff/content", &body)
}

/// `POST /staff/content/reload`: reloads, then shows the page with the result.
pub async fn reload(State(app): State<App>, Extension(user): Extension<StaffUser>) -> Response {
    let root = &app.config.content_root;
    let report =
        app.assistant.reload(root, Trigger::Console(user.name.clone()), app.clock.now()).await;
    tracing::info!(staff = %user.name, ok = !matches!(report.outcome, Outcome::Failed(..)), "web: content reload from the console");
    see_other("/staff/content")
}

/// The running version and what it holds.
fn running(assistant: &Assistant, version: &Version) -> String {
    let c = &assistant.content;
    let diseases: usize = c.diseases.by_region.values().map(Vec::len).sum();
    format!(
        "<h2>运行中的内容</h2><p class=\"ok\">{}，载入于 {}。内容无问题：{} 个对话、{} 条问答、{} 个地区、{} 个病种。</p>",
        escape(&version_name(version)),
        when(version.loaded_at),
        c.dialogs.trees.len(),
        c.faq.len(),
        c.regions.len(),
        diseases
    )
}

/// The last reload's result, every problem on its own line.
fn last_reload(report: Option<&Report>) -> String {
    let mut out = String::from("<h2>上次重新载入</h2>");
    let Some(report) = report else {
        out.push_str("<p class=\"meta\">启动以来还没有重新载入过。</p>");
        return out;
    };
    let head = format!("{} · {}", when(report.at), trigger_name(&report.trigger));
    match &report.outcome {
        Outcome::Loaded(version) => out.push_str(&format!(
            "<p class=\"ok\">{} · 成功：现在运行{}。</p>",
            escape(&head),
            escape(&version_name(version))
        )),
        Outcome::Unchanged(version) => out.push_str(&format!(
            "<p class=\"ok\">{} · 内容文件没有变化，仍是{}。</p>",
            escape(&head),
            escape(&version_name(version))
        )),
        Outcome::Failed(problems, kept) => {
            out.push_str(&format!(
                "<p class=\"problem\">{} · 失败：{} 个问题，助手继续使用{}。改好后会自动重新载入：</p><ul class=\"diagnostics\">",
                escape(&head),
                problems.len(),
                escape(&version_name(kept))
            ));
            for d in problems {
                out.push_str(&format!("<li><code>{}</code></li>", escape(&d.to_string())));
            }
            out.push_str("</ul>");
        }
    }
    out
}

/// The latest changes made from the unanswered list, newest first.
fn changes_list(changes: &[Change]) -> String {
    let mut out = String::from("<h2>工作台里的内容修改</h2>");
    if changes.is_empty() {
        out.push_str("<p class=\"meta\">还没有人从“未答问题”添加过问法或问答。</p>");
        return out;
    }
    out.push_str("<ul class=\"changes\">");
    for c in changes {
        let at = DateTime::<Utc>::from_timestamp(c.at, 0).map(when).unwrap_or_default();
        let what = if c.kind == "entry" { "新问答" } else { "新问法" };
        out.push_str(&format!(
            "<li>{} · {} · {what}“{}” → <code>{}</code>（{}）</li>",
            escape(&at),
            escape(&c.staff),
            escape(&c.question),
            escape(&c.entry_id),
            escape(&c.file)
        ));
    }
    out.push_str("</ul>");
    out
}

/// `版本 3（指纹 0a1b2c3d4e5f）`: the number counts reloads of this server, the fingerprint is
/// the same on every server running the same files.
fn version_name(version: &Version) -> String {
    match &version.fingerprint {
        Some(print) => format!("版本 {}（指纹 {print}）", version.number),
        None => format!("版本 {}", version.number),
    }
}

fn trigger_name(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Signal => "收到 SIGHUP".into(),
        Trigger::Watcher => "内容文件有改动".into(),
        Trigger::Console(name) => format!("{name} 在工作台点了重新载入"),
        Trigger::Edit(name) => format!("{name} 在“未答问题”里添加了问法或问答"),
    }
}

fn when(at: DateTime<Utc>) -> String {
    in_china(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Per FAQ file: entries, oldest and newest as-of date; then the calendar's years.
fn as_of_table(assistant: &Assistant) -> String {
    let c = &assistant.content;
    let mut files: BTreeMap<&str, (usize, NaiveDate, NaiveDate)> = BTreeMap::new();
    for e in &c.faq {
        let row = files.entry(e.file.as_str()).or_insert((0, e.as_of, e.as_of));
        row.0 += 1;
        row.1 = row.1.min(e.as_of);
        row.2 = row.2.max(e.as_of);
    }
    let mut out = String::from(
        "<h2>运行中内容的核对日期（as_of）</h2><div class=\"table-wrap\"><table><thead><tr><th>文件</th><th>条数</th><th>最早</th><th>最新</th></tr></thead><tbody>",
    );
    for (file, (n, oldest, newest)) in files {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{n}</td><td>{oldest}</td><td>{newest}</td></tr>",
            escape(file)
        ));
    }
    out.push_str("</tbody></table></div>");
    let years = c
        .calendar
        .span()
        .map(|(a, b)| format!("节假日日历覆盖 {a}–{b} 年；之外的日期按只排除周末估算。"))
        .unwrap_or_else(|| "没有节假日日历：期限按只排除周末估算。".into());
    out.push_str(&format!("<p class=\"meta\">{}</p>", escape(&years)));
    out
}
