//! A 新申请 started after the conversation already said who it is for, the insurance type or the
//! disease (issue 17: what was said once is not asked again): those steps are filled in from
//! the conversation's context and skipped with one line saying what was taken.
//!
//! Whom it is for comes from the message that starts the procedure (`我要给自己申请门特`) or the
//! person the conversation is about (`我帮我爷爷问一下`); the relation to a relative from the
//! relation step's own buttons and aliases (content: `dialogs/apply.yaml`) matched against the
//! `people:` words of that relative (`faq/understand.yaml`). The disease, a personal fact, is
//! taken only once consent is given (see `Turn::take_prefilled`).
//!
//! Layer: handler — a part of `Turn`; `steps` calls it when the procedure starts.

use super::context::{mention, Mention};
use super::turn::{Target, Turn};
use super::PREFILLED;
use crate::content::dialogs::InputKind;
use crate::content::understand::contains_any;
use crate::understand::Context as Reading;

/// The procedure these prefills are for (its slots `for_whom`, `relation`, `insurance`,
/// `disease` are named in `dialogs/apply.yaml`).
pub(super) const APPLY: &str = "apply";

/// The key of the user among the context's people.
const ME: &str = "me";

impl Turn<'_> {
    /// Fills in, before the first step of 新申请 runs, every step the conversation already
    /// answered; each is marked (`PREFILLED`) so it is taken once and asked again after /back.
    pub(super) fn prefill_apply(&mut self) {
        let said = mention(&self.message, &self.a.content.understand.people);
        let who = match said {
            Some(Mention::Me) => Some(ME.to_string()),
            Some(Mention::Named { who, .. }) => Some(who),
            _ => self.s.context.person.clone(),
        };
        let mut marks: Vec<String> = Vec::new();
        match who.as_deref() {
            Some(ME) => {
                self.s.slots.insert("for_whom".into(), "self".into());
                marks.push("for_whom".into());
            }
            Some(relative) => {
                self.s.slots.insert("for_whom".into(), "other".into());
                marks.push("for_whom".into());
                if let Some(relation) = self.relation_of(relative) {
                    self.s.slots.insert("relation".into(), relation);
                    marks.push("relation".into());
                }
            }
            None => {}
        }
        let (seed_disease, seed_insurance) = self.apply_seed.clone().unwrap_or_default();
        let insurance = seed_insurance.filter(|i| i == "employee" || i == "resident");
        if let Some(insurance) = insurance.or_else(|| self.insurance_of(who.as_deref())) {
            self.s.slots.insert("insurance".into(), insurance);
            marks.push("insurance".into());
        }
        // The disease waits for consent: only marked now, its value taken at its step. Two or
        // more named (高血压和糖尿病) are asked about there, with a button each (never guessed).
        // The seed's disease (the one asked for by name) waits in the conversation's context
        // until consent, so the step takes it and not the first disease said.
        if let Some(seed) = seed_disease.as_ref().filter(|_| self.s.consent != Some(false)) {
            self.s.context.procedure_disease = Some(seed.clone());
        }
        let only = || Some(self.said_diseases()).filter(|d| d.len() == 1).and_then(|mut d| d.pop());
        if self.s.consent != Some(false) {
            if let Some(first) = seed_disease.or_else(only) {
                if self.s.consent == Some(true) {
                    self.s.slots.insert("disease".into(), first);
                }
                marks.push("disease".into());
            }
        }
        self.mark_prefilled(&marks);
    }

    /// The relative named in an answer to 这次是为谁申请 (`帮我爷爷`) answers the relation step
    /// too.
    pub(super) fn prefill_relation_from(&mut self, text: &str) {
        let Some(Mention::Named { who, .. }) = mention(text, &self.a.content.understand.people)
        else {
            return;
        };
        if let Some(relation) = self.relation_of(&who) {
            self.s.slots.insert("relation".into(), relation);
            self.mark_prefilled(&["relation".to_string()]);
        }
    }

    /// Adds `slots` to the marks of values filled in ahead of their steps.
    pub(super) fn mark_prefilled(&mut self, slots: &[String]) {
        if slots.is_empty() {
            return;
        }
        let mut all: Vec<String> = (self.s.slots.get(PREFILLED).map(String::as_str))
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        for slot in slots {
            if !all.contains(slot) {
                all.push(slot.clone());
            }
        }
        self.s.slots.insert(PREFILLED.into(), all.join(","));
    }

    /// The relation button of 新申请 for the relative `who` (`grandfather` → 其他亲属): the
    /// first button whose label or alias is one of that relative's `people:` words.
    fn relation_of(&self, who: &str) -> Option<String> {
        let people = &self.a.content.understand.people;
        let words = [&people.female, &people.male, &people.either]
            .into_iter()
            .find_map(|group| group.get(who))?;
        let tree = self.a.content.dialogs.trees.get(APPLY)?;
        let step = tree.steps.iter().find(|s| s.slot.as_deref() == Some("relation"))?;
        step.choices
            .iter()
            .find(|c| {
                std::iter::once(&c.label).chain(&c.aliases).any(|w| words.iter().any(|x| x == w))
            })
            .map(|c| c.value.clone().unwrap_or_else(|| c.label.clone()))
    }

    /// The insurance type said for `who` (the person talked about, or facts said before anyone
    /// was named); `None` when nothing was said about them.
    fn insurance_of(&self, who: Option<&str>) -> Option<String> {
        let c = &self.s.context;
        let insurance = match who {
            None => c.insurance.clone(),
            Some(w) if c.person.is_none() || c.person.as_deref() == Some(w) => c.insurance.clone(),
            Some(w) => c.people.iter().find(|p| p.who == w).and_then(|p| p.insurance.clone()),
        };
        insurance.filter(|i| i == "employee" || i == "resident")
    }

    /// The other catalogue diseases the conversation named, when `taken` fills the disease step:
    /// which one this application takes, and that the others can follow.
    pub(super) fn other_diseases_note(&self, taken: &str) -> Option<String> {
        let region = self.region()?;
        let catalogue = self.a.content.diseases.region(region);
        let others: Vec<String> = (self.s.context.diseases.iter())
            .filter(|d| d.as_str() != taken && catalogue.iter().any(|c| &c.name == *d))
            .map(|d| format!("“{d}”"))
            .collect();
        if others.is_empty() {
            return None;
        }
        // Once in the conversation: the rule said (at the disease step, where the user chose
        // among them), the others need no mention again.
        if self.s.context.notes_said.iter().any(|k| k == RULE_NOTE) {
            return None;
        }
        let rule = self.several_diseases_rule(region);
        Some(format!("这次先按“{taken}”申请；您还提到{}。{rule}", others.join("、")))
    }

    /// What the region's sources say of several diseases (邵阳: one benefit per person), from its
    /// FAQ entry on the topic — never a promise that the others can be added later.
    pub(super) fn several_diseases_rule(&self, region: &str) -> String {
        let rule = self.faq_entry(region, MULTIPLE_DISEASES);
        let rule = rule.and_then(|e| e.answer.lines().next()).map(str::to_string);
        rule.unwrap_or_else(|| format!("同时有几种病怎么办，请问{}。", self.hotline_text()))
    }

    /// The first disease of this region's catalogue the conversation named.
    pub(super) fn said_disease(&self) -> Option<String> {
        self.said_diseases().into_iter().next()
    }

    /// Every disease of this region's catalogue the conversation named, in the order said.
    pub(super) fn said_diseases(&self) -> Vec<String> {
        let Some(region) = self.region() else { return Vec::new() };
        let catalogue = self.a.content.diseases.region(region);
        (self.s.context.diseases.iter())
            .filter(|d| catalogue.iter().any(|c| &c.name == *d))
            .cloned()
            .collect()
    }

    /// The diseases offered as buttons at the disease step: those the conversation named, when
    /// it named several (one named fills the step instead, see [`Turn::prefill_apply`]).
    pub(super) fn disease_buttons(&self) -> Vec<String> {
        Some(self.said_diseases()).filter(|d| d.len() >= 2).unwrap_or_default()
    }

    /// The disease step's question when the conversation named several: which one, after what
    /// the region's sources say of several diseases (its FAQ entry on the topic).
    pub(super) fn several_diseases_question(&self, named: &[String]) -> Option<String> {
        let region = self.region()?;
        let quoted: Vec<String> = named.iter().map(|d| format!("“{d}”")).collect();
        let rule = self.several_diseases_rule(region);
        Some(format!(
            "您提到了{}。{rule}\n这次按哪一个申请？点一个，或输入别的病名。",
            quoted.join("和")
        ))
    }

    /// `能不能改成糖尿病`, `病种换成高血压` once the disease step was answered: the disease is
    /// changed and the procedure goes on from the step after it (the materials list again, for
    /// the new disease); answers given since are kept and shown as taken. `false`: no change
    /// word, no disease named other than the one taken, or no disease step answered.
    pub(super) fn changes_disease(&mut self, text: &str) -> bool {
        let Some(current) = self.s.slots.get("disease").cloned() else { return false };
        let commands = &self.a.content.understand.commands;
        if !contains_any(text, &commands.disease_change)
            && !contains_any(text, &commands.disease_edit)
        {
            return false;
        }
        let Some(dialog) = self.s.dialog.clone() else { return false };
        let Some(tree) = self.a.content.dialogs.trees.get(&dialog) else { return false };
        let Some(step) = tree.steps.iter().find(|s| s.ask == Some(InputKind::Disease)) else {
            return false;
        };
        let Some(region) = self.region().map(str::to_string) else { return false };
        let u = self.a.understand(text, Reading { today: self.today, region: Some(&region) });
        // The disease said last is the new one (`高血压不晓得是不是3级 能不能改成糖尿病`).
        let Some(name) = (u.diseases.iter().rev())
            .find(|d| d.region == region && d.name != current)
            .map(|d| d.name.clone())
        else {
            return false;
        };
        if let Err(why) = self.insurance_allows(&name) {
            self.say(why);
            self.reask();
            return true;
        }
        let next = step.next.clone();
        let answered: Vec<String> = (tree.steps.iter())
            .filter_map(|s| s.slot.clone())
            .filter(|s| s != "disease" && s != "region" && self.s.slots.contains_key(s))
            .collect();
        self.s.slots.insert("disease".into(), name.clone());
        self.mark_prefilled(&answered);
        self.say(format!("好的，病种改为“{name}”。"));
        self.say_disease_notes(&name);
        match next {
            Some(next) => self.enter(&dialog, Target::Step(next), false),
            None => self.reask(),
        }
        true
    }
}

/// The FAQ topic of the rule on several diseases ([`Turn::other_diseases_note`]).
const MULTIPLE_DISEASES: &str = "multiple-diseases";

/// The key of that rule among the notes said once ([`super::context::Context::note_once`]).
pub(super) const RULE_NOTE: &str = "rule:multiple-diseases";
