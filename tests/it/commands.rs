//! Issue 17, items 3–5, with the messages users sent: commands in plain words at every step
//! (a region switch, a reminder, deleting my data with one confirmation, a person, the menu,
//! cancel), topics that were confused (where to apply, a transfer vs 异地备案, help for the
//! elderly, appeal, an overdue review, a disease question at a yes/no step) and dialect words
//! read through `faq/dialect.yaml`. Driven through `engine::handle` like `understanding`.

use mente::engine::{Effect, Input};
use mente::tracking::ReminderCommand;

use crate::understanding::Chat;

fn forgets(chat: &mut Chat, text: &str) -> bool {
    let out = chat.run(Input::Text(text.into()));
    out.effects.iter().any(|e| matches!(e, Effect::Forget))
}

fn hands_off(chat: &mut Chat, text: &str) -> bool {
    let out = chat.run(Input::Text(text.into()));
    out.effects.iter().any(|e| matches!(e, Effect::Handoff { .. }))
}

#[test]
fn saying_which_region_one_is_from_switches_at_once() {
    let mut chat = Chat::in_region("panzhihua");
    let text = chat.say("哦 搞错了 我是邵阳的");
    assert!(text.contains("已切换到邵阳"), "{text}");
    assert_eq!(chat.session.region.as_deref(), Some("shaoyang"));
    let text = chat.say("退休职工报多少");
    assert!(text.contains("85%") && text.contains("地区：邵阳"), "{text}");
    assert!(!text.contains("0812-3323000"), "{text}");

    let mut chat = Chat::in_region("panzhihua");
    let text = chat.say("邵阳");
    assert!(text.contains("已切换到邵阳") && !text.contains("0812-3323000"), "{text}");

    let mut chat = Chat::in_region("panzhihua");
    let text = chat.say("我说了我是邵阳的啊 切换到邵阳");
    assert!(!text.contains("能换定点医院吗"), "{text}");
    assert_eq!(chat.session.region.as_deref(), Some("shaoyang"));
}

#[test]
fn a_switch_at_a_button_step_restarts_the_procedure_in_the_new_region() {
    let mut chat = Chat::in_region("shaoyang");
    chat.say("续期");
    assert!(chat.labels().contains(&"本人申请".to_string()), "{:?}", chat.labels());
    let text = chat.say("切换到攀枝花");
    assert!(text.contains("已切换到攀枝花") && !text.contains("请点击"), "{text}");
    assert_eq!(chat.session.region.as_deref(), Some("panzhihua"));
    assert!(text.contains("攀枝花的门特资格续期"), "the renewal again, for 攀枝花: {text}");
}

#[test]
fn asking_for_a_reminder_in_words_leads_to_the_reminder_flow() {
    for said in ["好 那你提醒我一下嘛 我怕忘了", "你能帮我记着不 到时候提醒我一下", "设个提醒"]
    {
        let mut chat = Chat::in_region("shaoyang");
        let text = chat.say(said);
        assert!(!text.contains("没有把握"), "{said}: {text}");
        assert!(
            chat.labels().contains(&"到期前提醒我续期".to_string()),
            "{said}: {:?}",
            chat.labels()
        );
    }
    // A date said with it is filled in, not asked again.
    let mut chat = Chat::in_region("shaoyang");
    let text = chat.say("12月27号到期 到时候提醒我");
    assert!(!text.contains("待遇到期日是哪天"), "{text}");
    assert_eq!(chat.session.slots.get("valid_until").map(String::as_str), Some("2026-12-27"));
}

#[test]
fn how_reminders_arrive_is_answered_per_channel() {
    let mut chat = Chat::in_region("shaoyang");
    let text = chat.say("到时候你怎么提醒我 发短信吗");
    assert!(text.contains("不发短信") && text.contains("微信") && text.contains("网页"), "{text}");
    assert!(!chat.labels().contains(&"到期前提醒我续期".to_string()), "a question, no command");
    chat.assert_one_screen();
}

#[test]
fn deleting_my_data_in_words_asks_once_then_does_what_forget_does() {
    let mut chat = Chat::in_region("panzhihua");
    assert!(!forgets(&mut chat, "算了 把我的信息都删掉"));
    let text = chat.text();
    assert!(text.contains("确定要删除") && !text.contains("替家人"), "{text}");
    assert!(forgets(&mut chat, "是的"));
    assert!(chat.text().contains("已删除"), "{}", chat.text());
    assert_eq!(chat.session.region, None);

    let mut chat = Chat::in_region("shaoyang");
    assert!(!forgets(&mut chat, "删除我的数据"));
    assert!(!forgets(&mut chat, "不用了"));
    assert!(chat.text().contains("没有删除"), "{}", chat.text());
    assert_eq!(chat.session.region.as_deref(), Some("shaoyang"));

    // Inside a procedure, at a step with buttons, and confirmed with the button.
    let mut chat = Chat::in_region("panzhihua");
    chat.say("新申请");
    assert!(!forgets(&mut chat, "我的资料都删了吧"));
    chat.press("确定删除");
    assert!(chat.text().contains("已删除"), "{}", chat.text());
}

