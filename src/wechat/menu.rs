//! The account's custom menu (自定义菜单) built from the dialogs' `menu:` entries, and what a
//! `CLICK` on one of its buttons means. Pure.
//!
//! WeChat allows 3 top-level buttons of at most 5 entries each; top-level names ≤ 16 bytes,
//! entry names ≤ 60 bytes, keys ≤ 128 bytes. The dialogs fill the first two top-level buttons
//! (5 each, in menu order, then 切换地区); the third holds 主菜单, 我的提醒, 转人工 and 帮助.

use serde_json::{json, Value};

use crate::content::Content;
use crate::engine::render::{encode, ButtonKind};
use crate::engine::Input;

/// Keys of dialog entries: this prefix and the dialog id.
const DIALOG_KEY: &str = "mente:dialog:";
/// Keys of the command entries: this prefix and the typed command.
const COMMAND_KEY: &str = "mente:cmd:";
/// Entries per top-level button, and how many top-level buttons the dialogs may use.
const PER_BUTTON: usize = 5;
const DIALOG_BUTTONS: usize = 2;
const TOP_NAMES: [&str; DIALOG_BUTTONS] = ["门特办理", "更多"];
const COMMANDS: [(&str, &str); 4] =
    [("主菜单", "/menu"), ("我的提醒", "/reminders"), ("转人工", "/human"), ("帮助", "/help")];

/// Why the menu cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MenuError(pub String);

/// The JSON body of WeChat's `menu/create` call.
pub fn menu_json(content: &Content) -> Result<Value, MenuError> {
    let entries = entries(content);
    if entries.len() > PER_BUTTON * DIALOG_BUTTONS {
        return Err(MenuError(format!(
            "{} menu dialogs do not fit WeChat's menu ({} at most here); give fewer dialogs a `menu:` number",
            entries.len(),
            PER_BUTTON * DIALOG_BUTTONS
        )));
    }
    let mut buttons = Vec::new();
    for (name, chunk) in TOP_NAMES.iter().zip(entries.chunks(PER_BUTTON)) {
        let mut subs = Vec::new();
        for (id, title) in chunk {
            if title.len() > 60 {
                return Err(MenuError(format!("menu title {title:?} is over WeChat's 60 bytes")));
            }
            subs.push(json!({"type": "click", "name": title, "key": format!("{DIALOG_KEY}{id}")}));
        }
        buttons.push(json!({"name": name, "sub_button": subs}));
    }
    let commands: Vec<Value> = COMMANDS
        .iter()
        .map(|(name, cmd)| json!({"type": "click", "name": name, "key": format!("{COMMAND_KEY}{cmd}")}))
        .collect();
    buttons.push(json!({"name": "帮助", "sub_button": commands}));
    Ok(json!({ "button": buttons }))
}

/// What a `CLICK` with `key` means; `None` for a key this assistant never issued (an old menu).
pub fn click_input(key: &str) -> Option<Input> {
    if let Some(id) = key.strip_prefix(DIALOG_KEY) {
        // Menu buttons are valid whatever turn they carry, so turn 0 is fine.
        return Some(Input::Button(encode(0, &ButtonKind::Menu(id.to_string()))));
    }
    let command = key.strip_prefix(COMMAND_KEY)?;
    COMMANDS.iter().any(|(_, c)| *c == command).then(|| Input::Text(command.to_string()))
}

/// Menu dialogs in the engine's menu order (`menu:` number, then id), then the region switch.
fn entries(content: &Content) -> Vec<(String, String)> {
    let trees = &content.dialogs.trees;
    let mut menu: Vec<_> = trees.values().filter(|d| d.menu.is_some()).collect();
    menu.sort_by_key(|d| (d.menu, d.id.clone()));
    let mut out: Vec<(String, String)> =
        menu.into_iter().map(|d| (d.id.clone(), d.title.clone())).collect();
    if trees.contains_key("region") {
        out.push(("region".into(), "切换地区".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_back_to_inputs_and_unknown_keys_to_nothing() {
        assert_eq!(click_input("mente:dialog:apply"), Some(Input::Button("0|m|apply".into())));
        assert_eq!(click_input("mente:cmd:/human"), Some(Input::Text("/human".into())));
        assert_eq!(click_input("mente:cmd:/forget"), None);
        assert_eq!(click_input("V1001_TODAY_MUSIC"), None);
    }
}
