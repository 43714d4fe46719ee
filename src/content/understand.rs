//! The one home of the words the assistant reads, edited by staff in `faq/understand.yaml`:
//! yes/no/unsure replies, question words (for the free-text reader [`crate::understand`] and for
//! a procedure's step, `engine::wording`), consent and go-on wordings, "none" answers, insurance
//! types and status, where-someone-lives markers, region switch/home markers, the words of each
//! action and the commands in plain words (`engine::commands`); and the lists the answers read
//! (`typed_answer`, `asks`, `reading`: typed answers at a step, what a question asks about,
//! pieces of messages the readers step over). Only identifiers (topic ids, slot names) and the
//! privacy filter's words ([`crate::privacy`]) stay in Rust.
//!
//! Stage 1 parses the file (an unknown action name is a serde error with its line); stage 2
//! reports an empty list or string, a blank word, a word listed twice in one list and a reply
//! word listed as both yes and no, with `file:line`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// The file under `faq/` that holds these words (it is not a list of FAQ entries).
pub const UNDERSTAND_FILE: &str = "faq/understand.yaml";

/// Things a user can ask the assistant to do, as named in `actions:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Start a new 门特 application (新申请).
    Apply,
    /// Renew an expiring entitlement (待遇延期/续期).
    Renew,
    /// Change the designated hospital (变更定点医疗机构).
    ChangeHospital,
    /// Register treatment elsewhere (异地备案).
    Remote,
    /// Rejected; complain or appeal (申诉/复议).
    Appeal,
    /// Record progress of an application (accepted, approved, …).
    Progress,
    /// List the user's applications.
    MyApplications,
    /// Estimate a year's reimbursement.
    Estimate,
    /// The review deadline after acceptance.
    Deadline,
    /// Talk to a person (hotline).
    Human,
    /// Move the insurance to another city (医保转移): not 异地备案.
    Transfer,
}

