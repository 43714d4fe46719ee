//! Commands that work anywhere in a conversation, typed as `/menu` or in plain words (主菜单),
//! because elderly users rarely type slashes.

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
    /// Delete everything stored about the user.
    Forget,
    /// 我的申请.
    MyApps,
    /// List and switch reminders.
    Reminders,
    /// Choose another region.
    Region,
    /// The full sources of the last answer.
    Source,
}

/// Recognises a command; `None` for anything else. Slash commands may carry a bot suffix
/// (`/menu@mente_bot`) as Telegram sends them in groups.
pub fn parse(text: &str) -> Option<Command> {
    let text = text.trim();
    if let Some(slash) = text.strip_prefix('/') {
        let name = slash.split(['@', ' ']).next().unwrap_or("").to_ascii_lowercase();
        return match name.as_str() {
            "start" => Some(Command::Start),
            "menu" => Some(Command::Menu),
            "back" => Some(Command::Back),
            "cancel" => Some(Command::Cancel),
            "help" => Some(Command::Help),
            "human" | "hotline" => Some(Command::Human),
            "forget" => Some(Command::Forget),
            "myapps" => Some(Command::MyApps),
            "reminders" => Some(Command::Reminders),
            "region" => Some(Command::Region),
            "source" => Some(Command::Source),
            _ => None,
        };
    }
    let word: String = text.chars().filter(|c| !c.is_whitespace() && !is_punct(*c)).collect();
    match word.as_str() {
        "主菜单" | "菜单" | "返回主菜单" => Some(Command::Menu),
        "上一步" | "返回上一步" => Some(Command::Back),
        "取消" | "退出" => Some(Command::Cancel),
        "帮助" => Some(Command::Help),
        "人工" | "转人工" | "人工客服" | "找人工" => Some(Command::Human),
        "我的申请" => Some(Command::MyApps),
        "提醒" | "我的提醒" => Some(Command::Reminders),
        "切换地区" | "更换地区" => Some(Command::Region),
        "删除我的信息" => Some(Command::Forget),
        "来源" | "出处" | "完整来源" => Some(Command::Source),
        _ => None,
    }
}

/// True for a slash command the engine does not know (answered with help, not the FAQ).
pub fn is_unknown_slash(text: &str) -> bool {
    text.trim().starts_with('/') && parse(text).is_none()
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || "，。！？、；：“”‘’（）《》…～".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_slash_and_plain_words() {
        assert_eq!(parse("/menu"), Some(Command::Menu));
        assert_eq!(parse("/start@mente_bot"), Some(Command::Start));
        assert_eq!(parse("转人工！"), Some(Command::Human));
        assert_eq!(parse(" 上一步 "), Some(Command::Back));
        assert_eq!(parse("起付线多少"), None);
        assert!(is_unknown_slash("/foo"));
        assert!(!is_unknown_slash("/menu"));
    }
}
