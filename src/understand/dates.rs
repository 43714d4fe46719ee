//! Dates in a message: `2026-09-26`, `2026年9月26日`, `9月26`, `9.26`, `九月二十六`,
//! `上个月5号`, `昨天`, `前天`, `下周一`, `3天前`. Pure: `today` is a parameter.
//!
//! A date without a year is taken in the year that puts it nearest to today (in November,
//! `1月5号` is next January, `9月26` this September), unless 去年/明年/今年 says otherwise.
//! Full dates inside a sentence are read with [`crate::policy::dates::find_date`]'s rules;
//! this module adds the forms people use in chat.

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

use crate::policy::dates::number_at;

/// A date and where it was written (character range in the digitised text; relative words
/// such as 昨天 are found in the text before digitising and have an empty range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FoundDate {
    pub(crate) date: NaiveDate,
    /// The same words read as a day still ahead: a year-less date's next occurrence (`25号` on
    /// 12-07 is 12-25 though 11-25 is nearer), for what the user asks to happen (提醒我).
    /// Equal to `date` when the year or month was said, or for relative words.
    pub(crate) ahead: NaiveDate,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Every date in `chars` (digitised) in text order, then the relative ones of `plain`.
pub(crate) fn dates(chars: &[char], plain: &str, today: NaiveDate) -> Vec<FoundDate> {
    // 元月 is January (明年元月15号); one character for one, so positions stay the same.
    let chars: Vec<char> = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if c == '元' && chars.get(i + 1) == Some(&'月') { '1' } else { c })
        .collect();
    let chars = chars.as_slice();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric());
        match starts.then(|| date_at(chars, i, today)).flatten() {
            Some(d) => {
                i = d.end;
                found.push(d);
            }
            None => i += 1,
        }
    }
    // "11月10号交的 今天都还没审核完": 今天 beside a date of its own says "now", not the day of
    // anything the user reports (taken as one, it became the acceptance date).
    let now_word = |date: &NaiveDate| *date == today && !found.is_empty();
    let relative = relative(plain, today).filter(|d| !now_word(d));
    found.extend(relative.map(|date| FoundDate { date, ahead: date, start: 0, end: 0 }));
    if found.is_empty() {
        found.extend(left_until_end(chars, today));
    }
    found
}

