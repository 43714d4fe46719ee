//! The conversation dev set (`tests/devset/messages.yaml`, issue 10): realistic messages in
//! context, each replayed through the real turn path (engine, repository content, a fresh SQLite
//! file) at a fixed time, then checked for the facts a user needs, the texts that would mislead
//! them and the length of the answer.
//!
//! Prints the share of cases passed per class and overall, and every failure with its replies.
//! The tuned set must pass ≥ 90% overall and ≥ 80% in every class. `tests/devset/fresh.yaml`
//! (written after tuning, never tuned against) is scored the same way, printed separately and
//! gated at a lower floor so it stays an honest figure yet cannot silently rot.
//!
//! Case format (YAML list; see the header of `messages.yaml`):
//! - `consent: true`: the user agreed to data storage beforehand.
//! - `setup`: messages replayed first; the label or number of a button offered by the previous
//!   replies is a tap, anything else is typed text. `region:` instead preselects a region silently.
//! - `say`: the message under test, always sent as typed text (as on Telegram, where typing a
//!   button's label is text, not a tap), unless `tap: true`.
//! - `all` / `any` / `none`: substrings that must all appear / at least one must appear / none may
//!   appear, in what the user sees (texts and button labels of the replies to `say`). An `all`
//!   entry `a|b` is one fact with two accepted spellings.
//! - `max_chars` (default 300) per message text, `max_messages` (default 2) per turn.

use std::sync::Arc;

use mente::assistant::Assistant;
use mente::engine::{Input, Reply};
use serde::Deserialize;

use crate::replay::{self, indent, pct, Checks, Conversation, Score};

/// 2026-11-28 10:00 China time, a Saturday: the clock of every case.
const NOW: &str = "2026-11-28T10:00:00+08:00";

/// Pass floor of the fresh set (written after tuning): honest, so lower, but not allowed to rot.
const FRESH_FLOOR: f64 = 0.60;

/// One message in context (also the `messages:` of a blind file, see `stories.rs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    id: String,
    class: String,
    /// Who is typing; documentation only (blind files name their personas).
    #[serde(default)]
    #[allow(dead_code)]
    persona: Option<String>,
    #[serde(default)]
    region: Option<String>,
    /// Consent to store personal data given beforehand, as in stories.
    #[serde(default)]
    consent: bool,
    #[serde(default)]
    setup: Vec<String>,
    say: String,
    #[serde(default)]
    tap: bool,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    max_chars: Option<usize>,
    #[serde(default)]
    max_messages: Option<usize>,
}

impl Case {
    fn checks(&self) -> Checks<'_> {
        Checks {
            all: &self.all,
            any: &self.any,
            none: &self.none,
            max_chars: self.max_chars,
            max_messages: self.max_messages,
        }
    }
}

fn load(file: &str) -> Vec<Case> {
    let path = replay::root().join("tests/devset").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let cases: Vec<Case> = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    check_cases(file, &cases);
    cases
}

/// Every case must expect or forbid something.
pub fn check_cases(file: &str, cases: &[Case]) {
    for case in cases {
        assert!(
            !case.checks().is_empty(),
            "{file} {}: a case must expect or forbid something",
            case.id
        );
    }
}

/// Replays `case` at `now`; the failure report when it fails.
async fn run(case: &Case, assistant: Arc<Assistant>, now: &str) -> Option<String> {
    let mut chat = Conversation::new(assistant, &case.id, now).await;
    if let Some(region) = &case.region {
        chat.preselect(region).await;
    }
    if case.consent {
        chat.consent().await;
    }
    for line in &case.setup {
        let input = chat.tap(line);
        chat.send(input).await;
    }
    let input = match case.tap {
        true => chat.tap(&case.say),
        false => Input::Text(case.say.clone()),
    };
    let replies = chat.send(input).await;
    let seen = replay::seen(&replies);
    let problems = replay::judge(&case.checks(), &replies, &seen);
    if problems.is_empty() {
        return None;
    }
    Some(format!(
        "FAIL {} [{}] setup {:?} > {}\n  {}\n  --- replies:\n{}",
        case.id,
        case.class,
        case.setup,
        case.say,
        problems.join("; "),
        indent(&seen)
    ))
}

