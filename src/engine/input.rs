//! Reading typed answers the way people type them on a phone: full-width digits, spaces and
//! dashes in phone numbers, 是/对/好的 for yes, 职工/单位交的 for employee insurance.
//!
//! Pure. Covers the input kinds that need no content but their words (number, yes/no, date,
//! phone, ID number, insurance: `typed_answer:` of `faq/understand.yaml`); the engine handles text, region, disease and choices itself because those depend
//! on the dialog and the catalogue. ID numbers leave this module masked only, so a clear ID
//! number can never reach the session, the database or a log.
//!
//! Layer: base — imports no other engine module.

use chrono::{Datelike, NaiveDate};

use crate::content::dialogs::InputKind;
use crate::content::understand::TypedAnswerWords;
use crate::policy::dates::{self, DateError};

/// Why an answer was not accepted. `Display` is the polite, specific hint shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing usable was typed.
    #[error("没有收到内容，请再输入一次。")]
    Empty,
    /// Not a number.
    #[error("请只输入数字，例如 3 或 1200.5。")]
    NotNumber,
    /// Neither yes nor no.
    #[error("请回答“是”或“否”（也可以点下面的按钮）。")]
    NotYesNo,
    /// No date in the answer.
    #[error("没看懂这个日期。可以这样写：2025-09-26、2025年9月26日、9月26日、今天或昨天。")]
    NotDate,
    /// Looks like a date but the day does not exist.
    #[error("{0}年{1}月没有{2}日，请检查后再输入。")]
    NoSuchDay(i32, u32, u32),
    /// A year nobody means here.
    #[error("{0}年这个年份不太对，请再核对一下（例如 2026-03-02）。")]
    ImplausibleYear(i32),
    /// A day after today where a past day (e.g. the day of acceptance) is asked for.
    #[error("这个日期（{0}）还没到。请填已经发生的日期，例如受理当天。")]
    NotYetHappened(String),
    /// Not an 11-digit mainland mobile number.
    #[error("手机号应是以1开头的11位数字，例如 13800138000，请再输入一次。")]
    NotPhone,
    /// Wrong length or characters for a 身份证号.
    #[error("身份证号应为18位：前17位是数字，最后一位是数字或X。请再核对一下。")]
    IdShape,
    /// The birth date inside the ID number does not exist.
    #[error("这个身份证号里的出生日期不对，请再核对一下。")]
    IdBirthDate,
    /// The check digit does not match: almost always a typo.
    #[error("这个身份证号的校验位对不上，可能有一位输错了，请再核对一下。")]
    IdChecksum,
    /// Neither employee nor resident insurance.
    #[error("请说明参保类型：“职工”（单位或灵活就业交的职工医保）或“居民”（城乡居民医保）。")]
    NotInsurance,
}

/// Reads `text` as an answer of `kind`; `None` for the kinds the engine reads itself
/// (text, region, disease, choice). The `Ok` value is what the slot stores:
/// number → digits, yes/no → `是`/`否`, date → `YYYY-MM-DD`, phone → 11 digits,
/// ID number → masked form, insurance → `employee`/`resident`.
pub fn parse(
    kind: InputKind,
    text: &str,
    today: NaiveDate,
    words: &TypedAnswerWords,
) -> Option<Result<String, InputError>> {
    let text = normalize(text);
    let result = match kind {
        InputKind::Number => parse_number(&text),
        InputKind::YesNo => {
            parse_yes_no(&text, words).map(|yes| if yes { "是" } else { "否" }.to_string())
        }
        InputKind::Date => parse_date(&text, today).map(|d| d.format("%Y-%m-%d").to_string()),
        InputKind::Phone => parse_phone(&text),
        InputKind::IdNumber => parse_id_number(&text).map(|id| id.masked),
        InputKind::Insurance => parse_insurance(&text, words).map(str::to_string),
        InputKind::Text | InputKind::Region | InputKind::Disease | InputKind::Choice => {
            return None
        }
    };
    Some(result)
}

/// Full-width ASCII to half-width, ideographic space to space, trimmed. Phones often produce
/// full-width digits (１３８…) and Chinese punctuation.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A number such as `3`, `1,200` or `1200.5` (a trailing 元/岁/次 is allowed).
pub fn parse_number(text: &str) -> Result<String, InputError> {
    let text = text.trim_end_matches(['元', '岁', '次', '天', '块']).replace([',', '，'], "");
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && !text.starts_with(['+', '-']) => Ok(text.to_string()),
        _ => Err(InputError::NotNumber),
    }
}

/// Yes or no, in the ways people answer in chat (`typed_answer:` `yes` and `no`).
pub fn parse_yes_no(text: &str, words: &TypedAnswerWords) -> Result<bool, InputError> {
    let text = text.trim_end_matches(['。', '!', '！', '.', '~', '啊', '呀']).trim().to_lowercase();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if words.yes.contains(&text) {
        Ok(true)
    } else if words.no.contains(&text) {
        Ok(false)
    } else {
        Err(InputError::NotYesNo)
    }
}

/// A date in any of the shapes [`dates::parse_date`] reads.
pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    dates::parse_date(text, today).map_err(|e| match e {
        DateError::NotFound => InputError::NotDate,
        DateError::NoSuchDay { year, month, day } => InputError::NoSuchDay(year, month, day),
        DateError::Implausible(year) => InputError::ImplausibleYear(year),
    })
}

