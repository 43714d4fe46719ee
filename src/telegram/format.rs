//! Turning engine replies into Telegram messages: HTML escaping, splitting long texts at
//! paragraph boundaries, and inline keyboards from choices.
//!
//! Pure functions, so the rules Telegram enforces (4096 characters, 64-byte callback data,
//! `can't parse entities`) are unit-tested here rather than discovered in production.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::engine::Choice;

/// Telegram's limit for one message text, counted after entity parsing in UTF-16 code units.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Telegram's limit for a button's callback data, in bytes.
pub const MAX_CALLBACK_DATA: usize = 64;

/// Labels up to this many characters are laid out two per row (e.g. 邵阳 | 攀枝花); longer
/// ones get a row each so nothing is cut off on a phone screen.
const SHORT_LABEL_CHARS: usize = 8;

/// Escapes plain text for `parse_mode=HTML`. Telegram only requires `<`, `>` and `&` to be
/// escaped outside tags; `"` is escaped too so the text is also safe inside attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Length as Telegram counts it (UTF-16 code units): an emoji outside the BMP counts twice.
pub fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits plain `text` into pieces of at most `limit` Telegram characters, preferring
/// paragraph breaks, then line breaks, then sentence ends, and cutting inside a sentence only
/// when nothing else fits. Pieces are trimmed; whitespace-only pieces are dropped (Telegram
/// rejects empty messages). Split before escaping: escaping does not change the parsed length.
pub fn split_message(text: &str, limit: usize) -> Vec<String> {
    assert!(limit > 0, "a message limit must be positive");
    split_level(text.trim(), 0, limit)
        .into_iter()
        .map(|piece| piece.trim().to_string())
        .filter(|piece| !piece.is_empty())
        .collect()
}

/// Splits at the separators of `level` (0 paragraphs, 1 lines, 2 sentences, 3 characters).
fn split_level(text: &str, level: usize, limit: usize) -> Vec<String> {
    if telegram_len(text) <= limit {
        return vec![text.to_string()];
    }
    match level {
        0 => pack(text.split("\n\n").map(str::to_string), "\n\n", level + 1, limit),
        1 => pack(text.split('\n').map(str::to_string), "\n", level + 1, limit),
        2 => pack(sentences(text), "", level + 1, limit),
        _ => hard_split(text, limit),
    }
}

/// Greedily joins `parts` (with `sep`) into pieces that fit; a part too long on its own is
/// split at the next finer level.
fn pack(
    parts: impl Iterator<Item = String>,
    sep: &str,
    next_level: usize,
    limit: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for part in parts {
        if telegram_len(&part) > limit {
            flush(&mut out, &mut current);
            out.extend(split_level(&part, next_level, limit));
            continue;
        }
        let joined = telegram_len(&current) + telegram_len(sep) + telegram_len(&part);
        if !current.is_empty() && joined > limit {
            flush(&mut out, &mut current);
        }
        if !current.is_empty() {
            current.push_str(sep);
        }
        current.push_str(&part);
    }
    flush(&mut out, &mut current);
    out
}

fn flush(out: &mut Vec<String>, current: &mut String) {
    if !current.trim().is_empty() {
        out.push(std::mem::take(current));
    }
    current.clear();
}

/// Sentences, each keeping its closing punctuation (Chinese or Latin).
fn sentences(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .char_indices()
            .find(|&(_, c)| matches!(c, '。' | '！' | '？' | '；' | '.' | '!' | '?' | ';'))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(rest.len());
        let (sentence, tail) = rest.split_at(end);
        rest = tail;
        Some(sentence.to_string())
    })
}

