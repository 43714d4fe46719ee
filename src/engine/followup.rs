//! Reading a message against the conversation's [`Context`] (issue 17): the facts each message
//! states are remembered; a follow-up naming only a new value (`糖尿病呢`, `那退休的呢`,
//! `攀枝花呢`, `七万呢`) repeats the last question with it; a question asked before the region
//! was chosen is answered right after the choice; the same answer is never sent twice in a row
//! (the dialog or a person instead); a date said earlier answers the date step of a dialog.
//!
//! [`Context`]: super::context::Context
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `understood` builds on
//! it.

use chrono::Datelike;

use super::context::{mention, Mention};
use super::render::{self, ButtonKind};
use super::turn::{Target, Turn};
use super::wording::Question;
use super::Effect;
use crate::content::dialogs::{DateRange, InputKind, Step};
use crate::content::understand::{contains_any, AskWords};
use crate::understand::Action;
use crate::understand::Context as Reading;

/// What a figure counts for in a line answering "how many" (as many as the shared words of a
/// line that only repeats the question's words: `提到的病种有…`).
const COUNT_WEIGHT: usize = 3;

/// Longest plain statement of one's insurance or status read as a follow-up
/// (`不好意思 我上个月已经退休了`).
const STATEMENT_CHARS: usize = 20;

/// Longest message read as asking for the next step (`接下来咋个办`): a longer one asks its own.
const NEXT_STEP_CHARS: usize = 8;

/// Longest value after the 呢 of a follow-up (`邵阳呢 在职的`, `那我爸呢 他是退休职工`).
const MORE_VALUE_CHARS: usize = 6;

/// FAQ topics whose answer depends on the insurance type and status: a statement of another
/// one right after such a question asks it again for that one.
const STATUS_TOPICS: &[&str] = &["deductible", "ratio"];

/// The slot of a benefit's end (`dialogs/renew.yaml`).
const VALID_UNTIL: &str = "valid_until";

/// The FAQ topics that have a dialog doing what they describe.
const TOPIC_DIALOGS: &[(&str, &str)] = &[
    ("remote", "remote"),
    ("renewal", "renew"),
    ("change-hospital", "change_hospital"),
    ("apply-steps", "apply"),
    ("materials", "apply"),
    ("register", "apply"),
    ("appeal", "rejected"),
    ("rejected", "rejected"),
    ("supplement", "rejected"),
];

impl<'a> Turn<'a> {
    /// Remembers the facts `text` states (insurance, status, age, diseases, amounts, dates).
    pub(super) fn learn(&mut self, text: &str) {
        let u = self.a.understand(text, self.reading());
        let region = self.s.region.clone();
        let mention = mention(text, &self.a.content.understand.people);
        self.s.context.focus(mention.as_ref());
        self.s.context.learn(&u, region.as_deref());
        // Where the user lives, said outside a procedure (`我一年大部分时间在深圳打工`); at a
        // step a place is what that step is about (`广州那边大医院开的`: the hospital).
        if let Some(place) = u.lives_elsewhere().filter(|_| self.s.dialog.is_none()) {
            self.s.context.lives_at = Some(place.to_string());
        }
        if let Some(day) = self.planned_hand_in(text) {
            self.s.context.hand_in = Some(day);
        }
        let number = super::track::acceptance_number(
            text,
            &self.a.content.understand.commands.reports.acceptance_no,
        );
        if let Some(no) = number.and_then(|no| crate::privacy::keepable_reference(&no, false)) {
            self.s.context.acceptance_no = Some(no);
        }
        if let Some((year, month)) = crate::understand::month_only_end(text, self.today) {
            let of_month = |d: &&chrono::NaiveDate| (d.year(), d.month()) == (year, month);
            if let Some(date) = u.dates.iter().find(of_month) {
                let kept = &mut self.s.context.month_only;
                kept.retain(|d| d != date);
                kept.push(*date);
                let excess = kept.len().saturating_sub(3);
                kept.drain(..excess);
            }
        }
        if contains_any(text, &self.a.content.understand.no_phone) {
            self.s.context.no_phone = true;
        }
        if self.says_expiry_unknown(text) {
            self.s.context.expiry_unknown = true;
        } else if u.dates.iter().any(|d| *d >= self.today) {
            self.s.context.expiry_unknown = false;
        }
        let words = &self.a.content.understand.commands;
        let ahead: Vec<_> = u.dates.iter().filter(|d| **d >= self.today).collect();
        let of_expiry = contains_any(text, &words.expiry) && !contains_any(text, &words.not_expiry);
        if let [only] = ahead.as_slice() {
            if of_expiry {
                self.s.context.expiry = Some(**only);
            }
        }
    }

    /// `不晓得好久到期`, `有效期到哪天我也不清楚`: the user does not know when the benefit ends
    /// (an `unsure` word with an `expiry` word, not about the review).
    pub(super) fn says_expiry_unknown(&self, text: &str) -> bool {
        let words = &self.a.content.understand;
        contains_any(text, &words.unsure)
            && contains_any(text, &words.commands.expiry)
            && !contains_any(text, &words.commands.not_expiry)
    }

    /// `我爸在邵阳退休了门特报多少我在外地打工帮他问`: `text` without the part where the user says
    /// where they are (from an `asker_at` word of `people:` to the next break or `on_behalf`
    /// word), when the rest is about someone else (a relative, 她/他) and that part names a place
    /// outside the regions or 外地 — it tells nothing about where the insured person lives.
    /// `None` when there is no such part.
    pub(super) fn without_asker_whereabouts(&self, text: &str) -> Option<String> {
        let lex = &self.a.content.understand;
        let at = |w: &String| (!w.is_empty()).then(|| text.find(w.as_str())).flatten();
        // `我儿子在成都上班 他能不能在手机上帮我办`: the helper's place, the user insured.
        if contains_any(text, &lex.people.for_me) {
            if let Some(start) = lex.people.helper_at.iter().filter_map(at).min() {
                return self.without_part_at(text, start, About::Anyone);
            }
        }
        // `我屋头只有老年机 娃娃都在外地打工 我去哪里办`: the children are away, the user is not.
        if let Some(start) = lex.people.kin_away.iter().filter_map(at).min() {
            if let Some(rest) = self.without_part_at(text, start, About::User) {
                return Some(rest);
            }
        }
        let start = lex.people.asker_at.iter().filter_map(at).min()?;
        self.without_part_at(text, start, About::Other)
    }