/// `还有三个星期就到期了`, `只剩20天到期`: an end of validity said as the time left, counted
/// from today (digitised text; the end word must follow the time closely, so `只有3个星期了
/// 还来得及不 到期是12月28号` reads only the date).
fn left_until_end(chars: &[char], today: NaiveDate) -> Option<FoundDate> {
    const LEFT: [&str; 4] = ["还有", "只有", "还剩", "只剩"];
    const UNITS: [(&str, i64); 7] =
        [("个星期", 7), ("个礼拜", 7), ("星期", 7), ("礼拜", 7), ("周", 7), ("天", 1), ("个月", 0)];
    let text: String = chars.iter().collect();
    let (at, word) = LEFT.iter().find_map(|w| text.find(w).map(|at| (at, *w)))?;
    let rest = &text[at + word.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().ok()?;
    let after = &rest[digits.len()..];
    let (unit, days) = UNITS.iter().find(|(u, _)| after.starts_with(u))?;
    let tail: String = after[unit.len()..].chars().take(4).collect();
    if !tail.contains("到期") && !tail.contains("过期") {
        return None;
    }
    let date = match days {
        0 => today.checked_add_months(Months::new(n))?,
        d => today + Duration::days(i64::from(n) * d),
    };
    Some(FoundDate { date, ahead: date, start: 0, end: 0 })
}

/// See [`super::days_from_now`]: `过` before the count, or `后`/`以后`/`之后` after its unit.
/// Counts over a year are not a reminder anyone means (a typo): `None`.
pub(super) fn days_from_now(chars: &[char]) -> Option<u32> {
    const UNITS: [(&str, u32); 6] =
        [("个星期", 7), ("个礼拜", 7), ("星期", 7), ("礼拜", 7), ("周", 7), ("天", 1)];
    const AFTER: [&str; 3] = ["以后", "之后", "后"];
    let text: String = chars.iter().collect();
    let mut at = 0;
    while let Some(found) = text[at..].find(|c: char| c.is_ascii_digit()) {
        let start = at + found;
        let digits: String = text[start..].chars().take_while(char::is_ascii_digit).collect();
        let rest = &text[start + digits.len()..];
        at = start + digits.len();
        let Some((unit, days)) = UNITS.iter().find(|(u, _)| rest.starts_with(u)) else {
            continue;
        };
        let after_unit = &rest[unit.len()..];
        let led = text[..start].ends_with('过');
        let trailed = AFTER.iter().any(|w| after_unit.starts_with(w));
        let n: u32 = digits.parse().ok()?;
        if (led || trailed) && (1..=366).contains(&(n * days)) {
            return Some(n * days);
        }
    }
    None
}

fn date_at(chars: &[char], start: usize, today: NaiveDate) -> Option<FoundDate> {
    let (first, after) = number_at(chars, start)?;
    let digits = after - start;
    let at = |i: usize| chars.get(i).copied();
    let day_end = |i: usize| if matches!(at(i), Some('日' | '号')) { i + 1 } else { i };
    let (year, month, day, end) = match at(after) {
        Some('年') if digits == 4 || digits == 2 => {
            let (m, am) = number_at(chars, after + 1)?;
            let year = if digits == 2 { 2000 + first as i32 } else { first as i32 };
            if at(am) == Some('月') && month_end_word(at(am + 1)) {
                return month_end(Some(year), m, today, start, am + 2);
            }
            if at(am) == Some('月') {
                if let Some(end) = end_word_after(chars, am + 1) {
                    let date = NaiveDate::from_ymd_opt(year, m, 1)?;
                    let date =
                        if (year, m) == (today.year(), today.month()) { today } else { date };
                    return Some(FoundDate { date, ahead: date, start, end });
                }
            }
            let (d, ad) = (at(am) == Some('月')).then(|| number_at(chars, am + 1)).flatten()?;
            let year = if digits == 2 { 2000 + first as i32 } else { first as i32 };
            (Some(year), m, d, day_end(ad))
        }
        Some(s @ ('-' | '/' | '.')) if digits == 4 => {
            let (m, am) = number_at(chars, after + 1)?;
            let (d, ad) = (at(am) == Some(s)).then(|| number_at(chars, am + 1)).flatten()?;
            (Some(first as i32), m, d, ad)
        }
        Some('月') if month_end_word(at(after + 1)) => {
            return month_end(year_word(chars, start, today), first, today, start, after + 2);
        }
        // 明年6月到期: an end of validity said by its month alone is taken on its first day
        // (this month's: today), so nothing counted from it comes late; the answer says so
        // ([`month_only_end`]).
        Some('月') if end_word_after(chars, after + 1).is_some() => {
            let end = end_word_after(chars, after + 1).unwrap_or(after + 1);
            let year = year_word(chars, start, today);
            let first_day = |y: i32| NaiveDate::from_ymd_opt(y, first, 1);
            let (date, ahead) = match year {
                Some(y) => (first_day(y)?, first_day(y)?),
                None => (nearest(today, first, 1)?, next(today, first, 1).unwrap_or(today)),
            };
            let this_month =
                |d: NaiveDate| match (d.year(), d.month()) == (today.year(), today.month()) {
                    true => today,
                    false => d,
                };
            return Some(FoundDate {
                date: this_month(date),
                ahead: this_month(ahead),
                start,
                end,
            });
        }
        Some('月') => {
            let (d, ad) = number_at(chars, after + 1)?;
            (year_word(chars, start, today), first, d, day_end(ad))
        }
        // 9.26 / 9/26 / 12-20: month and day of one or two digits, not a decimal amount (1.2万,
        // 9.5元) nor a span (1-2年, 3-5天).
        Some('.' | '/' | '-') if digits <= 2 => {
            let (d, ad) = number_at(chars, after + 1)?;
            let amount = matches!(
                at(ad),
                Some(
                    '万' | '千'
                        | '元'
                        | '块'
                        | 'w'
                        | 'k'
                        | '%'
                        | '.'
                        | '个'
                        | '年'
                        | '天'
                        | '月'
                        | '次'
                        | '周'
                        | '岁'
                )
            );
            if amount || ad - after - 1 > 2 {
                return None;
            }
            (year_word(chars, start, today), first, d, day_end(ad))
        }
        // 5号 (this, last or next month, whichever is nearest), 上个月5号, 下月5号.
        Some('号') if digits <= 2 => {
            let shift = month_word(chars, start);
            let date = day_of_month(today, shift, first)?;
            let ahead = match shift {
                Some(_) => date,
                None => [0, 1]
                    .into_iter()
                    .find_map(|s| day_of_month(today, Some(s), first).filter(|d| *d >= today))
                    .unwrap_or(date),
            };
            return Some(FoundDate { date, ahead, start, end: after + 1 });
        }
        _ if digits == 8 && (first / 1_000_000 == 19 || first / 1_000_000 == 20) => {
            (Some((first / 10_000) as i32), first / 100 % 100, first % 100, after)
        }
        _ => return None,
    };
    let (date, ahead) = match year {
        Some(y) => {
            let date = NaiveDate::from_ymd_opt(y, month, day)?;
            (date, date)
        }
        None => {
            let date = nearest(today, month, day)?;
            (date, next(today, month, day).unwrap_or(date))
        }
    };
    Some(FoundDate { date, ahead, start, end })
}

/// 今年/去年/明年 right before a month: that year; otherwise `None` (nearest year).
fn year_word(chars: &[char], start: usize, today: NaiveDate) -> Option<i32> {
    let before: String = chars[start.saturating_sub(2)..start].iter().collect();
    let shift = match before.as_str() {
        "今年" => 0,
        "去年" => -1,
        "明年" => 1,
        "前年" => -2,
        _ => return None,
    };
    Some(today.year() + shift)
}

/// 上个月/上月 → -1, 这个月/本月 → 0, 下个月/下月 → +1; `None` when no month word precedes.
fn month_word(chars: &[char], start: usize) -> Option<i32> {
    let before: String = chars[start.saturating_sub(3)..start].iter().collect();
    [("上个月", -1), ("上月", -1), ("这个月", 0), ("本月", 0), ("下个月", 1), ("下月", 1)]
        .iter()
        .find(|(w, _)| before.ends_with(w))
        .map(|(_, s)| *s)
}

fn day_of_month(today: NaiveDate, shift: Option<i32>, day: u32) -> Option<NaiveDate> {
    let month = |s: i32| {
        let first = today.with_day(1)?;
        let moved = if s < 0 {
            first.checked_sub_months(Months::new(s.unsigned_abs()))
        } else {
            first.checked_add_months(Months::new(s as u32))
        }?;
        moved.with_day(day)
    };
    match shift {
        Some(s) => month(s),
        None => {
            [0, -1, 1].into_iter().filter_map(month).min_by_key(|d| (*d - today).num_days().abs())
        }
    }
}

/// The date with this month and day nearest to today (last, this or next year).
fn nearest(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (-1..=1)
        .filter_map(|s| NaiveDate::from_ymd_opt(today.year() + s, month, day))
        .min_by_key(|d| (*d - today).num_days().abs())
}

/// Right after a month without a day (`6月到期`, `6月份就到期了`): where the end word
/// 到期/过期 ends; `None` when none follows (at most 份, 就, 要, 快 between).
fn end_word_after(chars: &[char], from: usize) -> Option<usize> {
    let mut i = from;
    while i < from + 2 && matches!(chars.get(i), Some('份' | '就' | '要' | '快')) {
        i += 1;
    }
    let word: String = chars.get(i..i + 2)?.iter().collect();
    matches!(word.as_str(), "到期" | "过期").then_some(i + 2)
}

/// The month of an end of validity said without its day (`明年6月到期`): its year and month,
/// as the date read from it stands for the whole month. `None` when the text says none.
pub(crate) fn month_only_end(chars: &[char], today: NaiveDate) -> Option<(i32, u32)> {
    let text: String = chars.iter().collect();
    if let Some(d) = next_month_end(&text, today) {
        return Some((d.year(), d.month()));
    }
    (0..chars.len()).find_map(|i| {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric());
        let (month, after) = starts.then(|| number_at(chars, i)).flatten()?;
        if chars.get(after) != Some(&'月') || end_word_after(chars, after + 1).is_none() {
            return None;
        }
        let found = date_at(chars, i, today)?;
        (found.date.month() == month).then(|| (found.date.year(), month))
    })
}

