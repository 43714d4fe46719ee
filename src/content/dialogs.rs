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

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::regions::Region;
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
    /// For `ask: date`: whether the day lies in the past (a day of acceptance) or the future (an
    /// end of validity). A month and day without a year then mean the nearest such day, and a
    /// day still to come is refused where a past one is asked for.
    #[serde(default)]
    pub date: Option<DateRange>,
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
    /// A step further on where a message reporting the application handed in (`交了材料 医院给了
    /// 个号…`) is taken as that step's answer, so what it says is recorded at once.
    #[serde(default)]
    pub on_handed_in: Option<String>,
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

/// Which side of today a date answer lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRange {
    /// Today or earlier.
    Past,
    /// Usually later than today (an end of validity may already have passed).
    Future,
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
    /// Other wordings people type for this choice (我自己 for 本人): typed, they pick it.
    #[serde(default)]
    pub aliases: Vec<String>,
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

/// Longest text a step may send: Telegram's message limit (templates are checked raw).
pub const MAX_TEXT_CHARS: usize = 4096;

/// Longest button label in bytes: Telegram's limit for button text and data.
pub const MAX_LABEL_BYTES: usize = 64;

/// Stage 2: references between steps and dialogs, reachability, templates, limits.
///
/// Problems are located by searching the file's text (serde_yaml has no positions for values),
/// so each diagnostic points at the step's `- id:` line or the offending line inside the step.
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let dialogs = &content.dialogs;
    let located: BTreeMap<&str, Located> = dialogs
        .trees
        .iter()
        .filter_map(|(id, tree)| {
            let path = dialogs.files.get(id)?;
            let file = sources.dialogs.iter().find(|f| &f.path == path)?;
            Some((id.as_str(), Located::new(file, tree)))
        })
        .collect();
    let regions = known_regions(content, sources);
    let mut checker = Checker {
        dialogs,
        slots: known_slots(dialogs),
        values: slot_values(dialogs, &regions),
        unparsed: unparsed_ids(dialogs, sources),
        regions,
        out: Vec::new(),
    };
    for (id, tree) in &dialogs.trees {
        if let Some(at) = located.get(id.as_str()) {
            checker.tree(tree, at);
        }
    }
    let mut found = checker.out;
    check_reachability(dialogs, &located, &mut found);
    check_loops(dialogs, &located, &mut found);
    found.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    diags.extend(found);
}

/// The placeholders of a template: the trimmed text of every `{…}`, as the engine's renderer
/// reads them (`{slot}`, `{region.KEY}`). A brace meant literally would be rendered as an unset
/// slot, so it is reported like any unknown name.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('}') else { break };
        names.push(rest[..close].trim());
        rest = &rest[close + 1..];
    }
    names
}

/// Slots holding personal data even when typed as plain text.
pub const PERSONAL_SLOTS: &[&str] = &["person_name"];

/// Whether the answer to this step is personal data: the engine asks for consent before it, and
/// skips it without waiting when consent was refused (so it cannot break a loop either).
pub fn may_be_skipped(step: &Step) -> bool {
    matches!(step.ask, Some(InputKind::Disease | InputKind::IdNumber | InputKind::Phone))
        || step.slot.as_deref().is_some_and(|s| PERSONAL_SLOTS.contains(&s))
}

/// Splits a `goto` target into dialog and step, checking both exist. The step is the dialog's
/// start when not given.
pub fn resolve_goto<'a>(
    dialogs: &'a Dialogs,
    target: &'a str,
) -> Result<(&'a str, &'a str), String> {
    let (dialog, step) = match target.split_once('#') {
        Some((d, s)) => (d, Some(s)),
        None => (target, None),
    };
    let Some(tree) = dialogs.trees.get(dialog) else {
        return Err(format!("goto {target:?}: there is no dialog {dialog:?}"));
    };
    match step {
        Some(step) if tree.step(step).is_none() => {
            Err(format!("goto {target:?}: dialog {dialog:?} has no step {step:?}"))
        }
        Some(step) => Ok((tree.id.as_str(), step)),
        None => match tree.start_step() {
            Some(start) => Ok((tree.id.as_str(), start)),
            None => Err(format!("goto {target:?}: dialog {dialog:?} has no steps")),
        },
    }
}

/// Line numbers of one dialog file: where each step starts.
struct Located<'a> {
    file: &'a SourceFile,
    /// 1-based line of each step's `id:` (same order as the steps).
    starts: Vec<usize>,
    /// One past the last line.
    end: usize,
}

impl<'a> Located<'a> {
    fn new(file: &'a SourceFile, tree: &DialogTree) -> Self {
        let ids: Vec<&str> = tree.steps.iter().map(|s| s.id.as_str()).collect();
        let starts = yaml::item_lines(&file.text, "id", &ids);
        Located { file, starts, end: file.text.lines().count() + 1 }
    }