    /// `text` without the part from `start` to the next break or `on_behalf` word, when it
    /// names a place outside the regions or 外地 and the rest is about whom `about` says.
    fn without_part_at(&self, text: &str, start: usize, about: About) -> Option<String> {
        let lex = &self.a.content.understand;
        let rest = &text[start..];
        let behalf = |i: usize| {
            lex.on_behalf.iter().any(|w| !w.is_empty() && rest[i..].starts_with(w.as_str()))
        };
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(i, c)| c.is_whitespace() || super::wording::is_punct(c) || behalf(i))
            .map_or(rest.len(), |(i, _)| i);
        let others = format!("{}{}", &text[..start], &rest[end..]);
        let others = others.trim();
        let other = matches!(
            mention(others, &lex.people),
            Some(Mention::Named { .. } | Mention::Pronoun(_))
        );
        let about_other = match about {
            About::Anyone => true,
            About::Other => other,
            About::User => !other,
        };
        let part = self.a.understand(&rest[..end], self.reading());
        let afar = !part.places.is_empty() || part.action == Some(Action::Remote);
        (about_other && afar && part.regions.is_empty() && !others.is_empty())
            .then(|| others.to_string())
    }

    /// `我说的是我妈 攀枝花那边的` after an answer meant for her: a short statement naming only
    /// whom (and where) the last question was about. That question again, for that person — their
    /// facts, in their region. `false` for anything else, or with no last question.
    pub(super) fn person_restated(&mut self, text: &str) -> bool {
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        let named = matches!(
            mention(text, &self.a.content.understand.people),
            Some(Mention::Named { .. } | Mention::Me)
        );
        if !at_menu || !named || text.chars().count() > STATEMENT_CHARS {
            return false;
        }
        let u = self.a.understand(text, self.reading());
        let restates =
            u.correction || contains_any(text, &self.a.content.understand.people.restated);
        let only_whom = restates
            && !u.question
            && u.action.is_none()
            && u.diseases.is_empty()
            && u.unknown_conditions.is_empty()
            && u.amounts.is_empty()
            && u.dates.is_empty()
            && u.insurance.is_none()
            && u.status.is_none();
        let Some(question) = self.s.context.question.clone().filter(|_| only_whom) else {
            return false;
        };
        // The same question for someone else is another answer, even where its text is the same.
        self.s.context.last_answer = None;
        let names_region = !self.a.understand(&question, self.reading()).regions.is_empty();
        let region = self.s.context.their_region().map(str::to_string).filter(|_| !names_region);
        let question = match region.and_then(|r| self.a.content.regions.get(&r)) {
            Some(r) => format!("{} {question}", r.name),
            None => question,
        };
        if !self.act_on_understanding(&question, false) {
            self.faq_fallback(&question, None);
        }
        true
    }

    /// Where the person `text` points at is insured, when said (`那她一年看病花一万` after
    /// `我妈是在攀枝花退休的`): their questions are answered there, whatever region is chosen.
    pub(super) fn region_of_person(&self, text: &str) -> Option<String> {
        mention(text, &self.a.content.understand.people)?;
        let region = self.s.context.their_region()?;
        self.a.content.regions.contains_key(region).then(|| region.to_string())
    }

    fn reading(&self) -> Reading<'_> {
        Reading { today: self.today, region: self.region() }
    }

    /// Remembers `text` as the last question, when it is one that names nobody.
    pub(super) fn remember_question(&mut self, text: &str) {
        let Some(kept) = keepable(text) else { return };
        let u = self.a.understand(text, self.reading());
        // `不是 我问邵阳的 你怎么又跳回攀枝花了 切到邵阳`: a switch asked for is no question to
        // answer again later.
        if !u.question || u.switch_to().is_some() {
            return;
        }
        let region = u.region().map(str::to_string).or_else(|| self.s.region.clone());
        self.s.context.question = Some(kept);
        self.s.context.question_region = region;
    }

    /// `糖尿病呢`: the last question again with the value this message names. `false` when
    /// the message is no such follow-up (or there is no last question).
    pub(super) fn follow_up(&mut self, text: &str) -> bool {
        // `糖尿病要什么材料呢` asks its own question: only a bare value is a follow-up.
        let ends = &self.a.content.understand.follow_up_end;
        let bare = follow_up_core(text, ends);
        let restated = bare.is_none();
        let core = bare.or_else(|| self.restated_status(text));
        let Some(core) = core else { return false };
        let Some(last) = self.s.context.question.clone() else { return false };
        let region = self.s.context.question_region.clone().or_else(|| self.s.region.clone());
        if self.asks(&core) != Question::No {
            // `审核要多久呢` after an answer for the region not chosen: asked there again.
            let names_region = !self.a.understand(&core, self.reading()).regions.is_empty();
            return !names_region && self.follow_up_elsewhere(&core, region.as_deref());
        }
        let reading = Reading { today: self.today, region: region.as_deref() };
        let new = self.a.understand(&core, reading);
        let old = self.a.understand(&last, reading);
        let disease = !new.diseases.is_empty() || !new.unknown_conditions.is_empty();
        let status = new.insurance.is_some() || new.status.is_some();
        let place = new.region().is_some();
        if !(disease || status || place || !new.amounts.is_empty() || new.age.is_some()) {
            return self.follow_up_elsewhere(&core, region.as_deref());
        }
        // Another question than the last one, even where its answer is the same text.
        self.s.context.last_answer = None;
        let last_text = last.clone();
        let mut rest = last;
        if disease {
            for d in &old.diseases {
                rest = rest.replace(d.alias.as_deref().unwrap_or(&d.name), "");
            }
            for c in &old.unknown_conditions {
                rest = rest.replace(c.as_str(), "");
            }
        }
        if status {
            // `follow_up_status` of `faq/understand.yaml`: `那退休的呢` after `在职职工报销比例多少`.
            for w in &self.a.content.understand.reading.follow_up_status {
                rest = rest.replace(w.as_str(), "");
            }
        }
        if place {
            for m in &old.regions {
                rest = rest.replace(m.word.as_str(), "");
            }
        }
        // The new value first: the readers take the first amount, region or status named. A
        // disease after a question about none (`帕金森呢` after an estimate) asks whether it is
        // covered, the first thing anyone asks about a disease. So does one after an estimate
        // (`那精分呢` after 尿毒症's figures): the estimate does not depend on the disease, and the
        // same figures again would answer nothing.
        let no_disease = old.diseases.is_empty() && old.unknown_conditions.is_empty();
        // `那他明年退休了呢` after an estimate and a question on its deductible: the estimate
        // again for the new status (its ratio changes; the deductible line comes with it).
        let asks = &self.a.content.understand.asks;
        let amount = self.s.context.amount().filter(|_| {
            status
                && !disease
                && no_disease
                && old.amounts.is_empty()
                && about_costs(&last_text, asks)
        });
        let question = match (disease && (no_disease || !old.amounts.is_empty()), amount) {
            (true, _) => format!("{core}能办门特吗"),
            (false, Some(yuan)) => {
                format!("{core} 一年花{}元 能报多少", crate::policy::calc::money(yuan))
            }
            // `我们是城乡居民医保` after `我孙子3岁 脑瘫 能办门特不`: a statement about oneself
            // after a disease's verdict — the diseases again for that insurance, as said
            // (the verdict with its figures), not the how-to again.
            (false, None) if restated && status && !no_disease => {
                let named = old.diseases.iter().map(|d| d.name.clone());
                let named: Vec<String> = named.chain(old.unknown_conditions.clone()).collect();
                format!("{core} {}", named.join(" "))
            }
            (false, None) => format!("{core} {}", rest.trim()),
        };
        self.s.context.question = Some(question.clone());
        if let Some(named) = new.region().filter(|_| place) {
            // `邵阳呢 在职的`: the next follow-up goes on in 邵阳.
            self.s.context.question_region = Some(named.to_string());
        }
        if self.hold_for_region(&question) {
            return true;
        }
        let only_status = status && !disease && !place && new.amounts.is_empty();
        // `那我爸呢 他是退休职工` after his wife's 起付线 and 报销比例: both, for him.
        let question = match self.cost_topics_asked(region.as_deref()) {
            Some(asked) if only_status && amount.is_none() => {
                let question = format!("{core} {asked}");
                self.s.context.question = Some(question.clone());
                question
            }
            _ => question,
        };
        // `那在职的呢` where the lines say only 城镇职工: the insurance it implies.
        let values = [Some(core.clone()), status_value(None, new.insurance)];
        if only_status && self.answer_for_status(&question, &values, region.as_deref()) {
            return true;
        }
        if !self.act_on_understanding(&question, false) {
            self.faq_fallback(&question, None);
        }
        true
    }

    /// When the conversation asked about every topic whose figures depend on the insurance and
    /// status (起付线 and 报销比例): those questions, in the FAQ's first wording for `region`, for
    /// a follow-up naming another person's status to ask all of them again.
    fn cost_topics_asked(&self, region: Option<&str>) -> Option<String> {
        let region = region?;
        let asked = &self.s.context.topics;
        let mut questions = Vec::new();
        for topic in STATUS_TOPICS {
            if !asked.iter().any(|t| t == topic) {
                return None;
            }
            let entry = self.faq_entry(region, topic)?;
            questions.push(entry.questions.first()?.clone());
        }
        Some(questions.join(" "))
    }

    /// `先做啥子`, `然后呢`, `第一步做什么` at the menu: the next step of the topic answered last
    /// (`异地备案 先做啥子` after the 异地 answer), when the FAQ is sure of it. `false` for any
    /// other message, or when no topic was answered yet.
    pub(super) fn next_step(&mut self, text: &str) -> bool {
        let lex = &self.a.content.understand;
        let plain = self.a.content.dialect.plain(text);
        // `注册好了 下一步呢`: a step said done makes it longer, not another question.
        let done = contains_any(&plain, &lex.step_done);
        let limit = if done { 2 * NEXT_STEP_CHARS } else { NEXT_STEP_CHARS };
        let short = text.chars().count() <= limit;
        let asks_next = lex.next_step.iter().any(|w| !w.is_empty() && plain.contains(w.as_str()));
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        if !(short && asks_next && at_menu) {
            return false;
        }
        let Some(topic) = self.s.context.topics.last().cloned() else { return false };
        let region = self.s.context.question_region.clone().or_else(|| self.s.region.clone());
        // `注册好了 下一步呢` after numbered steps: the step after the one done.
        if let Some(next) = self.step_after_done(&plain, &topic, region.as_deref()) {
            self.s.context.last_answer = None;
            self.say(next);
            self.reask();
            return true;
        }
        let Some(name) = self.topic_name(&topic, region.as_deref()) else { return false };
        let question = format!("{name} {text}");
        let answer = self.a.knowledge.answer(&question, region.as_deref());
        if answer.id.is_none() {
            return false;
        }
        // The next step of the same topic is not the same question, even where the text is.
        self.s.context.last_answer = None;
        self.say_answer(answer);
        self.reask();
        true
    }

    /// Of the numbered steps of `topic`'s answer for `region`, the one after the step the user
    /// says is done (`注册好了`: the two characters before a `step_done` word, found in a step),
    /// with its source. `None`: nothing said done, no such step, or it was the last.
    fn step_after_done(&self, text: &str, topic: &str, region: Option<&str>) -> Option<String> {
        let words = &self.a.content.understand.step_done;
        let before = words
            .iter()
            .filter(|w| !w.is_empty())
            .find_map(|w| text.split_once(w.as_str()).map(|(before, _)| before.trim()))?;
        let chars: Vec<char> = before.chars().filter(|c| !c.is_whitespace()).collect();
        let done: String = chars[chars.len().saturating_sub(2)..].iter().collect();
        if done.chars().count() < 2 {
            return None;
        }
        let region = region?;
        let entry = self.faq_entry(region, topic)?;
        let steps: Vec<&str> = (entry.answer.lines())
            .map(str::trim)
            .filter_map(|l| l.split_once(". ").filter(|(n, _)| n.parse::<u8>().is_ok()))
            .map(|(_, step)| step)
            .collect();
        let at = steps.iter().position(|step| step.contains(&done))?;
        let next = steps.get(at + 1)?;
        let source = self.a.content.citations.cite_short(&entry.source);
        Some(format!("下一步：{next}\n来源：{source}｜地区：{}", self.region_label(region)))
    }

    /// What a topic is called when asked about: the title of its dialog (异地备案), else the
    /// first wording of its FAQ entry for `region`.
    fn topic_name(&self, topic: &str, region: Option<&str>) -> Option<String> {
        let dialog = TOPIC_DIALOGS.iter().find(|(t, _)| *t == topic).map(|(_, d)| *d);
        if let Some(tree) = dialog.and_then(|d| self.a.content.dialogs.trees.get(d)) {
            return Some(tree.title.clone());
        }
        let entry = self.a.content.faq.iter().find(|e| {
            e.topic.as_deref() == Some(topic)
                && (e.regions.is_empty()
                    || region.is_some_and(|r| e.regions.iter().any(|x| x == r)))
        })?;
        entry.questions.first().cloned()
    }

    /// `我是退休职工 报好多`, `我们家是城乡居民医保 报销多少`: a question on 起付线 or 报销比例
    /// that says whose it is gets the lines for that insurance and status (as a follow-up
    /// naming them would, see [`Turn::answer_for_status`]), not the whole table. `false`: no
    /// insurance or one status said, an amount or a disease in it (composed elsewhere), or
    /// another topic.
    pub(super) fn cost_lines_for_said_status(&mut self, text: &str) -> bool {
        let u = self.a.understand(text, self.reading());
        let said = u.insurance.is_some() || !u.statuses.is_empty();
        // `那起付线好多钱` after `我是退休职工`: the insurance and status the conversation knows of
        // the person it is about (play-test round 14, P5: both types' lines again).
        let known = (self.s.context.insurance(), self.s.context.status());
        // Not when the message points at someone (`那她报好多`: whose facts the follow-up path
        // reads), nor when the costs are composed from what is known (起付线 and 比例 at once).
        let compare = contains_any(text, &self.a.content.understand.asks.compare);
        let someone = mention(text, &self.a.content.understand.people).is_some();
        let composed = || {
            let mut known_u = u.clone();
            known_u.insurance = known.0;
            known_u.status = known.1;
            let region = self.region().and_then(|r| self.a.content.regions.get(r));
            region.is_some_and(|r| self.costs(&known_u, r, text).is_some())
        };
        // Only the deductible (`那起付线好多钱`): what it pays is composed for the person.
        let deductible = contains_any(text, &self.a.content.understand.asks.deductible);
        let knows = !said && deductible && known.0.is_some() && !compare && !someone && !composed();
        // A region named is chosen first (`我是攀枝花的 职工起付线多少`), by the composed path;
        // a correction (`搞错了 我是居民`) is read there too.
        if !u.question || !(said || knows) || !u.regions.is_empty() || self.region().is_none() {
            return false;
        }
        if contains_any(text, &self.a.content.understand.correction) {
            return false;
        }
        if !u.amounts.is_empty() || !u.diseases.is_empty() {
            return false;
        }
        // Two statuses (`在职的职工呢 退休的又报多少`): the lines of their insurance, both.
        let (status, insurance) = match knows {
            true => (known.1, known.0),
            false => (u.status.filter(|_| u.statuses.len() == 1), u.insurance),
        };
        let values = [status_value(status, insurance), status_value(None, insurance)];
        // `她是居民医保 那她报好多` about a sister said to be in 攀枝花: her region's lines, not
        // the chosen region's (play-test round 15, P5).
        let theirs = self.s.context.their_region().filter(|_| someone).map(str::to_string);
        let region = theirs.or_else(|| self.region().map(str::to_string));
        if !self.answer_for_status(text, &values, region.as_deref()) {
            return false;
        }
        // Only a part of the table was sent: a follow-up asking for more is no repetition.
        self.s.context.last_answer = None;
        true
    }

    /// `居民的嘞` after `职工起付线好多`: of the FAQ's answer on 起付线 or 报销比例, the lines for
    /// the insurance and status now said (`value`: 居民, 退休职工 …) and those that name none,
    /// not the whole table again. `false` when the costs are composed instead (both asked), the
    /// answer is on another topic, or no line names that value.
    fn answer_for_status(
        &mut self,
        question: &str,
        values: &[Option<String>],
        region: Option<&str>,
    ) -> bool {
        let Some(r) = region.and_then(|r| self.a.content.regions.get(r)) else {
            return false;
        };
        let u = self.a.understand(question, self.reading());
        // An estimate (`那居民呢` after `一年花一万 自己出好多`) is composed again instead.
        if !u.amounts.is_empty() || self.costs(&u, r, question).is_some() {
            return false;
        }
        let answer = self.a.knowledge.answer(question, Some(&r.id));
        let Some(id) = answer.id.as_deref() else { return false };
        let topic = self.a.content.faq.iter().find(|e| e.id == id).and_then(|e| e.topic.clone());
        if !topic.is_some_and(|t| STATUS_TOPICS.contains(&t.as_str())) {
            return false;
        }
        let status_words = &self.a.content.understand.reading.follow_up_status;
        let kept = values.iter().flatten().find_map(|v| lines_for(&answer.answer, v, status_words));
        let Some(kept) = kept else { return false };
        let mut answer = answer.clone();
        answer.answer = kept;
        let elsewhere = (Some(r.id.as_str()) != self.region()).then(|| r.id.clone());
        self.say_answer(answer);
        // `那在职的呢` after 攀枝花's figures with 邵阳 chosen: still 攀枝花's, offered as such.
        if let Some(region) = elsewhere {
            let label = self.region_label(&region);
            let switch = self.button(format!("切换到{label}"), ButtonKind::Region(region));
            if let Some(reply) = self.replies.last_mut() {
                reply.choices.push(switch);
            }
        }
        self.reask();
        true
    }

    /// `那起付线呢` after an answer for a region not chosen (shown with its 切换到 button): the
    /// new topic in the region of the question it follows, not the session's.
    fn follow_up_elsewhere(&mut self, core: &str, region: Option<&str>) -> bool {
        let Some(region) = region.filter(|r| Some(*r) != self.region()) else { return false };
        if self.s.dialog.is_some() {
            return false;
        }
        let region = region.to_string();
        self.faq_for(core, &region)
    }

    /// `审核好久` right after an answer for the region not chosen (`我老汉在攀枝花 他那边咋个申请`
    /// with 邵阳 chosen): the conversation is about someone there now, so a plain question naming
    /// no place is answered there too, with its 切换到 button. `false` for anything else (a
    /// region or place named, facts of one's own or an insurance or status, a step waiting) or
    /// when the FAQ is not sure.
    pub(super) fn asked_elsewhere_again(&mut self, text: &str) -> bool {
        let chosen = self.s.region.clone();
        let Some(elsewhere) = self.s.context.question_region.clone() else { return false };
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        if chosen.is_none() || chosen.as_deref() == Some(elsewhere.as_str()) || !at_menu {
            return false;
        }
        let u = self.a.understand(text, self.reading());
        // An insurance or status (`退休职工报多少`) describes someone anew, maybe the user: the
        // chosen region answers that (a follow-up `那退休的呢` is read by `follow_up`).
        let someone = u.insurance.is_some() || u.status.is_some();
        if !u.question || !u.regions.is_empty() || !u.places.is_empty() || u.personal() || someone {
            return false;
        }
        // Only where someone was said to be there (`我老汉在攀枝花`): a region named for one
        // question (`四川医保APP里怎么续期`) does not carry over to the next.
        let last = self.s.context.question.clone().unwrap_or_default();
        let lives_there = self
            .a
            .understand(&last, self.reading())
            .regions
            .iter()
            .any(|m| m.region == elsewhere && m.role == crate::understand::RegionRole::Home);
        let Some(kept) = keepable(text).filter(|_| lives_there) else { return false };
        // `她能报好多` after `她是居民医保`: the lines for her insurance only.
        let (insurance, status) = (self.s.context.insurance(), self.s.context.status());
        let values = [status_value(status, insurance), status_value(None, insurance)];
        let for_status = insurance.is_some()
            && !contains_any(text, &self.a.content.understand.asks.compare)
            && self.answer_for_status(text, &values, Some(&elsewhere));
        // `他们那边在哪个上面办`: 那边 is where they were said to be, not 异地.
        if !for_status && !self.faq_for(&self.without_there(text), &elsewhere) {
            return false;
        }
        self.s.context.question = Some(kept);
        true
    }

    /// `说错了 我是居民医保 不是职工`, `我上个月已经退休了`, `我是居民` right after a question
    /// about 起付线 or 报销比例 or about a disease: the insurance or status the figures depend on, said as a plain
    /// statement — the value a follow-up repeats the last question with (`居民`, `退休`).
    /// `None` for anything else (a question, more facts than that, or a last question whose
    /// answer does not depend on them).
    fn restated_status(&self, text: &str) -> Option<String> {
        let u = self.a.understand(text, self.reading());
        let only_status = !u.question
            && u.action.is_none()
            && u.diseases.is_empty()
            && u.unknown_conditions.is_empty()
            && u.amounts.is_empty()
            && u.regions.is_empty()
            && text.chars().count() <= STATEMENT_CHARS;
        if !only_status {
            return None;
        }
        let last = self.s.context.question.as_deref()?;
        let region = self.s.context.question_region.as_deref().or(self.region());
        // After an estimate (`一年花八千 能报多少`, then `哦不对 我是居民医保`) the estimate is
        // made again for the insurance now said (`continued_estimate`).
        let old = self.a.understand(last, self.reading());
        if !old.amounts.is_empty() {
            return None;
        }
        // `我孙子3岁 脑瘫 能办门特不`, then `我们是城乡居民医保`: the verdict again, with the
        // figures for the insurance now said.
        if !old.diseases.is_empty() || !old.unknown_conditions.is_empty() {
            return status_value(u.status, u.insurance);
        }
        let id = self.a.knowledge.answer(last, region).id?;
        let topic = self.a.content.faq.iter().find(|e| e.id == id)?.topic.clone()?;
        if !STATUS_TOPICS.contains(&topic.as_str()) {
            return None;
        }
        // `那城乡居民有起付线冒` after the ratio: the other cost topic asked (冒 is 湖南话's 没),
        // not the ratio again for 居民.
        let own = self.a.knowledge.answer(text, region).id;
        let own = own.and_then(|id| self.a.content.faq.iter().find(|e| e.id == id));
        if own
            .and_then(|e| e.topic.as_deref())
            .is_some_and(|t| STATUS_TOPICS.contains(&t) && t != topic)
        {
            return None;
        }
        status_value(u.status, u.insurance)
    }

    /// A question asked before any region was chosen: kept for [`Turn::answer_before_region`].
    /// `false` when it needs no region (the FAQ's answer is the same everywhere) or is not a
    /// question the assistant can answer anyway.
    pub(super) fn keep_until_region(&mut self, text: &str) -> bool {
        let Some(kept) = keepable(text).filter(|_| self.s.region.is_none()) else {
            return false;
        };
        let u = self.a.understand(text, self.reading());
        let answer = self.a.knowledge.answer(text, None);
        // Facts of one's own (an amount, a date, a disease) make the answer the region's even
        // when the FAQ's nearest entry is general: 一年花了四万 自己要出好多 needs its figures.
        // Living elsewhere and asking about 备案 (`我在广东带孙子 门特能在那边报吗 怎么备案`) asks
        // for the region's 异地 rules, whatever general entry the words come nearest to.
        let remote = u.lives_elsewhere().is_some() && u.action == Some(Action::Remote);
        let regional = u.personal()
            || remote
            || match &answer.id {
                // A topic id: the answer of several regions, each its own.
                Some(id) => self.a.content.faq.iter().any(|e| {
                    (&e.id == id || e.topic.as_ref() == Some(id)) && !e.regions.is_empty()
                }),
                None => !u.diseases.is_empty() || u.action.is_some(),
            };
        if !regional || !(u.question || u.action.is_some()) {
            return false;
        }
        self.s.context.before_region = Some(kept);
        true
    }

    /// At the region question (none chosen yet), a question is kept for the chosen region and the
    /// region asked again, instead of an answer for every region or "not sure". `true` when kept.
    pub(super) fn hold_for_region(&mut self, text: &str) -> bool {
        let at_region_step = self.s.dialog.as_deref() == Some("region") && self.s.pending.is_none();
        if !at_region_step || !self.keep_until_region(text) {
            return false;
        }
        self.say("您的问题我记下了，选好地区后马上按当地规定回答。");
        self.reask();
        true
    }

    /// Right after the region is chosen: the question asked before it, answered there. `true`
    /// when there was one.
    pub(super) fn answer_before_region(&mut self) -> bool {
        let Some(question) = self.s.context.before_region.take() else { return false };
        self.clear_dialog();
        self.remember_question(&question);
        if !self.act_on_understanding(&question, false) {
            self.faq_fallback(&question, None);
        }
        true
    }

    /// The hook for a region changed in words (`我是邵阳的`, `切换到邵阳`): the question asked
    /// before any region, else the last question, answered again in the new region. `true` when
    /// one was answered.
    pub(super) fn region_changed(&mut self) -> bool {
        if self.answer_before_region() {
            return true;
        }
        let Some(question) = self.s.context.question.clone() else { return false };
        if self.s.context.question_region == self.s.region || self.s.dialog.is_some() {
            return false;
        }
        self.s.context.question_region = self.s.region.clone();
        // The same topic in another region is another answer, not a repeat.
        self.s.context.last_answer = None;
        // `…在攀枝花 …能办门特不`, then `不对 是邵阳的`: the old region's name comes off, else the
        // question would be answered for it again.
        let u = self.a.understand(&question, self.reading());
        let mut question = question;
        for m in u.regions.iter().filter(|m| Some(&m.region) != self.s.region.as_ref()) {
            question = question.replace(m.word.as_str(), "");
        }
        if self.act_on_understanding(&question, false) {
            return true;
        }
        // A question nobody could answer (it was a complaint, not a question) is not asked
        // again: the caller shows where the user is instead of "not sure" for a region's name.
        let region = self.s.region.clone();
        self.faq_for(&question, region.as_deref().unwrap_or_default())
    }

    /// After a switch the user asked for: the last question answered in the region now chosen,
    /// even when it was answered there already (with a 切换到 button, `邵阳退休职工报几成`, then
    /// `不是 我问邵阳的 … 切到邵阳`). `true` when one was answered.
    pub(super) fn question_again_here(&mut self) -> bool {
        if self.s.context.before_region.is_none() && self.s.context.question.is_some() {
            self.s.context.question_region = None;
        }
        self.region_changed()
    }

    /// Called with every answer about to be sent (`text`): when it is the text sent last time,
    /// what the user lacks comes instead — the one line of it that answers a pointed question
    /// (`备案了报销会不会少`), else the dialog that does it (`dialog`), else a person — and `true`
    /// is returned so the caller sends nothing more.
    pub(super) fn repeated(&mut self, key: String, dialog: Option<String>, text: &str) -> bool {
        self.answered = true;
        // `我是问照片啷个照` in a conversation about renewing (an end of validity said, or the
        // renewal answered): the steps of 延期, not of a first application (play-test round
        // 15, P4: 新申请 started, its disease and first-application materials asked).
        let renewing = self.s.context.expiry.is_some()
            || self.s.context.topics.iter().any(|t| t.starts_with("renewal"));
        let dialog = match dialog.as_deref() {
            Some("apply") if renewing => Some("renew".to_string()),
            _ => dialog,
        };
        let lines = body_lines(text);
        let seen = &self.s.context.last_lines;
        // A part of the last answer, not all of it: the whole again under another key is a
        // follow-up's answer (`那居民呢` after the table, read as before by its topic).
        // A follow-up naming a new value (`那居民呢`) or a fact corrected (`我是居民`, `退休了`)
        // is answered by a part of the last answer on purpose: its lines for that value.
        let bare = self.message.trim_end_matches(|c: char| !c.is_alphanumeric());
        let follow_up =
            self.a.content.understand.follow_up_end.iter().any(|w| bare.ends_with(w.as_str()));
        let u = self.a.understand(&self.message, self.reading());
        let facts = u.insurance.is_some()
            || !u.statuses.is_empty()
            || !u.regions.is_empty()
            || !u.diseases.is_empty()
            || !u.amounts.is_empty()
            || !u.dates.is_empty()
            || u.age.is_some();
        let same_lines = !follow_up
            && !facts
            && !lines.is_empty()
            && lines.len() < seen.len()
            && lines.iter().all(|l| seen.contains(l));
        let same_key = self.s.context.last_answer.as_deref() == Some(key.as_str());
        let same = same_key || same_lines;
        self.s.context.last_answer = Some(key.clone());
        self.s.context.last_lines = lines;
        // Whether this answer carries the how-to: the FAQ's own steps do (the caller marks a
        // composed answer that has them); any other answer puts them out of sight.
        self.s.context.steps_shown = key.strip_prefix("topic:apply-steps@").map(str::to_string);
        let topic = key.strip_prefix("topic:").and_then(|k| k.split('@').next());
        // Only after an answer can a question be asked again: `那农村的到底报好多` as a first
        // question has 到底 in it, and no earlier paragraph to point at.
        let answered_before = !self.s.context.topics.is_empty();
        if let Some(topic) = topic {
            self.s.context.asked(topic);
        }
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        // `我问的是备案 异地备案哪门办`: asked again in other words after an answer that did not
        // do it (the same paragraph came earlier, not last): the procedure itself, at once.
        // A message asking to apply (`我是说现在就开始申请`) wants 新申请, whatever procedure the
        // answer leads to (the 代办 answer's is 延期: play-test round 13, P2).
        // (申请 said: 咋个弄 alone is an apply word too, but `备案到底咋个弄` asks about 备案.)
        let applies =
            u.action == Some(crate::understand::Action::Apply) && self.message.contains("申请");
        let dialog = match applies && self.a.content.dialogs.trees.contains_key("apply") {
            true => Some("apply".to_string()),
            false => dialog,
        };
        let procedure = dialog.as_ref().filter(|d| self.a.content.dialogs.trees.contains_key(*d));
        let again = !same
            && answered_before
            && at_menu
            && procedure.is_some()
            && !self.message.is_empty()
            && self.a.understand(&self.message, self.reading()).asked_again;
        if !same && !again {
            return false;
        }
        self.s.context.last_answer = None;
        // `那她报好多` after the table of ratios, her insurance said earlier: her lines of it.
        if let Some(lines) = self.lines_for_person(&key, text) {
            self.say(lines);
            self.reask();
            return true;
        }
        if let Some(line) = self.line_answering(text) {
            self.say(format!("刚才的回答里有这一句：\n{line}"));
            self.reask();
            return true;
        }
        // Asked in other words, answered by the same lines (`我不会弄手机 有没得地方可以去当面办`
        // after the window's hours): that answer was it, said in one line, not sent again.
        let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("来源"));
        if let Some(first) = first.filter(|_| same_lines && !same_key && dialog.is_none()) {
            self.say(format!("刚才那条说的就是：\n{first}"));
            self.reask();
            return true;
        }
        match dialog.filter(|d| at_menu && self.a.content.dialogs.trees.contains_key(d)) {
            Some(dialog) => {
                // The steps, and a person for who would rather ask one (asked twice already).
                let hotline = self.hotline_text();
                self.say(format!(
                    "上面就是资料里的说法。我们一步步来办（想直接问人：{hotline}）："
                ));
                self.start_dialog(&dialog, true);
            }
            None if self.insured_elsewhere().is_some() => {
                let place = self.insured_elsewhere().unwrap_or_default();
                let line = self.a.content.understand.elsewhere_again.replace("{place}", &place);
                self.say(line);
                self.reask();
            }
            None => {
                self.say(format!(
                    "资料里能找到的就是刚才那些。还不清楚的话，直接问人工最快：\n{}",
                    self.hotline_text()
                ));
                // Not a request for a person (the user did not ask for one: the console's
                // queue would count requests nobody made), but a question the content did not
                // answer well enough, for staff to turn into a better answer.
                if !self.message.is_empty() {
                    let (question, region) = (self.message.clone(), self.s.region.clone());
                    self.effects.push(Effect::Unanswered { question, region });
                }
                self.reask();
            }
        }
        true
    }

    /// Of an answer on 起付线 or 报销比例 (`key`: its topic) sent again, the lines for the
    /// insurance and status the conversation established; `None` when none is known, the topic
    /// is another, or no line (or every line) is for it.
    fn lines_for_person(&self, key: &str, text: &str) -> Option<String> {
        let topic = key.strip_prefix("topic:")?.split('@').next()?;
        if !STATUS_TOPICS.contains(&topic) {
            return None;
        }
        let c = &self.s.context;
        // `那单位上班的职工呢 退了休又是多少`: a message naming two statuses asks about both, so
        // the lines of the insurance, not of the one status the context kept.
        let both = self.a.understand(&self.message, self.reading()).statuses.len() > 1;
        let status = c.status().filter(|_| !both);
        let values = [status_value(status, c.insurance()), status_value(None, c.insurance())];
        let status_words = &self.a.content.understand.reading.follow_up_status;
        let kept = values.iter().flatten().find_map(|v| lines_for(text, v, status_words))?;
        (kept.lines().count() < text.lines().count()).then_some(kept)
    }

    /// The place not covered that this turn's message names, with no covered region named
    /// (`我在成都参保`); `None` also when no wording for it is in the content.
    fn insured_elsewhere(&self) -> Option<String> {
        if self.a.content.understand.elsewhere_again.is_empty() {
            return None;
        }
        let u = self.a.understand(&self.message, self.reading());
        let place = u.places.first().filter(|_| u.regions.is_empty())?;
        Some(place.name.clone())
    }

    /// The line of `answer` that a pointed question this turn asks about: the one sharing most
    /// two-character words with it (at least two, and more than any other line). `None` for a
    /// message that is no clear question, says the user is lost, or asks how to do the thing
    /// (`异地备案哪门办`: the steps, not a line of what was already sent).
    fn line_answering(&self, answer: &str) -> Option<String> {
        let message = self.message.as_str();
        let plain = self.a.content.dialect.plain(message);
        // A weak question (`…要等几天才晓得结果`) is one too: the FAQ found it the same topic.
        if self.asks(message) == Question::No || self.lost(message) || self.asks_steps(&plain) {
            return None;
        }
        // `我问的是备案`: the last reply missed the point, no line of it will do.
        let reading = self.reading();
        if self.a.understand(message, reading).asked_again {
            return None;
        }
        let asked = pairs(message);
        // `总共能申请的病种有好多种嘛`: a question of how many or how long is answered by a
        // line with a figure in it.
        let counts = contains_any(&plain, &self.a.content.understand.asks.count);
        let figure = |l: &str| usize::from(counts && has_count(l)) * COUNT_WEIGHT;
        // `在广州看病是不是报得比在邵阳少`: the line saying whether it is lowered, though it
        // shares few words with the question.
        let words = &self.a.content.understand;
        let less = asks_less(&plain, &words.asks.less, &words.asks.not_less);
        let lowered = |l: &str| {
            usize::from(less && contains_any(l, &words.reading.less_answer)) * COUNT_WEIGHT
        };
        let mut scored: Vec<(usize, &str)> = answer
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("来源"))
            .map(|l| (pairs(l).intersection(&asked).count() + figure(l) + lowered(l), l))
            .collect();
        scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        match scored.as_slice() {
            [(best, line), rest @ ..]
                if *best >= 2 && rest.first().map_or(true, |(next, _)| next < best) =>
            {
                Some(line.to_string())
            }
            _ => None,
        }
    }

    /// What makes an FAQ answer (entry id, or a topic for an answer of several regions) the
    /// same as another — its topic — and the dialog of that topic (`remote` → 异地备案).
    pub(super) fn entry_key(&self, id: &str) -> (String, Option<String>) {
        let entry = self.a.content.faq.iter().find(|e| e.id == id);
        let topic = entry.and_then(|e| e.topic.clone()).unwrap_or_else(|| id.to_string());
        let dialog = TOPIC_DIALOGS.iter().find(|(t, _)| *t == topic).map(|(_, d)| d.to_string());
        (format!("topic:{topic}"), dialog)
    }

    /// The dialog a composed answer's buttons lead into.
    pub(super) fn dialog_of_choices(choices: &[super::Choice]) -> Option<String> {
        choices.iter().find_map(|c| match render::decode(&c.data)?.kind {
            ButtonKind::Menu(id) if id != "menu" => Some(id),
            _ => None,
        })
    }

    /// A date step the conversation already has the date for (`我的门特这个月27号到期` before
    /// 续期): filled in with a note, the date used up. `None`: ask it.
    pub(super) fn date_said(&mut self, step: &Step) -> Option<Target> {
        let slot = step.slot.as_deref()?;
        let date = self.known_date(step)?;
        self.s.context.dates.retain(|d| *d != date);
        self.s.slots.insert(slot.to_string(), date.format("%Y-%m-%d").to_string());
        // One "已填好" line with the other values taken from the same message (线下, 受理号).
        match self.s.context.month_only.contains(&date) {
            true => {
                let filled = self.filled_date_text(date);
                self.say(filled);
            }
            false => self.taken.push(crate::policy::dates::format_cn(date)),
        }
        Some(self.after(step, None))
    }

    /// "已填好：…" for a date step filled in from an earlier message; for a date said by its
    /// month alone (`3月份到期`), which day was taken (`month_only_filled` of
    /// `faq/understand.yaml`).
    pub(super) fn filled_date_text(&self, date: chrono::NaiveDate) -> String {
        let shown = crate::policy::dates::format_cn(date);
        let wording = &self.a.content.understand.month_only_filled;
        match self.s.context.month_only.contains(&date) && !wording.is_empty() {
            true => wording
                .replace("{date}", &shown)
                .replace("{year}", &date.year().to_string())
                .replace("{month}", &date.month().to_string()),
            false => format!("{}{shown}{}", super::turn::TAKEN_HEAD, super::turn::TAKEN_TAIL),
        }
    }

    fn known_date(&self, step: &Step) -> Option<chrono::NaiveDate> {
        if step.ask != Some(InputKind::Date) {
            return None;
        }
        let future = match step.date? {
            DateRange::Future => true,
            DateRange::Past => false,
        };
        // The benefit's end, when one was said as such, over the latest day said.
        let expiry = self.s.context.expiry.filter(|d| *d >= self.today);
        if let Some(day) = expiry.filter(|_| step.slot.as_deref() == Some(VALID_UNTIL)) {
            return Some(day);
        }
        self.s.context.date(future, self.today)
    }

    /// "您知道到期日吗？" after `不晓得好久到期`: answered no (with a line saying why), so the
    /// dialog goes on with where to find the date. `true` when answered.
    pub(super) fn doesnt_know_date(&mut self, step: &Step) -> bool {
        if !self.s.context.expiry_unknown || !self.asks_if_date_known(step) {
            return false;
        }
        let Some(slot) = step.slot.clone() else { return false };
        self.s.slots.insert(slot, "否".into());
        let said = self.a.content.understand.expiry_unknown_said.clone();
        if !said.is_empty() {
            self.say(said);
        }
        true
    }

    /// Whether `step` asks if the user knows a date ahead: a yes/no whose yes leads (through
    /// steps that ask nothing) to a step asking that date.
    pub(super) fn asks_if_date_known(&mut self, step: &Step) -> bool {
        self.date_step_after_yes(step).is_some()
    }

    /// At a step asking a date ahead (`待遇到期日是哪天`, reached by a button that skipped the
    /// question whether it is known), the yes/no step of the dialog asking whether it is known:
    /// `不晓得好久到期` there answers that one no.
    pub(super) fn date_known_question(&mut self, date_step: &Step) -> Option<&'a Step> {
        let tree = self.tree()?;
        tree.steps
            .iter()
            .find(|q| self.date_step_after_yes(q).as_deref() == Some(date_step.id.as_str()))
    }

    /// The id of the step asking a date ahead that a yes to `step` leads to (through steps that
    /// ask nothing); `None` when `step` is no such yes/no question.
    fn date_step_after_yes(&mut self, step: &Step) -> Option<String> {
        let (Some(InputKind::YesNo), Some(slot)) = (step.ask, step.slot.clone()) else {
            return None;
        };
        let before = self.s.slots.insert(slot.clone(), "是".into());
        let mut target = self.after(step, None);
        let mut found = None;
        for _ in 0..4 {
            let Target::Step(id) = &target else { break };
            let Some(next) = self.tree().and_then(|t| t.step(id)) else { break };
            if next.ask == Some(InputKind::Date) {
                found = matches!(next.date, Some(DateRange::Future)).then(|| next.id.clone());
                break;
            }
            if next.ask.is_some() {
                break;
            }
            target = self.after(next, None);
        }
        match before {
            Some(v) => self.s.slots.insert(slot, v),
            None => self.s.slots.remove(&slot),
        };
        found
    }

    /// "您知道到期日吗？" when the date was said already: answered yes silently (the date step
    /// that follows fills itself in). `true` when answered.
    pub(super) fn knows_date_already(&mut self, step: &Step) -> bool {
        let (Some(InputKind::YesNo), Some(slot)) = (step.ask, step.slot.clone()) else {
            return false;
        };
        self.s.slots.insert(slot.clone(), "是".into());
        let mut target = self.after(step, None);
        for _ in 0..4 {
            let Target::Step(id) = &target else { break };
            let Some(next) = self.tree().and_then(|t| t.step(id)) else { break };
            if self.known_date(next).is_some() {
                return true;
            }
            if next.ask.is_some() {
                break;
            }
            target = self.after(next, None);
        }
        self.s.slots.remove(&slot);
        false
    }
}

