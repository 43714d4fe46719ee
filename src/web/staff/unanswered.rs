//! Questions the assistant was not sure about, from every channel: grouped by similar wording
//! (stored groups share normalised wording; groups of one region whose wording is close are
//! shown together), with region, count, first and last seen, a "handled" button and a
//! ready-to-edit FAQ YAML stub. For editors, each group also has the two forms that turn it into
//! an answer at once ([`super::editor`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::auth::StaffUser;
use super::editor::{self, Draft, Group};
use super::{failed, see_other, staff_page};
use crate::clock::{china_today, in_china};
use crate::store::console::{self, UnansweredGroup, WITHHELD};
use crate::web::html::{csrf_field, escape};
use crate::web::App;

/// The most asked groups get the editor's forms on the page itself; the others a link to
/// them (each form ranks the FAQ for its question: a long list would be slow and heavy on a
/// phone).
const INLINE_FORMS: usize = 20;

/// Wording this similar (Jaccard over character pairs) is shown as one group.
const SIMILAR: f64 = 0.5;

/// `?added=` after a change, `?for=&q=` for a search in one group's wording picker.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    added: Option<i64>,
    #[serde(default)]
    live: Option<u8>,
    #[serde(default, rename = "for")]
    group: Option<i64>,
    #[serde(default)]
    q: String,
    /// A refused form to show again (kept by the editor; only its author sees it).
    #[serde(default)]
    draft: Option<i64>,
}

/// What the page shows besides the list: one group's entry search, or a form sent back.
#[derive(Debug, Default)]
pub struct View {
    /// (group id, query) of a search in that group's wording picker.
    pub search: Option<(i64, String)>,
    /// A form refused, with its problems.
    pub draft: Option<Draft>,
}

impl View {
    /// The page showing a refused form.
    pub fn refused(draft: Draft) -> View {
        View { search: None, draft: Some(draft) }
    }
}

/// `GET /staff/unanswered`
pub async fn page(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Query(query): Query<PageQuery>,
) -> Response {
    let notice = match query.added {
        Some(change) => editor::notice(&app, change, query.live != Some(0)).await,
        None => String::new(),
    };
    let search = query.group.map(|id| (id, query.q.trim().to_string()));
    let draft = match query.draft {
        Some(id) => editor::kept_draft(&app, &user, id).await,
        None => None,
    };
    render(&app, &user, &notice, &View { search, draft }, StatusCode::OK).await
}

/// The page with `notice` on top; `view` opens one group's form.
pub(super) async fn render(
    app: &App,
    user: &StaffUser,
    notice: &str,
    view: &View,
    status: StatusCode,
) -> Response {
    let groups = match console::open_unanswered(app.store.pool()).await {
        Ok(g) => g,
        Err(err) => return failed(err),
    };
    let today = china_today(app.clock.now());
    let clusters = cluster(groups);
    let mut body = format!(
        "<h1>未答问题</h1>{notice}<p class=\"meta\">用户问了、助手不确定的问题（所有渠道）。身份证号、手机号已遮盖；\
         共 {} 组。处理后点“已处理”；同样的问题再出现会重新列出。</p>",
        clusters.len()
    );
    body.push_str(&if user.is_editor() {
        "<p class=\"meta\">加为已有问答的问法，或起草新问答：先按 mente check 的规则检查全部内容，没问题才写入 faq/staff-地区.yaml，并立即生效。</p>".to_string()
    } else {
        "<p class=\"meta\">把问题加为问答需要编辑账号（mente staff add 名字 --role editor）。</p>".to_string()
    });
    if let Some(draft) = &view.draft {
        body.push_str(&format!(
            "<p class=\"problem\" role=\"alert\">没有写入：有 {} 个问题，见<a href=\"#g{}\">下方的表单</a>。</p>",
            draft.problems.len(),
            draft.group
        ));
    }
    if clusters.is_empty() {
        body.push_str("<p>暂时没有未答问题。</p>");
    }
    let assistant = app.assistant.current();
    for (n, c) in clusters.iter().enumerate() {
        let head = &c.groups[0];
        let region = assistant.content.regions.get(&head.region).map(|r| r.name.as_str());
        let targeted = view.search.as_ref().is_some_and(|(id, _)| *id == head.id)
            || view.draft.as_ref().is_some_and(|d| d.group == head.id);
        let forms = if !user.is_editor() || head.question == WITHHELD {
            String::new()
        } else if n < INLINE_FORMS || targeted {
            let group = Group {
                id: head.id,
                region: &head.region,
                question: &head.question,
                also: also(c),
            };
            editor::forms(&assistant, user, &group, view)
        } else {
            format!(
                "<p><a href=\"/staff/unanswered?for={0}#g{0}\">加为问答（问法或新问答）</a></p>",
                head.id
            )
        };
        body.push_str(&render_cluster(c, region, user, today, &forms));
    }
    let mut response = staff_page(user, "未答问题", "/staff/unanswered", &body);
    *response.status_mut() = status;
    response
}

/// The ids of the similar groups shown with the first one, comma-separated.
fn also(c: &Cluster) -> String {
    c.groups[1..].iter().map(|g| g.id.to_string()).collect::<Vec<_>>().join(",")
}

/// The "handled" form: the group in the path plus the similar ones shown with it.
#[derive(Debug, Deserialize)]
pub struct HandledForm {
    #[serde(default)]
    also: String,
}

