//! Reading dates the way people type them on a phone: `2025-09-26`, `2025/9/26`,
//! `2025年9月26日`, `9月26号`, `二〇二五年九月二十六日`, `今天`, `昨天` — alone or inside a
//! sentence ("审核通过了，有效期到2027年6月30日"). Pure; `today` is passed in (China date).

use chrono::{Datelike, Duration, NaiveDate};

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// No date-like text at all.
    #[error("no date found")]
    NotFound,
    /// Shaped like a date but no such day exists (2月30日, 13月1日).
    #[error("no such date: {year}-{month}-{day}")]
    NoSuchDay {
        /// Year as written (or assumed).
        year: i32,
        /// Month as written.
        month: u32,
        /// Day as written.
        day: u32,
    },
    /// A real date, but of a year nobody means here (9999年, 0026年).
    #[error("implausible year {0}")]
    Implausible(i32),
}

/// Years a benefit date can fall in; outside them the user mistyped.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// Parses a date that is the whole (trimmed) answer, e.g. to "受理日期是哪天?".
pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    find_date(text, today)
}

/// Finds the first date mentioned anywhere in `text`. A month and day without a year are taken
/// in `today`'s year.
pub fn find_date(text: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let normalised = normalise(text);
    if let Some(date) = relative_day(&normalised, today) {
        return Ok(date);
    }
    let chars: Vec<char> = normalised.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            if let Some(found) = date_at(&chars, i, today) {
                return found;
            }
        }
        i += 1;
    }
    Err(DateError::NotFound)
}

/// The day to start something `days` before `end`. A lead time of about a month (28–31 days:
/// the sources say 到期前一个月左右) is counted back one calendar month, as a reader of the source
/// would — `2027-01-31` gives `2026-12-31`, not `2027-01-01`.
pub fn days_before(end: NaiveDate, days: u32) -> NaiveDate {
    let month = (28..=31).contains(&days).then(|| end.checked_sub_months(chrono::Months::new(1)));
    month.flatten().unwrap_or(end - Duration::days(days.into()))
}

/// `2025年10月23日`: how dates are shown to users.
pub fn format_cn(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn relative_day(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    // Longest words first so that 大前天 is not read as 前天.
    const WORDS: [(&str, i64); 8] = [
        ("大前天", -3),
        ("前天", -2),
        ("昨天", -1),
        ("昨日", -1),
        ("今天", 0),
        ("今日", 0),
        ("明天", 1),
        ("后天", 2),
    ];
    WORDS.iter().find(|(w, _)| text.contains(w)).map(|(_, offset)| today + Duration::days(*offset))
}

/// Tries to read a date starting at `chars[start]` (a digit). `None`: not a date here.
fn date_at(chars: &[char], start: usize, today: NaiveDate) -> Option<Result<NaiveDate, DateError>> {
    let (first, after_first) = number_at(chars, start)?;
    let digits = after_first - start;
    let sep = chars.get(after_first).copied();
    let (year, month, day) = match sep {
        Some('年') => {
            let (m, after_m) = number_at(chars, after_first + 1)?;
            if chars.get(after_m) != Some(&'月') {
                return None;
            }
            let (d, _) = number_at(chars, after_m + 1)?;
            // "26年6月30日": two-digit years are this century's.
            let year = if digits <= 2 { 2000 + first as i32 } else { first as i32 };
            (year, m, d)
        }
        Some(s @ ('-' | '/' | '.')) if digits == 4 => {
            let (m, after_m) = number_at(chars, after_first + 1)?;
            if chars.get(after_m) != Some(&s) {
                return None;
            }
            let (d, _) = number_at(chars, after_m + 1)?;
            (first as i32, m, d)
        }
        Some('月') => {
            let (d, after_d) = number_at(chars, after_first + 1)?;
            // "6月" alone (a month, not a day) is not a date.
            if !matches!(chars.get(after_d), Some('日' | '号') | None)
                && !chars.get(after_d).is_some_and(|c| !c.is_alphanumeric())
            {
                return None;
            }
            (today.year() + year_word_before(chars, start), first, d)
        }
        _ if digits == 8 => ((first / 10_000) as i32, first / 100 % 100, first % 100),
        _ => return None,
    };
    if !PLAUSIBLE_YEARS.contains(&year) {
        return Some(Err(DateError::Implausible(year)));
    }
    Some(NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NoSuchDay { year, month, day }))
}

/// 明年 / 去年 / 今年 right before a month-day date shifts its year.
fn year_word_before(chars: &[char], start: usize) -> i32 {
    let before: String = chars[start.saturating_sub(2)..start].iter().collect();
    match before.as_str() {
        "明年" => 1,
        "去年" => -1,
        "前年" => -2,
        _ => 0,
    }
}

/// Reads the run of ASCII digits at `start`: its value and the index after it.
pub(crate) fn number_at(chars: &[char], start: usize) -> Option<(u32, usize)> {
    let mut end = start;
    let mut value: u32 = 0;
    while let Some(d) = chars.get(end).and_then(|c| c.to_digit(10)) {
        value = value.checked_mul(10)?.checked_add(d)?;
        end += 1;
    }
    (end > start).then_some((value, end))
}