    fn diag(&self, line: usize, message: String) -> Diagnostic {
        Diagnostic::new(&self.file.path, line, message)
    }

    /// Line of a dialog-level `key: value`.
    fn top(&self, key: &str, value: &str) -> usize {
        yaml::line_of(&self.file.text, key, value)
    }

    fn step(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(1)
    }

    /// Lines of step `i`: from its `id:` up to the next step's.
    fn block(&self, i: usize) -> (usize, usize) {
        let from = self.step(i);
        let to = self.starts.get(i + 1).copied().filter(|&n| n > from).unwrap_or(self.end);
        (from, to)
    }

    /// The `nth` line of step `i` for which `pred` holds; the step's line when none does.
    fn nth_in_step(&self, i: usize, nth: usize, pred: impl Fn(&str) -> bool) -> usize {
        let (from, to) = self.block(i);
        let mut line = from;
        for _ in 0..=nth {
            match yaml::find_line(&self.file.text, line, to, &pred) {
                Some(found) => line = found + 1,
                None => return self.step(i),
            }
        }
        line - 1
    }

    fn in_step(&self, i: usize, pred: impl Fn(&str) -> bool) -> usize {
        self.nth_in_step(i, 0, pred)
    }

    fn key_value(&self, i: usize, key: &str, value: &str) -> usize {
        self.in_step(i, |l| yaml::is_key_value(l, key, value))
    }

    fn key(&self, i: usize, key: &str) -> usize {
        self.in_step(i, |l| yaml::value_after_key(l, key).is_some())
    }

    fn containing(&self, i: usize, needle: &str) -> usize {
        self.in_step(i, |l| l.contains(needle))
    }
}

/// Every slot a template or branch may read: global slots, action outputs, and every slot set
/// or asked anywhere (slots carry across `goto`).
fn known_slots(dialogs: &Dialogs) -> BTreeSet<&str> {
    let mut slots: BTreeSet<&str> = GLOBAL_SLOTS.iter().copied().collect();
    slots.extend(ACTIONS.iter().flat_map(|(_, out)| out.iter().copied()));
    for step in dialogs.trees.values().flat_map(|t| &t.steps) {
        slots.extend(step.set.keys().map(String::as_str));
        slots.extend(step.slot.as_deref());
    }
    slots
}

/// The `id:` of each dialog file that did not parse (found by searching its text), unless
/// another file defines that id.
fn unparsed_ids<'a>(dialogs: &Dialogs, sources: &'a Sources) -> BTreeSet<&'a str> {
    let parsed: BTreeSet<&str> = dialogs.files.values().map(String::as_str).collect();
    sources
        .dialogs
        .iter()
        .filter(|f| !parsed.contains(f.path.as_str()))
        .filter_map(|f| f.text.lines().find_map(|l| l.strip_prefix("id:")))
        .map(|id| id.trim().trim_matches(|c| c == '"' || c == '\''))
        // A duplicate id did parse: the first definition is the one jumps go to.
        .filter(|id| !dialogs.trees.contains_key(*id))
        .collect()
}

/// Region ids, or `None` when a region file failed to parse (then every `say_by_region` key
/// would be reported too, burying the real problem).
fn known_regions<'a>(content: &'a Content, sources: &Sources) -> Option<BTreeSet<&'a str>> {
    (content.regions.len() == sources.regions.len())
        .then(|| content.regions.keys().map(String::as_str).collect())
}

