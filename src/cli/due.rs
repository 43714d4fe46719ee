//! `mente due`: the Nth working day after a date (day of acceptance not counted), for hotline
//! staff and scripts. Says plainly when the date is a weekends-only estimate. With `--region`
//! the region's published review time limit is used; a region that publishes none (邵阳) gets no
//! date at all — that fact and where to check progress, exit code 1 — never another region's figure.

use std::process::ExitCode;

use chrono::{Datelike, NaiveDate};
use clap::Args;

use super::UsageError;
use crate::assistant::Assistant;
use crate::content::regions::Region;
use crate::policy::calendar::{self, Due};
use crate::policy::dates::format_cn;

/// `mente due --from YYYY-MM-DD [--region ID] [--days N] [--json]`
#[derive(Debug, Args)]
pub struct DueArgs {
    /// Day of acceptance (YYYY-MM-DD); not itself counted.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: String,
    /// Use this region's published review time limit (panzhihua: 15; shaoyang: none published).
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,
    /// Number of working days; overrides the region's figure. Default 15 without `--region`.
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// Print {"due": "YYYY-MM-DD", "exact": bool, "working_days": N}.
    #[arg(long)]
    pub json: bool,
}

/// Working days counted when neither `--region` nor `--days` is given (攀枝花's published limit,
/// kept as the historical default of this command).
const DEFAULT_DAYS: u32 = 15;

/// Longest span accepted: well beyond any administrative deadline, short enough to stay instant.
const MAX_DAYS: u32 = 3650;

/// Runs `mente due`.
pub fn run(args: &DueArgs, assistant: &Assistant) -> anyhow::Result<ExitCode> {
    let from = NaiveDate::parse_from_str(args.from.trim(), "%Y-%m-%d").map_err(|_| {
        UsageError(format!(
            "--from {:?} is not a date; write it as YYYY-MM-DD, e.g. 2025-09-26",
            args.from
        ))
    })?;
    let region = match args.region.as_deref() {
        Some(id) => Some(super::kb::region(assistant, id)?),
        None => None,
    };
    let days = match (args.days, region) {
        (Some(days), _) => days,
        (None, Some(region)) => match region.review_days() {
            Some(days) => days,
            None => return no_published_limit(args, region),
        },
        (None, None) => DEFAULT_DAYS,
    };
    if days > MAX_DAYS {
        return Err(UsageError(format!("--days {days} is too large (at most {MAX_DAYS})")).into());
    }
    let calendar = &assistant.content.calendar;
    let due = calendar::checked_working_days_after(calendar, from, days).ok_or_else(|| {
        UsageError(format!(
            "--from {} plus {days} working days is past the last date this program can count to",
            args.from.trim(),
        ))
    })?;
    if args.json {
        let json = serde_json::json!({
            "due": due.date.format("%Y-%m-%d").to_string(),
            "exact": due.exact,
            "working_days": days,
        });
        outln!("{json}");
    } else {
        out!("{}", text(from, days, due, calendar));
    }
    Ok(ExitCode::SUCCESS)
}

/// A region without a published review time limit: no date, the reason and where to check
/// progress; exit code 1 so scripts do not mistake it for a deadline.
fn no_published_limit(args: &DueArgs, region: &Region) -> anyhow::Result<ExitCode> {
    let note = region.no_review_limit_text();
    if args.json {
        let json = serde_json::json!({
            "due": null,
            "exact": null,
            "working_days": null,
            "region": region.id,
            "note": note,
        });
        outln!("{json}");
    } else {
        outln!("{note}");
    }
    Ok(ExitCode::from(1))
}

fn text(from: NaiveDate, days: u32, due: Due, cal: &crate::content::calendar::Calendar) -> String {
    const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let weekday = WEEKDAYS[due.date.weekday().num_days_from_monday() as usize];
    let mut out = format!(
        "{}（星期{weekday}）\n{}起第{days}个工作日（当天不计）。\n",
        due.date.format("%Y-%m-%d"),
        format_cn(from),
    );
    if due.exact {
        out.push_str(&format!("{}。\n", calendar::note(cal, due)));
    } else {
        out.push_str(&format!("注意（estimate）：{}。\n", calendar::note(cal, due)));
    }
    out
}
