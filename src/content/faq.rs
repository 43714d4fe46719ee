//! FAQ entries (`faq/*.yaml`, including the console's staff additions `faq/staff-<region>.yaml`,
//! see [`super::additions`]) and the staff-editable retrieval vocabulary (`faq/synonyms.yaml`):
//! synonyms, filler words and off-topic words. Stage 1 parses each file on its own; stage 2
//! checks ids, regions, sizes and hotlines and points at `file:line`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Deserialize;

use super::additions::{self, Pending, Wording};
use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// The file under `faq/` that holds the vocabulary instead of entries.
pub const SYNONYMS_FILE: &str = "faq/synonyms.yaml";

/// Longest answer accepted: one phone screen, the length every composed reply keeps to
/// (`engine::understood::SCREEN_CHARS`). Longer ones are split into two entries.
pub const MAX_ANSWER_CHARS: usize = 300;

/// Longest `brief:` of an FAQ entry: one line on a phone, several of them under the first answer.
pub const MAX_BRIEF_CHARS: usize = 60;

/// One question-and-answer entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    /// Stable id (used by `mente ask --json` and by dialogs).
    pub id: String,
    /// Region ids this entry applies to; empty means every region.
    #[serde(default)]
    pub regions: Vec<String>,
    /// What the entry is about. Entries of different regions with the same topic are the
    /// regional versions of one answer; they are shown side by side when the region is unknown.
    #[serde(default)]
    pub topic: Option<String>,
    /// Ways people ask it.
    pub questions: Vec<String>,
    /// The answer, in our own words.
    pub answer: String,
    /// The answer in one short line, given inline when the question is one of several in a
    /// message and the whole answer waits behind its button (every part gets an answer).
    #[serde(default)]
    pub brief: Option<String>,
    /// Where the facts come from (seed file or research note).
    pub source: String,
    /// Date the facts were checked against the source.
    pub as_of: NaiveDate,
    /// `false` when the facts come from material below news quality; the answer then says
    /// the local insurance office has the last word.
    #[serde(default = "default_verified")]
    pub verified: bool,
    /// Content file the entry was read from (set by the loader, used for diagnostics).
    #[serde(skip)]
    pub file: String,
}

fn default_verified() -> bool {
    true
}

/// Words the FAQ retrieval treats specially; edited by staff in `faq/synonyms.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Groups of words that mean the same thing; each is rewritten to its group's `term`.
    #[serde(default)]
    pub synonyms: Vec<SynonymGroup>,
    /// Words that carry no meaning in a question (请问, 一下, 呢 …) and are dropped.
    #[serde(default)]
    pub fillers: Vec<String>,
    /// Words that mark a question as outside 门特 (护照, 天气, 公积金 …): never answered confidently.
    #[serde(default)]
    pub off_topic: Vec<String>,
    /// Words that say nothing about what is asked (怎么, 多少, 申请 …): a question made only of
    /// them ("怎么办") is too vague for a confident answer. Written as they read after synonyms.
    #[serde(default)]
    pub generic: Vec<String>,
    /// Words that name a region (攀枝花, 湘医保 …), by region id: a question that names exactly
    /// one region is answered for it even when the user has not chosen a region.
    #[serde(default)]
    pub regions: BTreeMap<String, Vec<String>>,
    /// Provinces and cities we do not serve, grouped by province: a question about 北京 must not
    /// get 攀枝花's or 邵阳's rules as if they applied there.
    #[serde(default)]
    pub other_places: BTreeMap<String, Vec<String>>,
    /// Everyday conditions that are not 门特 diseases (感冒, 发烧, 拉肚子 …): named without a
    /// catalogue disease, they get a plain "this is not 门特" instead of "not found".
    #[serde(default)]
    pub not_mente: Vec<String>,
}

/// One synonym group: `also` words are read as `term`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    /// The word used in the FAQ questions.
    pub term: String,
    /// Other ways people say it.
    pub also: Vec<String>,
}

