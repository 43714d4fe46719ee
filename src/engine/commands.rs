//! Commands that work anywhere in a conversation: typed as `/menu`, or in plain words (主菜单,
//! 找个人, 把我的信息都删掉) because elderly users rarely type slashes. The plain wordings are
//! content (`commands:` in `faq/understand.yaml`, see [`CommandWords`]); only the slash names
//! are fixed here, as they are what Telegram's command menu lists.
//!
//! Layer: base — imports only the base modules `input` and `wording`.

use super::input;
use super::wording::{is_punct, squash};
use crate::content::understand::{CommandName, CommandWords, SquashedCommandWords};

/// What the assistant says once everything was deleted (`/forget`, or 删除我的数据 confirmed):
/// the web page clears its transcript when a reply carries it.
pub const FORGOTTEN: &str =
    "已删除您保存在这里的全部信息（地区、对话进度、申请记录、提醒和留给工作人员的留言）。发送 /start 可以重新开始。";

/// A conversation-wide command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Greeting; asks for the region when none is chosen.
    Start,
    /// Main menu.
    Menu,
    /// One step back.
    Back,
    /// Leave the current dialog.
    Cancel,
    /// What the assistant can do.
    Help,
    /// Hand over to a person (the region's hotline).
    Human,
    /// End a live hand-off (结束人工, `/endhuman`).
    EndHuman,
    /// Delete everything stored about the user, at once (`/forget`).
    Forget,
    /// Delete everything, said in words (删除我的数据): asks once, then does [`Command::Forget`].
    ConfirmForget,
    /// 我的申请.
    MyApps,
    /// List and switch reminders.
    Reminders,
    /// Set a reminder (提醒我, 设个提醒): the renewal or review-deadline flow.
    Remind,
    /// Choose another region.
    Region,
    /// The full sources of the last answer.
    Source,
}

/// Recognises a slash command; `None` for anything else. Slash commands may carry a bot suffix
/// (`/menu@mente_bot`) as Telegram sends them in groups. Plain words: [`read`].
pub fn parse(text: &str) -> Option<Command> {
    let slash = text.trim().strip_prefix('/')?;
    let name = slash.split(['@', ' ']).next().unwrap_or("").to_ascii_lowercase();
    match name.as_str() {
        "start" => Some(Command::Start),
        "menu" => Some(Command::Menu),
        "back" => Some(Command::Back),
        "cancel" => Some(Command::Cancel),
        "help" => Some(Command::Help),
        "human" | "hotline" => Some(Command::Human),
        "endhuman" => Some(Command::EndHuman),
        "forget" => Some(Command::Forget),
        "myapps" => Some(Command::MyApps),
        "reminders" => Some(Command::Reminders),
        "remind" => Some(Command::Remind),
        "region" => Some(Command::Region),
        "source" => Some(Command::Source),
        _ => None,
    }
}

/// A slash command, or a command in the plain words of `words`: the whole message
/// (`找个人`, `我要回主菜单`), or a wording that cannot mean anything else inside a longer one
/// (`算了 把我的信息都删掉`) unless the message asks about it (`到时候你怎么提醒我`).
pub fn read(text: &str, words: &CommandWords) -> Option<Command> {
    if text.trim().starts_with('/') {
        return parse(text);
    }
    let t = squash(text);
    if t.is_empty() {
        return None;
    }
    whole(&t, words)
        .or_else(|| repeated(text, words))
        .or_else(|| within(&t, words))
        .or_else(|| together(&t, words))
        .map(command)
}

/// The same command said twice in one message (`不弄了 取消`, `菜单 主菜单`): every part, split
/// at spaces and punctuation, is a `say` wording of that one command.
fn repeated(text: &str, words: &CommandWords) -> Option<CommandName> {
    let parts: Vec<String> = input::normalize(text)
        .split(|c: char| c.is_whitespace() || is_punct(c))
        .map(squash)
        .filter(|p| !p.is_empty())
        .collect();
    if let [only] = parts.as_slice() {
        return said_twice(only, words);
    }
    let first = whole(parts.first()?, words)?;
    parts[1..].iter().all(|p| whole(p, words) == Some(first)).then_some(first)
}

