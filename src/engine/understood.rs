//! The free-text policy (issue 10): what the engine does with a message that answers no step,
//! once [`crate::understand`] has read it.
//!
//! - A region named in a question is answered for that region and labelled; the session's
//!   region changes only when the user asks (a "切换到…" button, or typing 切换到攀枝花), or
//!   when none was chosen yet and the message names exactly one.
//! - Another place is only "not supported" when the question is about its own rules; where the
//!   insured person lives or is treated there, the answer is 异地备案 for their region.
//! - When the facts for an action are in the message it is done: the estimate (same figures as
//!   `mente calc`), the review deadline (same as `mente due`), eligibility for every disease
//!   named plus the how-to and a button that starts 新申请 with region and disease filled in.
//! - Every reply composed here fits one phone screen ([`SCREEN_CHARS`]) with a short source line.
//!
//! Consent: the understanding is used for this turn only. The one thing carried into the next
//! turn, a disease for the 新申请 button, is kept only when the user has agreed to storage.

use super::commands::Command;
use super::render::ButtonKind;
use super::turn::Turn;
use super::Choice;
use crate::content::regions::Region;
use crate::policy::calc::{self, CalcInput};
use crate::policy::calendar;
use crate::policy::dates::format_cn;
use crate::understand::{Action, Context, Insurance, Understanding, WorkStatus};

/// Longest reply composed here, source line included: one phone screen.
pub const SCREEN_CHARS: usize = 300;

/// Slot that marks a slot as filled from an earlier message (not yet confirmed by a step).
pub(super) const PREFILLED: &str = "prefilled";

/// A composed answer before it is fitted to the screen.
struct Composed {
    /// Lines of the answer, most important first; the tail is dropped when the screen is full.
    lines: Vec<String>,
    /// Short source ids (cited with their titles).
    source: String,
    /// Buttons offered with it.
    choices: Vec<Choice>,
}

impl<'a> Turn<'a> {
    /// Acts on what `text` says when it asks for something this policy answers. `failed`: the
    /// text was tried as the current step's answer and did not fit; then only a question is
    /// taken up. `false`: nothing done, the caller goes on (status reports, FAQ).
    pub(super) fn act_on_understanding(&mut self, text: &str, failed: bool) -> bool {
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        if failed && !u.question && u.action.is_none() {
            return false;
        }
        if let Some(target) = u.switch_to().map(str::to_string) {
            self.switch_region(&target);
            if u.action.is_none() {
                self.after_answer();
                return true;
            }
        }
        let mut note = None;
        if self.s.region.is_none() && self.s.dialog.is_none() {
            if let Some(r) = u.region().map(str::to_string) {
                note = Some(format!("（已为您选择地区：{}）", self.region_label(&r)));
                self.s.region = Some(r);
            }
        }
        let Some(region) = u.region().or(self.region()).map(str::to_string) else {
            return false;
        };
        if u.action == Some(Action::Human) && !u.question {
            // "我要找人工" / "帮我转人工": the hand-off, as the 人工 command.
            self.command(Command::Human);
            return true;
        }
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        if u.action == Some(Action::Apply)
            && !u.question
            && at_menu
            && u.lives_elsewhere().is_none()
        {
            // "帮我申请", "好 帮我申请糖尿病": said, not asked — start it.
            let disease = u.disease_names(Some(&region)).first().and_then(|name| {
                self.a.content.diseases.region(&region).iter().position(|d| d.name == *name)
            });
            self.start_apply_with(&region, disease);
            return true;
        }
        // "我要续期", "想换个医院": said at the menu, the procedure starts (asked, the FAQ answers).
        let procedure = match u.action {
            Some(Action::Renew) => Some("renew"),
            Some(Action::ChangeHospital) => Some("change_hospital"),
            Some(Action::Remote) => Some("remote"),
            _ => None,
        };
        // Only a short message: a longer one carries a question or details the FAQ should read.
        let short = text.chars().count() <= 12;
        if let Some(dialog) =
            procedure.filter(|_| at_menu && short && !u.question && u.region().is_none())
        {
            if self.a.content.dialogs.trees.contains_key(dialog) {
                self.start_dialog(dialog, true);
                return true;
            }
        }
        let Some(composed) = self.compose(&u, &region, text) else {
            if self.region() != Some(region.as_str()) {
                return self.faq_for(text, &region);
            }
            // A question typed at a step ("灵活就业的可以申请不" at a yes/no step, asked the
            // 四川话 way) is answered when the FAQ is sure, and the step asked again.
            // So is a question about a rejection or progress ("被退回来了要补材料 咋个补"), which
            // would otherwise be read as news about a tracked application.
            let news_like = matches!(u.action, Some(Action::Appeal | Action::Progress));
            if (failed || news_like) && u.question {
                let answer = self.a.knowledge.answer(text, Some(&region));
                if answer.id.is_some() {
                    self.say_answer(answer);
                    self.after_answer();
                    return true;
                }
            }
            // Set from this message or not, the FAQ answers the rest for the session's region
            // (its source line names the region).
            return false;
        };
        self.send(composed, &region, note);
        true
    }

