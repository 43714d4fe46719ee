//! Dialog trees (`dialogs/*.yaml`): steps that say, offer choices, ask typed input, branch, set
//! slots, call actions, jump and end.
//!
//! STUB: owned by the conversation-engine work (issue 3).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// All dialog trees, by dialog id.
#[derive(Debug, Clone, Default)]
pub struct Dialogs {
    /// Dialog id → tree.
    pub trees: BTreeMap<String, DialogTree>,
}

/// One dialog.
#[derive(Debug, Clone, Deserialize)]
pub struct DialogTree {
    /// Stable id.
    pub id: String,
}

/// Stage 1: parses every dialog file.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Dialogs {
    let mut dialogs = Dialogs::default();
    for file in files {
        if let Some(tree) = yaml::parse::<DialogTree>(file, diags) {
            dialogs.trees.insert(tree.id.clone(), tree);
        }
    }
    dialogs
}

/// Stage 2: references between steps and dialogs, reachability, templates, limits.
pub fn validate(_content: &Content, _sources: &Sources, _diags: &mut Vec<Diagnostic>) {}
