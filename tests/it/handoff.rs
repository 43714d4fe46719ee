//! Live hand-offs over real HTTP (issue 18): a user on the chat page asks for a person, agrees
//! to share the conversation, writes; staff claim it in the console inbox (a second claimer is
//! refused), answer, and the answer reaches the page (script and no-script paths); commands
//! still work during the hand-off; it closes by staff, by the user, or when idle, and the
//! assistant is back. Off duty the user leaves a question that staff answer later.
//!
//! Time is driven by starting another instance on the same database with a later clock
//! ([`Server::restart_at`]): nothing of a hand-off lives in one process.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};

use crate::web::{button, field, start, Server};

/// Monday 2026-11-30, 10:00 in China: within both regions' service hours.
fn monday_ten() -> DateTime<Utc> {
    "2026-11-30T02:00:00Z".parse().unwrap()
}

const PASSWORD: &str = "a long enough password";

/// A chat page user in 攀枝花 who asked one question the FAQ had no answer for: their cookie.
async fn user_in_panzhihua(server: &Server) -> String {
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let page = server.get("/", &cookie).await.body;
    server.say(&cookie, &[("b", &button(&page, "攀枝花"))]).await;
    server.say(&cookie, &[("t", "门特的药可以快递到家吗")]).await;
    cookie
}

/// The user asks for a person and taps `yes` (同意转人工 / 留言给工作人员) or 不用了.
async fn ask_for_a_person(server: &Server, cookie: &str, tap: &str) -> String {
    let offer = server.say(cookie, &[("t", "人工")]).await;
    server.say(cookie, &[("b", &button(&offer, tap))]).await
}

/// The newest open hand-off's id in the inbox.
async fn first_thread(server: &Server, session: &str) -> String {
    let inbox = server.get("/staff/inbox", session).await.body;
    let at = inbox.find("/staff/inbox/").unwrap_or_else(|| panic!("no thread in {inbox}"));
    inbox[at + "/staff/inbox/".len()..].split('"').next().unwrap().to_string()
}