/// Every word list of `faq/understand.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Replies meaning yes (是的, 要得 …).
    #[serde(default)]
    pub yes: Vec<String>,
    /// Replies meaning no (不用, 算了 …).
    #[serde(default)]
    pub no: Vec<String>,
    /// Replies meaning "I don't know" (不知道, 晓不得 …).
    #[serde(default)]
    pub unsure: Vec<String>,
    /// Words that make a message a question.
    #[serde(default)]
    pub question: Vec<String>,
    /// At a procedure's step: marks no answer carries (？, 吗, 多少, 怎么 …).
    #[serde(default)]
    pub question_clear: Vec<String>,
    /// At a procedure's step: marks also found in answers (什么, 啥, 几).
    #[serde(default)]
    pub question_weak: Vec<String>,
    /// Consent given, besides yes.
    #[serde(default)]
    pub agree: Vec<String>,
    /// Consent refused, besides no.
    #[serde(default)]
    pub disagree: Vec<String>,
    /// A refusal denied (`我没说不同意`): not a refusal; agreement unless a later clause says
    /// otherwise.
    #[serde(default)]
    pub refusal_denied: Vec<String>,
    /// "Why do you need that?" or reluctance at the consent question.
    #[serde(default)]
    pub why: Vec<String>,
    /// "Go on" to a lone 下一步 button.
    #[serde(default)]
    pub go_on: Vec<String>,
    /// "None" to an optional question (受理号: 无).
    #[serde(default)]
    pub none_answers: Vec<String>,
    /// Endings that make a message a yes-no question (能办不).
    #[serde(default)]
    pub question_end: Vec<String>,
    /// A step said done (`注册好了 下一步呢`): the step after it is told.
    #[serde(default)]
    pub step_done: Vec<String>,
    /// Words of an opening that asks nothing yet (你好 我想问下门特的事): greeted, not searched.
    #[serde(default)]
    pub opening: Vec<String>,
    /// A whole message that greets (你好, 在吗, hello; letters compared in lower case): greeted.
    #[serde(default)]
    pub greeting: Vec<String>,
    /// Words asking the assistant to do something (帮我, 给我 …): a request ending in one of
    /// `request_softeners` (嘛) is no question for that particle alone.
    #[serde(default)]
    pub request: Vec<String>,
    #[serde(default)]
    pub request_softeners: Vec<String>,
    /// Words that make an apply clause a go-ahead even beside a question (`那我现在就申请 咋个
    /// 开始`): 新申请 starts.
    #[serde(default)]
    pub go_ahead: Vec<String>,
    /// Last characters of a condition name (病, 症 …), for conditions the catalogue lacks.
    #[serde(default)]
    pub condition_end: Vec<String>,
    /// Words ending like a condition that are none (门特病, 什么病 …).
    #[serde(default)]
    pub not_conditions: Vec<String>,
    /// Conditions people name without such an ending (老慢支, 哮喘): reported as conditions the
    /// catalogue lacks unless a catalogue spelling covers them.
    #[serde(default)]
    pub condition_words: Vec<String>,
    /// `医生说是`, `就是`: with a catalogue disease in the same message, a `condition_words`
    /// name beside it is that disease's plain name, not a second condition.
    #[serde(default)]
    pub same_as: Vec<String>,
    /// Insurance type words.
    #[serde(default)]
    pub insurance: InsuranceWords,
    /// Employment status words.
    #[serde(default)]
    pub status: StatusWords,
    /// Just before a place: the person lives or is treated there (住, 在 …).
    #[serde(default)]
    pub lives_before: Vec<String>,
    /// Just after a place: the person lives or is treated there (拿药, 看病 …).
    #[serde(default)]
    pub lives_after: Vec<String>,
    /// Just before a supported region: the user wants to switch to it (切换到 …).
    #[serde(default)]
    pub switch_before: Vec<String>,
    /// Just before a supported region: the user says they are from there (我是 …).
    #[serde(default)]
    pub home_before: Vec<String>,
    /// Just before a supported region: the user says it is not theirs (不是攀枝花).
    #[serde(default)]
    pub deny_before: Vec<String>,
    /// The user says their earlier message or tap was a mistake (搞错了, 点错了, 不对).
    #[serde(default)]
    pub correction: Vec<String>,
    /// The user says they told us already (我刚说了, 我都说了): with their own region in the
    /// message (我是邵阳的), that region, even in a complaint that asks or names another one.
    #[serde(default)]
    pub told_already: Vec<String>,
    /// Just before a disease: the person does not have it (没有癌症, 不是糖尿病).
    #[serde(default)]
    pub negation: Vec<String>,
    /// Before an amount: it is a month's (一个月药钱一千), the year's is twelve times it.
    #[serde(default)]
    pub per_month: Vec<String>,
    /// The user says the last reply missed what they asked (我问的是, 到底).
    #[serde(default)]
    pub asked_again: Vec<String>,
    /// A bare how/where question (在哪里办, 怎么弄) naming no topic: right after an answer on a
    /// topic of `topic_names`, it is asked about that topic (在哪里办 after 异地备案's answer).
    #[serde(default)]
    pub topicless: Vec<String>,
    /// For someone who cannot use a phone's apps (`no_phone`): an answer of the first topic is
    /// replaced by the region's answer of the second (apply-steps → offline-window, materials →
    /// window-materials), where the region has a window.
    #[serde(default)]
    pub no_phone_topics: BTreeMap<String, String>,
    /// A clause of a longer message that is only a tag (`晓得不`, `对不对`): no question of its
    /// own, so not answered as one.
    #[serde(default)]
    pub tag_questions: Vec<String>,
    /// `你给我列一下嘛`: a list asked for, of what to bring — the window's list right after the
    /// window's answer, the materials otherwise.
    #[serde(default)]
    pub list_it: Vec<String>,
    /// The words naming each FAQ topic for such a question, by topic (remote: 异地备案).
    #[serde(default)]
    pub topic_names: BTreeMap<String, String>,
    /// Thanks (谢谢, 辛苦了): a message of nothing but thanks and `acknowledge` words is answered
    /// with a short 不客气, not the FAQ.
    #[serde(default)]
    pub thanks: Vec<String>,
    /// Words that only acknowledge (晓得了, 好的), said with thanks.
    #[serde(default)]
    pub acknowledge: Vec<String>,
    /// Words that end a question (多少, 吗 …): a message said without a break is split after
    /// one into two questions when both halves ask something (报好多要到哪里去办).
    #[serde(default)]
    pub clause_end: Vec<String>,
    /// Endings that look like a `clause_end` word but say "not yet" (还没得, 还没有):
    /// `要是到时候还没得消息咋个办` is one question, not two.
    #[serde(default)]
    pub not_clause_end: Vec<String>,
    /// Words a split never falls inside: a `clause_end` word that is part of a verb phrase
    /// (回不来, 去不了, 找不到) ends no question, so `我人在深圳回不来咋整` is one question.
    #[serde(default)]
    pub unbroken: Vec<String>,
    /// Words that number or introduce a question inside a longer message (一是, 第二, 还有):
    /// taken off a clause before it is looked up, so that `一是门特在哪个app办` is asked as
    /// `门特在哪个app办`.
    #[serde(default)]
    pub clause_start: Vec<String>,
    /// Endings of a follow-up that names only a new value (呢, and 嘞 or 喃 in 四川话):
    /// `居民的嘞` repeats the last question for 居民.
    #[serde(default)]
    pub follow_up_end: Vec<String>,
    /// Clauses that only go on with the question before them (`查进度嘛 在哪点看`): joined to it,
    /// never answered on their own.
    #[serde(default)]
    pub clause_continues: Vec<String>,
    /// Starts of a yes/no question that leans on the statement said just before it
    /// (`我是在社区医院开的诊断 是不是要重新去大医院开`): the statement is asked with it.
    #[serde(default)]
    pub clause_leans_on: Vec<String>,
    /// A question about the documents to bring (材料, 带啥): with a place the person lives in
    /// (`要准备啥子材料 我人在深圳`) it still gets the materials, 异地 as one line after.
    #[serde(default)]
    pub materials: Vec<String>,
    /// The line said first with those materials; `{place}` is where the person is.
    #[serde(default)]
    pub materials_afar: String,
    /// 新申请's checklist for someone said to live elsewhere: one short line on 异地备案;
    /// `{place}` is where they are.
    #[serde(default)]
    pub apply_afar: String,
    /// The word the FAQ knows for "somewhere else" (外地): a place outside the regions where the
    /// person lives or is treated (`在深圳能用不`) is asked about as this word, for the
    /// person's own region (异地), never as a question about that place's own rules.
    #[serde(default)]
    pub afar_place: String,
    /// Topics answered as such when asked from a place elsewhere (`我人在深圳回不来咋整`: no
    /// trip needed), with `afar_note` after them, instead of the 异地 answer alone.
    #[serde(default)]
    pub afar_topics: Vec<String>,
    /// FAQ topics about going to the window (`offline-window` …): right after one, a question
    /// naming a time (`今天中午12点半过去得不`) asks about going then, checked against the
    /// region's opening hours.
    #[serde(default)]
    pub window_topics: Vec<String>,
    /// The line said after an `afar_topics` answer; `{place}` is where the person is.
    #[serde(default)]
    pub afar_note: String,
    /// Said when someone from a place not covered asks again (`我在成都参保 能帮我查不` after
    /// being told which regions are covered): `{place}` is that place. Never the covered
    /// regions' hotlines, which are not theirs.
    #[serde(default)]
    pub elsewhere_again: String,
    /// Said instead of the how-to when the answer just sent carried it (`那高血压呢` after
    /// `糖尿病能办门特不`): the verdict of the other disease, then this line, not the steps again.
    #[serde(default)]
    pub steps_above: String,
    /// Said when a step asking whether the user knows the expiry date is skipped because they
    /// said they do not (`不晓得好久到期`); where to find it follows.
    #[serde(default)]
    pub expiry_unknown_said: String,
    /// Said when a date step is filled in from a date said by its month alone (`3月份到期`):
    /// `{date}` the day taken (the month's first), `{year}` and `{month}` what was said.
    #[serde(default)]
    pub month_only_filled: String,
    /// A short question for the next step (先做啥子, 然后呢, 第一步做什么): at the menu it goes
    /// on with the topic answered last.
    #[serde(default)]
    pub next_step: Vec<String>,
    /// Asking for the rest of an answer cut short (后面还有啥, 没显示完): right after a reply
    /// with 看全 buttons, the first cut answer is shown whole.
    #[serde(default)]
    pub the_rest: Vec<String>,
    /// Words of doing it for someone else (帮, 替, 代): without them, a question naming a relative
    /// in another region (`我老汉在攀枝花 他那边咋个申请`) asks how it is done there, not how to
    /// do it for him.
    #[serde(default)]
    pub on_behalf: Vec<String>,
    /// The person cannot use a phone's apps (不会用手机, 老人机): for the rest of the
    /// conversation, how-to answers are the region's window (`offline-window`), not the app.
    #[serde(default)]
    pub no_phone: Vec<String>,
    /// Lines of an answer on a first application (第一次申请): first for someone who has said
    /// nothing of a renewal.
    #[serde(default)]
    pub first_application_lines: Vec<String>,
    /// Lines of an answer on a renewal (办延期): after the first application's lines then.
    #[serde(default)]
    pub renewal_lines: Vec<String>,
    /// Who a message is about (`我妈`, `她`, `那我嘞`): facts said about a person stay with that
    /// person (`engine::context`).
    #[serde(default)]
    pub people: PeopleWords,
    /// Words per action.
    #[serde(default)]
    pub actions: BTreeMap<Action, Vec<String>>,
    /// Commands in plain words (主菜单, 找个人, 删除我的信息 …), read at every step.
    #[serde(default)]
    pub commands: CommandWords,
    /// A typed answer at a dialog step asking yes/no or the insurance type.
    #[serde(default)]
    pub typed_answer: TypedAnswerWords,
    /// What a question asks about, read by the answers (`engine::composed`, `understood`,
    /// `followup`).
    #[serde(default)]
    pub asks: AskWords,
    /// Small pieces of messages the readers step over or split at.
    #[serde(default)]
    pub reading: ReadingWords,
}