/// `POST /staff/unanswered/{id}/handled`
pub async fn handled(
    State(app): State<App>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    Form(form): Form<HandledForm>,
) -> Response {
    let now = app.clock.now();
    let ids = std::iter::once(id).chain(form.also.split(',').filter_map(|s| s.trim().parse().ok()));
    for id in ids {
        if let Err(err) = console::mark_unanswered_handled(app.store.pool(), id, now).await {
            return failed(err);
        }
    }
    tracing::info!(staff = %user.name, id, "web: unanswered question handled");
    see_other("/staff/unanswered")
}

/// Similar groups of one region, most asked first.
struct Cluster {
    groups: Vec<UnansweredGroup>,
}

impl Cluster {
    fn count(&self) -> i64 {
        self.groups.iter().map(|g| g.count).sum()
    }
}

fn cluster(groups: Vec<UnansweredGroup>) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> = Vec::new();
    for g in groups {
        let home = clusters.iter_mut().find(|c| {
            let head = &c.groups[0];
            head.region == g.region
                && head.question != WITHHELD
                && g.question != WITHHELD
                && similarity(&head.question, &g.question) >= SIMILAR
        });
        match home {
            Some(c) => c.groups.push(g),
            None => clusters.push(Cluster { groups: vec![g] }),
        }
    }
    clusters.sort_by_key(|c| std::cmp::Reverse(c.count()));
    clusters
}

/// Jaccard similarity of the character pairs of two questions.
fn similarity(a: &str, b: &str) -> f64 {
    let pairs = |s: &str| {
        let chars: Vec<char> = console::wording_key(s).chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect::<std::collections::HashSet<_>>()
    };
    let (x, y) = (pairs(a), pairs(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / x.union(&y).count() as f64
}

fn render_cluster(
    c: &Cluster,
    region: Option<&str>,
    user: &StaffUser,
    today: chrono::NaiveDate,
    forms: &str,
) -> String {
    let head = &c.groups[0];
    let first = c.groups.iter().map(|g| g.first_seen).min().unwrap_or(head.first_seen);
    let last = c.groups.iter().map(|g| g.last_seen).max().unwrap_or(head.last_seen);
    let region =
        region.unwrap_or(if head.region.is_empty() { "未选地区" } else { &head.region });
    let mut out = format!(
        "<section class=\"item\" id=\"g{}\"><h2>{}</h2><p class=\"meta\">地区：{} · {} 次 · 渠道：{} · 首次 {} · 最近 {}</p>",
        head.id,
        escape(&head.question),
        escape(region),
        c.count(),
        escape(&head.channels),
        when(first),
        when(last),
    );
    if c.groups.len() > 1 {
        out.push_str("<ul class=\"variants\">");
        for g in &c.groups[1..] {
            out.push_str(&format!("<li>{}（{} 次）</li>", escape(&g.question), g.count));
        }
        out.push_str("</ul>");
    }
    out.push_str(forms);
    if head.question != WITHHELD {
        out.push_str(&format!(
            "<details><summary>FAQ 模板（复制后编辑）</summary><textarea readonly rows=\"10\" class=\"yaml\">{}</textarea></details>",
            escape(&yaml_stub(c, today))
        ));
    }
    out.push_str(&format!(
        "<form method=\"post\" action=\"/staff/unanswered/{}/handled\">{}<input type=\"hidden\" name=\"also\" value=\"{}\"><button>已处理</button></form></section>",
        head.id,
        csrf_field(&user.csrf),
        also(c),
    ));
    out
}

/// A FAQ entry to paste into `faq/<region>.yaml` (README: "Adding an FAQ entry"). The
/// questions are JSON strings, which YAML reads as quoted strings whatever they contain.
fn yaml_stub(c: &Cluster, today: chrono::NaiveDate) -> String {
    let region = &c.groups[0].region;
    let (id, regions) = if region.is_empty() {
        ("general.TODO".to_string(), String::new())
    } else {
        (format!("{region}.TODO"), format!("  regions: [{region}]\n"))
    };
    let mut out = format!("- id: {id}\n{regions}  questions:\n");
    for g in c.groups.iter().filter(|g| g.question != WITHHELD) {
        let quoted = serde_json::to_string(&g.question).unwrap_or_default();
        out.push_str(&format!("    - {quoted}\n"));
    }
    out.push_str(&format!(
        "  answer: |\n    TODO：用自己的话回答；来源没有的事实写“暂无公开信息”，并给出热线。\n  source: TODO\n  as_of: {today}\n  verified: false\n"
    ));
    out
}

fn when(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .map(|t| in_china(t).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: i64, q: &str, region: &str, count: i64) -> UnansweredGroup {
        UnansweredGroup {
            id,
            question: q.into(),
            region: region.into(),
            channels: "web".into(),
            count,
            first_seen: 0,
            last_seen: 0,
        }
    }

    #[test]
    fn similar_wording_of_one_region_is_one_group_and_the_stub_is_yaml() {
        let clusters = cluster(vec![
            group(1, "医保卡丢了门特还能用吗", "panzhihua", 3),
            group(2, "医保卡丢了门特能用吗？", "panzhihua", 2),
            group(3, "医保卡丢了门特还能用吗", "shaoyang", 1),
            group(4, "异地就医怎么备案", "panzhihua", 4),
        ]);
        assert_eq!(clusters.len(), 3);
        assert_eq!(clusters[0].count(), 5);
        let stub = yaml_stub(&clusters[0], chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        let parsed: serde_yaml::Value = serde_yaml::from_str(&stub).unwrap();
        assert_eq!(parsed[0]["questions"][1].as_str(), Some("医保卡丢了门特能用吗？"));
        assert_eq!(parsed[0]["regions"][0].as_str(), Some("panzhihua"));
    }
}
