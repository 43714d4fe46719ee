//! `mente check`: validates all content and prints every problem as `FILE:LINE: message`
//! (stdout, exit 1), or a one-line summary of what was loaded (exit 0). Other commands run the
//! same validation at start-up (`cli::load_content`) and refuse to start on any problem.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use crate::content::{self, Content};

/// `mente check [--content DIR]` (the folder is the global `--content`).
#[derive(Debug, Args)]
pub struct CheckArgs {}

/// Runs `mente check`.
pub fn run(_args: &CheckArgs, root: &Path) -> anyhow::Result<ExitCode> {
    let loaded = content::read_sources(root)
        .map_err(|diagnostics| content::ContentError { diagnostics })
        .and_then(|sources| content::from_sources(&sources).map(|c| (c, sources.calendar.len())));
    match loaded {
        Ok((content, calendar_files)) => {
            outln!("{}", summary(&content, calendar_files));
            Ok(ExitCode::SUCCESS)
        }
        Err(mut err) => {
            // By file, then line: staff fix one file at a time. Stable, so problems on the
            // same line keep the order they were found in.
            err.diagnostics.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            for d in &err.diagnostics {
                outln!("{d}");
            }
            eprintln!("{} problem(s) in {}", err.diagnostics.len(), root.display());
            Ok(ExitCode::from(1))
        }
    }
}

/// `content OK: 9 dialogs, 40 FAQ entries, 2 regions, 120 diseases, 2 calendar files`.
fn summary(content: &Content, calendar_files: usize) -> String {
    let diseases: usize = content.diseases.by_region.values().map(Vec::len).sum();
    format!(
        "content OK: {} dialogs, {} FAQ entries, {} regions, {} diseases, {} calendar files",
        content.dialogs.trees.len(),
        content.faq.len(),
        content.regions.len(),
        diseases,
        calendar_files
    )
}
