//! Content changes made from the console (issue 18 item 3): a new wording of an existing FAQ
//! entry, or a new entry, appended to the region's staff-additions file
//! (`faq/staff-<region>.yaml`, [`crate::content::additions`]).
//!
//! Nothing is written unless the whole content folder *with* the addition passes the same
//! validation as `mente check`, and the assistant built from it answers the question with the
//! entry meant; otherwise every problem is returned and the folder is untouched. The file is
//! replaced atomically (a temporary file in the same folder, then a rename), so a reader — the
//! watcher, `mente check`, another instance — sees the old file or the new one, never half of
//! it. Then the content is reloaded through the [`Live`] handle, so the next message gets it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::{Live, Report, Trigger};
use crate::assistant::Assistant;
use crate::content::additions::{self, NewEntry};
use crate::content::{self, SourceFile, Sources};

/// What an editor adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addition {
    /// `question` as one more way of asking the existing entry `entry`.
    Wording {
        /// The region whose file gets it (the entry is of that region or general).
        region: String,
        /// The entry's id.
        entry: String,
        /// The new wording.
        question: String,
    },
    /// A new entry of `region`.
    Entry {
        /// Its one region.
        region: String,
        /// How users ask it.
        question: String,
        /// The answer.
        answer: String,
        /// A source id of `data/sources/`.
        source: String,
        /// Checked word for word against the source.
        verified: bool,
    },
}

impl Addition {
    /// The region whose staff-additions file gets the addition.
    pub fn region(&self) -> &str {
        match self {
            Addition::Wording { region, .. } | Addition::Entry { region, .. } => region,
        }
    }

    /// The question it makes answerable.
    pub fn question(&self) -> &str {
        match self {
            Addition::Wording { question, .. } | Addition::Entry { question, .. } => question,
        }
    }

    /// `wording` or `entry` (the audit's kind).
    pub fn kind(&self) -> &'static str {
        match self {
            Addition::Wording { .. } => "wording",
            Addition::Entry { .. } => "entry",
        }
    }
}

