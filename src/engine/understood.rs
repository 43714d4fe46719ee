//! The free-text policy (issue 10): what the engine does with a message that answers no step,
//! once [`crate::understand`] has read it.
//!
//! - A region named in a question is answered for that region and labelled; the session's
//!   region changes only when the user asks (a "切换到…" button, or typing 切换到攀枝花), or
//!   when none was chosen yet and the message names exactly one.
//! - Another place is only "not supported" when the question is about its own rules; where the
//!   insured person lives or is treated there, the answer is 异地备案 for their region.
//! - When the facts for an action are in the message it is done: the estimate (`mente calc`'s
//!   deductible and ratios, as one figure with the deductible kept — `mente calc`'s upper bound
//!   for a possibly exempt disease is said in words here), the review deadline (same as `mente due`), eligibility for every disease
//!   named plus the how-to and a button that starts 新申请 with region and disease filled in.
//! - Every reply composed here fits one phone screen ([`SCREEN_CHARS`]) with a short source line.
//!
//! Consent: the understanding is used for this turn only. The one thing carried into the next
//! turn, a disease for the 新申请 button, is kept only when the user has agreed to storage.
//!
//! Layer: handler — a part of `Turn` built on `turn`, the base modules and the handlers `composed`
//! and `followup` below it.

use super::commands::Command;
use super::composed::{fit, fit_parts, short_source, Composed, SCREEN_CHARS};
use super::context::said_insurance;
use super::followup::fingerprint;
use super::render::{self, ButtonKind};
use super::turn::Turn;
use crate::content::faq::FaqEntry;
use crate::content::regions::Region;
use crate::content::understand::{contains_any, AskWords};
use crate::understand::{Action, Context, RegionRole, Understanding};

/// Longest message asking how an estimate was made that need not name a cost
/// (`咋个算的哦 我算不来`): a longer one asks about something else (`15个工作日怎么算`).
const EXPLAIN_CHARS: usize = 14;

/// FAQ topics of a refusal: after one of them, applying again is re-applying after it. The
/// diagnosis certificate's answer is one too: it says how to apply again when a certificate from
/// below a 二级 hospital was the reason (`说证明是乡镇卫生院开的不算`).
const REFUSAL_TOPICS: &[&str] =
    &["rejected", "appeal", "supplement", "records-not-accepted", "diagnosis-proof"];

impl<'a> Turn<'a> {
    /// Whether a question says the user's region is another one (a correction, or `我是邵阳的`):
    /// the session switches before it is answered.
    pub(super) fn switch_said_in_question(&self, u: &Understanding) -> bool {
        let text = self.message.as_str();
        corrected_region(u, self.region()).or_else(|| stated_home(u, self.region(), text)).is_some()
    }

