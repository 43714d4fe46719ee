//! A time of day in a message: `12点半`, `中午12点半`, `下午3点`, `两点`, `9点30`, `14:30`.
//! Pure; read on the digitised text (Chinese numerals as ASCII digits).
//!
//! Without 上午/下午, 1 to 6 o'clock is the afternoon: it is about office hours, which nobody
//! asks at 3 in the night.

use chrono::NaiveTime;

use crate::policy::dates::number_at;

/// The first time of day in `chars` (digitised), or `None`.
pub(crate) fn time_of_day(chars: &[char]) -> Option<NaiveTime> {
    (0..chars.len()).find_map(|i| time_at(chars, i))
}

fn time_at(chars: &[char], start: usize) -> Option<NaiveTime> {
    // 一点半 keeps its 一 (digitising leaves a lone 一 as it is).
    let (hour, after) = match chars[start] {
        '一' if chars.get(start + 1) == Some(&'点') => (1, start + 1),
        c if c.is_ascii_digit() && (start == 0 || !chars[start - 1].is_ascii_digit()) => {
            number_at(chars, start)?
        }
        _ => return None,
    };
    // 一点都不懂, 快一点: 一点 is a time only with 半, minutes or 钟 after it.
    let spoken_one = chars[start] == '一';
    let minute = match chars.get(after)? {
        '点' | '时' => match chars.get(after + 1) {
            Some('半') => 30,
            Some('钟') => 0,
            _ if spoken_one && !chars.get(after + 1).is_some_and(char::is_ascii_digit) => {
                return None
            }
            Some(c) if c.is_ascii_digit() => {
                let (m, _) = number_at(chars, after + 1)?;
                m
            }
            _ => 0,
        },
        ':' | '：' => {
            let (m, end) = number_at(chars, after + 1)?;
            if end - after - 1 != 2 {
                return None;
            }
            m
        }
        _ => return None,
    };
    if hour > 24 || minute > 59 {
        return None;
    }
    let before: String = chars[start.saturating_sub(3)..start].iter().collect();
    let hour = match day_part(&before) {
        Some(Part::Morning) => hour,
        Some(Part::Noon) if hour <= 3 => hour + 12,
        Some(Part::Afternoon) if hour < 12 => hour + 12,
        Some(_) => hour,
        None if (1..=6).contains(&hour) => hour + 12,
        None => hour,
    };
    NaiveTime::from_hms_opt(hour % 24, minute, 0)
}

enum Part {
    Morning,
    Noon,
    Afternoon,
}

/// The part of the day said right before the hour.
fn day_part(before: &str) -> Option<Part> {
    const PARTS: [(&str, Part); 8] = [
        ("上午", Part::Morning),
        ("早上", Part::Morning),
        ("早晨", Part::Morning),
        ("中午", Part::Noon),
        ("下午", Part::Afternoon),
        ("晚上", Part::Afternoon),
        ("傍晚", Part::Afternoon),
        ("午后", Part::Afternoon),
    ];
    PARTS.into_iter().find(|(w, _)| before.contains(w)).map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::numbers::digitise;

    fn time(text: &str) -> Option<NaiveTime> {
        time_of_day(&digitise(&text.chars().collect::<Vec<_>>()))
    }

    fn at(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn times_are_read_in_the_forms_people_type() {
        assert_eq!(time("今天中午12点半过去得不"), at(12, 30));
        assert_eq!(time("下午三点去窗口行不行"), at(15, 0));
        assert_eq!(time("两点钟去"), at(14, 0), "no part of the day: the afternoon");
        assert_eq!(time("早上8点去排队"), at(8, 0));
        assert_eq!(time("一点半"), at(13, 30));
        assert_eq!(time("明天上午9点30到"), at(9, 30));
        assert_eq!(time("16:45还办不"), at(16, 45));
        assert_eq!(time("中午1点"), at(13, 0));
    }

    #[test]
    fn no_time_is_found_where_none_is_said() {
        assert_eq!(time("一点都不懂"), None);
        assert_eq!(time("报销比例85%"), None);
        assert_eq!(time("12月5号去"), None);
        assert_eq!(time("30点"), None);
    }
}