/// `底`/`末` right after a month (`1月底`, `2027年3月末`): its last day is meant.
fn month_end_word(c: Option<char>) -> bool {
    matches!(c, Some('底' | '末'))
}

/// The last day of `month` (`year`'s, else the nearest one, and the next one for `ahead`),
/// written from `start` to `end`.
fn month_end(
    year: Option<i32>,
    month: u32,
    today: NaiveDate,
    start: usize,
    end: usize,
) -> Option<FoundDate> {
    let last = |y: i32| {
        let first_next = if month == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, month + 1, 1)
        };
        first_next.and_then(|d| d.pred_opt())
    };
    if let Some(y) = year {
        let date = last(y)?;
        return Some(FoundDate { date, ahead: date, start, end });
    }
    let years = (-1..=1).filter_map(|s| last(today.year() + s));
    let date = years.clone().min_by_key(|d| (*d - today).num_days().abs())?;
    let ahead = years.into_iter().find(|d| *d >= today).unwrap_or(date);
    Some(FoundDate { date, ahead, start, end })
}

/// The first date with this month and day on or after today (this year or next).
fn next(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (0..=1)
        .filter_map(|s| NaiveDate::from_ymd_opt(today.year() + s, month, day))
        .find(|d| *d >= today)
}

/// 昨天, 前天, 大前天, 今天, 明天, 后天, 大后天, 上周一, 下周三, 周五, 3天前, 5天后.
fn relative(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    const DAYS: [(&str, i64); 9] = [
        ("大前天", -3),
        ("大后天", 3),
        ("前天", -2),
        ("昨天", -1),
        ("昨日", -1),
        ("今天", 0),
        ("今日", 0),
        ("明天", 1),
        ("后天", 2),
    ];
    if let Some((_, offset)) = DAYS.iter().find(|(w, _)| text.contains(w)) {
        return Some(today + Duration::days(*offset));
    }
    // 当天 ("that same day") is today only when no other day is named: `下周三去交 当天受理
    // 的话` means that Wednesday.
    weekday(text, today)
        .or_else(|| days_ago(text, today))
        .or_else(|| text.contains("当天").then_some(today))
        .or_else(|| next_month_end(text, today))
}

