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
        if let Some((len, masked)) = grouped_number(&chars, i, ids_only) {
            out.push_str(&masked);
            changed = true;
            i += len;
            continue;
        }
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

// The word lists of this module stay in Rust, unlike every other word list the assistant reads
// (`faq/understand.yaml`, issue 17): they decide what is masked before anything is stored or
// logged, and a content edit (a word deleted, a list emptied) must never be able to weaken the
// filter that keeps names, ID numbers and addresses out of storage. Changing them takes a code
// review and the tests below.

/// Words after which people name someone: themselves (我叫, 姓名) or a relative (我妈, 老伴).
/// Whether a name really follows is judged by [`name_at`].
const NAME_MARKERS: &[&str] = &[
    "我叫", "他叫", "她叫", "叫做", "名叫", "叫", "姓名", "名字", "我是", "本人", "患者", "我妈",
    "我爸", "妈妈", "爸爸", "母亲", "父亲", "老伴", "爱人", "老公", "老婆", "儿子", "女儿", "孩子",
    "老人", "奶奶", "爷爷", "外婆", "外公", "婆婆", "公公", "岳母", "岳父",
];

/// Markers that introduce a name so surely that whatever follows is treated as one.
const SURE_NAME_MARKERS: &[&str] = &["我叫", "他叫", "她叫", "名叫"];

/// Characters between a marker and the name: `我妈叫刘淑芬`, `姓名：王秀英`, `我妈妈 刘淑芬`.
const BEFORE_NAME: &str = " 　,，、:：叫是名字姓妈爸";

/// Common surnames (single characters). Left out on purpose: ones that are everyday words at
/// the start of a phrase about the benefit (方, 万, 钱, 向, 常, 石, 文).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁\
潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金廖贾夏韦付白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎\
贺顾毛郝龚邵严覃武戴莫孔汤邢岳杭柏";

/// Surname-led words that are not names (`我妈高血压`, `孩子白血病`, `我爸马上要去`), including
/// the ones that start questions (`周末能办吗`, `何时截止`) and places (`邵东的门特`).
const NOT_NAMES: &[&str] = &[
    "高血", "高龄", "高压", "高烧", "高兴", "高原", "高中", "高位", "高额", "高危", "高新", "高铁",
    "高于", "高发", "马上", "马路", "白血", "白内", "白天", "于是", "余额", "余下", "任何", "任务",
    "许多", "许可", "汤药", "毛病", "严重", "严格", "谢谢", "付款", "付费", "付钱", "付完", "曾经",
    "夏天", "夏季", "莫名", "叶酸", "周末", "周岁", "周一", "周二", "周三", "周四", "周五", "周六",
    "周日", "周天", "周几", "周期", "周边", "周内", "周年", "周转", "何时", "何地", "何处", "何种",
    "金额", "金江", "江湖", "黄疸", "程序", "程度", "董事", "孔子", "龙头", "史上", "陶瓷", "段时",
    "邵阳", "邵东", "武冈", "武汉", "江西", "江苏", "杭州", "郑州", "苏州", "沈阳", "黎明", "孙子",
    "孙女", "岳父", "岳母", "顾客", "范围", "陈述", "胡乱", "韩国", "陆续", "付线", "高雪",
];

/// Characters that end a name (and so cannot be its second character): verbs and particles
/// that follow a name in a sentence, `刘淑芬有尿毒症`, `王芳住在…`.
const AFTER_NAME: &str =
    "有是的在得了要能去说也都没不还住病患办看和跟给做被把从到就又才会想吗呢啊吧呀";

/// Words after which an errand for someone else names them: 帮张秀兰问, 替王建国办, 给李四查.
const FOR_SOMEONE: &[&str] = &["帮", "替", "给", "代"];

/// What one does for someone: the word after the person in [`FOR_SOMEONE`].
const ERRANDS: &[&str] = &[
    "问", "咨询", "打听", "查", "办", "申请", "报", "挂号", "开药", "拿药", "取药", "续", "交",
    "领", "弄", "预约", "登记", "备案",
];