/// Two wordings of one command without a break (`不办了取消`, voice input).
fn said_twice(text: &str, words: &CommandWords) -> Option<CommandName> {
    let chars: Vec<char> = text.chars().collect();
    (1..chars.len()).find_map(|k| {
        let (left, right): (String, String) =
            (chars[..k].iter().collect(), chars[k..].iter().collect());
        let first = whole(&left, words)?;
        (whole(&right, words) == Some(first)).then_some(first)
    })
}

/// The message is nothing but a command (`/human`, `人工`, `我要回主菜单`): unlike
/// `转人工 我妈刘淑芬有尿毒症`, it says nothing more worth keeping with a hand-off.
pub fn is_bare(text: &str, words: &CommandWords) -> bool {
    if text.trim().starts_with('/') {
        return parse(text).is_some();
    }
    whole(&squash(text), words).is_some()
}

/// True for a slash command the engine does not know (answered with help, not the FAQ).
pub fn is_unknown_slash(text: &str) -> bool {
    text.trim().starts_with('/') && parse(text).is_none()
}

fn command(name: CommandName) -> Command {
    match name {
        CommandName::Menu => Command::Menu,
        CommandName::Back => Command::Back,
        CommandName::Cancel => Command::Cancel,
        CommandName::Help => Command::Help,
        CommandName::Human => Command::Human,
        CommandName::EndHuman => Command::EndHuman,
        CommandName::MyApps => Command::MyApps,
        CommandName::Reminders => Command::Reminders,
        CommandName::Remind => Command::Remind,
        CommandName::Region => Command::Region,
        CommandName::Forget => Command::ConfirmForget,
        CommandName::Source => Command::Source,
    }
}

/// The command wordings of `words` squashed, made once per loaded content.
fn squashed(words: &CommandWords) -> &SquashedCommandWords {
    words.squashed.get_or_init(|| {
        let all = |list: &Vec<String>| list.iter().map(|w| squash(w)).collect::<Vec<_>>();
        let mut lead = all(&words.lead);
        lead.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        let asked_about =
            words.asked_about.iter().filter(|w| !w.trim().is_empty()).map(|w| squash(w)).collect();
        let say = words.say.iter().map(|(name, list)| (*name, all(list))).collect();
        let within = words.within.iter().map(|(name, list)| (*name, all(list))).collect();
        let together = words
            .together
            .iter()
            .map(|(name, groups)| {
                let groups = groups
                    .iter()
                    .map(|list| list.iter().filter(|w| !w.is_empty()).map(|w| squash(w)).collect())
                    .collect();
                (*name, groups)
            })
            .collect();
        SquashedCommandWords { lead, asked_about, say, within, together }
    })
}

/// The message is a `say` wording, after end particles and up to two `lead` words in front.
fn whole(t: &str, words: &CommandWords) -> Option<CommandName> {
    let particles = words.end_particles.as_str();
    let words = squashed(words);
    let mut rest = t;
    for _ in 0..3 {
        // 不办了 is listed with its 了, 人工吧 without its 吧.
        let bare = rest.trim_end_matches(|c: char| particles.contains(c));
        let found = words
            .say
            .iter()
            .find(|(_, list)| list.iter().any(|w| w == rest || w == bare))
            .map(|(name, _)| *name);
        if found.is_some() {
            return found;
        }
        let lead = words.lead.iter().find(|l| !l.is_empty() && rest.starts_with(l.as_str()))?;
        rest = &rest[lead.len()..];
    }
    None
}

/// The longest `within` wording in the message, unless the message asks about it — except
/// 我的申请: `看下我的申请记的是什么` asks to see them, and showing them changes nothing.
fn within(t: &str, words: &CommandWords) -> Option<CommandName> {
    let words = squashed(words);
    let asks = asks_about(t, words);
    words
        .within
        .iter()
        .filter(|(name, _)| !asks || *name == CommandName::MyApps)
        .flat_map(|(name, list)| list.iter().map(move |w| (*name, w)))
        .filter(|(_, w)| !w.is_empty() && t.contains(w.as_str()))
        .max_by_key(|(_, w)| w.chars().count())
        .map(|(name, _)| name)
}

