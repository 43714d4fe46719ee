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

    /// The one supported region a question is about when it names one (city, province or the
    /// region's app: `攀枝花起付线多少`, `湘医保怎么续期`), else `None`. Tools that take a
    /// `--region` (`mente ask`, the staff search) answer for this one instead, as the chat does:
    /// a hotline worker must not pass on one region's rule for another's question.
    pub fn region_named(&self, question: &str, today: chrono::NaiveDate) -> Option<String> {
        let ctx = crate::understand::Context { today, region: None };
        self.understand(question, ctx).region().map(str::to_string)
    }

    /// Builds the indexes for already-validated content.
    pub fn from_content(content: Content) -> Assistant {
        let knowledge = Knowledge::build(&content);
        let reader = Reader::build(&content);
        Assistant { content, knowledge, reader }
    }
}
