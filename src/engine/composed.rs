//! The answers the free-text policy (`understood`, the handler above) composes from region
//! data, the disease catalogue, the calculator and the working-day calendar: the estimate, the
//! review deadline, eligibility for every disease named with the how-to, and a region's FAQ
//! entry on a procedure — each as lines that [`fit`] cuts to one phone screen
//! ([`SCREEN_CHARS`]).
//!
//! Layer: handler — a part of `Turn` built on `turn` and the base modules; `understood` builds on
//! it.

use chrono::Datelike;

use super::context::said_insurance;
use super::render::ButtonKind;
use super::turn::Turn;
use super::Choice;
use crate::content::regions::Region;
use crate::content::understand::contains_any;
use crate::policy::calc::{self, CalcInput};
use crate::policy::calendar;
use crate::policy::dates::format_cn;
use crate::understand::{Action, Insurance, Understanding, WorkStatus};

/// Longest reply composed here, source line included: one phone screen.
pub const SCREEN_CHARS: usize = 300;

/// A composed answer before it is fitted to the screen.
pub(super) struct Composed {
    /// Lines of the answer, most important first; the tail is dropped when the screen is full.
    pub(super) lines: Vec<String>,
    /// Short source ids (cited with their titles).
    pub(super) source: String,
    /// Buttons offered with it.
    pub(super) choices: Vec<Choice>,
    /// It answers for every region (a comparison), each line naming its region.
    pub(super) all_regions: bool,
    /// The FAQ topic it gives (`remote`): an answer on the same topic again is a repeat.
    pub(super) topic: Option<String>,
    /// It carries the region's how-to (`apply-steps`), in full or pointing at the one above.
    pub(super) steps: bool,
}

impl Composed {
    /// Lines and their source, with no buttons, for the region asked about only.
    pub(super) fn plain(lines: Vec<String>, source: String) -> Composed {
        Composed {
            lines,
            source,
            choices: Vec::new(),
            all_regions: false,
            topic: None,
            steps: false,
        }
    }
}

/// Closes every deductible-and-ratio answer: what the figures apply to. Worded for a region
/// where one insurance has a deductible and the other none (邵阳: 居民不设起付线), so that it
/// never reads as a deductible for everyone.
const COSTS_SCOPE: &str = "只报门特病种相关的费用，有起付线的先扣掉起付线；实际以医保结算为准。";

/// [`COSTS_SCOPE`] where every line shown says there is no deductible (邵阳 居民): "有起付线的先
/// 扣掉" beside "不设起付线" read as a contradiction (play-test round 14, P8).
const COSTS_SCOPE_NO_DEDUCTIBLE: &str = "只报门特病种相关的费用；实际以医保结算为准。";

/// The scope line for cost lines `shown`.
fn costs_scope(shown: &[String]) -> String {
    let none = !shown.is_empty() && shown.iter().all(|l| l.contains("不设起付线"));
    match none {
        true => COSTS_SCOPE_NO_DEDUCTIBLE,
        false => COSTS_SCOPE,
    }
    .to_string()
}

