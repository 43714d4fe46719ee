//! What the assistant says about a live hand-off to staff (`faq/handoff.yaml`, issue 18): the
//! offer and its consent buttons, opening, closing (by the user, by staff, when idle), how a
//! staff reply reads, the 结束人工 button, and the words of a user telling the assistant that
//! its answer did not help (`不对`, `没用` …) with what the assistant says then.
//!
//! Edited by staff like the other wordings, without Rust. Stage 1 parses the file (every
//! wording is required: a missing one is a serde error with its line); stage 2 reports a blank
//! wording, a `{placeholder}` the wording cannot have, a required placeholder left out, and a
//! blank not-helpful word, each at its line. The file must exist (`read_sources` says so).

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// The file under `faq/` that holds these wordings (it is not a list of FAQ entries).
pub const HANDOFF_FILE: &str = "faq/handoff.yaml";

/// Every wording of `faq/handoff.yaml`. `{hotline}` is the region's hotline (every region's
/// without one), `{hours}` the service hours users may be told, `{text}` what staff wrote.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffWords {
    /// Label of the button under every reply while a hand-off holds the conversation.
    pub end_button: String,
    /// Staff on duty: the offer, before the consent buttons. `{hotline}`.
    pub offer_live: String,
    /// Off duty, with service hours users may be told. `{hours}`, `{hotline}`.
    pub offer_off_duty: String,
    /// Off duty where the hours are only an operator's setting (no source gives them): no
    /// hours are told as facts. `{hotline}`.
    pub offer_off_duty_no_hours: String,
    /// Consent button when staff are on duty.
    pub yes_live: String,
    /// Consent button off duty (leave a question).
    pub yes_leave: String,
    /// The button that declines.
    pub decline: String,
    /// Asked for a person while already talking to one.
    pub already_open: String,
    /// Asked for a person while a left question still waits. `{hotline}`.
    pub left_waiting: String,
    /// The hand-off opened, staff on duty.
    pub opened_live: String,
    /// The hand-off opened off duty: write the question.
    pub opened_leave: String,
    /// The question left off duty was received.
    pub left_received: String,
    /// No hand-off wanted: the hotline. `{hotline}`.
    pub hotline: String,
    /// The user ended the hand-off.
    pub ended: String,
    /// 结束人工 with no hand-off open (an old button, or typed).
    pub nothing_to_end: String,
    /// Staff closed the hand-off.
    pub closed_by_staff: String,
    /// The hand-off closed after the idle time.
    pub closed_idle: String,
    /// How a staff reply reads on every channel. `{text}` (required).
    pub staff_says: String,
    /// A message that is nothing but one of these, right after an answer, says the answer did
    /// not help (compared without spaces and punctuation).
    pub not_helpful: Vec<String>,
    /// Said then, before the hand-off is offered: the question is kept for the content team.
    pub not_helpful_reply: String,
    /// Words that take the offer in a message that goes on (`要得 留个言 就讲…`): the rest of
    /// the message is what the user leaves for staff.
    #[serde(default)]
    pub take_offer: Vec<String>,
    /// Words asking to be called back (`我爸电话138… 让他们打过来`): at the offer they take it,
    /// the whole message going to staff, and `callback_note` says how staff answer.
    #[serde(default)]
    pub callback: Vec<String>,
    /// Said after a message asking for a call back: numbers are masked, staff reply in the
    /// chat. `{hotline}`. Optional (older content trees have none): nothing is added then.
    #[serde(default)]
    pub callback_note: String,
    /// Words asking whether staff will phone (`工作人员会打我电话不`) while a message left for
    /// them waits: `callback_note` is the answer (with `callback`'s words too).
    #[serde(default)]
    pub asks_call: Vec<String>,
}

/// Placeholders each wording may use, and those it must use.
const PLACEHOLDERS: &[(&str, &[&str], &[&str])] = &[
    ("offer_live", &["hotline"], &[]),
    ("offer_off_duty", &["hours", "hotline"], &["hours"]),
    ("offer_off_duty_no_hours", &["hotline"], &[]),
    ("left_waiting", &["hotline"], &[]),
    ("callback_note", &["hotline"], &[]),
    ("hotline", &["hotline"], &["hotline"]),
    ("staff_says", &["text"], &["text"]),
];

