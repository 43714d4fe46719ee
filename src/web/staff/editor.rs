//! From unanswered question to answer (issue 18 item 3): on the unanswered list an editor adds
//! a question as a new wording of an existing FAQ entry (picked from the console search's
//! ranking, same region) or drafts a new entry (region, question, answer, source).
//!
//! Only accounts with the editor role see the forms; a plain account's POST is refused with 403.
//! The change goes through [`crate::reload::edit`]: validated with the whole content as
//! `mente check` does, written atomically to `faq/staff-<region>.yaml`, reloaded at once. It is
//! logged (tracing) and recorded in the database with who, when and what
//! ([`crate::store::additions`]), and the question's group is marked answered by the entry.
//!
//! A new entry's source must belong to its region: a document another region's data cites and
//! this one's does not (攀枝花's seed for a 邵阳 answer) is refused; general documents (the
//! research notes, the assistant's own docs) fit every region. A refused form is kept in the
//! database and the browser sent to a page that shows it (POST-redirect-GET): reloading that
//! page shows the typed text again and submits nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};

use super::auth::StaffUser;
use super::unanswered::{self, View};
use super::{failed, see_other};
use crate::assistant::Assistant;
use crate::clock::china_today;
use crate::content::faq::MAX_ANSWER_CHARS;
use crate::reload::edit::{Addition, Author, EditError};
use crate::reload::Outcome;
use crate::store::additions::{self as audit, NewChange};
use crate::web::html::{csrf_field, escape};
use crate::web::App;

/// Entries offered in the wording picker.
const CANDIDATES: usize = 5;

/// Characters of an entry's answer shown in the picker.
const SNIPPET_CHARS: usize = 70;

/// The "add as a wording" form.
#[derive(Debug, Default, Deserialize)]
pub struct WordingForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    question: String,
    /// The similar groups shown with this one (answered with it).
    #[serde(default)]
    also: String,
}

/// The "draft a new entry" form.
#[derive(Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    verified: Option<String>,
    #[serde(default)]
    also: String,
}

/// Which of the two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A wording of an existing entry.
    Wording,
    /// A new entry.
    Entry,
}

/// A form sent back with its problems: shown filled in, open, with every problem listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Draft {
    /// The unanswered group it belongs to.
    pub group: i64,
    /// Which form.
    pub kind: Kind,
    region: String,
    entry: String,
    question: String,
    answer: String,
    source: String,
    verified: bool,
    /// Every problem, `file:line: message` where a file is concerned.
    pub problems: Vec<String>,
}

/// `POST /staff/unanswered/{id}/wording`
pub async fn add_wording(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    Form(form): Form<WordingForm>,
) -> Response {
    if !user.is_editor() {
        return not_an_editor(&user);
    }
    let draft = Draft {
        group: id,
        kind: Kind::Wording,
        region: form.region.trim().to_string(),
        entry: form.entry.trim().to_string(),
        question: form.question.trim().to_string(),
        answer: String::new(),
        source: String::new(),
        verified: false,
        problems: Vec::new(),
    };
    let addition = Addition::Wording {
        region: draft.region.clone(),
        entry: draft.entry.clone(),
        question: draft.question.clone(),
    };
    let mut missing = Vec::new();
    if draft.entry.is_empty() {
        missing.push("请先在列表里选一条问答。".to_string());
    }
    change(&app, &user, id, &form.also, addition, draft, missing).await
}

/// `POST /staff/unanswered/{id}/entry`
pub async fn add_entry(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    Form(form): Form<EntryForm>,
) -> Response {
    if !user.is_editor() {
        return not_an_editor(&user);
    }
    let draft = Draft {
        group: id,
        kind: Kind::Entry,
        region: form.region.trim().to_string(),
        entry: String::new(),
        question: form.question.trim().to_string(),
        answer: form.answer.clone(),
        source: form.source.trim().to_string(),
        verified: form.verified.is_some(),
        problems: Vec::new(),
    };
    let addition = Addition::Entry {
        region: draft.region.clone(),
        question: draft.question.clone(),
        answer: draft.answer.clone(),
        source: draft.source.clone(),
        verified: draft.verified,
    };
    let problems = source_of_another_region(&app.assistant.current(), &draft);
    change(&app, &user, id, &form.also, addition, draft, problems).await
}

