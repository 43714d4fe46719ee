//! Content loading: YAML files (dialogs, FAQ, region policy, disease catalogue, holiday calendar)
//! turned into validated, cross-referenced data.
//!
//! Loading happens in two stages, like ripgrep's low/high-level arguments:
//! 1. **parse** each file on its own (serde, field-level checks), collecting every problem;
//! 2. **validate** references between files (dialog jumps, region ids, template slots).
//!
//! Every problem becomes a [`Diagnostic`] with `file:line`, and *all* of them are reported at once:
//! staff fix a broken file in one pass, and a broken file is never silently skipped.
//! [`load`] is the only function here that touches the filesystem; [`from_sources`] is pure.

pub mod additions;
pub mod calendar;
pub mod citations;
pub mod dialect;
pub mod dialogs;
pub mod diseases;
pub mod faq;
pub mod handoff;
pub mod regions;
pub mod understand;
pub mod yaml;

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in the content, pointing at the file and line to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Path of the file as shown to staff (relative to the content root).
    pub file: String,
    /// 1-based line number; 1 when only the file is known.
    pub line: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic for `file` at `line`.
    pub fn new(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { file: file.into(), line: line.max(1), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// All diagnostics of a failed load; displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ContentError {
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        write!(f, "content has {} problem(s)", self.diagnostics.len())
    }
}

/// The text of one content file, with the name used in diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Display path, relative to the content root (e.g. `dialogs/apply.yaml`).
    pub path: String,
    /// Whole file contents.
    pub text: String,
}

/// The raw files of a content tree, grouped by kind. Built by [`read_sources`] or by tests.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `data/regions/*.yaml`
    pub regions: Vec<SourceFile>,
    /// `faq/*.yaml` (with the staff additions `faq/staff-<region>.yaml`)
    pub faq: Vec<SourceFile>,
    /// `data/diseases/*.yaml`
    pub diseases: Vec<SourceFile>,
    /// `dialogs/*.yaml`
    pub dialogs: Vec<SourceFile>,
    /// `data/calendar/*.yaml`
    pub calendar: Vec<SourceFile>,
    /// `data/sources/*.yaml`
    pub citations: Vec<SourceFile>,
}

/// Validated content, ready for the engine and the knowledge indexes.
#[derive(Debug, Clone)]
pub struct Content {
    /// Region policy, by region id.
    pub regions: regions::Regions,
    /// FAQ entries, all regions.
    pub faq: Vec<faq::FaqEntry>,
    /// Synonyms, filler and off-topic words for FAQ retrieval (`faq/synonyms.yaml`).
    pub faq_vocabulary: faq::Vocabulary,
    /// Disease catalogue, per region.
    pub diseases: diseases::Catalogue,
    /// Dialog trees, by dialog id.
    pub dialogs: dialogs::Dialogs,
    /// Working-day calendar (holidays and make-up workdays).
    pub calendar: calendar::Calendar,
    /// Readable titles of cited sources.
    pub citations: citations::Citations,
    /// Words the free-text reader looks for (`faq/understand.yaml`).
    pub understand: understand::Lexicon,
    /// 四川话/湖南话 words in plain Mandarin (`faq/dialect.yaml`), applied before reading.
    pub dialect: dialect::Dialect,
    /// What the assistant says about hand-offs to staff (`faq/handoff.yaml`).
    pub handoff: handoff::HandoffWords,
}