    /// Acts on what `text` says when it asks for something this policy answers. `failed`: the
    /// text was tried as the current step's answer and did not fit; then only a question is
    /// taken up. `false`: nothing done, the caller goes on (status reports, FAQ).
    pub(super) fn act_on_understanding(&mut self, text: &str, failed: bool) -> bool {
        let u = self.a.understand(text, Context { today: self.today, region: self.region() });
        if failed && !u.question && u.action.is_none() {
            return false;
        }
        let target = u
            .switch_to()
            .or_else(|| corrected_region(&u, self.region()))
            .or_else(|| stated_home(&u, self.region(), text))
            // A place in the region already chosen, in a question (`想换到仁和区医院去拿药 咋个换嘛`:
            // 仁和 is in 攀枝花, 换到 reads as a switch), changes nothing: the question is answered
            // as it is, not the last answer again after "已切换到". The region's own name
            // (`我问邵阳的 … 切到邵阳`) still asks the last question again there.
            .filter(|target| {
                let named =
                    self.a.content.regions.get(*target).is_some_and(|r| text.contains(&r.name));
                self.region() != Some(*target) || !u.question || named
            });
        if let Some(target) = target.map(str::to_string) {
            self.switch_region(&target);
            if !u.question && self.answer_afar(&u, &target, text) {
                return true;
            }
            // `…我是在邵阳买的医保不是攀枝花 那邵阳起付线是好多`: the question, in the clauses
            // after the region's (the correction around it would blur the FAQ match), in the new
            // region — read as any message, so that its several questions are each answered.
            if u.question && u.switch_to().is_none() {
                let home = u.regions.iter().find(|m| m.region == target).map(|m| m.word.as_str());
                let after = home.and_then(|w| after_clause_of(text, w));
                if let Some(asked) = after.filter(|_| !failed && self.s.dialog.is_none()) {
                    self.free_text(asked, None);
                    return true;
                }
                if let Some(asked) = after.or_else(|| last_clause(text)) {
                    let said = self.replies.len();
                    if !self.act_on_understanding(asked, failed) {
                        let region = self.region().unwrap_or_default().to_string();
                        if !self.faq_for(asked, &region) {
                            self.reask();
                        }
                    }
                    // `不对不对 我是攀枝花的`: its last clause asked nothing after all.
                    if self.replies.len() == said && self.at_top_level() {
                        self.show_menu();
                    }
                    return true;
                }
            }
            // `不是 我问邵阳的 你怎么又跳回攀枝花了 切到邵阳`: a complaint around the switch asks
            // nothing the FAQ knows; the pending question is what the user wants answered.
            let asks_nothing = !u.question
                || (u.switch_to().is_some()
                    && self.a.knowledge.answer(text, self.region()).id.is_none());
            if u.action.is_none() && asks_nothing {
                // The question pending before the switch, answered in the new region.
                if !self.question_again_here() {
                    // At the top level the menu follows: "已切换到邵阳。" alone left the user
                    // with nothing to tap (play-test round 12 preparation: `攀枝花` as a first
                    // message, `搞错了 我是邵阳的` at the menu).
                    match self.at_top_level() {
                        true => self.show_menu(),
                        false => self.after_answer(),
                    }
                }
                return true;
            }
        }
        let mut note = None;
        if self.s.region.is_none() && self.s.dialog.is_none() {
            if let Some(r) = u.region().map(str::to_string) {
                note = Some(format!("（已为您选择地区：{}）\n", self.region_label(&r)));
                self.s.region = Some(r);
            }
        }
        let person_region = self.region_of_person(text);
        let Some(region) =
            u.region().or(person_region.as_deref()).or(self.region()).map(str::to_string)
        else {
            // "两个地方 起付线 报销比例 都说一下" needs no region of its own.
            let first = self.a.content.regions.values().next();
            let compared = first.and_then(|r| self.costs(&u, r, text).map(|c| (c, r.id.clone())));
            if let Some((c, anchor)) = compared.filter(|(c, _)| c.all_regions) {
                self.send(c, &anchor, None);
                return true;
            }
            return false;
        };
        if u.action == Some(Action::Human) && !u.question {
            // "我要找人工" / "帮我转人工": the hand-off, as the 人工 command.
            self.command(Command::Human);
            return true;
        }
        let at_menu = self.s.dialog.is_none() && self.s.pending.is_none();
        let no_disease = u.diseases.is_empty() && u.unknown_conditions.is_empty();
        if u.action == Some(Action::Apply)
            && no_disease
            && !u.question
            && at_menu
            && u.lives_elsewhere().is_none()
            && !contains_any(text, &self.a.content.understand.asks.channel)
        {
            // "帮我申请", "我要申请": said, not asked, no disease to check first — start it.
            // (With a disease, the eligibility answer below offers the prefilled start.)
            self.start_apply_with(&region, None, said_insurance(&u));
            return true;
        }
        // `那就先帮爷爷申请糖尿病这个吧`: a request to apply for a disease named, not a question —
        // 新申请 starts with it (play-test round 12, P2: the eligibility block came a second time
        // and the user had to press its button).
        if u.action == Some(Action::Apply)
            && at_menu
            && u.lives_elsewhere().is_none()
            && self.requests_it(text, u.question)
        {
            // No disease in the message: the one the conversation named fills it in (prefill).
            let disease = self.disease_applied_for(&u, &region, text);
            self.start_apply_with(&region, disease, said_insurance(&u));
            return true;
        }
        // "我要续期", "想换个医院": said at the menu, the procedure starts (asked, the FAQ answers).
        let procedure = match u.action {
            Some(Action::Renew) => Some("renew"),
            Some(Action::ChangeHospital) => Some("change_hospital"),
            Some(Action::Remote) => Some("remote"),
            _ => None,
        };
        // Only a short message: a longer one carries a question or details the FAQ should read,
        // unless it asks to be led through it (`好 那先弄异地备案 一步步教我`).
        let led = contains_any(text, &self.a.content.understand.asks.step_by_step);
        let short = led || text.chars().count() <= 12;
        if let Some(dialog) =
            procedure.filter(|_| at_menu && short && (led || !u.question) && u.region().is_none())
        {
            if self.a.content.dialogs.trees.contains_key(dialog) {
                if self.lost(text) {
                    // "还是不会弄异地备案": the steps one by one, and a person for who wants one.
                    let hotline = self.hotline_text();
                    self.say(format!("我们一步步来办。想直接问人的话：{hotline}"));
                }
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

    /// `哦搞错了 我爸医保是在攀枝花交的 只是人在邵阳跟我住`, said when switching to `region`:
    /// insured there, living in another region (or anywhere else) — 异地 for it, answered at
    /// once. `false` when no place of living is said, or a procedure is under way.
    pub(super) fn answer_afar(&mut self, u: &Understanding, region: &str, text: &str) -> bool {
        if u.lives_elsewhere().is_none() || self.s.dialog.is_some() {
            return false;
        }
        let Some(remote) = self.compose(u, region, text) else { return false };
        self.send(remote, region, None);
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
                    | Action::Transfer
                    | Action::Progress
                    | Action::MyApplications
            )
        );
        let diseases = !u.disease_names(Some(region)).is_empty();
        if let Some(hospital) = self.other_hospital(u, r, text) {
            return Some(hospital);
        }
        if u.lives_elsewhere().is_some() && remote_wins {
            if let Some(materials) = self.materials_from_afar(u, region, text) {
                return Some(materials);
            }
            if let Some(answer) = self.topic_from_afar(u, region, text) {
                return Some(answer);
            }
            // `她人在广州 第一次申请是不是一定要回邵阳医院去办`: applying, asked from afar, no
            // disease to check first — the region's words on applying from there, where it has
            // them (邵阳: the first application is made at a designated hospital; whether it can
            // be done from afar is not written).
            let no_disease = !diseases && u.unknown_conditions.is_empty();
            if u.question && no_disease && self.applies_from_afar(u, region, text) {
                if let Some(answer) = self.topic(region, "apply-from-afar", "remote") {
                    return Some(answer);
                }
            }
            // `我搬到长沙住了`: a place in the region's own province gets the region's words on
            // 异地 within the province (邵阳's source names only 跨省 settlement), where it has
            // them.
            let in_province = u.lives_elsewhere().is_some_and(|p| self.in_province(r, p));
            let remote = self
                .topic(region, "remote-in-province", "remote")
                .filter(|_| in_province)
                .or_else(|| self.topic(region, "remote", "remote"))?;
            // "我在深圳打工 … 尿毒症透析能办门特不", "我在广东打工 医保在邵阳 有高血压": the
            // disease's verdict first, then 异地.
            if diseases || (u.question && !u.unknown_conditions.is_empty()) {
                return Some(self.verdict_then(u, r, remote));
            }
            return Some(remote);
        }
        if let Some(estimate) = self.continued_estimate(u, r, text) {
            return Some(estimate);
        }
        if let Some(timing) = self.renewal_when_asked(u, r, text) {
            return Some(timing);
        }
        if !diseases && matches!(u.action, None | Some(Action::Estimate)) {
            if let Some(costs) = self.costs(u, r, text) {
                return Some(costs);
            }
        }
        // `批下来能报好多` with no amount, the insurance said earlier in the conversation (居民医保):
        // that person's deductible and ratio, not every insurance's table (issue 17: one figure
        // for what is known).
        // Once the ratio was answered, asking again is handled as asking again (`repeated`).
        let unsaid = u.insurance.is_none() && u.status.is_none();
        let ratio_before = self.s.context.topics.iter().any(|t| t == "ratio");
        if !diseases
            && unsaid
            && !ratio_before
            && u.action == Some(Action::Estimate)
            && u.amounts.is_empty()
        {
            let mut known = u.clone();
            self.s.context.complete(&mut known, false);
            if known.insurance.is_some() {
                if let Some(costs) = self.person_costs(&known, r) {
                    return Some(costs);
                }
            }
        }
        // `糖尿病门特一年最多能报好多钱 有封顶没得`: the limit (unpublished: said so, with the
        // hotline), after the disease's verdict — not its deductible and ratio again.
        let limit = contains_any(text, &self.a.content.understand.asks.limit);
        if limit && u.amount().is_none() && u.question {
            let answer = self.topic(region, "limit", "")?;
            return Some(match diseases {
                true => self.verdict_then(u, r, answer),
                false => answer,
            });
        }
        if let Some(records) = self.records_age(u, r, text).filter(|_| u.question) {
            return Some(records);
        }
        // `今天中午12点半过去得不` after the window's hours: open then or not, and when instead.
        if let Some(window) = self.window_at_time(u, r, text) {
            return Some(window);
        }
        // `我断了两个月没交医保 能申请门特不`: who may apply (正常参保、没有欠费), not how
        // (blind 9, b9-m34).
        let arrears = contains_any(text, &self.a.content.understand.asks.arrears);
        if arrears && u.question && !diseases {
            if let Some(answer) = self.topic(region, "eligibility", "apply") {
                return Some(answer);
            }
        }
        // `手机我弄不来 去窗口办要带些啥`: what to bring to the window, not what to upload.
        let window = contains_any(text, &self.a.content.understand.asks.window);
        // `我12-18去窗口交材料 几号能审完` asks a date, not what to bring.
        let dated = !u.dates.is_empty() || u.action == Some(Action::Deadline);
        // The window's own list where the region has one (攀枝花: window-materials).
        if window && !diseases && !dated && self.asks_materials(u, text) {
            let listed = self.topic(region, "window-materials", "offline");
            if let Some(answer) = listed.or_else(|| self.topic(region, "offline-window", "offline"))
            {
                return Some(answer);
            }
        }
        // `那重新申请要等好久 还要再等15个工作日啊`: how long an application takes is the
        // review's time limit (攀枝花: 15 working days from acceptance), not how to apply.
        if let Some(topic) = self.how_long_topic(u, text).filter(|_| !diseases) {
            if let Some(answer) = self.topic(region, topic, "track_record") {
                return Some(answer);
            }
        }
        // `那重新申请要咋弄` after a refusal: re-applying is what the refusal answer says (补齐
        // 材料后重新申请), not the first application's steps nor 代办.
        // Where the region has an answer on applying again (`reapply`: the same channels), that
        // one with the 新申请 button; `帮我记到这个申请` offers the way to record it too.
        if self.reapplies_after_refusal(u, text) {
            let again = self.topic(region, "reapply", "apply");
            if let Some(mut answer) = again.or_else(|| self.topic(region, "rejected", "rejected")) {
                let record_it = &self.a.content.understand.commands.reports.record_it;
                if let Some(tree) = self.a.content.dialogs.trees.get("track_record") {
                    if contains_any(text, record_it) {
                        let button = ButtonKind::Menu("track_record".into());
                        answer.choices.push(self.button(tree.title.clone(), button));
                    }
                }
                return Some(answer);
            }
        }
        match u.action {
            // "有糖尿病想办门特 一年能报好多钱", no amount: the disease first, with the figures.
            Some(Action::Estimate)
                if u.amount().is_none() && (diseases || !u.unknown_conditions.is_empty()) =>
            {
                Some(self.eligibility(u, r, self.asks_how(text), text))
            }
            Some(Action::Estimate) => {
                let mut u = u.clone();
                self.s.context.complete(&mut u, false);
                self.estimate(&u, r, pays_first(text, &self.a.content.understand.asks))
            }
            // A date is counted from only when it is said to be the handing-in (issue 17).
            // `不知道什么时候到期`: the benefit's end is not known — where to find it, not the
            // review's time limit.
            Some(Action::Deadline) if self.says_expiry_unknown(text) => {
                self.topic(region, "expiry-date", "renew")
            }
            // (`交了半个月了` names a span, no date: nothing to count from.)
            Some(Action::Deadline) if !u.dates.is_empty() && self.dates_a_submission(text) => {
                self.deadline(u, r)
            }
            // "那到底超没超时嘛", "到现在都没结果 正常不", `交了半个月了 还没得结果`: counted from
            // the acceptance date said earlier; without one, what to do when it is overdue (and
            // that the date tells). `要是明天还没结果找哪个` too: a day ahead is no acceptance.
            Some(Action::Deadline)
                if u.dates.iter().all(|d| *d > self.today)
                    && asks_overdue(text, &self.a.content.understand.asks) =>
            {
                match self.s.context.date(false, self.today) {
                    Some(accepted) => self.overdue(u, r, accepted),
                    None => self
                        .topic(&r.id, "review-overdue", "track_record")
                        .or_else(|| self.topic(&r.id, "review-time", "track_record")),
                }
            }
            // "那最迟哪天出结果" after "我妈今天…交了门特申请": the last day, counted from the
            // handing-in said earlier, not only the time limit; after `我打算12月15号去交`, from
            // that day (an estimate).
            Some(Action::Deadline)
                if u.dates.is_empty()
                    && contains_any(text, &self.a.content.understand.asks.when) =>
            {
                let planned = self.s.context.hand_in.filter(|d| *d >= self.today);
                match self.s.context.date(false, self.today).or(planned) {
                    Some(accepted) => {
                        let mut u = u.clone();
                        u.dates = vec![accepted];
                        self.deadline(&u, r)
                    }
                    None => self.topic(&r.id, "review-time", "track_record"),
                }
            }
            // Asked how long, with a date that is not the handing-in: the time limit itself.
            Some(Action::Deadline) => self.topic(&r.id, "review-time", "track_record"),
            Some(Action::Renew) if !u.dates.is_empty() => self.renewal_timing(u, r, text),
            // `帮奶奶在手机上申请门特 奶奶是血透的 要些啥`: the verdict, then what to prepare.
            Some(Action::Apply) if diseases && self.asks_materials(u, text) => {
                let mut materials = self.topic(region, "materials", "apply")?;
                // The verdict's button starts 新申请 with the disease filled in: one is enough.
                materials.choices.clear();
                Some(self.verdict_then(u, r, materials))
            }
            Some(Action::Apply) if diseases || !u.unknown_conditions.is_empty() => {
                Some(self.eligibility(u, r, true, text))
            }
            // The FAQ answers these well (for the region named, see `faq_for`); where it is not
            // sure, the region's entry on the procedure is better than "not sure".
            // "骨折能办门特吗" names an everyday condition: the plain "not 门特" answer, later.
            Some(Action::Apply) if self.not_mente_reply(text).is_some() => None,
            // "医保局说他这个病不给办门特", with no application recorded to mark as refused: what
            // to do after a refusal (the reason, applying again, an appeal).
            Some(Action::Appeal)
                if !u.question
                    && self.user.applications.is_empty()
                    && self.a.knowledge.answer(text, Some(region)).id.is_none() =>
            {
                self.topic(region, "rejected", "rejected")
            }
            Some(
                action @ (Action::ChangeHospital
                | Action::Renew
                | Action::Remote
                | Action::Appeal
                | Action::Apply),
            ) if u.question
                && (self.a.knowledge.answer(text, Some(region)).id.is_none()
                    || self.for_whom_unasked(text, region)) =>
            {
                let (topic, dialog) = match action {
                    // "那我重新申请要咋个弄": how to apply, and the way in.
                    Action::Apply => ("apply-steps", "apply"),
                    Action::ChangeHospital => ("change-hospital", "change_hospital"),
                    Action::Renew => ("renewal", "renew"),
                    Action::Remote => ("remote", "remote"),
                    _ => ("appeal", "rejected"),
                };
                self.topic(region, topic, dialog)
            }
            // "工作调动 医保要转到株洲 门特还认不认": the region's answer on a transfer, also when
            // the city named would otherwise get "only 攀枝花 and 邵阳 are covered".
            Some(Action::Transfer) => self.topic(region, "transfer", "transfer"),
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
            // "透析的要不要交照片": the question asked (照片), after what the disease means here.
            // `我老了手机不会弄 血压高好多年了 门特咋个办`: asked how, the how-to (the window's, for
            // someone who cannot use a phone) goes with the verdict.
            None if (diseases || !u.unknown_conditions.is_empty()) && u.question => self
                .beside_disease(u, r, text)
                .or_else(|| Some(self.eligibility(u, r, self.asks_how(text), text))),
            // "我爷爷72岁 邵阳退休职工 有冠心病": facts with a disease and no question ask what
            // the disease means here (the facts are kept for the next question).
            None if diseases || !u.unknown_conditions.is_empty() => {
                Some(self.eligibility(u, r, false, text))
            }
            None => None,
        }
    }

    /// Whether `text` asks how to apply again (`reapply` of `faq/understand.yaml`) in a
    /// conversation that was about a refusal (its answers on 驳回, 申诉 or 补材料).
    fn reapplies_after_refusal(&self, u: &Understanding, text: &str) -> bool {
        let words = &self.a.content.understand.asks.reapply;
        let refused = self.s.context.topics.iter().any(|t| REFUSAL_TOPICS.contains(&t.as_str()));
        // `补了材料重新申请又要等15个工作日吗` asks how long, not how: the FAQ answers that.
        // `开好了咋个重新交`: a how word right before the re-applying word asks how as well.
        let plain = self.a.content.dialect.plain(text);
        let how_before = (self.a.content.understand.asks.how_before.iter())
            .any(|h| words.iter().any(|w| !w.is_empty() && plain.contains(&format!("{h}{w}"))));
        let how = self.asks_steps(&plain) || how_before;
        refused && how && contains_any(text, words) && u.disease_names(None).is_empty()
    }

    /// `我老汉在攀枝花 他那边咋个申请` with 邵阳 chosen: the FAQ takes the relative for a question
    /// about applying for someone (代办), but nothing says the user does it for him — the
    /// question is how it is done in his region, not the user's. `true` then. (In the user's
    /// own region, `我屋头老人…莫得手机`, the 代办 answer and its window are what is asked.)
    fn for_whom_unasked(&self, text: &str, region: &str) -> bool {
        if self.region() == Some(region) {
            return false;
        }
        let on_behalf = &self.a.content.understand.on_behalf;
        if on_behalf.iter().any(|w| !w.is_empty() && text.contains(w.as_str())) {
            return false;
        }
        let Some(id) = self.a.knowledge.answer(text, Some(region)).id else { return false };
        let topic = self.a.content.faq.iter().find(|e| e.id == id).and_then(|e| e.topic.as_deref());
        topic.is_some_and(|t| FOR_SOMEONE_TOPICS.contains(&t))
    }

    /// The FAQ's answer to a procedural question that names a disease on the way (materials,
    /// photo, where to apply …), after the disease's eligibility line. `None` when the FAQ is not
    /// sure or its answer is about diseases or money, which the eligibility answer covers.
    fn beside_disease(&self, u: &Understanding, r: &Region, text: &str) -> Option<Composed> {
        // `攀枝花门特有哪些病 类风湿可以不` asks about diseases, not 攀枝花门特在手机上哪里办.
        let id = self.a.knowledge.answer(&self.without_own_region(text), Some(&r.id)).id;
        let found = id.and_then(|id| self.a.content.faq.iter().find(|e| e.id == id));
        let procedural =
            |e: &&FaqEntry| e.topic.as_deref().is_some_and(|t| PROCEDURAL_TOPICS.contains(&t));
        // `我又没得癌症 就是血压高 要带啥子材料`: a materials word asks for the materials even
        // when the disease's own words rank the catalogue entry first.
        // `屋里老倌子冠心病 想搞个门特 要去哪里搞咯`: the disease's words (answered by the verdict)
        // can leave the FAQ unsure of the question around them; it is asked without them then.
        let without_diseases = || {
            // In plain Mandarin, as the reader saw it (its conditions are named so).
            let mut plain = self.a.content.dialect.plain(&self.without_own_region(text));
            let words = u.diseases.iter().flat_map(|m| [Some(&m.name), m.alias.as_ref()]).flatten();
            for w in words.chain(&u.unknown_conditions).filter(|w| !w.is_empty()) {
                plain = plain.replace(w.as_str(), " ");
            }
            let id = self.a.knowledge.answer(&plain, Some(&r.id)).id?;
            self.a.content.faq.iter().find(|e| e.id == id)
        };
        let entry = found.filter(procedural).or_else(|| without_diseases().filter(procedural));
        let entry = entry.or_else(|| {
            self.asks_materials(u, text).then(|| self.faq_entry(&r.id, "materials")).flatten()
        })?;
        // Someone who cannot use a phone's apps asking how: the region's window, not the app.
        let online = matches!(entry.topic.as_deref(), Some("apply-steps" | "go-in-person"));
        let window = self.s.context.no_phone && online && super::composed::has_window(r);
        let entry = match window {
            true => self.faq_entry(&r.id, super::composed::OFFLINE_TOPIC).unwrap_or(entry),
            false => entry,
        };
        let mut c = self.eligibility(u, r, false, text);
        c.lines.extend(entry.answer.trim().lines().map(str::to_string));
        c.source = entry.source.clone();
        Some(c)
    }

    /// The verdict lines for the diseases of `u` in front of `then` (one screen: `send` fits it).
    /// `要准备啥子材料嘛 我人在深圳回不去`: the region's materials, then one line on 异地备案
    /// (with its procedure's button). `None` when the message does not ask about materials.
    /// Whether `place` (a name of `other_places` in `faq/synonyms.yaml`) lies in the province
    /// of region `r` (长沙 for 邵阳, 湖南).
    fn in_province(&self, r: &Region, place: &str) -> bool {
        let places = &self.a.content.faq_vocabulary.other_places;
        places.get(&r.province).is_some_and(|names| names.iter().any(|n| n == place))
    }

    fn materials_from_afar(&self, u: &Understanding, region: &str, text: &str) -> Option<Composed> {
        if !self.asks_materials(u, text) {
            return None;
        }
        let mut materials = self.topic(region, "materials", "apply")?;
        let place = u.lives_elsewhere()?;
        let afar = &self.a.content.understand.materials_afar;
        if let Some(remote) = self.topic(region, "remote", "remote").filter(|_| !afar.is_empty()) {
            // First: the screen limit cuts the tail of the (long) list, never this line.
            materials.lines.insert(0, afar.replace("{place}", place));
            materials.choices.extend(remote.choices);
        }
        Some(materials)
    }

    /// `我人在深圳回不来咋整`: a question the FAQ reads, with the place said as 外地, as one of
    /// the `afar_topics` (no trip needed) gets that answer, then `afar_note` (异地备案, with its
    /// procedure's button). `None` for any other question.
    fn topic_from_afar(&self, u: &Understanding, region: &str, text: &str) -> Option<Composed> {
        let words = &self.a.content.understand;
        let place = u.lives_elsewhere()?;
        let asked = self.as_afar(text, place)?;
        let id = self.a.knowledge.answer(&asked, Some(region)).id?;
        let entry = self.a.content.faq.iter().find(|e| e.id == id)?;
        let topic = entry.topic.as_deref().filter(|t| words.afar_topics.iter().any(|w| w == t))?;
        let mut answer = self.topic(region, topic, "remote")?;
        answer.choices.clear();
        let remote = self.topic(region, "remote", "remote");
        if let Some(remote) = remote.filter(|_| !words.afar_note.is_empty()) {
            // An answer about being away (`apply-from-afar`) says 异地备案 itself.
            if !answer.lines.iter().any(|l| l.contains("异地就医备案")) {
                answer.lines.push(words.afar_note.replace("{place}", place));
            }
            answer.choices.extend(remote.choices);
        }
        Some(answer)
    }

    /// `那重新申请要等好久`, `申诉大概几天出结果`: how long applying or an appeal takes (an
    /// `asks.how_long` word with the action): the FAQ topic on that time (`review-time`,
    /// `appeal-time`), whatever else the words lean to. `None` for anything else.
    pub(super) fn how_long_topic(&self, u: &Understanding, text: &str) -> Option<&'static str> {
        if !u.question || !u.dates.is_empty() {
            return None;
        }
        let plain = self.a.content.dialect.plain(text);
        if !contains_any(&plain, &self.a.content.understand.asks.how_long) {
            return None;
        }
        match u.action {
            Some(Action::Apply) => Some("review-time"),
            Some(Action::Appeal) => Some("appeal-time"),
            _ => None,
        }
    }