/// Checks of single dialogs and steps.
struct Checker<'a> {
    dialogs: &'a Dialogs,
    slots: BTreeSet<&'a str>,
    values: BTreeMap<&'a str, Option<BTreeSet<String>>>,
    /// Ids of dialogs whose file failed stage 1 (jumps to them are not reported again).
    unparsed: BTreeSet<&'a str>,
    regions: Option<BTreeSet<&'a str>>,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn tree(&mut self, tree: &DialogTree, at: &Located) {
        if tree.steps.is_empty() {
            let line = at.top("steps", "");
            self.out.push(at.diag(line, format!("dialog {:?} has no steps", tree.id)));
        }
        if let Some(start) = &tree.start {
            if tree.step(start).is_none() {
                let msg = format!("start step {start:?} does not exist in dialog {:?}", tree.id);
                self.out.push(at.diag(at.top("start", start), msg));
            }
        }
        let mut first_at: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, step) in tree.steps.iter().enumerate() {
            if let Some(first) = first_at.get(step.id.as_str()) {
                let msg =
                    format!("duplicate step id {:?} (first defined at line {first})", step.id);
                self.out.push(at.diag(at.step(i), msg));
            } else {
                first_at.insert(&step.id, at.step(i));
            }
            self.step(tree, i, step, at);
        }
    }

    fn step(&mut self, tree: &DialogTree, i: usize, step: &Step, at: &Located) {
        self.continuation(i, step, at);
        self.references(tree, i, step, at);
        self.input(i, step, at);
        if let Some(action) = &step.action {
            if !ACTIONS.iter().any(|(name, _)| name == action) {
                let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
                let msg = format!("unknown action {action:?} (known: {})", names.join(", "));
                self.out.push(at.diag(at.key_value(i, "action", action), msg));
            }
        }
        self.texts(i, step, at);
        self.branch_slots(i, step, at);
    }

    /// Exactly one way on: a step that neither waits nor moves on strands the user.
    fn continuation(&mut self, i: usize, step: &Step, at: &Located) {
        let ways: Vec<&str> = [
            (!step.branch.is_empty(), "branch"),
            (step.goto.is_some(), "goto"),
            (step.next.is_some(), "next"),
            (step.end, "end"),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| *name)
        .collect();
        let line = at.step(i);
        if ways.len() > 1 {
            let msg = format!("step {:?} has {}: keep only one", step.id, ways.join(" and "));
            self.out.push(at.diag(line, msg));
        } else if ways.is_empty() && step.ask.is_none() {
            let msg = format!(
                "step {:?} is a dead end: give it one of ask, branch, goto, next or end",
                step.id
            );
            self.out.push(at.diag(line, msg));
        } else if ways.is_empty() && !all_buttons_move_on(step) {
            let msg = format!(
                "step {:?} is a dead end after the answer: add next, branch, goto or end \
                 (or next/goto on every button)",
                step.id
            );
            self.out.push(at.diag(line, msg));
        }
    }

    /// Every `next`, `goto` and `start` points at something that exists.
    fn references(&mut self, tree: &DialogTree, i: usize, step: &Step, at: &Located) {
        let mut nexts: Vec<&str> = step.next.iter().map(String::as_str).collect();
        let mut gotos: Vec<&str> = step.goto.iter().map(String::as_str).collect();
        for (k, rule) in step.branch.iter().enumerate() {
            nexts.extend(rule.next.as_deref());
            gotos.extend(rule.goto.as_deref());
            if rule.next.is_some() == rule.goto.is_some() {
                let line = at.nth_in_step(i, k, |l| yaml::value_after_key(l, "when").is_some());
                let msg = format!(
                    "branch rule {} of step {:?} needs exactly one of next or goto",
                    k + 1,
                    step.id
                );
                self.out.push(at.diag(line, msg));
            }
        }
        for choice in &step.choices {
            nexts.extend(choice.next.as_deref());
            gotos.extend(choice.goto.as_deref());
            if choice.next.is_some() && choice.goto.is_some() {
                let line = at.containing(i, &choice.label);
                let msg = format!("button {:?} has both next and goto: keep one", choice.label);
                self.out.push(at.diag(line, msg));
            }
        }
        for next in nexts {
            if tree.step(next).is_none() {
                let msg = format!("next {next:?}: dialog {:?} has no such step", tree.id);
                self.out.push(at.diag(at.key_value(i, "next", next), msg));
            }
        }
        if let Some(target) = step.on_handed_in.as_deref() {
            if tree.step(target).is_none() {
                let msg = format!("on_handed_in {target:?}: dialog {:?} has no such step", tree.id);
                self.out.push(at.diag(at.key_value(i, "on_handed_in", target), msg));
            }
        }
        for goto in gotos {
            let dialog = goto.split_once('#').map_or(goto, |(d, _)| d);
            if self.unparsed.contains(dialog) {
                continue; // its file did not parse: that problem is reported already
            }
            if let Err(msg) = resolve_goto(self.dialogs, goto) {
                self.out.push(at.diag(at.key_value(i, "goto", goto), msg));
            }
        }
    }

    /// `ask`, `slot` and `choices` fit together.
    fn input(&mut self, i: usize, step: &Step, at: &Located) {
        let line = at.step(i);
        match step.ask {
            Some(InputKind::Choice) if step.choices.is_empty() => {
                let msg = format!("step {:?} asks for a choice but has no choices", step.id);
                self.out.push(at.diag(at.key_value(i, "ask", "choice"), msg));
            }
            None if !step.choices.is_empty() => {
                let msg = format!(
                    "step {:?} offers choices but does not ask: add `ask: choice`",
                    step.id
                );
                self.out.push(at.diag(at.key(i, "choices"), msg));
            }
            _ => {}
        }
        let buttons_only = step.ask == Some(InputKind::Choice) && all_buttons_move_on(step);
        if step.ask.is_some() && step.slot.is_none() && !buttons_only {
            let msg = format!("step {:?} asks but has no slot to store the answer", step.id);
            self.out.push(at.diag(line, msg));
        }
        for (k, choice) in step.choices.iter().enumerate() {
            let line = at.nth_in_step(i, k, |l| yaml::value_after_key(l, "label").is_some());
            if choice.label.trim().is_empty() {
                self.out.push(at.diag(line, format!("step {:?}: empty button label", step.id)));
            } else if choice.label.len() > MAX_LABEL_BYTES {
                let msg = format!(
                    "button label {:?} is {} bytes, over the limit of {MAX_LABEL_BYTES} \
                     (a Chinese character takes 3)",
                    choice.label,
                    choice.label.len()
                );
                self.out.push(at.diag(line, msg));
            }
            self.template(i, &choice.label, "label", at);
        }
    }

    /// Templates use known slots and region facts; texts fit in a message; region texts
    /// cover regions that exist.
    fn texts(&mut self, i: usize, step: &Step, at: &Located) {
        let mut texts: Vec<(&str, &str, usize)> = Vec::new();
        if let Some(say) = &step.say {
            texts.push(("say", say, at.key(i, "say")));
        }
        if let Some(hint) = &step.hint {
            texts.push(("hint", hint, at.key(i, "hint")));
        }
        for (region, text) in &step.say_by_region {
            texts.push(("say_by_region", text, at.key(i, region)));
        }
        for (field, text, line) in texts {
            let chars = text.chars().count();
            if chars > MAX_TEXT_CHARS {
                let msg = format!(
                    "{field} of step {:?} is {chars} characters, over the message limit of \
                     {MAX_TEXT_CHARS}: split it into steps",
                    step.id
                );
                self.out.push(at.diag(line, msg));
            }
            self.template(i, text, field, at);
        }
        for value in step.set.values() {
            self.template(i, value, "set", at);
        }
        self.region_texts(i, step, at);
    }

    fn region_texts(&mut self, i: usize, step: &Step, at: &Located) {
        let Some(regions) = &self.regions else { return };
        for key in step.say_by_region.keys() {
            if !regions.contains(key.as_str()) {
                let known: Vec<&str> = regions.iter().copied().collect();
                let msg = format!(
                    "say_by_region: {key:?} is not a region id (known: {})",
                    known.join(", ")
                );
                self.out.push(at.diag(at.key(i, key), msg));
            }
        }
        if step.say.is_none() && !step.say_by_region.is_empty() {
            let missing: Vec<&str> =
                regions.iter().copied().filter(|r| !step.say_by_region.contains_key(*r)).collect();
            if !missing.is_empty() {
                let msg = format!(
                    "step {:?} has no say for region(s) {}: add them to say_by_region or add a say",
                    step.id,
                    missing.join(", ")
                );
                self.out.push(at.diag(at.key(i, "say_by_region"), msg));
            }
        }
    }

    fn template(&mut self, i: usize, text: &str, field: &str, at: &Located) {
        for name in placeholders(text) {
            let exact = format!("{{{name}}}");
            let line =
                at.in_step(i, |l| l.contains(&exact) || (l.contains('{') && l.contains(name)));
            let msg = match name.strip_prefix("region.") {
                Some(key) if Region::FACT_KEYS.contains(&key) => continue,
                Some(key) => format!(
                    "{field}: unknown region fact {{region.{key}}} (known: {})",
                    Region::FACT_KEYS.join(", ")
                ),
                None if self.slots.contains(name) => continue,
                None => format!(
                    "{field}: template uses unknown slot {{{name}}}: no step sets or asks it \
                     and no action provides it"
                ),
            };
            self.out.push(at.diag(line, msg));
        }
    }

    fn branch_slots(&mut self, i: usize, step: &Step, at: &Located) {
        for rule in &step.branch {
            for (slot, value) in &rule.when {
                // `when: {slot: value}` is usually a one-line flow mapping.
                let line =
                    at.in_step(i, |l| l.contains(slot.as_str()) && l.contains(value.as_str()));
                let line = if line == at.step(i) { at.key(i, slot) } else { line };
                let msg = if !self.slots.contains(slot.as_str()) {
                    format!(
                        "branch on unknown slot {slot:?}: no step sets or asks it, so this rule \
                         never holds"
                    )
                } else {
                    match self.values.get(slot.as_str()) {
                        Some(Some(values)) if !values.contains(value.as_str()) => {
                            let values: Vec<&str> = values.iter().map(String::as_str).collect();
                            format!(
                                "branch on {slot} = {value:?} never holds: {slot} is only ever \
                                 one of {}",
                                values.join(", ")
                            )
                        }
                        _ => continue,
                    }
                };
                self.out.push(at.diag(line, msg));
            }
        }
    }
}