/// Where the content lives when no `--content` is given: the current directory if it holds
/// `dialogs/`, otherwise the source tree this binary was built from (so `cargo run` works
/// from any directory of a fresh clone).
pub fn default_root() -> PathBuf {
    let here = PathBuf::from(".");
    if here.join("dialogs").is_dir() && here.join("data").is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads and validates the content tree under `root`.
pub fn load(root: &Path) -> Result<Content, ContentError> {
    let sources = read_sources(root).map_err(|diagnostics| ContentError { diagnostics })?;
    from_sources(&sources)
}

/// The folders [`read_sources`] reads, in the order of [`Sources`]' fields, relative to the
/// content root (each one not recursively). The content watcher watches the same.
pub const FOLDERS: [&str; 6] =
    ["data/regions", "faq", "data/diseases", "dialogs", "data/calendar", "data/sources"];

/// Reads every content file under `root`; the only filesystem access of this module.
pub fn read_sources(root: &Path) -> Result<Sources, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let [regions, faq, diseases, dialogs, calendar, citations] =
        FOLDERS.map(|dir| read_dir_yaml(root, dir, &mut diags));
    let sources = Sources { regions, faq, diseases, dialogs, calendar, citations };
    let dialogs_unreadable =
        diags.iter().any(|d| d.file == "dialogs" || d.file.starts_with("dialogs/"));
    if sources.dialogs.is_empty() && !dialogs_unreadable {
        // Without a dialog the assistant cannot answer /start: that is no "content OK". Checked
        // here rather than in `from_sources` so tests may validate partial trees.
        diags.push(Diagnostic::new(
            "dialogs",
            1,
            "no dialog files (*.yaml); the assistant needs at least one dialog",
        ));
    }
    if !sources.faq.iter().any(|f| f.path == handoff::HANDOFF_FILE) {
        // Every hand-off wording lives there: without it the assistant could not offer a person.
        diags.push(Diagnostic::new(handoff::HANDOFF_FILE, 1, "missing: the hand-off wordings"));
    }
    if diags.is_empty() {
        Ok(sources)
    } else {
        Err(diags)
    }
}

fn read_dir_yaml(root: &Path, dir: &str, diags: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let full = root.join(dir);
    let entries = match std::fs::read_dir(&full) {
        Ok(entries) => entries,
        Err(err) => {
            diags.push(Diagnostic::new(
                dir,
                1,
                format!("cannot read folder {}: {err}", full.display()),
            ));
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| is_yaml_name(p)).collect();
    // Sorted so that diagnostics and "first definition wins" are stable across machines.
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let name = format!("{dir}/{}", path.file_name().unwrap_or_default().to_string_lossy());
        // Checked before opening: opening a FIFO blocks until a writer appears, which would
        // hang `check` and every command that loads content.
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                diags.push(Diagnostic::new(name, 1, "not a regular file (a folder, pipe or device); content files must be plain files"));
                continue;
            }
            Err(err) => {
                diags.push(Diagnostic::new(name, 1, format!("cannot read file: {err}")));
                continue;
            }
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(SourceFile { path: name, text }),
            Err(err) => diags.push(Diagnostic::new(name, 1, format!("cannot read file: {err}"))),
        }
    }
    files
}

/// `.yaml` or `.yml` in any letter case (`APPLY.YAML` from a Windows editor counts too).
pub(crate) fn is_yaml_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Parses and cross-validates already-read sources. Pure: used by [`load`] and by tests.
pub fn from_sources(sources: &Sources) -> Result<Content, ContentError> {
    let mut diags = Vec::new();
    // Stage 1: each file on its own.
    let regions = regions::parse_all(&sources.regions, &mut diags);
    let faq = faq::parse_all(&sources.faq, &mut diags);
    let faq_vocabulary = faq::parse_vocabulary(&sources.faq, &mut diags);
    let diseases = diseases::parse_all(&sources.diseases, &mut diags);
    let dialogs = dialogs::parse_all(&sources.dialogs, &mut diags);
    let calendar = calendar::parse_all(&sources.calendar, &mut diags);
    let citations = citations::parse_all(&sources.citations, &mut diags);
    let understand = understand::parse(&sources.faq, &mut diags);
    let dialect = dialect::parse(&sources.faq, &mut diags);
    let handoff = handoff::parse(&sources.faq, &mut diags);
    let content = Content {
        regions,
        faq,
        faq_vocabulary,
        diseases,
        dialogs,
        calendar,
        citations,
        understand,
        dialect,
        handoff,
    };
    // Stage 2: references between files. Runs even after stage-1 problems so that staff see
    // everything at once; each validator only looks at what did parse.
    regions::validate(&content, sources, &mut diags);
    faq::validate(&content, sources, &mut diags);
    diseases::validate(&content, sources, &mut diags);
    dialogs::validate(&content, sources, &mut diags);
    calendar::validate(&content, sources, &mut diags);
    understand::validate(&content, sources, &mut diags);
    dialect::validate(&content, sources, &mut diags);
    handoff::validate(&content, sources, &mut diags);
    citations::validate(&content, sources, &mut diags);
    if diags.is_empty() {
        Ok(content)
    } else {
        Err(ContentError { diagnostics: diags })
    }
}
