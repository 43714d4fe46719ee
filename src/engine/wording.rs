//! Reading what people type at a step with buttons: the label in full or in part, its number
//! (`1`, `１`, `一`, `第一个`), yes/no and consent in the words people use in chat (是的、要得、
//! 没问题 / 不用、算了), and whether a message is a question rather than an answer.
//!
//! Pure: the word lists are content (`faq/understand.yaml`, read through [`Words`]), and callers
//! pass the labels they offered. Deciding *what* a pick means (which slot, which step) stays in
//! the engine.
//!
//! Layer: base — imports only the base modules `input`.

use super::input;
use crate::content::dialect::Dialect;
use crate::content::understand::Lexicon;
use crate::content::Content;

/// The word lists of the content that wording reads: yes/no, consent, why, go-on and question
/// words from `faq/understand.yaml`, dialect words from `faq/dialect.yaml`.
#[derive(Debug, Clone, Copy)]
pub struct Words<'c> {
    lex: &'c Lexicon,
    dialect: &'c Dialect,
}

/// Chinese numerals a user may type for a button number.
const NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// How sure it is that a text is a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Question {
    /// No question marks at all.
    No,
    /// Only weak marks (`什么`, `啥`, `几`).
    Maybe,
    /// A mark no answer carries (`？`, `吗`, `多少`, `怎么` …).
    Clearly,
}