    /// The answer for `u` in `region`, or `None` when this policy has nothing better than the
    /// FAQ (or a command) to offer.
    fn compose(&mut self, u: &Understanding, region: &str, text: &str) -> Option<Composed> {
        let r = self.a.content.regions.get(region)?;
        let remote_wins = !matches!(
            u.action,
            Some(
                Action::Deadline
                    | Action::ChangeHospital
                    | Action::Renew
                    | Action::Appeal
                    | Action::Human
                    | Action::Progress
                    | Action::MyApplications
            )
        );
        if u.lives_elsewhere().is_some() && remote_wins {
            return self.topic(region, "remote", "remote");
        }
        let diseases = !u.disease_names(Some(region)).is_empty();
        match u.action {
            Some(Action::Estimate) => self.estimate(u, r),
            Some(Action::Deadline) => self.deadline(u, r),
            Some(Action::Apply) if diseases || !u.unknown_conditions.is_empty() => {
                Some(self.eligibility(u, r, true, text))
            }
            // The FAQ answers these well (for the region named, see `faq_for`); where it is not
            // sure, the region's entry on the procedure is better than "not sure".
            Some(
                action @ (Action::ChangeHospital | Action::Renew | Action::Remote | Action::Appeal),
            ) if u.question && self.a.knowledge.answer(text, Some(region)).id.is_none() => {
                let (topic, dialog) = match action {
                    Action::ChangeHospital => ("change-hospital", "change_hospital"),
                    Action::Renew => ("renewal", "renew"),
                    Action::Remote => ("remote", "remote"),
                    _ => ("appeal", "rejected"),
                };
                self.topic(region, topic, dialog)
            }
            Some(
                Action::Apply
                | Action::ChangeHospital
                | Action::Renew
                | Action::Remote
                | Action::Appeal
                | Action::Progress
                | Action::MyApplications
                | Action::Human,
            ) => None,
            None if (diseases || !u.unknown_conditions.is_empty()) && u.question => {
                Some(self.eligibility(u, r, false, text))
            }
            None => None,
        }
    }

    /// A question about a region other than the session's, answered from the FAQ for that
    /// region (the answer names its region and source) with a button to switch to it.
    /// `false` when the FAQ is not sure.
    fn faq_for(&mut self, text: &str, region: &str) -> bool {
        let answer = self.a.knowledge.answer(text, Some(region));
        if answer.id.is_none() {
            return false;
        }
        let label = self.region_label(region);
        self.say_answer(answer);
        let switch = self.button(format!("切换到{label}"), ButtonKind::Region(region.into()));
        if let Some(reply) = self.replies.last_mut() {
            reply.choices.push(switch);
        }
        self.after_answer();
        true
    }

