//! The page staff keep open during calls: one search box giving both regions' FAQ answers side
//! by side (source, as-of date) and disease matches with notes, plus a reimbursement estimate
//! and a deadline calculator. The same library calls as `mente ask`, `disease`, `calc`, `due`.
//! Keyboard first: the box has focus, Enter searches.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use chrono::NaiveDate;
use serde::Deserialize;

use super::auth::StaffUser;
use super::staff_page;
use crate::clock::china_today;
use crate::policy::calc::{self, CalcInput, Insurance};
use crate::policy::calendar;
use crate::web::html::{escape, multiline};
use crate::web::App;

/// `?q=` of the search box.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The calculator form.
#[derive(Debug, Default, Deserialize)]
pub struct CalcQuery {
    #[serde(default)]
    region: String,
    #[serde(default)]
    insurance: String,
    #[serde(default)]
    retired: Option<String>,
    #[serde(default)]
    expense: String,
}

/// The deadline form. With a region and no day count, the region's published review time limit
/// is used; a region that publishes none gets that fact instead of a date (as `mente due`).
#[derive(Debug, Default, Deserialize)]
pub struct DueQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    days: String,
}

/// `GET /staff?q=…`
pub async fn page(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Query(query): Query<SearchQuery>,
) -> Response {
    let results =
        if query.q.trim().is_empty() { String::new() } else { search(&app, query.q.trim()) };
    let body =
        layout(&app, &query.q, &results, &CalcQuery::default(), "", &DueQuery::default(), "");
    staff_page(&user, "查询", "/staff", &body)
}

/// `GET /staff/calc?region=&insurance=&retired=&expense=`
pub async fn calc(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Query(query): Query<CalcQuery>,
) -> Response {
    let result = estimate(&app, &query);
    let body = layout(&app, "", "", &query, &result, &DueQuery::default(), "");
    staff_page(&user, "报销估算", "/staff", &body)
}

/// `GET /staff/due?from=&region=&days=`
pub async fn due(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Query(query): Query<DueQuery>,
) -> Response {
    let result = deadline(&app, &query);
    let body = layout(&app, "", "", &CalcQuery::default(), "", &query, &result);
    staff_page(&user, "期限计算", "/staff", &body)
}

fn layout(
    app: &App,
    q: &str,
    results: &str,
    calc_q: &CalcQuery,
    calc_result: &str,
    due_q: &DueQuery,
    due_result: &str,
) -> String {
    let focus = if calc_q.region.is_empty() && due_q.from.is_empty() { " autofocus" } else { "" };
    let mut out = format!(
        "<form method=\"get\" action=\"/staff\" class=\"search\" role=\"search\">\
         <label for=\"q\">问题或病种（回车查询）</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\"{focus} accesskey=\"s\" placeholder=\"例如：门槛费多少 / 尿毒症\">\
         <button>查询</button></form>{results}",
        escape(q)
    );
    out.push_str("<div class=\"tools-grid\">");
    out.push_str(&calc_form(app, calc_q, calc_result));
    out.push_str(&due_form(app, due_q, due_result));
    out.push_str("</div>");
    out
}

