//! The loaded assistant: validated content plus the knowledge indexes built from it.
//! Built once at start-up and shared (read-only) by every adapter.

use std::path::Path;

use crate::content::{self, Content, ContentError};
use crate::knowledge::Knowledge;

/// Content and indexes, immutable after start-up.
#[derive(Debug, Clone)]
pub struct Assistant {
    /// Validated content.
    pub content: Content,
    /// FAQ and disease indexes.
    pub knowledge: Knowledge,
}

impl Assistant {
    /// Loads and validates the content under `root`, then builds the indexes.
    pub fn load(root: &Path) -> Result<Assistant, ContentError> {
        let content = content::load(root)?;
        Ok(Assistant::from_content(content))
    }

    /// Builds the indexes for already-validated content.
    pub fn from_content(content: Content) -> Assistant {
        let knowledge = Knowledge::build(&content);
        Assistant { content, knowledge }
    }
}