/// `people:` — words naming whom a message is about. A relative's word (`female`, `male`,
/// `either`: person → words) names that person; else `she`/`he` the latest one named of that
/// sex; else a `me` word the user. `not_people` are taken out first (其他 holds 他).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleWords {
    #[serde(default)]
    pub me: Vec<String>,
    #[serde(default)]
    pub she: Vec<String>,
    #[serde(default)]
    pub he: Vec<String>,
    #[serde(default)]
    pub not_people: Vec<String>,
    /// Saying whom the last question meant (`我说的是我妈`).
    #[serde(default)]
    pub restated: Vec<String>,
    /// The user saying where they are (`我在外地打工`): in a message about someone else, that
    /// part tells nothing about where the insured person lives.
    #[serde(default)]
    pub asker_at: Vec<String>,
    /// A relative who helps saying where they are (`我儿子在成都上班 他能不能…帮我办`): with a
    /// `for_me` word the user is the insured person, and that part is left out like `asker_at`.
    #[serde(default)]
    pub helper_at: Vec<String>,
    /// The user's children said to be away (`娃娃都在外地打工`): in a message about the user
    /// (no relative or 她/他 in the rest) that part is where the children are, not the user.
    #[serde(default)]
    pub kin_away: Vec<String>,
    /// The user is the one helped (`帮我办`, `替我申请`).
    #[serde(default)]
    pub for_me: Vec<String>,
    #[serde(default)]
    pub female: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub male: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub either: BTreeMap<String, Vec<String>>,
}

/// `typed_answer:` — the whole typed answer at a yes/no step is one of `yes`/`no` (after
/// 。！啊呀 at its end); at an insurance step a `resident` word anywhere (checked first) or an
/// `employee` word.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypedAnswerWords {
    /// Yes at a yes/no step (是, 好的, ok).
    #[serde(default)]
    pub yes: Vec<String>,
    /// No at a yes/no step (不用, 没有, no).
    #[serde(default)]
    pub no: Vec<String>,
    /// 城乡居民医保 at an insurance step (居民, 新农合, 学生).
    #[serde(default)]
    pub resident: Vec<String>,
    /// 职工医保 at an insurance step (职工, 单位, 退休).
    #[serde(default)]
    pub employee: Vec<String>,
}

/// `asks:` — words that say what a question is about; each is found anywhere in the message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskWords {
    /// Whether something named counts as a button's choice (`三甲医院开的 这个算不算`): at a
    /// step of buttons the choice it names is taken, and said so.
    #[serde(default)]
    pub counts_as: Vec<String>,
    /// What the benefit costs or pays (多少钱, 自付): the cost line comes with the eligibility.
    #[serde(default)]
    pub cost: Vec<String>,
    /// The deductible (起付线).
    #[serde(default)]
    pub deductible: Vec<String>,
    /// The reimbursement ratio (比例, 报几成).
    #[serde(default)]
    pub ratio: Vec<String>,
    /// Both regions compared (两个地方, 对比).
    #[serde(default)]
    pub compare: Vec<String>,
    /// Whether a disease is exempt from the deductible (免不免).
    #[serde(default)]
    pub exempt: Vec<String>,
    /// More than one disease at once (两个, 同时): the region's multiple-diseases rule.
    #[serde(default)]
    pub more_than_one: Vec<String>,
    /// Another benefit for the same diseases (两病 用药保障): the multiple-diseases rule says
    /// whether it stacks with 门特.
    #[serde(default)]
    pub other_scheme: Vec<String>,
    /// Whether the review is past its time limit (超时).
    #[serde(default)]
    pub overdue: Vec<String>,
    /// When (多久, 什么时候): with 办 after an expiry date, when to renew.
    #[serde(default)]
    pub when: Vec<String>,
    /// How long it takes (多久, 几天; read in plain Mandarin): asked about applying
    /// (`那重新申请要等好久`), the review's time limit, not how to apply.
    #[serde(default)]
    pub how_long: Vec<String>,
    /// How to go about it or what to prepare (怎么, 材料; read in plain Mandarin, so 么子办 and
    /// 咋个办 count): with a disease named, the how-to comes with the eligibility answer.
    #[serde(default)]
    pub how_to: Vec<String>,
    /// Asking for the steps of a thing (怎么办, 咋弄; plain Mandarin): the topic's dialog, not
    /// one line of an answer.
    #[serde(default)]
    pub steps: Vec<String>,
    /// A how word right before another word asks how to do that (怎么重新交, 咋个补): in front
    /// of the re-applying words.
    #[serde(default)]
    pub how_before: Vec<String>,
    /// The user says an explanation did not help (还是不会弄, 看不懂): the steps one by one or a
    /// person may, no line of it will.
    #[serde(default)]
    pub lost: Vec<String>,
    /// A question about the personal data asked for (删, 保存, 谁看): at the consent question it
    /// is answered before the question is asked again.
    #[serde(default)]
    pub about_data: Vec<String>,
    /// What the user pays themselves (自付, 自己出).
    #[serde(default)]
    pub pay: Vec<String>,
    /// What the fund pays (能报, 报多少): against `pay`, the one asked last leads.
    #[serde(default)]
    pub fund: Vec<String>,
    /// Applying somewhere (办, 申请): a hospital named with them is asked about as that place.
    #[serde(default)]
    pub apply_at: Vec<String>,
    /// A way of applying (网上, 手机上, 小程序): `我爸想在网上申请门特` asks how it is done
    /// there, so the region's answer comes, not the application procedure at once.
    #[serde(default)]
    pub channel: Vec<String>,
    /// Asking to be led through it (一步步教我, 手把手): with a procedure's topic at the menu,
    /// that procedure starts, however long the message.
    #[serde(default)]
    pub step_by_step: Vec<String>,
    /// How many or how long (多少, 几个), in plain Mandarin: a line with a figure answers it.
    #[serde(default)]
    pub count: Vec<String>,
    /// The last question was about costs (起付, 比例): a later statement of insurance or status
    /// asks it again for that one.
    #[serde(default)]
    pub about_costs: Vec<String>,
    /// How a figure was arrived at (怎么算的, 算不来): after an estimate, its working with the
    /// figures the conversation established.
    #[serde(default)]
    pub how_computed: Vec<String>,
    /// The most the benefit pays in a year (封顶, 限额): the region's answer on the limit, also
    /// when a disease is named with it.
    #[serde(default)]
    pub limit: Vec<String>,
    /// Going in person (窗口, 线下): with a materials word, what to bring to the window (the
    /// region's window answer), not the list to upload in the app.
    #[serde(default)]
    pub window: Vec<String>,
    /// Contributions not paid (断缴, 欠费): whether one can apply is the eligibility answer
    /// (参保状态正常、没有欠费), not the how-to.
    #[serde(default)]
    pub arrears: Vec<String>,
    /// Applying again (重新申请): after a refusal, the refusal's answer on what to do.
    #[serde(default)]
    pub reapply: Vec<String>,
    /// Medical records (病历, 检查报告): with a date or month, whether they are recent enough.
    #[serde(default)]
    pub records: Vec<String>,
    /// Asking whether one gets less (`在广州看病是不是报得比在邵阳少`): a line of an answer saying
    /// whether it is lowered (`reading.less_answer`) answers it. Looked for once the `not_less`
    /// words are taken out (多少 asks an amount, 最低档 names a tier).
    #[serde(default)]
    pub less: Vec<String>,
    /// Words holding a `less` word that ask nothing of the kind.
    #[serde(default)]
    pub not_less: Vec<String>,
}

