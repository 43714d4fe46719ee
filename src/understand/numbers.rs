//! Numbers as people type them: `6000`, `6千`, `1.2万`, `1万2`, `六千`, `一万二`, `两千五`,
//! `七十`; then money (`6000块`, `全年6000`), ages (`68岁`, `七十了`) and acceptance numbers.
//!
//! Chinese numerals are first rewritten to ASCII digits ([`digitise`]), so the date and number
//! scanners only deal with digits. Positions below are in the digitised text.

/// Chinese numeral runs rewritten as ASCII digits: 一万二 → 12000, 九月二十六 → 9月26,
/// 二〇二六年 → 2026年. A run must start with a digit character (or 十): 万一 stays as is.
pub(crate) fn digitise(chars: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = cn_digit(chars[i]).is_some() || chars[i] == '十';
        if !starts {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (cn_digit(chars[i]).is_some() || is_unit(chars[i])) {
            i += 1;
        }
        let run = &chars[start..i];
        // 二〇二六年: a year is read digit by digit.
        let digit_by_digit = chars.get(i) == Some(&'年') && run.len() == 4;
        // 四五千, 两三万: two neighbouring digits and one unit are a range, 4000~5000.
        if let Some((low, high)) = neighbour_range(run) {
            out.extend(format!("{low}~{high}").chars());
            continue;
        }
        let value = if digit_by_digit {
            run.iter().try_fold(0u64, |v, &c| Some(v * 10 + cn_digit(c)?))
        } else {
            cn_value(run)
        };
        match value {
            // 一 alone before a word (一直, 一下, 一家) is not a number anyone means.
            Some(1)
                if run == ['一']
                    && !chars.get(i).is_some_and(|c| "月日号岁块元年".contains(*c)) =>
            {
                out.extend(run)
            }
            Some(v) => out.extend(v.to_string().chars()),
            None => out.extend(run),
        }
    }
    out
}

/// `四五千` → (4000, 5000): digits d and d+1 followed by one unit, as people give a rough
/// amount. `None` for anything else (四千五 is 4500).
fn neighbour_range(run: &[char]) -> Option<(u64, u64)> {
    let [a, b, unit] = run else { return None };
    let (low, high) = (cn_digit(*a)?, cn_digit(*b)?);
    (is_unit(*unit) && low >= 1 && high == low + 1)
        .then(|| (low * unit_value(*unit), high * unit_value(*unit)))
}

fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn is_unit(c: char) -> bool {
    matches!(c, '十' | '百' | '千' | '万')
}

fn unit_value(c: char) -> u64 {
    match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => 10_000,
    }
}

/// The value of a run of Chinese numerals; a trailing digit after a unit counts one unit lower
/// (一万二 = 12000, 两千五 = 2500, 三百五 = 350), as people say it.
fn cn_value(run: &[char]) -> Option<u64> {
    let (mut total, mut section, mut digit) = (0u64, 0u64, None::<u64>);
    let mut last_unit = None;
    for &c in run {
        if let Some(d) = cn_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = unit_value(c);
        if unit == 10_000 {
            total += (section + digit.unwrap_or(0)) * 10_000;
            section = 0;
        } else {
            // 十二 = 12: 十 alone counts as 一十.
            section += digit.unwrap_or(u64::from(unit == 10)) * unit;
        }
        digit = None;
        last_unit = Some(unit);
    }
    let tail = match (digit, last_unit) {
        (Some(d), Some(u)) if u >= 100 => d * u / 10,
        (Some(d), _) => d,
        (None, _) => 0,
    };
    Some(total + section + tail)
}

/// A number found in digitised text, with its multiplier applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Number {
    pub(crate) start: usize,
    /// Index after the number and its multiplier (万/千/k/w).
    pub(crate) end: usize,
    pub(crate) value: f64,
    /// Digits before any decimal point or multiplier.
    pub(crate) digits: usize,
    /// Written with 万/千/k/w.
    pub(crate) scaled: bool,
}

/// Every number of the digitised text (`1.2万`, `6千`, `1万2`, `6000`, `68`).
pub(crate) fn numbers(chars: &[char]) -> Vec<Number> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at_start = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.'));
        if !at_start {
            i += 1;
            continue;
        }
        let number = number_at(chars, i);
        i = number.end.max(i + 1);
        found.push(number);
    }
    found
}

