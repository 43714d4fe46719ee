//! FAQ entries (`faq/*.yaml`): stable id, regions, paraphrased questions, answer, source, as-of date.
//!
//! STUB: owned by the knowledge-base work (issue 2).

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// One question-and-answer entry.
#[derive(Debug, Clone, Deserialize)]
pub struct FaqEntry {
    /// Stable id (used by `mente ask --json` and by dialogs).
    pub id: String,
    /// Region ids this entry applies to; empty means every region.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Ways people ask it.
    pub questions: Vec<String>,
    /// The answer, in our own words.
    pub answer: String,
    /// Where the facts come from (seed file or research note).
    pub source: String,
}

/// Stage 1: parses every FAQ file (each holds a list of entries).
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Vec<FaqEntry> {
    let mut all = Vec::new();
    for file in files {
        if let Some(entries) = yaml::parse::<Vec<FaqEntry>>(file, diags) {
            all.extend(entries);
        }
    }
    all
}

/// Stage 2: cross-checks FAQ entries (region ids, duplicate ids).
pub fn validate(_content: &Content, _sources: &Sources, _diags: &mut Vec<Diagnostic>) {}
