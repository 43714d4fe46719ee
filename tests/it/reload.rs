//! Content reload without a restart (issue 18): `mente web` itself on a copy of the content
//! folder reloads on SIGHUP and when a file changes, a broken file leaves the running content
//! answering and shows on the console as `file:line`, and the console's button reloads.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::engine::{without_the_date_step, INPUTS};
use crate::web::{self, button, Server};
use crate::wechat::copy_dir;

const PASSWORD: &str = "a long enough password";
/// Asked in 攀枝花: answered by `general.what-is-mente` (faq/general.yaml).
const QUESTION: &str = "什么是门特";
/// Part of that answer as shipped …
const OLD: &str = "（也叫门诊慢特病）的简称";
/// … and as staff change it.
const NEW: &str = "（也叫门诊慢特病，本句已修改）的简称";

/// A copy of the repository's content plus the engine tests' dialog of every input type.
fn content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["dialogs", "faq", "data"] {
        copy_dir(&web::root().join(sub), &dir.path().join(sub));
    }
    std::fs::write(dir.path().join("dialogs/t_inputs.yaml"), INPUTS).unwrap();
    dir
}

/// Changes the answer to [`QUESTION`] in the FAQ folder `faq`.
fn edit_answer(faq: &Path) {
    let file = faq.join("general.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(OLD));
    std::fs::write(file, text.replace(OLD, NEW)).unwrap();
}

/// A conversation that has chosen 攀枝花.
async fn chat_in_panzhihua(server: &Server) -> String {
    let chat = server.conversation().await;
    let page = server.say(&chat, &[("t", "/start")]).await;
    server.say(&chat, &[("b", &button(&page, "攀枝花"))]).await;
    chat
}

/// The assistant's messages after sending `text`.
async fn reply(server: &Server, chat: &str, text: &str) -> String {
    let page = server.say(chat, &[("t", text)]).await;
    page.rsplit("id=\"latest\">").next().unwrap().to_string()
}

/// The console's content page once it shows `want` (polled; a reload takes a moment).
async fn content_page_once(server: &Server, session: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = server.get("/staff/content", session).await.body;
        if page.contains(want) {
            return page;
        }
        assert!(Instant::now() < deadline, "no {want:?} on the content page: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_brings_in_new_content_and_a_broken_file_leaves_the_running_content_answering() {
    let content = content_copy();
    let mut server = web::spawn_binary(content.path()).await;
    let (session, _) = server.login("zhao", PASSWORD).await;
    let chat = chat_in_panzhihua(&server).await;
    assert!(reply(&server, &chat, QUESTION).await.contains(OLD));

    // A deploy moves a new faq/ into place; the watcher, still on the old folder, sees nothing.
    let faq = content.path().join("faq");
    let new = content.path().join("faq.new");
    copy_dir(&faq, &new);
    edit_answer(&new);
    std::fs::rename(&faq, content.path().join("faq.old")).unwrap();
    std::fs::rename(&new, &faq).unwrap();
    server.signal("HUP");
    let page = content_page_once(&server, &session, "版本 2").await;
    assert!(page.contains("收到 SIGHUP · 成功"), "{page}");
    let chat = chat_in_panzhihua(&server).await; // the same question twice in one chat gets the next step
    assert!(reply(&server, &chat, QUESTION).await.contains(NEW));
    assert!(server.is_running(), "SIGHUP reloads; it does not end the server");

    // A broken file: every problem on the page and in the log, the running content stays.
    std::fs::write(faq.join("zz_broken.yaml"), "- id: broken\n  questions: [什么\n").unwrap();
    server.signal("HUP");
    let page = content_page_once(&server, &session, "失败").await;
    assert!(page.contains("<code>faq/zz_broken.yaml:"), "file:line on the console: {page}");
    assert!(page.contains("助手继续使用版本 2"), "{page}");
    let chat = chat_in_panzhihua(&server).await; // the same question twice in one chat gets the next step
    assert!(reply(&server, &chat, QUESTION).await.contains(NEW), "version 2 keeps answering");
    assert!(server.is_running());
    assert!(server.log().contains("faq/zz_broken.yaml:"), "file:line in the log: {}", server.log());
}

#[cfg(unix)]
#[tokio::test]
async fn an_edit_in_the_content_folder_is_live_without_a_signal() {
    let content = content_copy();
    let server = web::spawn_binary(content.path()).await;
    let (session, _) = server.login("zhao", PASSWORD).await;
    let chat = chat_in_panzhihua(&server).await;
    assert!(reply(&server, &chat, QUESTION).await.contains(OLD));

    edit_answer(&content.path().join("faq"));
    let page = content_page_once(&server, &session, "版本 2").await;
    assert!(page.contains("内容文件有改动 · 成功"), "{page}");
    let chat = chat_in_panzhihua(&server).await; // the same question twice in one chat gets the next step
    assert!(reply(&server, &chat, QUESTION).await.contains(NEW));
}

/// The button reloads the instance that served it (this in-process server has no watcher, so
/// nothing else can); a conversation whose step the new content no longer has goes back to the
/// menu, as after a restart.
#[tokio::test]
async fn the_console_button_reloads_and_a_conversation_on_a_deleted_step_is_taken_to_the_menu() {
    let content = content_copy();
    let root = content.path().to_path_buf();
    let server = web::start(move |config| config.content_root = root).await;
    let (session, csrf) = server.login("zhao", PASSWORD).await;
    let chat = chat_in_panzhihua(&server).await;
    reply(&server, &chat, "输入测试").await;
    reply(&server, &chat, "邵阳").await;
    assert!(reply(&server, &chat, "66").await.contains("哪天受理"));

    edit_answer(&content.path().join("faq"));
    std::fs::write(content.path().join("dialogs/t_inputs.yaml"), without_the_date_step()).unwrap();
    let page = server.get("/staff/content", &session).await.body;
    assert!(page.contains("启动以来还没有重新载入过") && page.contains("版本 1"), "{page}");
    let refused = server.post("/staff/content/reload", &session, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token, no reload");

    let done = server.post("/staff/content/reload", &session, &[("csrf", &csrf)]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/staff/content"));
    let page = server.get("/staff/content", &session).await.body;
    assert!(page.contains("zhao 在工作台点了重新载入 · 成功：现在运行版本 2"), "{page}");

    let back = reply(&server, &chat, "2025-09-26").await;
    assert!(back.contains("已经更新") && back.contains("主菜单"), "{back}");
    assert!(reply(&server, &chat, QUESTION).await.contains(NEW));
}