    /// Whether `text`, asked from a place outside the regions, is about applying: an apply
    /// word (`头一回办门特`), or the FAQ reads it, the place said as 外地, as how or where to
    /// apply (`第一次申请是不是一定要回邵阳医院去办`).
    fn applies_from_afar(&self, u: &Understanding, region: &str, text: &str) -> bool {
        if u.action == Some(Action::Apply) {
            return true;
        }
        let Some(asked) = u.lives_elsewhere().and_then(|place| self.as_afar(text, place)) else {
            return false;
        };
        let Some(id) = self.a.knowledge.answer(&asked, Some(region)).id else { return false };
        let entry = self.a.content.faq.iter().find(|e| e.id == id);
        entry.and_then(|e| e.topic.as_deref()).is_some_and(|t| APPLYING_TOPICS.contains(&t))
    }

    /// `text` with `place` (somewhere outside the regions) said as the FAQ's word for it
    /// (`afar_place`, 外地); `None` without that word.
    pub(super) fn as_afar(&self, text: &str, place: &str) -> Option<String> {
        let afar = self.a.content.understand.afar_place.trim();
        (!afar.is_empty() && !place.is_empty()).then(|| text.replace(place, afar))
    }

    /// Whether the question asks what documents to prepare (`materials` in faq/understand.yaml).
    fn asks_materials(&self, u: &Understanding, text: &str) -> bool {
        let words = &self.a.content.understand.materials;
        u.question && words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
    }