/// `下个月到期`, `下月就过期了`: an end of validity said by the next month alone, taken on that
/// month's first day, as a month number alone is ([`month_only_end`] says so).
fn next_month_end(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    let at = ["下个月", "下月"].iter().find_map(|w| {
        let w: Vec<char> = w.chars().collect();
        chars.windows(w.len()).position(|x| x == w.as_slice()).map(|i| i + w.len())
    })?;
    end_word_after(&chars, at)?;
    today.with_day(1)?.checked_add_months(Months::new(1))
}

/// The two days `上礼拜三` may mean when said on a Sunday: the Wednesday of the week that ends
/// today (weeks from Monday) or the one before it (for those whose week starts on Sunday, today
/// began a new one). `None` on other days, or without a 上+weekday.
pub(crate) fn last_weekday_readings(text: &str, today: NaiveDate) -> Option<[NaiveDate; 2]> {
    if today.weekday() != Weekday::Sun {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let last = chars.windows(2).enumerate().any(|(i, w)| {
        let prefix_len = match (w[0], w[1]) {
            ('周', _) => 1,
            ('星', '期') | ('礼', '拜') => 2,
            _ => return false,
        };
        let named = chars.get(i + prefix_len).and_then(|&c| weekday_of(c)).is_some();
        let before: String = chars[i.saturating_sub(2)..i].iter().collect();
        named && (before.ends_with('上') || before.ends_with("上个"))
    });
    let earlier = weekday(text, today).filter(|_| last)?;
    Some([earlier + Duration::weeks(1), earlier])
}

fn weekday(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    for (i, w) in chars.windows(2).enumerate() {
        let prefix_len = match (w[0], w[1]) {
            ('周', _) => 1,
            ('星', '期') | ('礼', '拜') => 2,
            _ => continue,
        };
        let Some(day) = chars.get(i + prefix_len).and_then(|&c| weekday_of(c)) else { continue };
        let before: String = chars[i.saturating_sub(2)..i].iter().collect();
        let weeks = if before.ends_with('上') || before.ends_with("上个") {
            -1
        } else if before.ends_with('下') || before.ends_with("下个") {
            1
        } else {
            0
        };
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        return Some(
            monday + Duration::weeks(weeks) + Duration::days(i64::from(day.num_days_from_monday())),
        );
    }
    None
}

fn weekday_of(c: char) -> Option<Weekday> {
    Some(match c {
        '一' | '1' => Weekday::Mon,
        '二' | '2' => Weekday::Tue,
        '三' | '3' => Weekday::Wed,
        '四' | '4' => Weekday::Thu,
        '五' | '5' => Weekday::Fri,
        '六' | '6' => Weekday::Sat,
        '日' | '天' | '7' => Weekday::Sun,
        _ => return None,
    })
}

/// `3天前`, `5天后` (digits only: the text given here is not digitised).
fn days_ago(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    let i = chars.iter().position(|&c| c == '天')?;
    let digits: String = chars[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let n: i64 = digits.parse().ok()?;
    match chars.get(i + 1) {
        Some('前') => Some(today - Duration::days(n)),
        Some('后') => Some(today + Duration::days(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::numbers::digitise;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A Saturday late in the year, as when the issue was written.
    fn today() -> NaiveDate {
        d(2026, 11, 28)
    }

    #[test]
    fn a_count_of_days_from_now_needs_guo_before_or_hou_after() {
        let days = |t: &str| days_from_now(&digitise(&t.chars().collect::<Vec<_>>()));
        assert_eq!(days("那过十天提醒我问下进度"), Some(10));
        assert_eq!(days("两个礼拜以后提醒我"), Some(14));
        assert_eq!(days("3周后提醒我去复查"), Some(21));
        assert_eq!(days("15天之后"), Some(15));
        // A time already past or a length, not a day ahead.
        assert_eq!(days("交了20天了还没消息"), None);
        assert_eq!(days("审核要15个工作日"), None);
        assert_eq!(days("过1000天"), None);
    }

    #[test]
    fn an_end_said_by_its_month_alone_is_its_first_day() {
        let chars = |t: &str| digitise(&t.chars().collect::<Vec<_>>());
        assert_eq!(first("老伴的待遇明年3月份到期"), Some(d(2027, 3, 1)));
        assert_eq!(first("2027年8月就到期了"), Some(d(2027, 8, 1)));
        assert_eq!(first("这个月过期"), None, "no month number");
        assert_eq!(first("11月到期"), Some(today()), "this month: today, not a day gone by");
        assert_eq!(month_only_end(&chars("她的门特明年三月份到期"), today()), Some((2027, 3)));
        assert_eq!(month_only_end(&chars("明年3月31号到期"), today()), None);
        assert_eq!(first("3月去医院"), None);
        assert_eq!(first("我的门特下个月到期"), Some(d(2026, 12, 1)));
        assert_eq!(month_only_end(&chars("下月就过期了"), today()), Some((2026, 12)));
        assert_eq!(first("下个月去医院"), None);
    }

    fn first(text: &str) -> Option<NaiveDate> {
        let chars = digitise(&text.chars().collect::<Vec<_>>());
        dates(&chars, text, today()).first().map(|f| f.date)
    }

    #[test]
    fn absolute_dates_in_every_common_form() {
        for text in [
            "2026-09-26",
            "2026/9/26",
            "2026.9.26",
            "2026年9月26日",
            "20260926",
            "二〇二六年九月二十六日",
        ] {
            assert_eq!(first(text), Some(d(2026, 9, 26)), "{text}");
        }
    }

    #[test]
    fn the_end_of_a_month_is_its_last_day() {
        assert_eq!(first("是2027年1月底到期 不是3月"), Some(d(2027, 1, 31)));
        assert_eq!(first("待遇2028年2月末到期"), Some(d(2028, 2, 29)));
        assert_eq!(first("11月底交的"), Some(d(2026, 11, 30)));
        assert_eq!(first("明年3月底到期"), Some(d(2027, 3, 31)));
    }

    #[test]
    fn year_less_dates_are_the_nearest_one() {
        assert_eq!(first("9月26受理 哪天到期"), Some(d(2026, 9, 26)));
        assert_eq!(first("9.26受理的"), Some(d(2026, 9, 26)));
        assert_eq!(first("九月二十六"), Some(d(2026, 9, 26)));
        assert_eq!(first("1月5号到期"), Some(d(2027, 1, 5)));
        assert_eq!(first("去年12月1日"), Some(d(2025, 12, 1)));
        assert_eq!(first("明年元月15号到期"), Some(d(2027, 1, 15)));
    }

    #[test]
    fn read_as_ahead_a_year_less_day_is_its_next_occurrence() {
        // Monday 2026-12-07: 25号 is nearest on 11-25, but ahead it is 12-25.
        let monday = d(2026, 12, 7);
        let ahead = |text: &str| {
            let chars = digitise(&text.chars().collect::<Vec<_>>());
            dates(&chars, text, monday).first().map(|f| (f.date, f.ahead))
        };
        assert_eq!(ahead("25号那天再提醒我"), Some((d(2026, 11, 25), d(2026, 12, 25))));
        assert_eq!(ahead("5号提醒我"), Some((d(2026, 12, 5), d(2027, 1, 5))));
        assert_eq!(ahead("11月20号"), Some((d(2026, 11, 20), d(2027, 11, 20))));
        assert_eq!(ahead("上个月25号"), Some((d(2026, 11, 25), d(2026, 11, 25))));
        assert_eq!(ahead("昨天"), Some((d(2026, 12, 6), d(2026, 12, 6))));
    }

    #[test]
    fn the_time_left_before_the_end_is_a_date() {
        let read = |t: &str| {
            let chars: Vec<char> = t.chars().collect();
            dates(&digitise(&chars), t, today()).first().map(|f| f.date)
        };
        assert_eq!(read("我的门特还有三个星期就到期了"), Some(d(2026, 12, 19)));
        assert_eq!(read("只剩10天到期"), Some(d(2026, 12, 8)));
        assert_eq!(read("还有2个月到期"), Some(d(2027, 1, 28)));
        assert_eq!(read("只有3个星期了还来得及不"), None, "no end word beside it");
        assert_eq!(read("还有3个星期了 到期是12月28号"), Some(d(2026, 12, 28)));
    }

    #[test]
    fn relative_dates_count_from_today() {
        assert_eq!(first("上个月5号交的"), Some(d(2026, 10, 5)));
        assert_eq!(first("昨天受理了"), Some(d(2026, 11, 27)));
        assert_eq!(first("前天"), Some(d(2026, 11, 26)));
        assert_eq!(first("下周一去办"), Some(d(2026, 11, 30)));
        assert_eq!(first("上周三交的"), Some(d(2026, 11, 18)));
        assert_eq!(first("3天前"), Some(d(2026, 11, 25)));
    }

    #[test]
    fn the_same_day_is_the_day_named_with_it() {
        // Monday 2026-12-07: 下周三 is 12-16, and 当天 is that day, not today.
        let monday = d(2026, 12, 7);
        let text = "打算下周三去交材料 当天受理的话 大概哪天出结果";
        let chars = digitise(&text.chars().collect::<Vec<_>>());
        let all: Vec<NaiveDate> = dates(&chars, text, monday).iter().map(|f| f.date).collect();
        assert_eq!(all, vec![d(2026, 12, 16)]);
    }

    #[test]
    fn last_wednesday_said_on_a_sunday_has_two_readings() {
        let sunday = d(2026, 12, 13);
        assert_eq!(
            last_weekday_readings("上礼拜三交的", sunday),
            Some([d(2026, 12, 9), d(2026, 12, 2)])
        );
        assert_eq!(last_weekday_readings("上礼拜三交的", d(2026, 12, 14)), None);
        assert_eq!(last_weekday_readings("礼拜三交的", sunday), None);
    }

    #[test]
    fn today_beside_a_date_is_now_not_a_second_date() {
        let text = "我11月10号交的门特申请 今天都还没审核完";
        let chars = digitise(&text.chars().collect::<Vec<_>>());
        let all: Vec<NaiveDate> = dates(&chars, text, today()).iter().map(|f| f.date).collect();
        assert_eq!(all, vec![d(2026, 11, 10)]);
        assert_eq!(first("今天交的"), Some(today()), "alone, 今天 is the date");
    }

    #[test]
    fn amounts_and_codes_are_not_dates() {
        for text in
            ["1.2万", "9.5元", "全年6000", "12345678", "68岁", "吃了1-2年药", "0812-3323000"]
        {
            assert_eq!(first(text), None, "{text}");
        }
    }
}