impl<'c> Words<'c> {
    /// The lists of `content`.
    pub fn of(content: &'c Content) -> Words<'c> {
        Words { lex: &content.understand, dialect: &content.dialect }
    }

    /// Whether `text` reads like a question, with what [`crate::understand`] makes of it
    /// (`reader_says`: its staff-edited question words such as 多久/好多 and the 四川话/湖南话
    /// endings 能删掉不): a message only the reader finds a question is clearly one.
    pub fn question_read(&self, text: &str, reader_says: bool) -> Question {
        match self.question(text) {
            Question::No if reader_says => Question::Clearly,
            own => own,
        }
    }

    /// Whether `text` reads like a question.
    pub fn question(&self, text: &str) -> Question {
        if has(&self.lex.question_clear, text) {
            Question::Clearly
        } else if has(&self.lex.question_weak, text) && !text.contains("没什么") {
            Question::Maybe
        } else {
            Question::No
        }
    }

    /// `Some(true)` for yes, `Some(false)` for no, in common chat wordings: the first clause must be
    /// a yes/no word (`是的 一直在交`, `不用了`), so `不是很清楚` or `好像…` stay unread.
    pub fn yes_no(&self, text: &str) -> Option<bool> {
        if self.question(text) == Question::Clearly {
            return None;
        }
        let first = clause(text)?;
        if first.is_in(&self.lex.yes) {
            Some(true)
        } else if first.is_in(&self.lex.no) {
            Some(false)
        } else {
            None
        }
    }

    /// Yes or no to the yes/no question `prompt`, read also the way Chinese answers by echoing
    /// the question: `晓得` to 您知道…吗 is yes, `不晓得` no, `莫得欠费` to 是否…没有欠费 yes, and
    /// `没有换过` to 是否已经变更过 no. Falls back to [`Words::yes_no`].
    pub fn yes_no_to(&self, text: &str, prompt: &str) -> Option<bool> {
        if self.question(text) == Question::Clearly {
            return None;
        }
        let prompt = self.dialect.plain(&squash(prompt));
        self.reply_to(&clause(text)?.bare, &prompt, text)
    }

    /// The first clause of `text` read against the question `prompt` (squashed): an echo of it
    /// (`正常的 没欠` to 是否正常缴费…？, 的 left off), a yes/no word, or a denial.
    fn reply_to(&self, clause: &str, prompt: &str, text: &str) -> Option<bool> {
        let answer = self.dialect.plain(clause);
        let answer = match answer.strip_suffix('的') {
            Some(stem) if stem.chars().count() >= 2 => stem.to_string(),
            _ => answer,
        };
        const NEGATIONS: [&str; 7] = ["还没有", "从没有", "没有", "还没", "从没", "没", "不"];
        let echoes = |part: &str| part.chars().count() >= 2 && prompt.contains(part);
        // Echoing what the question denies (欠费了 to …没有欠费？) says the opposite: no.
        let denied = |part: &str| NEGATIONS.iter().any(|n| prompt.contains(&format!("{n}{part}")));
        if echoes(&answer) && !NEGATIONS.iter().any(|n| answer.starts_with(n)) {
            return Some(!denied(&answer));
        }
        if echoes(&answer) {
            return Some(true);
        }
        // `还没结果` says it was handed in and is waiting: yes to 已经提交了吗, and to any other
        // question no answer (its 还没 is no 否).
        let waiting = &self.lex.commands.under_review;
        if has(waiting, &answer) || has(waiting, text) {
            return has(&self.lex.commands.submission, prompt).then_some(true);
        }
        if let Some(yes) = self.yes_no(text) {
            return Some(yes);
        }
        for neg in NEGATIONS {
            let Some(rest) = answer.strip_prefix(neg).filter(|r| !r.is_empty()) else { continue };
            // The question itself is negative (…没有欠费？): denying the same thing is yes.
            if denied(rest) {
                return Some(true);
            }
            // 不 + what the question asks (不知道) is no; 不 before anything else (不太清楚) is not
            // an answer, while 没(有) + a verb (没有换过) always denies it.
            if echoes(rest) || neg.starts_with(['没', '还', '从']) {
                return Some(false);
            }
        }
        None
    }

    /// Consent answer: 同意 / 不同意 and their wordings, else a plain yes/no.
    pub fn consent(&self, text: &str) -> Option<bool> {
        let first = clause(text)?;
        // `我没说不同意啊 我同意保存`: the refusal denied is no refusal; a later clause decides,
        // else it is agreement.
        if has(&self.lex.refusal_denied, &first.raw) {
            let later = clauses(text).skip(1).find_map(|c| {
                (c.is_in(&self.lex.disagree) && !has(&self.lex.refusal_denied, &c.raw))
                    .then_some(false)
                    .or_else(|| c.is_in(&self.lex.agree).then_some(true))
            });
            return Some(later.unwrap_or(true));
        }
        if first.is_in(&self.lex.disagree) {
            return Some(false);
        }
        if first.is_in(&self.lex.agree) {
            return Some(true);
        }
        self.yes_no(text)
    }

    /// Agreement said in a clause of its own anywhere in a longer message (`… 重新记一个 我同意
    /// 保存`), with no clause refusing.
    pub fn agrees_in_a_clause(&self, text: &str) -> bool {
        let said: Vec<Clause> = clauses(text).collect();
        said.iter().any(|c| c.is_in(&self.lex.agree))
            && !said.iter().any(|c| c.is_in(&self.lex.disagree))
    }

    /// Whether the first clause is an explicit consent word (同意, 不同意 …), not a yes/no.
    pub fn names_consent(&self, text: &str) -> bool {
        clause(text).is_some_and(|c| c.is_in(&self.lex.agree) || c.is_in(&self.lex.disagree))
    }

    /// The user asks why personal data is wanted, or says they do not want to give it.
    pub fn asks_why(&self, text: &str) -> bool {
        has(&self.lex.why, text)
    }

    /// "Go on" to a lone 下一步/更多 button: 继续, 下一步, 更多, 接着说, 然后呢.
    pub fn go_on(&self, text: &str) -> bool {
        clause(text).is_some_and(|c| c.is_in(&self.lex.go_on))
    }

    /// Like [`label`], for choices that have other wordings besides their label (`aliases:` in
    /// the dialogs: 我自己 for 本人, 社区医院 for 一级医院或社区卫生服务中心): group `i` holds
    /// choice `i`'s label and its aliases, and the answer is the choice, not the wording.
    /// A step's own choices are few and distinct, so a short answer sharing a two-character word
    /// with one choice only also picks it (the menu's titles are matched by [`label`] alone).
    pub fn label_among(&self, text: &str, groups: &[Vec<&str>]) -> Option<usize> {
        let t = squash(text);
        let groups = squashed(groups);
        named(&t, &groups).or_else(|| {
            (self.question(&t) == Question::No).then(|| distinctive_pair(&t, &groups)).flatten()
        })
    }

    /// An answer said first, then a question (`我自己 我就想晓得要带啥子材料去`): the first of
    /// several clauses is, as a whole, exactly one choice's label or alias (groups as in
    /// [`Words::label_among`]).
    pub fn first_clause(&self, text: &str, groups: &[Vec<&str>]) -> Option<usize> {
        let mut clauses = text
            .split(|c: char| c.is_whitespace() || "，,。！!；;".contains(c))
            .filter(|p| !p.is_empty());
        let first = squash(clauses.next()?);
        clauses.next()?;
        let groups = squashed(groups);
        let hits: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].contains(&first)).collect();
        match hits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// Whether any of `words` is in `text`.
fn has(words: &[String], text: &str) -> bool {
    words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
}

/// `text` without the chat particles and punctuation it ends with: `是的嘛` is an answer even
/// though 嘛 can end a question, so the reader is asked about what comes before.
pub fn without_end_particles(text: &str) -> &str {
    text.trim_end_matches(|c: char| {
        is_punct(c) || c.is_whitespace() || "嘛么哦噢呢啊呀哈噻嘞吧".contains(c)
    })
}

/// A button number typed as text, 1-based: `2`, `２`, `二`, `第二个`, `选2`, `2号`.
/// The whole message must be the number: `9.26号…` is a date, not button 9.
pub fn ordinal(text: &str) -> Option<usize> {
    let t = input::normalize(text).to_lowercase();
    let t = t.trim_matches(|c: char| is_punct(c) || c.is_whitespace());
    if t.chars().any(|c| is_punct(c) || c.is_whitespace()) {
        return None;
    }
    let t = t.strip_prefix("选").unwrap_or(t);
    let t = t.strip_prefix("第").unwrap_or(t);
    let t = t.trim_end_matches(['个', '项', '号', '条', '种']);
    if let Ok(n) = t.parse::<usize>() {
        return (n > 0).then_some(n);
    }
    let mut chars = t.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return None };
    NUMERALS.iter().position(|n| *n == c).map(|i| i + 1)
}

