//! `mente check`: validate content. STUB: owned by the engine work (issue 3).

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

/// `mente check [--content DIR]` (the folder is the global `--content`).
#[derive(Debug, Args)]
pub struct CheckArgs {}

/// Runs `mente check`.
pub fn run(_args: &CheckArgs, root: &Path) -> anyhow::Result<ExitCode> {
    match crate::content::load(root) {
        Ok(_) => {
            println!("content OK");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            for d in &err.diagnostics {
                println!("{d}");
            }
            Ok(ExitCode::from(1))
        }
    }
}