/// Scores `cases` replayed at `now`, one fresh conversation each.
pub async fn score_cases(cases: &[Case], now: &str) -> Score {
    let assistant = replay::assistant();
    let mut score = Score::default();
    for case in cases {
        let failure = run(case, assistant.clone(), now).await;
        score.add(&case.class, failure);
    }
    score
}

async fn score(file: &str) -> Score {
    score_cases(&load(file), NOW).await
}

/// The classes of issue 10; the dev set must cover each with enough cases to be a yardstick.
const CLASSES: [&str; 14] = [
    "region_named",
    "remote",
    "typed_button",
    "question_at_step",
    "estimate",
    "deadline",
    "several_diseases",
    "how_to_apply",
    "first_message",
    "disease_honesty",
    "consent_why",
    "renewal",
    "faq",
    "phone_screen",
];

#[test]
fn the_dev_set_covers_every_class_of_issue_10() {
    let cases = load("messages.yaml");
    assert!(cases.len() >= 150, "{} cases", cases.len());
    let mut ids = std::collections::HashSet::new();
    for case in &cases {
        assert!(ids.insert(case.id.as_str()), "duplicate id {}", case.id);
        assert!(
            CLASSES.contains(&case.class.as_str()),
            "{}: unknown class {}",
            case.id,
            case.class
        );
    }
    for class in CLASSES {
        let n = cases.iter().filter(|c| c.class == class).count();
        assert!(n >= 6, "class {class} has only {n} cases");
    }
    let fresh = load("fresh.yaml");
    assert!(fresh.len() >= 30, "{} fresh cases", fresh.len());
    for case in &fresh {
        assert!(
            CLASSES.contains(&case.class.as_str()),
            "{}: unknown class {}",
            case.id,
            case.class
        );
    }
}

#[tokio::test]
async fn the_dev_set_passes_90_percent_overall_and_80_percent_per_class() {
    let score = score("messages.yaml").await;
    score.print("dev set (tests/devset/messages.yaml)");
    score.assert_floors("dev set");
}

#[tokio::test]
async fn the_fresh_set_written_after_tuning_stays_above_its_floor() {
    let score = score("fresh.yaml").await;
    score.print("fresh set (tests/devset/fresh.yaml, never tuned against)");
    let (p, t) = score.overall();
    assert!(pct(p, t) >= 100.0 * FRESH_FLOOR, "fresh set {p}/{t} below 60%");
}

#[test]
fn the_judge_catches_missing_facts_forbidden_texts_and_long_turns() {
    let case: Case = serde_yaml::from_str(
        "{id: t, class: faq, say: x, all: ['10月22日|10-22', 攀枝花], none: [请点击下面的按钮]}",
    )
    .unwrap();
    let judge = |replies: &[Reply], seen: &str| replay::judge(&case.checks(), replies, seen);
    let reply = |text: &str| Reply { text: text.into(), choices: Vec::new() };
    let good = [reply("攀枝花：预计 2026-10-22 前审核完。")];
    assert!(judge(&good, &good[0].text).is_empty());
    let wrong = [reply("请点击下面的按钮选择。")];
    assert_eq!(judge(&wrong, &wrong[0].text).len(), 3, "two facts missing, one forbidden");
    let long = [reply(&"攀枝花10月22日".repeat(40))];
    assert_eq!(judge(&long, &long[0].text).len(), 1, "over one phone screen");
    let many = [reply("攀枝花 10-22"), reply("二"), reply("三")];
    assert_eq!(judge(&many, "攀枝花 10-22").len(), 1, "three messages in one turn");
    assert_eq!(judge(&[], "").len(), 3, "no reply: facts missing and no reply");
}