impl<'a> Turn<'a> {
    /// The FAQ entry of `region` on `topic`.
    pub(super) fn faq_entry(
        &self,
        region: &str,
        topic: &str,
    ) -> Option<&'a crate::content::faq::FaqEntry> {
        let faq: &'a [crate::content::faq::FaqEntry] = &self.a.content.faq;
        faq.iter()
            .find(|e| e.topic.as_deref() == Some(topic) && e.regions.iter().any(|r| r == region))
    }

    /// A region's FAQ entry on `topic`, with a button that starts `dialog`.
    pub(super) fn topic(&self, region: &str, topic: &str, dialog: &str) -> Option<Composed> {
        let entry = self.faq_entry(region, topic)?;
        let mut choices = Vec::new();
        if let Some(tree) = self.a.content.dialogs.trees.get(dialog) {
            choices.push(self.button(tree.title.clone(), ButtonKind::Menu(dialog.into())));
        }
        Some(Composed {
            lines: entry.answer.trim().lines().map(str::to_string).collect(),
            source: entry.source.clone(),
            choices,
            all_regions: false,
            topic: Some(topic.to_string()),
            steps: false,
        })
    }

    /// The yearly estimate when an amount (or a range, `四五千`) is given: for the insurance (or
    /// retirement) named, or
    /// for 职工 and 居民 side by side when the message does not say which. `None` without an
    /// amount: the FAQ's ratio answer is the better reply then.
    /// `pays`: the user asked what they pay themselves (自付 comes first).
    pub(super) fn estimate(&self, u: &Understanding, r: &Region, pays: bool) -> Option<Composed> {
        let expense = u.amount()?;
        let insurance = u.insurance.or(match u.status {
            Some(WorkStatus::Retired | WorkStatus::InService) => Some(Insurance::Employee),
            _ => None,
        });
        let retired = u.status == Some(WorkStatus::Retired);
        let (lines, sources) = match insurance {
            Some(insurance) => {
                let e = self.calc_estimate(r, insurance, retired, u.age, expense)?;
                let last = e.assumptions.last().cloned().unwrap_or_default();
                let deductible = match insurance {
                    Insurance::Employee => &r.deductible.employee,
                    Insurance::Resident => &r.deductible.resident,
                };
                let expenses = u.amount_range.unwrap_or((expense, expense));
                let who = who(insurance, retired);
                let note = deductible.in_estimate.as_deref();
                let mut lines = one_estimate(who, expenses, &e, note, pays);
                lines.extend([limit_caveat(), last]);
                (lines, e.sources)
            }
            None => {
                // Both side by side, each as its one figure; the words on the deductible once.
                let expenses = u.amount_range.unwrap_or((expense, expense));
                let mut lines = Vec::new();
                let mut notes = Vec::new();
                let mut last = String::new();
                let mut sources = Vec::new();
                for (insurance, retired) in
                    [(Insurance::Employee, retired), (Insurance::Resident, false)]
                {
                    let e = self.calc_estimate(r, insurance, retired, u.age, expense)?;
                    let who = who(insurance, retired);
                    lines.extend(one_estimate(who, expenses, &e, None, pays).into_iter().take(1));
                    let deductible = match insurance {
                        Insurance::Employee => &r.deductible.employee,
                        Insurance::Resident => &r.deductible.resident,
                    };
                    if let Some(note) = &deductible.in_estimate {
                        push_new(&mut notes, note.clone());
                    }
                    last = e.assumptions.last().cloned().unwrap_or_default();
                    for source in e.sources {
                        push_new(&mut sources, source);
                    }
                }
                lines.push(limit_caveat());
                lines.push("告诉我是职工还是居民医保、是否退休，可以算得更准。".to_string());
                lines.extend(notes);
                lines.push(last);
                (lines, sources)
            }
        };
        // Someone weighing up the cost usually applies next: the way in is one tap away.
        let choices = vec![
            self.button("开始新申请", ButtonKind::Apply(r.id.clone(), None, said_insurance(u)))
        ];
        Some(Composed {
            lines,
            source: sources.join("；"),
            choices,
            all_regions: false,
            topic: None,
            steps: false,
        })
    }

    /// `咋个算的` after an estimate: the same figures with the sum written out step by step
    /// (amount − deductible, × ratio, what is left to pay), for the insurance known; for none
    /// known, the estimate of both as before (its rule line says how).
    pub(super) fn worked_estimate(&self, u: &Understanding, r: &Region) -> Option<Composed> {
        let expense = u.amount()?;
        let insurance = u.insurance.or(match u.status {
            Some(WorkStatus::Retired | WorkStatus::InService) => Some(Insurance::Employee),
            _ => None,
        });
        let Some(insurance) = insurance else { return self.estimate(u, r, false) };
        let retired = u.status == Some(WorkStatus::Retired);
        let e = self.calc_estimate(r, insurance, retired, u.age, expense)?;
        let mut lines = vec![format!("{}，按全年{}算：", who(insurance, retired), yuan(expense))];
        lines.extend(worked_lines(expense, &e));
        let deductible = match insurance {
            Insurance::Employee => &r.deductible.employee,
            Insurance::Resident => &r.deductible.resident,
        };
        lines.extend(deductible.in_estimate.clone());
        lines.extend(e.assumptions.last().cloned());
        let choices = vec![
            self.button("开始新申请", ButtonKind::Apply(r.id.clone(), None, said_insurance(u)))
        ];
        Some(Composed {
            lines,
            source: e.sources.join("；"),
            choices,
            all_regions: false,
            topic: None,
            steps: false,
        })
    }

    /// `病历是今年5月的 可以吗`: the region's rule on how recent the records must be, applied to
    /// the date or month said. `None` when the message names no records (`records` of
    /// `faq/understand.yaml`) or no date, or the region's sources give no such rule.
    pub(super) fn records_age(
        &self,
        u: &Understanding,
        r: &Region,
        text: &str,
    ) -> Option<Composed> {
        let months = r.materials.records_valid_months?;
        if !contains_any(text, &self.a.content.understand.asks.records) {
            return None;
        }
        let (first, last) = match u.dates.first() {
            Some(d) => (*d, *d),
            None => month_said(text, self.today).or_else(|| year_said(text, self.today))?,
        };
        if first > self.today {
            return None;
        }
        let oldest = self.today.checked_sub_months(chrono::Months::new(months))?;
        let said = if first == last {
            format_cn(first)
        } else if (first.year(), first.month()) == (last.year(), last.month()) {
            format!("{}年{}月", first.year(), first.month())
        } else {
            format!("{}年", first.year())
        };
        let rule = format!(
            "{}的病历资料要近{}个月（近半年）内的，也就是{}以后的。",
            r.name,
            months,
            format_cn(oldest)
        );
        let verdict = if last < oldest {
            format!("您说的是{said}的，到今天已经超过{months}个月，不符合，请到医院重新开近期的病历或检查报告（要盖医院公章）。")
        } else if first >= oldest {
            format!("您说的是{said}的，在{months}个月内，可以用；材料要清晰完整、盖医院公章。")
        } else {
            format!(
                "{said}的要看具体日期：{}以后的可以用，更早的要到医院重新开近期的。",
                format_cn(oldest)
            )
        };
        let source = r.materials.source.clone().unwrap_or_default();
        let source = self.faq_entry(&r.id, "materials").map_or(source, |e| e.source.clone());
        Some(Composed {
            lines: vec![rule, verdict],
            source,
            choices: Vec::new(),
            all_regions: false,
            topic: None,
            steps: false,
        })
    }

    /// The calculator's estimate (the figures of `mente calc`) for one insurance type.
    fn calc_estimate(
        &self,
        r: &Region,
        insurance: Insurance,
        retired: bool,
        age: Option<u32>,
        expense: f64,
    ) -> Option<calc::Estimate> {
        let retired = insurance == Insurance::Employee && retired;
        let input =
            CalcInput { region: r.id.clone(), insurance, retired, tier: None, age, expense };
        calc::estimate(&self.a.content.regions, &input).ok()
    }

    /// Deductible and ratio for the insurance named, or for 职工 and 居民 side by side: the
    /// figures of `mente calc`, without an amount to estimate.
    fn cost_line(&self, u: &Understanding, r: &Region) -> Option<String> {
        let (parts, _) = self.cost_parts(u, r)?;
        Some(format!("费用：{}；告诉我全年药费可以估算能报多少。", parts.join("；")))
    }

    /// The line of the region's deductible answer on which diseases are exempt from it, if the
    /// FAQ has one (攀枝花: 部分病种免起付线, which ones the source does not list).
    fn exemption_line(&self, r: &Region) -> Option<String> {
        let entry = self.faq_entry(&r.id, "deductible")?;
        let line = entry.answer.lines().map(str::trim).find(|l| l.contains("免起付线"))?;
        Some(line.trim_start_matches(['-', ' ']).to_string())
    }

    /// "起付线多少 报销比例呢", "两个地方对比一下": deductible and ratio together, for the
    /// region (or every region, when the message compares them). `None` unless the message
    /// asks for both figures or a comparison, and gives no amount (then it is an estimate).
    pub(super) fn costs(&self, u: &Understanding, r: &Region, text: &str) -> Option<Composed> {
        let asks = &self.a.content.understand.asks;
        let deductible = contains_any(text, &asks.deductible);
        let ratio = contains_any(text, &asks.ratio);
        let compare = contains_any(text, &asks.compare);
        if !u.amounts.is_empty() || !((deductible && ratio) || (compare && (deductible || ratio))) {
            return None;
        }
        let regions: Vec<&Region> = match compare {
            true => self.a.content.regions.values().collect(),
            false => vec![r],
        };
        // "职工和居民的起付线": both, although the reader keeps the first insurance named.
        let mut u = u.clone();
        if text.contains("职工") && text.contains("居民") {
            u.insurance = None;
        }
        let u = &u;
        let mut lines = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        for region in regions {
            let (parts, cited) = self.cost_parts(u, region)?;
            let parts = parts.join("；");
            lines.push(match compare {
                true => format!("{}：{parts}。", region.name),
                false => format!("{parts}。"),
            });
            for source in cited {
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
        lines.push(costs_scope(&lines));
        Some(Composed {
            lines,
            source: sources.join("；"),
            choices: Vec::new(),
            all_regions: compare,
            topic: None,
            steps: false,
        })
    }

    /// The deductible and ratio of the one insurance (and status) in `u`, as one line with what
    /// the ratio leaves open; `None` without figures.
    pub(super) fn person_costs(&self, u: &Understanding, r: &Region) -> Option<Composed> {
        let insurance = u.insurance?;
        let retired = u.status == Some(WorkStatus::Retired);
        let (parts, cited) = self.cost_parts(u, r)?;
        let mut lines =
            vec![format!("{}（按您前面说的{}）。", parts.join("；"), who(insurance, retired))];
        // 攀枝花 居民 53%~68%: which tier gets which is unpublished, as the answer for both
        // types says.
        let ratio = match (insurance, retired) {
            (Insurance::Employee, false) => &r.ratios.employee_in_service,
            (Insurance::Employee, true) => &r.ratios.employee_retired,
            (Insurance::Resident, _) => &r.ratios.resident,
        };
        let scope = costs_scope(&lines);
        lines.extend(ratio.in_costs.clone());
        lines.push(scope);
        Some(Composed {
            lines,
            source: cited.join("；"),
            choices: Vec::new(),
            all_regions: false,
            topic: Some("ratio".to_string()),
            steps: false,
        })
    }

    /// "职工起付线800元/年，报销85%起" per insurance type (the one named, else both); 职工 in
    /// service and retired apart where their ratios differ.
    /// Also returns the calculator's sources for the figures shown.
    fn cost_parts(&self, u: &Understanding, r: &Region) -> Option<(Vec<String>, Vec<String>)> {
        let retired = u.status == Some(WorkStatus::Retired);
        let insurance = u.insurance.or(retired.then_some(Insurance::Employee));
        let kinds = match insurance {
            Some(i) => vec![i],
            None => vec![Insurance::Employee, Insurance::Resident],
        };
        let pct = |x: f64| format!("{}%", calc::money((x * 1000.0).round() / 10.0));
        let figures = |insurance: Insurance, retired: bool| {
            let input = CalcInput {
                region: r.id.clone(),
                insurance,
                retired,
                tier: None,
                age: u.age,
                expense: 0.0,
            };
            calc::estimate(&self.a.content.regions, &input).ok()
        };
        let mut parts = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        for insurance in kinds {
            let employee = insurance == Insurance::Employee;
            let e = figures(insurance, employee && retired)?;
            for source in &e.sources {
                if !sources.contains(source) {
                    sources.push(source.clone());
                }
            }
            let deductible = match e.deductible {
                None => "起付线未公开".to_string(),
                Some(0.0) => "不设起付线".to_string(),
                Some(d) => format!("起付线{}元/年", calc::money(d)),
            };
            let mut ratio = range(e.ratio_min, e.ratio_max, pct);
            if employee && u.status.is_none() {
                // 邵阳: 在职80%, 退休85% — both, when the message does not say which.
                if let Some(old) = figures(insurance, true) {
                    let old_ratio = range(old.ratio_min, old.ratio_max, pct);
                    if old_ratio != ratio {
                        ratio = format!("在职{ratio}、退休{old_ratio}");
                    }
                }
            }
            let who = if employee { "职工" } else { "居民" };
            parts.push(format!("{who}{deductible}，报销{ratio}"));
        }
        Some((parts, sources))
    }

    /// When to start renewing a benefit that ends on `end` (today or later), as one line:
    /// the region's recommended lead time counted back from `end`, "now" once that day has
    /// passed (never advice in the past), or that the sources do not say.
    ///
    /// `month_only`: the day of `end` was not said (`明年6月到期`: its month's first day), so
    /// the line counts from it without calling it the end of validity.
    fn renewal_when(&self, r: &Region, end: chrono::NaiveDate, month_only: bool) -> String {
        let left = (end - self.today).num_days();
        let when = match r.reminders.renewal_recommended_days_before {
            Some(d) if crate::policy::dates::days_before(end, d) < self.today => format!(
                "{}的办理须知建议到期前{}开始办，这个时间已过，请现在就办理。",
                r.name,
                lead_time(d)
            ),
            Some(d) => format!(
                "{}的办理须知建议到期前{}，即{}前后开始办理。",
                r.name,
                lead_time(d),
                format_cn(crate::policy::dates::days_before(end, d))
            ),
            None => "资料没有写要提前多久办，请留意办理平台的提示。".to_string(),
        };
        match month_only {
            true => format!("按{}算还有{left}天。{when}", format_cn(end)),
            false => format!("待遇{}到期（还有{left}天）。{when}", format_cn(end)),
        }
    }

    /// "那我好久开始办" once the end of validity is known: when to start and where, short (the
    /// how-to was sent already), with the button that records it and reminds.
    pub(super) fn renewal_start(&self, r: &Region, end: chrono::NaiveDate) -> Composed {
        let mut lines = vec![self.renewal_when(r, end, false)];
        if let Some(app) = r.channels.first() {
            lines.push(format!("在“{}”里办理续期（延期）。", app.name));
        }
        let mut source = r.sources.first().map(|s| short_source(s)).unwrap_or_default();
        if let Some(entry) = self.faq_entry(&r.id, "renewal") {
            source = entry.source.clone();
        }
        let choices =
            vec![self.button("到期前提醒我续期", ButtonKind::Menu("renew#valid_until".into()))];
        Composed { lines, source, choices, all_regions: false, topic: None, steps: false }
    }

    /// "卡12月20号到期 要续期": when to renew, counted from the end of validity the message
    /// gives (never advice in the past: past the recommended start it is "now"), then the
    /// region's how-to and a button into 续期/延期, which can record it and remind.
    pub(super) fn renewal_timing(
        &self,
        u: &Understanding,
        r: &Region,
        text: &str,
    ) -> Option<Composed> {
        let end = *u.dates.first()?;
        let left = (end - self.today).num_days();
        let mut lines = Vec::new();
        // `明年6月到期`: the day is not known; counted from the month's first, said so.
        let month_only = crate::understand::month_only_end(text, self.today);
        if let Some((year, month)) = month_only {
            lines.push(format!(
                "您说的是{year}年{month}月到期，没说哪天，先按当月最早的一天算，提醒不会晚；具体哪天到期请看办理平台上的待遇有效期。"
            ));
        }
        if left < 0 {
            lines.push(format!(
                "待遇{}已经到期，请尽快办理续期（延期），并问{}确认现在的待遇状态。",
                format_cn(end),
                r.contact()
            ));
        } else {
            lines.push(self.renewal_when(r, end, month_only.is_some()));
        }
        let mut source = r.sources.first().map(|s| short_source(s)).unwrap_or_default();
        if let Some(entry) = self.faq_entry(&r.id, "renewal") {
            lines.extend(entry.answer.trim().lines().map(str::to_string));
            source = entry.source.clone();
        }
        let mut choices = Vec::new();
        if let Some(tree) = self.a.content.dialogs.trees.get("renew") {
            choices.push(self.button(
                format!("{}（可记下并提醒）", tree.title),
                ButtonKind::Menu("renew".into()),
            ));
        }
        Some(Composed { lines, source, choices, all_regions: false, topic: None, steps: false })
    }

    /// The review deadline from an acceptance date (the Nth working day after it).
    pub(super) fn deadline(&self, u: &Understanding, r: &Region) -> Option<Composed> {
        let accepted = *u.dates.first()?;
        let source = r.sources.first().map(|s| short_source(s)).unwrap_or_default();
        // No published limit: no date at all (a borrowed figure would read as a promise).
        let Some(days) = r.review_days() else {
            let said = match accepted > self.today {
                true => format!("如果{}当天受理：", format_cn(accepted)),
                false => format!("{}受理。", format_cn(accepted)),
            };
            let lines = vec![said, r.no_review_limit_text()];
            return Some(Composed::plain(lines, source));
        };
        let cal = &self.a.content.calendar;
        let due = calendar::working_days_after(cal, accepted, days);
        // `我准备12月15号交上去 哪天能办完`: a day ahead is a plan, the last day an estimate.
        let first = match accepted > self.today {
            true => format!(
                "如果{}当天受理，审核大约最晚到{}。",
                format_cn(accepted),
                format_cn(due.date)
            ),
            false => format!("{}受理，审核最晚到{}。", format_cn(accepted), format_cn(due.date)),
        };
        let mut lines = vec![first, format!("审核时限{days}个工作日，受理当天不计。")];
        // "是不是超时了": past the last day it is, and the next step is whom to ask.
        if due.date < self.today {
            let check = r
                .channels
                .first()
                .map(|c| format!("先在“{}”的办理进度里查看，", c.name))
                .unwrap_or_default();
            lines.push(format!(
                "已经超过时限{}天：{check}还没有结果就带上受理回执问进度：{}。",
                (self.today - due.date).num_days(),
                r.contact()
            ));
        } else if accepted <= self.today
            && contains_any(&self.message, &self.a.content.understand.asks.overdue)
        {
            // `到现在还没得消息 是不是遭卡起了`: not yet — said, with where to look meanwhile
            // (blind 9, b9-m07).
            lines.push(format!(
                "还没超时，{}前出结果都算正常；进度可在APP的办理进度里看。",
                format_cn(due.date)
            ));
        }
        lines.push(format!("{}。", calendar::note(cal, due)));
        Some(Composed::plain(lines, source))
    }

    /// `我打算12月15号去窗口交`: if it is accepted on `day`, the review's last day (an estimate:
    /// acceptance may come later) and, when the message names the window, its place and hours.
    /// Lines each ending in a line break, and the source line; empty without a region.
    pub(super) fn hand_in_projection(&self, day: chrono::NaiveDate) -> (String, String) {
        let Some(r) = self.region().and_then(|id| self.a.content.regions.get(id)) else {
            return (String::new(), String::new());
        };
        let source = r.sources.first().map(|s| short_source(s)).unwrap_or_default();
        let cited = self.a.content.citations.cite_short(&source);
        let source = format!("\n来源：{cited}｜地区：{}", r.name);
        let mut out = match r.review_days() {
            Some(days) => {
                let cal = &self.a.content.calendar;
                let due = calendar::working_days_after(cal, day, days);
                let estimate = match due.exact {
                    true => String::new(),
                    false => format!("；{}年的放假安排还没收录，只按周末推算", due.date.year()),
                };
                format!(
                    "如果{}当天受理，审核大约最晚到{}（受理后{days}个工作日，受理当天不计{estimate}）。\n",
                    format_cn(day),
                    format_cn(due.date)
                )
            }
            None => format!("{}\n", r.no_review_limit_text()),
        };
        let window = contains_any(&self.message, &self.a.content.understand.asks.window);
        let offline = r.offline.as_ref().filter(|_| window);
        if let Some((place, hours)) = offline.and_then(|o| o.place.as_ref().zip(o.hours.as_ref())) {
            out.push_str(&format!("{place}：{hours}。\n"));
        }
        (out, source)
    }

    /// "那到底超没超时嘛" with no date, after the acceptance date was said: the deadline counted
    /// from that date, led by whether it is past (when it is, [`Self::deadline`] says so).
    pub(super) fn overdue(
        &self,
        u: &Understanding,
        r: &Region,
        accepted: chrono::NaiveDate,
    ) -> Option<Composed> {
        let mut u = u.clone();
        u.dates = vec![accepted];
        let mut composed = self.deadline(&u, r)?;
        let days = r.review_days()?;
        let due = calendar::working_days_after(&self.a.content.calendar, accepted, days);
        if due.date >= self.today {
            composed.lines.insert(
                0,
                format!(
                    "还没超时：审核最后一天是{}，过了这天还没有结果，可以问：{}。",
                    format_cn(due.date),
                    r.contact()
                ),
            );
        }
        Some(composed)
    }

    /// Every disease named, checked against the region's catalogue (never "eligible" for an
    /// unverified entry), then — for "怎么申请" — the first lines of the how-to and a button that
    /// starts 新申请 with the region and disease filled in.
    pub(super) fn eligibility(
        &self,
        u: &Understanding,
        r: &Region,
        how_to: bool,
        text: &str,
    ) -> Composed {
        let mut lines = Vec::new();
        let mut unverified = Vec::new();
        let mut first_disease = None;
        for name in u.disease_names(Some(&r.id)) {
            let Some(d) = self.a.content.diseases.find(&r.id, name) else { continue };
            first_disease = first_disease.or(Some(name.to_string()));
            let only = if d.resident_only { "（仅限城乡居民医保）" } else { "" };
            if d.verified {
                lines.push(format!("{name}：在门特病种目录内，可以申请{only}。"));
            } else {
                unverified.push(format!("{name}{only}"));
            }
        }
        // One line for every unconfirmed disease: the same caveat twice would fill the screen.
        if !unverified.is_empty() {
            lines.push(format!(
                "{}：可能属于门特病种，但未经官方目录确认，请以当地医保部门公布为准（{}）。",
                unverified.join("、"),
                r.contact()
            ));
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
        // What the disease needs beyond the common list (血透: 近期免冠照片), right after the
        // verdicts: the how-to or FAQ text after it may be cut by the screen, this never.
        let mut extra: Vec<&str> = Vec::new();
        for name in u.disease_names(Some(&r.id)) {
            let Some(d) = self.a.content.diseases.find(&r.id, name) else { continue };
            for m in &d.extra_materials {
                if !extra.contains(&m.as_str()) {
                    extra.push(m);
                }
            }
        }
        if !extra.is_empty() {
            lines.push(format!("这个病种还要准备：{}。", extra.join("、")));
        }
        // "高血压" for 高血压病3级: which form of the disease the catalogue lists.
        for m in u.diseases.iter().filter(|m| m.region == r.id) {
            let loose = m.alias.as_deref().is_some_and(|a| a != m.name);
            let Some(d) = self.a.content.diseases.find(&r.id, &m.name) else { continue };
            if let Some(note) = d.loose_name_note.as_ref().filter(|n| loose && !lines.contains(n)) {
                lines.push(note.clone());
            }
        }
        // The estimate words are content (faq/understand.yaml: 报得几多 in 湖南话 too).
        let asks = &self.a.content.understand.asks;
        // `攀枝花的 我是退休职工 糖尿病`: an insurance or status said with the disease asks what
        // the benefit pays that person, as much as a cost word does.
        // Not when the message asks something narrower (免不免, 两病): its answer needs the room.
        let narrower = contains_any(text, &asks.exempt)
            || contains_any(text, &asks.other_scheme)
            || contains_any(text, &asks.more_than_one);
        // Nor with the how-to: a question how to apply needs the room for the steps — unless
        // the conversation has been about what it pays (`门特报多少`, then `还有我侄子居民医保
        // 是脑瘫能办门特不`): then that person's figures come first, the steps after them.
        let costs_before = self.s.context.topics.iter().any(|t| t == "ratio" || t == "deductible");
        let says_who =
            (u.insurance.is_some() || u.status.is_some()) && !narrower && (!how_to || costs_before);
        if u.action == Some(Action::Estimate) || contains_any(text, &asks.cost) || says_who {
            // "有糖尿病 想办门特 要花好多钱": what it costs comes with the eligibility.
            lines.extend(self.cost_line(u, r));
        }
        // "高血压糖尿病免不免起付线": the deductible rule's line on exemptions, not the figures alone.
        if contains_any(text, &asks.exempt) {
            lines.extend(self.exemption_line(r));
        }
        let mut source = r.sources.first().map(|s| short_source(s)).unwrap_or_default();
        // "她还有高血压 两个能一起报吗": the other disease was said earlier in the conversation.
        let named = u.disease_names(Some(&r.id));
        let said_before = self.s.context.diseases.iter().any(|d| !named.contains(&d.as_str()));
        let several = named.len() >= 2 || (!named.is_empty() && said_before);
        // "高血压3级 跟两病用药能一起报不": the rule says whether 门特 stacks with 两病.
        let asked = (several && contains_any(text, &asks.more_than_one))
            || (!named.is_empty() && contains_any(text, &asks.other_scheme));
        if asked || named.len() >= 2 {
            // "可以办两个门特不": the region's rule on several diseases, right after the list;
            // also unasked when one message names two (邵阳 居民: one benefit per person).
            if let Some(entry) = self.faq_entry(&r.id, "multiple-diseases") {
                // Unasked, the rule itself (its first line): the screen keeps the how-to.
                let take = if asked { usize::MAX } else { 1 };
                lines.extend(entry.answer.trim().lines().take(take).map(str::to_string));
            }
        }
        // `那高血压呢` right after the steps were sent for 糖尿病: the same steps again would fill
        // the screen with what is still above it; one line says so.
        let steps_above = self.s.context.steps_shown.as_deref() == Some(r.id.as_str());
        let said_above = &self.a.content.understand.steps_above;
        let mut steps = false;
        if how_to && steps_above && !said_above.is_empty() {
            lines.push(said_above.clone());
            steps = true;
        } else if how_to {
            // Someone who cannot use a phone's apps is told where the window is, not the app.
            let window = self.s.context.no_phone && has_window(r);
            let topic = if window { OFFLINE_TOPIC } else { "apply-steps" };
            if let Some(entry) = self.faq_entry(&r.id, topic) {
                lines.extend(entry.answer.trim().lines().map(str::to_string));
                source = entry.source.clone();
                steps = true;
            }
        }
        let label = match &first_disease {
            Some(name) => format!("用“{name}”开始新申请"),
            None => "开始新申请".to_string(),
        };
        let index = first_disease
            .as_deref()
            .and_then(|n| self.a.content.diseases.region(&r.id).iter().position(|d| d.name == n));
        let choices =
            vec![self.button(label, ButtonKind::Apply(r.id.clone(), index, said_insurance(u)))];
        Composed { lines, source, choices, all_regions: false, topic: None, steps }
    }
}

/// The FAQ topic of a region's window: where and when to apply in person.
pub(super) const OFFLINE_TOPIC: &str = "offline-window";

/// Whether the region publishes a window to apply at, with its hours (攀枝花's 政务中心): only
/// then is it the answer for someone who cannot use the app.
pub(super) fn has_window(r: &Region) -> bool {
    r.offline.as_ref().is_some_and(|o| o.place.is_some() && o.hours.is_some())
}

fn who(insurance: Insurance, retired: bool) -> &'static str {
    match (insurance, retired) {
        (Insurance::Employee, true) => "职工医保（退休）",
        (Insurance::Employee, false) => "职工医保",
        (Insurance::Resident, _) => "居民医保",
    }
}

/// The estimate for the one insurance type known, as one figure (a range only where the
/// sources give a range of ratios or the user a range of amounts) with what the user pays
/// (自付) — first when that is what they asked (`pays`) — then the region's words on the
/// deductible (`note`: an exemption, an unknown amount) and the rule it was computed by.
///
/// The figure keeps the deductible, as the sources state the rule; an exemption for some
/// diseases is said in words, never as a second set of figures (readers took the two for a
/// contradiction). An open upper ratio ("85%起") is computed at its lower end and said so; an
/// unknown deductible makes the figure an upper bound ("最多"); an expense within the
/// deductible is said to be below it.
fn one_estimate(
    who: &str,
    expenses: (f64, f64),
    e: &calc::Estimate,
    note: Option<&str>,
    pays: bool,
) -> Vec<String> {
    let yuan = |x: f64| format!("{}元", calc::money((x * 100.0).round() / 100.0));
    let pct = |x: f64| format!("{}%", calc::money((x * 1000.0).round() / 10.0));
    let span = |low: f64, high: f64| match (high - low).abs() < 0.005 {
        true => yuan(low),
        false => format!("{} ~ {}", yuan(low), yuan(high)),
    };
    let (low, high) = expenses;
    let head = format!("{who}，全年门特费用{}", span(low, high));
    let d = e.deductible.unwrap_or(0.0);
    let paid_by_fund = |expense: f64, ratio: f64| (expense - d).max(0.0) * ratio;
    let top = e.ratio_max.unwrap_or(e.ratio_min);
    let (fund_low, fund_high) = (paid_by_fund(low, e.ratio_min), paid_by_fund(high, top));
    let (self_low, self_high) =
        (low - paid_by_fund(low, top), high - paid_by_fund(high, e.ratio_min));
    let line = if e.deductible.is_some() && d > 0.0 && high <= d {
        format!("{head}：还没超过起付线{}，按起付线算医保不报，这些费用要自付。", yuan(d))
    } else if e.deductible.is_none() {
        let (fund, own) = (span(fund_low, fund_high), span(self_low, self_high));
        match pays {
            true => format!("{head}：估算自付至少{own}，医保最多报{fund}。"),
            false => format!("{head}：估算最多可报{fund}，自付至少{own}。"),
        }
    } else {
        let (fund, own) = (span(fund_low, fund_high), span(self_low, self_high));
        match pays {
            true => format!("{head}：估算自付约{own}，医保报{fund}。"),
            false => format!("{head}：估算可报{fund}，自付约{own}。"),
        }
    };
    let deductible = match e.deductible {
        None => "起付线未公布".to_string(),
        Some(0.0) => "不设起付线".to_string(),
        Some(d) => format!("起付线{}/年", yuan(d)),
    };
    let ratio = match e.ratio_max {
        None => format!("报销比例{}起（按{}算）", pct(e.ratio_min), pct(e.ratio_min)),
        Some(_) => format!("报销比例{}", range(e.ratio_min, e.ratio_max, pct)),
    };
    let mut lines = vec![line];
    lines.extend(note.map(str::to_string));
    lines.push(format!("算法：{deductible}，{ratio}。"));
    lines
}

/// A month said without a day (`今年5月`, `去年十月份`, `5月的`): its first and last day. A month
/// after this one with no year word is last year's (records are from the past).
fn month_said(
    text: &str,
    today: chrono::NaiveDate,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    const NUMERALS: [&str; 12] =
        ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
    let chars: Vec<char> = text.chars().collect();
    let at = chars.iter().position(|c| *c == '月')?;
    let before: String = chars[..at].iter().collect();
    let digits: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let month: u32 = match digits.parse() {
        Ok(m) => m,
        // Longest numeral first: 十二 before 二.
        Err(_) => (1..=12u32).rev().find(|m| before.ends_with(NUMERALS[*m as usize - 1]))?,
    };
    if !(1..=12).contains(&month) || chars.get(at + 1).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let last_year = before.contains("去年") || (!before.contains("今年") && month > today.month());
    let year = today.year() - i32::from(last_year);
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)?;
    let last = first.checked_add_months(chrono::Months::new(1))?.pred_opt()?;
    Some((first, last))
}

