//! Answers to the current step: the choices a step offers, reading typed answers of every
//! input kind (dates, regions, diseases …), and storing an accepted answer.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `dispatch` decides when
//! it runs.

use chrono::Datelike;

use super::input::{self, InputError};
use super::render::ButtonKind;
use super::turn::{Target, Turn};
use super::wording;
use super::{Pending, Position};
use crate::content::dialogs::{DateRange, InputKind, Step};
use crate::content::understand::contains_any;
use crate::privacy::mask_identifiers;

/// How many earlier steps /back can return to.
const MAX_BACK: usize = 20;

/// The choices a step offers: its own buttons, or the obvious ones for its input type.
pub(super) struct Offered {
    pub(super) label: String,
    pub(super) value: String,
    /// Index into `step.choices` (for the choice's own `next`/`goto`).
    pub(super) own: Option<usize>,
    /// Other wordings that pick it (the dialog's `aliases:`).
    pub(super) aliases: Vec<String>,
}

/// Said when the application is not handed in yet: nothing recorded, and honestly no reminder to
/// hand it in (reminders follow an acceptance date, a validity end or a supplement deadline).
pub(super) const NOT_SUBMITTED: &str = "还没交（受理）的话，现在先不记受理日期。交的时候留好受理回执或记下APP里的受理号；受理以后告诉我受理日期（如“12月8日受理的”），我再帮您算审核期限、安排提醒。";

/// [`NOT_SUBMITTED`] after the lines on a planned day (`我打算12月15号去交`).
const NOT_SUBMITTED_SHORT: &str =
    "还没交就先不记受理日期；受理以后告诉我受理日期，我再帮您记下、安排提醒。";

/// After [`NOT_SUBMITTED`] where its buttons are shown.
const HAND_IN_OFFER: &str = "要我在去交那天提醒您，点下面的按钮；也可以交了以后再来记录。";

/// Payload prefix of the button "…提醒我去交", followed by the day (`%Y-%m-%d`).
pub(super) const HAND_IN_PAYLOAD: &str = "h:";

/// The procedure that records an application's progress.
const TRACK_RECORD: &str = "track_record";

/// The slot of an application's 受理号 (`dialogs/apply.yaml`, `dialogs/track_record.yaml`).
const ACCEPTANCE_NO: &str = "acceptance_no";

/// Whether `step` asks for the 受理号.
pub(super) fn asks_acceptance_no(step: &Step) -> bool {
    step.slot.as_deref() == Some(ACCEPTANCE_NO)
}

impl<'a> Turn<'a> {
    /// A 受理号 said (with its marker: 受理号PZH…) in the answer to an earlier step of `dialog`
    /// fills its 受理号 step, so it is not asked for again.
    fn prefill_acceptance_number(&mut self, dialog: &str, step: &Step) {
        let slot = ACCEPTANCE_NO;
        if step.slot.as_deref() == Some(slot) || self.s.slots.contains_key(slot) {
            return;
        }
        let has_step = (self.a.content.dialogs.trees.get(dialog))
            .is_some_and(|t| t.steps.iter().any(|s| s.slot.as_deref() == Some(slot)));
        let Some(number) = super::track::acceptance_number(
            &self.message,
            &self.a.content.understand.commands.reports.acceptance_no,
        )
        .filter(|_| has_step) else {
            return;
        };
        self.s.slots.insert(slot.to_string(), number);
        self.mark_prefilled(&[slot.to_string()]);
    }