/// The one label `text` names: in full, or as a unique part of it (`职工` → `职工医保`,
/// `家人` → `替家人`), or a label inside a short message (`我是本人` → `本人`). `None` when
/// nothing or more than one label fits.
pub fn label(text: &str, labels: &[&str]) -> Option<usize> {
    let groups: Vec<Vec<&str>> = labels.iter().map(|l| vec![*l]).collect();
    let groups = squashed(&groups);
    named(&squash(text), &groups)
}

fn squashed(groups: &[Vec<&str>]) -> Vec<Vec<String>> {
    groups.iter().map(|g| g.iter().map(|w| squash(w)).collect()).collect()
}

/// The one choice whose label or alias `t` is, contains uniquely, or stands in a short message.
fn named(t: &str, groups: &[Vec<String>]) -> Option<usize> {
    if t.is_empty() {
        return None;
    }
    let choices_where = |pred: &dyn Fn(&str) -> bool| -> Vec<usize> {
        (0..groups.len()).filter(|&i| groups[i].iter().any(|w| pred(w))).collect()
    };
    let unique = |hits: Vec<usize>| match hits.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    if let Some(i) = unique(choices_where(&|w| w == t)) {
        return Some(i);
    }
    let len = t.chars().count();
    if len >= 2 {
        if let Some(i) = unique(choices_where(&|w| w.contains(t))) {
            return Some(i);
        }
    }
    // A wording inside a longer message, only when the message says little else: "新申请要带
    // 什么" is a question about 新申请, not a click on it.
    let around = choices_where(&|w| {
        let l = w.chars().count();
        l >= 2 && t.contains(w) && len <= l + 3
    });
    unique(around)
}

