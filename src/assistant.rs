//! The loaded assistant: validated content plus the knowledge indexes built from it.
//! Built once at start-up and shared (read-only) by every adapter.

use std::path::Path;

use crate::content::{self, Content, ContentError};
use crate::knowledge::Knowledge;
use crate::understand::Reader;

/// Content and indexes, immutable after start-up.
#[derive(Debug, Clone)]
pub struct Assistant {
    /// Validated content.
    pub content: Content,
    /// FAQ and disease indexes.
    pub knowledge: Knowledge,
    /// Word lists for reading free-text messages ([`crate::understand`]).
    pub reader: Reader,
}

impl Assistant {
    /// Loads and validates the content under `root`, then builds the indexes.
    pub fn load(root: &Path) -> Result<Assistant, ContentError> {
        let content = content::load(root)?;
        Ok(Assistant::from_content(content))
    }

    /// Reads one free-text message ([`crate::understand`]); stores nothing.
    pub fn understand(
        &self,
        text: &str,
        ctx: crate::understand::Context<'_>,
    ) -> crate::understand::Understanding {
        self.reader.read(&self.knowledge, text, ctx)
    }

    /// Builds the indexes for already-validated content.
    pub fn from_content(content: Content) -> Assistant {
        let knowledge = Knowledge::build(&content);
        let reader = Reader::build(&content);
        Assistant { content, knowledge, reader }
    }
}
