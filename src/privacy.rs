//! Personal-data scrubbing for user text, shared by every path that stores or logs what a user
//! typed (tracking notes, unanswered questions, hand-offs, logs).
//!
//! Pure: no I/O. PIPL treats ID numbers and health data about a named person as sensitive, so
//! the rule is "mask what identifies, keep what the feature needs". This module only does the
//! masking; callers decide whether free text may be kept at all (without consent it may not).

use std::borrow::Cow;

/// Masks ID numbers (18- and 15-digit 身份证号) and phone numbers (11-digit mobiles, landlines
/// with an area code) in `text`. Keeps the first and last few digits so that staff can still
/// tell two numbers apart on the phone with the person, and leaves everything else unchanged.
///
/// Runs of digits are judged as a whole: a 20-digit run is no ID number, and a year such as
/// `2026` or an amount such as `6000` is never touched.
pub fn mask_identifiers(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_ascii_digit() || is_fullwidth_digit(c)) {
        return Cow::Borrowed(text);
    }
    let orig: Vec<char> = text.chars().collect();
    let chars: Vec<char> = orig.iter().copied().map(normalize_digit).collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let Some(len) = number_run(&chars, i) else {
            out.push(orig[i]);
            i += 1;
            continue;
        };
        let run: String = chars[i..i + len].iter().collect();
        match masked_number(&run) {
            Some(masked) => {
                out.push_str(&masked);
                changed = true;
            }
            None => out.extend(&orig[i..i + len]),
        }
        i += len;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// True when `text` contains something [`mask_identifiers`] would mask.
pub fn has_identifiers(text: &str) -> bool {
    matches!(mask_identifiers(text), Cow::Owned(_))
}

/// Length of the digit run (with an `X` check digit or a landline `-`) starting at `i`, if a
/// run starts there.
fn number_run(chars: &[char], i: usize) -> Option<usize> {
    if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
        return None;
    }
    let mut j = i;
    while j < chars.len() {
        let c = chars[j];
        let landline_dash = c == '-'
            && j > i
            && j + 1 < chars.len()
            && chars[j + 1].is_ascii_digit()
            && !chars[i..j].contains(&'-');
        if c.is_ascii_digit() || landline_dash {
            j += 1;
        } else if (c == 'X' || c == 'x') && j - i == 17 {
            j += 1;
            break;
        } else {
            break;
        }
    }
    Some(j - i)
}

/// The masked form of a whole run, or `None` when the run is not an identifier.
fn masked_number(run: &str) -> Option<String> {
    let digits: String = run.chars().filter(|c| *c != '-').collect();
    let n = digits.chars().count();
    let is_id = (n == 18 && digits[..17].chars().all(|c| c.is_ascii_digit()))
        || (n == 15 && digits.chars().all(|c| c.is_ascii_digit()));
    let is_mobile = n == 11 && digits.starts_with('1') && !run.contains('-');
    // 区号 (3–4 digits starting with 0) + 7–8 digit number; 12393-style service numbers stay.
    let is_landline = run.contains('-') && digits.starts_with('0') && (10..=12).contains(&n);
    if !(is_id || is_mobile || is_landline) {
        return None;
    }
    let (keep_head, keep_tail) = if is_id { (4, 2) } else { (3, 2) };
    let chars: Vec<char> = run.chars().collect();
    let total = chars.len();
    Some(
        chars
            .iter()
            .enumerate()
            .map(
                |(k, c)| {
                    if *c == '-' || k < keep_head || k >= total - keep_tail {
                        *c
                    } else {
                        '*'
                    }
                },
            )
            .collect(),
    )
}

fn is_fullwidth_digit(c: char) -> bool {
    ('０'..='９').contains(&c)
}

/// Full-width digits count as digits for detection (phones type them); output keeps the user's
/// characters where nothing is masked.
fn normalize_digit(c: char) -> char {
    if is_fullwidth_digit(c) {
        char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c)
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_of_18_and_15_digits_are_masked() {
        assert_eq!(mask_identifiers("身份证510402195001011234"), "身份证5104************34");
        assert_eq!(mask_identifiers("11010119900307002X号"), "1101************2X号");
        assert_eq!(mask_identifiers("老证 510402500101123"), "老证 5104*********23");
    }

    #[test]
    fn phone_numbers_are_masked() {
        assert_eq!(mask_identifiers("打13912345678找我"), "打139******78找我");
        assert_eq!(mask_identifiers("座机0812-3334444"), "座机081*-*****44");
        assert_eq!(mask_identifiers("电话：１３９１２３４５６７８"), "电话：139******78");
    }

    #[test]
    fn ordinary_numbers_are_kept() {
        for text in ["2026年9月26日受理", "全年6000元", "12393", "受理号 PZH2026-0001", "0812"]
        {
            assert_eq!(mask_identifiers(text), text, "{text}");
            assert!(!has_identifiers(text));
        }
        // A longer run is no ID number, and nothing in it is guessed at.
        assert_eq!(mask_identifiers("123456789012345678901"), "123456789012345678901");
    }

    #[test]
    fn text_without_digits_is_borrowed() {
        assert!(matches!(mask_identifiers("我妈妈的尿毒症"), Cow::Borrowed(_)));
    }
}