/// A mainland mobile number; spaces, dashes and a +86 prefix are ignored.
pub fn parse_phone(text: &str) -> Result<String, InputError> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '+')).collect();
    let digits = digits.strip_prefix("86").filter(|d| d.len() == 11).unwrap_or(&digits);
    if digits.is_empty() {
        return Err(InputError::Empty);
    }
    let valid = digits.len() == 11
        && digits.starts_with('1')
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.as_bytes()[1] >= b'3';
    if valid {
        Ok(digits.to_string())
    } else {
        Err(InputError::NotPhone)
    }
}

/// A checked 身份证号, reduced to what may be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// First 4 and last 4 characters, the rest starred: `1101**********002X`.
    pub masked: String,
    /// Date of birth encoded in the number.
    pub birth: NaiveDate,
}

/// An 18-character 身份证号 (GB 11643): 17 digits, a check character, a real birth date.
pub fn parse_id_number(text: &str) -> Result<IdNumber, InputError> {
    let id: String = text.chars().filter(|c| *c != ' ').collect::<String>().to_uppercase();
    if id.is_empty() {
        return Err(InputError::Empty);
    }
    let chars: Vec<char> = id.chars().collect();
    let shaped = chars.len() == 18
        && chars[..17].iter().all(char::is_ascii_digit)
        && (chars[17].is_ascii_digit() || chars[17] == 'X');
    if !shaped {
        return Err(InputError::IdShape);
    }
    let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d")
        .ok()
        .filter(|d| d.year() >= 1900)
        .ok_or(InputError::IdBirthDate)?;
    if check_char(&chars[..17]) != chars[17] {
        return Err(InputError::IdChecksum);
    }
    Ok(IdNumber { masked: format!("{}{}{}", &id[..4], "*".repeat(10), &id[14..]), birth })
}

/// The ISO 7064 MOD 11-2 check character of the first 17 digits.
fn check_char(digits: &[char]) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    CHECK[(sum % 11) as usize]
}

/// `employee` (职工医保, incl. 灵活就业 and retirees) or `resident` (城乡居民医保), by the
/// `typed_answer:` words (a resident word first).
pub fn parse_insurance(text: &str, words: &TypedAnswerWords) -> Result<&'static str, InputError> {
    let text = text.to_lowercase();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if words.resident.iter().any(|k| text.contains(k.as_str())) {
        Ok("resident")
    } else if words.employee.iter().any(|k| text.contains(k.as_str())) {
        Ok("employee")
    } else {
        Err(InputError::NotInsurance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 26).unwrap()
    }

    /// [`super::parse`] with the shipped `typed_answer:` words.
    fn parse(kind: InputKind, text: &str, today: NaiveDate) -> Option<Result<String, InputError>> {
        let text_of = include_str!("../../faq/understand.yaml");
        let lex: crate::content::understand::Lexicon = serde_yaml::from_str(text_of).unwrap();
        super::parse(kind, text, today, &lex.typed_answer)
    }

    #[test]
    fn full_width_digits_and_spaces_are_read() {
        assert_eq!(
            parse(InputKind::Phone, "１３８ ００１３ ８０００", today()),
            Some(Ok("13800138000".into()))
        );
        assert_eq!(parse_phone("+86 138-0013-8000"), Ok("13800138000".into()));
        assert_eq!(parse_phone("12345"), Err(InputError::NotPhone));
        assert_eq!(parse_phone("12800138000"), Err(InputError::NotPhone));
    }

    #[test]
    fn id_numbers_are_checked_and_only_the_masked_form_leaves() {
        let id = parse_id_number("11010519491231002x").unwrap();
        assert_eq!(id.masked, "1101**********002X");
        assert_eq!(id.birth, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(parse_id_number("110105194912310021"), Err(InputError::IdChecksum));
        assert_eq!(parse_id_number("110105194902300027"), Err(InputError::IdBirthDate));
        assert_eq!(parse_id_number("11010519491231"), Err(InputError::IdShape));
        let slot = parse(InputKind::IdNumber, "11010519491231002X", today()).unwrap().unwrap();
        assert!(!slot.contains("19491231"), "the slot kept the clear number: {slot}");
    }

    #[test]
    fn dates_yes_no_numbers_and_insurance() {
        assert_eq!(parse(InputKind::Date, "昨天", today()), Some(Ok("2025-09-25".into())));
        assert_eq!(
            parse(InputKind::Date, "2025年2月30日", today()),
            Some(Err(InputError::NoSuchDay(2025, 2, 30)))
        );
        assert_eq!(parse(InputKind::Date, "下礼拜吧", today()), Some(Err(InputError::NotDate)));
        assert_eq!(parse(InputKind::YesNo, "对的！", today()), Some(Ok("是".into())));
        assert_eq!(parse(InputKind::YesNo, "不用", today()), Some(Ok("否".into())));
        assert_eq!(parse(InputKind::YesNo, "也许", today()), Some(Err(InputError::NotYesNo)));
        assert_eq!(parse(InputKind::Number, "1,200元", today()), Some(Ok("1200".into())));
        assert_eq!(parse(InputKind::Number, "-5", today()), Some(Err(InputError::NotNumber)));
        assert_eq!(parse(InputKind::Number, "三千", today()), Some(Err(InputError::NotNumber)));
        assert_eq!(parse(InputKind::Insurance, "单位交的", today()), Some(Ok("employee".into())));
        assert_eq!(parse(InputKind::Insurance, "城乡居民", today()), Some(Ok("resident".into())));
        assert_eq!(
            parse(InputKind::Insurance, "不知道", today()),
            Some(Err(InputError::NotInsurance))
        );
        assert_eq!(parse(InputKind::Text, "随便", today()), None);
    }
}
