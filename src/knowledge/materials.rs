//! The materials checklist for an application, tailored to region, insurance type and disease
//! (region data plus the disease's extra materials). Used by the engine's `materials` action.
//!
//! STUB: owned by the knowledge-base work (issue 2); the signature is the contract.

use crate::content::Content;

/// What to bring or upload, with where the list comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checklist {
    /// One line per item, in the order an applicant gathers them.
    pub items: Vec<String>,
    /// Sources of the list (seed file names, research notes).
    pub sources: Vec<String>,
}

/// The checklist for `region` (`insurance`: `employee` / `resident`; `disease`: catalogue name).
/// Empty when the region is unknown.
pub fn checklist(
    _content: &Content,
    _region: &str,
    _insurance: Option<&str>,
    _disease: Option<&str>,
) -> Checklist {
    Checklist::default()
}