    /// Reads a typed answer. `Ok(None)`: the engine asked something back (weak disease match).
    pub(super) fn read_answer(
        &mut self,
        step: &Step,
        text: &str,
    ) -> Result<Option<String>, String> {
        let kind = step.ask.unwrap_or(InputKind::Text);
        // Where the engine's own message is only "answer one of these", the step's hint (written
        // for that very question) says it better; where the engine knows what exactly is wrong
        // (a day that does not exist, a wrong check digit, an unknown disease) that comes first.
        let hint = step.hint.as_ref().map(|h| self.fill(h));
        let generic = |err: String| hint.clone().unwrap_or(err);
        match kind {
            // `刚才说了 PZH20261204008` at the 受理号 step: the number, not the words around it.
            InputKind::Text if step.slot.as_deref() == Some(ACCEPTANCE_NO) => {
                let reading = crate::understand::Context { today: self.today, region: None };
                let numbers = self.a.understand(text, reading).acceptance_numbers;
                // `线下` typed at this step (an answer to another question): no number, and
                // not "none" either — asked again, never recorded as the 受理号.
                let none = &self.a.content.understand.none_answers;
                let no_code = !text.chars().any(|c| c.is_ascii_alphanumeric());
                match numbers.as_slice() {
                    [only] => Ok(Some(only.clone())),
                    _ if no_code && !contains_any(text, none) => Err(generic(
                        "受理号一般是字母和数字，例如 SC2026120812345；没有就回“无”。".into(),
                    )),
                    _ => Ok(Some(text.to_string())),
                }
            }
            InputKind::Text => Ok(Some(text.to_string())),
            InputKind::Choice => {
                Err(generic("请点击下面的按钮选择，或输入选项前面的数字。".into()))
            }
            InputKind::Region => self.read_region(text).map(Some).ok_or_else(|| {
                let names: Vec<_> =
                    self.a.content.regions.values().map(|r| r.name.clone()).collect();
                generic(format!("目前支持这些地区：{}。请选择其中一个。", names.join("、")))
            }),
            InputKind::Disease => self.read_disease(text),
            InputKind::Date => self.read_date(step, text),
            InputKind::YesNo | InputKind::Insurance => match self.parse_input(kind, text) {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(err)) => Err(generic(err.to_string())),
                None => Err(generic(InputError::Empty.to_string())),
            },
            specific => match self.parse_input(specific, text) {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(err)) => Err(err.to_string()),
                None => Err(InputError::Empty.to_string()),
            },
        }
    }

    /// A date, placed on the side of today the step expects (`date: past|future`).
    pub(super) fn read_date(&self, step: &Step, text: &str) -> Result<Option<String>, String> {
        // 还没受理 我明天才去交: no acceptance yet, so no date to record (issue 17).
        if step.date == Some(DateRange::Past) && self.not_submitted(text) {
            return Err(NOT_SUBMITTED.to_string());
        }
        // The calendar's strict reader first (it names a day that does not exist); then the
        // chat forms the understanding module reads (12-20, 九月二十六, 上个月5号).
        let mut date = match input::parse_date(text, self.today) {
            Ok(date) => date,
            Err(err @ InputError::NotDate) => {
                let ctx = crate::understand::Context { today: self.today, region: None };
                match self.a.understand(text, ctx).dates.as_slice() {
                    [only] => *only,
                    _ => return Err(err.to_string()),
                }
            }
            Err(err) => return Err(err.to_string()),
        };
        let year_given =
            text.contains('年') || text.chars().filter(char::is_ascii_digit).count() >= 6;
        // A day soon after today (明天, 12月8号 on the 7th) is that day, never last year's: the
        // month is this one or next, so the step says it has not happened yet.
        let soon = date > self.today && date - self.today <= chrono::Duration::days(60);
        match step.date {
            Some(DateRange::Past) if date > self.today && !year_given && !soon => {
                date = date.with_year(date.year() - 1).unwrap_or(date);
            }
            Some(DateRange::Future) if date < self.today && !year_given => {
                date = date.with_year(date.year() + 1).unwrap_or(date);
            }
            _ => {}
        }
        if step.date == Some(DateRange::Past) && date > self.today {
            let shown = crate::policy::dates::format_cn(date);
            return Err(InputError::NotYetHappened(shown).to_string());
        }
        Ok(Some(date.format("%Y-%m-%d").to_string()))
    }

    /// Whether `text` says the application is not handed in yet (`not_submitted` of
    /// `faq/understand.yaml`).
    pub(super) fn not_submitted(&self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.not_submitted;
        words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
            || self.planned_hand_in(text).is_some()
    }

    /// The day, today or later, that a clause of `text` plans to hand the application in on
    /// (`我打算12月15号去窗口交门特材料`): a `planned` word, then a `submission` word, and a date in
    /// one clause. `None` for anything else (`12月15号交的`, `准备材料`).
    pub(super) fn planned_hand_in(&self, text: &str) -> Option<chrono::NaiveDate> {
        let words = &self.a.content.understand.commands;
        let first_at = |clause: &str, list: &[String]| {
            list.iter().filter(|w| !w.is_empty()).filter_map(|w| clause.find(w.as_str())).min()
        };
        let ctx = crate::understand::Context { today: self.today, region: self.region() };
        text.split(|c: char| c.is_whitespace() || wording::is_punct(c)).find_map(|clause| {
            let plan = first_at(clause, &words.planned)?;
            let submission = first_at(clause, &words.submission)?;
            if submission < plan {
                return None;
            }
            let date = *self.a.understand(clause, ctx).dates.first()?;
            (date >= self.today).then_some(date)
        })
    }

    /// `还没受理 我明天才去交` at the acceptance-date step, or with a date or a record word
    /// outside any procedure: nothing is recorded, the user is told to come back once it is
    /// accepted. Elsewhere (`还没交` to 是否欠费) it is left to the step. `false`: not such.
    pub(super) fn says_not_submitted(&mut self, text: &str) -> bool {
        if self.s.pending.is_some()
            || !self.not_submitted(text)
            || self.asks(text) == super::wording::Question::Clearly
        {
            return false;
        }
        let at_date_step = self
            .current_step()
            .is_some_and(|s| s.ask == Some(InputKind::Date) && s.date == Some(DateRange::Past));
        let words = &self.a.content.understand.commands;
        let names =
            |list: &[String]| list.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        let ctx = crate::understand::Context { today: self.today, region: self.region() };
        let said = names(&words.record)
            || names(&words.remind_accepted)
            || !self.a.understand(text, ctx).dates.is_empty();
        if !at_date_step && (self.s.dialog.is_some() || !said) {
            return false;
        }
        let owned = names(&words.correction);
        self.not_yet_handed_in(owned);
        true
    }

    /// Nothing to record before the acceptance: what to do once it is handed in, said once.
    /// Recording progress cannot go on without an acceptance date, so that procedure is left
    /// (asking "哪天受理的" again would loop) and recording later is offered; in another
    /// procedure its step is asked again. `owned`: the user rejected a date taken from them.
    pub(super) fn not_yet_handed_in(&mut self, owned: bool) {
        let text = if owned {
            format!("对不起，是我弄错了，那不是受理日期。{NOT_SUBMITTED}")
        } else {
            NOT_SUBMITTED.to_string()
        };
        let recording = self.tree().map(|t| t.id.clone());
        if recording.as_deref() != Some(TRACK_RECORD) && self.s.dialog.is_some() {
            self.say(text);
            return self.reask();
        }
        if recording.is_some() {
            self.clear_dialog();
        }
        // `我打算12月15号去窗口交`: what that day means — the review's last day if accepted then,
        // and the window's hours when the window is named.
        let planned = self.planned_hand_in(&self.message.clone());
        let (projection, source) =
            planned.map(|day| self.hand_in_projection(day)).unwrap_or_default();
        // The plan's lines first; then the short form, so the reply still fits one screen.
        let text = match (projection.is_empty(), owned) {
            (false, false) => format!("{projection}{NOT_SUBMITTED_SHORT}"),
            _ => text,
        };
        let text = format!("{text}{HAND_IN_OFFER}{source}");
        let day = self.hand_in_day(&self.message.clone());
        let choices = vec![
            self.button(
                format!("{}提醒我去交", day.format("%-m月%-d日")),
                ButtonKind::Track(format!("{HAND_IN_PAYLOAD}{}", day.format("%Y-%m-%d"))),
            ),
            self.button("受理后再记录", ButtonKind::Menu(TRACK_RECORD.into())),
        ];
        self.say_with(text, choices);
    }

    /// [`input::parse`] with the typed-answer words of `faq/understand.yaml`.
    fn parse_input(&self, kind: InputKind, text: &str) -> Option<Result<String, InputError>> {
        input::parse(kind, text, self.today, &self.a.content.understand.typed_answer)
    }

    /// Whether a date in `text` is said to be the day it was handed in: a clause (between
    /// spaces and punctuation) with both a date mark and a `submission` word.
    pub(super) fn dates_a_submission(&self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.submission;
        let days = &self.a.content.understand.reading.day_words;
        text.split(|c: char| c.is_whitespace() || "，,。.！!？?；;、".contains(c)).any(|clause| {
            let dated = clause.chars().any(|c| c.is_ascii_digit() || "号日月".contains(c))
                || contains_any(clause, days);
            dated && words.iter().any(|w| !w.is_empty() && clause.contains(w.as_str()))
        })
    }

    pub(super) fn read_region(&self, text: &str) -> Option<String> {
        let t = input::normalize(text).to_lowercase();
        self.a
            .content
            .regions
            .values()
            .find(|r| t == r.id || t.contains(&r.name) || (t.len() >= 2 && r.name.contains(&t)))
            .map(|r| r.id.clone())
    }

    pub(super) fn read_disease(&mut self, text: &str) -> Result<Option<String>, String> {
        let Some(region) = self.s.region.clone() else {
            return Err("请先选择地区，我才能查对应的病种目录。发送 /region 选择地区。".into());
        };
        let matches = self.a.knowledge.match_disease(text, &region);
        if !matches.first().is_some_and(|m| m.strong) {
            if let Some(reply) = self.not_mente_reply(text) {
                return Err(reply);
            }
        }
        let Some(best) = matches.first() else {
            // Our catalogue is not the complete official list: no dead end, a way on.
            let typed = mask_identifiers(text);
            self.s.pending = Some(Pending::UnlistedDisease(truncate(&typed, 20)));
            self.prompt_pending();
            return Ok(None);
        };
        if best.strong {
            self.insurance_allows(&best.name)?;
            // `他高血压医生说是2级` where the catalogue lists only 高血压病3级: not that entry.
            if let Some((said, listed)) = grade_mismatch(text, &best.name) {
                let others: Vec<String> =
                    self.said_diseases().into_iter().filter(|d| *d != best.name).collect();
                let way = match others.first() {
                    Some(other) => {
                        format!("可以按您说的“{other}”申请（点下面的按钮），或输入别的病名。")
                    }
                    None => "是几级以医院诊断证明为准；可以输入别的病名。".to_string(),
                };
                // Said and the step asked again, its buttons with it: no failure counted, and
                // no question beside it answered instead (`选哪个划算点` is what this answers).
                self.say(format!(
                    "目录里是“{}”，只列{listed}，您说的是{said}，对不上，这一项先不选。{way}",
                    best.name
                ));
                self.reask();
                return Ok(None);
            }
            self.say_disease_notes(&best.name);
            return Ok(Some(best.name.clone()));
        }
        let names: Vec<String> = matches.iter().take(3).map(|m| m.name.clone()).collect();
        self.s.pending = Some(Pending::Disease(names));
        self.prompt_pending();
        Ok(None)
    }

    /// What the user should know about an accepted catalogue disease: an unverified entry is
    /// only possibly covered (with where to check), plus resident-only, extra materials, notes.
    pub(super) fn say_disease_notes(&mut self, name: &str) {
        let Some(disease) = self
            .region()
            .and_then(|r| self.a.content.diseases.by_region.get(r))
            .and_then(|list| list.iter().find(|d| d.name == name))
        else {
            return;
        };
        let mut lines = Vec::new();
        // A known end of validity (renewal) means the benefit for this disease was granted:
        // "may not be covered" would only confuse, and push the rest off the screen.
        let granted = self.s.slots.contains_key("valid_until");
        // Each note once in the conversation (`key`: the kind of note and the disease).
        let mut once = |key: &str| self.s.context.note_once(&format!("{key}:{name}"));
        let not_confirmed = !disease.verified && !granted;
        let unverified = not_confirmed && once("unverified");
        let resident_only = disease.resident_only && once("resident_only");
        let extra = !disease.extra_materials.is_empty() && once("extra");
        let note = disease.note.is_some() && once("note");
        if unverified {
            lines.push(format!(
                "“{name}”可能属于{}的门特病种，还没有核实，以当地医保部门最新公布为准；可以先按它准备，办理前请问{}。",
                self.region_name(),
                self.hotline_text()
            ));
        } else if not_confirmed {
            // Said in full before: one short line, so the disease taken is named and never
            // presented as confirmed.
            lines.push(format!("按“{name}”准备；它还没有核实是不是门特病种（前面说过）。"));
        }
        if resident_only {
            lines.push("提示：这个病种仅限城乡居民医保参保人。".to_string());
        }
        if extra {
            lines.push(format!("提示：需额外准备{}。", disease.extra_materials.join("、")));
        }
        if let Some(note) = disease.note.as_ref().filter(|_| note) {
            lines.push(format!("提示：{note}。"));
        }
        // A 居民-only tip is for someone known to be a 居民 (chosen at the insurance step or said
        // in the conversation), or who asked about 两病 itself — not for a renewal by someone
        // never said to be one (play-test round 4, persona 4).
        let resident = self.s.slots.get("insurance").map(String::as_str) == Some("resident")
            || self.s.context.insurance.as_deref() == Some("resident");
        let asked = contains_any(&self.message, &self.a.content.understand.asks.other_scheme);
        let resident_note = disease.resident_note.is_some()
            && (resident || asked)
            && self.s.context.note_once(&format!("resident_note:{name}"));
        if let Some(note) = disease.resident_note.as_ref().filter(|_| resident_note) {
            lines.push(format!("提示：{note}。"));
        }
        if !lines.is_empty() {
            self.say(lines.join("\n"));
        }
    }

    /// A plain "this is not 门特" for an everyday condition (感冒, 拉肚子 …, staff-editable in
    /// `faq/synonyms.yaml` `not_mente:`) named without any catalogue disease.
    pub(super) fn not_mente_reply(&self, text: &str) -> Option<String> {
        let vocabulary = &self.a.content.faq_vocabulary;
        let word = vocabulary.not_mente.iter().find(|w| text.contains(w.as_str()))?;
        let regions: Vec<&str> = match self.region() {
            Some(r) => vec![r],
            None => self.a.content.regions.keys().map(String::as_str).collect(),
        };
        let names_disease = regions
            .iter()
            .any(|r| self.a.knowledge.match_disease(text, r).first().is_some_and(|m| m.strong));
        if names_disease {
            return None;
        }
        let sources: Vec<String> = regions
            .iter()
            .filter_map(|r| self.a.content.regions.get(*r))
            .filter_map(|r| r.sources.first())
            // "seed 000（000_….txt）": the id before the bracket names the document.
            .map(|s| self.a.content.citations.cite(s.split('（').next().unwrap_or(s).trim()))
            .collect();
        Some(format!(
            "“{word}”不是门特（门诊慢特病）病种。门特只管当地病种目录里的慢性病或重症疾病，\
             平常看{word}的费用不按门特报销。有疑问请问：{}\n来源：{}",
            self.hotline_text(),
            sources.join("；")
        ))
    }

    /// A resident-only disease cannot be applied for with employee insurance: say so instead of
    /// walking the user through an application that will be refused.
    pub(super) fn insurance_allows(&self, disease: &str) -> Result<(), String> {
        let employee = self.s.slots.get("insurance").is_some_and(|i| i == "employee");
        let resident_only = self
            .region()
            .and_then(|r| self.a.content.diseases.by_region.get(r))
            .and_then(|list| list.iter().find(|d| d.name == disease))
            .is_some_and(|d| d.resident_only);
        if employee && resident_only {
            return Err(format!(
                "“{disease}”在{}只对城乡居民医保参保人开放，您前面选的是职工医保，\
                 所以不能按这个病种申请。如果有别的病种，请输入病名；参保类型选错了可以发送 /back 返回修改；\
                 拿不准可以发送“人工”咨询。",
                self.region_name()
            ));
        }
        Ok(())
    }

    pub(super) fn offered(&self, step: &Step) -> Vec<Offered> {
        if !step.choices.is_empty() {
            return step
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| Offered {
                    label: self.fill(&c.label),
                    value: c.value.clone().unwrap_or_else(|| c.label.clone()),
                    own: Some(i),
                    aliases: c.aliases.clone(),
                })
                .collect();
        }
        let pair = |l: &str, v: &str| Offered {
            label: l.into(),
            value: v.into(),
            own: None,
            aliases: Vec::new(),
        };
        match step.ask {
            Some(InputKind::YesNo) => vec![pair("是", "是"), pair("否", "否")],
            Some(InputKind::Insurance) => {
                vec![pair("职工医保", "employee"), pair("城乡居民医保", "resident")]
            }
            Some(InputKind::Region) => {
                self.a.content.regions.values().map(|r| pair(&r.name, &r.id)).collect()
            }
            Some(InputKind::Disease) => self.disease_buttons().iter().map(|d| pair(d, d)).collect(),
            _ => Vec::new(),
        }
    }

    /// The offered choice a typed text names exactly: its label or its value.
    pub(super) fn offered_index(&self, step: &Step, text: &str) -> Option<usize> {
        let t = input::normalize(text);
        let offered = self.offered(step);
        let exact =
            |o: &Offered| input::normalize(&o.label) == t || input::normalize(&o.value) == t;
        // An alias typed as it is, a question mark or particle aside (`审核要好久` at the how-to
        // step whose button is 下一步：审核要多久): that button, before any FAQ answer.
        let bare = t.trim_end_matches(|c: char| "吗嘛呢啊呀哦噻撒？?！!。，, ".contains(c));
        let alias = |o: &Offered| o.aliases.iter().any(|a| input::normalize(a) == bare);
        offered.iter().position(exact).or_else(|| offered.iter().position(alias))
    }

    /// The offered choice a typed text means in other words: its number (`2`, `第二个`), yes/no
    /// wordings at a yes/no step (`是的 一直在交`), or a unique part of its label (`职工`).
    /// Numbers count only at steps that are nothing but buttons, where no typed answer can be
    /// a number.
    pub(super) fn offered_loosely(&self, step: &Step, text: &str) -> Option<usize> {
        let offered = self.offered(step);
        if offered.is_empty() {
            return None;
        }
        let buttons_only = matches!(
            step.ask,
            Some(InputKind::Choice | InputKind::YesNo | InputKind::Insurance | InputKind::Region)
        );
        if let Some(n) = wording::ordinal(text).filter(|_| buttons_only) {
            return (n <= offered.len()).then(|| n - 1);
        }
        if step.ask == Some(InputKind::YesNo) {
            let prompt = self.prompt_text(step);
            if let Some(yes) = self.words().yes_no_to(text, &prompt) {
                let want = if yes { "是" } else { "否" };
                return offered.iter().position(|o| o.value == want);
            }
            // "申请已经提交并被受理了吗？" answered by the news itself (`刚刚在四川医保app上交了
            // 受理号SC… 今天交的`): a yes (play-test round 13, P1: asked again, three times).
            if self.reports_handing_in(&prompt, text) {
                return offered.iter().position(|o| o.value == "是");
            }
        }
        // A lone button, or the one "下一步" among others (the materials step's 医保欠费或停保了
        // beside it): 好 / 嗯 / 继续 / 更多 all mean "go on".
        if self.words().yes_no(text) == Some(true) || self.words().go_on(text) {
            if offered.len() == 1 {
                return Some(0);
            }
            let go_on = &self.a.content.understand.go_on;
            let goes_on: Vec<usize> = (0..offered.len())
                .filter(|&i| go_on.iter().any(|w| offered[i].label.starts_with(w.as_str())))
                .collect();
            if let [one] = goes_on.as_slice() {
                return Some(*one);
            }
        }
        let groups: Vec<Vec<&str>> = offered
            .iter()
            .map(|o| std::iter::once(&o.label).chain(&o.aliases).map(String::as_str).collect())
            .collect();
        let words = self.words();
        words
            .label_among(text, &groups)
            .or_else(|| told_in_passing(&words, text, &groups))
            .or_else(|| self.first_clause_choice(step, text))
    }

    /// Whether `text` reports that the thing `prompt` asks about was handed in: the prompt asks
    /// about 提交/受理 and the message has a `reported_accepted` word of something done (交了,
    /// 提交哒 in plain Mandarin), not asked (交了吗) nor denied (还没交).
    fn reports_handing_in(&self, prompt: &str, text: &str) -> bool {
        (prompt.contains("提交") || prompt.contains("受理")) && self.reports_handed_in(text)
    }

    /// Whether `text` reports the application handed in (交了, 提交哒 in plain Mandarin): a
    /// `reported_accepted` word of something done, not asked (交了吗) nor denied (还没交).
    pub(super) fn reports_handed_in(&self, text: &str) -> bool {
        let plain = self.a.content.dialect.plain(text);
        self.says_handed_in(&plain) && !self.not_submitted(&plain)
    }

    /// A `reported_accepted` word of something done (`交了`, `提交了`), neither asked (`交了吗`)
    /// nor followed by what comes after it (`交了以后`). `plain`: in plain Mandarin.
    pub(super) fn says_handed_in(&self, plain: &str) -> bool {
        let words = &self.a.content.understand.commands.reported_accepted;
        words.iter().filter(|w| w.ends_with('了')).any(|w| {
            plain.match_indices(w.as_str()).any(|(at, _)| {
                let after = &plain[at + w.len()..];
                // `没交了 断了半年`: the contributions not paid, nothing handed in.
                let denied = plain[..at].ends_with(['没', '未', '不', '断', '停', '欠']);
                !denied
                    && !["吗", "没", "么", "不", "以后", "之后", "后"]
                        .iter()
                        .any(|q| after.starts_with(q))
            })
        })
    }

    /// The choice the first clause of a longer message names exactly, at a step that is
    /// nothing but buttons (see [`wording::Words::first_clause`]).
    pub(super) fn first_clause_choice(&self, step: &Step, text: &str) -> Option<usize> {
        if step.ask != Some(InputKind::Choice) {
            return None;
        }
        let offered = self.offered(step);
        let groups: Vec<Vec<&str>> = offered
            .iter()
            .map(|o| std::iter::once(&o.label).chain(&o.aliases).map(String::as_str).collect())
            .collect();
        self.words().first_clause(text, &groups)
    }

    /// The one choice of a step of buttons that a "does it count?" question names
    /// (`asks.counts_as`: `三甲医院开的 这个算不算`, 三甲 an alias of 二级及以上医院).
    pub(super) fn counts_as_choice(&self, step: &Step, text: &str) -> Option<usize> {
        let asks = &self.a.content.understand.asks.counts_as;
        if step.ask != Some(InputKind::Choice) || !contains_any(text, asks) {
            return None;
        }
        // Anywhere in the message (`深圳的三甲医院开的`), a word of two characters or more, of
        // one choice only.
        let named = |o: &Offered| {
            std::iter::once(&o.label)
                .chain(&o.aliases)
                .any(|w| w.chars().count() >= 2 && text.contains(w.as_str()))
        };
        let hits: Vec<usize> = self
            .offered(step)
            .iter()
            .enumerate()
            .filter(|(_, o)| named(o))
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    pub(super) fn choose(&mut self, step: &Step, index: usize) {
        let offered = self.offered(step);
        let Some(o) = offered.get(index) else { return self.stale() };
        let value = o.value.clone();
        // A disease button brings what the typed name would: the insurance check, the notes.
        if step.ask == Some(InputKind::Disease) {
            if let Err(why) = self.insurance_allows(&value) {
                return self.fail(&why);
            }
            self.say_disease_notes(&value);
        }
        let own = o.own.and_then(|i| step.choices.get(i));
        let jump = own.and_then(|c| {
            c.next.clone().map(Target::Step).or_else(|| c.goto.clone().map(Target::Goto))
        });
        self.accept(step, value, jump);
    }

    /// Stores an accepted answer and moves on.
    pub(super) fn accept(&mut self, step: &Step, value: String, jump: Option<Target>) {
        let Some(dialog) = self.s.dialog.clone() else { return self.show_menu() };
        if !self.remember_position() {
            return self.show_menu();
        }
        self.s.failures = 0;
        self.s.pending = None;
        if step.ask == Some(InputKind::Region) {
            self.s.region = Some(value.clone());
            self.sync_region();
        }
        if step.ask == Some(InputKind::Date) {
            // A date typed for this step is used up: it must not fill a later date step.
            if let Ok(date) = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
                self.s.context.dates.retain(|d| *d != date);
            }
        }
        // `是 12月4号受理的 受理号PZH20261204008`: the 受理号 step ahead is answered too.
        self.prefill_acceptance_number(&dialog, step);
        // 帮我爷爷 for whom the application is: the relation step is answered too.
        let relative = dialog == super::prefill::APPLY
            && step.slot.as_deref() == Some("for_whom")
            && !self.message.is_empty();
        if let Some(slot) = &step.slot {
            self.s.slots.insert(slot.clone(), value);
        }
        if relative {
            let text = self.message.clone();
            self.prefill_relation_from(&text);
        }
        let next = self.after(step, jump);
        self.enter(&dialog, next, false);
    }

    /// Keeps the current step and its slots for /back; `false` outside a procedure.
    pub(super) fn remember_position(&mut self) -> bool {
        let (Some(dialog), Some(step)) = (self.s.dialog.clone(), self.s.step.clone()) else {
            return false;
        };
        self.s.back.push(Position { dialog, step, slots: self.s.slots.clone() });
        // /back goes back a few steps, not through a whole day of chat: a bounded history keeps
        // the stored session small however long a dialog runs.
        if self.s.back.len() > MAX_BACK {
            let excess = self.s.back.len() - MAX_BACK;
            self.s.back.drain(..excess);
        }
        true
    }

    /// Where to go after `step`: a choice's own jump, else the first matching branch, `goto`,
    /// `next`, or the end of the dialog.
    pub(super) fn after(&self, step: &Step, jump: Option<Target>) -> Target {
        if let Some(jump) = jump {
            return jump;
        }
        for rule in &step.branch {
            let holds = rule.when.iter().all(|(slot, want)| {
                let have = match slot.as_str() {
                    "region" => self.s.region.as_deref(),
                    _ => self.s.slots.get(slot).map(String::as_str),
                };
                have == Some(want.as_str())
            });
            if holds {
                if let Some(next) = &rule.next {
                    return Target::Step(next.clone());
                }
                if let Some(goto) = &rule.goto {
                    return Target::Goto(goto.clone());
                }
            }
        }
        if let Some(goto) = &step.goto {
            return Target::Goto(goto.clone());
        }
        match &step.next {
            Some(next) => Target::Step(next.clone()),
            None => Target::End,
        }
    }
}