/// Both regions' answers side by side, then disease matches. A question naming one region (or
/// its app) gets only that region's answer, said: the other column would show the other
/// region's rule next to a question it does not answer, as `mente ask` did before.
fn search(app: &App, q: &str) -> String {
    let a = app.assistant.current();
    let named = a.region_named(q, china_today(app.clock.now()));
    let mut out = String::from("<h2>问答</h2>");
    if let Some(region) = named.as_deref().and_then(|id| a.content.regions.get(id)) {
        out.push_str(&format!(
            "<p class=\"meta\">问题里提到了{0}，只显示{0}的回答。</p>",
            escape(&region.name)
        ));
    }
    out.push_str("<div class=\"side-by-side\">");
    let shown = a.content.regions.values().filter(|r| named.as_deref().map_or(true, |n| n == r.id));
    for region in shown {
        let answer = a.knowledge.answer(q, Some(&region.id));
        let entry = answer.id.as_deref().and_then(|id| a.content.faq.iter().find(|e| e.id == id));
        out.push_str(&format!("<section class=\"answer\"><h3>{}</h3>", escape(&region.name)));
        if answer.id.is_none() {
            out.push_str("<p class=\"unsure\">不确定（助手对用户会这样回答）：</p>");
        }
        out.push_str(&format!("<p>{}</p>", multiline(&answer.answer)));
        let source = answer.source.as_deref().map(|s| a.content.citations.cite(s));
        out.push_str(&format!(
            "<p class=\"meta\">来源：{} · 截至：{} · 匹配度 {:.2}{}</p></section>",
            escape(source.as_deref().unwrap_or("无")),
            entry.map(|e| e.as_of.to_string()).unwrap_or_else(|| "—".into()),
            answer.score,
            answer.id.as_deref().map(|id| format!(" · {}", escape(id))).unwrap_or_default(),
        ));
    }
    out.push_str("</div><h2>病种</h2><div class=\"side-by-side\">");
    for region in a.content.regions.values() {
        let matches = a.knowledge.match_disease(q, &region.id);
        out.push_str(&format!("<section class=\"answer\"><h3>{}</h3>", escape(&region.name)));
        if matches.is_empty() {
            out.push_str("<p class=\"meta\">没有相近的病种。</p>");
        }
        out.push_str("<ul>");
        for m in &matches {
            let via = m.alias.as_deref().filter(|al| *al != m.name);
            out.push_str(&format!(
                "<li><strong>{}</strong>{} <span class=\"meta\">{:.2}{}</span>{}</li>",
                escape(&m.name),
                via.map(|v| format!("（按“{}”匹配）", escape(v))).unwrap_or_default(),
                m.score,
                if m.strong { "" } else { " 不太确定" },
                m.note.as_deref().map(|n| format!("<br>注意：{}", escape(n))).unwrap_or_default(),
            ));
        }
        out.push_str("</ul></section>");
    }
    out.push_str("</div>");
    out
}

fn calc_form(app: &App, q: &CalcQuery, result: &str) -> String {
    let assistant = app.assistant.current();
    let mut regions = String::new();
    for r in assistant.content.regions.values() {
        let sel = if q.region == r.id { " selected" } else { "" };
        regions.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            escape(&r.id),
            escape(&r.name)
        ));
    }
    let ins = |v: &str| if q.insurance == v { " selected" } else { "" };
    format!(
        "<section class=\"tool\"><h2>报销估算</h2><form method=\"get\" action=\"/staff/calc\">\
         <label for=\"c-region\">地区</label><select id=\"c-region\" name=\"region\">{regions}</select>\
         <label for=\"c-ins\">参保类型</label><select id=\"c-ins\" name=\"insurance\">\
         <option value=\"employee\"{}>职工医保</option><option value=\"resident\"{}>城乡居民医保</option></select>\
         <label class=\"check\"><input type=\"checkbox\" name=\"retired\" value=\"1\"{}> 退休</label>\
         <label for=\"c-exp\">一年门特费用（元）</label><input id=\"c-exp\" name=\"expense\" inputmode=\"decimal\" value=\"{}\" required>\
         <button>估算</button></form>{result}</section>",
        ins("employee"),
        ins("resident"),
        if q.retired.is_some() { " checked" } else { "" },
        escape(&q.expense),
    )
}

