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
    mask(text, false)
}

/// Masks ID numbers only, as [`mask_identifiers`] does; phone numbers stay. For data the user
/// consented to keep, where a phone number is wanted but an ID number is kept masked only.
pub fn mask_id_numbers(text: &str) -> Cow<'_, str> {
    mask(text, true)
}

fn mask(text: &str, ids_only: bool) -> Cow<'_, str> {
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
        match masked_number(&run, ids_only) {
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

/// What may be kept of a free-text note about a person's application (a rejection reason, what
/// the office asked for): with consent the text with identifiers masked; without it only the
/// category of [`reason_category`], since the text may name a relative and their illness.
pub fn keepable_note(text: &str, consent: bool) -> Option<String> {
    match consent {
        true => Some(mask_identifiers(text).into_owned()),
        false => reason_category(text).map(str::to_string),
    }
}

/// What may be kept of a reference number the user typed (受理号): unchanged unless it holds
/// an ID or phone number (people type their 身份证号 when asked for a number), which is masked
/// with consent and dropped without.
pub fn keepable_reference(text: &str, consent: bool) -> Option<String> {
    match mask_identifiers(text) {
        Cow::Borrowed(_) => Some(text.to_string()),
        Cow::Owned(masked) => consent.then_some(masked),
    }
}

/// Reason categories, checked in order: the first whose words occur wins. Labels describe the
/// user's own words, they claim nothing about policy.
const REASON_CATEGORIES: &[(&str, &[&str])] = &[
    (
        "材料不全",
        &["材料", "资料", "病历", "证明", "不全", "不齐", "缺", "漏", "复印件", "报告", "照片"],
    ),
    ("不符合认定标准", &["不符合", "标准", "条件", "达不到", "不达", "指标", "不够"]),
    ("不在病种范围", &["目录", "范围", "病种", "不属于"]),
    ("参保问题", &["参保", "断缴", "欠费", "缴费", "医保关系"]),
    ("超过时限", &["过期", "逾期", "超时", "超过时间", "时限", "太晚"]),
];

/// The category of a free-text reason (`…病历不全` → `材料不全`), `None` when none fits. Keeps
/// what tracking needs (why it failed, roughly) and nothing about the person.
pub fn reason_category(text: &str) -> Option<&'static str> {
    REASON_CATEGORIES
        .iter()
        .find(|(_, words)| words.iter().any(|w| text.contains(w)))
        .map(|(label, _)| *label)
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
fn masked_number(run: &str, ids_only: bool) -> Option<String> {
    let digits: String = run.chars().filter(|c| *c != '-').collect();
    let n = digits.chars().count();
    let is_id = (n == 18 && digits[..17].chars().all(|c| c.is_ascii_digit()))
        || (n == 15 && digits.chars().all(|c| c.is_ascii_digit()));
    let is_mobile = n == 11 && digits.starts_with('1') && !run.contains('-');
    // 区号 (3–4 digits starting with 0) + 7–8 digit number; 12393-style service numbers stay.
    let is_landline = run.contains('-') && digits.starts_with('0') && (10..=12).contains(&n);
    if !(is_id || (!ids_only && (is_mobile || is_landline))) {
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
    fn id_only_masking_keeps_phone_numbers() {
        assert_eq!(
            mask_id_numbers("510402195001011234 13912345678"),
            "5104************34 13912345678"
        );
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
    fn without_consent_a_note_about_a_relative_keeps_only_its_category() {
        let note = "我母亲王秀英的尿毒症透析病历不全";
        assert_eq!(keepable_note(note, false).as_deref(), Some("材料不全"));
        assert_eq!(keepable_note("不符合认定标准", false).as_deref(), Some("不符合认定标准"));
        assert_eq!(keepable_note("她断缴了半年", false).as_deref(), Some("参保问题"));
        assert_eq!(keepable_note("王秀英说不清楚", false), None);
        assert_eq!(keepable_note(note, true).as_deref(), Some(note));
        assert_eq!(
            keepable_note("证件510402195001011234不对", true).as_deref(),
            Some("证件5104************34不对")
        );
    }

    #[test]
    fn an_id_number_typed_as_a_reference_is_masked_with_consent_and_dropped_without() {
        let id = "510402195001011234";
        assert_eq!(keepable_reference(id, true).as_deref(), Some("5104************34"));
        assert_eq!(keepable_reference(id, false), None);
        for no in ["SC2025092600123", "PZH2026-0001"] {
            assert_eq!(keepable_reference(no, false).as_deref(), Some(no));
        }
    }

    #[test]
    fn text_without_digits_is_borrowed() {
        assert!(matches!(mask_identifiers("我妈妈的尿毒症"), Cow::Borrowed(_)));
    }
}