/// The values a slot can hold, when they are a known finite set: region ids, insurance types,
/// 是/否, button values and literal `set` values. `None` for slots typed freely or filled by an
/// action. A `when` outside the set is a typo that silently never matches.
fn slot_values<'a>(
    dialogs: &'a Dialogs,
    regions: &Option<BTreeSet<&str>>,
) -> BTreeMap<&'a str, Option<BTreeSet<String>>> {
    let region_ids =
        || regions.as_ref().map(|r| r.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
    let mut values: BTreeMap<&str, Option<BTreeSet<String>>> = BTreeMap::new();
    let mut add = |slot: &'a str, found: Option<BTreeSet<String>>| {
        let entry = values.entry(slot).or_insert_with(|| Some(BTreeSet::new()));
        match (entry.as_mut(), found) {
            (Some(known), Some(found)) => known.extend(found),
            _ => *entry = None,
        }
    };
    add("region", region_ids());
    add("today", None);
    for slot in ACTIONS.iter().flat_map(|(_, out)| out.iter()) {
        add(slot, None);
    }
    let fixed = |items: &[&str]| Some(items.iter().map(|s| s.to_string()).collect());
    for step in dialogs.trees.values().flat_map(|t| &t.steps) {
        for (slot, value) in &step.set {
            let literal = placeholders(value).is_empty();
            add(slot, literal.then(|| BTreeSet::from([value.clone()])));
        }
        let Some(slot) = step.slot.as_deref() else { continue };
        let found = match step.ask {
            Some(InputKind::Region) => region_ids(),
            Some(InputKind::Insurance) => fixed(&["employee", "resident"]),
            Some(InputKind::YesNo) => fixed(&["是", "否"]),
            Some(InputKind::Choice) => Some(BTreeSet::new()),
            _ => None,
        };
        // Quick-answer buttons store their value as is.
        let buttons =
            step.choices.iter().map(|c| c.value.clone().unwrap_or_else(|| c.label.clone()));
        add(
            slot,
            found.map(|mut values| {
                values.extend(buttons);
                values
            }),
        );
    }
    values
}