/// Stage 1: parses every FAQ file (each holds a list of entries); skips the vocabulary file.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Vec<FaqEntry> {
    let mut all = Vec::new();
    let is_entries = |f: &&SourceFile| {
        f.path != SYNONYMS_FILE
            && f.path != super::understand::UNDERSTAND_FILE
            && f.path != super::dialect::DIALECT_FILE
            && f.path != super::handoff::HANDOFF_FILE
    };
    let mut wordings = Vec::new();
    for file in files.iter().filter(is_entries) {
        // Entry by entry: a type error in one entry (a misspelt field, a bad date) must not hide
        // the problems of the others, nor make every dialog that links to them fail too.
        let Some(items) = yaml::parse::<Vec<serde_yaml::Value>>(file, diags) else { continue };
        let starts = top_level_item_lines(&file.text);
        let staff = additions::is_additions_file(&file.path);
        for (n, item) in items.into_iter().enumerate() {
            if staff && additions::is_wording(&item) {
                let line = starts.get(n).copied().unwrap_or(1);
                match serde_yaml::from_value::<Wording>(item) {
                    Ok(wording) => {
                        wordings.push(Pending { file: file.path.clone(), line, wording })
                    }
                    Err(err) => diags.push(Diagnostic::new(
                        &file.path,
                        line,
                        format!("YAML: wording (item {}): {err}", n + 1),
                    )),
                }
                continue;
            }
            match serde_yaml::from_value::<FaqEntry>(item) {
                Ok(e) => all.push(FaqEntry { file: file.path.clone(), ..e }),
                Err(err) => diags.push(entry_error(file, &starts, n, &err)),
            }
        }
    }
    // After every file: a wording may be of an entry in any of them.
    additions::merge(&mut all, wordings, diags);
    all
}

/// The diagnostic for FAQ entry `n` that failed to deserialise. `from_value` knows neither line
/// nor field, so the entry's own lines are parsed again, which gives both.
fn entry_error(
    file: &SourceFile,
    starts: &[usize],
    n: usize,
    err: &serde_yaml::Error,
) -> Diagnostic {
    let Some(&start) = starts.get(n) else {
        return Diagnostic::new(&file.path, 1, format!("YAML: FAQ entry {}: {err}", n + 1));
    };
    let end = starts.get(n + 1).copied().unwrap_or(usize::MAX);
    let lines: Vec<&str> =
        file.text.lines().skip(start - 1).take(end.saturating_sub(start)).collect();
    let item = SourceFile { path: file.path.clone(), text: lines.join("\n") };
    let mut found = Vec::new();
    if yaml::parse::<Vec<FaqEntry>>(&item, &mut found).is_some() || found.is_empty() {
        return Diagnostic::new(&file.path, start, format!("YAML: FAQ entry {}: {err}", n + 1));
    }
    let d = &found[0];
    let detail = d.message.strip_prefix("YAML: ").unwrap_or(&d.message);
    let detail =
        detail.strip_prefix(".[0].").or_else(|| detail.strip_prefix("[0].")).unwrap_or(detail);
    let message = format!("YAML: {detail}");
    Diagnostic::new(&file.path, start + d.line - 1, format!("{message} (FAQ entry {})", n + 1))
}