/// A change that was written and reloaded.
#[derive(Debug, Clone)]
pub struct Added {
    /// The entry that answers the question now.
    pub entry_id: String,
    /// The file written, relative to the content root (`faq/staff-<region>.yaml`).
    pub file: String,
    /// The YAML item appended to it.
    pub item: String,
    /// The reload that followed.
    pub report: Report,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The content with the addition has problems (every one, `file:line: message` where a
    /// file is concerned).
    #[error("the addition was not written: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// The file could not be written.
    #[error("cannot write {file}: {source}")]
    Write {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Who made a change and when, for the comment above the item (the audit row has the rest).
#[derive(Debug, Clone)]
pub struct Author<'a> {
    /// The staff account.
    pub name: &'a str,
    /// When.
    pub now: DateTime<Utc>,
    /// Today in China (the new entry's `as_of`).
    pub today: NaiveDate,
}

impl Live {
    /// Validates the content under `root` with `addition` appended to its region's
    /// staff-additions file; when it has no problem and answers the question with the entry
    /// meant, writes the file atomically and reloads. One edit at a time per process.
    pub async fn add(
        &self,
        root: &Path,
        addition: &Addition,
        author: &Author<'_>,
    ) -> Result<Added, EditError> {
        let _one_at_a_time = self.0.editing.lock().await;
        let running = self.current();
        let (root_owned, addition_owned) = (root.to_path_buf(), addition.clone());
        let note = format!(
            "{} {}",
            crate::clock::in_china(author.now).format("%Y-%m-%d %H:%M"),
            author.name
        );
        let today = author.today;
        let written = tokio::task::spawn_blocking(move || {
            let planned = plan(&root_owned, &addition_owned, &running, &note, today)?;
            write_atomically(&root_owned.join(&planned.file), &planned.text)
                .map_err(|source| EditError::Write { file: planned.file.clone(), source })?;
            Ok::<_, EditError>(planned)
        })
        .await
        .unwrap_or_else(|panic| {
            Err(EditError::Invalid(vec![format!("the check panicked: {panic}")]))
        })?;
        tracing::info!(
            staff = %author.name,
            kind = addition.kind(),
            entry = %written.entry_id,
            file = %written.file,
            question = %addition.question(),
            "content: staff addition written"
        );
        let trigger = Trigger::Edit(author.name.to_string());
        let report = self.reload(root, trigger, author.now).await;
        Ok(Added { entry_id: written.entry_id, file: written.file, item: written.item, report })
    }
}

/// A checked change, ready to write.
struct Planned {
    entry_id: String,
    file: String,
    item: String,
    text: String,
}

/// Reads the folder, appends the item and checks everything; writes nothing.
fn plan(
    root: &Path,
    addition: &Addition,
    running: &Assistant,
    note: &str,
    today: NaiveDate,
) -> Result<Planned, EditError> {
    let invalid = |problems: Vec<content::Diagnostic>| {
        EditError::Invalid(problems.iter().map(ToString::to_string).collect())
    };
    let mut sources = content::read_sources(root).map_err(invalid)?;
    let region = addition.region();
    let file = additions::file_for(region);
    let existing = sources.faq.iter().find(|f| f.path == file).map(|f| f.text.clone());
    let (entry_id, item) = item(addition, running, existing.as_deref().unwrap_or(""), note, today);
    let region_name =
        running.content.regions.get(region).map_or(region, |r| r.name.as_str()).to_string();
    let text = appended(existing.as_deref(), &additions::header(region, &region_name), &item);
    put(&mut sources, &file, &text);
    let checked = content::from_sources(&sources).map_err(|err| invalid(err.diagnostics))?;
    let assistant = Assistant::from_content(checked);
    let answer = assistant.knowledge.answer(addition.question(), Some(region));
    if answer.id.as_deref() != Some(entry_id.as_str()) {
        let now = match &answer.id {
            Some(other) => format!("`{other}`（匹配度 {:.2}）", answer.score),
            None => "“不确定”".to_string(),
        };
        return Err(EditError::Invalid(vec![format!(
            "加入后，助手对“{}”的回答仍是 {now}，不是 `{entry_id}`：换一种问法，或选那一条问答。",
            addition.question().trim()
        )]));
    }
    Ok(Planned { entry_id, file, item, text })
}

/// The entry id the question will be answered by, and the YAML item to append.
fn item(
    addition: &Addition,
    running: &Assistant,
    existing: &str,
    note: &str,
    today: NaiveDate,
) -> (String, String) {
    match addition {
        Addition::Wording { entry, question, .. } => {
            (entry.clone(), additions::wording_item(entry, question, note))
        }
        Addition::Entry { region, question, answer, source, verified } => {
            // Ids of the running content and of the file as it is now (it may hold entries a
            // failed reload has not brought in yet).
            let in_file = existing.split(|c: char| c.is_whitespace() || c == '"');
            let ids = running.content.faq.iter().map(|e| e.id.as_str()).chain(in_file);
            let entry = NewEntry {
                id: additions::next_entry_id(region, ids),
                region: region.clone(),
                question: question.clone(),
                answer: answer.clone(),
                source: source.clone(),
                as_of: today,
                verified: *verified,
            };
            let item = additions::entry_item(&entry, note);
            (entry.id, item)
        }
    }
}

/// The file's new text: the existing text (or a header) and the item after a blank line.
fn appended(existing: Option<&str>, header: &str, item: &str) -> String {
    let mut text = existing.unwrap_or(header).to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    text.push_str(item);
    text
}

/// `sources` with the FAQ file `path` holding `text` (added in path order when new, as the
/// loader reads files).
fn put(sources: &mut Sources, path: &str, text: &str) {
    match sources.faq.iter_mut().find(|f| f.path == path) {
        Some(file) => file.text = text.to_string(),
        None => {
            sources.faq.push(SourceFile { path: path.to_string(), text: text.to_string() });
            sources.faq.sort_by(|a, b| a.path.cmp(&b.path));
        }
    }
}

/// Replaces `path` with `text`: a temporary file in the same folder (not `.yaml`, so neither the
/// loader nor the watcher's reload reads it half-written), flushed to disk, then renamed over
/// the old file (atomic on one file system).
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp: PathBuf = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        // The rename itself reaches the disk with the folder's metadata (best effort: not every
        // platform can open a folder).
        if let Ok(dir) = std::fs::File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_starts_with_its_header_and_items_are_separated_by_a_blank_line() {
        assert_eq!(appended(None, "# h\n", "- a\n"), "# h\n\n- a\n");
        assert_eq!(appended(Some("# h\n\n- a\n"), "# x\n", "- b\n"), "# h\n\n- a\n\n- b\n");
        assert_eq!(appended(Some("- a"), "", "- b\n"), "- a\n\n- b\n");
    }

    #[test]
    fn the_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("staff-x.yaml");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, "new text\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new text\n");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["staff-x.yaml"]);
    }
}
