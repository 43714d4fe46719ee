//! `mente ask`: FAQ answers for scripts and hotline staff (`mente disease` and `mente calc` live in
//! `kb.rs`). Bad arguments are a [`UsageError`] (exit code 2). A region named in the question
//! overrides `--region` and is said.

use std::process::ExitCode;

use chrono::Utc;
use clap::Args;

use crate::assistant::Assistant;
use crate::cli::UsageError;
use crate::clock::china_today;

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

/// Runs `mente ask`: the FAQ answer (or the not-sure reply) as text or as one JSON object.
pub fn run_ask(args: &AskArgs, assistant: &Assistant) -> anyhow::Result<ExitCode> {
    let question = args.question.join(" ");
    if question.trim().is_empty() {
        return Err(UsageError("the question is empty; write it after the options, e.g. `mente ask --region panzhihua 职工起付线多少`".into()).into());
    }
    if let Some(region) = &args.region {
        if !assistant.content.regions.contains_key(region) {
            let known: Vec<&str> = assistant.content.regions.keys().map(String::as_str).collect();
            return Err(UsageError(format!(
                "unknown region `{region}` (known: {})",
                known.join(", ")
            ))
            .into());
        }
    }
    // A region (or its app) named in the question wins over `--region`, as in the chat; the
    // answer's source line (and `region` in JSON) then names the region actually answered for.
    let named = assistant.region_named(&question, china_today(Utc::now()));
    let region = named.as_deref().or(args.region.as_deref());
    let answer = assistant.knowledge.answer(&question, region);
    if args.json {
        outln!("{}", serde_json::to_string(&answer)?);
    } else {
        if let (Some(named), Some(given)) = (&named, &args.region) {
            if named != given {
                let name = |id: &str| assistant.content.regions[id].name.clone();
                outln!(
                    "（问题问的是{}，以下按{}回答，不是{}）",
                    name(named),
                    name(named),
                    name(given)
                );
            }
        }
        outln!("{}", answer.answer);
        // No buttons here: the not-sure reply's suggestions are listed by number.
        for (i, question) in answer.suggestions.iter().enumerate() {
            outln!("{}. {question}", i + 1);
        }
    }
    Ok(ExitCode::SUCCESS)
}