    fn verdict_then(&self, u: &Understanding, r: &Region, then: Composed) -> Composed {
        let verdict = self.eligibility(u, r, false, "");
        let named = u.disease_names(Some(&r.id)).len() + u.unknown_conditions.len();
        let mut lines: Vec<String> = verdict.lines.into_iter().take(named).collect();
        lines.extend(then.lines);
        let mut choices = verdict.choices;
        choices.extend(then.choices);
        let source = match (verdict.source.trim(), then.source.trim()) {
            (a, b) if a.is_empty() || a == b => b.to_string(),
            (a, b) => format!("{a}；{b}"),
        };
        Composed { lines, source, choices, all_regions: false, topic: None, steps: false }
    }

    /// `咋个算的哦 我算不来` after an estimate: the sum written out with the amount, insurance
    /// and status said earlier. `None` unless the message asks how (`how_computed` of
    /// `faq/understand.yaml`), short or about costs, with no amount of its own while the
    /// conversation has one.
    fn estimate_explained(
        &mut self,
        u: &Understanding,
        r: &Region,
        text: &str,
    ) -> Option<Composed> {
        let asks = &self.a.content.understand.asks;
        let about = text.chars().count() <= EXPLAIN_CHARS || contains_any(text, &asks.cost);
        let plain = matches!(u.action, None | Some(Action::Estimate));
        if !(contains_any(text, &asks.how_computed) && about && plain && u.amounts.is_empty()) {
            return None;
        }
        self.s.context.amount()?;
        let mut u = u.clone();
        self.s.context.complete(&mut u, true);
        // Another question than the estimate's, though about the same figures.
        self.s.context.last_answer = None;
        self.worked_estimate(&u, r)
    }