#[test]
fn a_question_that_mentions_a_command_word_is_no_command() {
    let mut chat = Chat::in_region("panzhihua");
    assert!(!forgets(&mut chat, "门特会不会被删除"));
    assert!(!chat.text().contains("确定要删除"), "{}", chat.text());
    assert!(!hands_off(&mut chat, "医院人工费能报吗"));
}

#[test]
fn a_person_the_menu_and_cancel_in_words_inside_a_procedure() {
    let mut chat = Chat::in_region("panzhihua");
    chat.say("新申请");
    assert!(hands_off(&mut chat, "找个人"));
    assert!(chat.text().contains("0812-3323000"), "{}", chat.text());
    assert!(chat.say("我要回主菜单").contains("主菜单"));
    assert_eq!(chat.session.dialog, None);
    let mut chat = Chat::in_region("shaoyang");
    chat.say("续期");
    let text = chat.say("不办了");
    assert!(text.contains("已取消") && !text.contains("请点击"), "{text}");
}

#[test]
fn topics_that_were_confused_get_their_own_answers() {
    let mut chat = Chat::in_region("shaoyang");
    let text = chat.say("那哪些医院可以办");
    assert!(text.contains("帮办代办") && !text.contains("备案成功后"), "{text}");
    let text = chat.say("医保转移到长沙去要咋弄");
    assert!(text.contains("全省互认") && !text.contains("备案成功后"), "{text}");
    let text = chat.say("我爷爷走路不方便我能不能拿他的身份证替他去医院办");
    assert!(text.contains("帮办代办"), "{text}");
    let text = chat.say("这个结果不合理 我要找个地方说理");
    assert!(text.contains("申诉"), "{text}");
    let mut chat = Chat::in_region("panzhihua");
    for said in ["审核没通过 我不服", "申诉"] {
        let text = chat.say(said);
        assert!(text.contains("意见反馈") && text.contains("0812-3323000"), "{said}: {text}");
    }
    let text = chat.say("交上去都20多天了还没结果 超时了咋办");
    assert!(text.contains("办理进度") && text.contains("0812-3323000"), "{text}");
    let text = chat.say("我妈八十多了走不动 我替她办要带啥");
    assert!(!text.contains("没有把握"), "{text}");
}

#[test]
fn a_disease_question_at_a_yes_no_step_is_answered_not_taken_for_no() {
    let mut chat = Chat::in_region("shaoyang");
    chat.say("续期");
    chat.press("本人申请");
    let text = chat.say("还没得 那尿毒症透析这个病包不包括在里头嘛");
    assert!(text.contains("慢性肾功能衰竭"), "{text}");
    assert_eq!(chat.session.step.as_deref(), Some("valid_known"), "the step waits: {text}");
}

#[test]
fn dialect_words_for_how_long_whom_and_father_are_understood() {
    let mut chat = Chat::in_region("panzhihua");
    let text = chat.say("晓不晓得审核要好多天");
    assert!(text.contains("15个工作日"), "{text}");
    let text = chat.say("审核莫得通过 找哪个说理");
    assert!(text.contains("0812-3323000") && !text.contains("没有把握"), "{text}");
    let mut chat = Chat::in_region("shaoyang");
    let text = chat.say("我老汉退休了 门特报好多");
    assert!(text.contains("85%"), "{text}");
}

// --- playtests after issue 17 (tune3): the exact messages of two unscripted conversations.

#[test]
fn a_change_of_mind_at_a_button_step_is_never_a_dead_end() {
    let mut chat = Chat::in_region("panzhihua");
    chat.say("新申请");
    let text = chat.say("烦死了 算了 把我的信息全部删了");
    assert!(text.contains("确定要删除") && !text.contains("请点击"), "{text}");

    // Another menu entry's title typed in a procedure starts that one, saying so.
    let mut chat = Chat::in_region("panzhihua");
    chat.say("新申请");
    let text = chat.say("记录申请进度");
    assert!(text.contains("先不办“新申请”") && !text.contains("请点击"), "{text}");
    assert_eq!(chat.session.dialog.as_deref(), Some("track_record"));

    // "我问的是…" asks a question: it is answered, not taken for a failed click.
    let mut chat = Chat::in_region("panzhihua");
    chat.say("异地备案");
    let text = chat.say("都不是 你搞错了 我问的是帮别个申请门特");
    assert!(!text.contains("请点击") && text.contains("替别人"), "{text}");
    chat.assert_one_screen();
}