/// A short answer that shares a two-character word with one choice only (`社区医院开的` →
/// 一级医院或社区卫生服务中心, `已经补交了 继续` → 缴费已正常，继续): every pair of
/// neighbouring characters found in exactly one choice must point to the same choice. Only for
/// short statements; a question is never a click ([`Words::label_among`] checks).
fn distinctive_pair(t: &str, groups: &[Vec<String>]) -> Option<usize> {
    const MAX_CHARS: usize = 8;
    let chars: Vec<char> = t.chars().collect();
    if chars.len() > MAX_CHARS {
        return None;
    }
    let mut picked: Option<usize> = None;
    for pair in chars.windows(2) {
        let pair: String = pair.iter().collect();
        let holders: Vec<usize> =
            (0..groups.len()).filter(|&i| groups[i].iter().any(|w| w.contains(&pair))).collect();
        if let [one] = holders.as_slice() {
            match picked {
                Some(p) if p != *one => return None,
                _ => picked = Some(*one),
            }
        }
    }
    picked
}

/// The first clause of a message, normalised: up to the first space or punctuation.
struct Clause {
    raw: String,
    /// Without trailing chat particles (啊、呀、哦、嘛、了): `不用了` → `不用`.
    bare: String,
}

impl Clause {
    fn is_in(&self, words: &[String]) -> bool {
        words.iter().any(|w| *w == self.raw || *w == self.bare)
    }
}

/// Every clause of a message (between spaces and punctuation), normalised as [`clause`].
fn clauses(text: &str) -> impl Iterator<Item = Clause> {
    let t = input::normalize(text).to_lowercase();
    let parts: Vec<String> = t
        .split(|c: char| c.is_whitespace() || is_punct(c))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    parts.into_iter().filter_map(|p| clause(&p))
}

/// `None` when the message has no words at all.
fn clause(text: &str) -> Option<Clause> {
    let t = input::normalize(text).to_lowercase();
    // Pinyin is typed with spaces between syllables (`shi de`, `tong yi`): one word.
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
        let joined: String = t.chars().filter(|c| *c != ' ').collect();
        return Some(Clause { raw: joined.clone(), bare: joined });
    }
    let raw = t.split(|c: char| c.is_whitespace() || is_punct(c)).find(|s| !s.is_empty())?;
    let bare = raw.trim_end_matches(['啊', '呀', '哦', '嘛', '了', '哈', '呢', '吧', '噻']);
    Some(Clause { raw: raw.to_string(), bare: bare.to_string() })
}

/// Text without spaces and punctuation, for comparing with labels (and command wordings).
pub(crate) fn squash(text: &str) -> String {
    input::normalize(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !is_punct(*c))
        .collect()
}

/// ASCII and full-width punctuation, which never changes what a short answer means.
pub(crate) fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || "，。！？、；：“”‘’（）《》…～·".contains(c)
}

/// The clauses of a message between spaces and sentence punctuation (，。；！？ and their ASCII
/// twins), empty ones left out. Unlike [`is_punct`], a date's `-`, `/` or `:` stays inside its
/// clause (`12-11提醒我`), so a clause keeps the day it names.
pub(crate) fn sentence_clauses(text: &str) -> impl DoubleEndedIterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || "，,。;；!！?？".contains(c))
        .filter(|c| !c.is_empty())
}

