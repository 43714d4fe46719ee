//! Content status: the `mente check` result for the content folder the server runs on (read
//! again on each visit, so staff see the effect of an edit before a restart) and the as-of
//! dates of the FAQ files and the calendar years covered.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use chrono::NaiveDate;

use super::auth::StaffUser;
use super::staff_page;
use crate::content;
use crate::web::html::escape;
use crate::web::App;

/// `GET /staff/content`
pub async fn page(State(app): State<App>, Extension(user): Extension<StaffUser>) -> Response {
    let root = app.config.content_root.clone();
    // Reading and validating the files is blocking work of a few tens of milliseconds.
    let checked = tokio::task::spawn_blocking(move || {
        content::read_sources(&root)
            .map_err(|diagnostics| content::ContentError { diagnostics })
            .and_then(|sources| content::from_sources(&sources))
    })
    .await;
    let mut body = String::from("<h1>内容状态</h1><h2>检查结果（mente check）</h2>");
    match checked {
        Ok(Ok(c)) => {
            let diseases: usize = c.diseases.by_region.values().map(Vec::len).sum();
            body.push_str(&format!(
                "<p class=\"ok\">内容无问题：{} 个对话、{} 条问答、{} 个地区、{} 个病种。</p>",
                c.dialogs.trees.len(),
                c.faq.len(),
                c.regions.len(),
                diseases
            ));
        }
        Ok(Err(mut err)) => {
            err.diagnostics.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            body.push_str(&format!(
                "<p class=\"problem\">{} 个问题（修改后服务器重启前，助手仍用启动时的内容）：</p><ul class=\"diagnostics\">",
                err.diagnostics.len()
            ));
            for d in &err.diagnostics {
                body.push_str(&format!("<li><code>{}</code></li>", escape(&d.to_string())));
            }
            body.push_str("</ul>");
        }
        Err(err) => body.push_str(&format!(
            "<p class=\"problem\">检查没有完成：{}</p>",
            escape(&err.to_string())
        )),
    }
    body.push_str(&as_of_table(&app));
    staff_page(&user, "内容状态", "/staff/content", &body)
}

/// Per FAQ file: entries, oldest and newest as-of date; then the calendar's years.
fn as_of_table(app: &App) -> String {
    let c = &app.assistant.content;
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
