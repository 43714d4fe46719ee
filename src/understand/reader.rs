//! [`Reader`]: the word lists of the content prepared once, and [`Reader::read`], which turns
//! one message into an [`Understanding`].

use std::collections::BTreeMap;

use super::numbers::{age, digitise, money, numbers, Number};
use super::places::PlaceWords;
use super::words::{self, Prepared, Word};
use super::{dates, Action, Context, DiseaseMention, Insurance, Reply, Understanding, WorkStatus};
use crate::content::Content;
use crate::knowledge::Knowledge;

/// Replies longer than this are not read as yes/no: a sentence starting with 好 is not an answer.
const MAX_REPLY_CHARS: usize = 20;

/// Everything needed to read messages, built once from the content.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    places: PlaceWords,
    replies: Vec<(Reply, Word)>,
    question: Vec<Word>,
    question_end: Vec<String>,
    /// Words asking the assistant to do something (帮我 …) and the particles that only soften
    /// such a request (嘛): see [`Reader::softened_request`].
    request: Vec<String>,
    request_softeners: Vec<String>,
    condition_end: Vec<char>,
    not_conditions: Vec<String>,
    condition_words: Vec<String>,
    same_as: Vec<String>,
    insurance: Vec<(Insurance, Word)>,
    status: Vec<(WorkStatus, Word)>,
    /// (action, word), longest word first.
    actions: Vec<(Action, Word)>,
    regions: Vec<String>,
    /// Words before an amount that make it a month's (digitised: 一个月 → 1个月).
    per_month: Vec<String>,
    /// Words negating a disease named right after them.
    negation: Vec<String>,
    /// Words in front of a condition name that are not part of it (longest first).
    condition_prefixes: Vec<String>,
    /// Between the two ends of an amount range (`4000~5000`, `4000到5000`).
    range_marks: Vec<String>,
    correction: Vec<Word>,
    asked_again: Vec<Word>,
    /// Words denying what follows (`不是延期`): a denied action word asks for no action.
    deny_before: Vec<Word>,
    /// 四川话/湖南话 words in plain Mandarin, applied before any word is looked for.
    dialect: crate::content::dialect::Dialect,
    /// The digit runs of the regions' phone numbers (12393, 0812, 3323000): such a number in a
    /// message is the number, not an amount (`12393是全国的吧` is no estimate of 12,393元).
    phone_digits: Vec<String>,
}

impl Reader {
    /// Prepares every word list of the content.
    pub fn build(content: &Content) -> Reader {
        let lex = &content.understand;
        let actions: BTreeMap<Action, &Vec<String>> =
            lex.actions.iter().map(|(a, w)| (*a, w)).collect();
        Reader {
            places: PlaceWords::build(content),
            replies: tagged(vec![
                (Reply::Yes, &lex.yes),
                (Reply::No, &lex.no),
                (Reply::Unsure, &lex.unsure),
            ]),
            question: words::words(&lex.question),
            question_end: lex.question_end.iter().map(|w| words::fold(w.trim())).collect(),
            request: lex.request.iter().map(|w| w.trim().to_string()).collect(),
            request_softeners: lex.request_softeners.iter().map(|w| w.trim().to_string()).collect(),
            condition_end: lex
                .condition_end
                .iter()
                .filter_map(|w| w.trim().chars().last())
                .collect(),
            not_conditions: lex.not_conditions.iter().map(|w| words::fold(w.trim())).collect(),
            condition_words: lex.condition_words.iter().map(|w| words::fold(w.trim())).collect(),
            same_as: lex.same_as.iter().map(|w| words::fold(w.trim())).collect(),
            insurance: tagged(vec![
                (Insurance::Employee, &lex.insurance.employee),
                (Insurance::Resident, &lex.insurance.resident),
            ]),
            status: tagged(vec![
                (WorkStatus::Retired, &lex.status.retired),
                (WorkStatus::Flexible, &lex.status.flexible),
                (WorkStatus::InService, &lex.status.in_service),
            ]),
            actions: tagged(actions.into_iter().collect()),
            regions: content.regions.keys().cloned().collect(),
            per_month: lex
                .per_month
                .iter()
                .map(|w| digitise(&w.trim().chars().collect::<Vec<_>>()).into_iter().collect())
                .filter(|w: &String| !w.is_empty())
                .collect(),
            negation: lex.negation.iter().map(|w| words::fold(w.trim())).collect(),
            condition_prefixes: lex.reading.condition_prefixes.clone(),
            range_marks: lex.reading.range_marks.clone(),
            correction: words::words(&lex.correction),
            asked_again: words::words(&lex.asked_again),
            deny_before: words::words(&lex.deny_before),
            dialect: content.dialect.clone(),
            phone_digits: phone_digits(content),
        }
    }

