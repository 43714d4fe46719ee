//! Engine replies as WeChat text: buttons become numbered lines ending "回复数字即可" (结束人工
//! becomes a word to send instead), and the text is cut into messages of at most [`MAX_TEXT_BYTES`] (WeChat's limit for a text
//! message). Pure.

use crate::engine::render::{decode, Button, ButtonKind};
use crate::engine::{Choice, Input, Reply};

/// WeChat's limit for the content of one text message, in UTF-8 bytes (a Chinese character is 3).
pub const MAX_TEXT_BYTES: usize = 2048;

/// Said under numbered options.
pub const REPLY_WITH_NUMBER: &str = "回复数字即可";

/// A turn's replies as messages to send in order, and the buttons offered in them (numbered
/// from 1 across the whole turn, as shown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Text messages, each at most [`MAX_TEXT_BYTES`].
    pub messages: Vec<String>,
    /// The buttons, in the order of their numbers.
    pub offered: Vec<Choice>,
}

/// Renders one turn's replies: all of them in one text (blank lines between), split only
/// where it exceeds the limit.
pub fn render(replies: &[Reply]) -> Rendered {
    let mut blocks = Vec::new();
    let mut offered = Vec::new();
    for reply in replies {
        let mut block = reply.text.trim_end().to_string();
        for choice in &reply.choices {
            if by_word(choice) {
                // Once is enough: the hand-off's opening words already say how to end it.
                if !block.contains(&format!("“{}”", choice.label)) {
                    block.push_str(&format!("\n（发送“{}”回到助手）", choice.label));
                }
                continue;
            }
            offered.push(choice.clone());
            block.push_str(&format!("\n{}. {}", offered.len(), choice.label));
        }
        blocks.push(block);
    }
    if !offered.is_empty() {
        blocks.push(REPLY_WITH_NUMBER.to_string());
    }
    let text = blocks.into_iter().filter(|b| !b.is_empty()).collect::<Vec<_>>().join("\n\n");
    Rendered { messages: split(&text, MAX_TEXT_BYTES), offered }
}

/// 结束人工 is offered as a word, never a number: while staff answer, a bare "1" is the user's
/// answer to a staff question and must reach staff, not end the hand-off. The engine reads the
/// word itself in a hand-off.
fn by_word(choice: &Choice) -> bool {
    matches!(decode(&choice.data), Some(Button { kind: ButtonKind::EndHuman, .. }))
}

/// What a typed message means given the buttons last offered: a number or a label of one of
/// them is that button; anything else is text. The engine reads numbers too, but only for
/// the step's own choices; this also covers consent, "did you mean" and tracking buttons.
pub fn resolve(text: &str, offered: &[Choice]) -> Input {
    let text = text.trim();
    let digits: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    if let Some(n) = digits.parse::<usize>().ok().or_else(|| chinese_numeral(&digits)) {
        if (1..=offered.len()).contains(&n) {
            return Input::Button(offered[n - 1].data.clone());
        }
    }
    match offered.iter().find(|c| c.label == text) {
        Some(choice) => Input::Button(choice.data.clone()),
        None => Input::Text(text.to_string()),
    }
}

/// 一 … 十 as spoken (voice transcripts write small numbers in characters).
fn chinese_numeral(text: &str) -> Option<usize> {
    const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    NUMERALS.iter().position(|n| *n == text).map(|i| i + 1)
}

/// Splits `text` into pieces of at most `limit` bytes, preferring line ends, never inside a
/// character.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // Break after the last newline in the window, unless that leaves a tiny first part.
        if let Some(nl) = rest[..cut].rfind('\n').filter(|&nl| nl >= limit / 2) {
            cut = nl + 1;
        }
        parts.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest.to_string());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(label: &str, data: &str) -> Choice {
        Choice { label: label.into(), data: data.into() }
    }

    #[test]
    fn ending_a_hand_off_is_a_word_to_send_said_once_never_a_number() {
        let end = choice("结束人工", &crate::engine::render::encode(0, &ButtonKind::EndHuman));
        let staff = Reply { text: "【人工回复】好的".into(), choices: vec![end.clone()] };
        let out = render(&[staff]);
        assert!(out.messages[0].contains("（发送“结束人工”回到助手）"), "{:?}", out.messages);
        assert!(out.offered.is_empty() && !out.messages[0].contains(REPLY_WITH_NUMBER));
        // A "1" for staff stays text.
        assert_eq!(resolve("1", &out.offered), Input::Text("1".into()));
        let opened = Reply {
            text: "已为您转人工。发送“结束人工”可以随时回到助手。".into(),
            choices: vec![end],
        };
        assert_eq!(render(&[opened]).messages[0].matches("结束人工").count(), 1);
    }

    #[test]
    fn buttons_become_numbered_lines_across_the_turn() {
        let replies = vec![
            Reply { text: "您好".into(), choices: vec![choice("攀枝花", "1|c|0")] },
            Reply { text: "还有".into(), choices: vec![choice("邵阳", "1|c|1")] },
        ];
        let out = render(&replies);
        assert_eq!(out.messages, vec!["您好\n1. 攀枝花\n\n还有\n2. 邵阳\n\n回复数字即可"]);
        assert_eq!(out.offered.len(), 2);
        assert_eq!(resolve("2", &out.offered), Input::Button("1|c|1".into()));
        assert_eq!(resolve("２", &out.offered), Input::Button("1|c|1".into()));
        assert_eq!(resolve("二", &out.offered), Input::Button("1|c|1".into()));
        assert_eq!(resolve("攀枝花", &out.offered), Input::Button("1|c|0".into()));
        assert_eq!(resolve("3", &out.offered), Input::Text("3".into()));
    }

    #[test]
    fn without_buttons_there_is_no_number_hint() {
        let out = render(&[Reply { text: "好的".into(), choices: vec![] }]);
        assert_eq!(out.messages, vec!["好的"]);
    }

    #[test]
    fn long_text_is_split_under_the_byte_limit_at_line_ends() {
        let line = "门特".repeat(50); // 300 bytes
        let text = vec![line.as_str(); 20].join("\n");
        let parts = split(&text, MAX_TEXT_BYTES);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.len() <= MAX_TEXT_BYTES));
        assert!(parts.iter().all(|p| p.starts_with('门') && p.ends_with('特')));
        assert_eq!(parts.concat().replace('\n', ""), text.replace('\n', ""));
    }

    #[test]
    fn a_line_longer_than_the_limit_is_cut_between_characters() {
        let text = "病".repeat(1000); // 3000 bytes, no newline
        let parts = split(&text, MAX_TEXT_BYTES);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.len() <= MAX_TEXT_BYTES));
        assert_eq!(parts.concat(), text);
    }
}