/// A problem when the draft's source is a document only other regions cite (none for a
/// document of its own region or a general one, or when region or source is not chosen: the
/// checker reports those).
fn source_of_another_region(assistant: &Assistant, draft: &Draft) -> Vec<String> {
    let content = &assistant.content;
    let (Some(region), false) = (content.regions.get(&draft.region), draft.source.is_empty())
    else {
        return Vec::new();
    };
    let title = content.citations.cite(&draft.source);
    let cites = |r: &crate::content::regions::Region| {
        r.sources.iter().any(|s| content.citations.cite(s).contains(title.as_str()))
    };
    let owners: Vec<&str> =
        content.regions.values().filter(|r| cites(r)).map(|r| r.name.as_str()).collect();
    if owners.is_empty() || cites(region) {
        return Vec::new();
    }
    vec![format!(
        "来源“{title}”是{}的资料，不能作为{}问答的来源：请选{}的来源，或两地通用的资料。",
        owners.join("、"),
        region.name,
        region.name
    )]
}

/// 403 for a plain account (the forms are not shown to it; this is a hand-made request).
fn not_an_editor(user: &StaffUser) -> Response {
    tracing::warn!(staff = %user.name, "web: content change refused: not an editor");
    (StatusCode::FORBIDDEN, "只有编辑账号可以修改内容（mente staff add 名字 --role editor）")
        .into_response()
}

/// Checks, writes and reloads `addition`; records it and marks the group answered. On any
/// problem nothing is written and the page comes back with the form filled in.
async fn change(
    app: &App,
    user: &StaffUser,
    group: i64,
    also: &str,
    addition: Addition,
    mut draft: Draft,
    mut problems: Vec<String>,
) -> Response {
    let assistant = app.assistant.current();
    if !assistant.content.regions.contains_key(addition.region()) {
        problems.insert(0, "请选择地区。".to_string());
    }
    if addition.question().is_empty() {
        problems.push("问题（问法）不能为空。".to_string());
    }
    if problems.is_empty() {
        let now = app.clock.now();
        let author = Author { name: &user.name, now, today: china_today(now) };
        match app.assistant.add(&app.config.content_root, &addition, &author).await {
            Ok(added) => {
                let live = !matches!(added.report.outcome, Outcome::Failed(..));
                let change = NewChange {
                    staff: &user.name,
                    kind: addition.kind(),
                    region: addition.region(),
                    entry_id: &added.entry_id,
                    question: addition.question(),
                    file: &added.file,
                    item: &added.item,
                    unanswered_id: Some(group),
                };
                let answered: Vec<i64> = std::iter::once(group).chain(ids(also)).collect();
                let id = match audit::record(app.store.pool(), &change, &answered, now).await {
                    Ok(id) => id,
                    Err(err) => return failed(err),
                };
                tracing::info!(staff = %user.name, change = id, entry = %added.entry_id, live, "web: unanswered question turned into an answer");
                let live = if live { "" } else { "&live=0" };
                return see_other(&format!("/staff/unanswered?added={id}{live}"));
            }
            Err(EditError::Invalid(found)) => problems = found,
            Err(err @ EditError::Write { .. }) => return failed(err),
        }
    }
    tracing::info!(staff = %user.name, problems = problems.len(), kind = addition.kind(), "web: content change refused, nothing written");
    draft.problems = problems;
    // Kept, and the browser sent to a page showing it: a reload there submits nothing.
    let kept = match serde_json::to_string(&draft) {
        Ok(json) => audit::save_draft(app.store.pool(), &user.name, &json, app.clock.now()).await,
        Err(err) => {
            tracing::error!(error = %err, "web: refused form not kept");
            return unanswered::render(app, user, "", &View::refused(draft), StatusCode::OK).await;
        }
    };
    match kept {
        Ok(id) => see_other(&format!("/staff/unanswered?draft={id}#g{group}")),
        Err(err) => failed(err),
    }
}

/// The refused form `id` of `user`, when it is theirs and still kept.
pub(super) async fn kept_draft(app: &App, user: &StaffUser, id: i64) -> Option<Draft> {
    match audit::draft(app.store.pool(), id, &user.name).await {
        Ok(Some(json)) => serde_json::from_str(&json).ok(),
        Ok(None) => None,
        Err(err) => {
            tracing::error!(error = %err, "web: refused form unreadable");
            None
        }
    }
}

fn ids(list: &str) -> impl Iterator<Item = i64> + '_ {
    list.split(',').filter_map(|s| s.trim().parse().ok())
}

