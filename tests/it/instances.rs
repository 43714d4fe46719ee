//! Several `mente web` processes on one PostgreSQL database (issue 19): what one instance
//! stored the other uses (a conversation, a staff login), and an instance killed in the middle
//! of a burst loses no committed turn and doubles none. Needs `MENTE_TEST_PG`; without it the
//! test says why it is skipped, except in CI, where it fails (tests/it/db.rs).

use std::sync::Arc;

use axum::http::StatusCode;

use crate::web::{self, Server};

/// A question the assistant has no answer for, so each one is recorded in the unanswered list
/// with its count: the count says how many turns stored it.
fn question(i: usize) -> String {
    format!("门特的药可以快递到第{i}个小区吗")
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_chats_and_logins_and_a_killed_one_loses_and_doubles_no_turn() {
    if crate::db::pg_or_skip("instances::two_instances_share_chats_and_logins").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::test_db_url(dir.path(), "shared");
    let a = web::spawn_binary_on(web::root(), &db).await;
    let b = Arc::new(web::spawn_binary_on(web::root(), &db).await);

    // A chat begun on one instance continues on the other: the region chosen through B is
    // the one A answers for.
    let cookie = a.conversation().await;
    assert!(a.say(&cookie, &[("t", "/start")]).await.contains("地区"));
    b.say(&cookie, &[("t", "邵阳")]).await;
    let answer = a.say(&cookie, &[("t", "起付线多少")]).await;
    assert!(answer.contains("邵阳"), "A answers for the region chosen on B: {answer}");

    // A staff login made on A is valid on B.
    let (session, _) = a.login("zheng", "a long enough password").await;
    assert_eq!(b.get("/staff", &session).await.status, StatusCode::OK, "B knows A's session");

    // A burst of messages; B is killed while one of them is in flight and the rest go to A.
    const BURST: usize = 12;
    const KILLED_AT: usize = 5;
    let mut answered = Vec::new();
    let mut in_flight = None;
    for i in 0..BURST {
        let text = question(i);
        if i == KILLED_AT {
            let (server, cookie) = (b.clone(), cookie.clone());
            let send =
                tokio::spawn(async move { server.post("/send", &cookie, &[("t", &text)]).await });
            b.signal("KILL");
            in_flight = Some(send.await.map(|page| page.status));
            continue;
        }
        let server: &Server = if i < KILLED_AT { &b } else { &a };
        let sent = server.post("/send", &cookie, &[("t", &text)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "message {i}: {}", sent.body);
        answered.push(i);
    }

    let counts: Vec<(String, i64)> = sqlx::query_as("SELECT question, count FROM unanswered")
        .fetch_all(a.store.pool())
        .await
        .unwrap();
    let count_of = |i: usize| {
        let q = question(i);
        counts.iter().filter(|(question, _)| *question == q).map(|(_, n)| *n).sum::<i64>()
    };
    for i in answered {
        assert_eq!(count_of(i), 1, "message {i} answered once and stored once: {counts:?}");
    }
    // The message in flight at the kill: stored once if B committed it before dying, else not
    // at all; never half a turn, never twice.
    let killed = count_of(KILLED_AT);
    assert!(killed <= 1, "the killed message is stored at most once: {counts:?}");
    if let Some(Ok(StatusCode::SEE_OTHER)) = in_flight {
        assert_eq!(killed, 1, "B answered it, so it was committed");
    }
    // The conversation goes on on A.
    let page = a.say(&cookie, &[("t", "起付线多少")]).await;
    assert!(page.contains("邵阳"), "{page}");
}
