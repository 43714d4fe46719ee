//! `mente ask`: FAQ answers for scripts and hotline staff (`mente disease` and `mente calc` live in
//! `kb.rs`).
//!
//! STUB: owned by the knowledge-base work (issue 2).

use std::process::ExitCode;

use clap::Args;

use crate::assistant::Assistant;

/// `mente ask [--region ID] [--json] QUESTION...`
#[derive(Debug, Args)]
pub struct AskArgs {
    /// Region id (panzhihua, shaoyang).
    #[arg(long)]
    pub region: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The question.
    pub question: Vec<String>,
}

/// Runs `mente ask`.
pub fn run_ask(_args: &AskArgs, _assistant: &Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente ask is not implemented yet")
}