#[test]
fn deleting_ones_data_in_other_words_asks_once_then_forgets() {
    for said in ["我的信息你都删掉吧 不要留了", "把我的资料都清掉"] {
        let mut chat = Chat::in_region("panzhihua");
        let text = chat.say(said);
        assert!(text.contains("确定要删除"), "{said}: {text}");
        assert!(forgets(&mut chat, "确定删除"), "{said}");
    }
    // Playtest: the confirmation answered in plain words, clause by clause.
    for (yes, answer) in [(true, "删嘛 确定"), (true, "嗯 都删了吧"), (false, "算了 不删了")]
    {
        let mut chat = Chat::in_region("panzhihua");
        chat.say("把我的资料都清掉");
        assert_eq!(forgets(&mut chat, answer), yes, "{answer}: {}", chat.text());
        assert!(!chat.text().contains("没有把握"), "{answer}: {}", chat.text());
    }
    for question in ["门特会不会被删除", "材料清单"] {
        let mut chat = Chat::in_region("panzhihua");
        let text = chat.say(question);
        assert!(!text.contains("确定要删除"), "{question}: {text}");
    }
}

/// The reminders of the user's own tasks the last `run` asked the store to keep.
fn tasks_added(out: &mente::engine::Outcome) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
    out.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Reminders(ReminderCommand::AddTask { task, due_at }) => {
                Some((task.clone(), *due_at))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_date_with_a_task_of_ones_own_is_reminded_that_morning_after_consent() {
    // Said on 2026-11-28 (the clock of these chats); 09:00 China time is 01:00 UTC.
    for (said, date, task, due) in [
        ("提醒我12月11号补材料", "12月11日", "补材料", "2026-12-11T01:00:00Z"),
        ("12月8号提醒我打电话问进度", "12月8日", "打电话问进度", "2026-12-08T01:00:00Z"),
        ("后天提醒我打电话", "11月30日", "打电话", "2026-11-30T01:00:00Z"),
        ("12月20号提醒我带我妈去复查", "12月20日", "复查", "2026-12-20T01:00:00Z"),
        ("过两天提醒我去拿药", "11月30日", "拿药", "2026-11-30T01:00:00Z"),
        ("提醒我月底前把材料交了", "11月30日", "交材料", "2026-11-30T01:00:00Z"),
    ] {
        let mut chat = Chat::in_region("panzhihua");
        let text = chat.say(said);
        assert!(
            text.contains(date) && text.contains(task) && text.contains("是否同意保存"),
            "{said}: {text}"
        );
        assert!(!text.contains("没法按日期提醒") && !text.contains("没有把握"), "{said}: {text}");
        assert_eq!(chat.session.dialog, None, "{said}: no renewal started");
        assert!(!chat.session.slots.contains_key("valid_until"), "{said}");
        let out = chat.run(Input::Text("同意".into()));
        let due = chrono::DateTime::parse_from_rfc3339(due).unwrap().with_timezone(&chrono::Utc);
        // A call carries the region's number, so the reminder says whom to call.
        let kept = match task.contains("电话") {
            true => format!("{task}（攀枝花医保服务热线 0812-3323000）"),
            false => task.to_string(),
        };
        assert_eq!(tasks_added(&out), vec![(kept, due)], "{said}: {}", chat.text());
        assert!(chat.text().contains("只提醒这一次"), "{said}: {}", chat.text());
        chat.assert_one_screen();
    }
}

#[test]
fn a_task_reminder_keeps_nothing_personal_and_nothing_without_consent() {
    // The user's own words are cut short and a name in them is masked.
    let mut chat = Chat::in_region("panzhihua");
    chat.session.consent = Some(true);
    let out = chat.run(Input::Text("12月9号提醒我去找张秀兰拿身份证复印件回来交给社区".into()));
    let added = tasks_added(&out);
    assert_eq!(added.len(), 1, "{}", chat.text());
    assert!(!added[0].0.contains("秀兰") && added[0].0.chars().count() <= 8, "{added:?}");
    // Refused: nothing kept, and said so.
    let mut chat = Chat::in_region("panzhihua");
    chat.say("12月20号提醒我去复查");
    let out = chat.run(Input::Text("不同意".into()));
    assert!(tasks_added(&out).is_empty());
    assert!(chat.text().contains("没有设"), "{}", chat.text());
}

#[test]
fn a_task_reminder_for_a_day_gone_or_unread_asks_for_the_day_and_keeps_the_task() {
    let mut chat = Chat::in_region("panzhihua");
    chat.session.consent = Some(true);
    let text = chat.say("11月1号提醒我去复查");
    assert!(text.contains("已经过去了") && text.contains("复查"), "{text}");
    let out = chat.run(Input::Text("12月20号".into()));
    assert_eq!(tasks_added(&out).len(), 1, "{}", chat.text());
    assert!(chat.text().contains("2026年12月20日") && chat.text().contains("复查"));
    let text = chat.say("提醒我去拿药");
    assert!(text.contains("哪一天") && text.contains("拿药"), "{text}");
    let out = chat.run(Input::Text("后天".into()));
    assert_eq!(tasks_added(&out)[0].0, "拿药", "{}", chat.text());
    // Inside another procedure the procedure stays: its step is asked again.
    let mut chat = Chat::in_region("panzhihua");
    chat.session.consent = Some(true);
    chat.say("新申请");
    let dialog = chat.session.dialog.clone();
    let out = chat.run(Input::Text("12月11号提醒我补材料".into()));
    assert_eq!(tasks_added(&out).len(), 1, "{}", chat.text());
    assert_eq!(chat.session.dialog, dialog);
}

#[test]
fn an_acceptance_past_its_review_deadline_promises_no_reminder() {
    let mut chat = Chat::in_region("panzhihua");
    // Nothing recorded yet: the review's last day at once; once consent is given (PIPL) the
    // application is recorded, with no reminder promised.
    let text = chat.say("10月9号受理的 提醒我一下");
    assert!(text.contains("已经超过") && text.contains("0812-3323000"), "{text}");
    let text = chat.say("同意");
    assert!(!text.contains("我按审核期限提醒您") && !text.contains("提醒日"), "{text}");
    assert!(text.contains("已超期") && text.contains("0812-3323000"), "{text}");
    // A deadline still ahead is reminded of.
    let mut chat = Chat::in_region("panzhihua");
    chat.say("11月20号受理的 提醒我一下");
    let text = chat.say("同意");
    assert!(text.contains("2026年12月11日") && text.contains("提醒日"), "{text}");
}

#[test]
fn a_long_step_is_not_appended_to_every_answer() {
    // The how-to step of 新申请 (about 300 characters) was appended to every later reply.
    let mut chat = Chat::in_region("panzhihua");
    chat.say("新申请");
    chat.press("本人");
    chat.press("职工医保");
    if chat.labels().contains(&"同意".to_string()) {
        chat.press("同意");
    }
    chat.say("糖尿病");
    chat.press("二级及以上医院");
    let text = chat.press("下一步：怎么办理");
    let block = "怎么办：攀枝花可在手机上全程办理";
    assert!(text.contains(block), "{text}");
    // Just read in full, it is not sent again after an answer beside it: where the user is.
    let text = chat.say("起付线多少");
    assert!(!text.contains(block) && text.contains("继续“新申请”"), "{text}");
    for question in ["/help", "报销比例多少", "糖尿病能办吗"] {
        let text = chat.say(question);
        assert!(!text.contains(block), "{question}: {text}");
        for reply in &chat.last {
            assert!(reply.text.chars().count() <= 300, "{question}: {}", reply.text);
        }
        assert!(!text.contains("（继续“新申请”："), "not the question again: {text}");
        let next = "下一步：审核要多久".to_string();
        assert!(chat.labels().contains(&next), "the step's buttons stay: {:?}", chat.labels());
    }
}

#[test]
fn a_person_asked_for_in_shaoyang_gets_only_shaoyangs_line() {
    let mut chat = Chat::in_region("shaoyang");
    let text = chat.say("有没有人工电话");
    assert!(text.contains("12393") && !text.contains("0812-3323000"), "{text}");
}

#[test]
fn a_son_with_his_phone_during_a_renewal_gets_applying_for_another() {
    let mut chat = Chat::in_region("shaoyang");
    chat.say("续期");
    let text = chat.say("我手机用不来 让我儿子用他手机帮我弄行不");
    assert!(text.contains("替他人申请") && !text.contains("没有把握"), "{text}");
}

#[test]
fn a_supplement_date_for_a_tracked_application_is_recorded_with_its_reminder() {
    use mente::engine::Effect;
    use mente::tracking::{Application, Event, Kind, StatusEntry};
    let mut chat = Chat::in_region("panzhihua");
    let accepted_on = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
    let event = Event::Submitted { accepted_on, acceptance_no: None };
    chat.user.applications.push(Application {
        id: 1,
        details: crate::sample::details(Kind::New, "panzhihua"),
        history: vec![StatusEntry { event, at: chrono::Utc::now() }],
        reminders: Vec::new(),
    });
    let out = chat.run(Input::Text("提醒我12月11号补材料".into()));
    let text = chat.text();
    assert!(!text.contains("没法按日期提醒") && text.contains("2026年12月11日"), "{text}");
    assert!(out.effects.iter().any(|e| matches!(e, Effect::Application(_))), "{text}");
}