/// Full-width digits and punctuation to ASCII; Chinese numerals before 年/月/日/号 to digits.
fn normalise(text: &str) -> String {
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '—' => '-',
            '／' => '/',
            '．' | '。' => '.',
            _ => c,
        })
        .collect();
    chinese_numerals_to_digits(&ascii)
}

fn cn_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '零' | 'O' | 'o' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

fn chinese_numerals_to_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let is_numeral = |c: char| c == '十' || (cn_digit(c).is_some() && !c.is_ascii());
        if !is_numeral(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_numeral(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        match chars.get(i) {
            Some('年') => {
                run.iter().for_each(|&c| out.push_str(&cn_digit(c).unwrap_or(0).to_string()))
            }
            Some('月' | '日' | '号') => match cn_small_number(run) {
                Some(n) => out.push_str(&n.to_string()),
                None => out.extend(run),
            },
            _ => out.extend(run),
        }
    }
    out
}

/// 一 … 三十一 (with 十): the values a month or day can take.
fn cn_small_number(run: &[char]) -> Option<u32> {
    match run {
        ['十'] => Some(10),
        [d] => cn_digit(*d),
        ['十', d] => Some(10 + cn_digit(*d)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', d] => Some(cn_digit(*t)? * 10 + cn_digit(*d)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn about_a_month_before_is_the_same_day_of_the_month_before() {
        assert_eq!(days_before(d(2027, 1, 31), 30), d(2026, 12, 31));
        assert_eq!(days_before(d(2027, 3, 31), 30), d(2027, 2, 28), "no 2月31日: its last day");
        assert_eq!(days_before(d(2027, 1, 15), 30), d(2026, 12, 15));
        assert_eq!(days_before(d(2027, 1, 31), 7), d(2027, 1, 24), "other lead times in days");
    }

    const TODAY: fn() -> NaiveDate = || d(2025, 9, 30);

    #[test]
    fn reads_the_common_written_forms() {
        for text in [
            "2025-09-26",
            "2025/9/26",
            "2025.9.26",
            "2025年9月26日",
            "2025年09月26号",
            "20250926",
            "２０２５年９月２６日",
        ] {
            assert_eq!(parse_date(text, TODAY()), Ok(d(2025, 9, 26)), "{text}");
        }
    }

    #[test]
    fn month_and_day_alone_use_this_year() {
        assert_eq!(parse_date("9月26日", TODAY()), Ok(d(2025, 9, 26)));
        assert_eq!(parse_date("9月26号", TODAY()), Ok(d(2025, 9, 26)));
    }

    #[test]
    fn relative_words_count_from_today() {
        assert_eq!(parse_date("今天", TODAY()), Ok(d(2025, 9, 30)));
        assert_eq!(parse_date("昨天交的", TODAY()), Ok(d(2025, 9, 29)));
        assert_eq!(parse_date("前天", TODAY()), Ok(d(2025, 9, 28)));
    }

    #[test]
    fn chinese_numerals_are_read() {
        assert_eq!(parse_date("二〇二五年九月二十六日", TODAY()), Ok(d(2025, 9, 26)));
        assert_eq!(parse_date("十二月三十一号", TODAY()), Ok(d(2025, 12, 31)));
        assert_eq!(parse_date("十月十日", TODAY()), Ok(d(2025, 10, 10)));
    }

    #[test]
    fn finds_a_date_inside_a_sentence() {
        assert_eq!(find_date("审核通过了，有效期到2027年6月30日", TODAY()), Ok(d(2027, 6, 30)));
    }

    #[test]
    fn impossible_days_are_reported_not_guessed() {
        assert_eq!(
            parse_date("2025年2月30日", TODAY()),
            Err(DateError::NoSuchDay { year: 2025, month: 2, day: 30 })
        );
        assert_eq!(
            parse_date("13月1日", TODAY()),
            Err(DateError::NoSuchDay { year: 2025, month: 13, day: 1 })
        );
    }

    #[test]
    fn non_dates_are_not_found() {
        for text in ["", "不知道", "12345", "高血压", "6月", "🙂🙂"] {
            assert_eq!(parse_date(text, TODAY()), Err(DateError::NotFound), "{text}");
        }
    }

    #[test]
    fn short_years_relative_years_and_implausible_years() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let d = |y, m, day| Ok(NaiveDate::from_ymd_opt(y, m, day).unwrap());
        assert_eq!(parse_date("26年6月30日", today), d(2026, 6, 30));
        assert_eq!(parse_date("明年3月1日到期", today), d(2027, 3, 1));
        assert_eq!(parse_date("去年12月1日", today), d(2025, 12, 1));
        assert_eq!(parse_date("9999年1月1日", today), Err(DateError::Implausible(9999)));
        assert_eq!(parse_date("99999999", today), Err(DateError::Implausible(9999)));
    }

    #[test]
    fn formats_for_users() {
        assert_eq!(format_cn(d(2025, 10, 23)), "2025年10月23日");
    }
}
