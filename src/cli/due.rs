//! `mente due`: the Nth working day after a date (day of acceptance not counted), for hotline
//! staff and scripts. Says plainly when the date is a weekends-only estimate.

use std::process::ExitCode;

use chrono::{Datelike, NaiveDate};
use clap::Args;

use super::UsageError;
use crate::assistant::Assistant;
use crate::policy::calendar::{self, Due};
use crate::policy::dates::format_cn;

/// `mente due --from YYYY-MM-DD [--days N] [--json]`
#[derive(Debug, Args)]
pub struct DueArgs {
    /// Day of acceptance (YYYY-MM-DD); not itself counted.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: String,
    /// Number of working days.
    #[arg(long, default_value_t = 15, value_name = "N")]
    pub days: u32,
    /// Print {"due": "YYYY-MM-DD", "exact": bool, "working_days": N}.
    #[arg(long)]
    pub json: bool,
}

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
    if args.days > MAX_DAYS {
        return Err(
            UsageError(format!("--days {} is too large (at most {MAX_DAYS})", args.days)).into()
        );
    }
    let calendar = &assistant.content.calendar;
    let due = calendar::checked_working_days_after(calendar, from, args.days).ok_or_else(|| {
        UsageError(format!(
            "--from {} plus {} working days is past the last date this program can count to",
            args.from.trim(),
            args.days
        ))
    })?;
    if args.json {
        let json = serde_json::json!({
            "due": due.date.format("%Y-%m-%d").to_string(),
            "exact": due.exact,
            "working_days": args.days,
        });
        outln!("{json}");
    } else {
        out!("{}", text(from, args.days, due, calendar));
    }
    Ok(ExitCode::SUCCESS)
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
