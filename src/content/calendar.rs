//! Holiday calendar (`data/calendar/*.yaml`): official days off and make-up workdays per year.
//!
//! STUB: owned by the tracking work (issue 4).

use serde::Deserialize;

use super::{Content, Diagnostic, SourceFile, Sources};

/// The official arrangements of every year the data covers.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Calendar {}

/// Stage 1: parses every calendar file.
pub fn parse_all(_files: &[SourceFile], _diags: &mut Vec<Diagnostic>) -> Calendar {
    Calendar::default()
}

/// Stage 2: checks years are complete and dates belong to their year.
pub fn validate(_content: &Content, _sources: &Sources, _diags: &mut Vec<Diagnostic>) {}