/// A question the session may keep: one that names no person and has no ID or phone number
/// (the context holds facts, never identifiers; such a message is simply not remembered).
fn keepable(text: &str) -> Option<String> {
    let personal = crate::privacy::names_a_person(text) || crate::privacy::has_identifiers(text);
    (!personal).then(|| text.to_string())
}

/// `退休职工`, `居民`: the words of a status and insurance, as the FAQ's lines name them.
fn status_value(
    status: Option<crate::understand::WorkStatus>,
    insurance: Option<crate::policy::calc::Insurance>,
) -> Option<String> {
    use crate::policy::calc::Insurance;
    use crate::understand::WorkStatus;
    let status = status.map_or("", |s| match s {
        WorkStatus::Retired => "退休",
        WorkStatus::InService => "在职",
        WorkStatus::Flexible => "灵活就业",
    });
    let insurance = insurance.map_or("", |i| match i {
        Insurance::Employee => "职工",
        Insurance::Resident => "居民",
    });
    let value = format!("{status}{insurance}");
    (!value.is_empty()).then_some(value)
}

/// Of an answer listing figures per insurance and status, the lines for `value` (居民, 退休职工
/// …; `status_words`: `reading.follow_up_status` of `faq/understand.yaml`), those naming none
/// (heading, notes) and the source line; `None` when no line is for it.
fn lines_for(answer: &str, value: &str, status_words: &[String]) -> Option<String> {
    let parts: Vec<&str> =
        status_words.iter().map(String::as_str).filter(|w| value.contains(w)).collect();
    let names = |l: &str| contains_any(l, status_words);
    let is_for = |l: &str| !parts.is_empty() && parts.iter().all(|w| l.contains(w));
    let lines: Vec<&str> = answer.lines().collect();
    if !lines.iter().any(|l| is_for(l)) {
        return None;
    }
    let kept: Vec<&str> =
        lines.into_iter().filter(|l| l.starts_with("来源") || is_for(l) || !names(l)).collect();
    Some(kept.join("\n"))
}