/// `reading:` — pieces of messages the readers step over, drop or split at.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingWords {
    /// Insurance and status words dropped from the last question when a follow-up names another
    /// (`那退休的呢`), and naming the lines of a deductible or ratio answer kept for that one;
    /// longer words first (城乡居民 before 居民).
    #[serde(default)]
    pub follow_up_status: Vec<String>,
    /// Words that date a clause without digits (今天, 礼拜): with a `submission` word, the
    /// clause says when an application was handed in.
    #[serde(default)]
    pub day_words: Vec<String>,
    /// Words in front of a condition name that are not part of it (longest first).
    #[serde(default)]
    pub condition_prefixes: Vec<String>,
    /// Between the two ends of an amount range (4000~5000, 4000到5000).
    #[serde(default)]
    pub range_marks: Vec<String>,
    /// Characters (each on its own) that may stand between a negation and the disease
    /// (没有得过癌症).
    #[serde(default)]
    pub negation_gap: String,
    /// The word every question about the subject contains after synonyms (门特): an off-topic
    /// question without it is not answered from the FAQ.
    #[serde(default)]
    pub faq_subject: String,
    /// Words pointing at a place (她那边, 那里): in a clause of a message naming a supported
    /// region they are that region, dropped before the FAQ is asked (not 异地 elsewhere).
    #[serde(default)]
    pub there: Vec<String>,
    /// Words of a line saying whether something is lowered (不会降低): the line answering a
    /// question asking whether one gets less (`asks.less`).
    #[serde(default)]
    pub less_answer: Vec<String>,
    /// Ends of a request to be told about topics named bare (`材料和时间也说下`).
    #[serde(default)]
    pub tell_also: Vec<String>,
    /// Words joining the topics of such a request (和, 跟, 还有).
    #[serde(default)]
    pub tell_joins: Vec<String>,
    /// A topic named bare in such a request → the question it stands for (时间 → 审核要多久).
    #[serde(default)]
    pub tell_topics: BTreeMap<String, String>,
}

/// Conversation-wide commands as named under `commands:` (the engine's `Command` for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandName {
    /// Main menu.
    Menu,
    /// One step back.
    Back,
    /// Leave the current procedure.
    Cancel,
    /// What the assistant can do.
    Help,
    /// A person (a live hand-off to staff, or the region's hotline).
    Human,
    /// End a live hand-off (结束人工): the assistant answers again.
    EndHuman,
    /// 我的申请.
    MyApps,
    /// The list of reminders.
    Reminders,
    /// Set a reminder (the renewal or review-deadline flow).
    Remind,
    /// Choose another region.
    Region,
    /// Delete my data (asks once for confirmation).
    Forget,
    /// The full sources of the last answer (`show_source:`, since `source:` lines are citations).
    #[serde(rename = "show_source")]
    Source,
}