/// A longer statement that describes one choice's case in that choice's own words (`我在深圳
/// 打工 常年都在这边` at 长期在外地居住 / 临时去外地看病): the choice, when the words of
/// exactly one choice appear and the message asks nothing.
fn told_in_passing(words: &wording::Words, text: &str, groups: &[Vec<&str>]) -> Option<usize> {
    if words.question(text) != wording::Question::No {
        return None;
    }
    let hits: Vec<usize> = (0..groups.len())
        .filter(|&i| groups[i].iter().skip(1).any(|w| w.chars().count() >= 2 && text.contains(w)))
        .collect();
    match hits.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn truncate(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// A grade said for a disease (`医生说是2级`) that its catalogue name does not list (`高血压病3级`):
/// the grade said and the one listed, both as `N级`. The grade comes from the catalogue's own name
/// (content), not from a list of diseases here; a hospital's grade (`二级医院`, `二级及以上`) is no
/// disease grade. `None`: no grade in the name, none said, or the same.
pub(super) fn grade_mismatch(text: &str, name: &str) -> Option<(String, String)> {
    let listed = grades(name).into_iter().next()?;
    // `医生说他高血压没到3级`: the grade listed, denied (play-test round 13, P2).
    if denied_grade(text, listed) {
        return Some((format!("不到{listed}级"), format!("{listed}级")));
    }
    let said = grades(text).into_iter().find(|g| *g != listed)?;
    (!grades(text).contains(&listed)).then(|| (format!("{said}级"), format!("{listed}级")))
}

/// Whether `text` says the disease is not of grade `listed` (`没到3级`, `不是三级`, `达不到3级`).
fn denied_grade(text: &str, listed: u32) -> bool {
    const DENIALS: [&str; 8] =
        ["没到", "不到", "没有到", "不是", "没得", "达不到", "没达到", "不够"];
    let spelled = [listed.to_string(), ["", "一", "二", "三", "四"][listed as usize].to_string()];
    spelled.iter().any(|g| DENIALS.iter().any(|d| text.contains(&format!("{d}{g}级"))))
}

/// The grades `N级` (1–4, digits or 一二三四两) in `text`, as digits, leaving out a hospital's.
fn grades(text: &str) -> Vec<u32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, pair) in chars.windows(2).enumerate() {
        if pair[1] != '级' {
            continue;
        }
        let grade = match pair[0] {
            '1' | '一' => 1,
            '2' | '二' | '两' => 2,
            '3' | '三' => 3,
            '4' | '四' => 4,
            _ => continue,
        };
        let after: String = chars[i + 2..].iter().take(3).collect();
        if ["医", "及", "以", "甲", "乙", "的医", "院"].iter().any(|w| after.starts_with(w))
        {
            continue;
        }
        out.push(grade);
    }
    out
}

#[cfg(test)]
mod grade_tests {
    use super::grade_mismatch;

    #[test]
    fn a_grade_the_catalogue_name_does_not_list_is_a_mismatch() {
        let said = grade_mismatch("他高血压医生说是二级", "高血压病3级");
        assert_eq!(said, Some(("2级".to_string(), "3级".to_string())));
        assert_eq!(grade_mismatch("高血压三级", "高血压病3级"), None);
        assert_eq!(grade_mismatch("高血压 二级医院开的证明", "高血压病3级"), None);
        assert_eq!(grade_mismatch("高血压", "高血压病3级"), None);
        assert_eq!(grade_mismatch("糖尿病2级", "糖尿病"), None);
        let denied = grade_mismatch("医生说他高血压没到3级", "高血压病3级");
        assert_eq!(denied, Some(("不到3级".to_string(), "3级".to_string())));
        assert_eq!(grade_mismatch("不是三级的", "高血压病3级").map(|g| g.1), Some("3级".into()));
    }
}
