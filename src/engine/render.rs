//! Turning content into what the user sees: templates (`{slot}`, `{region.KEY}`, `{today}`),
//! friendly display of stored slot codes, and the button data format.
//!
//! Button data is `TURN|KIND|ARG`. The turn stamp lets the engine recognise a button from an
//! older message (Telegram keeps old keyboards around) without storing every keyboard it sent;
//! the whole string stays within Telegram's 64-byte callback limit.
//!
//! Layer: base — imports no other engine module.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::content::Content;

/// What a button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonKind {
    /// The n-th choice of the current step.
    Choice(usize),
    /// Start a dialog from the menu (`menu` shows the menu itself).
    Menu(String),
    /// Consent answer.
    Consent(bool),
    /// The n-th "did you mean …?" disease candidate; `None` for "none of these".
    Disease(Option<usize>),
    /// Re-ask the current step after repeated failures.
    Retry,
    /// A tracking button; the payload is opaque to the engine.
    Track(String),
    /// Switch the session to this region ("切换到攀枝花" under an answer for another region).
    Region(String),
    /// Start 新申请 in this region, with this catalogue disease (index in the region's list)
    /// filled in when the user has agreed to storage, and the insurance type the message
    /// named (`employee`/`resident`). Carried by the button, not the session: nothing read from
    /// free text is stored before consent.
    Apply(String, Option<usize>, Option<String>),
    /// The n-th question suggested by an unsure FAQ answer (`Session::suggested`).
    Suggestion(usize),
    /// The full sources of the last answer (`Session::last_source`).
    Source,
    /// The lines of the last answer that did not fit on the screen (`Session::more`).
    More,
    /// End the live hand-off (结束人工). Valid whatever turn it came with, like a menu button:
    /// it sits under staff replies sent between turns, and a tap after the hand-off closed is
    /// answered "no hand-off to end".
    EndHuman,
}

/// A decoded button press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// Turn in which the button was offered.
    pub turn: u64,
    /// What it does.
    pub kind: ButtonKind,
}

/// Encodes a button's data for `turn`.
pub fn encode(turn: u64, kind: &ButtonKind) -> String {
    let rest = match kind {
        ButtonKind::Choice(i) => format!("c|{i}"),
        ButtonKind::Menu(id) => format!("m|{id}"),
        ButtonKind::Consent(yes) => format!("y|{}", u8::from(*yes)),
        ButtonKind::Disease(Some(i)) => format!("d|{i}"),
        ButtonKind::Disease(None) => "d|-".to_string(),
        ButtonKind::Retry => "r|".to_string(),
        ButtonKind::Track(payload) => format!("k|{payload}"),
        ButtonKind::Region(id) => format!("g|{id}"),
        ButtonKind::Apply(id, disease, insurance) => format!(
            "a|{id}|{}{}",
            disease.map_or("-".to_string(), |i| i.to_string()),
            insurance.as_ref().map_or(String::new(), |i| format!("|{i}"))
        ),
        ButtonKind::Suggestion(i) => format!("s|{i}"),
        ButtonKind::Source => "o|".to_string(),
        ButtonKind::More => "n|".to_string(),
        ButtonKind::EndHuman => "e|".to_string(),
    };
    format!("{turn}|{rest}")
}

/// Decodes button data; `None` for anything this engine did not produce.
pub fn decode(data: &str) -> Option<Button> {
    let mut parts = data.splitn(3, '|');
    let turn = parts.next()?.parse().ok()?;
    let tag = parts.next()?;
    let arg = parts.next()?;
    let kind = match tag {
        "c" => ButtonKind::Choice(arg.parse().ok()?),
        "m" => ButtonKind::Menu(arg.to_string()),
        "y" => ButtonKind::Consent(arg == "1"),
        "d" if arg == "-" => ButtonKind::Disease(None),
        "d" => ButtonKind::Disease(Some(arg.parse().ok()?)),
        "r" => ButtonKind::Retry,
        "k" => ButtonKind::Track(arg.to_string()),
        "g" => ButtonKind::Region(arg.to_string()),
        "a" => {
            let (id, rest) = arg.split_once('|')?;
            let (i, insurance) = match rest.split_once('|') {
                Some((i, ins)) => (i, Some(ins.to_string())),
                None => (rest, None),
            };
            let disease = if i == "-" { None } else { Some(i.parse().ok()?) };
            ButtonKind::Apply(id.to_string(), disease, insurance)
        }
        "s" => ButtonKind::Suggestion(arg.parse().ok()?),
        "o" => ButtonKind::Source,
        "n" => ButtonKind::More,
        "e" => ButtonKind::EndHuman,
        _ => return None,
    };
    Some(Button { turn, kind })
}

