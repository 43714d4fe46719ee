//! Going to the window at a time said (`今天中午12点半过去得不`, `明天下午3点去窗口行不行`): the
//! region's published opening hours (`offline.windows` of `data/regions`) on working days (the
//! holiday calendar), checked for that day and time, then what the sources do not say
//! (`offline.hours_unknown`). A region without published hours gets only that.
//!
//! Layer: handler — a part of `Turn` built on `turn`, `composed` and the base modules;
//! `understood` builds on it.

use chrono::{NaiveDate, NaiveTime};

use super::composed::Composed;
use super::turn::Turn;
use crate::content::calendar::is_weekend;
use crate::content::regions::{Offline, Region};
use crate::content::understand::contains_any;
use crate::policy::calendar;
use crate::policy::dates::format_cn;
use crate::understand::Understanding;

impl Turn<'_> {
    /// The answer to a question about going to the window at a time of day, when the message
    /// names a time and is about the window (a window word, or right after an answer on going
    /// there: `window_topics`). `None` otherwise, or when the region says nothing of its hours.
    pub(super) fn window_at_time(
        &self,
        u: &Understanding,
        r: &Region,
        text: &str,
    ) -> Option<Composed> {
        let offline = r.offline.as_ref()?;
        let time = crate::understand::time_in(text).filter(|_| u.question)?;
        let words = &self.a.content.understand;
        let last_topic = self.s.context.topics.last();
        let about_window = contains_any(text, &words.asks.window)
            || last_topic.is_some_and(|t| words.window_topics.contains(t));
        if !about_window {
            return None;
        }
        let mut lines = Vec::new();
        if !offline.parsed_windows().is_empty() {
            let day = u.dates.first().copied().filter(|d| *d >= self.today).unwrap_or(self.today);
            lines.push(self.window_verdict(offline, day, time));
        }
        lines.extend(offline.hours_unknown.clone());
        if lines.is_empty() {
            return None;
        }
        let source = match self.faq_entry(&r.id, "offline-window") {
            Some(entry) => entry.source.clone(),
            None => r.sources.first().cloned().unwrap_or_default(),
        };
        Some(Composed::plain(lines, source))
    }

    /// Whether the window is open on `day` at `time`, and when to go instead if not.
    fn window_verdict(&self, offline: &Offline, day: NaiveDate, time: NaiveTime) -> String {
        let cal = &self.a.content.calendar;
        let place = offline.place.as_deref().unwrap_or("窗口");
        let hours = offline.hours.as_deref().unwrap_or_default();
        let day_name = match day == self.today {
            true => "今天".to_string(),
            false => format_cn(day),
        };
        let next_day = || {
            let due = calendar::next_working_day(cal, day);
            let guess =
                if due.exact { "" } else { "（按周末推算，节假日以公布为准）" };
            format!("{}{guess}", format_cn(due.date))
        };
        let working = cal.working_day(day).unwrap_or_else(|| !is_weekend(day));
        if !working {
            return format!(
                "{day_name}不是工作日，{place}不办公（{hours}），下一个工作日是{}。",
                next_day()
            );
        }
        let said = time.format("%-H:%M");
        let windows = offline.parsed_windows();
        if windows.iter().any(|(from, to)| *from <= time && time < *to) {
            return format!("{day_name}{said}在{place}的办公时间内（{hours}），可以去。");
        }
        match windows.iter().map(|(from, _)| *from).find(|from| *from > time) {
            Some(from) => format!(
                "{said}不在{place}的办公时间内（{hours}），{day_name}{}以后再去。",
                from.format("%-H:%M")
            ),
            None => format!("{said}{place}已经下班（{hours}），请下一个工作日{}再去。", next_day()),
        }
    }
}