    /// An estimate the conversation leads to, with the insurance, status and age said earlier:
    /// a bare amount (`70000`, `两万五`, `一年大概七万左右吧`) or an amount with "what do I pay
    /// myself" (`透析大概要七万 那我自己要掏好多钱`), or that question after an estimate.
    fn continued_estimate(
        &mut self,
        u: &Understanding,
        r: &Region,
        text: &str,
    ) -> Option<Composed> {
        if let Some(worked) = self.estimate_explained(u, r, text) {
            return Some(worked);
        }
        let pays = contains_any(text, &self.a.content.understand.asks.pay);
        // A short statement of an amount, not a message full of numbers (an ID, a phone).
        let statement = !u.question
            && u.action.is_none()
            && u.disease_names(None).is_empty()
            && text.chars().count() <= 20
            && !crate::privacy::has_identifiers(text);
        let with_amount = u.amount().is_some() && (pays || statement);
        let known_amount = pays && self.s.context.amount().is_some();
        // `哦不对 我是居民医保`, `那我老伴呢 她是居民`: another insurance or status, said after an
        // amount, is the estimate again for it (one figure, the amount said before).
        // `哦不对不对 我说错了 我是居民医保` reads like a question (对不对) but corrects a fact.
        let corrects = u.correction && u.action.is_none() && text.chars().count() <= 30;
        let restated = (statement || corrects)
            && u.amounts.is_empty()
            && u.disease_names(None).is_empty()
            && (u.insurance.is_some() || u.status.is_some())
            && self.s.context.amount().is_some();
        if !(with_amount || known_amount || restated) || u.lives_elsewhere().is_some() {
            return None;
        }
        if restated {
            // Another person or a corrected type: the same topic, a new answer.
            self.s.context.last_answer = None;
        }
        if pays {
            // A new question ("what do I pay?"), even when the estimate shown already said it.
            self.s.context.last_answer = None;
        }
        let only_pays = pays && u.amounts.is_empty();
        let mut u = u.clone();
        self.s.context.complete(&mut u, true);
        let mut c = self.estimate(&u, r, pays_first(text, &self.a.content.understand.asks))?;
        if only_pays && u.insurance.is_some() {
            // "他自己要出好多" after the estimate: its one line with 自付, not the same text again.
            c.lines.truncate(1);
        }
        Some(c)
    }