/// The question was about what the benefit pays (deductible, ratio, reimbursement; `about_costs`
/// of `asks:` in `faq/understand.yaml`).
fn about_costs(question: &str, asks: &AskWords) -> bool {
    contains_any(question, &asks.about_costs)
}

/// `那帕金森呢` → `帕金森`: the value of a short follow-up ending in 呢 (or another of `ends`:
/// 居民的嘞), without 那/的.
fn follow_up_core(text: &str, ends: &[String]) -> Option<String> {
    let t: String = text
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '？' | '?' | '。' | '，' | ',' | '！' | '!' | '~')
        })
        .collect();
    // `那冠心病` (no 呢) is a follow-up too: 那 in front says "and what about".
    let ended = ends.iter().filter(|e| !e.is_empty()).find_map(|e| t.strip_suffix(e.as_str()));
    let core = match ended.map(str::to_string).or_else(|| value_after_end(&t, ends)) {
        Some(core) => core,
        None => t.strip_prefix('那').filter(|c| (2..=6).contains(&c.chars().count()))?.to_string(),
    };
    let core = core.as_str();
    let core = core.strip_prefix("那么").or_else(|| core.strip_prefix('那')).unwrap_or(core);
    let core = core.strip_prefix("换成").unwrap_or(core);
    let core = core.strip_suffix('的').unwrap_or(core);
    let n = core.chars().count();
    (1..=10).contains(&n).then(|| core.to_string())
}