/// The command wordings of `faq/understand.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandWords {
    /// Words that may stand in front of a whole-message command (我要、帮我 …).
    #[serde(default)]
    pub lead: Vec<String>,
    /// Words that make a message with a `within` wording a question about the command.
    #[serde(default)]
    pub asked_about: Vec<String>,
    /// Chat particles (each character on its own) taken off the end of a `say` message (人工吧).
    #[serde(default)]
    pub end_particles: String,
    /// The whole message is the command.
    #[serde(default)]
    pub say: BTreeMap<CommandName, Vec<String>>,
    /// The wording anywhere in a message is the command.
    #[serde(default)]
    pub within: BTreeMap<CommandName, Vec<String>>,
    /// A word of every list in one message, in any order, is the command: `我的资料都清掉`,
    /// `信息不要留了` (what + what is done to it), so each pairing need not be listed.
    #[serde(default)]
    pub together: BTreeMap<CommandName, Vec<Vec<String>>>,
    /// With a date, a reminder request naming one of these is about the benefit's expiry (the
    /// renewal reminder); any other task said with a date is one the assistant cannot remind of.
    #[serde(default)]
    pub remind_renewal: Vec<String>,
    /// With a past date: the application was accepted then (the review-deadline reminder).
    #[serde(default)]
    pub remind_accepted: Vec<String>,
    /// Supplementing materials: a tracked application's supplement deadline can be reminded of.
    #[serde(default)]
    pub remind_supplement: Vec<String>,
    /// With a past date, the message says an application was handed in (`12月3号交的`): before
    /// anything is recorded, the review's last day is said and the recording starts from it.
    #[serde(default)]
    pub reported_accepted: Vec<String>,
    /// Not handed in yet (`还没受理 我明天才去交`): nothing to record, whatever date is said —
    /// the user is told to come back once it is accepted.
    #[serde(default)]
    pub not_submitted: Vec<String>,
    /// Words of a plan (`我打算12月15号去窗口交`): with a `submission` word and a day still ahead
    /// in the same clause, the application is not handed in yet and that day is when it will be.
    #[serde(default)]
    pub planned: Vec<String>,
    /// Words that tie a date to a handing-in (`11月25号交的`, `12月1号受理`): only a date in
    /// the same clause as one of them is an acceptance date (`会不会拖过27号` is none).
    #[serde(default)]
    pub submission: Vec<String>,
    /// Rejecting what was just said (`什么11月27号受理 我还没交啊`): the reply owns the mistake.
    #[serde(default)]
    pub correction: Vec<String>,
    /// Asking what to do once the review's last day has passed without a result (`要是过了还没
    /// 审完找哪个`): where to check and whom to call, with the last day when it is known.
    #[serde(default)]
    pub review_overdue: Vec<String>,
    /// Words that make an application said in words a renewal (续期); 到期 alone (审核到期了
    /// 提醒我) does not — a first application is 新申请.
    #[serde(default)]
    pub renewal_kind: Vec<String>,
    /// The recorded application is a first one after all (`不是续期 是新申请 第一次办`).
    #[serde(default)]
    pub new_kind: Vec<String>,
    /// Deleting one recorded application in words (`那把这个记错的删了嘛`): a word of deleting …
    #[serde(default)]
    pub delete_record: Vec<String>,
    /// … and one pointing at a record (这个, 记错的, 重复, 第二个): which one is asked to confirm.
    #[serde(default)]
    pub record_pointer: Vec<String>,
    /// The task of a reminder asked for with a record but without one of its own
    /// (`帮我记一下 到12月8号还没消息就提醒我`); empty: the record's own reminders only.
    #[serde(default)]
    pub record_task: String,
    /// The task of a reminder on a day said with an application under review recorded, when
    /// the words say no task of their own (`12月23号提醒我`) or only a bare verb (`提醒我去查一哈`).
    #[serde(default)]
    pub review_task: String,
    /// Asking whether the data is deleted (`删了没有`, `删掉了吗`): answered from what is kept.
    #[serde(default)]
    pub asks_deleted: Vec<String>,
    /// Saying the data is deleted, as thanks (`删了哈 谢谢`): the same answer as `asks_deleted`,
    /// but only when nothing is kept at all (no region either), since in 四川话 `删了哈` may also
    /// ask for the deletion.
    #[serde(default)]
    pub deleted_ack: Vec<String>,
    /// The application said is under review after all (`还没通过 在审核中`): a correction of the
    /// record's status, not a report of a new event.
    #[serde(default)]
    pub under_review: Vec<String>,
    /// Filling in or changing the disease of the application recorded last (`病种给我补上 糖尿病`,
    /// `把病种改成高血压`): an edit of that record, never a new application.
    #[serde(default)]
    pub disease_edit: Vec<String>,
    /// Pointing at the application recorded (`刚记的那个`, `记到刚才那个申请上`): a disease said
    /// with one is that record's, at any step of a procedure.
    #[serde(default)]
    pub recorded_ref: Vec<String>,
    /// Saying whose disease it is (`她的病是冠心病`, `我爸得的是尿毒症`): outside a procedure,
    /// with no question, when the application recorded last has no disease, it is that one's.
    #[serde(default)]
    pub disease_said: Vec<String>,
    /// No 受理号 was given (`医院没给受理号`): a record made then does not ask for one later.
    #[serde(default)]
    pub no_number: Vec<String>,
    /// The user will do it (`我明天弄`): a reminder on that day is for what the conversation is
    /// about (`办延期`).
    #[serde(default)]
    pub do_it: Vec<String>,
    /// Changing the disease inside a procedure (`能不能改成糖尿病`): with a disease named.
    #[serde(default)]
    pub disease_change: Vec<String>,
    /// Tasks of the user's own a reminder on a named day may be about (`12月20号提醒我带我妈去
    /// 复查`): the short task kept and said in the reminder → the words that name it.
    #[serde(default)]
    pub remind_tasks: BTreeMap<String, Vec<String>>,
    /// A task of calling (`打电话`, `问进度`): the reminder carries the region's number.
    #[serde(default)]
    pub call_task: Vec<String>,
    /// `提醒我的时候把电话号码也发给我`: the number asked for in a reminder already set.
    #[serde(default)]
    pub number_in_reminder: Vec<String>,
    /// A day said as a count of days from today (`过两天` → 2).
    #[serde(default)]
    pub remind_after_days: BTreeMap<String, u32>,
    /// The end of this month (`月底前`): the month's last day.
    #[serde(default)]
    pub month_end: Vec<String>,
    /// Words left out of the user's own words of a task (`一下`, `记得`), so that what is kept
    /// is the task itself.
    #[serde(default)]
    pub task_filler: Vec<String>,
    /// The user's own words after the reminder word are a task only when they start with one
    /// of these (`提醒我去…`, `提醒我把…`): `提醒我一下 我怕忘了` names no task.
    #[serde(default)]
    pub task_starts: Vec<String>,
    /// Words between the reminder word and the task, left out before `task_starts` is looked
    /// for: a particle or "so that I" (`明天提醒我嘛 我好打电话去问`).
    #[serde(default)]
    pub task_lead: Vec<String>,
    /// Asking to keep a record (`帮我记一下`): such a report starts the recording at once;
    /// without them the user is offered it.
    #[serde(default)]
    pub record: Vec<String>,
    /// Asking when to start (`那我好久开始办`): with an end of validity known, when to renew.
    #[serde(default)]
    pub renewal_when: Vec<String>,
    /// Doubting or asking where the reminders come (`到时候真的会提醒我吗 在哪里提醒`): with
    /// reminders set, the list and where they arrive, not a new reminder.
    #[serde(default)]
    pub reminder_doubt: Vec<String>,
    /// Asking when the benefit starts, not when to start renewing (`批了以后新待遇什么时候开始`):
    /// a `renewal_when` word inside one of these is no such question.
    #[serde(default)]
    pub benefit_when: Vec<String>,
    /// The benefit's end of validity (到期, 有效期): with an `unsure` word (`不晓得好久到期`) the
    /// user says they do not know the date — it is not asked again, and where to find it is said.
    #[serde(default)]
    pub expiry: Vec<String>,
    /// … unless the message is about the review (`不知道审核什么时候到期`).
    #[serde(default)]
    pub not_expiry: Vec<String>,
    /// News about a recorded application in the user's words (`审核过了`, `被驳回了`).
    #[serde(default)]
    pub reports: ReportWords,
    /// A reminder managed in plain words (`提醒改到12月14号`, `把15号那个删了`, `一个礼拜不是
    /// 14号吗`): see `engine::remind_edit`.
    #[serde(default)]
    pub reminder_edit: ReminderEditWords,
    /// A reminder some days before the review's deadline (`快审完前几天提醒我一下`, `审完之前
    /// 提前三天`): see `engine::remind_task`.
    #[serde(default)]
    pub review_lead: ReviewLeadWords,
    /// `lead`, `asked_about`, `say`, `within` and `together` squashed as a message is, made by
    /// `engine::commands` on first use: every message is compared with all of them, and the
    /// lists do not change once loaded (a reload loads new ones), so squashing them per message
    /// was the largest CPU cost of a web message (issue 19).
    #[serde(skip)]
    pub squashed: std::sync::OnceLock<SquashedCommandWords>,
}