/// The 1-based lines where the items of a top-level YAML list start (`- ` in column 0).
fn top_level_item_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == "-" || l.starts_with("- "))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Stage 1: parses `faq/synonyms.yaml` (an absent file means an empty vocabulary).
pub fn parse_vocabulary(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Vocabulary {
    files
        .iter()
        .find(|f| f.path == SYNONYMS_FILE)
        .and_then(|file| yaml::parse::<Vocabulary>(file, diags))
        .unwrap_or_default()
}

/// Stage 2: cross-checks FAQ entries (duplicate ids, region ids, empty or oversized texts)
/// and the vocabulary (blank words, a word in two synonym groups).
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let text_of = |path: &str| {
        sources.faq.iter().find(|f| f.path == path).map(|f| f.text.as_str()).unwrap_or("")
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &content.faq {
        let text = text_of(&entry.file);
        let nth = seen.entry(entry.id.as_str()).or_insert(0);
        let line = nth_line_of(text, "id", &entry.id, count_in_file(content, entry, &entry.file));
        let mut report = |message: String| diags.push(Diagnostic::new(&entry.file, line, message));
        if *nth > 0 {
            report(format!("duplicate FAQ id `{}` (ids must be unique across faq/)", entry.id));
        }
        *nth += 1;
        check_entry(entry, content, sources, &mut report);
    }
    validate_topics(content, sources, diags);
    validate_additions(content, sources, diags);
    validate_vocabulary(&content.faq_vocabulary, sources, diags);
    if let Some(file) = sources.faq.iter().find(|f| f.path == SYNONYMS_FILE) {
        for region in content.faq_vocabulary.regions.keys() {
            if !super::regions::is_known(content, sources, region) {
                let line = yaml::line_containing(&file.text, &format!("{region}:"));
                diags.push(Diagnostic::new(&file.path, line, format!("unknown region `{region}`")));
            }
        }
    }
}

/// Which occurrence (0-based) of its id `entry` is within its own file.
fn count_in_file(content: &Content, entry: &FaqEntry, file: &str) -> usize {
    content
        .faq
        .iter()
        .take_while(|e| !std::ptr::eq(*e, entry))
        .filter(|e| e.file == file && e.id == entry.id)
        .count()
}

/// The line of the `n`-th (0-based) `key: value` line, falling back to [`yaml::line_of`].
fn nth_line_of(text: &str, key: &str, value: &str, n: usize) -> usize {
    let first = yaml::line_of(text, key, value);
    if n == 0 {
        return first;
    }
    let wanted = [format!("{key}: {value}"), format!("{key}: \"{value}\"")];
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            wanted.iter().any(|w| t == w.as_str())
        })
        .nth(n)
        .map(|(i, _)| i + 1)
        .unwrap_or(first)
}

fn check_entry(
    entry: &FaqEntry,
    content: &Content,
    sources: &Sources,
    report: &mut impl FnMut(String),
) {
    if entry.id.trim().is_empty() {
        report("FAQ entry has an empty id".to_string());
    }
    for region in &entry.regions {
        if !super::regions::is_known(content, sources, region) {
            let known: Vec<&str> = content.regions.keys().map(String::as_str).collect();
            report(format!(
                "FAQ `{}`: unknown region `{region}` (known: {})",
                entry.id,
                known.join(", ")
            ));
        }
    }
    if entry.questions.is_empty() {
        report(format!("FAQ `{}` has no questions", entry.id));
    }
    if entry.questions.iter().any(|q| q.trim().is_empty()) {
        report(format!("FAQ `{}` has an empty question", entry.id));
    }
    if entry.answer.trim().is_empty() {
        report(format!("FAQ `{}` has an empty answer", entry.id));
    }
    let chars = entry.answer.trim().chars().count();
    if chars > MAX_ANSWER_CHARS {
        report(format!(
            "FAQ `{}`: answer has {chars} characters, more than {MAX_ANSWER_CHARS} (one phone screen); shorten or split it",
            entry.id
        ));
    }
    if let Some(brief) = &entry.brief {
        check_brief(entry, brief, report);
    }
    if let Some((region, hotline)) = other_regions_hotline(entry, content) {
        report(format!(
            "FAQ `{}`: answer gives {region}'s hotline {hotline}, but the entry is for {}; give the entry's own region's contact",
            entry.id,
            entry.regions.join(", ")
        ));
    }
    if entry.source.trim().is_empty() {
        report(format!("FAQ `{}` has no source", entry.id));
    }
}

/// A brief is one line of at most [`MAX_BRIEF_CHARS`] characters, not blank.
fn check_brief(entry: &FaqEntry, brief: &str, report: &mut impl FnMut(String)) {
    let brief = brief.trim();
    if brief.is_empty() {
        report(format!("FAQ `{}` has an empty brief", entry.id));
    }
    if brief.contains('\n') {
        report(format!("FAQ `{}`: brief must be one line", entry.id));
    }
    let chars = brief.chars().count();
    if chars > MAX_BRIEF_CHARS {
        report(format!(
            "FAQ `{}`: brief has {chars} characters, more than {MAX_BRIEF_CHARS}; the whole answer is behind its button",
            entry.id
        ));
    }
}