/// Characters that put a word after 帮 / 替 / 给 / 代 out of the running as a name: pronouns,
/// relatives, places and offices, and words that follow a name ([`AFTER_NAME`]).
const NOT_IN_ERRAND_NAME: &str = "我你您他她它们人家里忙着大伙别朋友亲戚老小孩子爸妈父母爷奶婆公\
姐哥弟妹叔姨舅伯娭毑嗲隔邻居医院局站所窗口单位社区村镇街厅中心药店钱卡证费用这那哪谁什么自己本可应该需";

/// Words that introduce an address; what follows up to the next punctuation is the address.
const ADDRESS_MARKERS: &[&str] = &["住在", "住址", "家住", "家庭地址", "我家在", "我家地址"];

/// True when `text` names a person: a name after 我叫 / 叫 / 姓名 / 名字, a relative word
/// (我妈, 老伴, 儿子 …) followed by a likely name, someone an errand is run for (帮张秀兰问,
/// 替X办), a surname and given name at the start of a clause (`张秀兰门特卡丢了`) or before 的
/// (`张秀兰的门特`), or an address (住在…, …路…号). A relative with only an illness
/// (`我妈有糖尿病能办吗`) names nobody. Errs towards "yes": a question wrongly judged personal is
/// only withheld from the console, a name wrongly kept is stored. It still misses names it has
/// no cue for (a given name alone, a rare surname): callers must not rely on it alone.
pub fn names_a_person(text: &str) -> bool {
    !name_spans(text).is_empty() || has_house_number(text)
}

/// Masks the given names found by [`names_a_person`] (the surname stays, `刘淑芬` → `刘**`)
/// and the address after 住在 / 住址 …; everything else unchanged.
pub fn mask_names(text: &str) -> Cow<'_, str> {
    let spans = name_spans(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (k, c) in chars.iter().enumerate() {
        let hidden = spans.iter().any(|(from, to)| (*from..*to).contains(&k));
        out.push(if hidden && !c.is_whitespace() { '*' } else { *c });
    }
    Cow::Owned(out)
}

/// ID and phone numbers, names and addresses masked: what may be kept of free text a user
/// consented to keep.
pub fn mask_personal(text: &str) -> String {
    mask_identifiers(&mask_names(text)).into_owned()
}

/// Stricter than [`mask_personal`], for a few words kept as the user typed them (a reminder's
/// task in their own words, `去找张秀兰拿东西`): [`mask_personal`], and besides every common
/// surname followed by Han characters has the next two masked, with or without a cue, unless
/// the pair is a known word (`NOT_NAMES`: 高血压). Over-masks the rest (周三 → 周**), which
/// is acceptable where only a few words are kept and a name must never be.
pub fn mask_possible_names(text: &str) -> String {
    let text = mask_personal(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut hide = 0;
    for (k, &c) in chars.iter().enumerate() {
        if hide > 0 && is_han(c) {
            out.push('*');
            hide -= 1;
            continue;
        }
        hide = 0;
        out.push(c);
        let pair: String = chars[k..chars.len().min(k + 2)].iter().collect();
        let next_han = chars.get(k + 1).is_some_and(|&n| is_han(n));
        if SURNAMES.contains(c) && next_han && !NOT_NAMES.contains(&pair.as_str()) {
            hide = 2;
        }
    }
    out
}

/// Char ranges to hide: given names (after the surname) and addresses.
fn name_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    for marker in NAME_MARKERS {
        for at in occurrences(&chars, marker) {
            let sure = SURE_NAME_MARKERS.contains(marker);
            if let Some(span) = name_at(&chars, at + marker.chars().count(), sure) {
                spans.push(span);
            }
        }
    }
    spans.extend(errand_names(&chars));
    spans.extend(leading_and_possessive_names(&chars));
    for marker in ADDRESS_MARKERS {
        for at in occurrences(&chars, marker) {
            let from = at + marker.chars().count();
            let to = (from..chars.len()).find(|&k| is_clause_end(chars[k])).unwrap_or(chars.len());
            if to > from {
                spans.push((from, to));
            }
        }
    }
    spans
}

