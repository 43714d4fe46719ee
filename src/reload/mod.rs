//! Content reload without a restart (issue 18): the running [`Assistant`] behind a swappable
//! handle ([`Live`]), and [`Live::reload`], which reads the content folder again, validates it
//! in full exactly like `mente check` (both stages), and swaps it in only when it has no problem.
//!
//! Every adapter asks the handle for the current assistant once per turn and keeps that `Arc`
//! until the turn ends, so a turn in flight finishes with the version it started with while the
//! next turn already gets the new one. A failed reload changes nothing that users see: the
//! running version stays, and the problems are logged and kept ([`Live::last_reload`]) for the
//! console's content page. The triggers (SIGHUP, the file watcher) live in [`triggers`]; the
//! console button is a route of the web console.
//!
//! Staff additions made from the console are written to the content folder by [`edit`], after the
//! whole content with the addition has passed the same validation, and then reloaded here.
//!
//! The handle is per process: with several instances each one reloads its own folder.

pub mod edit;
pub mod triggers;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};

use crate::assistant::Assistant;
use crate::content::{self, ContentError, Diagnostic, Sources};

pub use triggers::{start, Reloader};

/// A shared, swappable handle to the running assistant; cheap to clone.
#[derive(Clone)]
pub struct Live(Arc<Shared>);

/// Which content a process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// 1 at start-up, one more for every reload that changed the content (per process).
    pub number: u64,
    /// The first 12 hex digits of a SHA-1 over every content file (path and text): the same
    /// files give the same fingerprint on every instance. `None` when the assistant was built
    /// without its files (tests).
    pub fingerprint: Option<String>,
    /// When this version was loaded.
    pub loaded_at: DateTime<Utc>,
}

/// What asked for a reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// `SIGHUP` (`systemctl reload`, `kill -HUP`).
    Signal,
    /// The file watcher saw a content file change.
    Watcher,
    /// The console's reload button, pressed by this member of staff.
    Console(String),
    /// This editor's addition from the console's unanswered list ([`edit`]).
    Edit(String),
}

/// How a reload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The new content is running as this version.
    Loaded(Version),
    /// The files are those of the running version; nothing was swapped.
    Unchanged(Version),
    /// The content has problems: the running version (the second field) stays.
    Failed(Vec<Diagnostic>, Version),
}

/// The result of one reload, kept for the console's content page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// When the reload started.
    pub at: DateTime<Utc>,
    /// What asked for it.
    pub trigger: Trigger,
    /// How it ended.
    pub outcome: Outcome,
}

/// Behind [`Live`].
struct Shared {
    /// The running version. A std lock is enough: it is only held to clone or replace an `Arc`,
    /// never across an `.await`.
    running: RwLock<Running>,
    /// The last reload's result (none yet after start-up).
    last: Mutex<Option<Report>>,
    /// One reload at a time, so that versions are numbered in the order they were read and a
    /// slow reload never overwrites a newer one. Held across the blocking load, hence tokio's.
    busy: tokio::sync::Mutex<()>,
    /// One console edit at a time ([`edit`]): each reads the file the previous one wrote.
    editing: tokio::sync::Mutex<()>,
}

/// One loaded version.
#[derive(Clone)]
struct Running {
    assistant: Arc<Assistant>,
    version: Version,
}

impl Live {
    /// Loads and validates the content under `root` (start-up): every problem as a diagnostic.
    pub fn load(root: &Path, now: DateTime<Utc>) -> Result<Live, ContentError> {
        let sources =
            content::read_sources(root).map_err(|diagnostics| ContentError { diagnostics })?;
        let fingerprint = fingerprint(&sources);
        let assistant = Assistant::from_content(content::from_sources(&sources)?);
        let version = Version { number: 1, fingerprint: Some(fingerprint), loaded_at: now };
        Ok(Live::with(Running { assistant: Arc::new(assistant), version }))
    }

    /// The assistant of the current version. Keep it for a whole turn.
    pub fn current(&self) -> Arc<Assistant> {
        self.running().assistant
    }

    /// The running version.
    pub fn version(&self) -> Version {
        self.running().version
    }

    /// The current assistant and its version, read together (two calls could straddle a swap).
    pub fn current_with_version(&self) -> (Arc<Assistant>, Version) {
        let Running { assistant, version } = self.running();
        (assistant, version)
    }