fn estimate(app: &App, q: &CalcQuery) -> String {
    let assistant = app.assistant.current();
    let regions = &assistant.content.regions;
    let Some(region) = regions.get(&q.region) else {
        return problem("请选择地区。");
    };
    let Some(insurance) = Insurance::parse(&q.insurance) else {
        return problem("请选择参保类型。");
    };
    let Ok(expense) = q.expense.trim().trim_end_matches('元').parse::<f64>() else {
        return problem("费用请填数字，例如 12000。");
    };
    let input = CalcInput {
        region: region.id.clone(),
        insurance,
        retired: q.retired.is_some(),
        tier: None,
        age: None,
        expense,
    };
    let e = match calc::estimate(regions, &input) {
        Ok(e) => e,
        Err(err) => return problem(&err.to_string()),
    };
    let yuan = |x: f64| format!("{} 元", calc::money(x));
    let pct = |x: f64| format!("{}%", calc::money((x * 1000.0).round() / 10.0));
    let range = |min: f64, max: Option<f64>, show: &dyn Fn(f64) -> String| match max {
        Some(max) if max == min => show(min),
        Some(max) => format!("{} ~ {}", show(min), show(max)),
        None => format!("{} 起（上限未公开）", show(min)),
    };
    let mut out = format!(
        "<dl class=\"result\"><dt>起付线</dt><dd>{}</dd><dt>报销比例</dt><dd>{}</dd><dt>估算报销</dt><dd>{}</dd></dl><ul class=\"meta\">",
        e.deductible.map(|d| format!("{} 元/年", calc::money(d))).unwrap_or_else(|| "未公开".into()),
        range(e.ratio_min, e.ratio_max, &pct),
        range(e.estimate_min, e.estimate_max, &yuan),
    );
    for a in &e.assumptions {
        out.push_str(&format!("<li>{}</li>", escape(a)));
    }
    let sources: Vec<String> =
        e.sources.iter().map(|s| assistant.content.citations.cite(s)).collect();
    out.push_str(&format!("</ul><p class=\"meta\">来源：{}</p>", escape(&sources.join("；"))));
    out
}

fn due_form(app: &App, q: &DueQuery, result: &str) -> String {
    let assistant = app.assistant.current();
    let mut regions = String::from("<option value=\"\">不按地区（填工作日数）</option>");
    for r in assistant.content.regions.values() {
        let sel = if q.region == r.id { " selected" } else { "" };
        regions.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            escape(&r.id),
            escape(&r.name)
        ));
    }
    format!(
        "<section class=\"tool\"><h2>期限计算（工作日）</h2><form method=\"get\" action=\"/staff/due\">\
         <label for=\"d-from\">受理日期</label><input id=\"d-from\" name=\"from\" type=\"date\" value=\"{}\" required>\
         <label for=\"d-region\">地区（按当地公布的审核时限）</label><select id=\"d-region\" name=\"region\">{regions}</select>\
         <label for=\"d-days\">工作日数（选了地区可留空）</label><input id=\"d-days\" name=\"days\" inputmode=\"numeric\" value=\"{}\" placeholder=\"15\">\
         <button>计算</button></form>{result}</section>",
        escape(&q.from),
        escape(&q.days),
    )
}

fn deadline(app: &App, q: &DueQuery) -> String {
    let assistant = app.assistant.current();
    let Ok(from) = NaiveDate::parse_from_str(q.from.trim(), "%Y-%m-%d") else {
        return problem("日期格式：2026-11-28。");
    };
    let region = match q.region.trim() {
        "" => None,
        id => match assistant.content.regions.get(id) {
            Some(r) => Some(r),
            None => return problem("未知地区。"),
        },
    };
    let days = match (q.days.trim(), region) {
        ("", Some(r)) => match r.review_days() {
            Some(days) => days,
            // No published limit: no date (another region's figure would be passed on as fact).
            None => {
                return format!("<p class=\"result\">{}</p>", escape(&r.no_review_limit_text()))
            }
        },
        ("", None) => 15,
        (d, _) => match d.parse::<u32>() {
            Ok(n) if n <= 3650 => n,
            _ => return problem("工作日数请填 0–3650 的整数。"),
        },
    };
    let cal = &assistant.content.calendar;
    let due = calendar::working_days_after(cal, from, days);
    let today = china_today(app.clock.now());
    let passed = if due.date < today { "（已过）" } else { "" };
    format!(
        "<p class=\"result\"><strong>{}</strong>{passed}：{} 起第 {days} 个工作日（当天不计）。</p><p class=\"meta\">{}{}</p>",
        due.date.format("%Y-%m-%d"),
        from.format("%Y-%m-%d"),
        if due.exact { "" } else { "估算：" },
        escape(&calendar::note(cal, due)),
    )
}

fn problem(text: &str) -> String {
    format!("<p class=\"problem\" role=\"alert\">{}</p>", escape(text))
}