    /// The FAQ entry of `region` on `topic`.
    fn faq_entry(&self, region: &str, topic: &str) -> Option<&'a crate::content::faq::FaqEntry> {
        let faq: &'a [crate::content::faq::FaqEntry] = &self.a.content.faq;
        faq.iter()
            .find(|e| e.topic.as_deref() == Some(topic) && e.regions.iter().any(|r| r == region))
    }

    /// A region's FAQ entry on `topic`, with a button that starts `dialog`.
    fn topic(&self, region: &str, topic: &str, dialog: &str) -> Option<Composed> {
        let entry =
            self.a.content.faq.iter().find(|e| {
                e.topic.as_deref() == Some(topic) && e.regions.iter().any(|r| r == region)
            })?;
        let mut choices = Vec::new();
        if let Some(tree) = self.a.content.dialogs.trees.get(dialog) {
            choices.push(self.button(tree.title.clone(), ButtonKind::Menu(dialog.into())));
        }
        Some(Composed {
            lines: entry.answer.trim().lines().map(str::to_string).collect(),
            source: entry.source.clone(),
            choices,
        })
    }

    /// The yearly estimate when insurance (or retirement) and an amount are given; otherwise
    /// what to tell us for one.
    fn estimate(&self, u: &Understanding, r: &Region) -> Option<Composed> {
        let insurance = u.insurance.or(match u.status {
            Some(WorkStatus::Retired | WorkStatus::InService) => Some(Insurance::Employee),
            _ => None,
        });
        // Without the facts the FAQ's ratio answer is the better reply.
        let (Some(insurance), Some(expense)) = (insurance, u.amount()) else { return None };
        let retired = insurance == Insurance::Employee && u.status == Some(WorkStatus::Retired);
        let input =
            CalcInput { region: r.id.clone(), insurance, retired, tier: None, age: u.age, expense };
        let e = calc::estimate(&self.a.content.regions, &input).ok()?;
        let who = match (insurance, retired) {
            (Insurance::Employee, true) => "职工医保（退休）",
            (Insurance::Employee, false) => "职工医保",
            (Insurance::Resident, _) => "居民医保",
        };
        let yuan = |x: f64| format!("{}元", calc::money(x));
        let pct = |x: f64| format!("{}%", calc::money((x * 1000.0).round() / 10.0));
        let deductible =
            e.deductible.map_or("未公开".to_string(), |d| format!("{}/年", yuan(d)));
        Some(Composed {
            lines: vec![
                format!(
                    "{who}，全年门特费用{}：估算可报{}。",
                    yuan(expense),
                    range(e.estimate_min, e.estimate_max, yuan)
                ),
                format!("起付线{deductible}；报销比例{}。", range(e.ratio_min, e.ratio_max, pct)),
                e.assumptions.last().cloned().unwrap_or_default(),
            ],
            source: e.sources.join("；"),
            choices: Vec::new(),
        })
    }

    /// The review deadline from an acceptance date (the Nth working day after it).
    fn deadline(&self, u: &Understanding, r: &Region) -> Option<Composed> {
        let accepted = *u.dates.first()?;
        let days = r.review_days();
        let cal = &self.a.content.calendar;
        let due = calendar::working_days_after(cal, accepted, days);
        let basis = if r.review_days_assumed() {
            format!("{}没有公布审核时限，这里按{days}个工作日估算，请以经办机构通知为准。", r.name)
        } else {
            format!("审核时限{days}个工作日，受理当天不计。")
        };
        Some(Composed {
            lines: vec![
                format!("{}受理，审核最晚到{}。", format_cn(accepted), format_cn(due.date)),
                basis,
                format!("{}。", calendar::note(cal, due)),
            ],
            source: r.sources.first().map(|s| short_source(s)).unwrap_or_default(),
            choices: Vec::new(),
        })
    }

    /// Every disease named, checked against the region's catalogue (never "eligible" for an
    /// unverified entry), then — for "怎么申请" — the first lines of the how-to and a button that
    /// starts 新申请 with the region and disease filled in.
    fn eligibility(&self, u: &Understanding, r: &Region, how_to: bool, text: &str) -> Composed {
        let mut lines = Vec::new();
        let mut first_disease = None;
        for name in u.disease_names(Some(&r.id)) {
            let Some(d) = self.a.content.diseases.find(&r.id, name) else { continue };
            first_disease = first_disease.or(Some(name.to_string()));
            let only = if d.resident_only { "（仅限城乡居民医保）" } else { "" };
            lines.push(if d.verified {
                format!("{name}：在门特病种目录内，可以申请{only}。")
            } else {
                format!(
                    "{name}：可能属于门特病种{only}，但未经官方目录确认，请以当地医保部门公布为准（{}）。",
                    r.contact()
                )
            });
        }
        // Conditions not in the catalogue: not found here does not mean excluded.
        {
            for name in &u.unknown_conditions {
                lines.push(format!(
                    "{name}：{}的门特病种里没有找到，这不代表一定不能办，请问{}。",
                    r.name,
                    r.contact()
                ));
            }
        }
        let mut source = r.sources.first().map(|s| short_source(s)).unwrap_or_default();
        let several = u.disease_names(Some(&r.id)).len() >= 2;
        if several && MORE_THAN_ONE.iter().any(|w| text.contains(w)) {
            // "可以办两个门特不": the region's rule on several diseases, right after the list.
            if let Some(entry) = self.faq_entry(&r.id, "multiple-diseases") {
                lines.extend(entry.answer.trim().lines().map(str::to_string));
            }
        }
        if how_to {
            if let Some(entry) =
                self.a.content.faq.iter().find(|e| {
                    e.topic.as_deref() == Some("apply-steps") && e.regions.contains(&r.id)
                })
            {
                lines.extend(entry.answer.trim().lines().map(str::to_string));
                source = entry.source.clone();
            }
        }
        let label = match &first_disease {
            Some(name) => format!("用“{name}”开始新申请"),
            None => "开始新申请".to_string(),
        };
        let index = first_disease
            .as_deref()
            .and_then(|n| self.a.content.diseases.region(&r.id).iter().position(|d| d.name == n));
        let choices = vec![self.button(label, ButtonKind::Apply(r.id.clone(), index))];
        Composed { lines, source, choices }
    }

    /// Sends a composed answer labelled with its region, within one screen; then the current
    /// step again. A region other than the session's gets a "切换到…" button.
    fn send(&mut self, c: Composed, region: &str, note: Option<String>) {
        let label = self.region_label(region);
        let other_region = self.region().is_some_and(|r| r != region);
        // The region is always in the source line; an answer for a region other than the
        // session's also starts with it, so nobody reads it as their own region's rule.
        let head = match other_region {
            true => format!("{}【{label}】", note.unwrap_or_default()),
            false => note.unwrap_or_default(),
        };
        let citations = &self.a.content.citations;
        let source = match c.source.trim() {
            "" => format!("\n地区：{label}"),
            s => format!("\n来源：{}｜地区：{label}", citations.cite_short(&short_source(s))),
        };
        let text = fit(&head, &c.lines, &source, SCREEN_CHARS);
        let mut choices = c.choices;
        if !c.source.trim().is_empty() {
            self.s.last_source = Some(citations.cite(c.source.trim()));
            choices.push(self.button("来源", ButtonKind::Source));
        }
        if other_region {
            choices.push(self.button(format!("切换到{label}"), ButtonKind::Region(region.into())));
        }
        self.say_with(text, choices);
        self.after_answer();
    }

    /// After an answer: the current step again, or nothing more at the menu.
    fn after_answer(&mut self) {
        self.reask();
    }

    fn region_label(&self, region: &str) -> String {
        self.a.content.regions.get(region).map_or_else(|| region.to_string(), |r| r.name.clone())
    }

    /// At the region question, a message naming one region and asking more ("攀枝花的 起付线好多")
    /// chooses the region and is answered, instead of only choosing. `false`: not such a message.
    pub(super) fn region_with_question(&mut self, text: &str) -> bool {
        if self.s.dialog.as_deref() != Some("region") || self.s.pending.is_some() {
            return false;
        }
        let u = self.a.understand(text, Context { today: self.today, region: None });
        let Some(region) = u.region().map(str::to_string) else { return false };
        if !(u.question || u.action.is_some()) || u.switch_to().is_some() {
            return false;
        }
        let then = self.s.then.take();
        self.clear_dialog();
        self.s.region = Some(region.clone());
        if !self.act_on_understanding(text, false) {
            let answer = self.a.knowledge.answer(text, Some(&region));
            if answer.id.is_none() {
                self.say(format!("好的，已记住您的地区：{}。", self.region_label(&region)));
            } else {
                self.say_answer(answer);
            }
        }
        match then {
            Some(dialog) if self.s.dialog.is_none() => self.start_dialog(&dialog, true),
            _ if self.s.dialog.is_none() => self.show_menu(),
            _ => {}
        }
        true
    }

    /// The user asked for another region (typed, or the "切换到…" button).
    pub(super) fn switch_region(&mut self, region: &str) {
        if !self.a.content.regions.contains_key(region) {
            return self.stale();
        }
        self.s.region = Some(region.to_string());
        if self.s.dialog.is_some() {
            self.sync_region();
        }
        self.say(format!("已切换到{}。", self.region_label(region)));
    }

    /// The 新申请 button of an eligibility answer: the application starts in that region; the
    /// disease is filled in only when the user agreed to storing personal data (otherwise it is
    /// asked at its step, after the consent question).
    pub(super) fn start_apply_with(&mut self, region: &str, disease: Option<usize>) {
        if !self.a.content.regions.contains_key(region) {
            return self.stale();
        }
        self.s.region = Some(region.to_string());
        let name = disease
            .and_then(|i| self.a.content.diseases.region(region).get(i))
            .map(|d| d.name.clone());
        self.start_dialog("apply", true);
        if let (Some(name), Some(true)) = (name, self.s.consent) {
            if self.s.dialog.as_deref() == Some("apply") {
                self.s.slots.insert("disease".into(), name);
                self.s.slots.insert(PREFILLED.into(), "disease".into());
            }
        }
    }
}