    /// The last reload's result, `None` if there was none since start-up.
    pub fn last_reload(&self) -> Option<Report> {
        self.0.last.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Reads and validates the content under `root` in full; swaps it in when it is valid and
    /// differs from the running version. Never fails: problems are in the report, which is
    /// also logged and kept for [`Live::last_reload`].
    pub async fn reload(&self, root: &Path, trigger: Trigger, now: DateTime<Utc>) -> Report {
        let _one_at_a_time = self.0.busy.lock().await;
        let started = std::time::Instant::now();
        let running = self.running();
        let root = root.to_path_buf();
        // Reading and indexing the content is blocking work (20–80 ms in a release build, the
        // repository's content, 2026-12-06): kept off the threads that serve requests.
        let loaded = tokio::task::spawn_blocking(move || load_if_changed(&root, &running.version))
            .await
            .unwrap_or_else(|panic| {
                Err(vec![Diagnostic::new(".", 1, format!("loading the content panicked: {panic}"))])
            });
        let outcome = self.apply(loaded, now);
        let report = Report { at: now, trigger, outcome };
        log(&report, started.elapsed().as_millis());
        crate::monitor::reload(&report.outcome);
        *self.0.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(report.clone());
        report
    }

    fn with(running: Running) -> Live {
        Live(Arc::new(Shared {
            running: RwLock::new(running),
            last: Mutex::new(None),
            busy: tokio::sync::Mutex::new(()),
            editing: tokio::sync::Mutex::new(()),
        }))
    }

    fn running(&self) -> Running {
        self.0.running.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Swaps in what was loaded, if anything; the outcome to report.
    fn apply(
        &self,
        loaded: Result<Option<Loaded>, Vec<Diagnostic>>,
        now: DateTime<Utc>,
    ) -> Outcome {
        let mut running = self.0.running.write().unwrap_or_else(PoisonError::into_inner);
        match loaded {
            Ok(None) => Outcome::Unchanged(running.version.clone()),
            Ok(Some(Loaded { assistant, fingerprint })) => {
                let version = Version {
                    number: running.version.number + 1,
                    fingerprint: Some(fingerprint),
                    loaded_at: now,
                };
                *running = Running { assistant: Arc::new(assistant), version: version.clone() };
                Outcome::Loaded(version)
            }
            Err(diagnostics) => Outcome::Failed(diagnostics, running.version.clone()),
        }
    }
}

/// An assistant built elsewhere (tests, `mente remind`) as version 1 without a fingerprint;
/// its first reload always reads the folder in full.
impl From<Arc<Assistant>> for Live {
    fn from(assistant: Arc<Assistant>) -> Live {
        let version = Version { number: 1, fingerprint: None, loaded_at: Utc::now() };
        Live::with(Running { assistant, version })
    }
}

impl From<Assistant> for Live {
    fn from(assistant: Assistant) -> Live {
        Live::from(Arc::new(assistant))
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Signal => f.write_str("SIGHUP"),
            Trigger::Watcher => f.write_str("a change in the content folder"),
            Trigger::Console(name) => write!(f, "the console (staff {name})"),
            Trigger::Edit(name) => write!(f, "a content change from the console (staff {name})"),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number)?;
        match &self.fingerprint {
            Some(print) => write!(f, " ({print})"),
            None => Ok(()),
        }
    }
}

/// Newly validated content and its fingerprint.
struct Loaded {
    assistant: Assistant,
    fingerprint: String,
}

/// Reads `root`; `Ok(None)` when its files are those of `running`, else the new assistant, or
/// every problem sorted by file and line (as `mente check` prints them).
fn load_if_changed(root: &Path, running: &Version) -> Result<Option<Loaded>, Vec<Diagnostic>> {
    let sources = content::read_sources(root).map_err(sorted)?;
    let fingerprint = fingerprint(&sources);
    if running.fingerprint.as_ref() == Some(&fingerprint) {
        return Ok(None);
    }
    let content = content::from_sources(&sources).map_err(|err| sorted(err.diagnostics))?;
    Ok(Some(Loaded { assistant: Assistant::from_content(content), fingerprint }))
}

fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Stable, so problems on the same line keep the order they were found in.
    diagnostics.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    diagnostics
}

