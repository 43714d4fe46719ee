//! Lenient decoding of one line of terminal input.
//!
//! Pure: bytes in, text and an optional note for the user out. A terminal set to GBK (common on
//! older Chinese Windows and SSH set-ups) or one stray bad byte must never end a conversation,
//! so nothing here fails: valid UTF-8 passes unchanged, text that is clearly GBK is read as
//! GBK, and anything else keeps its readable parts and drops the undecodable bytes.

use std::borrow::Cow;

/// One decoded input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text as the user most likely meant it.
    pub text: Cow<'a, str>,
    /// How the line was read when it was not UTF-8; `None` for ordinary input.
    pub repair: Option<Repair>,
}

/// What had to be done to read a line that was not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// The line was valid GBK made of Chinese text, and was read as such.
    Gbk,
    /// Undecodable bytes were dropped.
    DroppedBytes,
}

impl Repair {
    /// A polite note for the user, one line.
    pub fn note(self) -> &'static str {
        match self {
            Repair::Gbk => "（提示：您的终端似乎使用 GBK 编码，已按 GBK 读取您的输入。）",
            Repair::DroppedBytes => "（提示：您的输入中有无法识别的字符，已略去。）",
        }
    }
}

/// Decodes `bytes` (one line, without its line ending) leniently; never fails.
pub fn decode_line(bytes: &[u8]) -> Decoded<'_> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded { text: Cow::Borrowed(text), repair: None };
    }
    if let Some(text) = clearly_gbk(bytes) {
        return Decoded { text: Cow::Owned(text), repair: Some(Repair::Gbk) };
    }
    // Dropping rather than showing U+FFFD: the text goes on to matching and storage, where a
    // replacement character only adds noise.
    let text: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| c != char::REPLACEMENT_CHARACTER)
        .collect();
    Decoded { text: Cow::Owned(text), repair: Some(Repair::DroppedBytes) }
}

/// The text, if `bytes` decode as GBK without a single error and every non-ASCII character is
/// Chinese text or its punctuation. Random bytes almost never pass both tests, so a GBK guess
/// is only taken when it is clear.
fn clearly_gbk(bytes: &[u8]) -> Option<String> {
    let text = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes)?;
    let mut chinese = 0usize;
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_control() && c != '\t' {
                return None;
            }
            continue;
        }
        if !is_chinese_text(c) {
            return None;
        }
        chinese += 1;
    }
    (chinese > 0).then(|| text.into_owned())
}

/// CJK ideographs, CJK punctuation and full-width forms: what a Chinese user types.
fn is_chinese_text(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '\u{2018}'..='\u{201D}' | '\u{2026}' | '\u{00B7}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn utf8_passes_unchanged_and_borrowed() {
        let d = decode_line("起付线多少".as_bytes());
        assert_eq!(d.text, "起付线多少");
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.repair, None);
    }

    #[test]
    fn chinese_typed_on_a_gbk_terminal_is_read_as_gbk() {
        let bytes = gbk("我的高血压能报多少？");
        assert!(std::str::from_utf8(&bytes).is_err(), "the test needs non-UTF-8 input");
        let d = decode_line(&bytes);
        assert_eq!(d.text, "我的高血压能报多少？");
        assert_eq!(d.repair, Some(Repair::Gbk));
    }

    #[test]
    fn stray_bytes_are_dropped_and_the_rest_kept() {
        let d = decode_line(b"/help\xff\xfe");
        assert_eq!(d.text, "/help");
        assert_eq!(d.repair, Some(Repair::DroppedBytes));
        let d = decode_line(b"\x80\x00\x01abc");
        assert_eq!(d.repair, Some(Repair::DroppedBytes), "control bytes are not GBK text");
    }
}