/// Words asking about more than one disease at once (the region's multiple-diseases rule).
const MORE_THAN_ONE: &[&str] = &["两个", "几个", "多个", "同时", "一起办", "都办"];

/// "a", "a ~ b" or "a 起（上限未公开）" — as `mente calc` shows ranges.
fn range(min: f64, max: Option<f64>, show: impl Fn(f64) -> String) -> String {
    match max {
        Some(max) if max == min => show(min),
        Some(max) => format!("{} ~ {}", show(min), show(max)),
        None => format!("{}起（上限未公开）", show(min)),
    }
}

/// `seed 000（000_….txt）` → `seed 000`: the short id is enough, the title says the rest.
fn short_source(source: &str) -> String {
    source.split(['（', '(']).next().unwrap_or(source).trim().to_string()
}

/// `head` + as many whole `lines` as fit + `tail`, within `max` characters; a line that does
/// not fit ends the text with "…" so the reader knows there is more (the buttons lead on).
fn fit(head: &str, lines: &[String], tail: &str, max: usize) -> String {
    let len = |s: &str| s.chars().count();
    let mut text = head.to_string();
    let budget = max.saturating_sub(len(tail) + 2);
    for (i, line) in lines.iter().filter(|l| !l.trim().is_empty()).enumerate() {
        let sep = if i == 0 { "" } else { "\n" };
        if len(&text) + len(sep) + len(line) > budget {
            text.push_str(if i == 0 { "" } else { "\n…" });
            break;
        }
        text.push_str(sep);
        text.push_str(line);
    }
    text.push_str(tail);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_whole_lines_within_the_screen() {
        let lines: Vec<String> =
            (0..20).map(|i| format!("第{i}行：{}", "很长的内容".repeat(4))).collect();
        let text = fit("【攀枝花】", &lines, "\n来源：某文件", 100);
        assert!(text.chars().count() <= 100, "{text}");
        assert!(text.starts_with("【攀枝花】第0行"));
        assert!(text.contains("…") && text.ends_with("来源：某文件"));
    }

    #[test]
    fn short_source_drops_the_file_name() {
        assert_eq!(short_source("seed 000（000_02f70f282268eebe.txt）"), "seed 000");
        assert_eq!(short_source("seed 001_a46e91e77d00d4ac.txt"), "seed 001_a46e91e77d00d4ac.txt");
    }
}