    /// Whether `n` is written as one of the regions' phone numbers (digits, no 万/千, no 元).
    fn is_phone_number(&self, chars: &[char], n: &Number) -> bool {
        let written: String = chars[n.start..n.end].iter().collect();
        !n.scaled
            && !super::numbers::followed_by(chars, n.end, &["元", "块"])
            && self.phone_digits.contains(&written)
    }

    /// Reads one message. Stores nothing; `knowledge` is only asked for diseases. Within a
    /// turn ([`super::memo::within`]) a message read before is not read again.
    pub fn read(&self, knowledge: &Knowledge, text: &str, ctx: Context<'_>) -> Understanding {
        let reader = self as *const Reader as usize;
        super::memo::recall(reader, text, ctx, || self.read_anew(knowledge, text, ctx))
    }

    fn read_anew(&self, knowledge: &Knowledge, text: &str, ctx: Context<'_>) -> Understanding {
        let text = &self.dialect.plain(text);
        let msg = Prepared::new(text);
        let (regions, covered, lived_in) = self.places.regions_and_lived_in(&msg);
        let mut places = self.places.others(&msg, &covered);
        places.extend(lived_in);
        let digits = digitise(&msg.chars);
        let plain: String = msg.chars.iter().collect();
        let found_dates = dates::dates(&digits, &plain, ctx.today);
        let in_date = |i: usize| found_dates.iter().any(|d| d.start <= i && i < d.end);
        let acceptance_numbers = acceptance_numbers(&msg.chars);
        let nums: Vec<_> = numbers(&digits)
            .into_iter()
            .filter(|n| !in_date(n.start))
            .filter(|n| !is_code(&digits, n.start))
            .filter(|n| !self.is_phone_number(&digits, n))
            .collect();
        let mut u = Understanding {
            regions,
            places,
            insurance: first_tag(&self.insurance, &msg),
            status: first_tag(&self.status, &msg),
            statuses: all_tags(&self.status, &msg),
            age: nums.iter().find_map(|n| age(&digits, n)),
            amounts: nums
                .iter()
                .filter_map(|n| money(&digits, n).map(|yuan| yuan * self.months(&digits, n.start)))
                .collect(),
            dates: found_dates.iter().map(|d| d.date).collect(),
            dates_ahead: found_dates.iter().map(|d| d.ahead).collect(),
            acceptance_numbers,
            question: self.asks(text, &msg, &plain),
            correction: words::any(&self.correction, &msg),
            asked_again: words::any(&self.asked_again, &msg),
            ..Understanding::default()
        };
        u.amount_range = amount_range(&digits, &nums, &self.range_marks).map(|(low, high)| {
            let yearly = |n: &Number| n.value * self.months(&digits, n.start);
            (yearly(low), yearly(high))
        });
        if u.insurance.is_none() && u.status == Some(WorkStatus::InService) {
            u.insurance = Some(Insurance::Employee);
        }
        u.reply = if u.question { None } else { self.reply(&msg) };
        self.diseases(knowledge, text, ctx, &mut u);
        u.action = self.action(&msg, &plain, &u);
        u
    }

    /// 12 when the amount at `start` is a month's (`一个月药钱一千块`: a `per_month` word before it
    /// and no 年 in between), else 1: the estimate is always for a year.
    fn months(&self, digits: &[char], start: usize) -> f64 {
        let before: String = digits[..start].iter().collect();
        let monthly = self
            .per_month
            .iter()
            .filter_map(|w| before.rfind(w.as_str()).map(|at| at + w.len()))
            .max();
        match monthly {
            Some(end) if !before[end..].contains('年') => 12.0,
            _ => 1.0,
        }
    }