/// A choice step whose every button says where to go needs no step-level way on.
fn all_buttons_move_on(step: &Step) -> bool {
    step.ask == Some(InputKind::Choice)
        && !step.choices.is_empty()
        && step.choices.iter().all(|c| c.next.is_some() || c.goto.is_some())
}

/// A step as (dialog id, step id).
type Node<'a> = (&'a str, &'a str);

/// Where a step can lead: `next`, branch rules, `goto`, and (when `with_buttons`) its buttons.
/// Targets that do not exist are left out (reported elsewhere).
fn successors<'a>(
    dialogs: &'a Dialogs,
    dialog: &'a str,
    step: &'a Step,
    with_buttons: bool,
) -> Vec<Node<'a>> {
    let mut nexts: Vec<&str> = step.next.iter().map(String::as_str).collect();
    let mut gotos: Vec<&str> = step.goto.iter().map(String::as_str).collect();
    for rule in &step.branch {
        nexts.extend(rule.next.as_deref());
        gotos.extend(rule.goto.as_deref());
    }
    if with_buttons {
        for choice in &step.choices {
            nexts.extend(choice.next.as_deref());
            gotos.extend(choice.goto.as_deref());
        }
    }
    let tree = &dialogs.trees[dialog];
    let mut out: Vec<Node> =
        nexts.into_iter().filter(|n| tree.step(n).is_some()).map(|n| (dialog, n)).collect();
    out.extend(gotos.into_iter().filter_map(|g| resolve_goto(dialogs, g).ok()));
    out
}

/// Steps no path reaches, from any dialog's start or any `goto dialog#step`.
fn check_reachability(
    dialogs: &Dialogs,
    located: &BTreeMap<&str, Located>,
    out: &mut Vec<Diagnostic>,
) {
    let mut queue: Vec<Node> = Vec::new();
    for tree in dialogs.trees.values() {
        // A missing start is reported on its own; the first step stands in for it so that the
        // rest of the dialog is not reported as unreachable as well.
        let start = tree.start_step().filter(|s| tree.step(s).is_some());
        let start = start.or_else(|| tree.steps.first().map(|s| s.id.as_str()));
        queue.extend(start.map(|s| (tree.id.as_str(), s)));
        for step in &tree.steps {
            queue.extend(
                successors(dialogs, &tree.id, step, true)
                    .into_iter()
                    .filter(|(d, _)| *d != tree.id),
            );
        }
    }
    // Roots: every start, and every step another dialog jumps into (even from a step that is
    // itself unreachable: that one is reported, its target is not blamed twice).
    let mut reached: BTreeSet<Node> = BTreeSet::new();
    while let Some(node) = queue.pop() {
        if !reached.insert(node) {
            continue;
        }
        let Some(step) = dialogs.trees[node.0].step(node.1) else { continue };
        queue.extend(successors(dialogs, node.0, step, true));
    }
    for (id, tree) in &dialogs.trees {
        let Some(at) = located.get(id.as_str()) else { continue };
        let mut seen = BTreeSet::new();
        for (i, step) in tree.steps.iter().enumerate() {
            if seen.insert(step.id.as_str()) && !reached.contains(&(id.as_str(), step.id.as_str()))
            {
                let msg = format!(
                    "step {:?} is unreachable: no next, branch, button or goto leads to it",
                    step.id
                );
                out.push(at.diag(at.step(i), msg));
            }
        }
    }
}

