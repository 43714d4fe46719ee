//! `mente disease` and `mente calc`: the disease matcher and the reimbursement estimate for
//! scripts and hotline staff. The `--json` shapes are a stable interface (see docs/content.md).

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::UsageError;
use crate::assistant::Assistant;
use crate::content::regions::Region;
use crate::policy::calc::{self, CalcInput, Estimate, Insurance};

/// `mente disease [--region ID] [--json] TEXT...`
#[derive(Debug, Args)]
pub struct DiseaseArgs {
    /// Region id (panzhihua, shaoyang); without it both regions are searched.
    #[arg(long)]
    pub region: Option<String>,
    /// Print JSON: {"matches": [{"name", "score", "alias", "note", "region"}]}.
    #[arg(long)]
    pub json: bool,
    /// What the user typed (Chinese, pinyin, initials …).
    pub text: Vec<String>,
}

/// `mente calc --region ID --insurance employee|resident [--retired] [--tier N] [--age N] --expense YUAN`
#[derive(Debug, Args)]
pub struct CalcArgs {
    /// Region id (panzhihua, shaoyang).
    #[arg(long)]
    pub region: String,
    /// employee (职工) or resident (居民).
    #[arg(long)]
    pub insurance: String,
    /// Retired (职工 only).
    #[arg(long)]
    pub retired: bool,
    /// Contribution tier (档次), counted from 1.
    #[arg(long)]
    pub tier: Option<u32>,
    /// Age in years.
    #[arg(long)]
    pub age: Option<u32>,
    /// Eligible 门特 expense of the year, in yuan.
    #[arg(long, allow_hyphen_values = true)]
    pub expense: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// One match in `mente disease --json`.
#[derive(Debug, Serialize)]
struct JsonMatch<'a> {
    name: &'a str,
    score: f64,
    alias: Option<&'a str>,
    note: Option<&'a str>,
    region: &'a str,
}

/// Runs `mente disease`.
pub fn run_disease(args: &DiseaseArgs, assistant: &Assistant) -> anyhow::Result<ExitCode> {
    let text = args.text.join(" ");
    if text.trim().is_empty() {
        return Err(UsageError(
            "give the disease text to look up, e.g. `mente disease 尿毒症`".into(),
        )
        .into());
    }
    let regions: Vec<&Region> = match &args.region {
        Some(id) => vec![region(assistant, id)?],
        None => assistant.content.regions.values().collect(),
    };
    let results: Vec<(&Region, Vec<crate::knowledge::DiseaseMatch>)> =
        regions.into_iter().map(|r| (r, assistant.knowledge.match_disease(&text, &r.id))).collect();
    if args.json {
        let mut matches: Vec<JsonMatch> = results
            .iter()
            .flat_map(|(r, ms)| {
                ms.iter().map(|m| JsonMatch {
                    name: &m.name,
                    score: m.score,
                    alias: m.alias.as_deref(),
                    note: m.note.as_deref(),
                    region: &r.id,
                })
            })
            .collect();
        // Best first across regions; equal scores keep region order.
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
        outln!("{}", serde_json::json!({ "matches": matches }));
    } else {
        for (r, ms) in &results {
            print_matches(r, ms)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_matches(
    region: &Region,
    matches: &[crate::knowledge::DiseaseMatch],
) -> anyhow::Result<()> {
    outln!("{}（{}）：", region.name, region.id);
    if matches.is_empty() {
        outln!("  没有找到相近的病种。{}", contact(region));
        return Ok(());
    }
    for (i, m) in matches.iter().enumerate() {
        let alias = m.alias.as_deref().filter(|a| *a != m.name);
        let via = alias.map(|a| format!("（按“{a}”匹配）")).unwrap_or_default();
        let sure = if m.strong { "" } else { "，不太确定" };
        outln!("  {}. {}{via}  [{:.2}{sure}]", i + 1, m.name, m.score);
        if let Some(note) = &m.note {
            outln!("     注意：{note}");
        }
    }
    Ok(())
}

/// Where to ask when the matcher finds nothing.
fn contact(region: &Region) -> String {
    format!("请换个说法，或咨询{}。", region.contact())
}

/// Runs `mente calc`.
pub fn run_calc(args: &CalcArgs, assistant: &Assistant) -> anyhow::Result<ExitCode> {
    let region = region(assistant, &args.region)?;
    let insurance = Insurance::parse(&args.insurance).ok_or_else(|| {
        UsageError(format!(
            "unknown --insurance `{}`; use employee (职工) or resident (居民)",
            args.insurance
        ))
    })?;
    let input = CalcInput {
        region: region.id.clone(),
        insurance,
        retired: args.retired,
        tier: args.tier,
        age: args.age,
        expense: args.expense,
    };
    let estimate = calc::estimate(&assistant.content.regions, &input)
        .map_err(|err| UsageError(err.to_string()))?;
    if args.json {
        outln!("{}", serde_json::to_string(&estimate)?);
    } else {
        print_estimate(region, &estimate)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_estimate(region: &Region, e: &Estimate) -> anyhow::Result<()> {
    let unknown = "未公开";
    let deductible = e.deductible.map(|d| format!("{} 元/年", calc::money(d)));
    outln!("{}（{}）门特报销估算", region.name, region.id);
    outln!("  起付线：{}", deductible.as_deref().unwrap_or(unknown));
    outln!("  报销比例：{}", range(e.ratio_min, e.ratio_max, percent));
    outln!(
        "  估算报销：{}",
        range(e.estimate_min, e.estimate_max, |x| format!("{} 元", calc::money(x)))
    );
    outln!("  说明：");
    for a in &e.assumptions {
        outln!("   - {a}");
    }
    outln!("  来源：{}", e.sources.join("；"));
    Ok(())
}

fn percent(x: f64) -> String {
    format!("{}%", calc::money((x * 1000.0).round() / 10.0))
}

/// "a", "a ~ b" or "a 起（上限未公开）".
fn range(min: f64, max: Option<f64>, show: impl Fn(f64) -> String) -> String {
    match max {
        Some(max) if max == min => show(min),
        Some(max) => format!("{} ~ {}", show(min), show(max)),
        None => format!("{} 起（上限未公开）", show(min)),
    }
}

/// The region called `id`, or a usage error naming the known ones.
pub(super) fn region<'a>(assistant: &'a Assistant, id: &str) -> anyhow::Result<&'a Region> {
    assistant.content.regions.get(id).ok_or_else(|| {
        let known: Vec<&str> = assistant.content.regions.keys().map(String::as_str).collect();
        UsageError(format!("unknown region `{id}`; use one of: {}", known.join(", "))).into()
    })
}