/// A year said without a month (`病历是去年住院的`, `前年的报告`, `今年的`): its first day and
/// its last one (today for this year, records being from the past).
fn year_said(
    text: &str,
    today: chrono::NaiveDate,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    // Longest first: 大前年 before 前年.
    const YEARS: [(&str, i32); 4] = [("大前年", 3), ("前年", 2), ("去年", 1), ("今年", 0)];
    let back = YEARS.iter().find(|(w, _)| text.contains(w)).map(|(_, n)| *n)?;
    let first = chrono::NaiveDate::from_ymd_opt(today.year() - back, 1, 1)?;
    let last = match back {
        0 => today,
        _ => chrono::NaiveDate::from_ymd_opt(today.year() - back, 12, 31)?,
    };
    Some((first, last))
}

fn yuan(x: f64) -> String {
    format!("{}元", calc::money((x * 100.0).round() / 100.0))
}

/// The sum behind an estimate of `expense`, one step a line: the deductible taken off (or why
/// not), the rest times the ratio (each end of a range of ratios; an open one at its lower end,
/// said so), and what is left to pay oneself.
fn worked_lines(expense: f64, e: &calc::Estimate) -> Vec<String> {
    let pct = |x: f64| format!("{}%", calc::money((x * 1000.0).round() / 10.0));
    let d = e.deductible.unwrap_or(0.0);
    let rest = (expense - d).max(0.0);
    let mut lines = vec![match e.deductible {
        Some(d) if d > 0.0 => {
            format!("① 先减起付线：{} − {} = {}；", yuan(expense), yuan(d), yuan(rest))
        }
        Some(_) => format!("① 不设起付线，{}全部进入报销；", yuan(expense)),
        None => format!("① 起付线未公布，先按{}全部算（实际会少一些）；", yuan(expense)),
    }];
    let ratios: Vec<f64> = match e.ratio_max {
        Some(max) if (max - e.ratio_min).abs() > f64::EPSILON => vec![e.ratio_min, max],
        _ => vec![e.ratio_min],
    };
    let times: Vec<String> = ratios
        .iter()
        .map(|p| format!("{} × {} = {}", yuan(rest), pct(*p), yuan(rest * p)))
        .collect();
    let open = if e.ratio_max.is_none() {
        format!("（比例{}起，按{}算）", pct(e.ratio_min), pct(e.ratio_min))
    } else {
        String::new()
    };
    lines.push(format!("② 再乘报销比例：{}{open}，这是医保报的；", times.join("，或")));
    let own: Vec<String> = ratios.iter().map(|p| yuan(expense - rest * p)).collect();
    lines.push(format!("③ 剩下的自己出：约{}。", own.join(" ~ ")));
    lines
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// "a", "a ~ b" or "a 起（上限未公开）" — as `mente calc` shows ranges.
pub(super) fn range(min: f64, max: Option<f64>, show: impl Fn(f64) -> String) -> String {
    match max {
        Some(max) if max == min => show(min),
        Some(max) => format!("{} ~ {}", show(min), show(max)),
        None => format!("{}起（上限未公开）", show(min)),
    }
}

/// `seed 000（000_….txt）` → `seed 000`: the short id is enough, the title says the rest.
pub(super) fn short_source(source: &str) -> String {
    source.split(['（', '(']).next().unwrap_or(source).trim().to_string()
}

/// `mente calc`'s caveat that annual per-disease payment limits are not counted, placed right
/// after the figures so [`fit`] never cuts it: without it "估算可报5600元" overstates.
/// The lead time in the sources' unit: 邵阳's 须知 says "到期前一个月左右", which the region
/// file keeps as 30 days; the day count follows in brackets for those who count.
fn lead_time(days: u32) -> String {
    // The source's own words: the day is counted back one calendar month (`days_before`).
    if (28..=31).contains(&days) {
        "约一个月".to_string()
    } else {
        format!("约{days}天")
    }
}

fn limit_caveat() -> String {
    format!("{}。", calc::ANNUAL_LIMIT_CAVEAT)
}

/// `head` + as many whole `lines` as fit + `tail`, within `max` characters; a line that does
/// not fit ends the text with "…" so the reader knows there is more (the buttons lead on).
pub(super) fn fit(head: &str, lines: &[String], tail: &str, max: usize) -> String {
    fit_parts(head, lines, tail, max).0
}

/// [`fit`], and the lines left out (empty when everything fit), for a 看全 button.
pub(super) fn fit_parts(
    head: &str,
    lines: &[String],
    tail: &str,
    max: usize,
) -> (String, Vec<String>) {
    let len = |s: &str| s.chars().count();
    let mut text = head.to_string();
    let budget = max.saturating_sub(len(tail) + 2);
    let kept: Vec<&String> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
    let mut left = Vec::new();
    for (i, line) in kept.iter().enumerate() {
        let sep = if i == 0 { "" } else { "\n" };
        if len(&text) + len(sep) + len(line) > budget {
            text.push_str(if i == 0 { "" } else { "\n…" });
            left = kept[i..].iter().map(|l| l.to_string()).collect();
            break;
        }
        text.push_str(sep);
        text.push_str(line);
    }
    text.push_str(tail);
    (text, left)
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
    fn a_month_said_without_a_day_is_its_whole_month_in_the_past() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            month_said("病历是今年5月的 可以吗", today),
            Some((d(2026, 5, 1), d(2026, 5, 31)))
        );
        assert_eq!(month_said("去年十月份的报告", today), Some((d(2025, 10, 1), d(2025, 10, 31))));
        assert_eq!(month_said("十二月的", today), Some((d(2026, 12, 1), d(2026, 12, 31))));
        assert_eq!(month_said("9月26号的", today), None, "a day said is a date, read elsewhere");
        assert_eq!(month_said("病历可以吗", today), None);
    }

    #[test]
    fn a_year_said_without_a_month_is_its_whole_year_up_to_today() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 12, 7);
        assert_eq!(year_said("检查报告是前年做的", today), Some((d(2024, 1, 1), d(2024, 12, 31))));
        assert_eq!(year_said("去年开的病历", today), Some((d(2025, 1, 1), d(2025, 12, 31))));
        assert_eq!(year_said("大前年的片子", today), Some((d(2023, 1, 1), d(2023, 12, 31))));
        assert_eq!(year_said("今年的", today), Some((d(2026, 1, 1), today)));
        assert_eq!(year_said("病历可以吗", today), None);
    }

    #[test]
    fn the_worked_sum_shows_each_step_with_the_figures() {
        let e = calc::Estimate {
            deductible: Some(800.0),
            ratio_min: 0.85,
            ratio_max: None,
            estimate_min: 3570.0,
            estimate_max: None,
            assumptions: Vec::new(),
            sources: Vec::new(),
        };
        let lines = worked_lines(5000.0, &e).join("\n");
        assert!(lines.contains("5000元 − 800元 = 4200元"), "{lines}");
        assert!(lines.contains("4200元 × 85% = 3570元"), "{lines}");
        assert!(lines.contains("约1430元"), "{lines}");
    }

    #[test]
    fn short_source_drops_the_file_name() {
        assert_eq!(short_source("seed 000（000_02f70f282268eebe.txt）"), "seed 000");
        assert_eq!(short_source("seed 001_a46e91e77d00d4ac.txt"), "seed 001_a46e91e77d00d4ac.txt");
    }
}