/// What `GET /news` hands the page's script.
async fn news(server: &Server, cookie: &str) -> serde_json::Value {
    let page = server.get("/news", cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

/// The text of the last message on the chat page.
fn last_message(page: &str) -> &str {
    let log = page.split("</ol>").next().unwrap();
    log.rsplit("<li").next().unwrap()
}

#[tokio::test]
async fn a_whole_hand_off_on_the_web_consent_claim_reply_close() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    let (zhang, zhang_csrf) = server.login("zhang", PASSWORD).await;
    let (li, li_csrf) = server.login("li", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;

    let offer = server.say(&cookie, &[("t", "人工")]).await;
    assert!(offer.contains("现在有工作人员在线") && offer.contains("0812-3323000"), "{offer}");
    let opened = server.say(&cookie, &[("b", &button(&offer, "同意转人工"))]).await;
    assert!(opened.contains("已为您转人工") && opened.contains("data-poll"), "{opened}");
    let quiet = server.say(&cookie, &[("t", "我妈的药能寄到家吗 我电话13812345678")]).await;
    assert!(last_message(&quiet).contains("我妈的药能寄到家吗"), "the bot stays quiet: {quiet}");

    let id = first_thread(&server, &zhang).await;
    let inbox = server.get("/staff/inbox", &zhang).await.body;
    assert!(inbox.contains("等待") && inbox.contains("我来处理"), "{inbox}");
    let thread = server.get(&format!("/staff/inbox/{id}"), &zhang).await.body;
    assert!(
        thread.contains("转人工前的对话") && thread.contains("门特的药可以快递到家吗"),
        "{thread}"
    );
    assert!(thread.contains("138******78") && !thread.contains("13812345678"), "masked: {thread}");
    assert!(thread.contains("0812-3323000"), "the official hotline stays readable: {thread}");

    let claim = format!("/staff/inbox/{id}/claim");
    assert_eq!(server.post(&claim, &zhang, &[]).await.status, StatusCode::FORBIDDEN, "no CSRF");
    assert_eq!(
        server.post(&claim, &zhang, &[("csrf", &zhang_csrf)]).await.status,
        StatusCode::SEE_OTHER
    );
    let second = server.post(&claim, &li, &[("csrf", &li_csrf)]).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "two staff never answer one person");
    assert!(second.body.contains("zhang 已经在处理"), "{}", second.body);
    let reply = format!("/staff/inbox/{id}/reply");
    let stranger = server.post(&reply, &li, &[("csrf", &li_csrf), ("text", "我来答")]).await;
    assert_eq!(stranger.status, StatusCode::CONFLICT, "only the claimer replies");

    let answer = "可以，到定点药店办理邮寄";
    let sent = server.post(&reply, &zhang, &[("csrf", &zhang_csrf), ("text", answer)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let got = news(&server, &cookie).await;
    assert_eq!(got["messages"][0], format!("【人工回复】{answer}"), "{got}");
    assert_eq!(news(&server, &cookie).await["messages"].as_array().unwrap().len(), 0, "once");
    let thread = server.get(&format!("/staff/inbox/{id}"), &zhang).await.body;
    assert!(thread.contains("zhang 回复") && thread.contains("已送达"), "audit trail: {thread}");
    assert!(thread.contains("zhang 接手处理"), "{thread}");

    // Without script: the next load shows the reply.
    server.post(&reply, &zhang, &[("csrf", &zhang_csrf), ("text", "还有别的问题吗")]).await;
    let load = server.get("/", &cookie).await;
    assert_eq!(load.status, StatusCode::SEE_OTHER, "opens at the new message");
    assert!(server.get("/", &cookie).await.body.contains("【人工回复】还有别的问题吗"));

    // A command still works during the hand-off, and the hand-off stays open.
    let help = server.say(&cookie, &[("t", "/help")]).await;
    assert!(help.contains("指令"), "{help}");
    assert!(news(&server, &cookie).await["open"].as_bool().unwrap());

    let requests = server.get("/staff/handoffs", &zhang).await.body;
    assert!(requests.contains(&format!("/staff/inbox/{id}\"")), "links the thread: {requests}");
    assert!(requests.contains("0 条未处理"), "the inbox handles it: {requests}");

    let close = format!("/staff/inbox/{id}/close");
    assert_eq!(
        server.post(&close, &zhang, &[("csrf", &zhang_csrf)]).await.status,
        StatusCode::SEE_OTHER
    );
    let requests = server.get("/staff/handoffs", &zhang).await.body;
    assert!(requests.contains("暂时没有转人工请求"), "closed in the inbox is handled: {requests}");
    let back = news(&server, &cookie).await;
    assert!(back["messages"][0].as_str().unwrap().contains("门特助手回来了"), "{back}");
    assert_eq!(back["open"], false);
    let answered = server.say(&cookie, &[("t", "起付线多少")]).await;
    assert!(last_message(&answered).contains("800"), "the bot answers again: {answered}");
    assert!(server.get("/staff/inbox", &zhang).await.body.contains("暂时没有等待人工的用户"));
}

#[tokio::test]
async fn refusing_consent_gets_the_hotline_and_queues_nothing() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    let (session, _) = server.login("zhang", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;
    let page = ask_for_a_person(&server, &cookie, "不用了").await;
    assert!(
        last_message(&page).contains("0812-3323000") || page.contains("可以打电话咨询"),
        "{page}"
    );
    assert!(server.get("/staff/inbox", &session).await.body.contains("暂时没有等待人工的用户"));
    let answered = server.say(&cookie, &[("t", "起付线多少")]).await;
    assert!(last_message(&answered).contains("800"), "{answered}");
}

#[tokio::test]
async fn the_user_ends_the_hand_off_with_words_or_the_menu_and_forget_erases_it() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    let (session, _) = server.login("zhang", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;
    ask_for_a_person(&server, &cookie, "同意转人工").await;
    let ended = server.say(&cookie, &[("t", "结束人工")]).await;
    assert!(ended.contains("已结束人工服务") && ended.contains("主菜单"), "{ended}");
    assert!(server.get("/staff/inbox", &session).await.body.contains("暂时没有等待人工的用户"));

    ask_for_a_person(&server, &cookie, "同意转人工").await;
    let menu = server.say(&cookie, &[("t", "/menu")]).await;
    assert!(menu.contains("已结束人工服务"), "{menu}");

    ask_for_a_person(&server, &cookie, "同意转人工").await;
    server.say(&cookie, &[("t", "我叫张三")]).await;
    server.say(&cookie, &[("t", "/forget")]).await;
    let pool = server.store.pool();
    let threads: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM handoff_threads").fetch_one(pool).await.unwrap();
    let messages: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM handoff_messages").fetch_one(pool).await.unwrap();
    assert_eq!((threads, messages), (0, 0), "/forget erases every hand-off thread");
}

#[tokio::test]
async fn an_idle_hand_off_closes_and_the_assistant_says_it_is_back() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    server.login("zhang", PASSWORD).await;
    let first = user_in_panzhihua(&server).await;
    ask_for_a_person(&server, &first, "同意转人工").await;
    server.say(&first, &[("t", "有人吗")]).await;
    let second = user_in_panzhihua(&server).await;
    ask_for_a_person(&server, &second, "同意转人工").await;

    let later = server.restart_at(monday_ten() + Duration::minutes(31), |_| {}).await;
    // The first user's next message closes theirs; they are told and answered.
    let page = later.say(&first, &[("t", "起付线多少")]).await;
    assert!(page.contains("长时间没有新消息已自动结束"), "{page}");
    assert!(last_message(&page).contains("800"), "{page}");
    // Staff opening the inbox close the other; its user is told on the page.
    let (session, _) = later.login("li", PASSWORD).await;
    assert!(later.get("/staff/inbox", &session).await.body.contains("暂时没有等待人工的用户"));
    let got = news(&later, &second).await;
    assert!(got["messages"][0].as_str().unwrap().contains("自动结束"), "{got}");
}

#[tokio::test]
async fn within_the_hours_with_nobody_at_the_console_the_user_is_told_nobody_is_online() {
    let saturday = start(|_| {}).await;
    let monday = saturday.restart_at(monday_ten(), |_| {}).await;
    let cookie = user_in_panzhihua(&monday).await;
    let offer = monday.say(&cookie, &[("t", "/human")]).await;
    assert!(offer.contains("现在没有工作人员在线") && offer.contains("留言"), "{offer}");
    assert!(!offer.contains("不是人工服务时间"), "Monday 10:00 is within 攀枝花's hours: {offer}");
}

#[tokio::test]
async fn a_yes_with_the_message_in_it_leaves_that_message_masked_for_staff() {
    // Play-tester (fix3): 要得 留个言 + the message, in one, at the offer.
    let saturday = start(|_| {}).await;
    let cookie = user_in_panzhihua(&saturday).await;
    saturday.say(&cookie, &[("t", "/human")]).await;
    let said = "要得 留个言 就讲隔壁刘娭毑要办门特 问下邻居代办要带么子东西 我电话13807391234";
    let left = saturday.say(&cookie, &[("t", said)]).await;
    assert!(last_message(&left).contains("已收到您的留言"), "{left}");

    let monday = saturday.restart_at(monday_ten(), |_| {}).await;
    let (session, _) = monday.login("zhang", PASSWORD).await;
    let id = first_thread(&monday, &session).await;
    let thread = monday.get(&format!("/staff/inbox/{id}"), &session).await.body;
    assert!(thread.contains("问下邻居代办要带么子东西"), "the message is left: {thread}");
    assert!(!thread.contains("13807391234"), "the phone is masked: {thread}");
}

#[tokio::test]
async fn off_duty_a_user_leaves_a_question_and_staff_answer_it_the_next_working_day() {
    // Saturday 10:00 and nobody in the console: off duty.
    let saturday = start(|_| {}).await;
    let cookie = user_in_panzhihua(&saturday).await;
    let offer = saturday.say(&cookie, &[("t", "/human")]).await;
    assert!(offer.contains("现在不是人工服务时间") && offer.contains("9:00-12:00"), "{offer}");
    saturday.say(&cookie, &[("b", &button(&offer, "留言给工作人员"))]).await;
    let left = saturday.say(&cookie, &[("t", "异地就医的药费怎么报")]).await;
    assert!(left.contains("已收到您的留言"), "{left}");
    // Nobody is talking with the user: the page says where the answer will come, and offers
    // no 结束人工 for a conversation with staff that has not begun.
    assert!(left.contains("留言已转给工作人员"), "{left}");
    assert!(!left.contains("人工服务中") && !left.contains(">结束人工<"), "{left}");
    let answered = saturday.say(&cookie, &[("t", "起付线多少")]).await;
    assert!(last_message(&answered).contains("800"), "the user is back with the bot: {answered}");

    let monday = saturday.restart_at(monday_ten(), |_| {}).await;
    let (session, csrf) = monday.login("zhang", PASSWORD).await;
    let inbox = monday.get("/staff/inbox", &session).await.body;
    assert!(inbox.contains("留言") && inbox.contains("异地就医的药费怎么报"), "{inbox}");
    let id = first_thread(&monday, &session).await;
    monday.post(&format!("/staff/inbox/{id}/claim"), &session, &[("csrf", &csrf)]).await;
    let text = [("csrf", csrf.as_str()), ("text", "需要先办异地备案")];
    monday.post(&format!("/staff/inbox/{id}/reply"), &session, &text).await;
    monday.get("/", &cookie).await;
    let page = monday.get("/", &cookie).await.body;
    assert!(page.contains("【人工回复】需要先办异地备案"), "{page}");
    assert!(page.contains("人工服务中") && page.contains(">结束人工<"), "answered: live {page}");
}

#[tokio::test]
async fn the_thread_offers_faq_answers_to_insert_into_the_reply() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    let (session, csrf) = server.login("zhang", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;
    ask_for_a_person(&server, &cookie, "同意转人工").await;
    let id = first_thread(&server, &session).await;
    server.post(&format!("/staff/inbox/{id}/claim"), &session, &[("csrf", &csrf)]).await;
    let q = "%E8%B5%B7%E4%BB%98%E7%BA%BF"; // 起付线
    let found = server.get(&format!("/staff/inbox/{id}?q={q}"), &session).await.body;
    assert!(found.contains("class=\"insert\"") && found.contains("data-text="), "{found}");
    let filled = server.get(&format!("/staff/inbox/{id}?q={q}&use=panzhihua"), &session).await;
    let reply_box = filled.body.split("<textarea id=\"reply\"").nth(1).unwrap();
    let inserted = reply_box.split("</textarea>").next().unwrap();
    assert!(inserted.contains("800"), "{}", filled.body);
    assert_eq!(
        inserted.matches("来源：").count(),
        1,
        "one source line reaches the user: {inserted}"
    );
    assert!(!field(&filled.body, "csrf").is_empty());

    // No FAQ entry: the not-sure fallback is shown as such, never offered for insertion.
    let nonsense = "%E7%81%AB%E6%98%9F%E4%B8%8A%E7%9A%84%E5%A4%A9%E6%B0%94"; // 火星上的天气
    let none = server.get(&format!("/staff/inbox/{id}?q={nonsense}"), &session).await.body;
    assert!(none.contains("没有找到对应的答案") && !none.contains("class=\"insert\""), "{none}");
    let filled =
        server.get(&format!("/staff/inbox/{id}?q={nonsense}&use=panzhihua"), &session).await;
    let reply_box = filled.body.split("<textarea id=\"reply\"").nth(1).unwrap();
    assert!(
        !reply_box.split("</textarea>").next().unwrap().contains("没有把握"),
        "{}",
        filled.body
    );
}

/// Opens a hand-off for `user` through the service as any channel's turn would (off duty: the
/// user leaves `question`), then staff member `staff` claims it and answers `answer` at `now`.
pub async fn left_and_answered(
    store: &mente::store::Store,
    assistant: &mente::assistant::Assistant,
    user: &mente::engine::UserKey,
    question: &str,
    answer: &str,
    now: DateTime<Utc>,
) {
    use mente::engine::Input;
    use mente::service::{turn, TurnRequest, TurnResult};
    let say = |input: Input| {
        let request = TurnRequest { user: user.clone(), update_id: None, input, now };
        async move {
            match turn(store, assistant, request).await.unwrap() {
                TurnResult::Replies(replies) => replies,
                TurnResult::Duplicate => panic!("not a duplicate"),
            }
        }
    };
    let offer = say(Input::Text("人工".into())).await;
    let yes = offer.iter().flat_map(|r| &r.choices).find(|c| c.label == "留言给工作人员");
    say(Input::Button(yes.expect("the offer to leave a question").data.clone())).await;
    let left = say(Input::Text(question.into())).await;
    assert!(left[0].text.contains("已收到您的留言"), "{left:?}");
    answer_the_newest(store, answer, now).await;
}

/// Staff member `zhang` claims the newest open hand-off (unless theirs already) and answers.
pub async fn answer_the_newest(store: &mente::store::Store, answer: &str, now: DateTime<Utc>) {
    use mente::store::handoff;
    let id = handoff::queue(store.pool()).await.unwrap().last().expect("a hand-off").id;
    handoff::claim(store.pool(), id, "zhang", now).await.unwrap();
    assert!(handoff::reply(store.pool(), id, "zhang", answer, now).await.unwrap());
}

/// The engine on its own: `UserData` carries what the store loaded about hand-offs.
mod engine {
    use chrono::{DateTime, Utc};
    use mente::assistant::Assistant;
    use mente::engine::handoff::on_duty;
    use mente::engine::{self, Effect, HandoffView, Input, Session, UserData};

    fn assistant() -> Assistant {
        Assistant::load(crate::web::root()).expect("content loads")
    }

    fn china(at: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(at).unwrap().to_utc()
    }

    #[test]
    fn staff_are_on_duty_only_when_present_on_a_working_day_within_the_regions_hours() {
        let a = assistant();
        let on = |region, present, at| on_duty(&a.content, Some(region), present, china(at));
        assert!(on("panzhihua", true, "2026-11-30T10:00:00+08:00"));
        assert!(!on("panzhihua", false, "2026-11-30T10:00:00+08:00"), "nobody in the console");
        assert!(!on("panzhihua", true, "2026-11-30T12:30:00+08:00"), "lunch break");
        assert!(!on("panzhihua", true, "2026-11-28T10:00:00+08:00"), "Saturday");
        assert!(on("panzhihua", true, "2026-11-30T14:00:00+08:00"));
        assert!(!on("shaoyang", true, "2026-11-30T14:00:00+08:00"), "邵阳 starts at 14:30");
        assert!(on("shaoyang", true, "2026-11-30T17:00:00+08:00"));
    }

    #[test]
    fn during_a_hand_off_text_goes_to_staff_and_only_a_bare_command_is_a_command() {
        let a = assistant();
        let session = Session { region: Some("panzhihua".into()), turn: 3, ..Session::default() };
        let open = HandoffView { live: true, user_messages: 2 };
        let data = UserData { handoff: Some(open), staff_present: true, ..UserData::default() };
        let now = china("2026-11-30T10:00:00+08:00");
        let say = |text: &str| engine::handle(&a, &session, &data, Input::Text(text.into()), now);

        let out = say("我想取消申请 换个医院");
        assert!(out.replies.is_empty(), "the assistant stays quiet: {:?}", out.replies);
        assert_eq!(out.effects, [Effect::HandoffMessage { text: "我想取消申请 换个医院".into() }]);
        let out = say("取消");
        assert!(out.effects.contains(&Effect::HandoffEnd), "{:?}", out.effects);
        assert!(out.replies[0].text.contains("已结束人工服务"));
        let out = say("/forget");
        assert!(out.effects.contains(&Effect::Forget), "{:?}", out.effects);
    }
}

#[tokio::test]
async fn asking_again_while_a_left_question_waits_opens_no_second_hand_off() {
    let saturday = start(|_| {}).await;
    let cookie = user_in_panzhihua(&saturday).await;
    ask_for_a_person(&saturday, &cookie, "留言给工作人员").await;
    saturday.say(&cookie, &[("t", "异地就医的药费怎么报")]).await;
    let again = saturday.say(&cookie, &[("t", "人工")]).await;
    assert!(again.contains("您的留言已经转给工作人员"), "{again}");
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM handoff_threads")
        .fetch_one(saturday.store.pool())
        .await
        .unwrap();
    assert_eq!(open, 1);
}

/// Messages to the user of the open hand-off, and whether it is closed.
async fn thread_state(store: &mente::store::Store) -> (i64, i64) {
    let pool = store.pool();
    let bot: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM handoff_messages WHERE sender = 'bot'")
        .fetch_one(pool)
        .await
        .unwrap();
    let open: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM handoff_threads WHERE closed_at IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    (bot, open)
}

#[tokio::test]
async fn the_end_button_is_under_every_reply_of_a_hand_off_and_an_old_tap_is_answered() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    server.login("zhang", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;
    let opened = ask_for_a_person(&server, &cookie, "同意转人工").await;
    let end = button(&opened, "结束人工");

    // A staff reply arrives between turns: the page still offers the same button.
    answer_the_newest(&server.store, "您好，请讲", monday_ten()).await;
    server.get("/", &cookie).await;
    let page = server.get("/", &cookie).await.body;
    assert!(page.contains("【人工回复】您好，请讲"), "{page}");
    assert_eq!(button(&page, "结束人工"), end, "{page}");
    // A command answered during the hand-off carries it too.
    let help = server.say(&cookie, &[("t", "/help")]).await;
    assert_eq!(button(&help, "结束人工"), end);

    let ended = server.say(&cookie, &[("b", &end)]).await;
    assert!(ended.contains("已结束人工服务") && ended.contains("主菜单"), "{ended}");
    assert!(!ended.contains(">结束人工</button>"), "no way out offered once out: {ended}");
    assert!(!news(&server, &cookie).await["open"].as_bool().unwrap());

    // The old button tapped again (or after staff closed it): told so, nothing reopened.
    let again = server.say(&cookie, &[("b", &end)]).await;
    assert!(last_message(&again).contains("现在没有进行中的人工服务"), "{again}");
    assert!(!again.contains("这个按钮已经过期"), "{again}");
    assert_eq!(thread_state(&server.store).await.1, 0);
}

#[tokio::test]
async fn an_idle_hand_off_is_closed_by_the_background_step_once_with_two_workers() {
    use mente::handoff_idle::run_once;
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    server.login("zhang", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;
    ask_for_a_person(&server, &cookie, "同意转人工").await;
    let assistant = mente::assistant::Assistant::load(crate::web::root()).unwrap();

    let early = monday_ten() + Duration::minutes(29);
    assert_eq!(run_once(&server.store, &assistant, early).await.unwrap(), 0, "not idle yet");
    // Two workers, each with its own connection pool on the same database, at the same moment.
    let other = mente::store::Store::connect(&server.db).await.unwrap();
    let later = monday_ten() + Duration::minutes(31);
    let (a, b) = tokio::join!(
        run_once(&server.store, &assistant, later),
        run_once(&other, &assistant, later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "closed once");
    assert_eq!(thread_state(&server.store).await, (1, 0), "one notice queued, nothing open");
    assert_eq!(run_once(&other, &assistant, later).await.unwrap(), 0);

    // Without a message or an inbox load, the page gets the notice.
    let after = server.restart_at(later, |_| {}).await;
    let got = news(&after, &cookie).await;
    assert!(got["messages"][0].as_str().unwrap().contains("自动结束"), "{got}");
    assert_eq!(got["open"], false);
}

#[tokio::test]
async fn saying_an_answer_did_not_help_lists_the_question_and_offers_a_person() {
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    let (session, _) = server.login("zhang", PASSWORD).await;
    let cookie = server.conversation().await;
    server.say(&cookie, &[("t", "/start")]).await;
    let page = server.get("/", &cookie).await.body;
    server.say(&cookie, &[("b", &button(&page, "攀枝花"))]).await;
    let answered = server.say(&cookie, &[("t", "起付线多少")]).await;
    assert!(last_message(&answered).contains("800"), "{answered}");
    let before = server.get("/staff/unanswered", &session).await.body;
    assert!(before.contains("暂时没有未答问题"), "{before}");

    let wrong = server.say(&cookie, &[("t", "答非所问！")]).await;
    assert!(wrong.contains("没有帮上您") && wrong.contains("现在有工作人员在线"), "{wrong}");
    assert!(wrong.contains(">同意转人工</button>"), "{wrong}");
    let listed = server.get("/staff/unanswered", &session).await.body;
    assert!(listed.contains("<h2>起付线多少</h2>"), "{listed}");

    // A question that gave a phone number is never kept: a person is offered, nothing listed.
    server.say(&cookie, &[("b", &button(&wrong, "不用了"))]).await;
    let personal = server.say(&cookie, &[("t", "报销比例是多少 我电话13812345678")]).await;
    assert!(last_message(&personal).contains("来源"), "{personal}");
    let wrong = server.say(&cookie, &[("t", "没用")]).await;
    assert!(wrong.contains("没有帮上您"), "{wrong}");
    let listed = server.get("/staff/unanswered", &session).await.body;
    assert!(!listed.contains("报销比例") && !listed.contains("13812345678"), "{listed}");

    // A bare 不对 with no answer before it is no complaint.
    let fresh = server.conversation().await;
    let said = server.say(&fresh, &[("t", "不对")]).await;
    assert!(!said.contains("没有帮上您"), "{said}");
}

#[tokio::test]
async fn off_duty_in_shaoyang_no_service_hours_are_stated_as_facts() {
    // Saturday 10:00: off duty everywhere.
    let saturday = start(|_| {}).await;
    let cookie = saturday.conversation().await;
    saturday.say(&cookie, &[("t", "/start")]).await;
    let page = saturday.get("/", &cookie).await.body;
    saturday.say(&cookie, &[("b", &button(&page, "邵阳"))]).await;
    let offer = saturday.say(&cookie, &[("t", "/human")]).await;
    let said = last_message(&offer);
    assert!(said.contains("现在没有工作人员在线") && said.contains("12393"), "{said}");
    assert!(!said.contains("9:00") && !said.contains("14:30"), "an operator setting: {said}");
    assert!(!said.contains("不是人工服务时间"), "{said}");
    assert!(offer.contains(">留言给工作人员</button>"), "{offer}");
}

#[tokio::test]
async fn the_hand_off_queue_metric_leaves_out_requests_closed_in_the_inbox() {
    use mente::store::console::open_handoff_count;
    let base = start(|_| {}).await;
    let server = base.restart_at(monday_ten(), |_| {}).await;
    let (session, csrf) = server.login("zhang", PASSWORD).await;
    let cookie = user_in_panzhihua(&server).await;
    ask_for_a_person(&server, &cookie, "同意转人工").await;
    assert_eq!(open_handoff_count(server.store.pool()).await.unwrap(), 1);
    let id = first_thread(&server, &session).await;
    let close = format!("/staff/inbox/{id}/close");
    assert_eq!(
        server.post(&close, &session, &[("csrf", &csrf)]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(open_handoff_count(server.store.pool()).await.unwrap(), 0, "closed: not waiting");
}
