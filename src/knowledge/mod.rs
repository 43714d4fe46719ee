//! Knowledge: FAQ retrieval for Chinese free text and the disease-catalogue matcher, built once
//! from validated [`Content`]. Pure: no I/O, no teloxide/sqlx/axum.
//!
//! The public API below is the contract the engine codes against: [`faq`] answers questions,
//! [`disease`] matches disease names.

pub mod disease;
pub mod faq;
pub mod materials;

use serde::Serialize;

use crate::content::Content;

/// Indexes over the content, built at start-up.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    /// FAQ retrieval index.
    faq: faq::FaqIndex,
    diseases: disease::DiseaseIndex,
    /// Dialect words rewritten before a question is matched.
    dialect: crate::content::dialect::Dialect,
    /// Topic words the user denies (`不是延期`, `不是异地`: a `deny_before` word in front of an
    /// action word of `faq/understand.yaml`), longest first: taken out before the FAQ is asked,
    /// so the denied topic does not pull the answer to itself.
    denied: Vec<String>,
    /// The `deny_before` words every span of `denied` begins with: a question holding none of
    /// them denies nothing, and is not searched for each of the hundreds of spans (that search
    /// was a tenth of the web chat's CPU).
    deny_words: Vec<String>,
}

/// The answer to a free-text question (also the `mente ask --json` shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// FAQ entry id; `None` exactly when the assistant is not sure.
    pub id: Option<String>,
    /// Confidence in [0, 1].
    pub score: f64,
    /// Text to show (the answer, or the not-sure reply with suggestions and hotline).
    pub answer: String,
    /// Region the answer is for; `None` when it covers all or several regions.
    pub region: Option<String>,
    /// Source of the facts.
    pub source: Option<String>,
    /// Up to 3 likely questions when not sure.
    pub suggestions: Vec<String>,
}

/// One disease candidate (also an element of `mente disease --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiseaseMatch {
    /// Catalogue name.
    pub name: String,
    /// Score in [0, 1], higher is better.
    pub score: f64,
    /// The alias or spelling that matched.
    pub alias: Option<String>,
    /// Resident-only, unverified, extra materials … for the user.
    pub note: Option<String>,
    /// Confident enough to accept without a "did you mean …?" question.
    #[serde(skip)]
    pub strong: bool,
    /// The catalogue entry comes from an official list or a seed document; an unverified one
    /// is never presented as eligible, only as possibly covered.
    #[serde(skip)]
    pub verified: bool,
}

impl Knowledge {
    /// Builds every index from the content.
    pub fn build(content: &Content) -> Knowledge {
        Knowledge {
            faq: faq::FaqIndex::build(content),
            diseases: disease::DiseaseIndex::build(&content.diseases).with_negation(
                &content.understand.negation,
                &content.understand.reading.negation_gap,
            ),
            dialect: content.dialect.clone(),
            denied: denied_topics(content),
            deny_words: content
                .understand
                .deny_before
                .iter()
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .collect(),
        }
    }

    /// Answers a free-text question for `region` (or for every region when `None`), as typed
    /// and in plain Mandarin (`faq/dialect.yaml`: 晓不晓得审核要好多天 → 知不知道审核要多少天):
    /// the surer of the two confident answers, so a wording the FAQ already knew is not lost.
    pub fn answer(&self, question: &str, region: Option<&str>) -> Answer {
        let question = self.without_denied(question);
        let question = question.as_str();
        let typed = self.faq.answer(question, region, &self.diseases);
        let plain = self.dialect.plain(question);
        if plain == question {
            return typed;
        }
        let read = self.faq.answer(&plain, region, &self.diseases);
        match (&typed.id, &read.id) {
            (Some(_), Some(_)) if typed.score > read.score => typed,
            (Some(_), None) => typed,
            (None, None) => typed,
            _ => read,
        }
    }

    /// Whether `question`, as typed or in plain Mandarin (`咋个办` → `怎么办`), is made of
    /// generic words only.
    pub fn is_vague(&self, question: &str) -> bool {
        self.faq.is_vague(question) || self.faq.is_vague(&self.dialect.plain(question))
    }

    /// `question` without the topics it denies (`不是延期啊他是头一回办` → `啊他是头一回办`);
    /// `是不是延期` asks about the topic and keeps it.
    fn without_denied(&self, question: &str) -> String {
        let mut text = question.to_string();
        if !self.deny_words.iter().any(|word| question.contains(word.as_str())) {
            return text;
        }
        for span in &self.denied {
            let mut from = 0;
            while let Some(at) = text[from..].find(span.as_str()).map(|i| i + from) {
                if text[..at].ends_with('是') {
                    from = at + span.len();
                } else {
                    text.replace_range(at..at + span.len(), "");
                    from = at;
                }
            }
        }
        text
    }

    /// The FAQ index itself (entry ids, for tools and tests).
    pub fn faq(&self) -> &faq::FaqIndex {
        &self.faq
    }

    /// Whether `text` names a disease only to say the person does not have it (`我又没得癌症`).
    pub fn only_negated(&self, text: &str, region: &str) -> bool {
        self.diseases.only_negated(&self.dialect.plain(text), region)
            || self.diseases.only_negated(text, region)
    }

    /// Ranked catalogue matches for `text` in `region`, best first; empty when nothing is close.
    /// See [`disease`] for the stages and thresholds.
    pub fn match_disease(&self, text: &str, region: &str) -> Vec<DiseaseMatch> {
        self.diseases.find(text, region)
    }
}

/// Every `deny_before` word in front of every action word (`不是延期`, `不是异地` …), longest
/// first.
fn denied_topics(content: &Content) -> Vec<String> {
    let lex = &content.understand;
    let topics = lex.actions.values().flatten();
    let mut spans: Vec<String> = topics
        .filter(|w| !w.trim().is_empty())
        .flat_map(|w| lex.deny_before.iter().map(move |d| format!("{}{}", d.trim(), w.trim())))
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    spans.dedup();
    spans
}