/// The person after 帮 / 替 / 给 / 代 when an errand follows: 2–4 Han characters, none of
/// [`NOT_IN_ERRAND_NAME`], then a word of [`ERRANDS`]. Any surname counts (帮欧阳娜娜问).
fn errand_names(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for marker in FOR_SOMEONE {
        for at in occurrences(chars, marker) {
            let from = at + marker.chars().count();
            let name_len = (2..=4).find(|&n| {
                let Some(name) = chars.get(from..from + n) else { return false };
                let rest: String = chars[from + n..].iter().take(2).collect();
                name.iter().all(|&c| {
                    is_han(c) && !NOT_IN_ERRAND_NAME.contains(c) && !AFTER_NAME.contains(c)
                }) && ERRANDS.iter().any(|e| rest.starts_with(e))
            });
            if let Some(n) = name_len {
                spans.push((from + 1, from + n));
            }
        }
    }
    spans
}

/// A likely name (common surname, given name) at the start of the text or of a clause
/// (`张秀兰门特卡丢了怎么补办`, `你好，刘淑芬能办吗`) or anywhere right before 的
/// (`帮我查下张秀兰的门特`).
fn leading_and_possessive_names(chars: &[char]) -> Vec<(usize, usize)> {
    (0..chars.len())
        .filter_map(|k| {
            let clause_start = k == 0 || is_clause_end(chars[k - 1]);
            let (from, to) = name_from(chars, k, false)?;
            (clause_start || chars.get(to) == Some(&'的')).then_some((from, to))
        })
        .collect()
}

/// Start indices (in chars) of `word` in `chars`.
fn occurrences(chars: &[char], word: &str) -> Vec<usize> {
    let w: Vec<char> = word.chars().collect();
    chars
        .windows(w.len())
        .enumerate()
        .filter(|(_, win)| *win == w.as_slice())
        .map(|(k, _)| k)
        .collect()
}

/// The given name (1–2 Han characters after a surname) starting at `from` after skipping
/// [`BEFORE_NAME`] characters; with `sure` any Han character starts a name.
fn name_at(chars: &[char], from: usize, sure: bool) -> Option<(usize, usize)> {
    let mut k = from;
    while k < chars.len() && BEFORE_NAME.contains(chars[k]) {
        k += 1;
    }
    name_from(chars, k, sure)
}

/// The given name of a name whose surname is at `k` (see [`name_at`]).
fn name_from(chars: &[char], k: usize, sure: bool) -> Option<(usize, usize)> {
    let surname = *chars.get(k)?;
    let first = *chars.get(k + 1)?;
    if !is_han(surname) || !is_han(first) || AFTER_NAME.contains(first) {
        return None;
    }
    if !sure {
        let pair: String = [surname, first].iter().collect();
        if !SURNAMES.contains(surname) || NOT_NAMES.iter().any(|w| pair.starts_with(w)) {
            return None;
        }
    }
    let second = chars.get(k + 2).copied();
    let end = match second {
        Some(c) if is_han(c) && !AFTER_NAME.contains(c) => k + 3,
        _ => k + 2,
    };
    Some((k + 1, end))
}

/// `…路12号`, `…街三栋`: a street, then within a few characters a number and 号 / 栋 / 幢.
fn has_house_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let is_numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
    chars.iter().enumerate().filter(|(_, c)| "路街巷村".contains(**c)).any(|(k, _)| {
        let after: Vec<char> =
            chars[k + 1..].iter().take(8).take_while(|c| !is_clause_end(**c)).copied().collect();
        after.windows(2).any(|w| is_numeral(w[0]) && "号栋幢".contains(w[1]))
    })
}

fn is_clause_end(c: char) -> bool {
    "，,。.！!？?；;\n 　".contains(c)
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
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

/// Separators people type inside a number to read it out (`139 1234 5678`, `510402-1950…`).
fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '\u{3000}')
}