fn number_at(chars: &[char], start: usize) -> Number {
    let mut end = start;
    while chars.get(end).is_some_and(char::is_ascii_digit) {
        end += 1;
    }
    let digits = end - start;
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        end += 1;
        while chars.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
    }
    let text: String = chars[start..end].iter().collect();
    let mut value: f64 = text.parse().unwrap_or(0.0);
    let mut scaled = false;
    match chars.get(end) {
        Some('万' | 'w') => {
            value *= 10_000.0;
            scaled = true;
            end += 1;
            // 1万2 = 12000; 1万2千 = 12000 too.
            if let Some(d) = chars.get(end).and_then(|c| c.to_digit(10)) {
                if !chars.get(end + 1).is_some_and(char::is_ascii_digit) {
                    value += f64::from(d) * 1000.0;
                    end += 1 + usize::from(chars.get(end + 1) == Some(&'千'));
                }
            }
        }
        Some('千' | 'k') => {
            value *= 1000.0;
            scaled = true;
            end += 1;
        }
        _ => {}
    }
    Number { start, end, value, digits, scaled }
}

/// What follows a number decides what it is.
pub(crate) fn followed_by(chars: &[char], end: usize, words: &[&str]) -> bool {
    let rest: String = chars[end.min(chars.len())..].iter().take(3).collect();
    words.iter().any(|w| rest.starts_with(w))
}

/// Money in yuan: scaled numbers, numbers followed by 元/块, and other plain numbers from 100
/// that are not counts (天, 个, 次 …) or long codes.
pub(crate) fn money(chars: &[char], n: &Number) -> Option<f64> {
    if followed_by(chars, n.end, &["元", "块", "圆", "rmb"]) || n.scaled {
        return Some(n.value);
    }
    let counted = followed_by(
        chars,
        n.end,
        &[
            "岁", "年", "月", "日", "号", "天", "个", "次", "%", "级", "档", "人", "家", "分",
            "周", "小时", "多岁", "多天",
        ],
    );
    (!counted && n.digits <= 7 && n.value >= 100.0).then_some(n.value)
}

/// An age: `68岁`, `68周岁`, `七十了`, `七十多` (40 to 110 without 岁, where the number is not
/// followed by a unit).
pub(crate) fn age(chars: &[char], n: &Number) -> Option<u32> {
    if n.scaled || n.value.fract() != 0.0 {
        return None;
    }
    let v = n.value as u32;
    if followed_by(chars, n.end, &["岁", "周岁", "多岁"]) && v <= 120 {
        return Some(v);
    }
    let colloquial = followed_by(chars, n.end, &["了", "多了", "多", "几了"])
        && !followed_by(chars, n.end, &["多块", "多元", "多天", "多个", "多万", "多次", "多年"]);
    (colloquial && (40..=110).contains(&v)).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dig(text: &str) -> String {
        digitise(&text.chars().collect::<Vec<_>>()).into_iter().collect()
    }

    fn money_in(text: &str) -> Vec<f64> {
        let chars = digitise(&text.chars().collect::<Vec<_>>());
        numbers(&chars).iter().filter_map(|n| money(&chars, n)).collect()
    }

    #[test]
    fn chinese_numerals_become_digits() {
        assert_eq!(dig("一万二"), "12000");
        assert_eq!(dig("两千五"), "2500");
        assert_eq!(dig("六千块"), "6000块");
        assert_eq!(dig("九月二十六"), "9月26");
        assert_eq!(dig("二〇二六年"), "2026年");
        assert_eq!(dig("我爸七十了"), "我爸70了");
        assert_eq!(dig("一直在交"), "一直在交");
    }

    #[test]
    fn neighbouring_digits_with_a_unit_are_a_range() {
        assert_eq!(dig("吃药要四五千块钱"), "吃药要4000~5000块钱");
        assert_eq!(dig("两三万"), "20000~30000");
        assert_eq!(dig("四千五"), "4500", "a digit after the unit is one unit lower, no range");
        assert_eq!(money_in("四五千块"), vec![4000.0, 5000.0]);
    }

    #[test]
    fn money_in_every_common_form() {
        for (text, yuan) in [
            ("全年6000", 6000.0),
            ("三千二百块", 3200.0),
            ("六千", 6000.0),
            ("6千", 6000.0),
            ("1.2万", 12000.0),
            ("一万二", 12000.0),
            ("6000块", 6000.0),
            ("1万2", 12000.0),
            ("花了3k", 3000.0),
            ("500元", 500.0),
        ] {
            assert_eq!(money_in(text), vec![yuan], "{text}");
        }
    }

    #[test]
    fn counts_and_codes_are_not_money() {
        for text in ["等了150天", "68岁", "12345678901", "两个", "第一次"] {
            assert!(money_in(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn ages_with_and_without_sui() {
        let age_in = |text: &str| {
            let chars = digitise(&text.chars().collect::<Vec<_>>());
            numbers(&chars).iter().find_map(|n| age(&chars, n))
        };
        assert_eq!(age_in("我68岁"), Some(68));
        assert_eq!(age_in("我爸七十了"), Some(70));
        assert_eq!(age_in("老人八十多"), Some(80));
        assert_eq!(age_in("等了30多天"), None);
        assert_eq!(age_in("6000了"), None);
    }
}
