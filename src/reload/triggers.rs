//! What reloads the content without anyone at the console: `SIGHUP` (what operators and
//! `systemctl reload` send to make a service reread its files; its default action would end the
//! process) and a watcher on the content folders, which reloads once a burst of changes has
//! settled. Both only call [`Live::reload`], so a broken edit is reported and changes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Live, Trigger};
use crate::content;

/// How long the content folder must stay quiet before the watcher reloads. Editors save in
/// several steps (write a temporary file, rename it) and a `git pull` or `rsync` changes many
/// files: one reload for the lot, not one per event, and none of a half-written file.
pub const SETTLE: Duration = Duration::from_millis(500);

/// Reloads on SIGHUP and on changes for as long as it lives; dropping it stops both.
pub struct Reloader {
    task: JoinHandle<()>,
}

impl Drop for Reloader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts reloading `live` from `root` on SIGHUP and when a content file under `root` changes.
/// The signal handler and the watches are in place when this returns (so a SIGHUP sent right
/// after start-up reloads instead of killing the process). Call inside the tokio runtime.
pub fn start(live: Live, root: PathBuf) -> Reloader {
    let hangup = hangup_signal();
    let (changed, changes) = mpsc::unbounded_channel();
    let watcher = watch_folders(&root, changed.clone());
    let task = tokio::spawn(run(live, root, hangup, watcher, (changed, changes)));
    Reloader { task }
}

/// Reloads on each trigger until aborted. The watcher is owned here (its watches end with the
/// task), and so is a sender of its channel, so the channel stays open even without a watcher.
async fn run(
    live: Live,
    root: PathBuf,
    mut hangup: Hangup,
    mut watcher: Option<RecommendedWatcher>,
    (changed, mut changes): (mpsc::UnboundedSender<()>, mpsc::UnboundedReceiver<()>),
) {
    loop {
        let trigger = tokio::select! {
            Some(()) = next_hangup(&mut hangup) => Trigger::Signal,
            Some(()) = changes.recv() => {
                settle(&mut changes).await;
                Trigger::Watcher
            }
        };
        if trigger == Trigger::Signal {
            // A deploy that replaced whole folders (a new `faq/` moved into place) left the
            // watches on the old ones: watch what is there now.
            drop(watcher.take());
            watcher = watch_folders(&root, changed.clone());
        }
        live.reload(&root, trigger, Utc::now()).await;
    }
}

/// Waits until no change has arrived for [`SETTLE`] (or the watcher is gone).
async fn settle(changes: &mut mpsc::UnboundedReceiver<()>) {
    while let Ok(Some(())) = tokio::time::timeout(SETTLE, changes.recv()).await {}
}

/// Watches each folder that `mente check` reads (not recursively, like the loader; the content
/// root itself may be a source tree with a large `target/`). A folder that cannot be watched is
/// logged and left to SIGHUP and the console button.
fn watch_folders(root: &Path, changed: mpsc::UnboundedSender<()>) -> Option<RecommendedWatcher> {
    let handler = move |event: notify::Result<Event>| match event {
        Ok(event) if is_content_change(&event) => {
            let _ = changed.send(());
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(%err, "content watcher failed; SIGHUP still reloads"),
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(err) => {
            tracing::warn!(%err, "content watcher not started: reload with SIGHUP or the console");
            return None;
        }
    };
    for folder in content::FOLDERS {
        let path = root.join(folder);
        if let Err(err) = watcher.watch(&path, RecursiveMode::NonRecursive) {
            tracing::warn!(%err, folder = %path.display(), "content folder not watched");
        }
    }
    Some(watcher)
}

/// A content file created, written, renamed or removed. Not a read (every reload opens every
/// file, which must not start another) and not a change of permissions or times only.
fn is_content_change(event: &Event) -> bool {
    let writes =
        !matches!(event.kind, EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)));
    writes && event.paths.iter().any(|path| content::is_yaml_name(path))
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;

/// Registered at once: from here on SIGHUP reloads instead of ending the process.
#[cfg(unix)]
fn hangup_signal() -> Hangup {
    use tokio::signal::unix::{signal, SignalKind};
    signal(SignalKind::hangup())
        .map_err(|err| tracing::warn!(%err, "SIGHUP handler not installed"))
        .ok()
}

#[cfg(unix)]
async fn next_hangup(hangup: &mut Hangup) -> Option<()> {
    match hangup {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

/// No SIGHUP outside Unix: the watcher and the console button remain.
#[cfg(not(unix))]
type Hangup = ();

#[cfg(not(unix))]
fn hangup_signal() -> Hangup {}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) -> Option<()> {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, RenameMode};

    use super::*;

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn writes_renames_and_removals_of_yaml_files_count_reads_and_other_files_do_not() {
        let yaml = "/c/faq/general.yaml";
        for kind in [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(notify::event::RemoveKind::File),
        ] {
            assert!(is_content_change(&event(kind, yaml)), "{kind:?}");
        }
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
        ] {
            assert!(!is_content_change(&event(kind, yaml)), "{kind:?}");
        }
        let swap = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert!(
            !is_content_change(&event(swap, "/c/faq/.general.yaml.swp")),
            "an editor's swap file"
        );
    }
}
