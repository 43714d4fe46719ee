//! A reminder managed in plain words, each in one turn (issue 17, play-test round 8, P3):
//! `提醒改到12月14号`, `把15号的提醒改到14号`, `提醒提前一天`, `往后推两天`, `改成下周一` move
//! it; `把15号那个删了`, `第2条删了` delete it; `一个礼拜不是14号吗` right after one was set says
//! how its day was counted and offers to move it.
//!
//! Which reminder: the one on a day said before the move word (or with the delete word), the
//! one numbered (第2条, as the reminders list numbers them), the one just set, or the only one.
//! When several fit, a question with one button each — never a guess. Without the word 提醒 a
//! message is read so only right after a reply that set or listed reminders
//! ([`super::Session::reminders_shown`]). The words are content: `commands.reminder_edit` in
//! `faq/understand.yaml`; the changes themselves are the reminders' buttons (`r:mv`, `r:del`,
//! `r:off` of [`track::on_button`]), so a tap and a sentence do the same.
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules.

use chrono::{Datelike, Duration, NaiveDate};

use super::commands::{self, Command};
use super::remind_task::remind_clause;
use super::track::{self, Listed, TrackChoice, TrackOutput};
use super::turn::Turn;
use super::{RemindersShown, SetReminder};
use crate::content::understand::{contains_any, CommandName};
use crate::policy::dates::format_cn;
use crate::understand::Context as Reading;

/// How a move names the new day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewDay {
    /// That day (`改到12月14号`).
    On(NaiveDate),
    /// So many days later (negative: earlier) than the reminder's own day (`提前一天`).
    Shift(i64),
}

impl<'a> Turn<'a> {
    /// Handles `text` when it moves, deletes or doubts a reminder. `false`: it does not (or no
    /// reminder fits the words at all): the message is read as usual.
    pub(super) fn edits_reminder(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.reminder_edit;
        let named = contains_any(text, &words.noun);
        if !named && (self.reminders_before.is_none() || contains_any(text, &words.not_reminder)) {
            return false;
        }
        let done = self.moves_reminder(text)
            || self.deletes_reminder(text, named)
            || self.doubts_reminder_day(text);
        if done && self.s.dialog.is_some() {
            self.reask();
        }
        done
    }

    /// Marks this reply as one about reminders ([`super::Session::reminders_shown`]).
    pub(super) fn reminders_said(&mut self, set: Option<SetReminder>) {
        self.s.reminders_shown = Some(RemindersShown { set });
    }

    /// `提醒改到12月14号`, `把15号的提醒改到14号`, `往后推两天`: the reminder of a task moved.
    fn moves_reminder(&mut self, text: &str) -> bool {
        let Some((before, new_day)) = self.new_day(text) else { return false };
        let listed = track::listed_reminders(&self.track_ctx());
        if !listed.iter().any(|l| l.task.is_some()) {
            return false;
        }
        let from = self.day_in(before);
        let just_set = self.reminders_before.as_ref().and_then(|r| r.set.as_ref());
        let fits: Vec<&Listed> = match (from, just_set) {
            (Some(day), _) => listed.iter().filter(|l| l.day == day).collect(),
            // `往后推两天` right after one was set: that one.
            (None, Some(set)) => {
                let it: Vec<&Listed> = listed
                    .iter()
                    .filter(|l| l.day == set.day && l.task.as_deref() == Some(set.task.as_str()))
                    .collect();
                if it.len() == 1 {
                    it
                } else {
                    listed.iter().collect()
                }
            }
            (None, None) => listed.iter().collect(),
        };
        // An application's reminder follows its dates: it can be switched off, not moved.
        let tasks: Vec<&Listed> = fits.iter().copied().filter(|l| l.task.is_some()).collect();
        let target = |l: &Listed| match new_day {
            NewDay::On(day) => day,
            NewDay::Shift(days) => l.day + Duration::days(days),
        };
        match tasks.as_slice() {
            [one] => self.track_button(&move_payload(one, target(one))),
            [] if fits.is_empty() => {
                let day = from.map(format_cn).unwrap_or_default();
                self.say(format!("{day}没有要发的提醒。您设的提醒是这些："));
                self.command(Command::Reminders);
            }
            [] => {
                self.say(
                    "这天的提醒是按记下的申请自动安排的，日期跟着审核期限、有效期走，不能改；不需要的话可以取消它。",
                );
                self.command(Command::Reminders);
            }
            several => {
                let choices = several
                    .iter()
                    .map(|l| TrackChoice {
                        label: format!("改第{}条：{}", l.n, short_line(l)),
                        payload: move_payload(l, target(l)),
                    })
                    .collect();
                let mut out = TrackOutput::text(format!(
                    "您有{}条提醒{}，要改哪一条？",
                    several.len(),
                    from.map(|d| format!("在{}", format_cn(d))).unwrap_or_default()
                ));
                out.choices = choices;
                self.apply_track(out);
                self.reminders_said(None);
            }
        }
        true
    }