/// `commands.reminder_edit:` — a reminder moved, deleted or doubted in plain words. Without a
/// `noun` word such a message means a reminder only right after a reply that set or listed
/// reminders (`往后推两天`, `把15号那个删了`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderEditWords {
    /// Words naming a reminder (提醒).
    #[serde(default)]
    pub noun: Vec<String>,
    /// Moving to the day said after the word (`改到12月14号`, `改成下周一`); a day said before
    /// it picks the reminder (`把15号的提醒改到14号`).
    #[serde(default)]
    pub move_to: Vec<String>,
    /// Moving earlier by a `days` count (`提前一天`) …
    #[serde(default)]
    pub earlier: Vec<String>,
    /// … or later (`往后推两天`).
    #[serde(default)]
    pub later: Vec<String>,
    /// A count of days said in words → days (`两天` → 2, `一个礼拜` → 7).
    #[serde(default)]
    pub days: BTreeMap<String, u32>,
    /// Doubting the day of the reminder just set (`一个礼拜不是14号吗`): how it was counted, and
    /// a button moving it to the day the user names.
    #[serde(default)]
    pub doubt: Vec<String>,
    /// Removing a reminder, besides `commands.delete_record` (`第2条不要了`).
    #[serde(default)]
    pub remove: Vec<String>,
    /// With 提醒 and a delete word: every reminder (`提醒全部删了`).
    #[serde(default)]
    pub all: Vec<String>,
    /// Without a `noun` word, a message naming one of these is about something else (`把那个
    /// 申请删了` after the reminders list is the application's).
    #[serde(default)]
    pub not_reminder: Vec<String>,
}

/// `commands.review_lead:` — a reminder `days` before the review's deadline, to check the
/// result (`review_task`), besides the overdue reminder the application has anyway.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewLeadWords {
    /// Before the review ends (`审完之前`, `快审完`, `到期前`): with 提醒 (a `reminder_edit.noun`
    /// word) a reminder before the deadline; the count of days is a `reminder_edit.days` word.
    #[serde(default)]
    pub before: Vec<String>,
    /// Days before the deadline when none is said, or only `几天` (`unsure`).
    #[serde(default)]
    pub default_days: u32,
    /// A count not given (`前几天`, `提前几天`): `default_days`.
    #[serde(default)]
    pub unsure: Vec<String>,
}

/// `commands.reports:` — news about the recorded application in the user's words, tried in
/// this order (`补交了` is a resubmission, `没通过` a rejection, not an approval); a message with
/// a question word, or a `not_news` word (`我不服`: asking how to appeal), is no report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportWords {
    /// Asking how to object rather than reporting (不服, 说理).
    #[serde(default)]
    pub not_news: Vec<String>,
    /// Handed in again (重新提交, 补交了).
    #[serde(default)]
    pub resubmitted: Vec<String>,
    /// Refused (驳回, 没通过).
    #[serde(default)]
    pub rejected: Vec<String>,
    /// An appeal made (申诉, 复议).
    #[serde(default)]
    pub appealed: Vec<String>,
    /// Asked for more material (要补材料).
    #[serde(default)]
    pub supplement: Vec<String>,
    /// Approved (通过了, 批下来, 审核过了).
    #[serde(default)]
    pub approved: Vec<String>,
    /// An acceptance number given (受理号).
    #[serde(default)]
    pub acceptance_no: Vec<String>,
    /// Accepted (受理了, 交上去了).
    #[serde(default)]
    pub accepted: Vec<String>,
    /// Asking for the news to be recorded (帮我记一下): with nothing recorded yet, the news is
    /// answered with the way to record the application, not with what to do about it.
    #[serde(default)]
    pub record_it: Vec<String>,
}

/// [`CommandWords`] squashed for comparing (see [`CommandWords::squashed`]); the order of each
/// list is that of the content, so the first or longest match is the same.
#[derive(Debug, Clone, Default)]
pub struct SquashedCommandWords {
    /// `lead`, longest first.
    pub lead: Vec<String>,
    /// `asked_about` without its blank entries.
    pub asked_about: Vec<String>,
    /// `say`, in the map's order.
    pub say: Vec<(CommandName, Vec<String>)>,
    /// `within`, in the map's order.
    pub within: Vec<(CommandName, Vec<String>)>,
    /// `together`, in the map's order, each group without its empty entries.
    pub together: Vec<(CommandName, Vec<Vec<String>>)>,
}

/// Words per insurance type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsuranceWords {
    /// 职工医保.
    #[serde(default)]
    pub employee: Vec<String>,
    /// 城乡居民医保.
    #[serde(default)]
    pub resident: Vec<String>,
}

/// Words per employment status.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusWords {
    /// 在职.
    #[serde(default)]
    pub in_service: Vec<String>,
    /// 退休.
    #[serde(default)]
    pub retired: Vec<String>,
    /// 灵活就业.
    #[serde(default)]
    pub flexible: Vec<String>,
}