/// A part of a message the user numbered (`3报多少`, `２怎么备案`): the number and the rest.
/// A digit followed by a unit, a date or a count (`3个月`, `5号`, `2万`) numbers nothing.
pub fn numbered(part: &str) -> Option<(u32, &str)> {
    let mut chars = part.chars();
    let digit = chars.next()?.to_digit(10).or_else(|| {
        let c = part.chars().next()?;
        ('０'..='９').contains(&c).then(|| c as u32 - '０' as u32)
    })?;
    let rest = chars.as_str();
    let next = rest.chars().next()?;
    let han = ('\u{4E00}'..='\u{9FFF}').contains(&next);
    (digit > 0
        && han
        && !"个月号日年万千百块元岁天周次级档点分倍多型期度类楼层位份张".contains(next))
    .then_some((digit, rest))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_part_the_user_numbered_and_a_number_that_counts() {
        assert_eq!(super::numbered("3报多少"), Some((3, "报多少")));
        assert_eq!(super::numbered("２怎么备案"), Some((2, "怎么备案")));
        assert_eq!(super::numbered("3个月能审完吗"), None);
        assert_eq!(super::numbered("5号交的"), None);
        assert_eq!(super::numbered("2型糖尿病能办吗"), None);
        assert_eq!(super::numbered("报多少"), None);
    }

    use super::*;

    /// The shipped word lists.
    fn w() -> Words<'static> {
        static LISTS: std::sync::OnceLock<(Lexicon, Dialect)> = std::sync::OnceLock::new();
        let (lex, dialect) = LISTS.get_or_init(|| {
            let lex = serde_yaml::from_str(include_str!("../../faq/understand.yaml")).unwrap();
            let files = [crate::content::SourceFile {
                path: crate::content::dialect::DIALECT_FILE.into(),
                text: include_str!("../../faq/dialect.yaml").into(),
            }];
            (lex, crate::content::dialect::parse(&files, &mut Vec::new()))
        });
        Words { lex, dialect }
    }

    #[test]
    fn yes_and_no_in_the_words_people_use() {
        for yes in [
            "是的 一直在交",
            "对",
            "嗯",
            "好的",
            "行",
            "可以",
            "要得",
            "没问题",
            "一直在交",
            "是啊！",
        ] {
            assert_eq!(w().yes_no(yes), Some(true), "{yes}");
        }
        for no in ["不", "不用了", "不要", "算了", "不行", "没有", "否。", "还没有"]
        {
            assert_eq!(w().yes_no(no), Some(false), "{no}");
        }
        for neither in ["不是很清楚", "也许", "好像欠过费", "是不是要交钱"] {
            assert_eq!(w().yes_no(neither), None, "{neither}");
        }
    }

    #[test]
    fn consent_wordings_and_why_questions() {
        assert_eq!(w().consent("同意"), Some(true));
        assert_eq!(w().consent("不同意"), Some(false));
        assert_eq!(w().consent("可以的"), Some(true));
        assert_eq!(w().consent("看情况"), None, "asked again, not guessed");
        assert_eq!(w().consent("行吧"), Some(true));
        assert_eq!(w().consent("tong yi"), Some(true));
        assert_eq!(w().consent("算了 不想给"), Some(false));
        assert!(w().asks_why("为啥子要身份证号哦 不想给"));
        assert!(!w().asks_why("同意"));
    }

    #[test]
    fn go_on_wordings() {
        assert!(w().go_on("继续"));
        assert!(w().go_on("然后呢？"));
        assert!(!w().go_on("继续教育"));
    }

    #[test]
    fn button_numbers_in_digits_full_width_and_chinese() {
        assert_eq!(ordinal("1"), Some(1));
        assert_eq!(ordinal("２"), Some(2));
        assert_eq!(ordinal("一"), Some(1));
        assert_eq!(ordinal("第一个"), Some(1));
        assert_eq!(ordinal("第2个"), Some(2));
        assert_eq!(ordinal("选3"), Some(3));
        assert_eq!(ordinal("0"), None);
        assert_eq!(ordinal("一千"), None);
        assert_eq!(ordinal("起付线"), None);
        assert_eq!(ordinal("9.26号受理的"), None, "a date, not button 9");
        assert_eq!(ordinal("9月26号"), None);
        assert_eq!(ordinal("2。"), Some(2));
    }

    #[test]
    fn yes_no_read_against_the_question_it_answers() {
        let arrears = "目前医保是否正常参保缴费、没有欠费？";
        assert_eq!(w().yes_no_to("莫得欠费", arrears), Some(true));
        assert_eq!(w().yes_no_to("没有欠费", arrears), Some(true));
        assert_eq!(w().yes_no_to("没欠费", arrears), Some(true));
        assert_eq!(w().yes_no_to("欠费了", arrears), Some(false), "the opposite of 没有欠费");
        assert_eq!(w().yes_no_to("shi de", arrears), Some(true));
        // The question's own word with 的 (play-test round 7 P1 t14: 正常的 没欠).
        assert_eq!(w().yes_no_to("正常的嘛", arrears), Some(true));
        assert_eq!(w().yes_no_to("正常的，都交了", arrears), Some(true));
        let knows = "您知道目前门特待遇的到期日吗？";
        assert_eq!(w().yes_no_to("晓得", knows), Some(true));
        assert_eq!(w().yes_no_to("不晓得", knows), Some(false));
        assert_eq!(w().yes_no_to("不知道", knows), Some(false));
        let changed = "今年是否已经变更过定点医院？";
        assert_eq!(w().yes_no_to("没有换过", changed), Some(false));
        assert_eq!(w().yes_no_to("不太清楚", changed), None);
        assert_eq!(w().yes_no_to("换过没有？", changed), None, "a question is no answer");
    }

    #[test]
    fn aliases_and_distinctive_words_pick_a_choice() {
        let whom = vec![vec!["本人", "我自己", "自己"], vec!["替家人", "我妈", "我爸"]];
        assert_eq!(w().label_among("我自己", &whom), Some(0));
        assert_eq!(w().label_among("帮我妈申请", &whom), Some(1));
        let level =
            vec![vec!["二级及以上医院"], vec!["一级医院或社区卫生服务中心"], vec!["不清楚"]];
        assert_eq!(w().label_among("社区医院开的", &level), Some(1));
        assert_eq!(w().label_among("医院开的", &level), None, "医院 is in two labels");
        assert_eq!(w().label_among("社区医院可以吗", &level), None, "a question");
        assert_eq!(label("社区医院开的", &["二级及以上医院", "一级医院或社区卫生服务中心"]), None);
        let arrears = vec![vec!["缴费已正常，继续"], vec!["返回主菜单"]];
        assert_eq!(w().label_among("已经补交了 继续", &arrears), Some(0));
    }

    #[test]
    fn labels_in_full_in_part_or_inside_a_short_message() {
        let insurance = ["职工医保", "城乡居民医保"];
        assert_eq!(label("职工", &insurance), Some(0));
        assert_eq!(label("城乡居民医保", &insurance), Some(1));
        assert_eq!(label("医保", &insurance), None, "two labels contain it");
        let whom = ["本人", "替家人"];
        assert_eq!(label("家人", &whom), Some(1));
        assert_eq!(label("我是本人", &whom), Some(0));
        assert_eq!(label("本人要带什么材料去医院", &whom), None);
        assert_eq!(label("人", &whom), None, "one character is too little");
    }

    #[test]
    fn questions_are_told_from_answers() {
        assert_eq!(w().question("职工起付线多少"), Question::Clearly);
        assert_eq!(w().question("我觉得不合理 我要投诉 找哪个"), Question::Clearly);
        assert_eq!(w().question("要带啥"), Question::Maybe);
        assert_eq!(w().question("没什么"), Question::No);
        assert_eq!(w().question("张三"), Question::No);
    }
}