/// The name and hotline of a region the entry is not for, when its answer gives that hotline
/// (a user of one region told to call the other's office). General entries may name any.
fn other_regions_hotline<'a>(entry: &FaqEntry, content: &'a Content) -> Option<(&'a str, &'a str)> {
    if entry.regions.is_empty() {
        return None;
    }
    // Digits only: `0812-3323000`, `0812 3323000` and `08123323000` are one number.
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let text = format!("{}\n{}", entry.answer, entry.brief.as_deref().unwrap_or_default());
    let answer: Vec<String> =
        text.split(|c: char| !c.is_ascii_digit() && !"- ".contains(c)).map(digits).collect();
    content
        .regions
        .values()
        .filter(|r| !entry.regions.contains(&r.id))
        .filter_map(|r| Some((r.name.as_str(), r.hotline.as_deref()?)))
        .find(|(_, hotline)| {
            let wanted = digits(hotline);
            !wanted.is_empty() && answer.iter().any(|number| number.contains(&wanted))
        })
}

/// Staff-additions files (`faq/staff-<region>.yaml`) are named after a known region, and the
/// entries they hold are for that region alone.
fn validate_additions(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    for file in sources.faq.iter().filter(|f| additions::is_additions_file(&f.path)) {
        let region = additions::region_of(&file.path).unwrap_or_default();
        if !super::regions::is_known(content, sources, region) {
            diags.push(Diagnostic::new(
                &file.path,
                1,
                format!("staff additions for unknown region `{region}` (the file is faq/staff-<region id>.yaml)"),
            ));
            continue;
        }
        for entry in content.faq.iter().filter(|e| e.file == file.path) {
            if entry.regions != [region] {
                diags.push(Diagnostic::new(
                    &file.path,
                    yaml::line_of(&file.text, "id", &entry.id),
                    format!(
                        "FAQ `{}`: an entry in {} must have `regions: [{region}]`",
                        entry.id, file.path
                    ),
                ));
            }
        }
    }
}

/// A topic groups the regional versions of one answer: two versions for the same region would
/// make the answer depend on chance, and a topic equal to an entry id would make `id` ambiguous.
fn validate_topics(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for entry in &content.faq {
        let Some(topic) = entry.topic.as_deref() else { continue };
        let text =
            sources.faq.iter().find(|f| f.path == entry.file).map_or("", |f| f.text.as_str());
        let line = yaml::line_of(text, "id", &entry.id);
        if content.faq.iter().any(|e| e.id == topic) {
            diags.push(Diagnostic::new(
                &entry.file,
                line,
                format!("FAQ `{}`: topic `{topic}` is also an entry id; rename one", entry.id),
            ));
        }
        for region in &entry.regions {
            if let Some(other) = seen.insert((topic, region.as_str()), entry.id.as_str()) {
                diags.push(Diagnostic::new(
                    &entry.file,
                    line,
                    format!(
                        "FAQ `{}`: `{other}` already answers topic `{topic}` for `{region}`",
                        entry.id
                    ),
                ));
            }
        }
    }
}

fn validate_vocabulary(vocab: &Vocabulary, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let Some(file) = sources.faq.iter().find(|f| f.path == SYNONYMS_FILE) else { return };
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let blank = vocab
        .fillers
        .iter()
        .chain(&vocab.off_topic)
        .chain(&vocab.generic)
        .any(|w| w.trim().is_empty());
    if blank {
        diags.push(Diagnostic::new(&file.path, 1, "empty word in fillers, off_topic or generic"));
    }
    for group in &vocab.synonyms {
        let line = yaml::line_of(&file.text, "term", &group.term);
        let words: BTreeSet<&str> = std::iter::once(group.term.as_str())
            .chain(group.also.iter().map(String::as_str))
            .collect();
        for word in words {
            if word.trim().is_empty() {
                diags.push(Diagnostic::new(
                    &file.path,
                    line,
                    format!("empty synonym in `{}`", group.term),
                ));
            } else if let Some(first) = owner.insert(word, &group.term) {
                diags.push(Diagnostic::new(
                    &file.path,
                    line,
                    format!("`{word}` is in two synonym groups (`{first}` and `{}`)", group.term),
                ));
            }
        }
    }
}