/// Stage 1: parses `faq/understand.yaml` (an absent file means an empty lexicon).
pub fn parse(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Lexicon {
    files
        .iter()
        .find(|f| f.path == UNDERSTAND_FILE)
        .and_then(|file| yaml::parse::<Lexicon>(file, diags))
        .unwrap_or_default()
}

/// Stage 2: an empty list, a blank word or one listed twice in a list, a reply word that is both
/// yes and no, and a blank or repeated character in a list of characters — each with its line.
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let Some(file) = sources.faq.iter().find(|f| f.path == UNDERSTAND_FILE) else { return };
    let lex = &content.understand;
    let mut report = |key: &str, message: String| {
        diags.push(Diagnostic::new(&file.path, key_line(&file.text, key), message));
    };
    for (key, words) in lex.lists() {
        if words.is_empty() && key_line_found(&file.text, &key) {
            report(&key, format!("`{key}` is an empty list"));
        }
        if words.iter().any(|w| w.trim().is_empty()) {
            report(&key, format!("empty word in `{key}`"));
        }
        for (i, word) in words.iter().enumerate().filter(|(_, w)| !w.trim().is_empty()) {
            if words[..i].contains(word) {
                report(&key, format!("`{word}` is listed twice in `{key}`"));
            }
        }
    }
    for (key, chars) in lex.character_lists() {
        if chars.trim().is_empty() && key_line_found(&file.text, &key) {
            report(&key, format!("`{key}` is an empty string"));
        }
        let list: Vec<char> = chars.chars().collect();
        for (i, c) in list.iter().enumerate() {
            if list[..i].contains(c) {
                report(&key, format!("`{c}` is listed twice in `{key}`"));
            }
        }
    }
    let subject = "reading.faq_subject";
    if lex.reading.faq_subject.trim().is_empty() && key_line_found(&file.text, subject) {
        report(subject, format!("`{subject}` is an empty string"));
    }
    for word in lex.yes.iter().filter(|w| lex.no.contains(w)) {
        report("no", format!("`{word}` is in both yes and no"));
    }
    // A topic no FAQ entry has would never be the last one answered: a typo staff should see.
    for (topic, name) in &lex.topic_names {
        let key = format!("topic_names.{topic}");
        if !content.faq.iter().any(|e| e.topic.as_deref() == Some(topic.as_str())) {
            report(&key, format!("`{key}`: no FAQ entry has the topic `{topic}`"));
        }
        if name.trim().is_empty() {
            report(&key, format!("`{key}` is an empty string"));
        }
    }
}

/// The line defining `path` (`asks.ratio`: `ratio:` after `asks:`), or 1 when it is not there.
fn key_line(text: &str, path: &str) -> usize {
    key_line_at(text, path).unwrap_or(1)
}

fn key_line_found(text: &str, path: &str) -> bool {
    key_line_at(text, path).is_some()
}

/// Each part of `path` is looked for after the line of the part before it.
fn key_line_at(text: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    for key in path.split('.') {
        let i = (from..lines.len()).find(|&i| {
            !lines[i].trim_start().starts_with('#')
                && yaml::value_after_key(lines[i], key).is_some()
        })?;
        from = i + 1;
    }
    Some(from)
}

/// The YAML name of an action or command (`ChangeHospital` → `change_hospital`).
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    if out == "source" {
        out = "show_source".into();
    }
    out
}

