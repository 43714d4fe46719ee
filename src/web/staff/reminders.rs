//! Reminders: how many are due in each of the next 12 weeks, as a bar chart drawn on the server
//! (SVG, no script), and the sent / parked (web, not yet seen) / waiting / failed totals.

use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use chrono::{DateTime, Duration, Utc};

use super::auth::StaffUser;
use super::{failed, staff_page};
use crate::clock::in_china;
use crate::store::console;
use crate::web::html::escape;
use crate::web::App;

/// Weeks shown.
pub const WEEKS: usize = 12;

/// `GET /staff/reminders`
pub async fn page(State(app): State<App>, Extension(user): Extension<StaffUser>) -> Response {
    let now = app.clock.now();
    let until = now + Duration::weeks(WEEKS as i64);
    let pool = app.store.pool();
    let (due, counts) = match (
        console::waiting_due_times(pool, now.timestamp(), until.timestamp()).await,
        console::reminder_counts(pool).await,
    ) {
        (Ok(d), Ok(c)) => (d, c),
        (Err(err), _) | (_, Err(err)) => return failed(err),
    };
    let weeks = per_week(&due, now);
    let body = format!(
        "<h1>提醒</h1><p class=\"counts\">已发送 <strong>{}</strong> · 留在网页待用户查看 <strong>{}</strong> · 等待发送 <strong>{}</strong> · 失败 <strong>{}</strong></p>\
         <h2>未来 {WEEKS} 周每周到期的提醒</h2>{}",
        counts.sent,
        counts.parked,
        counts.waiting,
        counts.failed,
        chart(&weeks, now),
    );
    staff_page(&user, "提醒", "/staff/reminders", &body)
}

/// Counts per week starting at `now` (week 0 = the next 7 days).
fn per_week(due: &[i64], now: DateTime<Utc>) -> [u32; WEEKS] {
    let mut weeks = [0u32; WEEKS];
    for &t in due {
        let week = (t - now.timestamp()).div_euclid(7 * 24 * 3600);
        if let Some(slot) = usize::try_from(week).ok().and_then(|w| weeks.get_mut(w)) {
            *slot += 1;
        }
    }
    weeks
}

/// The bar chart. Bars have a `<title>` and the count above them, so the numbers are readable
/// without hovering and by screen readers.
fn chart(weeks: &[u32; WEEKS], now: DateTime<Utc>) -> String {
    const W: u32 = 60;
    const H: u32 = 200;
    let max = weeks.iter().copied().max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"未来{WEEKS}周每周到期的提醒数\" xmlns=\"http://www.w3.org/2000/svg\">",
        W * WEEKS as u32,
        H + 50
    );
    for (i, &n) in weeks.iter().enumerate() {
        let start = in_china(now + Duration::weeks(i as i64)).format("%m-%d").to_string();
        let height = n * H / max;
        let x = i as u32 * W + 10;
        let y = H + 20 - height;
        svg.push_str(&format!(
            "<g><title>{} 起一周：{n} 条</title><rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{height}\" fill=\"#1d5fa8\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\" fill=\"#111\">{n}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#333\">{}</text></g>",
            escape(&start),
            W - 20,
            x + (W - 20) / 2,
            y.saturating_sub(4).max(14),
            x + (W - 20) / 2,
            H + 42,
            escape(&start),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_fall_into_their_week_and_the_tallest_bar_is_full_height() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T00:00:00Z").unwrap().to_utc();
        let day = 24 * 3600;
        let t = now.timestamp();
        let weeks = per_week(&[t, t + 6 * day, t + 7 * day, t + 83 * day, t + 84 * day], now);
        assert_eq!(weeks[0], 2);
        assert_eq!(weeks[1], 1);
        assert_eq!(weeks[11], 1);
        assert_eq!(weeks.iter().sum::<u32>(), 4, "the 13th week is not shown");
        let svg = chart(&weeks, now);
        assert_eq!(svg.matches("<rect").count(), WEEKS);
        assert!(svg.contains("height=\"200\""), "2 of max 2 is full height: {svg}");
    }
}
