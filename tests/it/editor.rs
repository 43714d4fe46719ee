//! From unanswered question to answer (issue 18 item 3): an editor turns a question the
//! assistant could not answer into a wording of an existing FAQ entry or a new entry, from the
//! console's unanswered list; the change is checked like `mente check`, written to
//! `faq/staff-<region>.yaml` in the content folder and live for the very next message. A plain
//! account is refused, a bad addition writes nothing and shows every problem.

use std::path::Path;

use axum::http::StatusCode;
use mente::store::additions;
use mente::store::staff::{self, Role};

use crate::web::{self, button, field, start, Server};
use crate::wechat::copy_dir;

const PASSWORD: &str = "a long enough password";
/// Unanswered in 邵阳 today; a way of asking `shaoyang.progress`.
const NOTIFIED: &str = "门特批下来有短信通知吗";
/// Part of `shaoyang.progress`'s answer.
const PROGRESS: &str = "资料里没有写邵阳在哪里查进度";
/// Unanswered in 攀枝花 today, and no entry says it.
const DELIVERY: &str = "门特的药可以快递到家吗";

/// A copy of the repository's content that the test may change.
fn content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["dialogs", "faq", "data"] {
        copy_dir(&web::root().join(sub), &dir.path().join(sub));
    }
    dir
}

/// A server on its own copy of the content.
async fn server_on(content: &Path) -> Server {
    let root = content.to_path_buf();
    start(move |cfg| cfg.content_root = root).await
}

