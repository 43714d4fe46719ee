//! Staff additions: `faq/staff-<region>.yaml`, what the console's editors add to one region's
//! FAQ — new wordings of existing entries and new entries — in a file of their own, so that a
//! change made from the console never rewrites a hand-written file (its comments and layout).
//!
//! The file is ordinary content: `mente check`, start-up and every reload read and validate it
//! like any FAQ file. It is a YAML list whose items are either a full FAQ entry (as in
//! `faq/<region>.yaml`, with `regions: [<region>]`) or a wording of an existing entry:
//!
//! ```yaml
//! - wording_of: panzhihua.deductible   # an entry of this region or a general one
//!   questions:
//!     - "门槛费要交好多钱"
//! ```
//!
//! Wordings are merged into their entry's questions after every file is parsed. This module is
//! pure: it parses, merges and renders items; writing the file is `reload::edit`'s.

use chrono::NaiveDate;
use serde::Deserialize;

use super::faq::FaqEntry;
use super::Diagnostic;

/// Where staff-additions files start: `faq/staff-<region>.yaml`.
pub const PREFIX: &str = "faq/staff-";

/// Whether `path` (as shown in diagnostics, `faq/…`) is a staff-additions file.
pub fn is_additions_file(path: &str) -> bool {
    region_of(path).is_some()
}

/// The region a staff-additions file is for (`faq/staff-panzhihua.yaml` → `panzhihua`).
pub fn region_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(PREFIX)?;
    let stem = rest.rsplit_once('.').map_or(rest, |(stem, _)| stem);
    (!stem.is_empty()).then_some(stem)
}

/// The staff-additions file of `region`.
pub fn file_for(region: &str) -> String {
    format!("{PREFIX}{region}.yaml")
}

/// A list item that adds wordings to an existing entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    /// The id of the entry the questions are added to.
    pub wording_of: String,
    /// The new ways of asking it.
    pub questions: Vec<String>,
}

/// A wording read from a file, waiting for every entry to be parsed.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub(super) file: String,
    pub(super) line: usize,
    pub(super) wording: Wording,
}

/// Whether a list item of a staff-additions file is a wording (and not an entry).
pub(super) fn is_wording(item: &serde_yaml::Value) -> bool {
    item.get("wording_of").is_some()
}

/// Adds every pending wording to its entry's questions. A wording is refused (as `file:line`)
/// when its entry does not exist or is not one of the file's region (or general), when it is
/// empty, or when some entry of that region already has exactly that question (it would be
/// answered by chance, or was added twice).
pub(super) fn merge(entries: &mut [FaqEntry], pending: Vec<Pending>, diags: &mut Vec<Diagnostic>) {
    for Pending { file, line, wording } in pending {
        let region = region_of(&file).unwrap_or_default().to_string();
        let mut report = |message: String| diags.push(Diagnostic::new(&file, line, message));
        let Some(target) = entries.iter().position(|e| e.id == wording.wording_of) else {
            report(format!(
                "wording_of: unknown FAQ entry `{}` (`mente ask --json` shows entry ids)",
                wording.wording_of
            ));
            continue;
        };
        if !applies_to(&entries[target], &region) {
            report(format!(
                "`{}` is not an entry of `{region}`; {file} takes wordings of `{region}` and general entries only",
                wording.wording_of
            ));
            continue;
        }
        if wording.questions.is_empty() {
            report(format!("wording of `{}` has no questions", wording.wording_of));
        }
        for question in &wording.questions {
            let question = question.trim();
            if question.is_empty() {
                report(format!("empty wording of `{}`", wording.wording_of));
                continue;
            }
            let taken = entries.iter().find(|e| {
                applies_to(e, &region) && e.questions.iter().any(|q| q.trim() == question)
            });
            if let Some(other) = taken {
                report(format!("“{question}” is already a question of `{}`", other.id));
                continue;
            }
            entries[target].questions.push(question.to_string());
        }
    }
}

fn applies_to(entry: &FaqEntry, region: &str) -> bool {
    entry.regions.is_empty() || entry.regions.iter().any(|r| r == region)
}

/// An entry drafted in the console, as it will be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// Its id ([`next_entry_id`]).
    pub id: String,
    /// The one region it is for.
    pub region: String,
    /// How the user asked.
    pub question: String,
    /// The answer, in staff's words.
    pub answer: String,
    /// A source id of `data/sources/`.
    pub source: String,
    /// The day it was written (China time).
    pub as_of: NaiveDate,
    /// Whether staff checked the answer against the source word for word.
    pub verified: bool,
}

