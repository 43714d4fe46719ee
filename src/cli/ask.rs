//! `mente ask`, `mente disease`, `mente calc`: the knowledge base for scripts and hotline staff.
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

/// `mente disease [--region ID] [--json] TEXT...`
#[derive(Debug, Args)]
pub struct DiseaseArgs {
    /// Region id.
    #[arg(long)]
    pub region: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// What the user typed.
    pub text: Vec<String>,
}

/// `mente calc --region ID --insurance employee|resident ...`
#[derive(Debug, Args)]
pub struct CalcArgs {
    /// Region id.
    #[arg(long)]
    pub region: String,
}

/// Runs `mente ask`.
pub fn run_ask(_args: &AskArgs, _assistant: &Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente ask is not implemented yet")
}

/// Runs `mente disease`.
pub fn run_disease(_args: &DiseaseArgs, _assistant: &Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente disease is not implemented yet")
}

/// Runs `mente calc`.
pub fn run_calc(_args: &CalcArgs, _assistant: &Assistant) -> anyhow::Result<ExitCode> {
    anyhow::bail!("mente calc is not implemented yet")
}
