//! Knowledge: FAQ retrieval for Chinese free text and the disease-catalogue matcher, built once
//! from validated [`Content`]. Pure: no I/O, no teloxide/sqlx/axum.
//!
//! STUB: owned by the knowledge-base work (issue 2). The public API below is the contract the
//! engine codes against; bodies are placeholders.

pub mod faq;
pub mod materials;

use serde::Serialize;

use crate::content::Content;

/// Indexes over the content, built at start-up.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    /// FAQ retrieval index.
    faq: faq::FaqIndex,
    diseases: crate::content::diseases::Catalogue,
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
}

impl Knowledge {
    /// Builds every index from the content.
    pub fn build(content: &Content) -> Knowledge {
        Knowledge { faq: faq::FaqIndex::build(content), diseases: content.diseases.clone() }
    }

    /// Answers a free-text question for `region` (or for every region when `None`).
    pub fn answer(&self, question: &str, region: Option<&str>) -> Answer {
        self.faq.answer(question, region)
    }

    /// The FAQ index itself (entry ids, for tools and tests).
    pub fn faq(&self) -> &faq::FaqIndex {
        &self.faq
    }

    /// Ranked catalogue matches for `text` in `region`, best first; empty when nothing is close.
    pub fn match_disease(&self, text: &str, region: &str) -> Vec<DiseaseMatch> {
        // Placeholder: exact name or alias only.
        let text = text.trim();
        let Some(list) = self.diseases.by_region.get(region) else { return Vec::new() };
        list.iter()
            .filter(|d| d.name == text || d.aliases.iter().any(|a| a == text))
            .map(|d| DiseaseMatch {
                name: d.name.clone(),
                score: 1.0,
                alias: Some(text.to_string()),
                note: d.note.clone(),
                strong: true,
            })
            .collect()
    }
}