/// The line on top of the page after a change: what is live now.
pub(super) async fn notice(app: &App, change: i64, live: bool) -> String {
    let row = match audit::change(app.store.pool(), change).await {
        Ok(Some(row)) => row,
        Ok(None) => return String::new(),
        Err(err) => {
            tracing::error!(error = %err, "web: cannot read a content change");
            return String::new();
        }
    };
    let what = if row.kind == "entry" { "新问答" } else { "新问法" };
    if live {
        format!(
            "<p class=\"ok\" role=\"status\">已生效（内容版本 {}）：{what}“{}”现在由 <code>{}</code> 回答，写入 <code>{}</code>。</p>",
            app.assistant.version().number,
            escape(&row.question),
            escape(&row.entry_id),
            escape(&row.file)
        )
    } else {
        format!(
            "<p class=\"problem\" role=\"alert\">{what}“{}”已写入 <code>{}</code>，但重新载入失败（另一个文件有问题），见<a href=\"/staff/content\">内容状态</a>。</p>",
            escape(&row.question),
            escape(&row.file)
        )
    }
}

/// One unanswered group as the forms need it.
pub(super) struct Group<'a> {
    /// Row id of the group shown first.
    pub(super) id: i64,
    /// Its region ('' when the user had chosen none).
    pub(super) region: &'a str,
    /// Its question.
    pub(super) question: &'a str,
    /// The ids of the similar groups shown with it.
    pub(super) also: String,
}

/// The two editor forms of one group; `view` says which is open (a search or a draft of this
/// group).
pub(super) fn forms(assistant: &Assistant, user: &StaffUser, g: &Group<'_>, view: &View) -> String {
    let draft = view.draft.as_ref().filter(|d| d.group == g.id);
    let search = view.search.as_ref().filter(|(id, _)| *id == g.id).map(|(_, q)| q.as_str());
    let mut out = String::new();
    if let Some(d) = draft {
        out.push_str(&problems(d));
    }
    out.push_str(&wording_form(
        assistant,
        user,
        g,
        draft.filter(|d| d.kind == Kind::Wording),
        search,
    ));
    out.push_str(&entry_form(assistant, user, g, draft.filter(|d| d.kind == Kind::Entry)));
    out
}

/// The refused form's problems under one Chinese heading: the checker's `file:line` lines stay in
/// its English (the same as `mente check` prints), the heading says what they are.
fn problems(d: &Draft) -> String {
    let mut out = String::from(
        "<div class=\"problems\" role=\"alert\"><p class=\"problem\">没有写入：内容检查发现以下问题（文件:行，说明是检查程序的英文原文）。请改正后再提交（刷新本页不会重复提交）。</p><ul class=\"diagnostics\">",
    );
    for p in &d.problems {
        out.push_str(&format!("<li><code>{}</code></li>", escape(p)));
    }
    out.push_str("</ul></div>");
    out
}

fn wording_form(
    assistant: &Assistant,
    user: &StaffUser,
    g: &Group<'_>,
    draft: Option<&Draft>,
    search: Option<&str>,
) -> String {
    let open = if draft.is_some() || search.is_some() { " open" } else { "" };
    let region = draft.map_or(g.region, |d| d.region.as_str());
    let query = search.filter(|q| !q.is_empty()).unwrap_or(g.question);
    let question = draft.map_or(g.question, |d| d.question.as_str());
    let chosen = draft.map(|d| d.entry.as_str());
    let region_opt = assistant.content.regions.contains_key(region).then_some(region);
    let candidates = assistant.knowledge.faq().candidates(query, region_opt, CANDIDATES);
    let id = g.id;
    let place = region_opt
        .and_then(|r| assistant.content.regions.get(r))
        .map_or("所有地区".to_string(), |r| r.name.clone());
    let mut out = format!(
        "<details class=\"edit\"{open}><summary>加为已有问答的另一种问法</summary>\
         <form method=\"get\" action=\"/staff/unanswered#g{id}\" class=\"search\" role=\"search\">\
         <input type=\"hidden\" name=\"for\" value=\"{id}\">\
         <label for=\"q-{id}\">在{}的问答里查找（同查询页）</label>\
         <input id=\"q-{id}\" name=\"q\" type=\"search\" value=\"{}\"><button>查找</button></form>\
         <form method=\"post\" action=\"/staff/unanswered/{id}/wording\" class=\"editor\">{}\
         <input type=\"hidden\" name=\"also\" value=\"{}\">",
        escape(&place),
        escape(query),
        csrf_field(&user.csrf),
        escape(&g.also),
    );
    out.push_str(&region_field(assistant, "w", id, region));
    out.push_str("<fieldset><legend>选一条问答</legend>");
    if candidates.is_empty() {
        out.push_str("<p class=\"meta\">没有找到相近的问答：换个词查找，或起草新问答。</p>");
    }
    for (i, c) in candidates.iter().enumerate() {
        let checked = match chosen {
            Some(entry) => entry == c.id,
            None => i == 0,
        };
        out.push_str(&format!(
            "<label class=\"pick\"><input type=\"radio\" name=\"entry\" value=\"{}\"{}>\
             <span><strong>{}</strong><br><span class=\"meta\">{} · 匹配度 {:.2}</span><br><span class=\"snippet\">{}</span></span></label>",
            escape(&c.id),
            if checked { " checked" } else { "" },
            escape(&c.question),
            escape(&c.id),
            c.score,
            escape(&snippet(&c.answer)),
        ));
    }
    out.push_str(&format!(
        "</fieldset><label for=\"w-q-{id}\">加入的问法（可修改）</label>\
         <input id=\"w-q-{id}\" name=\"question\" value=\"{}\" required>\
         <button>检查并加入这条问答</button></form></details>",
        escape(question)
    ));
    out
}

