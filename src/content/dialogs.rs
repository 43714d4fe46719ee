//! Dialog trees (`dialogs/*.yaml`): the steps that guide a user through a procedure.
//!
//! A step does, in this order: `set` slots → run `action` → `say` its text → then exactly one of
//! `ask` (wait for typed input or a button), `branch` (choose the next step from slot values),
//! `goto` (jump to another dialog), `next` (continue to a step), or `end` (back to the menu).
//! Steps that do not `ask` continue immediately, so a cycle of them would never wait for the user
//! (`mente check` rejects that).
//!
//! Templates in `say`, `hint` and labels: `{slot}`, `{region.KEY}` (see `Region::FACT_KEYS`),
//! `{today}`. The slot `region` always exists (the user's region).
//!
//! Stage 1 (here, `parse_all`) checks shapes; stage 2 (`validate`) checks references.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// Slots every dialog may use without setting them.
pub const GLOBAL_SLOTS: &[&str] = &["region", "today"];

/// Actions implemented in Rust, and the slots each one sets for later templates.
pub const ACTIONS: &[(&str, &[&str])] = &[
    // Materials checklist for the region, insurance type and disease (slots: disease, insurance).
    ("materials", &["materials"]),
    // Review deadline from `accepted_on` (15 working days per region data).
    ("review_due", &["due_date", "due_note"]),
    // Record or update the application described by the slots (kind, disease, …).
    ("record_application", &["application_id"]),
    // List the user's applications (我的申请).
    ("show_applications", &["applications"]),
    // List and switch reminders (/reminders).
    ("show_reminders", &["reminders"]),
    // Hand the user to a person: region hotline, recorded.
    ("handoff", &[]),
];

/// All dialog trees, by dialog id.
#[derive(Debug, Clone, Default)]
pub struct Dialogs {
    /// Dialog id → tree.
    pub trees: BTreeMap<String, DialogTree>,
    /// Dialog id → file it came from (for diagnostics).
    pub files: BTreeMap<String, String>,
}

/// One dialog: an ordered list of steps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialogTree {
    /// Stable id, referenced by `goto` and stored in sessions.
    pub id: String,
    /// Title shown in the main menu.
    pub title: String,
    /// Shown as a main-menu button when set; lower first.
    #[serde(default)]
    pub menu: Option<u32>,
    /// The user must have chosen a region before this dialog starts.
    #[serde(default)]
    pub needs_region: bool,
    /// First step; the first listed step when absent.
    #[serde(default)]
    pub start: Option<String>,
    /// The steps.
    pub steps: Vec<Step>,
}

impl DialogTree {
    /// Id of the first step.
    pub fn start_step(&self) -> Option<&str> {
        self.start.as_deref().or_else(|| self.steps.first().map(|s| s.id.as_str()))
    }

    /// The step with `id`.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// One step of a dialog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Id unique within the dialog.
    pub id: String,
    /// Slots to set (values are templates).
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// A Rust action to run (one of [`ACTIONS`]).
    #[serde(default)]
    pub action: Option<String>,
    /// Text to send (the question, when the step asks). Template.
    #[serde(default)]
    pub say: Option<String>,
    /// Text per region id, used instead of `say` for users of that region.
    #[serde(default)]
    pub say_by_region: BTreeMap<String, String>,
    /// Wait for input of this type.
    #[serde(default)]
    pub ask: Option<InputKind>,
    /// Slot that receives the answer of `ask`.
    #[serde(default)]
    pub slot: Option<String>,
    /// Buttons (required for `ask: choice`, optional quick answers otherwise).
    #[serde(default)]
    pub choices: Vec<ChoiceSpec>,
    /// Shown when the answer is invalid, before asking again.
    #[serde(default)]
    pub hint: Option<String>,
    /// Ordered rules; the first whose `when` holds gives the next step.
    #[serde(default)]
    pub branch: Vec<Rule>,
    /// Jump to another dialog (`dialog` or `dialog#step`).
    #[serde(default)]
    pub goto: Option<String>,
    /// Next step in this dialog.
    #[serde(default)]
    pub next: Option<String>,
    /// End the dialog and show the main menu.
    #[serde(default)]
    pub end: bool,
}

/// Typed input a step can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Any non-empty text.
    Text,
    /// A number (digits, optionally decimal).
    Number,
    /// 是/否 (buttons offered automatically).
    YesNo,
    /// A date (2025-09-26, 2025年9月26日, 9月26日, 今天, 昨天).
    Date,
    /// A mainland mobile number.
    Phone,
    /// An 18-digit 身份证号 with a valid checksum (stored masked only).
    IdNumber,
    /// One of the regions (also sets the session's region).
    Region,
    /// 职工 / 居民.
    Insurance,
    /// A disease from the region's catalogue, through the matcher.
    Disease,
    /// One of `choices`.
    Choice,
}

/// One button of a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceSpec {
    /// Label shown (≤ 64 bytes).
    pub label: String,
    /// Value stored in the step's slot; the label when absent.
    #[serde(default)]
    pub value: Option<String>,
    /// Step to go to when chosen (overrides the step's `next`).
    #[serde(default)]
    pub next: Option<String>,
    /// Dialog to jump to when chosen.
    #[serde(default)]
    pub goto: Option<String>,
}

/// A branch rule: all `when` slots equal their values (an empty `when` always holds).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Slot → required value.
    #[serde(default)]
    pub when: BTreeMap<String, String>,
    /// Step to go to.
    #[serde(default)]
    pub next: Option<String>,
    /// Dialog to jump to.
    #[serde(default)]
    pub goto: Option<String>,
}

/// Stage 1: parses every dialog file (one dialog per file).
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Dialogs {
    let mut dialogs = Dialogs::default();
    for file in files {
        let Some(tree) = yaml::parse::<DialogTree>(file, diags) else { continue };
        if let Some(first) = dialogs.files.get(&tree.id) {
            let line = yaml::line_of(&file.text, "id", &tree.id);
            diags.push(Diagnostic::new(
                &file.path,
                line,
                format!("duplicate dialog id {:?} (first defined in {first})", tree.id),
            ));
            continue;
        }
        dialogs.files.insert(tree.id.clone(), file.path.clone());
        dialogs.trees.insert(tree.id.clone(), tree);
    }
    dialogs
}

/// Stage 2: references between steps and dialogs, reachability, templates, limits.
///
/// STUB: owned by the content-checker work.
pub fn validate(_content: &Content, _sources: &Sources, _diags: &mut Vec<Diagnostic>) {}