/// A command whose `together` lists each have a word in the message (`我的信息你都删掉吧`,
/// `把我的资料都清掉`), unless the message asks about it (`聊天记录会不会被删除`).
fn together(t: &str, words: &CommandWords) -> Option<CommandName> {
    let words = squashed(words);
    if asks_about(t, words) {
        return None;
    }
    let has = |list: &Vec<String>| list.iter().any(|w| t.contains(w.as_str()));
    words
        .together
        .iter()
        .find(|(_, groups)| !groups.is_empty() && groups.iter().all(has))
        .map(|(name, _)| *name)
}

/// The message has an `asked_about` word: it asks about a command rather than giving it.
fn asks_about(t: &str, words: &SquashedCommandWords) -> bool {
    words.asked_about.iter().any(|w| t.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> CommandWords {
        let text = include_str!("../../faq/understand.yaml");
        let lex: crate::content::understand::Lexicon = serde_yaml::from_str(text).expect("parses");
        lex.commands
    }

    #[test]
    fn recognises_slash_commands() {
        assert_eq!(parse("/menu"), Some(Command::Menu));
        assert_eq!(parse("/start@mente_bot"), Some(Command::Start));
        assert_eq!(parse("主菜单"), None, "plain words need the content's lists");
        assert!(is_unknown_slash("/foo"));
        assert!(!is_unknown_slash("/menu"));
    }

    #[test]
    fn plain_words_from_the_content() {
        let w = words();
        assert_eq!(read("转人工！", &w), Some(Command::Human));
        assert_eq!(read(" 上一步 ", &w), Some(Command::Back));
        assert_eq!(read("找个人", &w), Some(Command::Human));
        assert_eq!(read("我要回主菜单", &w), Some(Command::Menu));
        assert_eq!(read("不办了", &w), Some(Command::Cancel));
        assert_eq!(read("不弄了 取消", &w), Some(Command::Cancel));
        assert_eq!(read("把我的信息全部删掉", &w), Some(Command::ConfirmForget));
        assert_eq!(read("算了 把我的信息都删掉", &w), Some(Command::ConfirmForget));
        assert_eq!(read("删除我的数据", &w), Some(Command::ConfirmForget));
        assert_eq!(read("我的资料都删了吧", &w), Some(Command::ConfirmForget));
        assert_eq!(read("我的信息你都删掉吧 不要留了", &w), Some(Command::ConfirmForget));
        assert_eq!(read("把我的资料都清掉", &w), Some(Command::ConfirmForget));
        // Whether a saved application is still there: the records shown (play-test round 5).
        assert_eq!(read("我之前记的那个申请还在不在", &w), Some(Command::MyApps));
        assert_eq!(read("我的申请还有没有", &w), Some(Command::MyApps));
        assert_eq!(read("申请还有没有别的办法", &w), None, "asks something else");
        assert_eq!(read("烦死了 算了 把我的信息全部删了", &w), Some(Command::ConfirmForget));
        assert_eq!(read("聊天记录不要留", &w), Some(Command::ConfirmForget));
        assert_eq!(read("好 那你提醒我一下嘛 我怕忘了", &w), Some(Command::Remind));
        assert_eq!(read("你能帮我记着不 到时候提醒我一下", &w), Some(Command::Remind));
        assert_eq!(read("设个提醒", &w), Some(Command::Remind));
        assert_eq!(read("/forget", &w), Some(Command::Forget));
        assert!(is_bare("人工", &w) && is_bare("/human", &w));
        assert!(!is_bare("转人工 我妈有尿毒症", &w), "a hand-off that says more");
    }

    #[test]
    fn questions_that_mention_a_command_word_are_no_command() {
        let w = words();
        for question in [
            "起付线多少",
            "门特会不会被删除",
            "医院人工费能报吗",
            "到时候你怎么提醒我 发短信吗",
            "人工关节能报吗",
            "删除我的信息会怎么样",
            "取消 退休",
            "材料清单",
            "要准备的资料清单",
            "申请记录会不会被删除",
            "记录申请进度",
            "资料清楚了吗",
        ] {
            assert_eq!(read(question, &w), None, "{question}");
        }
    }
}