    /// The new day a move names, with the part of `text` before the move word (where the day
    /// of the reminder meant may be said). `None`: no move word, or no day after it.
    fn new_day<'t>(&self, text: &'t str) -> Option<(&'t str, NewDay)> {
        let words = &self.a.content.understand.commands.reminder_edit;
        if let Some((at, word)) = first_of(text, &words.move_to) {
            let after = &text[at + word.len()..];
            return self.day_in(after).map(|day| (&text[..at], NewDay::On(day)));
        }
        let (at, word, sign) = first_of(text, &words.earlier)
            .map(|(at, w)| (at, w, -1))
            .or_else(|| first_of(text, &words.later).map(|(at, w)| (at, w, 1)))?;
        let after = &text[at + word.len()..];
        let days = words
            .days
            .iter()
            .filter(|(w, _)| !w.is_empty() && after.contains(w.as_str()))
            .max_by_key(|(w, _)| w.chars().count())
            .map(|(_, days)| i64::from(*days))?;
        Some((&text[..at], NewDay::Shift(sign * days)))
    }

    /// The first day `text` names, read as a day ahead (`14号` on 12-08 is 12-14).
    fn day_in(&self, text: &str) -> Option<NaiveDate> {
        if text.trim().is_empty() {
            return None;
        }
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        u.dates_ahead.first().or(u.dates.first()).copied()
    }

    /// The last day `text` names, read as a day ahead.
    fn last_day_in(&self, text: &str) -> Option<NaiveDate> {
        if text.trim().is_empty() {
            return None;
        }
        let u = self.a.understand(text, Reading { today: self.today, region: self.region() });
        u.dates_ahead.last().or(u.dates.last()).copied()
    }

    /// `12月23号提醒我` (no task said) right after a reminder of a task was set, or with only
    /// one such reminder: that reminder moved to `day` (or said to be there already).
    /// `false`: no such reminder.
    pub(super) fn moves_task_to(&mut self, day: NaiveDate) -> bool {
        let listed = track::listed_reminders(&self.track_ctx());
        let tasks: Vec<&Listed> = listed.iter().filter(|l| l.task.is_some()).collect();
        let just_set = self.reminders_before.as_ref().and_then(|r| r.set.as_ref());
        let it = just_set
            .and_then(|set| {
                tasks.iter().find(|l| l.day == set.day && l.task.as_deref() == Some(&set.task))
            })
            .or(if tasks.len() == 1 { tasks.first() } else { None });
        let Some(it) = it.copied() else { return false };
        if it.day == day {
            let task = it.task.clone().unwrap_or_default();
            self.say(format!(
                "“{task}”的提醒已经设在{}了，不用改。查看或取消：发送“我的提醒”。\n{}",
                format_cn(day),
                self.usage_source_line()
            ));
            self.reminders_said(None);
        } else {
            let payload = move_payload(it, day);
            self.track_button(&payload);
        }
        true
    }

    /// `把15号那个删了`, `第2条删了`, `15号的提醒不要了`: the reminder meant deleted (an
    /// application's switched off), as its button in the list does.
    fn deletes_reminder(&mut self, text: &str, named: bool) -> bool {
        let words = &self.a.content.understand.commands;
        let edit = &words.reminder_edit;
        if !contains_any(text, &words.delete_record) && !contains_any(text, &edit.remove) {
            return false;
        }
        // `把我的信息都删了`: everything, as /forget — not one reminder.
        if matches!(commands::read(text, words), Some(Command::Forget | Command::ConfirmForget))
            && !self.user.applications.is_empty()
            && !named
        {
            return false;
        }
        let day = self.day_in(text);
        let n = super::track_said::nth(text);
        // `提醒全部删了`: all of them, as the list's 全部取消 button.
        if named && day.is_none() && n.is_none() && contains_any(text, &edit.all) {
            self.track_button("r:all");
            return true;
        }
        let listed = track::listed_reminders(&self.track_ctx());
        if listed.is_empty() {
            return false;
        }
        if day.is_none() && n.is_none() && !named && !contains_any(text, &words.record_pointer) {
            return false;
        }
        let fits: Vec<&Listed> = match (n, day) {
            (Some(n), _) => listed.iter().filter(|l| l.n == n).collect(),
            (None, Some(day)) => listed.iter().filter(|l| l.day == day).collect(),
            (None, None) => listed.iter().collect(),
        };
        match fits.as_slice() {
            // `把15号那个删了` had offered to delete the application: say it stays.
            [one] if !self.user.applications.is_empty() => {
                let payload = one.remove_payload();
                self.track_button_with(&payload, "记下的申请没有动，还在“我的申请”里。");
            }
            [one] => self.track_button(&one.remove_payload()),
            [] => {
                let which = match (n, day) {
                    (Some(n), _) => format!("没有第{n}条提醒。"),
                    (None, Some(day)) => format!("{}没有要发的提醒。", format_cn(day)),
                    (None, None) => String::new(),
                };
                self.say(format!("{which}您设的提醒是这些："));
                self.command(Command::Reminders);
            }
            several => {
                let choices = several
                    .iter()
                    .map(|l| TrackChoice {
                        label: format!(
                            "{}第{}条：{}",
                            if l.task.is_some() { "删除" } else { "关闭" },
                            l.n,
                            short_line(l)
                        ),
                        payload: l.remove_payload(),
                    })
                    .collect();
                let mut out = TrackOutput::text(format!(
                    "{}有{}条提醒，要删哪一条？",
                    day.map(format_cn).unwrap_or_else(|| "您".into()),
                    several.len()
                ));
                out.choices = choices;
                self.apply_track(out);
                self.reminders_said(None);
            }
        }
        true
    }

    /// `一个礼拜不是14号吗` right after a reminder was set for the 15th: how its day was counted
    /// (from which day, China time, how many days), and a button moving it to the day said.
    fn doubts_reminder_day(&mut self, text: &str) -> bool {
        let words = &self.a.content.understand.commands.reminder_edit;
        let Some(set) = self.reminders_before.as_ref().and_then(|r| r.set.clone()) else {
            return false;
        };
        if !contains_any(text, &words.doubt) {
            return false;
        }
        // `不是25号 23号提醒我查审核结果`: the day said last is the one meant.
        let Some(said) = self.last_day_in(text).filter(|d| *d >= self.today) else {
            return false;
        };
        let listed = track::listed_reminders(&self.track_ctx());
        let Some(it) = listed
            .iter()
            .find(|l| l.day == set.day && l.task.as_deref() == Some(set.task.as_str()))
        else {
            return false;
        };
        let days = (set.day - set.from).num_days();
        let counted = format!(
            "“{}”的提醒日是这样算的：设提醒那天是{}（北京时间），往后数{days}天是{}。",
            set.task,
            format_cn(set.from),
            format_cn(set.day)
        );
        // … and asked with 提醒我 on it: moved there at once, as `23号提醒我` would.
        let remind = self.a.content.understand.commands.within.get(&CommandName::Remind);
        let asks_there = remind.is_some_and(|words| {
            words.iter().any(|w| !w.is_empty() && remind_clause(text).contains(w.as_str()))
        });
        if said != set.day && asks_there {
            self.track_button(&move_payload(it, said));
            return true;
        }
        let mut out = if said == set.day {
            TrackOutput::text(format!("{counted}提醒就在这天，不用改。"))
        } else {
            let mut out = TrackOutput::text(format!(
                "{counted}想在{}提醒的话，点下面的按钮改过去。",
                format_cn(said)
            ));
            out.choices = vec![TrackChoice {
                label: format!("改到{}月{}日", said.month(), said.day()),
                payload: move_payload(it, said),
            }];
            out
        };
        out.text.push_str(&format!("\n{}", self.usage_source_line()));
        self.apply_track(out);
        self.reminders_said(Some(set));
        true
    }

    /// What a reminders button does, done from words: the same payload through
    /// [`track::on_button`].
    fn track_button(&mut self, payload: &str) {
        self.track_button_with(payload, "");
    }

    /// [`Turn::track_button`] with `note` on a line after what it says.
    fn track_button_with(&mut self, payload: &str, note: &str) {
        match track::on_button(payload, &self.track_ctx()) {
            Some(mut out) => {
                if !note.is_empty() {
                    out.text.push('\n');
                    out.text.push_str(note);
                }
                self.apply_track(out)
            }
            None => self.say("这条提醒已经不在了，发送“我的提醒”可以看到现在的提醒。"),
        }
        self.reminders_said(None);
    }

    /// `来源：助手使用说明｜地区：邵阳`: where the rules of reminders are written.
    pub(super) fn usage_source_line(&self) -> String {
        let source = self.a.content.citations.cite_short("README.md");
        let region =
            self.region().and_then(|id| self.a.content.regions.get(id)).map(|r| r.name.clone());
        let region = region.map(|name| format!("｜地区：{name}")).unwrap_or_default();
        format!("来源：{source}{region}")
    }
}

/// The `r:mv` payload moving `l` to `day`.
fn move_payload(l: &Listed, day: NaiveDate) -> String {
    format!("r:mv:{}:{}", l.id, day.format("%Y%m%d"))
}

/// `12月15日 打电话问` (a button is short).
fn short_line(l: &Listed) -> String {
    let what = l.task.as_deref().unwrap_or("申请的提醒");
    format!("{}月{}日 {what}", l.day.month(), l.day.day())
}

/// Where the first of `words` (the longest at the earliest place) stands in `text`.
fn first_of<'w>(text: &str, words: &'w [String]) -> Option<(usize, &'w str)> {
    words
        .iter()
        .filter(|w| !w.is_empty())
        .filter_map(|w| text.find(w.as_str()).map(|at| (at, w.as_str())))
        .min_by_key(|(at, w)| (*at, std::cmp::Reverse(w.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_word_wins_and_the_longest_at_one_place() {
        let words: Vec<String> = ["改到", "改", "推到"].iter().map(|w| w.to_string()).collect();
        assert_eq!(first_of("把15号的提醒改到14号", &words), Some((17, "改到")));
        assert_eq!(first_of("推到周一", &words), Some((0, "推到")));
        assert_eq!(first_of("提醒", &words), None);
    }
}