/// SHA-1 over every file's path and text, in a fixed order; the first 12 hex digits. Not a
/// security measure, only a name for "these exact files" that is the same on every instance.
fn fingerprint(sources: &Sources) -> String {
    let mut hash = Sha1::new();
    let groups = [
        &sources.regions,
        &sources.faq,
        &sources.diseases,
        &sources.dialogs,
        &sources.calendar,
        &sources.citations,
    ];
    for file in groups.into_iter().flatten() {
        // Lengths first, so that no split of the same bytes into path and text collides.
        for part in [file.path.as_bytes(), file.text.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    hash.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// One line per outcome, and on failure one line per problem, so operators reading the log see
/// each `file:line` as the console does.
fn log(report: &Report, ms: u128) {
    let trigger = &report.trigger;
    match &report.outcome {
        Outcome::Loaded(version) => {
            tracing::info!(%trigger, ms, "content reloaded: version {version} is running");
        }
        Outcome::Unchanged(version) => {
            tracing::info!(%trigger, "content reload: no file changed, version {version} stays");
        }
        Outcome::Failed(diagnostics, version) => {
            for d in diagnostics {
                tracing::error!(%trigger, "content reload: {d}");
            }
            tracing::error!(
                %trigger,
                problems = diagnostics.len(),
                "content reload failed: version {version} keeps running"
            );
        }
    }
}

// Unix only: the fixture links its `data/`.
#[cfg(all(test, unix))]
mod tests {
    use std::path::PathBuf;

    use super::*;

    const ANSWER: &str = "门特是门诊慢特病待遇的简称。";

    fn now() -> DateTime<Utc> {
        "2026-11-28T02:00:00Z".parse().unwrap()
    }

    /// The clean check fixture with its one FAQ and one dialog file copied, so that the test
    /// may edit and add files there; `data/` is shared (linked, as in the fixture itself).
    fn fixture_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok");
        std::os::unix::fs::symlink(from.join("data"), dir.path().join("data")).unwrap();
        for file in ["faq/basic.yaml", "faq/handoff.yaml", "dialogs/hello.yaml"] {
            let to = dir.path().join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from.join(file), to).unwrap();
        }
        dir
    }

    fn answer(assistant: &Assistant) -> &str {
        assistant.content.faq[0].answer.trim()
    }

    fn edit_answer(root: &Path, new: &str) {
        let faq = root.join("faq/basic.yaml");
        let text = std::fs::read_to_string(&faq).unwrap().replace(ANSWER, new);
        std::fs::write(faq, text).unwrap();
    }

    #[tokio::test]
    async fn a_valid_edit_is_swapped_in_while_a_turn_in_flight_keeps_its_version() {
        let dir = fixture_copy();
        let live = Live::load(dir.path(), now()).unwrap();
        let in_flight = live.current();
        edit_answer(dir.path(), "门特：新的答案。");

        let report = live.reload(dir.path(), Trigger::Signal, now()).await;
        let Outcome::Loaded(version) = &report.outcome else { panic!("{report:?}") };
        assert_eq!(version.number, 2);
        assert_eq!(answer(&live.current()), "门特：新的答案。");
        assert_eq!(answer(&in_flight), ANSWER, "the turn that started before keeps its content");
        assert_eq!(live.last_reload(), Some(report));

        // The same files again: nothing to swap.
        let again = live.reload(dir.path(), Trigger::Watcher, now()).await;
        assert!(matches!(again.outcome, Outcome::Unchanged(ref v) if v.number == 2), "{again:?}");
    }

    #[tokio::test]
    async fn broken_content_keeps_the_running_version_and_reports_every_problem() {
        let dir = fixture_copy();
        let live = Live::load(dir.path(), now()).unwrap();
        edit_answer(dir.path(), "门特：新的答案。");
        std::fs::write(dir.path().join("faq/broken.yaml"), "- id: x\n  questions: [\n").unwrap();
        std::fs::write(dir.path().join("dialogs/bad.yaml"), "id: bad\nsteps: []\n").unwrap();

        let report = live.reload(dir.path(), Trigger::Console("zhao".into()), now()).await;
        let Outcome::Failed(problems, kept) = &report.outcome else { panic!("{report:?}") };
        assert_eq!(kept.number, 1);
        let files: Vec<&str> = problems.iter().map(|d| d.file.as_str()).collect();
        assert!(
            files.contains(&"faq/broken.yaml") && files.contains(&"dialogs/bad.yaml"),
            "{problems:?}"
        );
        assert!(problems.iter().all(|d| d.line >= 1), "{problems:?}");
        assert_eq!(live.version().number, 1);
        assert_eq!(answer(&live.current()), ANSWER, "the valid edit waits for the broken file");
        assert_eq!(live.last_reload(), Some(report));

        // Fixed: the next reload brings the valid edit.
        std::fs::remove_file(dir.path().join("faq/broken.yaml")).unwrap();
        std::fs::remove_file(dir.path().join("dialogs/bad.yaml")).unwrap();
        let fixed = live.reload(dir.path(), Trigger::Signal, now()).await;
        assert!(matches!(fixed.outcome, Outcome::Loaded(ref v) if v.number == 2), "{fixed:?}");
        assert_eq!(answer(&live.current()), "门特：新的答案。");
    }

    #[test]
    fn the_fingerprint_names_the_files_not_the_folder() {
        let (a, b) = (fixture_copy(), fixture_copy());
        let print =
            |dir: &tempfile::TempDir| fingerprint(&content::read_sources(dir.path()).unwrap());
        assert_eq!(print(&a), print(&b), "the same files on two instances");
        edit_answer(b.path(), "门特：新的答案。");
        assert_ne!(print(&a), print(&b));
        assert_eq!(print(&a).len(), 12);
    }
}
