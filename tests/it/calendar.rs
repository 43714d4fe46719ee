//! Working-day deadlines over the official holiday calendar, and `mente due`.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use mente::content::calendar::Calendar;
use mente::policy::calendar::{working_days_after, Due};

fn calendar() -> Calendar {
    mente::content::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads").calendar
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn due(start: NaiveDate, days: u32) -> Due {
    working_days_after(&calendar(), start, days)
}

#[test]
fn the_documented_example_counts_make_up_days_and_skips_national_day() {
    // Accepted Fri 2025-09-26: 09-28 (make-up Sunday) is day 1, 10-01..10-08 are off,
    // 10-11 (make-up Saturday) counts.
    assert_eq!(due(d(2025, 9, 26), 15), Due { date: d(2025, 10, 23), exact: true });
}

#[test]
fn the_day_of_acceptance_is_not_counted() {
    assert_eq!(due(d(2025, 3, 3), 1).date, d(2025, 3, 4));
    assert_eq!(due(d(2025, 3, 7), 1).date, d(2025, 3, 10), "plain weekend skipped");
}

#[test]
fn make_up_sundays_and_saturdays_are_working_days() {
    assert_eq!(due(d(2025, 1, 24), 1).date, d(2025, 1, 26), "2025-01-26 is a make-up Sunday");
    assert_eq!(due(d(2025, 2, 7), 1).date, d(2025, 2, 8), "2025-02-08 is a make-up Saturday");
    assert_eq!(due(d(2026, 9, 18), 1).date, d(2026, 9, 20), "2026-09-20 is a make-up Sunday");
    assert_eq!(due(d(2026, 10, 9), 1).date, d(2026, 10, 10), "2026-10-10 is a make-up Saturday");
}

#[test]
fn spring_festival_is_skipped() {
    assert_eq!(due(d(2025, 1, 27), 1), Due { date: d(2025, 2, 5), exact: true });
    assert_eq!(due(d(2026, 2, 13), 1).date, d(2026, 2, 14));
    assert_eq!(due(d(2026, 2, 14), 1).date, d(2026, 2, 24));
    // Accepted just before the 2026 festival: 15 working days reach well into March.
    assert_eq!(due(d(2026, 2, 12), 15), Due { date: d(2026, 3, 11), exact: true });
}

#[test]
fn counting_crosses_the_year_boundary_with_new_year_days_off() {
    // 2026-01-01..03 off, 2026-01-04 (Sunday) a make-up workday.
    assert_eq!(due(d(2025, 12, 31), 1), Due { date: d(2026, 1, 4), exact: true });
    assert_eq!(due(d(2025, 12, 31), 2).date, d(2026, 1, 5));
}

#[test]
fn past_the_calendar_the_result_is_a_flagged_weekend_only_estimate() {
    assert_eq!(due(d(2026, 12, 30), 1), Due { date: d(2026, 12, 31), exact: true });
    assert_eq!(due(d(2026, 12, 31), 1), Due { date: d(2027, 1, 1), exact: false });
    assert_eq!(due(d(2026, 12, 20), 15), Due { date: d(2027, 1, 8), exact: false });
    assert!(!due(d(2027, 5, 1), 3).exact);
}

fn mente(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(["--content", env!("CARGO_MANIFEST_DIR")])
        .args(args)
        .output()
        .expect("mente runs")
}

#[test]
fn mente_due_prints_json_for_scripts() {
    let out = mente(&["due", "--from", "2025-09-26", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!({"due": "2025-10-23", "exact": true, "working_days": 15}));
    let out = mente(&["due", "--from", "2026-12-20", "--days", "3", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!({"due": "2026-12-23", "exact": true, "working_days": 3}));
}

#[test]
fn mente_due_text_says_when_it_is_an_estimate() {
    let exact = String::from_utf8(mente(&["due", "--from", "2025-09-26"]).stdout).unwrap();
    assert!(exact.starts_with("2025-10-23"), "{exact}");
    assert!(!exact.contains("估算"), "{exact}");
    let estimate = String::from_utf8(mente(&["due", "--from", "2026-12-20"]).stdout).unwrap();
    assert!(estimate.starts_with("2027-01-08"), "{estimate}");
    assert!(estimate.contains("估算") && estimate.contains("estimate"), "{estimate}");
}

/// Audit of main: with no published 邵阳 limit, a deadline used to be computed from 攀枝花's 15
/// days. `--region` takes the region's own figure; none published → no date, exit code 1.
#[test]
fn mente_due_region_uses_the_published_limit_and_gives_no_date_without_one() {
    let out = mente(&["due", "--from", "2025-09-26", "--region", "panzhihua", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!({"due": "2025-10-23", "exact": true, "working_days": 15}));

    let out = mente(&["due", "--from", "2025-09-26", "--region", "shaoyang"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("邵阳没有公布门特审核时限"), "{text}");
    assert!(text.contains("湘医保") && text.contains("12393") && !text.contains("2025-"), "{text}");
    let out = mente(&["due", "--from", "2025-09-26", "--region", "shaoyang", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["due"], serde_json::Value::Null, "{json}");
    assert_eq!(json["region"], "shaoyang", "{json}");

    let out = mente(&["due", "--from", "2025-09-26", "--region", "chengdu"]);
    assert_eq!(out.status.code(), Some(2), "unknown region is a usage error");
}

#[test]
fn mente_due_rejects_a_bad_date_with_exit_code_2() {
    for bad in ["2025-13-01", "26/09/2025", "tomorrow"] {
        let out = mente(&["due", "--from", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"), "{bad}");
    }
}

/// Issue 11: chrono accepts years up to 262142; counting past the end used to panic (exit 101).
#[test]
fn mente_due_past_the_last_representable_date_is_exit_code_2() {
    let out = mente(&["due", "--from", "+262142-12-31", "--days", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("past the last date"), "{stderr}");
    let out = mente(&["due", "--from", "+262142-12-30", "--days", "0", "--json"]);
    assert!(
        out.status.success(),
        "0 days is the day itself: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