/// An ID or mobile number typed in digit groups separated by single spaces, hyphens or dots,
/// starting at `i`: its length in chars and its masked form. Only groups that together make an
/// ID number (18 with a possible X, or 15, with a plausible birth date) or a mobile (11 from 1)
/// count, so years, amounts and dates next to each other (`2025 9 26`, `6000 元`) stay as typed.
/// The longest such prefix of the groups wins; one unbroken run is left to [`number_run`].
fn grouped_number(chars: &[char], i: usize, ids_only: bool) -> Option<(usize, String)> {
    if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
        return None;
    }
    let mut digits = String::new();
    let mut best: Option<(usize, bool)> = None; // (end, is_id)
    let mut j = i;
    let mut groups = 0;
    loop {
        let start = j;
        while j < chars.len() && chars[j].is_ascii_digit() {
            digits.push(chars[j]);
            j += 1;
        }
        if j < chars.len() && matches!(chars[j], 'X' | 'x') && digits.len() == 17 {
            digits.push('X');
            j += 1;
        }
        // A single digit is a list or a date part, not a piece of a number read out in groups.
        if j - start < 2 {
            break;
        }
        groups += 1;
        let id = is_id_with_birth_date(&digits);
        let mobile = !ids_only && digits.len() == 11 && digits.starts_with('1');
        if groups > 1 && (id || mobile) {
            best = Some((j, id));
        }
        let next_is_digit = chars.get(j + 1).is_some_and(|c| c.is_ascii_digit());
        if digits.len() >= 18 || !(j < chars.len() && is_group_separator(chars[j]) && next_is_digit)
        {
            break;
        }
        j += 1;
    }
    let (end, is_id) = best?;
    let (head, tail) = if is_id { (4, 2) } else { (3, 2) };
    let total = chars[i..end].iter().filter(|c| !is_group_separator(**c)).count();
    let mut k = 0;
    let masked = chars[i..end]
        .iter()
        .map(|&c| {
            if is_group_separator(c) {
                return c;
            }
            k += 1;
            if k <= head || k > total - tail {
                c
            } else {
                '*'
            }
        })
        .collect();
    Some((end - i, masked))
}

