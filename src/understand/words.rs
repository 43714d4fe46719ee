//! Finding staff-edited words in a message: as typed, as a homophone (same pinyin, so voice
//! input and typos such as 续其 for 续期 still match) and typed in pinyin (`xuqi`, `huan yiyuan`).
//!
//! Both sides are folded the same way (full-width to half-width, lower case), and pinyin uses
//! the pinyin crate's default reading for both, so a polyphone reads the same on either side.

use pinyin::ToPinyin;

/// A message prepared once for every word search.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Folded characters, in order (spaces and punctuation kept: they separate words).
    pub(crate) chars: Vec<char>,
    /// Pinyin of each character (no tone), `None` for non-Han characters.
    syllables: Vec<Option<&'static str>>,
    /// The ASCII letters of the message, joined: pinyin typed with or without spaces.
    letters: String,
}

/// One word to look for.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    /// As written in the content.
    pub(crate) text: String,
    chars: Vec<char>,
    /// Pinyin per character when the word is all Han and at least two characters long.
    syllables: Option<Vec<&'static str>>,
    /// Full pinyin when it is at least six letters long (shorter pinyin is too ambiguous).
    letters: Option<String>,
}

/// Where a word was found: character offset and length in [`Prepared::chars`]; a word found
/// only in typed pinyin has no offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) start: Option<usize>,
    pub(crate) len: usize,
}

/// Full-width to half-width and lower case: how every message and word is compared.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

impl Prepared {
    /// Folds `text` and computes its pinyin.
    pub(crate) fn new(text: &str) -> Prepared {
        let chars: Vec<char> = fold(text).chars().collect();
        let syllables = chars.iter().map(|c| c.to_pinyin().map(|p| p.plain())).collect();
        let letters = chars.iter().filter(|c| c.is_ascii_alphabetic()).collect();
        Prepared { chars, syllables, letters }
    }

    /// The characters from `start` (clamped) to `end` (clamped) as a string.
    pub(crate) fn slice(&self, start: usize, end: usize) -> String {
        let end = end.min(self.chars.len());
        self.chars[start.min(end)..end].iter().collect()
    }
}

impl Word {
    /// Prepares a content word for searching.
    pub(crate) fn new(text: &str) -> Word {
        let chars: Vec<char> = fold(text.trim()).chars().collect();
        let pinyin: Option<Vec<&'static str>> =
            chars.iter().map(|c| c.to_pinyin().map(|p| p.plain())).collect();
        let syllables = pinyin.clone().filter(|s| s.len() >= 2);
        // A word staff wrote in pinyin (zenme) is looked for in the typed letters too.
        let typed = chars.iter().all(char::is_ascii_alphabetic).then(|| chars.iter().collect());
        let letters = pinyin
            .map(|s| s.concat())
            .filter(|l| l.len() >= 6)
            .or(typed.filter(|t: &String| t.len() >= 5));
        Word { text: text.trim().to_string(), chars, syllables, letters }
    }

    /// Number of characters.
    pub(crate) fn len(&self) -> usize {
        self.chars.len()
    }

    /// Every place the word occurs as typed or as a homophone, then (once, without an offset)
    /// in typed pinyin.
    pub(crate) fn hits(&self, msg: &Prepared) -> Vec<Hit> {
        let n = self.chars.len();
        if n == 0 || n > msg.chars.len() {
            return self.pinyin_hit(msg).into_iter().collect();
        }
        let mut hits: Vec<Hit> = (0..=msg.chars.len() - n)
            .filter(|&i| self.at(msg, i))
            .map(|i| Hit { start: Some(i), len: n })
            .collect();
        if hits.is_empty() {
            hits.extend(self.pinyin_hit(msg));
        }
        hits
    }

    /// Whether [`Word::hits`] would find anything, without collecting the places: the
    /// question most lists are asked, for every message.
    pub(crate) fn occurs(&self, msg: &Prepared) -> bool {
        let n = self.chars.len();
        let typed =
            n > 0 && n <= msg.chars.len() && (0..=msg.chars.len() - n).any(|i| self.at(msg, i));
        typed || self.pinyin_hit(msg).is_some()
    }

    /// Whether the word is exactly at character `i` (as typed or homophone); homophones only
    /// with exact search disabled.
    pub(crate) fn exact_at(&self, msg: &Prepared, i: usize) -> bool {
        msg.chars.get(i..i + self.chars.len()) == Some(&self.chars[..])
    }