/// Logs `name` in with `role`: the session cookie and the CSRF token.
async fn login_as(server: &Server, name: &str, role: Role) -> (String, String) {
    server.add_account(name, PASSWORD).await;
    assert!(staff::set_role(server.store.pool(), name, role).await.unwrap());
    let done = server.try_login(None, name, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let session = done.cookie("mente_staff").expect("a session cookie");
    let page = server.get("/staff", &session).await;
    (session, field(&page.body, "csrf"))
}

/// A conversation that has chosen `region` (its button label).
async fn chat_in(server: &Server, region: &str) -> String {
    let chat = server.conversation().await;
    let page = server.say(&chat, &[("t", "/start")]).await;
    server.say(&chat, &[("b", &button(&page, region))]).await;
    chat
}

/// The assistant's messages after sending `text`.
async fn reply(server: &Server, chat: &str, text: &str) -> String {
    let page = server.say(chat, &[("t", text)]).await;
    page.rsplit("id=\"latest\">").next().unwrap().to_string()
}

/// The id of the unanswered group headed by `question` on the unanswered page.
fn group_id(page: &str, question: &str) -> String {
    let at = page.find(&format!("<h2>{question}</h2>")).unwrap_or_else(|| panic!("{page}"));
    let start = page[..at].rfind("id=\"g").unwrap() + "id=\"g".len();
    page[start..].split('"').next().unwrap().to_string()
}

/// The staff-additions files and anything else new in `faq/` of `content`.
fn faq_files(content: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(content.join("faq"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `mente check` on `content`: success and what it printed.
fn check(content: &Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mente"))
        .arg("check")
        .arg("--content")
        .arg(content)
        .output()
        .unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn an_editor_adds_a_wording_and_the_next_message_gets_that_answer_without_a_restart() {
    let content = content_copy();
    let server = server_on(content.path()).await;
    let chat = chat_in(&server, "邵阳").await;
    let before = reply(&server, &chat, NOTIFIED).await;
    assert!(!before.contains(PROGRESS), "unanswered before: {before}");

    let (session, csrf) = login_as(&server, "li", Role::Editor).await;
    let page = server.get("/staff/unanswered", &session).await.body;
    assert!(page.contains("加为已有问答的另一种问法") && page.contains("起草新问答"), "{page}");
    let group = group_id(&page, NOTIFIED);
    assert!(page.contains("value=\"shaoyang.progress\""), "the picker offers the entry: {page}");
    // The picker's own search, as on the search page, for this group only.
    let searched =
        server.get(&format!("/staff/unanswered?for={group}&q=%E7%94%B5%E8%AF%9D"), &session).await; // 电话
    assert!(searched.body.contains("value=\"shaoyang.hotline\""), "{}", searched.body);
    assert!(searched.body.contains("<details class=\"edit\" open><summary>加为已有问答"), "opened");

    let path = format!("/staff/unanswered/{group}/wording");
    let form = [
        ("csrf", csrf.as_str()),
        ("region", "shaoyang"),
        ("entry", "shaoyang.progress"),
        ("question", NOTIFIED),
        ("also", ""),
    ];
    let done = server.post(&path, &session, &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location().starts_with("/staff/unanswered?added="), "{}", done.location());

    // The very next message, same server, no restart.
    let after = reply(&server, &chat, NOTIFIED).await;
    assert!(after.contains(PROGRESS), "answered now: {after}");

    let listed = server.get(done.location(), &session).await.body;
    assert!(listed.contains("已生效") && listed.contains("shaoyang.progress"), "{listed}");
    assert!(!listed.contains(&format!("<h2>{NOTIFIED}</h2>")), "no longer unanswered: {listed}");
    let pool = server.store.pool();
    let entry = additions::answered_by(pool, group.parse().unwrap()).await.unwrap();
    assert_eq!(entry.as_deref(), Some("shaoyang.progress"), "linked to the entry");
    let changes = additions::recent(pool, 5).await.unwrap();
    assert_eq!(changes.len(), 1);
    let change = &changes[0];
    assert_eq!(
        (change.staff.as_str(), change.kind.as_str(), change.file.as_str()),
        ("li", "wording", "faq/staff-shaoyang.yaml")
    );
    assert_eq!(change.at, web::started().timestamp(), "when");
    assert!(change.item.contains("wording_of: \"shaoyang.progress\""), "what: {}", change.item);

    let status = server.get("/staff/content", &session).await.body;
    assert!(status.contains("li 在“未答问题”里添加了问法或问答 · 成功"), "{status}");
    assert!(
        status.contains(&format!("li · 新问法“{NOTIFIED}”")),
        "the audit on the content page: {status}"
    );
    let written = std::fs::read_to_string(content.path().join("faq/staff-shaoyang.yaml")).unwrap();
    assert!(written.contains(NOTIFIED) && written.contains(" li"), "{written}");
    let (ok, out) = check(content.path());
    assert!(ok, "the additions file passes mente check: {out}");
}

#[tokio::test]
async fn a_drafted_entry_answers_the_question_and_lands_in_the_regions_additions_file() {
    let content = content_copy();
    let server = server_on(content.path()).await;
    let chat = chat_in(&server, "攀枝花").await;
    reply(&server, &chat, DELIVERY).await;
    let (session, csrf) = login_as(&server, "li", Role::Editor).await;
    let page = server.get("/staff/unanswered", &session).await.body;
    let group = group_id(&page, DELIVERY);

    let answer =
        "资料里没有写门特的药能不能快递到家。请拨打攀枝花医保服务热线 0812-3323000 问清楚。";
    let form = [
        ("csrf", csrf.as_str()),
        ("region", "panzhihua"),
        ("question", DELIVERY),
        ("answer", answer),
        ("source", "policy_research.md"),
        ("also", ""),
    ];
    let done = server.post(&format!("/staff/unanswered/{group}/entry"), &session, &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let after = reply(&server, &chat, DELIVERY).await;
    assert!(after.contains("资料里没有写门特的药能不能快递到家"), "{after}");
    assert!(after.contains("以当地医保部门最新公布为准"), "not verified: the caveat: {after}");
    let entry = additions::answered_by(server.store.pool(), group.parse().unwrap()).await.unwrap();
    assert_eq!(entry.as_deref(), Some("panzhihua.staff-1"));
    let written = std::fs::read_to_string(content.path().join("faq/staff-panzhihua.yaml")).unwrap();
    assert!(
        written.contains("- id: \"panzhihua.staff-1\"")
            && written.contains("regions: [\"panzhihua\"]"),
        "{written}"
    );
    let (ok, out) = check(content.path());
    assert!(ok, "{out}");
}

/// A refused form: the POST sends the browser on (POST-redirect-GET) to the page showing it,
/// which is returned; reloading that page shows it again and submits nothing.
async fn refused(server: &Server, session: &str, posted: web::Page) -> web::Page {
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let at = posted.location().to_string();
    assert!(at.starts_with("/staff/unanswered?draft="), "{at}");
    let shown = server.get(&at, session).await;
    let again = server.get(&at, session).await;
    assert_eq!(shown.body, again.body, "a reload shows the same form");
    shown
}

#[tokio::test]
async fn a_source_of_another_region_is_refused_and_a_reload_resubmits_nothing() {
    let content = content_copy();
    let server = server_on(content.path()).await;
    let chat = chat_in(&server, "邵阳").await;
    reply(&server, &chat, DELIVERY).await;
    let (session, csrf) = login_as(&server, "li", Role::Editor).await;
    let (other, _) = login_as(&server, "wang", Role::Editor).await;
    let page = server.get("/staff/unanswered", &session).await.body;
    let group = group_id(&page, DELIVERY);
    let files = faq_files(content.path());
    let answer = "资料里没有写门特的药能不能快递到家，请向邵阳县医保局咨询。";
    let form = |source: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("region", "shaoyang".to_string()),
            ("question", DELIVERY.to_string()),
            ("answer", answer.to_string()),
            ("source", source.to_string()),
        ]
    };
    let path = format!("/staff/unanswered/{group}/entry");
    let pairs = form("seed 000");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let posted = server.post(&path, &session, &pairs).await;
    let at = posted.location().to_string();
    let shown = refused(&server, &session, posted).await;
    assert!(
        shown.body.contains("是攀枝花的资料，不能作为邵阳问答的来源"),
        "a clear message: {}",
        shown.body
    );
    assert!(shown.body.contains(&format!("{answer}</textarea>")), "the typed text is kept");
    assert_eq!(faq_files(content.path()), files, "nothing written");
    assert!(additions::recent(server.store.pool(), 5).await.unwrap().is_empty());
    let theirs = server.get(&at, &other).await.body;
    assert!(!theirs.contains(answer), "only its author sees a refused form");

    // 邵阳's own seed, or the notes both regions cite, are accepted.
    let pairs = form("seed 001");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = server.post(&path, &session, &pairs).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(done.location().starts_with("/staff/unanswered?added="), "{}", done.location());
}

#[tokio::test]
async fn an_invalid_addition_writes_nothing_and_the_form_shows_every_problem() {
    let content = content_copy();
    let server = server_on(content.path()).await;
    let chat = chat_in(&server, "邵阳").await;
    reply(&server, &chat, DELIVERY).await;
    let (session, csrf) = login_as(&server, "li", Role::Editor).await;
    let page = server.get("/staff/unanswered", &session).await.body;
    let group = group_id(&page, DELIVERY);
    let files = faq_files(content.path());
    let path = format!("/staff/unanswered/{group}/entry");
    let draft = |answer: &'static str, source: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("region", "shaoyang".to_string()),
            ("question", DELIVERY.to_string()),
            ("answer", answer.to_string()),
            ("source", source.to_string()),
        ]
    };
    let post = |form: [(&'static str, String); 5]| {
        let server = &server;
        let (session, path) = (&session, &path);
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            refused(server, session, server.post(path, session, &pairs).await).await
        }
    };

    // Two problems at once: both shown, with the file and line `mente check` would print.
    let both = post(draft(" ", "seed 999")).await;
    assert_eq!(both.status, StatusCode::OK);
    assert!(
        both.body.contains("没有写入：内容检查发现以下问题（文件:行"),
        "a Chinese heading explains the English checker lines: {}",
        both.body
    );
    assert!(both.body.contains("faq/staff-shaoyang.yaml:"), "{}", both.body);
    assert!(both.body.contains("has an empty answer"), "{}", both.body);
    assert!(both.body.contains("unknown source id in &quot;seed 999&quot;"), "{}", both.body);
    assert!(
        both.body.contains("<details class=\"edit\" open><summary>起草新问答"),
        "the form stays open"
    );
    assert!(both.body.contains("<option value=\"seed 001\""), "{}", both.body);

    // 攀枝花's hotline in an answer for 邵阳 users.
    let hotline = post(draft("请拨打 0812-3323000 咨询。", "seed 001")).await;
    assert_eq!(hotline.status, StatusCode::OK);
    assert!(hotline.body.contains("gives 攀枝花&#39;s hotline 0812-3323000"), "{}", hotline.body);
    assert!(
        hotline.body.contains("请拨打 0812-3323000 咨询。</textarea>"),
        "kept: {}",
        hotline.body
    );

    // More than one phone screen.
    let long: &'static str = "暂无公开信息。".repeat(50).leak();
    let screen = post(draft(long, "seed 001")).await;
    assert_eq!(screen.status, StatusCode::OK);
    assert!(screen.body.contains("more than 300 (one phone screen)"), "{}", screen.body);

    // A wording without an entry picked, and one for an entry of the other region.
    let wording = format!("/staff/unanswered/{group}/wording");
    let none = [("csrf", csrf.as_str()), ("region", "shaoyang"), ("question", DELIVERY)];
    let none = refused(&server, &session, server.post(&wording, &session, &none).await).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("请先在列表里选一条问答"), "{}", none.body);
    let other = [
        ("csrf", csrf.as_str()),
        ("region", "shaoyang"),
        ("entry", "panzhihua.progress"),
        ("question", DELIVERY),
    ];
    let other = refused(&server, &session, server.post(&wording, &session, &other).await).await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(other.body.contains("is not an entry of `shaoyang`"), "{}", other.body);

    assert_eq!(faq_files(content.path()), files, "nothing written, no temporary file left");
    assert!(additions::recent(server.store.pool(), 5).await.unwrap().is_empty(), "no audit row");
    let still = server.get("/staff/unanswered", &session).await.body;
    assert!(still.contains(&format!("<h2>{DELIVERY}</h2>")), "still unanswered: {still}");
    assert!(!reply(&server, &chat, DELIVERY).await.contains("暂无公开信息。暂无"));
}

#[tokio::test]
async fn a_plain_account_sees_no_content_forms_and_its_posts_are_refused_as_are_posts_without_csrf()
{
    let content = content_copy();
    let server = server_on(content.path()).await;
    let chat = chat_in(&server, "邵阳").await;
    reply(&server, &chat, NOTIFIED).await;
    let files = faq_files(content.path());

    let (plain, plain_csrf) = login_as(&server, "zhao", Role::Staff).await;
    let page = server.get("/staff/unanswered", &plain).await.body;
    let group = group_id(&page, NOTIFIED);
    assert!(!page.contains("起草新问答") && !page.contains("/wording"), "{page}");
    assert!(page.contains("已处理"), "the plain list stays: {page}");
    let wording = format!("/staff/unanswered/{group}/wording");
    let form = [
        ("csrf", plain_csrf.as_str()),
        ("region", "shaoyang"),
        ("entry", "shaoyang.progress"),
        ("question", NOTIFIED),
    ];
    assert_eq!(server.post(&wording, &plain, &form).await.status, StatusCode::FORBIDDEN);
    let entry = format!("/staff/unanswered/{group}/entry");
    let draft = [
        ("csrf", plain_csrf.as_str()),
        ("region", "shaoyang"),
        ("question", NOTIFIED),
        ("answer", "会的。"),
        ("source", "seed 001"),
    ];
    assert_eq!(server.post(&entry, &plain, &draft).await.status, StatusCode::FORBIDDEN);

    // An editor's session, but the token of another session (or none): refused too.
    let (editor, _) = login_as(&server, "li", Role::Editor).await;
    let forged = [("csrf", plain_csrf.as_str())]
        .into_iter()
        .chain(form.iter().skip(1).copied())
        .collect::<Vec<_>>();
    assert_eq!(server.post(&wording, &editor, &forged).await.status, StatusCode::FORBIDDEN);
    let missing: Vec<_> = form.iter().skip(1).copied().collect();
    assert_eq!(server.post(&wording, &editor, &missing).await.status, StatusCode::FORBIDDEN);

    assert_eq!(faq_files(content.path()), files, "nothing written");
    assert!(!reply(&server, &chat, NOTIFIED).await.contains(PROGRESS), "still unanswered");
}

#[test]
fn staff_add_with_role_editor_makes_an_editor_and_a_password_reset_keeps_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("staff.sqlite").display());
    let mente = |args: &[&str]| {
        let out = crate::common::mente_with_password(&db, args, PASSWORD);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    mente(&["staff", "add", "li", "--role", "editor"]);
    mente(&["staff", "add", "zhao"]);
    mente(&["staff", "add", "li"]);
    let list = mente(&["staff", "list"]);
    assert!(list.contains("li\teditor\t") && list.contains("zhao\tstaff\t"), "{list}");
}