/// `邵阳呢 在职的`, `那我爸呢 他是退休职工`: a follow-up whose 呢 comes before one more short
/// value — both values, joined (`邵阳在职的`), as if said before the 呢.
fn value_after_end(t: &str, ends: &[String]) -> Option<String> {
    let (at, end) = ends
        .iter()
        .filter(|e| !e.is_empty())
        .filter_map(|e| t.find(e.as_str()).map(|at| (at, e.len())))
        .min()?;
    let (before, after) = (&t[..at], &t[at + end..]);
    let n = after.chars().count();
    (!before.is_empty() && (1..=MORE_VALUE_CHARS).contains(&n)).then(|| format!("{before}{after}"))
}

/// A short stable fingerprint of an answer (length and FNV-1a hash): enough to tell the same
/// text, without keeping the text in the session.
pub(super) fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.trim().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{}:{hash:016x}", text.trim().chars().count())
}

/// Fingerprints of an answer's lines, its source line (来源…) and blank lines aside.
fn body_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("来源"))
        .map(fingerprint)
        .collect()
}

/// A figure counting something in `line` (`43个病种`, `15个工作日`, `85%`), not a year (`2023）`).
fn has_count(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.windows(2).any(|w| w[0].is_ascii_digit() && "个种天日元%％".contains(w[1]))
}