    fn at(&self, msg: &Prepared, i: usize) -> bool {
        if self.exact_at(msg, i) {
            return true;
        }
        let Some(syl) = &self.syllables else { return false };
        msg.syllables[i..i + syl.len()].iter().zip(syl).all(|(m, w)| *m == Some(*w))
    }

    fn pinyin_hit(&self, msg: &Prepared) -> Option<Hit> {
        let letters = self.letters.as_ref()?;
        msg.letters.contains(letters.as_str()).then_some(Hit { start: None, len: self.len() })
    }
}

/// An A-not-A question (包不包括, 算不算, 有没有, 能不能): a Han character, 不 or 没, the same
/// character again. A grammar pattern rather than a word list, so it is not content.
pub(crate) fn a_not_a(chars: &[char]) -> bool {
    chars.windows(3).any(|w| {
        w[0] == w[2] && (w[1] == '不' || w[1] == '没') && ('\u{4E00}'..='\u{9FFF}').contains(&w[0])
    })
}

/// `补材料是重新交一遍还是只交缺的`: an either-or question, 是 … 还是 … with something after
/// 还是 (`我还是想申请` has no 是 before it, and asks nothing).
pub(crate) fn either_or(chars: &[char]) -> bool {
    chars.windows(2).enumerate().any(|(at, w)| {
        w == ['还', '是']
            && at + 2 < chars.len()
            && (0..at).any(|i| chars[i] == '是' && (i == 0 || chars[i - 1] != '还'))
    })
}

/// Prepares a list of content words, longest first (so the longest match is tried first).
pub(crate) fn words<'a>(list: impl IntoIterator<Item = &'a String>) -> Vec<Word> {
    let mut words: Vec<Word> =
        list.into_iter().filter(|w| !w.trim().is_empty()).map(|w| Word::new(w)).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words
}

/// Whether any word occurs (as typed, homophone or pinyin).
pub(crate) fn any(words: &[Word], msg: &Prepared) -> bool {
    words.iter().any(|w| w.occurs(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(word: &str, text: &str) -> Vec<Hit> {
        Word::new(word).hits(&Prepared::new(text))
    }

    #[test]
    fn finds_typed_words_homophones_and_pinyin() {
        assert_eq!(found("续期", "我想续期"), vec![Hit { start: Some(2), len: 2 }]);
        assert_eq!(found("续期", "我想续其"), vec![Hit { start: Some(2), len: 2 }]);
        assert_eq!(found("换医院", "wo xiang huan yi yuan"), vec![Hit { start: None, len: 3 }]);
        assert_eq!(found("ok", "ＯＫ"), vec![Hit { start: Some(0), len: 2 }]);
    }

    #[test]
    fn occurs_is_whether_there_are_hits() {
        let pairs = [
            ("续期", "我想续期"),
            ("续期", "我想续其"),
            ("换医院", "wo xiang huan yi yuan"),
            ("ok", "ＯＫ"),
            ("在", "再说"),
            ("续期", "xuqi"),
            ("申请门特要准备", "申请"),
            ("zenme", "zen me ban"),
        ];
        for (word, text) in pairs {
            let (w, msg) = (Word::new(word), Prepared::new(text));
            assert_eq!(w.occurs(&msg), !w.hits(&msg).is_empty(), "{word} in {text}");
        }
    }

    #[test]
    fn either_or_questions() {
        let chars = |t: &str| t.chars().collect::<Vec<_>>();
        assert!(either_or(&chars("补材料是重新交一遍还是只交缺的")));
        assert!(either_or(&chars("是去医院办还是网上办")));
        assert!(!either_or(&chars("我还是想申请")));
        assert!(!either_or(&chars("我是职工")));
    }

    #[test]
    fn a_not_a_questions() {
        let chars = |t: &str| t.chars().collect::<Vec<_>>();
        assert!(a_not_a(&chars("这个病包不包括在里头")));
        assert!(a_not_a(&chars("算不算")));
        assert!(!a_not_a(&chars("不不")));
        assert!(!a_not_a(&chars("还没得")));
    }

    #[test]
    fn short_words_need_the_same_characters() {
        // One character has too many homophones; short pinyin too many readings.
        assert!(found("在", "再说").is_empty());
        assert!(found("续期", "xuqi").is_empty());
    }
}