/// Cycles of steps that never wait for the user (no `ask`, or a personal question that is
/// skipped without consent): the engine would run them forever. One diagnostic per loop.
fn check_loops(dialogs: &Dialogs, located: &BTreeMap<&str, Located>, out: &mut Vec<Diagnostic>) {
    let mut graph: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
    let mut order: Vec<(Node, usize)> = Vec::new();
    for tree in dialogs.trees.values() {
        for (i, step) in tree.steps.iter().enumerate() {
            let node = (tree.id.as_str(), step.id.as_str());
            if (step.ask.is_none() || may_be_skipped(step)) && !graph.contains_key(&node) {
                graph.insert(node, successors(dialogs, &tree.id, step, false));
                order.push((node, i));
            }
        }
    }
    let reach: BTreeMap<Node, BTreeSet<Node>> =
        graph.keys().map(|&node| (node, reachable(&graph, node))).collect();
    let mut reported: BTreeSet<Node> = BTreeSet::new();
    for &(node, i) in &order {
        if reported.contains(&node) || !reach[&node].contains(&node) {
            continue;
        }
        let members: Vec<Node> = order
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| reach[&node].contains(n) && reach[n].contains(&node))
            .collect();
        reported.extend(members.iter().copied());
        let Some(at) = located.get(node.0) else { continue };
        let names: Vec<String> = members
            .iter()
            .map(|(d, s)| if *d == node.0 { s.to_string() } else { format!("{d}#{s}") })
            .collect();
        let msg = format!(
            "steps {} form a loop that never waits for the user (add an ask, or end the loop)",
            names.join(" → ")
        );
        out.push(at.diag(at.step(i), msg));
    }
}