/// Two-character words of `text` (Chinese characters only), the common 门特 and 医保 aside.
fn pairs(text: &str) -> std::collections::HashSet<String> {
    let chars: Vec<char> = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).collect();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .filter(|p| p != "门特" && p != "医保")
        .collect()
}

/// Whether `text` asks whether one gets less: a `less` word of it once the `not_less` words
/// (多少, 最低) are taken out.
fn asks_less(text: &str, less: &[String], not_less: &[String]) -> bool {
    let mut text = text.to_string();
    for w in not_less.iter().filter(|w| !w.is_empty()) {
        text = text.replace(w.as_str(), "");
    }
    contains_any(&text, less)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core_of(text: &str) -> Option<String> {
        let ends: Vec<String> = ["呢", "嘞"].iter().map(|e| e.to_string()).collect();
        follow_up_core(text, &ends)
    }

    #[test]
    fn a_follow_up_is_a_short_value_ending_in_ne() {
        assert_eq!(core_of("帕金森呢").as_deref(), Some("帕金森"));
        assert_eq!(core_of("那退休的呢？").as_deref(), Some("退休"));
        assert_eq!(core_of("七万呢").as_deref(), Some("七万"));
        assert_eq!(core_of("攀枝花呢"), Some("攀枝花".to_string()));
        assert_eq!(core_of("糖尿病能办吗"), None);
        assert_eq!(core_of("呢"), None);
        assert_eq!(core_of("那冠心病").as_deref(), Some("冠心病"));
        assert_eq!(core_of("冠心病"), None, "without 那 or 呢 it is a question of its own");
        assert_eq!(core_of("居民的嘞").as_deref(), Some("居民"), "嘞 is 四川话's 呢");
        assert_eq!(core_of("邵阳呢 在职的").as_deref(), Some("邵阳在职"), "a value after 呢");
        assert_eq!(core_of("那我爸呢 他是退休职工").as_deref(), Some("我爸他是退休职工"));
        assert_eq!(core_of("糖尿病呢 门特要准备些什么材料"), None, "a question after 呢");
    }

    #[test]
    fn asking_how_wants_the_steps_not_a_line() {
        let c = crate::content::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let steps = |t: &str| contains_any(t, &c.understand.asks.steps);
        assert!(steps("我问的是备案 异地备案怎么办"));
        assert!(steps("备案到底咋弄"));
        assert!(!steps("备案了报销会不会少"));
        assert!(contains_any("还是不会弄异地备案", &c.understand.asks.lost));
    }

    #[test]
    fn asking_for_less_is_read_once_amount_words_are_out() {
        let words = |l: &[&str]| l.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let (less, not_less) = (words(&["少", "降"]), words(&["多少", "最低"]));
        assert!(asks_less("在外地拿药会不会比本地报得少", &less, &not_less));
        assert!(asks_less("比例会不会降", &less, &not_less));
        assert!(!asks_less("在外地能报多少", &less, &not_less));
        assert!(!asks_less("交的最低档", &less, &not_less));
    }

    #[test]
    fn the_same_text_has_the_same_fingerprint() {
        assert_eq!(fingerprint("起付线800元"), fingerprint("起付线800元\n"));
        assert_ne!(fingerprint("起付线800元"), fingerprint("起付线500元"));
    }
}

/// Whom the rest of a message must be about for a part saying where someone is to be left out.
#[derive(Clone, Copy)]
enum About {
    Anyone,
    /// A relative or 她/他: the part was where the user is.
    Other,
    /// Nobody else: the part was where the user's relatives are.
    User,
}