impl Lexicon {
    /// Every list with the path of keys it is written under (for validation).
    fn lists(&self) -> Vec<(String, &[String])> {
        let mut lists: Vec<(String, &[String])> = vec![
            ("yes".into(), &self.yes),
            ("no".into(), &self.no),
            ("unsure".into(), &self.unsure),
            ("question".into(), &self.question),
            ("question_clear".into(), &self.question_clear),
            ("question_weak".into(), &self.question_weak),
            ("agree".into(), &self.agree),
            ("disagree".into(), &self.disagree),
            ("refusal_denied".into(), &self.refusal_denied),
            ("why".into(), &self.why),
            ("go_on".into(), &self.go_on),
            ("none_answers".into(), &self.none_answers),
            ("question_end".into(), &self.question_end),
            ("opening".into(), &self.opening),
            ("greeting".into(), &self.greeting),
            ("step_done".into(), &self.step_done),
            ("request".into(), &self.request),
            ("request_softeners".into(), &self.request_softeners),
            ("go_ahead".into(), &self.go_ahead),
            ("condition_end".into(), &self.condition_end),
            ("not_conditions".into(), &self.not_conditions),
            ("condition_words".into(), &self.condition_words),
            ("same_as".into(), &self.same_as),
            ("insurance.employee".into(), &self.insurance.employee),
            ("insurance.resident".into(), &self.insurance.resident),
            ("status.in_service".into(), &self.status.in_service),
            ("status.retired".into(), &self.status.retired),
            ("status.flexible".into(), &self.status.flexible),
            ("lives_before".into(), &self.lives_before),
            ("lives_after".into(), &self.lives_after),
            ("switch_before".into(), &self.switch_before),
            ("home_before".into(), &self.home_before),
            ("deny_before".into(), &self.deny_before),
            ("correction".into(), &self.correction),
            ("told_already".into(), &self.told_already),
            ("negation".into(), &self.negation),
            ("per_month".into(), &self.per_month),
            ("asked_again".into(), &self.asked_again),
            ("topicless".into(), &self.topicless),
            ("list_it".into(), &self.list_it),
            ("tag_questions".into(), &self.tag_questions),
            ("clause_end".into(), &self.clause_end),
            ("not_clause_end".into(), &self.not_clause_end),
            ("unbroken".into(), &self.unbroken),
            ("clause_start".into(), &self.clause_start),
            ("follow_up_end".into(), &self.follow_up_end),
            ("clause_continues".into(), &self.clause_continues),
            ("clause_leans_on".into(), &self.clause_leans_on),
            ("thanks".into(), &self.thanks),
            ("acknowledge".into(), &self.acknowledge),
            ("materials".into(), &self.materials),
            ("next_step".into(), &self.next_step),
            ("the_rest".into(), &self.the_rest),
            ("on_behalf".into(), &self.on_behalf),
            ("no_phone".into(), &self.no_phone),
            ("first_application_lines".into(), &self.first_application_lines),
            ("renewal_lines".into(), &self.renewal_lines),
        ];
        let p = &self.people;
        for (key, words) in [
            ("me", &p.me),
            ("she", &p.she),
            ("he", &p.he),
            ("not_people", &p.not_people),
            ("restated", &p.restated),
            ("asker_at", &p.asker_at),
            ("helper_at", &p.helper_at),
            ("kin_away", &p.kin_away),
            ("for_me", &p.for_me),
        ] {
            lists.push((format!("people.{key}"), words));
        }
        for (sex, map) in [("female", &p.female), ("male", &p.male), ("either", &p.either)] {
            for (who, words) in map {
                lists.push((format!("people.{sex}.{who}"), words));
            }
        }
        for (action, words) in &self.actions {
            lists.push((format!("actions.{}", snake(&format!("{action:?}"))), words));
        }
        let c = &self.commands;
        lists.push(("commands.lead".into(), &c.lead));
        lists.push(("commands.asked_about".into(), &c.asked_about));
        for (group, map) in [("say", &c.say), ("within", &c.within)] {
            for (command, words) in map {
                lists.push((format!("commands.{group}.{}", snake(&format!("{command:?}"))), words));
            }
        }
        for (key, words) in [
            ("remind_renewal", &c.remind_renewal),
            ("call_task", &c.call_task),
            ("number_in_reminder", &c.number_in_reminder),
            ("remind_accepted", &c.remind_accepted),
            ("remind_supplement", &c.remind_supplement),
            ("reported_accepted", &c.reported_accepted),
            ("record", &c.record),
            ("not_submitted", &c.not_submitted),
            ("planned", &c.planned),
            ("submission", &c.submission),
            ("renewal_kind", &c.renewal_kind),
            ("new_kind", &c.new_kind),
            ("correction", &c.correction),
            ("review_overdue", &c.review_overdue),
            ("renewal_when", &c.renewal_when),
            ("reminder_doubt", &c.reminder_doubt),
            ("benefit_when", &c.benefit_when),
            ("expiry", &c.expiry),
            ("not_expiry", &c.not_expiry),
            ("disease_edit", &c.disease_edit),
            ("recorded_ref", &c.recorded_ref),
            ("disease_said", &c.disease_said),
            ("no_number", &c.no_number),
            ("disease_change", &c.disease_change),
            ("do_it", &c.do_it),
            ("delete_record", &c.delete_record),
            ("record_pointer", &c.record_pointer),
            ("asks_deleted", &c.asks_deleted),
            ("deleted_ack", &c.deleted_ack),
            ("under_review", &c.under_review),
            ("month_end", &c.month_end),
            ("task_filler", &c.task_filler),
            ("task_starts", &c.task_starts),
            ("task_lead", &c.task_lead),
        ] {
            lists.push((format!("commands.{key}"), words));
        }
        let r = &c.reports;
        for (key, words) in [
            ("not_news", &r.not_news),
            ("resubmitted", &r.resubmitted),
            ("rejected", &r.rejected),
            ("appealed", &r.appealed),
            ("supplement", &r.supplement),
            ("approved", &r.approved),
            ("acceptance_no", &r.acceptance_no),
            ("accepted", &r.accepted),
            ("record_it", &r.record_it),
        ] {
            lists.push((format!("commands.reports.{key}"), words));
        }
        let e = &c.reminder_edit;
        for (key, words) in [
            ("noun", &e.noun),
            ("move_to", &e.move_to),
            ("earlier", &e.earlier),
            ("later", &e.later),
            ("doubt", &e.doubt),
            ("not_reminder", &e.not_reminder),
            ("remove", &e.remove),
            ("all", &e.all),
        ] {
            lists.push((format!("commands.reminder_edit.{key}"), words));
        }
        for (key, words) in [("before", &c.review_lead.before), ("unsure", &c.review_lead.unsure)] {
            lists.push((format!("commands.review_lead.{key}"), words));
        }
        for (task, words) in &c.remind_tasks {
            lists.push((format!("commands.remind_tasks.{task}"), words));
        }
        for (command, groups) in &c.together {
            for words in groups {
                lists
                    .push((format!("commands.together.{}", snake(&format!("{command:?}"))), words));
            }
        }
        let (t, a, r) = (&self.typed_answer, &self.asks, &self.reading);
        for (key, words) in [
            ("typed_answer.yes", &t.yes),
            ("typed_answer.no", &t.no),
            ("typed_answer.resident", &t.resident),
            ("typed_answer.employee", &t.employee),
            ("asks.counts_as", &a.counts_as),
            ("asks.cost", &a.cost),
            ("asks.deductible", &a.deductible),
            ("asks.ratio", &a.ratio),
            ("asks.compare", &a.compare),
            ("asks.exempt", &a.exempt),
            ("asks.more_than_one", &a.more_than_one),
            ("asks.other_scheme", &a.other_scheme),
            ("asks.overdue", &a.overdue),
            ("asks.when", &a.when),
            ("asks.how_long", &a.how_long),
            ("asks.how_to", &a.how_to),
            ("asks.steps", &a.steps),
            ("asks.how_before", &a.how_before),
            ("asks.lost", &a.lost),
            ("asks.about_data", &a.about_data),
            ("asks.pay", &a.pay),
            ("asks.fund", &a.fund),
            ("asks.apply_at", &a.apply_at),
            ("asks.channel", &a.channel),
            ("asks.step_by_step", &a.step_by_step),
            ("asks.count", &a.count),
            ("asks.about_costs", &a.about_costs),
            ("asks.less", &a.less),
            ("asks.not_less", &a.not_less),
            ("reading.less_answer", &r.less_answer),
            ("reading.follow_up_status", &r.follow_up_status),
            ("reading.day_words", &r.day_words),
            ("reading.condition_prefixes", &r.condition_prefixes),
            ("reading.range_marks", &r.range_marks),
            ("reading.there", &r.there),
        ] {
            lists.push((key.into(), words));
        }
        lists
    }

    /// The strings read character by character, with their paths (for validation).
    fn character_lists(&self) -> Vec<(String, &str)> {
        vec![
            ("commands.end_particles".into(), &self.commands.end_particles),
            ("reading.negation_gap".into(), &self.reading.negation_gap),
        ]
    }
}

/// Whether `text` contains one of `words` (a list of `faq/understand.yaml`, as typed).
pub fn contains_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| text.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(text: &str) -> Vec<String> {
        let sources = Sources {
            faq: vec![SourceFile { path: UNDERSTAND_FILE.into(), text: text.into() }],
            ..Sources::default()
        };
        match crate::content::from_sources(&sources) {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn an_unknown_action_is_reported_with_its_line() {
        let found = diags("yes: [是]\nactions:\n  fly: [飞]\n");
        assert!(found.iter().any(|d| d.starts_with("faq/understand.yaml:3:")), "{found:?}");
    }

    #[test]
    fn a_word_in_yes_and_no_is_reported() {
        let found = diags("yes: [是, 行]\nno: [不, 行]\n");
        assert!(found.iter().any(|d| d.contains("`行` is in both yes and no")), "{found:?}");
    }

    #[test]
    fn an_unknown_command_is_reported_with_its_line() {
        let found = diags("commands:\n  say:\n    menu: [主菜单]\n    fly: [飞]\n");
        assert!(found.iter().any(|d| d.starts_with("faq/understand.yaml:4:")), "{found:?}");
    }

    #[test]
    fn the_shipped_file_is_valid() {
        let sources = Sources {
            faq: vec![SourceFile {
                path: UNDERSTAND_FILE.into(),
                text: include_str!("../../faq/understand.yaml").into(),
            }],
            ..Sources::default()
        };
        let mut found = Vec::new();
        let lex = parse(&sources.faq, &mut found);
        assert!(found.is_empty(), "{found:?}");
        assert!(lex.actions.contains_key(&Action::Remote));
        assert!(lex.commands.within.contains_key(&CommandName::Forget));
    }
}