/// Last resort: cut at character boundaries (never inside a UTF-16 surrogate pair).
fn hard_split(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for c in text.chars() {
        if current_len + c.len_utf16() > limit {
            out.push(std::mem::take(&mut current));
            current_len = 0;
        }
        current.push(c);
        current_len += c.len_utf16();
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The inline keyboard for `choices`, or `None` when there is nothing to press. A button whose
/// data exceeds Telegram's 64 bytes would make Telegram reject the whole message, so it is
/// left out (and logged) rather than losing the text.
pub fn keyboard(choices: &[Choice]) -> Option<InlineKeyboardMarkup> {
    let buttons: Vec<InlineKeyboardButton> = choices
        .iter()
        .filter(|choice| {
            let fits = !choice.data.is_empty() && choice.data.len() <= MAX_CALLBACK_DATA;
            if !fits {
                tracing::warn!(label = %choice.label, bytes = choice.data.len(),
                    "button left out: callback data must be 1..=64 bytes");
            }
            fits
        })
        .map(|choice| InlineKeyboardButton::callback(choice.label.clone(), choice.data.clone()))
        .collect();
    if buttons.is_empty() {
        return None;
    }
    let all_short = choices.iter().all(|c| c.label.chars().count() <= SHORT_LABEL_CHARS);
    let per_row = if all_short { 2 } else { 1 };
    let rows: Vec<Vec<InlineKeyboardButton>> =
        buttons.chunks(per_row).map(<[InlineKeyboardButton]>::to_vec).collect();
    Some(InlineKeyboardMarkup::new(rows))
}

#[cfg(test)]
mod tests {
    use teloxide::types::InlineKeyboardButtonKind;

    use super::*;

    fn choice(label: &str, data: &str) -> Choice {
        Choice { label: label.to_string(), data: data.to_string() }
    }

    #[test]
    fn escaping_keeps_text_readable_and_neutralises_markup() {
        assert_eq!(
            escape_html("费用 <1000> & \"报销\" 比例"),
            "费用 &lt;1000&gt; &amp; &quot;报销&quot; 比例"
        );
        assert_eq!(escape_html("<b>不是粗体</b>"), "&lt;b&gt;不是粗体&lt;/b&gt;");
        assert_eq!(escape_html("普通中文句子。"), "普通中文句子。");
    }

    #[test]
    fn short_text_is_one_message() {
        assert_eq!(split_message("你好\n\n请选择地区", 4096), vec!["你好\n\n请选择地区"]);
    }

    #[test]
    fn long_text_splits_between_paragraphs_not_inside_them() {
        let para_a = "甲".repeat(3000);
        let para_b = "乙".repeat(3000);
        let para_c = "丙".repeat(500);
        let text = format!("{para_a}\n\n{para_b}\n\n{para_c}");
        let pieces = split_message(&text, MAX_MESSAGE_LEN);
        assert_eq!(pieces, vec![para_a, format!("{para_b}\n\n{para_c}")]);
    }

    #[test]
    fn an_oversized_paragraph_splits_at_lines_then_sentences() {
        let lines: Vec<String> = (0..6).map(|i| format!("第{i}行。{}", "字".repeat(900))).collect();
        let paragraph = lines.join("\n");
        let pieces = split_message(&paragraph, MAX_MESSAGE_LEN);
        assert!(pieces.len() >= 2);
        for piece in &pieces {
            assert!(telegram_len(piece) <= MAX_MESSAGE_LEN);
            assert!(piece.starts_with('第'), "piece should start at a line: {piece:.8}");
        }
        assert_eq!(pieces.join("\n"), paragraph);

        let sentence = format!("{}。", "句".repeat(30));
        let long_line = sentence.repeat(200);
        let pieces = split_message(&long_line, MAX_MESSAGE_LEN);
        for piece in &pieces {
            assert!(piece.ends_with('。'), "cut inside a sentence");
            assert!(telegram_len(piece) <= MAX_MESSAGE_LEN);
        }
        assert_eq!(pieces.concat(), long_line);
    }

    #[test]
    fn text_without_any_break_is_cut_at_character_boundaries() {
        // 😀 is two UTF-16 units: the limit must count it twice and never cut it in half.
        let text = "😀".repeat(3000);
        let pieces = split_message(&text, MAX_MESSAGE_LEN);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| telegram_len(p) <= MAX_MESSAGE_LEN));
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn whitespace_only_text_produces_no_message() {
        assert!(split_message(" \n\n \n", 10).is_empty());
    }

    #[test]
    fn short_labels_pair_up_and_long_ones_get_their_own_row() {
        let kb = keyboard(&[choice("邵阳", "1:r:shaoyang"), choice("攀枝花", "1:r:panzhihua")])
            .expect("two buttons");
        assert_eq!(kb.inline_keyboard.len(), 1);
        assert_eq!(kb.inline_keyboard[0].len(), 2);
        assert_eq!(kb.inline_keyboard[0][1].text, "攀枝花");
        assert_eq!(
            kb.inline_keyboard[0][1].kind,
            InlineKeyboardButtonKind::CallbackData("1:r:panzhihua".into())
        );

        let kb = keyboard(&[
            choice("我要申请门特待遇（新申请）", "1:a"),
            choice("续期", "1:b"),
            choice("变更定点医院", "1:c"),
        ])
        .expect("three buttons");
        assert_eq!(kb.inline_keyboard.len(), 3);
    }

    #[test]
    fn oversized_callback_data_is_left_out_instead_of_failing_the_message() {
        let long = "x".repeat(MAX_CALLBACK_DATA + 1);
        let kb = keyboard(&[choice("好", "1:ok"), choice("坏", &long)]).expect("one fits");
        let all: Vec<_> = kb.inline_keyboard.concat();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].text, "好");
        assert!(keyboard(&[choice("坏", &long)]).is_none());
        assert!(keyboard(&[]).is_none());
    }
}