    /// Whether `text` reads as a question: ? or ？, a question word of the content (多久, 好多
    /// …) or a 四川话/湖南话 yes-no ending (能删掉不). The test [`Reader::read`] uses.
    pub fn is_question(&self, text: &str) -> bool {
        let text = &self.dialect.plain(text);
        let msg = Prepared::new(text);
        let plain: String = msg.chars.iter().collect();
        self.asks(text, &msg, &plain)
    }

    fn asks(&self, text: &str, msg: &Prepared, plain: &str) -> bool {
        if let Some(bare) = self.softened_request(text) {
            let msg = Prepared::new(bare);
            let plain: String = msg.chars.iter().collect();
            return self.asks_plainly(bare, &msg, &plain);
        }
        self.asks_plainly(text, msg, plain)
    }

    /// `那帮我开始申请嘛`, `给我记一下撒`: a request softened by its last particle (`request` and
    /// `request_softeners` of `faq/understand.yaml`) — the text without that particle, which is
    /// then a question only by another word of its own (`帮我看看能报多少嘛` still asks).
    fn softened_request<'t>(&self, text: &'t str) -> Option<&'t str> {
        if !self.request.iter().any(|w| text.contains(w.as_str())) {
            return None;
        }
        let t = text.trim_end_matches(|c: char| !c.is_alphanumeric());
        let bare = self.request_softeners.iter().find_map(|w| t.strip_suffix(w.as_str()))?;
        (!bare.trim().is_empty()).then_some(bare)
    }

    fn asks_plainly(&self, text: &str, msg: &Prepared, plain: &str) -> bool {
        text.contains(['?', '？'])
            || words::a_not_a(&msg.chars)
            || words::either_or(&msg.chars)
            || words::any(&self.question, msg)
            || self.ends_as_question(plain)
    }

    /// A yes/no/unsure word at the start of a short reply; the longest word wins (不可以 over
    /// 不). A one-character word must stand alone or be followed by a particle (好的, 行啊),
    /// not start a longer word (要申请 is not "yes").
    fn reply(&self, msg: &Prepared) -> Option<Reply> {
        let start = msg.chars.iter().position(|c| !c.is_whitespace())?;
        if msg.chars.len() - start > MAX_REPLY_CHARS {
            return None;
        }
        let (reply, word) = self.replies.iter().find(|(_, w)| w.exact_at(msg, start))?;
        let next = msg.chars.get(start + word.len()).copied();
        let stands_alone = match next {
            None => true,
            Some(c) if !is_han(c) => true,
            Some(c) => "的了啊呀嘛哈吧滴嘞哦噢嗯".contains(c),
        };
        (word.len() >= 2 || stands_alone).then_some(*reply)
    }

    /// Every disease named, in the regions the message names, else the session's, else all.
    fn diseases(&self, knowledge: &Knowledge, text: &str, ctx: Context<'_>, u: &mut Understanding) {
        let named: Vec<&str> = u.regions.iter().map(|m| m.region.as_str()).collect();
        let regions: Vec<&str> = match (named.is_empty(), ctx.region) {
            (false, _) => named,
            (true, Some(r)) => vec![r],
            (true, None) => self.regions.iter().map(String::as_str).collect(),
        };
        let folded = words::fold(text);
        let mut weak: Option<DiseaseMention> = None;
        for region in regions {
            let mut found: Vec<(usize, DiseaseMention)> = Vec::new();
            for part in std::iter::once(text).chain(segments(text)) {
                for m in knowledge.match_disease(part, region) {
                    let mention = DiseaseMention {
                        region: region.to_string(),
                        name: m.name.clone(),
                        alias: m.alias.clone(),
                        score: m.score,
                        note: m.note.clone(),
                    };
                    if !m.strong {
                        if weak.as_ref().map_or(true, |w| w.score < m.score) {
                            weak = Some(mention);
                        }
                        continue;
                    }
                    if found.iter().any(|(_, d)| d.name == m.name) {
                        continue;
                    }
                    let at = m.alias.as_deref().and_then(|a| folded.find(&words::fold(a)));
                    // `那一万呢` after an estimate: 一万 sounds like 乙肝, but an amount is said
                    // and the spelling is not in the text — a sound-alike, not a disease.
                    let spelled = at.is_some() || folded.contains(&words::fold(&m.name));
                    if !spelled && (!u.amounts.is_empty() || u.amount_range.is_some()) {
                        continue;
                    }
                    found.push((at.unwrap_or(usize::MAX), mention));
                }
            }
            found.sort_by_key(|(at, _)| *at);
            u.diseases.extend(found.into_iter().map(|(_, d)| d));
        }
        if u.diseases.is_empty() {
            u.maybe_disease = weak;
        }
        u.unknown_conditions = self.unknown_conditions(&folded, u);
    }

    /// `能办不`, `报得了没`: a yes-no question by its last word (particles and punctuation off).
    fn ends_as_question(&self, plain: &str) -> bool {
        let t =
            plain.trim_end_matches(|c: char| !c.is_alphanumeric() || "嘛哦呢啊呀哈".contains(c));
        // At least two characters before the ending: 不 or 没有 alone is an answer.
        let long_enough = |w: &str| t.chars().count() >= w.chars().count() + 2;
        self.question_end.iter().any(|w| !w.is_empty() && t.ends_with(w.as_str()) && long_enough(w))
    }

    /// Words ending like a condition (…病, …症) that are neither a matched disease's spelling
    /// nor a non-condition word: up to four Han characters before the ending, without the
    /// people and verbs in front (我妈有, 得了).
    fn unknown_conditions(&self, folded: &str, u: &Understanding) -> Vec<String> {
        let chars: Vec<char> = folded.chars().collect();
        // Characters inside a matched disease's spelling (风 of 类风湿) end no other condition:
        // `医保有类风湿` names 类风湿, not a condition `医保有类风`.
        let mut matched = vec![false; chars.len()];
        for d in u.diseases.iter().chain(&u.maybe_disease) {
            for spelling in std::iter::once(&d.name).chain(&d.alias) {
                let s: Vec<char> = words::fold(spelling).chars().collect();
                if s.is_empty() || s.len() > chars.len() {
                    continue;
                }
                for at in (0..=chars.len() - s.len()).filter(|&at| chars[at..].starts_with(&s)) {
                    matched[at..at + s.len()].iter_mut().for_each(|m| *m = true);
                }
            }
        }
        let mut found: Vec<(usize, String)> = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            let continues = chars.get(i + 1).is_some_and(|n| "种历人情例房号友区".contains(*n));
            if !self.condition_end.contains(c) || continues || matched[i] {
                continue;
            }
            // Back over Han characters, never past the end of another condition (糖尿病冠心病).
            let start = (0..i)
                .rev()
                .take_while(|&j| is_han(chars[j]) && !self.condition_end.contains(&chars[j]))
                .take(4)
                .last()
                .unwrap_or(i);
            let mut word: String = chars[start..=i].iter().collect();
            // 我又没得癌症: a condition the person does not have is none of theirs.
            if let Some(at) = self
                .negation
                .iter()
                .filter_map(|n| word.rfind(n.as_str()).map(|a| a + n.len()))
                .max()
            {
                if !word[..at].ends_with("有没有") {
                    continue;
                }
            }
            let prefixes = &self.condition_prefixes;
            while let Some(rest) = prefixes.iter().find_map(|p| word.strip_prefix(p.as_str())) {
                word = rest.to_string();
            }
            let known = u.diseases.iter().chain(&u.maybe_disease).any(|d| {
                std::iter::once(&d.name).chain(&d.alias).any(|spelling| {
                    let s = words::fold(spelling);
                    s.contains(&word) || word.contains(&s)
                })
            });
            if word.chars().count() < 2
                || known
                || self.not_conditions.iter().any(|n| word.ends_with(n.as_str()))
                || found.iter().any(|(_, f)| *f == word)
            {
                continue;
            }
            found.push((start, word));
        }
        // `还有老慢支 医生说是慢阻肺`: the plain name of a catalogue disease said in the same
        // message (a `same_as` word between), not a second condition (play-test round 15, P6).
        let same = self.same_as.iter().any(|w| folded.contains(w.as_str()));
        if !same || u.diseases.is_empty() {
            self.named_conditions(&chars, &matched, &mut found);
        }
        found.sort_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, word)| word).collect()
    }

    /// Conditions named without a condition's ending (老慢支, 哮喘), from the content's list:
    /// outside every matched disease's spelling, not negated, not inside a word already found.
    fn named_conditions(&self, chars: &[char], matched: &[bool], found: &mut Vec<(usize, String)>) {
        // Longest first, each span read once: `没得老慢支` negates 老慢支, and 慢支 inside it is
        // no second condition.
        let mut words: Vec<&String> = self.condition_words.iter().collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        let mut read = matched.to_vec();
        for word in words {
            let w: Vec<char> = word.chars().collect();
            if w.is_empty() || w.len() > chars.len() {
                continue;
            }
            for at in (0..=chars.len() - w.len()).filter(|&at| chars[at..].starts_with(&w)) {
                if read[at..at + w.len()].iter().any(|r| *r) {
                    continue;
                }
                read[at..at + w.len()].iter_mut().for_each(|r| *r = true);
                let before: String = chars[at.saturating_sub(4)..at].iter().collect();
                let negated = self.negation.iter().any(|n| before.ends_with(n.as_str()));
                let covered = found.iter().any(|(_, f)| f.contains(word.as_str()));
                if negated || covered {
                    continue;
                }
                found.retain(|(_, f)| !word.contains(f.as_str()));
                found.push((at, word.clone()));
                break;
            }
        }
    }

    /// The action the message asks for: its longest action word; without one, an action whose
    /// facts are all there (insurance or status with an amount → estimate; an acceptance date
    /// → deadline).
    fn action(&self, msg: &Prepared, plain: &str, u: &Understanding) -> Option<Action> {
        let submitted = ["受理", "交的", "交了", "提交"].iter().any(|w| plain.contains(w));
        let asks_when = u.question && !u.dates.is_empty() && submitted;
        let said = |w: &Word| w.hits(msg).iter().any(|h| !self.denied(msg, h.start));
        let hit = |a: Action| self.actions.iter().any(|(x, w)| *x == a && said(w));
        if let Some((action, _)) = self.actions.iter().find(|(_, w)| said(w)) {
            // "我帮我爸办的门特 到期了 要续期": 办/申请 there is the benefit they already have.
            if *action == Action::Apply && hit(Action::Renew) {
                return Some(Action::Renew);
            }
            // "米易医保局说我爸的病不给办门特": 办门特 is what was refused; the refusal is the news.
            if *action == Action::Apply && hit(Action::Appeal) {
                return Some(Action::Appeal);
            }
            // "昨天受理了 啥时候审完": news of progress, but the question is the deadline; so is
            // "我妈申请门特 11月6号就受理了 是不是超时了" (申请 there is what was handed in).
            if matches!(*action, Action::Progress | Action::Apply) && asks_when {
                return Some(Action::Deadline);
            }
            return Some(*action);
        }
        if asks_when {
            return Some(Action::Deadline);
        }
        if !u.amounts.is_empty() && (u.insurance.is_some() || u.status.is_some()) {
            return Some(Action::Estimate);
        }
        if !u.dates.is_empty() && plain.contains("受理") {
            return Some(Action::Deadline);
        }
        None
    }
}