    /// `市中心医院能办门特不`: a hospital the sources do not name, asked about as a place to
    /// apply — said to be neither in nor out, before the region's answer on where to apply, so
    /// the hospital the sources name (邵阳县人民医院) is never taken for the one asked about.
    /// `None` when the region names no hospitals, or the message names none of its own.
    fn other_hospital(&self, u: &Understanding, r: &Region, text: &str) -> Option<Composed> {
        let offline = r.offline.as_ref()?;
        let template = offline.other_hospital.as_deref()?;
        let applying = matches!(u.action, None | Some(Action::Apply));
        if !applying || !contains_any(text, &self.a.content.understand.asks.apply_at) {
            return None;
        }
        let hospital = hospital_named(text)?;
        // `我在长沙湘雅医院看病 …`: a hospital elsewhere is a question of 异地, answered below.
        if u.lives_elsewhere().is_some_and(|place| !hospital.contains(place)) {
            return None;
        }
        if offline.hospitals.iter().any(|h| h.contains(&hospital)) {
            return None;
        }
        let mut c = self.topic(&r.id, "where-to-apply", "apply")?;
        c.lines.insert(0, template.replace("{hospital}", &hospital));
        c.topic = None;
        Some(c)
    }

    /// "那我好久开始办" after an expiry date was said (`我门特待遇明年3月31号到期`): when to
    /// renew, counted from that date. `None` without a coming date in the conversation.
    fn renewal_when_asked(&self, u: &Understanding, r: &Region, text: &str) -> Option<Composed> {
        let plain = self.a.content.dialect.plain(text);
        let when = &self.a.content.understand.asks.when;
        let asks_when = contains_any(&plain, when) && plain.contains('办');
        let renewal = matches!(u.action, None | Some(Action::Renew));
        if !(u.question && asks_when && renewal && u.dates.is_empty()) {
            return None;
        }
        let date = self.s.context.date(true, self.today)?;
        let mut u = u.clone();
        u.dates.push(date);
        self.renewal_timing(&u, r, text)
    }

    /// A question about a region other than the session's, answered from the FAQ for that
    /// region (the answer names its region and source) with a button to switch to it.
    /// `false` when the FAQ is not sure.
    pub(super) fn faq_for(&mut self, text: &str, region: &str) -> bool {
        // The region's name would pull the FAQ towards entries whose questions hold it
        // (`攀枝花审核要多少天` got 攀枝花门特在手机上哪里办).
        let asked = self.without_region(text, Some(region));
        // `我公公婆婆在邵阳新宁 … 他们那边报多少`: 那边 is the region named, not 异地.
        let reading = Context { today: self.today, region: self.region() };
        let named = self.a.understand(text, reading).regions.iter().any(|m| m.region == region);
        let asked = if named { self.without_there(&asked) } else { asked };
        let mut answer = self.a.knowledge.answer(&asked, Some(region));
        // `我公公婆婆在邵阳新宁 他们也是居民医保 他们那边报多少`: who and where dilute the
        // question; its last asking clause alone may be clear.
        if answer.id.is_none() {
            if let Some(last) = self.question_clauses(&asked).pop() {
                let last = super::wording::numbered(&last).map_or(last.as_str(), |(_, rest)| rest);
                answer = self.a.knowledge.answer(last, Some(region));
            }
        }
        if answer.id.is_none() {
            return false;
        }
        let label = self.region_label(region);
        self.say_answer(answer);
        // No 切换到 button for the region already chosen (after a switch in the same message).
        if self.region() != Some(region) {
            let switch = self.button(format!("切换到{label}"), ButtonKind::Region(region.into()));
            if let Some(reply) = self.replies.last_mut() {
                reply.choices.push(switch);
            }
        }
        self.after_answer();
        true
    }