/// The first lines of a new staff-additions file.
pub fn header(region: &str, region_name: &str) -> String {
    format!(
        "# {region_name}（{region}）：工作台“未答问题”里编辑添加的问法和问答。\n\
         # Staff additions for {region}, appended by the console (docs/content.md). Ordinary\n\
         # content: `mente check` validates it; edit or delete items like any FAQ file.\n"
    )
}

/// A wording item, after a comment line (who added it, when).
pub fn wording_item(entry_id: &str, question: &str, note: &str) -> String {
    format!(
        "{}- wording_of: {}\n  questions:\n    - {}\n",
        comment(note),
        quoted(entry_id),
        quoted(question.trim())
    )
}

/// A full entry item, after a comment line (who added it, when).
pub fn entry_item(e: &NewEntry, note: &str) -> String {
    format!(
        "{}- id: {}\n  regions: [{}]\n  questions:\n    - {}\n  answer: |\n{}  source: {}\n  as_of: {}\n  verified: {}\n",
        comment(note),
        quoted(&e.id),
        quoted(&e.region),
        quoted(e.question.trim()),
        block(&e.answer),
        quoted(&e.source),
        e.as_of,
        e.verified
    )
}

/// The id for a new entry of `region`: `<region>.staff-<n>`, one more than the highest `n` in
/// `ids` (ids are never reused while their entry exists).
pub fn next_entry_id<'a>(region: &str, ids: impl Iterator<Item = &'a str>) -> String {
    let prefix = format!("{region}.staff-");
    let highest =
        ids.filter_map(|id| id.strip_prefix(&prefix)?.parse::<u32>().ok()).max().unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

/// A YAML comment line (nothing when `note` is empty); line breaks become spaces.
fn comment(note: &str) -> String {
    let note = note.replace(['\r', '\n'], " ");
    if note.trim().is_empty() {
        String::new()
    } else {
        format!("# {}\n", note.trim())
    }
}

/// A double-quoted YAML scalar: a JSON string is one, whatever it contains.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The lines of a literal block (`answer: |`) indented by four spaces: line ends unified,
/// trailing spaces and blank lines at both ends dropped (a block keeps everything else as is).
fn block(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::new();
    for line in unified.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_is_the_file_name_after_staff() {
        assert_eq!(region_of("faq/staff-panzhihua.yaml"), Some("panzhihua"));
        assert_eq!(region_of("faq/staff-shaoyang.yml"), Some("shaoyang"));
        assert_eq!(region_of("faq/panzhihua.yaml"), None);
        assert_eq!(region_of("faq/staff-.yaml"), None);
        assert_eq!(file_for("shaoyang"), "faq/staff-shaoyang.yaml");
    }

    #[test]
    fn rendered_items_read_back_as_what_was_typed() {
        let entry = NewEntry {
            id: "panzhihua.staff-3".into(),
            region: "panzhihua".into(),
            question: " 医保卡丢了: 门特还能用吗？ ".into(),
            answer: "  第一行 # 不是注释\r\n\r\n- 第二行：\"引号\"  \n".into(),
            source: "seed 000".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            verified: false,
        };
        let text = format!(
            "{}{}{}",
            header("panzhihua", "攀枝花"),
            entry_item(&entry, "2026-12-06 wang\nx"),
            wording_item("general.fee", "要钱不: 收费吗", "")
        );
        let items: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).unwrap();
        let parsed: FaqEntry = serde_yaml::from_value(items[0].clone()).unwrap();
        assert_eq!(parsed.questions, ["医保卡丢了: 门特还能用吗？"]);
        assert_eq!(parsed.answer, "第一行 # 不是注释\n\n- 第二行：\"引号\"\n");
        assert_eq!(parsed.regions, ["panzhihua"]);
        assert!(!parsed.verified);
        let wording: Wording = serde_yaml::from_value(items[1].clone()).unwrap();
        assert_eq!(wording.wording_of, "general.fee");
        assert_eq!(wording.questions, ["要钱不: 收费吗"]);
        assert!(is_wording(&items[1]) && !is_wording(&items[0]));
    }

    #[test]
    fn new_ids_follow_the_highest_one() {
        let ids = ["panzhihua.staff-2", "panzhihua.staff-10", "shaoyang.staff-40", "x"];
        assert_eq!(next_entry_id("panzhihua", ids.into_iter()), "panzhihua.staff-11");
        assert_eq!(next_entry_id("shaoyang", std::iter::empty()), "shaoyang.staff-1");
    }
}