/// An 18-digit (last may be X) or 15-digit ID number whose birth date is a real-looking date:
/// for numbers pieced together from groups, where a run of amounts could add up to 15 digits.
fn is_id_with_birth_date(digits: &str) -> bool {
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let (year, month, day) = match digits.len() {
        18 if all_digits(&digits[..17]) => (&digits[6..10], &digits[10..12], &digits[12..14]),
        15 if all_digits(digits) => ("19", &digits[8..10], &digits[10..12]),
        _ => return false,
    };
    let plausible_year = year == "19" || year.starts_with("19") || year.starts_with("20");
    let month: u32 = month.parse().unwrap_or(0);
    let day: u32 = day.parse().unwrap_or(0);
    plausible_year && (1..=12).contains(&month) && (1..=31).contains(&day)
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
    fn possible_names_are_masked_without_a_cue() {
        assert_eq!(mask_possible_names("去找张秀兰拿东西"), "去找张**拿东西");
        assert_eq!(mask_possible_names("高血压复查"), "高血压复查");
        assert_eq!(mask_possible_names("打电话问进度"), "打电话问进度");
    }

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
    fn numbers_typed_in_groups_are_masked_as_one() {
        assert_eq!(
            mask_identifiers("张桂兰 510402 19500101 1234 139 1234 5678"),
            "张桂兰 5104** ******** **34 139 **** **78"
        );
        assert_eq!(
            mask_identifiers("身份证5104-0219-5001-0112-3X"),
            "身份证5104-****-****-****-3X"
        );
        assert_eq!(mask_identifiers("手机139.1234.5678"), "手机139.****.**78");
        assert_eq!(mask_identifiers("老证 510402 500101 123"), "老证 5104** ****** *23");
        assert_eq!(mask_identifiers("电话 139 1234 5678 2026年"), "电话 139 **** **78 2026年");
    }

    #[test]
    fn years_amounts_and_dates_in_groups_are_kept() {
        for text in [
            "2025 9 26 受理",
            "2025-09-26",
            "2025.09.26 到期",
            "花了 6000 1500 3000 元",
            "2024 2025 2026 三年",
            "报了 12000 元 85 %",
            "1 2 3 4 5 6 7 8 9 10 11",
            "12393 热线 100 200",
            "123 456 789 012 345",
        ] {
            assert_eq!(mask_identifiers(text), text, "{text}");
        }
    }

    #[test]
    fn a_named_person_or_address_is_found() {
        for text in [
            "我妈刘淑芬心脏不好 住院花了好多钱 咋个弄",
            "转人工 我妈刘淑芬有尿毒症",
            "我叫王秀英",
            "我母亲王秀英的尿毒症透析病历不全",
            "老伴叫张桂兰，能办吗",
            "姓名：李建国",
            "我妈妈 刘淑芬 糖尿病",
            "住在仁和区金江镇",
            "家在炳草岗大街12号3栋",
            "我是王芳，我爸有高血压",
        ] {
            assert!(names_a_person(text), "{text}");
        }
    }

    #[test]
    fn a_relative_with_only_an_illness_names_nobody() {
        for text in [
            "我妈有糖尿病能办吗",
            "我爸高血压能报多少",
            "孩子白血病可以办门特吗",
            "老人在家透析咋报",
            "我是邵阳的 职工医保",
            "我是江西人 在攀枝花参保",
            "线下办理地址在哪",
            "门特的药可以快递到家吗",
            "叫人工",
            "需要本人去吗",
            "我爸马上要去复查",
            "线上渠道几号截止",
        ] {
            assert!(!names_a_person(text), "{text}");
            assert_eq!(mask_names(text), text);
        }
    }

    #[test]
    fn someone_an_errand_is_run_for_or_a_name_at_the_start_or_before_de_is_found() {
        for text in [
            "帮张秀兰问一下门特卡丢了怎么补办",
            "替王建国问问门特怎么续期",
            "给李四办门特要什么",
            "帮欧阳娜娜咨询一下",
            "代刘淑芬申请可以吗",
            "张秀兰门特卡丢了怎么补办",
            "刘淑芬能办吗",
            "你好，王建国的门特到期了",
            "帮我查下张秀兰的门特",
            "陈淑珍的医保卡丢了",
        ] {
            assert!(names_a_person(text), "{text}");
        }
        assert_eq!(mask_names("帮张秀兰问一下门特卡丢了"), "帮张**问一下门特卡丢了");
        assert_eq!(mask_names("张秀兰门特卡丢了"), "张**门特卡丢了");
    }

    #[test]
    fn errands_for_relatives_and_questions_starting_with_a_surname_character_name_nobody() {
        for text in [
            "帮忙问一下门特怎么办",
            "帮我问问门特能报多少",
            "帮我妈问一下透析能报吗",
            "替家里老人问一下",
            "给医院打电话没人接",
            "代办需要什么材料",
            "能给报多少",
            "给孩子办门特",
            "交给社区办可以吗",
            "替换药品能报吗",
            "帮扶政策怎么申请",
            "高血压的门特怎么办",
            "周末能办吗",
            "何时截止",
            "余额不够怎么办",
            "孙子可以代办吗",
            "岳母能办门特吗",
            "邵东的门特在哪办",
            "报销范围的药有哪些",
            "严重的高血压能报吗",
            "马上过期了 咋办",
            "有没有免起付线的",
            "高雪压能办门特不",
        ] {
            assert!(!names_a_person(text), "{text}");
        }
    }

    #[test]
    fn names_and_addresses_are_masked_the_surname_stays() {
        assert_eq!(
            mask_names("我叫王秀英 我妈刘淑芬住在仁和区金江镇，咋办"),
            "我叫王** 我妈刘**住在******，咋办"
        );
        assert_eq!(mask_names("我妈刘芳有尿毒症"), "我妈刘*有尿毒症");
        assert_eq!(mask_personal("我叫张三 13912345678"), "我叫张* 139******78");
    }

    #[test]
    fn text_without_digits_is_borrowed() {
        assert!(matches!(mask_identifiers("我妈妈的尿毒症"), Cow::Borrowed(_)));
    }
}