impl Reader {
    /// `不是延期啊 他是头一回办`: a deny word right before a word at `start` (`是不是延期` asks).
    fn denied(&self, msg: &Prepared, start: Option<usize>) -> bool {
        let Some(start) = start else { return false };
        let wider = msg.slice(start.saturating_sub(3), start);
        let before = Prepared::new(&msg.slice(start.saturating_sub(2), start));
        self.deny_before.iter().any(|d| {
            d.len() <= before.chars.len() && d.exact_at(&before, before.chars.len() - d.len())
        }) && !wider.contains("是不是")
    }
}

/// Words of several lists, each tagged with its list, longest first.
fn tagged<T: Copy>(pairs: Vec<(T, &Vec<String>)>) -> Vec<(T, Word)> {
    let mut all: Vec<(T, Word)> = pairs
        .into_iter()
        .flat_map(|(tag, list)| words::words(list).into_iter().map(move |w| (tag, w)))
        .collect();
    all.sort_by_key(|(_, w)| std::cmp::Reverse(w.len()));
    all
}

fn first_tag<T: Copy>(list: &[(T, Word)], msg: &Prepared) -> Option<T> {
    list.iter()
        .filter_map(|(tag, w)| w.hits(msg).first().map(|h| (h.start.unwrap_or(usize::MAX), *tag)))
        .min_by_key(|(start, _)| *start)
        .map(|(_, tag)| tag)
}