/// How a stored slot value reads in a sentence (codes become words).
/// Lines numbered `1.` / `2、` inside an answer or a step's text, numbered ①② instead: the
/// channels number the buttons `1.` `2.`, and a user typing `1` means a button, not line 1.
pub fn circled_list(text: &str) -> String {
    const CIRCLED: [char; 10] = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩'];
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let body = line.trim_start();
            let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
            let rest = &body[digits.len()..];
            let marked = rest
                .strip_prefix(". ")
                .or_else(|| rest.strip_prefix('.'))
                .or_else(|| rest.strip_prefix('、'));
            match (digits.parse::<usize>().ok().filter(|n| (1..=10).contains(n)), marked) {
                (Some(n), Some(item)) if !item.starts_with(|c: char| c.is_ascii_digit()) => {
                    format!(
                        "{}{}{}",
                        &line[..line.len() - body.len()],
                        CIRCLED[n - 1],
                        item.trim_start()
                    )
                }
                _ => line.to_string(),
            }
        })
        .collect();
    lines.join("\n")
}

pub fn display_value(content: &Content, slot: &str, value: &str) -> String {
    let word = match (slot, value) {
        ("insurance", "employee") => "职工医保",
        ("insurance", "resident") => "城乡居民医保",
        ("for_whom", "self") => "本人",
        ("for_whom", "other") => "家人",
        ("kind", "new") => "新申请",
        ("kind", "renew") => "续期/延期",
        ("kind", "change_hospital") => "变更定点医院",
        ("kind", "remote") => "异地备案",
        ("region", id) => {
            return content.regions.get(id).map(|r| r.name.clone()).unwrap_or_else(|| id.into())
        }
        _ => return value.to_string(),
    };
    word.to_string()
}

/// Fills a template. Unknown or unset names read as "（未填写）" rather than leaking braces.
pub fn template(
    content: &Content,
    text: &str,
    slots: &BTreeMap<String, String>,
    region: Option<&str>,
    today: NaiveDate,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        out.push_str(&lookup(content, name, slots, region, today));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn lookup(
    content: &Content,
    name: &str,
    slots: &BTreeMap<String, String>,
    region: Option<&str>,
    today: NaiveDate,
) -> String {
    const UNSET: &str = "（未填写）";
    if name == "today" {
        return today.format("%Y-%m-%d").to_string();
    }
    if let Some(key) = name.strip_prefix("region.") {
        let fact = region.and_then(|id| content.regions.get(id)).and_then(|r| r.fact(key));
        return fact.unwrap_or_else(|| UNSET.to_string());
    }
    if name == "region" {
        return region.map(|id| display_value(content, "region", id)).unwrap_or(UNSET.into());
    }
    match slots.get(name) {
        Some(value) => display_value(content, name, value),
        None => UNSET.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_list_is_circled_but_dates_and_amounts_are_not() {
        let text = "在APP上：\n1. 注册并登录；\n2、选新申请；\n9.26受理的按15个工作日算\n1.5万";
        assert_eq!(
            circled_list(text),
            "在APP上：\n①注册并登录；\n②选新申请；\n9.26受理的按15个工作日算\n1.5万"
        );
    }

    #[test]
    fn button_data_round_trips_and_fits_telegram() {
        let kinds = [
            ButtonKind::Choice(3),
            ButtonKind::Menu("change_hospital".into()),
            ButtonKind::Consent(true),
            ButtonKind::Disease(None),
            ButtonKind::Disease(Some(2)),
            ButtonKind::Retry,
            ButtonKind::Track("a:123456:approve".into()),
            ButtonKind::Apply("panzhihua".into(), Some(12), Some("employee".into())),
            ButtonKind::Apply("shaoyang".into(), None, None),
            ButtonKind::Suggestion(2),
            ButtonKind::Source,
            ButtonKind::More,
        ];
        for kind in kinds {
            let data = encode(u64::MAX, &kind);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(decode(&data), Some(Button { turn: u64::MAX, kind }));
        }
        assert_eq!(decode("hello"), None);
        assert_eq!(decode("12|zz|1"), None);
    }
}