    /// Sends a composed answer labelled with its region, within one screen; then the current
    /// step again. A region other than the session's gets a "切换到…" button.
    pub(super) fn send(&mut self, c: Composed, region: &str, note: Option<String>) {
        let label = match c.all_regions {
            true => self
                .a
                .content
                .regions
                .values()
                .map(|r| r.name.clone())
                .collect::<Vec<_>>()
                .join("、"),
            false => self.region_label(region),
        };
        let other_region = !c.all_regions && self.region().is_some_and(|r| r != region);
        // The region is always in the source line; an answer for a region other than the
        // session's also starts with it, so nobody reads it as their own region's rule.
        let head = match other_region {
            true => format!("{}【{label}】", note.unwrap_or_default()),
            false => note.unwrap_or_default(),
        };
        let citations = &self.a.content.citations;
        let source = match c.source.trim() {
            "" => format!("\n地区：{label}"),
            s => {
                // One title once, however many ids of it the figures cite.
                let mut titles: Vec<String> = Vec::new();
                for t in citations.cite_short(&short_source(s)).split('；') {
                    if !titles.iter().any(|have| have == t.trim()) {
                        titles.push(t.trim().to_string());
                    }
                }
                format!("\n来源：{}｜地区：{label}", titles.join("；"))
            }
        };
        let (text, left) = fit_parts(&head, &c.lines, &source, SCREEN_CHARS);
        let text = render::circled_list(&text);
        // The same topic for another region is another answer (`邵阳呢` after 攀枝花's).
        let key = c.topic.as_ref().map(|t| format!("topic:{t}@{region}"));
        if self.repeated(
            key.unwrap_or_else(|| fingerprint(&text)),
            Self::dialog_of_choices(&c.choices),
            &text,
        ) {
            return;
        }
        if c.steps {
            self.s.context.steps_shown = Some(region.to_string());
        }
        self.note_said_in(&text, region);
        // An answer leading into 续期 (its button) is on the renewal topic, though composed: a
        // bare `在哪点` next asks about renewing (blind 8, b8-s04).
        let renews = c.choices.iter().any(|ch| {
            render::decode(&ch.data)
                .is_some_and(|b| matches!(b.kind, ButtonKind::Menu(id) if id.starts_with("renew")))
        });
        if renews {
            self.s.context.asked("renewal");
        }
        let mut choices = c.choices;
        // Lines cut for the screen stay one tap away: a user must never see a "…" with no way on.
        if !left.is_empty() {
            let rest = fit("（接上条）\n", &left, &source, SCREEN_CHARS);
            self.s.more = Some(render::circled_list(&rest));
            choices.insert(0, self.button("看全", ButtonKind::More));
        }
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

    /// The message asks how to go about it or what to prepare (the how-to goes with the
    /// answer): `asks.how_to` words, in plain Mandarin.
    fn asks_how(&self, text: &str) -> bool {
        let plain = self.a.content.dialect.plain(text);
        contains_any(&plain, &self.a.content.understand.asks.how_to)
    }

    /// Whether `plain` (in plain Mandarin) asks for the steps of something: 怎么办, 咋弄 …
    /// (`asks.steps`; the dialog of the topic answers it better than any one line).
    pub(super) fn asks_steps(&self, plain: &str) -> bool {
        contains_any(plain, &self.a.content.understand.asks.steps)
    }

    /// The user says an explanation did not help (还是不会弄, 看不懂; `asks.lost`).
    pub(super) fn lost(&self, text: &str) -> bool {
        contains_any(text, &self.a.content.understand.asks.lost)
    }

    /// The notes a 新申请 says once per conversation, when an answer just said them: the rule
    /// on several diseases and a disease's "not confirmed" caveat (play-test round 12, P2: both
    /// came again at the consent step, 443 characters).
    fn note_said_in(&mut self, text: &str, region: &str) {
        let rule = self.several_diseases_rule(region);
        if text.contains(rule.trim()) {
            self.s.context.note_once(super::prefill::RULE_NOTE);
        }
        if text.contains("未经官方目录确认") {
            let named: Vec<String> = (self.a.content.diseases.region(region).iter())
                .filter(|d| !d.verified && text.contains(d.name.as_str()))
                .map(|d| d.name.clone())
                .collect();
            for name in named {
                self.s.context.note_once(&format!("unverified:{name}"));
            }
        }
    }

    /// No dialog and no pending question: where the menu is the way on.
    pub(super) fn at_top_level(&self) -> bool {
        self.s.dialog.is_none() && self.s.pending.is_none()
    }

    pub(super) fn region_label(&self, region: &str) -> String {
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
        // `攀枝花的 我是退休职工 糖尿病`: a disease named with the region asks what it means
        // there (the verdict and the figures for the insurance said), not the menu.
        let disease =
            !u.disease_names(Some(&region)).is_empty() || !u.unknown_conditions.is_empty();
        if !(u.question || u.action.is_some() || disease) || u.switch_to().is_some() {
            return false;
        }
        let then = self.s.then.take();
        self.clear_dialog();
        self.s.region = Some(region.clone());
        // This message asks its own question; one asked before the region is superseded.
        self.s.context.before_region = None;
        let mut answered = true;
        if !self.act_on_understanding(text, false) {
            let answer = self.a.knowledge.answer(text, Some(&region));
            if answer.id.is_some() {
                self.say_answer(answer);
            } else {
                self.say(format!("好的，已记住您的地区：{}。", self.region_label(&region)));
                // `攀枝花 我74岁了手机用不来…在哪里办嘛 几点开门`: the FAQ is unsure of the
                // whole; read as any message is (its questions one by one, the facts said), not
                // dropped for the menu (play-test round 14, P6).
                let replies = self.replies.len();
                self.free_text(text, None);
                answered = self.replies.len() > replies;
            }
        }
        // An answer keeps its own buttons: the menu under it pushed the reply past one screen
        // and offered 异地备案 twice (play-test round 9).
        match then {
            Some(dialog) if self.s.dialog.is_none() => self.start_dialog(&dialog, true),
            _ if self.s.dialog.is_none() && !answered => self.show_menu(),
            _ => {}
        }
        true
    }

    /// The user asked for another region (typed, or the "切换到…" button).
    pub(super) fn switch_region(&mut self, region: &str) {
        if !self.a.content.regions.contains_key(region) {
            return self.stale();
        }
        let first = self.s.region.replace(region.to_string()).is_none();
        if self.s.dialog.is_some() {
            self.sync_region();
        }
        // Nothing was chosen before (a first message naming a region): nothing is switched.
        self.say(match first {
            true => format!("好的，已记住您的地区：{}。", self.region_label(region)),
            false => format!("已切换到{}。", self.region_label(region)),
        });
    }

    /// The 新申请 button of an eligibility answer: the application starts in that region with
    /// the button's disease and insurance filled in (besides what the conversation said, see
    /// `prefill`); the disease only once the user agreed to storing personal data (otherwise
    /// after the consent question).
    /// The clause of `text` with a `request` word asks for something to be done, not a
    /// question (`那就先帮爷爷申请糖尿病这个吧`, whatever `高血压不晓得几级` beside it says).
    /// A message that asks something too (`帮奶奶在手机上申请门特 … 要些啥`) requests it only
    /// with a softener or 开始 in that clause.
    fn requests_it(&self, text: &str, asks: bool) -> bool {
        let words = &self.a.content.understand;
        let reading = Context { today: self.today, region: self.region() };
        // The clause without its softening particle (`…这个嘛`): 嘛 alone makes no question.
        let bare = |c: &str| -> Option<String> {
            let c = c.trim_end_matches(|ch: char| !ch.is_alphanumeric());
            let found = words.request_softeners.iter().filter(|w| !w.is_empty());
            found.into_iter().find_map(|w| c.strip_suffix(w.as_str())).map(str::to_string)
        };
        text.split(|c: char| c.is_whitespace() || "，,。；;！!".contains(c))
            .find(|c| self.a.understand(c, reading).action == Some(Action::Apply))
            .is_some_and(|c| {
                let softened = bare(c);
                let read = softened.as_deref().unwrap_or(c);
                let plain = contains_any(c, &words.request) || c.contains('帮');
                let go = contains_any(c, &words.go_ahead) || contains_any(text, &words.go_ahead);
                !self.a.understand(read, reading).question
                    && (softened.is_some() || go || (plain && !asks))
            })
    }

    /// The region's catalogue index of the disease a request to apply names: the only one, or
    /// of several the one written first after an apply word (`申请糖尿病这个吧 高血压不晓得几级`).
    fn disease_applied_for(&self, u: &Understanding, region: &str, text: &str) -> Option<usize> {
        let named: Vec<&crate::understand::DiseaseMention> =
            u.diseases.iter().filter(|d| d.region == region).collect();
        let chosen = match named.as_slice() {
            [] => None,
            [one] => Some(*one),
            several => {
                let after = text.find("申请").map_or(0, |at| at + "申请".len());
                let at = |d: &&crate::understand::DiseaseMention| {
                    let word = d.alias.as_deref().unwrap_or(&d.name);
                    text[after..].find(word).or_else(|| {
                        let short: String = d.name.chars().take(2).collect();
                        text[after..].find(short.as_str())
                    })
                };
                several.iter().filter(|d| at(d).is_some()).min_by_key(|d| at(d)).copied()
            }
        }?;
        self.a.content.diseases.region(region).iter().position(|d| d.name == chosen.name)
    }

    pub(super) fn start_apply_with(
        &mut self,
        region: &str,
        disease: Option<usize>,
        insurance: Option<String>,
    ) {
        if !self.a.content.regions.contains_key(region) {
            return self.stale();
        }
        self.s.region = Some(region.to_string());
        let name = disease
            .and_then(|i| self.a.content.diseases.region(region).get(i))
            .map(|d| d.name.clone());
        self.apply_seed = Some((name, insurance));
        self.start_dialog("apply", true);
        self.apply_seed = None;
    }
}

/// The user asks what they pay themselves (`pay` of `asks:` in `faq/understand.yaml`), after
/// (or without) asking what the fund pays (`fund`): `四五千块钱 自己要出好多` leads with 自付;
/// `自己花了5000块 能报多少` with what is paid back.
pub(super) fn pays_first(text: &str, asks: &AskWords) -> bool {
    let last = |words: &[String]| words.iter().filter_map(|w| text.rfind(w.as_str())).max();
    match (last(&asks.pay), last(&asks.fund)) {
        (Some(pay), Some(fund)) => pay > fund,
        (pay, _) => pay.is_some(),
    }
}

/// FAQ topics a disease named on the way does not change (`透析的要不要交照片`): answered with
/// the disease's eligibility line in front.
const PROCEDURAL_TOPICS: &[&str] = &[
    "materials",
    "photo",
    "id-card",
    "diagnosis-proof",
    "form",
    "where-to-apply",
    "review-time",
    "help-elderly",
    "for-others",
    "go-in-person",
    "app-download",
    "channels",
    "online-vs-offline",
    "offline-window",
    "apply-steps",
    "change-hospital",
];

/// FAQ topics on how and where a first application is made.
const APPLYING_TOPICS: &[&str] = &["apply-steps", "where-to-apply", "apply-from-afar"];

/// FAQ topics on doing it for someone else (代办); `help-elderly` (an old person without a
/// phone) names the channels and the window itself.
const FOR_SOMEONE_TOPICS: &[&str] = &["for-others"];

/// The longest name before 医院 taken for a hospital's (攀枝花市第二人民 is 7).
const MAX_HOSPITAL_NAME: usize = 10;

/// The hospital a message names (`去市中心医院办` → 市中心医院): the characters before 医院
/// back to a word that cannot be part of a name; `None` for 医院 alone or a general one
/// (哪些医院, 定点医院, 二级医院).
fn hospital_named(text: &str) -> Option<String> {
    let at = text.find("医院")?;
    let before: Vec<char> = text[..at].chars().collect();
    let start = before
        .iter()
        .rposition(|c| !c.is_alphanumeric() || "在去到的是那这个家我他她里找和跟".contains(*c))
        .map_or(0, |i| i + 1);
    let name: String = before[start..].iter().collect();
    let general = ["哪", "什么", "啥", "定点", "级", "些", "大", "小", "附近", "本地", "当地"];
    // `第一次申请门特必须本人回邵阳医院吗`: a question's verbs in front make it no name; a name
    // is short.
    let asked = ["申请", "门特", "必须", "本人", "回", "要", "能", "办", "可以", "需要", "一定"];
    let n = name.chars().count();
    let ok = (2..=MAX_HOSPITAL_NAME).contains(&n)
        && !general.iter().any(|g| name.contains(g))
        && !asked.iter().any(|w| name.contains(w));
    ok.then(|| format!("{name}医院"))
}

/// The last clause of `text` (after its last space or comma), when there is one before it.
fn last_clause(text: &str) -> Option<&str> {
    let cut = text.trim_end().rfind(|c: char| c.is_whitespace() || "，,。；;！!".contains(c))?;
    let rest =
        text[cut..].trim_start_matches(|c: char| c.is_whitespace() || "，,。；;！!".contains(c));
    (rest.chars().count() >= 2).then_some(rest.trim_end())
}

/// What follows the clause naming the region (`…我们家其实是邵阳那边参保的 我爸是退休职工 门特能报
/// 百分之多少 起付线多少`): the question, all its parts, without the correction before it.
pub(super) fn after_clause_of<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let at = text.find(word)? + word.len();
    let is_cut = |c: char| c.is_whitespace() || "，,。；;！!".contains(c);
    let cut = at + text[at..].find(is_cut)?;
    let rest = text[cut..].trim_matches(is_cut);
    (rest.chars().count() >= 2).then_some(rest)
}