fn entry_form(
    assistant: &Assistant,
    user: &StaffUser,
    g: &Group<'_>,
    draft: Option<&Draft>,
) -> String {
    let id = g.id;
    let open = if draft.is_some() { " open" } else { "" };
    let region = draft.map_or(g.region, |d| d.region.as_str());
    let question = draft.map_or(g.question, |d| d.question.as_str());
    let answer = draft.map_or("", |d| d.answer.as_str());
    let chosen = draft.map_or("", |d| d.source.as_str());
    let mut sources = String::from("<option value=\"\">请选择来源</option>");
    for (key, title) in assistant.content.citations.documents() {
        let sel = if key == chosen { " selected" } else { "" };
        sources.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            escape(key),
            escape(title)
        ));
    }
    let verified = if draft.is_some_and(|d| d.verified) { " checked" } else { "" };
    format!(
        "<details class=\"edit\"{open}><summary>起草新问答</summary>\
         <form method=\"post\" action=\"/staff/unanswered/{id}/entry\" class=\"editor\">{}\
         <input type=\"hidden\" name=\"also\" value=\"{}\">{}\
         <label for=\"e-q-{id}\">问题</label><input id=\"e-q-{id}\" name=\"question\" value=\"{}\" required>\
         <label for=\"e-a-{id}\">回答（最多 {MAX_ANSWER_CHARS} 字，一屏；只写来源里有的事实，不知道的写“暂无公开信息”）</label>\
         <textarea id=\"e-a-{id}\" name=\"answer\" rows=\"6\">{}</textarea>\
         <label for=\"e-s-{id}\">来源</label><select id=\"e-s-{id}\" name=\"source\">{sources}</select>\
         <label class=\"check\"><input type=\"checkbox\" name=\"verified\" value=\"1\"{verified}> 已逐字核对来源（不勾选时，回答后注明“以当地医保部门最新公布为准”）</label>\
         <button>检查并加入新问答</button></form></details>",
        csrf_field(&user.csrf),
        escape(&g.also),
        region_field(assistant, "e", id, region),
        escape(question),
        escape(answer),
    )
}

/// The region select, the group's region chosen (none when the user had not chosen one).
fn region_field(assistant: &Assistant, form: &str, id: i64, region: &str) -> String {
    let mut options = String::new();
    if !assistant.content.regions.contains_key(region) {
        options.push_str("<option value=\"\">请选择地区</option>");
    }
    for r in assistant.content.regions.values() {
        let sel = if r.id == region { " selected" } else { "" };
        options.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            escape(&r.id),
            escape(&r.name)
        ));
    }
    format!(
        "<label for=\"{form}-r-{id}\">地区（写入 faq/staff-地区.yaml）</label><select id=\"{form}-r-{id}\" name=\"region\">{options}</select>"
    )
}

/// The start of an answer, on one line.
fn snippet(answer: &str) -> String {
    let flat: String = answer.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(SNIPPET_CHARS).collect();
    if flat.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out
}
