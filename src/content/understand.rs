//! The one home of the words the assistant reads, edited by staff in `faq/understand.yaml`:
//! yes/no/unsure replies, question words (for the free-text reader [`crate::understand`] and for
//! a procedure's step, `engine::wording`), consent and go-on wordings, "none" answers, insurance
//! types and status, where-someone-lives markers, region switch/home markers, the words of each
//! action and the commands in plain words (`engine::commands`).
//!
//! Stage 1 parses the file (an unknown action name is a serde error with its line); stage 2
//! reports blank words and a reply word listed as both yes and no, with `file:line`.

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
    /// Last characters of a condition name (病, 症 …), for conditions the catalogue lacks.
    #[serde(default)]
    pub condition_end: Vec<String>,
    /// Words ending like a condition that are none (门特病, 什么病 …).
    #[serde(default)]
    pub not_conditions: Vec<String>,
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
    /// Just before a disease: the person does not have it (没有癌症, 不是糖尿病).
    #[serde(default)]
    pub negation: Vec<String>,
    /// Before an amount: it is a month's (一个月药钱一千), the year's is twelve times it.
    #[serde(default)]
    pub per_month: Vec<String>,
    /// The user says the last reply missed what they asked (我问的是, 到底).
    #[serde(default)]
    pub asked_again: Vec<String>,
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
    /// A question about the documents to bring (材料, 带啥): with a place the person lives in
    /// (`要准备啥子材料 我人在深圳`) it still gets the materials, 异地 as one line after.
    #[serde(default)]
    pub materials: Vec<String>,
    /// The line said first with those materials; `{place}` is where the person is.
    #[serde(default)]
    pub materials_afar: String,
    /// Said when someone from a place not covered asks again (`我在成都参保 能帮我查不` after
    /// being told which regions are covered): `{place}` is that place. Never the covered
    /// regions' hotlines, which are not theirs.
    #[serde(default)]
    pub elsewhere_again: String,
    /// Words per action.
    #[serde(default)]
    pub actions: BTreeMap<Action, Vec<String>>,
    /// Commands in plain words (主菜单, 找个人, 删除我的信息 …), read at every step.
    #[serde(default)]
    pub commands: CommandWords,
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
    /// Asking to keep a record (`帮我记一下`): such a report starts the recording at once;
    /// without them the user is offered it.
    #[serde(default)]
    pub record: Vec<String>,
    /// Asking when to start (`那我好久开始办`): with an end of validity known, when to renew.
    #[serde(default)]
    pub renewal_when: Vec<String>,
    /// `lead`, `asked_about`, `say`, `within` and `together` squashed as a message is, made by
    /// `engine::commands` on first use: every message is compared with all of them, and the
    /// lists do not change once loaded (a reload loads new ones), so squashing them per message
    /// was the largest CPU cost of a web message (issue 19).
    #[serde(skip)]
    pub squashed: std::sync::OnceLock<SquashedCommandWords>,
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

/// Stage 2: blank words, and a reply word that is both yes and no.
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let Some(file) = sources.faq.iter().find(|f| f.path == UNDERSTAND_FILE) else { return };
    let lex = &content.understand;
    for (key, words) in lex.lists() {
        if words.iter().any(|w| w.trim().is_empty()) {
            let line = yaml::line_containing(&file.text, &format!("{key}:"));
            diags.push(Diagnostic::new(&file.path, line, format!("empty word in `{key}`")));
        }
    }
    for word in lex.yes.iter().filter(|w| lex.no.contains(w)) {
        let line = yaml::line_containing(&file.text, "no:");
        diags.push(Diagnostic::new(&file.path, line, format!("`{word}` is in both yes and no")));
    }
}

impl Lexicon {
    /// Every list with the key it is written under (for validation).
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
            ("condition_end".into(), &self.condition_end),
            ("not_conditions".into(), &self.not_conditions),
            ("employee".into(), &self.insurance.employee),
            ("resident".into(), &self.insurance.resident),
            ("in_service".into(), &self.status.in_service),
            ("retired".into(), &self.status.retired),
            ("flexible".into(), &self.status.flexible),
            ("lives_before".into(), &self.lives_before),
            ("lives_after".into(), &self.lives_after),
            ("switch_before".into(), &self.switch_before),
            ("home_before".into(), &self.home_before),
            ("deny_before".into(), &self.deny_before),
            ("correction".into(), &self.correction),
            ("negation".into(), &self.negation),
            ("per_month".into(), &self.per_month),
            ("asked_again".into(), &self.asked_again),
            ("clause_end".into(), &self.clause_end),
            ("not_clause_end".into(), &self.not_clause_end),
            ("clause_start".into(), &self.clause_start),
            ("follow_up_end".into(), &self.follow_up_end),
            ("clause_continues".into(), &self.clause_continues),
            ("thanks".into(), &self.thanks),
            ("acknowledge".into(), &self.acknowledge),
            ("materials".into(), &self.materials),
        ];
        for (action, words) in &self.actions {
            lists.push((format!("{action:?}"), words));
        }
        lists.push(("lead".into(), &self.commands.lead));
        lists.push(("asked_about".into(), &self.commands.asked_about));
        for (command, words) in self.commands.say.iter().chain(&self.commands.within) {
            lists.push((format!("{command:?}"), words));
        }
        lists.push(("remind_renewal".into(), &self.commands.remind_renewal));
        lists.push(("remind_accepted".into(), &self.commands.remind_accepted));
        lists.push(("remind_supplement".into(), &self.commands.remind_supplement));
        lists.push(("reported_accepted".into(), &self.commands.reported_accepted));
        lists.push(("record".into(), &self.commands.record));
        lists.push(("not_submitted".into(), &self.commands.not_submitted));
        lists.push(("submission".into(), &self.commands.submission));
        lists.push(("renewal_kind".into(), &self.commands.renewal_kind));
        lists.push(("new_kind".into(), &self.commands.new_kind));
        lists.push(("correction".into(), &self.commands.correction));
        lists.push(("review_overdue".into(), &self.commands.review_overdue));
        lists.push(("renewal_when".into(), &self.commands.renewal_when));
        for (command, groups) in &self.commands.together {
            for words in groups {
                lists.push((format!("{command:?}"), words));
            }
        }
        lists
    }
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