/// The tags of `list` hit in `msg`, once each in text order; a hit inside a longer hit of
/// another tag (退休 in 没退休) is none.
fn all_tags<T: Copy + PartialEq>(list: &[(T, Word)], msg: &Prepared) -> Vec<T> {
    let hits: Vec<(usize, usize, T)> = list
        .iter()
        .flat_map(|(tag, w)| {
            w.hits(msg).into_iter().filter_map(move |h| h.start.map(|s| (s, s + h.len, *tag)))
        })
        .collect();
    let inside = |&(s, e, t): &(usize, usize, T)| {
        hits.iter().any(|&(s2, e2, t2)| t2 != t && s2 <= s && e <= e2 && e2 - s2 > e - s)
    };
    let mut kept: Vec<(usize, usize, T)> = hits.iter().copied().filter(|h| !inside(h)).collect();
    kept.sort_by_key(|&(s, _, _)| s);
    let mut tags = Vec::new();
    for (_, _, t) in kept {
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Parts of a message between separators and joining words (糖尿病和高血压, 糖尿病、高血压),
/// so each disease is matched on its own as well as in the whole text.
fn segments(text: &str) -> Vec<&str> {
    let mut parts = vec![text];
    for sep in [" ", ",", "，", "、", "。", "和", "跟", "还有", "以及", "加上", "也有", "与"]
    {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts.into_iter().map(str::trim).filter(|p| p.chars().count() >= 2 && *p != text).collect()
}

/// Whether the number at `start` is part of a letters-and-digits code (MT2026…).
/// Digit runs of four or more in the regions' phone numbers and the texts about them.
fn phone_digits(content: &Content) -> Vec<String> {
    let texts = content
        .regions
        .values()
        .flat_map(|r| [&r.hotline, &r.hotline_note, &r.hotline_fallback].into_iter().flatten());
    let mut runs: Vec<String> = texts
        .flat_map(|t| {
            t.split(|c: char| !c.is_ascii_digit()).map(str::to_string).collect::<Vec<_>>()
        })
        .filter(|run| run.len() >= 4)
        .collect();
    runs.sort();
    runs.dedup();
    runs
}

fn is_code(chars: &[char], start: usize) -> bool {
    start > 0 && chars[start - 1].is_ascii_alphabetic()
}

/// Runs of ASCII letters, digits and `-` that look like an acceptance number: at least six
/// characters with four digits, not a date, a mobile number or an ID number.
pub(super) fn acceptance_numbers(chars: &[char]) -> Vec<String> {
    let text: String = chars.iter().collect();
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|run| {
            let digits = run.chars().filter(char::is_ascii_digit).count();
            let letters = run.chars().filter(char::is_ascii_alphabetic).count();
            let all_digits = letters == 0 && !run.contains('-');
            let mobile = all_digits && run.len() == 11 && run.starts_with('1');
            let id = (run.len() == 18 && digits >= 17) || (all_digits && run.len() == 15);
            let date =
                all_digits && run.len() == 8 && (run.starts_with("19") || run.starts_with("20"));
            let long_enough = if all_digits { run.len() >= 8 } else { run.len() >= 6 };
            long_enough && digits >= 4 && !mobile && !id && !date
        })
        .map(str::to_uppercase)
        .collect()
}

/// The first two money amounts joined by a range mark (`4000~5000块`, `4000到5000`; `marks`:
/// `range_marks` of `faq/understand.yaml`), low first.
fn amount_range<'n>(
    digits: &[char],
    nums: &'n [Number],
    marks: &[String],
) -> Option<(&'n Number, &'n Number)> {
    nums.windows(2).find_map(|pair| {
        let [a, b] = pair else { return None };
        let between: String = digits[a.end..b.start].iter().collect();
        let marked = marks.iter().any(|m| m == between.trim());
        let money = |n: &Number| money(digits, n).is_some() || n.value >= 100.0;
        (marked && money(a) && money(b) && a.value < b.value).then_some((a, b))
    })
}