impl HandoffWords {
    /// `template` with each `{name}` of `values` filled in.
    pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
        values.iter().fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
    }

    /// How a staff reply reads on every channel.
    pub fn staff_says(&self, text: &str) -> String {
        Self::fill(&self.staff_says, &[("text", text)])
    }

    /// Whether `text` is nothing but a not-helpful word (`不对。`, `没用！`, `答非所问`).
    pub fn says_not_helpful(&self, text: &str) -> bool {
        let bare: String =
            text.chars().filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation()).collect();
        let bare = bare.trim_matches(|c: char| "。，！？!?~～…、".contains(c));
        !bare.is_empty() && self.not_helpful.iter().any(|w| w.trim() == bare)
    }

    /// Every wording with the key it is written under (for validation).
    fn wordings(&self) -> [(&'static str, &str); 19] {
        [
            ("end_button", &self.end_button),
            ("offer_live", &self.offer_live),
            ("offer_off_duty", &self.offer_off_duty),
            ("offer_off_duty_no_hours", &self.offer_off_duty_no_hours),
            ("yes_live", &self.yes_live),
            ("yes_leave", &self.yes_leave),
            ("decline", &self.decline),
            ("already_open", &self.already_open),
            ("left_waiting", &self.left_waiting),
            ("opened_live", &self.opened_live),
            ("opened_leave", &self.opened_leave),
            ("left_received", &self.left_received),
            ("hotline", &self.hotline),
            ("ended", &self.ended),
            ("nothing_to_end", &self.nothing_to_end),
            ("closed_by_staff", &self.closed_by_staff),
            ("closed_idle", &self.closed_idle),
            ("staff_says", &self.staff_says),
            ("not_helpful_reply", &self.not_helpful_reply),
        ]
    }
}

/// Stage 1: parses `faq/handoff.yaml` (absent: empty wordings; `read_sources` reports a content
/// tree without it, so only partial trees built by tests get here without one).
pub fn parse(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> HandoffWords {
    files
        .iter()
        .find(|f| f.path == HANDOFF_FILE)
        .and_then(|file| yaml::parse::<HandoffWords>(file, diags))
        .unwrap_or_default()
}

/// Stage 2: blank wordings and words, unknown and missing placeholders, each at its line.
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let Some(file) = sources.faq.iter().find(|f| f.path == HANDOFF_FILE) else { return };
    let words = &content.handoff;
    let at = |key: &str| yaml::line_containing(&file.text, &format!("{key}:"));
    for (key, text) in words.wordings() {
        if text.trim().is_empty() {
            diags.push(Diagnostic::new(&file.path, at(key), format!("`{key}` is empty")));
            continue;
        }
        let (allowed, required) = PLACEHOLDERS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or((&[][..], &[][..]), |(_, allowed, required)| (*allowed, *required));
        for name in placeholders(text) {
            if !allowed.contains(&name.as_str()) {
                let message = if allowed.is_empty() {
                    format!("`{key}` cannot use {{{name}}}")
                } else {
                    format!(
                        "`{key}` cannot use {{{name}}}; it may use {{{}}}",
                        allowed.join("}, {")
                    )
                };
                diags.push(Diagnostic::new(&file.path, at(key), message));
            }
        }
        for name in required.iter().filter(|n| !text.contains(&format!("{{{n}}}"))) {
            let message = format!("`{key}` must contain {{{name}}}");
            diags.push(Diagnostic::new(&file.path, at(key), message));
        }
    }
    if words.not_helpful.iter().any(|w| w.trim().is_empty()) {
        diags.push(Diagnostic::new(&file.path, at("not_helpful"), "empty word in `not_helpful`"));
    }
}

/// The names between braces in `text`.
fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].trim().to_string());
        rest = &after[close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Vec<Diagnostic> {
        let sources = Sources {
            faq: vec![SourceFile { path: HANDOFF_FILE.into(), text: text.into() }],
            ..Sources::default()
        };
        // This file's problems only (the partial tree lacks a calendar, for one).
        match super::super::from_sources(&sources) {
            Ok(_) => Vec::new(),
            Err(err) => err.diagnostics.into_iter().filter(|d| d.file == HANDOFF_FILE).collect(),
        }
    }

    fn shipped() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq/handoff.yaml")).unwrap()
    }

    #[test]
    fn the_shipped_wordings_pass() {
        assert_eq!(check(&shipped()), Vec::new());
    }

    #[test]
    fn a_wrong_or_missing_placeholder_and_a_missing_wording_are_reported_at_their_line() {
        let text = shipped().replace("{text}", "{txt}");
        let found = check(&text);
        let line = text.lines().position(|l| l.starts_with("staff_says:")).unwrap() + 1;
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|d| d.line == line), "{found:?}");
        assert!(found[0].message.contains("{txt}") && found[1].message.contains("{text}"));

        let without: String = shipped()
            .lines()
            .filter(|l| !l.starts_with("closed_idle:"))
            .map(|l| format!("{l}\n"))
            .collect();
        let found = check(&without);
        assert!(found.iter().any(|d| d.message.contains("closed_idle")), "{found:?}");
    }

    #[test]
    fn not_helpful_reads_the_bare_word_only() {
        let words = HandoffWords {
            not_helpful: vec!["不对".into(), "答非所问".into()],
            ..HandoffWords::default()
        };
        assert!(words.says_not_helpful("不对。") && words.says_not_helpful(" 答非所问！"));
        assert!(!words.says_not_helpful("不对 我是职工"), "a correction is no complaint");
        assert!(!words.says_not_helpful("。"));
    }
}