/// Nodes reachable from `start` in one or more moves.
fn reachable<'a>(graph: &BTreeMap<Node<'a>, Vec<Node<'a>>>, start: Node<'a>) -> BTreeSet<Node<'a>> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<Node> = graph.get(&start).cloned().unwrap_or_default();
    while let Some(node) = stack.pop() {
        if seen.insert(node) {
            stack.extend(graph.get(&node).into_iter().flatten().copied());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::from_sources;

    /// Diagnostics about dialogs (as `file:line: message`) for the given dialog files, with the
    /// repository's real region files so region ids are those of the shipped content.
    fn problems(dialogs: &[(&str, &str)]) -> Vec<String> {
        let region = |name: &str, text: &str| SourceFile {
            path: format!("data/regions/{name}.yaml"),
            text: text.to_string(),
        };
        let sources = Sources {
            regions: vec![
                region("panzhihua", include_str!("../../data/regions/panzhihua.yaml")),
                region("shaoyang", include_str!("../../data/regions/shaoyang.yaml")),
            ],
            dialogs: dialogs
                .iter()
                .map(|(path, text)| SourceFile { path: path.to_string(), text: text.to_string() })
                .collect(),
            ..Sources::default()
        };
        match from_sources(&sources) {
            Ok(_) => Vec::new(),
            Err(err) => err
                .diagnostics
                .iter()
                .filter(|d| d.file.starts_with("dialogs/"))
                .map(ToString::to_string)
                .collect(),
        }
    }

    fn assert_found(found: &[String], at: &str, words: &str) {
        assert!(
            found.iter().any(|d| d.starts_with(at) && d.contains(words)),
            "expected `{at} …{words}…` in {found:#?}"
        );
    }

    const GOOD: &str = "\
id: apply
title: 新申请
start: ask_region
steps:
  - id: ask_region
    say: 您在哪个城市参保？
    ask: region
    slot: region
    next: insurance
  - id: insurance
    say: 您是职工医保还是居民医保？
    ask: insurance
    slot: insurance
    hint: 请回答“职工”或“居民”。
    branch:
      - when: {insurance: resident}
        next: by_region
      - next: done
  - id: by_region
    say_by_region:
      panzhihua: 攀枝花请拨打 {region.hotline}。
      shaoyang: 邵阳可在湘医保办理。
    action: materials
    next: more
  - id: more
    say: '{materials}'
    ask: choice
    choices:
      - label: 换医院
        goto: change_hospital
      - label: 结束
        next: done
  - id: done
    say: 祝您顺利，{insurance} 已记下。
    end: true
";

    const OTHER: &str = "\
id: change_hospital
title: 变更定点医院
steps:
  - id: intro
    say: 每年可变更一次。
    goto: apply#done
";

    #[test]
    fn well_formed_dialogs_pass() {
        let found =
            problems(&[("dialogs/apply.yaml", GOOD), ("dialogs/change_hospital.yaml", OTHER)]);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn missing_steps_and_dialogs_are_reported_where_they_are_named() {
        let text = GOOD
            .replace("start: ask_region", "start: begin")
            .replace("next: more", "next: mroe")
            .replace("goto: change_hospital", "goto: change_hospital#nowhere");
        let other = OTHER.replace("goto: apply#done", "goto: aply");
        let found = problems(&[("dialogs/apply.yaml", &text), ("dialogs/ch.yaml", &other)]);
        assert_found(&found, "dialogs/apply.yaml:3: ", "start step \"begin\"");
        assert_found(&found, "dialogs/apply.yaml:24: ", "\"mroe\"");
        assert_found(&found, "dialogs/apply.yaml:30: ", "has no step \"nowhere\"");
        assert_found(&found, "dialogs/ch.yaml:6: ", "no dialog \"aply\"");
        // The step behind the broken `next` is no longer reached from anywhere.
        assert_found(&found, "dialogs/apply.yaml:25: ", "\"more\" is unreachable");
        // A broken start does not make the whole dialog "unreachable" on top.
        assert!(!found.iter().any(|d| d.contains("\"insurance\" is unreachable")), "{found:#?}");
    }

    #[test]
    fn duplicate_ids_dead_ends_and_double_ways_on() {
        let text = GOOD
            .replace("  - id: more", "  - id: by_region")
            .replace("    end: true\n", "")
            .replace("    next: insurance\n", "    next: insurance\n    end: true\n");
        let found = problems(&[("dialogs/apply.yaml", &text)]);
        assert_found(&found, "dialogs/apply.yaml:26: ", "duplicate step id \"by_region\"");
        assert_found(&found, "dialogs/apply.yaml:34: ", "\"done\" is a dead end");
        assert_found(&found, "dialogs/apply.yaml:5: ", "has next and end");
    }

    #[test]
    fn input_problems() {
        let text = GOOD.replace("    slot: insurance\n", "").replace(
            "    choices:\n      - label: 换医院\n        goto: change_hospital\n      - label: 结束\n        next: done\n",
            "    slot: x\n    next: done\n",
        );
        let found = problems(&[("dialogs/apply.yaml", &text)]);
        assert_found(&found, "dialogs/apply.yaml:10: ", "no slot to store the answer");
        assert_found(&found, "dialogs/apply.yaml:26: ", "no choices");
    }

    #[test]
    fn button_labels_must_be_short_and_not_empty() {
        let long = "很".repeat(22); // 66 bytes
        let text = GOOD
            .replace("label: 换医院", &format!("label: {long}"))
            .replace("label: 结束", "label: \"\"");
        let found =
            problems(&[("dialogs/apply.yaml", &text), ("dialogs/change_hospital.yaml", OTHER)]);
        assert_found(&found, "dialogs/apply.yaml:29: ", "66 bytes");
        assert_found(&found, "dialogs/apply.yaml:31: ", "empty button label");
    }

    #[test]
    fn unknown_actions_slots_region_facts_and_regions() {
        let text = GOOD
            .replace("action: materials", "action: materail")
            .replace("{insurance} 已记下", "{insurence} 已记下")
            .replace("{region.hotline}", "{region.phone}")
            .replace("      shaoyang:", "      shaoyng:")
            .replace("{insurance: resident}", "{insurence: resident}");
        let found =
            problems(&[("dialogs/apply.yaml", &text), ("dialogs/change_hospital.yaml", OTHER)]);
        assert_found(&found, "dialogs/apply.yaml:23: ", "unknown action \"materail\"");
        assert_found(&found, "dialogs/apply.yaml:34: ", "unknown slot {insurence}");
        assert_found(&found, "dialogs/apply.yaml:21: ", "unknown region fact {region.phone}");
        assert_found(&found, "dialogs/apply.yaml:22: ", "\"shaoyng\" is not a region id");
        assert_found(&found, "dialogs/apply.yaml:20: ", "no say for region(s) shaoyang");
        assert_found(&found, "dialogs/apply.yaml:16: ", "branch on unknown slot \"insurence\"");
    }

    #[test]
    fn branch_values_a_slot_can_never_hold() {
        let text = GOOD.replace("{insurance: resident}", "{insurance: 居民}").replace(
            "      - next: done\n",
            "      - when: {region: shaoyng}\n        next: done\n      - next: done\n",
        );
        let found = problems(&[("dialogs/apply.yaml", &text), ("dialogs/ch.yaml", OTHER)]);
        assert_found(&found, "dialogs/apply.yaml:16: ", "insurance = \"居民\" never holds");
        assert_found(&found, "dialogs/apply.yaml:16: ", "employee, resident");
        assert_found(&found, "dialogs/apply.yaml:18: ", "region = \"shaoyng\" never holds");
        // A free-text slot may hold anything: no complaint about its values.
        let free = GOOD.replace("ask: insurance", "ask: text");
        let free = free.replace("{insurance: resident}", "{insurance: 居民}");
        let found = problems(&[("dialogs/apply.yaml", &free), ("dialogs/ch.yaml", OTHER)]);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn slots_set_in_another_dialog_may_be_used() {
        let other = OTHER.replace("每年可变更一次。", "'{hospital_level}医院每年可变更一次。'");
        let text =
            GOOD.replace("    end: true\n", "    set: {hospital_level: 二级}\n    end: true\n");
        let found = problems(&[("dialogs/apply.yaml", &text), ("dialogs/change.yaml", &other)]);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn loops_that_never_wait_are_reported_once() {
        let text = GOOD.replace("    next: more\n", "    next: back\n").replace(
            "  - id: more\n",
            "  - id: back\n    say: 再来\n    goto: change_hospital\n  - id: more\n",
        );
        let other = OTHER.replace("goto: apply#done", "goto: apply#by_region");
        let found = problems(&[("dialogs/apply.yaml", &text), ("dialogs/ch.yaml", &other)]);
        let loops: Vec<&String> = found.iter().filter(|d| d.contains("never waits")).collect();
        assert_eq!(loops.len(), 1, "{found:#?}");
        assert!(loops[0].starts_with("dialogs/apply.yaml:19: "), "{loops:?}");
        assert!(loops[0].contains("change_hospital#intro"), "{loops:?}");
    }

    #[test]
    fn a_loop_through_a_personal_question_does_not_wait_without_consent() {
        let text = GOOD.replace(
            "    say: '{materials}'\n    ask: choice\n",
            "    say: 您的病种？\n    ask: disease\n    slot: disease\n    next: by_region\n    \
             ask2: choice\n",
        );
        let text = text.replace("    ask2: choice\n    choices:\n      - label: 换医院\n        goto: change_hospital\n      - label: 结束\n        next: done\n", "");
        let found = problems(&[("dialogs/apply.yaml", &text)]);
        assert_found(&found, "dialogs/apply.yaml:19: ", "by_region → more");
    }

    #[test]
    fn a_jump_to_a_dialog_whose_file_is_broken_is_not_reported_twice() {
        let broken = OTHER.replace("    goto: apply#done\n", "    goto: apply#done\n    nxet: x\n");
        let found = problems(&[("dialogs/apply.yaml", GOOD), ("dialogs/ch.yaml", &broken)]);
        assert_found(&found, "dialogs/ch.yaml:7: ", "unknown field `nxet`");
        assert_eq!(found.len(), 1, "{found:#?}");
    }

    #[test]
    fn a_brace_the_renderer_would_swallow_is_reported() {
        let text = GOOD.replace("祝您顺利，", "祝您顺利{ 病种 }，");
        let found = problems(&[("dialogs/apply.yaml", &text), ("dialogs/ch.yaml", OTHER)]);
        assert_found(&found, "dialogs/apply.yaml:34: ", "unknown slot {病种}");
    }

    #[test]
    fn buttons_and_rules_must_say_where_to_go() {
        let text = GOOD
            // A rule with neither next nor goto.
            .replace("      - next: done\n", "      - when: {}\n")
            // A button with both, and one with neither on a step without a way on.
            .replace(
                "        goto: change_hospital\n",
                "        goto: change_hospital\n        next: done\n",
            )
            .replace("        next: done\n  - id: done", "  - id: done")
            // Buttons on a step that does not wait.
            .replace(
                "    next: insurance\n",
                "    next: insurance\n    choices:\n      - label: 好\n",
            )
            .replace("    ask: region\n", "");
        let found =
            problems(&[("dialogs/apply.yaml", &text), ("dialogs/change_hospital.yaml", OTHER)]);
        assert_found(
            &found,
            "dialogs/apply.yaml:19: ",
            "rule 2 of step \"insurance\" needs exactly one",
        );
        assert_found(&found, "dialogs/apply.yaml:30: ", "both next and goto");
        assert_found(&found, "dialogs/apply.yaml:26: ", "dead end after the answer");
        assert_found(&found, "dialogs/apply.yaml:9: ", "offers choices but does not ask");
    }

    #[test]
    fn texts_over_the_message_limit() {
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        let text = GOOD.replace("hint: 请回答“职工”或“居民”。", &format!("hint: {long}"));
        let found = problems(&[("dialogs/apply.yaml", &text), ("dialogs/ch.yaml", OTHER)]);
        assert_found(&found, "dialogs/apply.yaml:14: ", "4097 characters");
    }

    #[test]
    fn unknown_input_types_name_the_value_and_line() {
        let text = GOOD.replace("ask: insurance", "ask: insurence");
        let found = problems(&[("dialogs/apply.yaml", &text)]);
        assert_found(&found, "dialogs/apply.yaml:12: ", "insurence");
    }

    #[test]
    fn placeholders_are_read_like_the_renderer_reads_them() {
        assert_eq!(
            placeholders("{a} {region.name} { 病种 } {} {b_2} {x"),
            vec!["a", "region.name", "病种", "", "b_2"]
        );
    }
}