/// The region the user says is theirs (`我是邵阳的 起付线多少`, `我医保是邵阳的`) while another
/// was chosen: the session switches to it, so that the next question is answered there too.
/// Only one region named, and said as what the user is (是X), not where they are (在X).
fn stated_home<'u>(u: &'u Understanding, current: Option<&str>, text: &str) -> Option<&'u str> {
    let home = u.regions.iter().find(|m| m.role == RegionRole::Home)?;
    let one = u.regions.iter().all(|m| m.region == home.region);
    let said = text.contains(&format!("是{}", home.word));
    let other = current.is_some_and(|c| c != home.region);
    (one && said && other).then_some(home.region.as_str())
}

/// The region a correction inside a question switches to (`哎呀搞错了我是在邵阳买的医保不是攀枝花
/// 那邵阳起付线是好多`): a correction word, the user's own region (我是在邵阳…) and no other
/// region than that one named (the denied 不是攀枝花 is not a mention). Not the current region.
fn corrected_region<'u>(u: &'u Understanding, current: Option<&str>) -> Option<&'u str> {
    if !u.correction {
        return None;
    }
    let home = u.regions.iter().find(|m| m.role == RegionRole::Home)?;
    let one = u.regions.iter().all(|m| m.region == home.region);
    (one && current != Some(home.region.as_str())).then_some(home.region.as_str())
}

/// Whether `text` asks if the review is past its time limit (超没超时; `overdue` of `asks:`).
pub(super) fn asks_overdue(text: &str, asks: &AskWords) -> bool {
    contains_any(text, &asks.overdue)
}

#[cfg(test)]
mod tests {
    use super::hospital_named;

    #[test]
    fn a_hospital_name_is_short_and_no_question_in_front_of_医院() {
        assert_eq!(hospital_named("去市中心医院办").as_deref(), Some("市中心医院"));
        assert_eq!(hospital_named("湘雅医院能办门特不").as_deref(), Some("湘雅医院"));
        // A whole question ending in 医院 is no hospital's name (play-test round 9, P8).
        assert_eq!(hospital_named("头一回办门特一定得本人跑回攀枝花医院不"), None);
        assert_eq!(hospital_named("第一次申请门特必须本人回邵阳医院吗"), None);
        assert_eq!(hospital_named("哪些医院能办"), None);
    }
}
