//! Text side of FAQ retrieval: normalising a question (width, punctuation, fillers, synonyms
//! — also typed in pinyin or as a homophone) and turning it into weighted features.

use std::collections::{BTreeSet, HashMap, HashSet};

use pinyin::ToPinyin;

use crate::content::faq::Vocabulary;

/// Relative weights of the feature kinds: bigrams carry word order and meaning, unigrams and
/// pinyin make typos and homophones still overlap.
const W_CHAR: f32 = 0.5;
const W_BIGRAM: f32 = 1.0;
const W_SYLLABLE: f32 = 0.5;
const W_SYLLABLE_PAIR: f32 = 1.0;
const W_WORD: f32 = 1.0;

/// Longest pinyin syllable (zhuang, chuang, shuang).
const MAX_SYLLABLE: usize = 6;

/// Text normalisation shared by the index and the queries.
#[derive(Debug, Clone, Default)]
pub(super) struct Normaliser {
    /// Fillers, longest first.
    fillers: Vec<String>,
    /// First character → (variant, term), longest variant first.
    synonyms: HashMap<char, Vec<(String, String)>>,
    /// Fuzzy pinyin of every synonym word of two or more characters → term, so that a
    /// homophone typo of a known word (延其, 没通国) is rewritten like the word itself.
    by_sound: HashMap<String, String>,
    /// Longest word in `by_sound`, in characters.
    max_sound_chars: usize,
    /// Off-topic words, normalised.
    off_topic: Vec<String>,
    /// Pinyin syllables that occur in the content, for splitting typed pinyin.
    syllables: BTreeSet<String>,
    /// (word, region id) for questions that name their region.
    region_words: Vec<(String, String)>,
    /// Region words that name one of the region's apps (湘医保, 四川医保), normalised: they say
    /// which region, not what the question is about (see [`Normaliser::without_app_words`]).
    app_words: Vec<String>,
    /// Every Han character of the FAQ and the vocabulary.
    known: HashSet<char>,
    /// Words that say nothing about the subject, longest first.
    generic: Vec<String>,
    /// Synonym terms by first character, longest first: a generic word inside one (医保 in
    /// 湘医保) is part of a word that does say something.
    terms: HashMap<char, Vec<String>>,
}

impl Normaliser {
    pub(super) fn new(vocab: &Vocabulary) -> Normaliser {
        let mut n = Normaliser {
            fillers: vocab.fillers.iter().map(|f| basic(f)).filter(|f| !f.is_empty()).collect(),
            ..Normaliser::default()
        };
        n.fillers.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
        let mut pairs: Vec<(String, String)> = Vec::new();
        for group in &vocab.synonyms {
            let term = n.drop_fillers(&basic(&group.term));
            // The term maps to itself so that a variant inside it (比例 in 报销比例) is not rewritten.
            let words = std::iter::once(&group.term).chain(&group.also);
            for word in words {
                let word = n.drop_fillers(&basic(word));
                // Typed pinyin of a word of two or more characters means the same (yanqi = 延期);
                // single syllables (ban, pi) are too ambiguous to rewrite.
                if let Some(typed) = typed_pinyin(&word) {
                    pairs.push((typed, term.clone()));
                }
                if let Some(key) = sound_key(&word) {
                    n.max_sound_chars = n.max_sound_chars.max(word.chars().count());
                    n.by_sound.entry(key).or_insert_with(|| term.clone());
                }
                pairs.push((word, term.clone()));
            }
        }
        for (variant, term) in pairs {
            let Some(first) = variant.chars().next() else { continue };
            let list = n.synonyms.entry(first).or_default();
            // First definition wins, so that a pinyin spelling shared by two words stays stable.
            if !list.iter().any(|(v, _)| *v == variant) {
                list.push((variant, term));
            }
        }
        for list in n.synonyms.values_mut() {
            list.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
            for (_, term) in list.iter() {
                let Some(first) = term.chars().next() else { continue };
                let terms = n.terms.entry(first).or_default();
                if !terms.contains(term) {
                    terms.push(term.clone());
                }
            }
        }
        for list in n.terms.values_mut() {
            list.sort_by_key(|t| std::cmp::Reverse(t.len()));
        }
        n.off_topic = vocab.off_topic.iter().map(|w| basic(w)).filter(|w| !w.is_empty()).collect();
        n.generic =
            vocab.generic.iter().map(|w| n.rewrite(&basic(w))).filter(|w| !w.is_empty()).collect();
        n.generic.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        for (region, words) in &vocab.regions {
            n.region_words.extend(words.iter().map(|w| (basic(w), region.clone())));
        }
        n
    }

    /// Whether normalised `text` is made of generic words only ("怎么办").
    pub(super) fn is_vague(&self, text: &str) -> bool {
        let mut rest = text.replace(' ', "");
        for w in &self.generic {
            if rest.contains(w.as_str()) {
                rest = rest.replace(w.as_str(), "");
            }
        }
        rest.is_empty()
    }

    /// Normalised `text` with its generic words cut out (each leaves a space, so that no
    /// bigram spans the gap), except inside a longer synonym term: what the question is about.
    pub(super) fn content_of(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let starts = |w: &&String| rest.starts_with(w.as_str());
            let generic = self.generic.iter().find(starts).map_or(0, String::len);
            let term =
                self.terms.get(&c).and_then(|l| l.iter().find(starts)).map_or(0, String::len);
            let len = if term > generic {
                out.push_str(&rest[..term]);
                term
            } else if generic > 0 {
                out.push(' ');
                generic
            } else {
                out.push(c);
                c.len_utf8()
            };
            rest = &rest[len..];
        }
        out
    }

    /// Whether `text` has two adjacent Han characters that occur nowhere in the content.
    pub(super) fn has_unknown_word(&self, text: &str) -> bool {
        let mut prev_unknown = false;
        for c in text.chars() {
            let unknown = is_han(c) && !self.known.contains(&c);
            if unknown && prev_unknown {
                return true;
            }
            prev_unknown = unknown;
        }
        false
    }

    /// The one region a question names (攀枝花, 湘医保 …), if exactly one.
    pub(super) fn region_named_in(&self, question: &str) -> Option<&str> {
        let text = basic(question);
        let mut found = self.region_words.iter().filter(|(w, _)| text.contains(w.as_str()));
        let (_, first) = found.next()?;
        if found.all(|(_, r)| r == first) {
            Some(first.as_str())
        } else {
            None
        }
    }

    /// Marks the region words found in one of `channel_names` (a region's apps and accounts) as
    /// app words, except the region's own `name` (攀枝花 in 攀枝花智慧医保小程序 is the city).
    pub(super) fn learn_app_words(&mut self, name: &str, channel_names: &[&str]) {
        let name = basic(name);
        for (word, _) in &self.region_words {
            let in_channel = channel_names.iter().any(|c| basic(c).contains(word.as_str()));
            if in_channel && *word != name && !self.app_words.contains(word) {
                self.app_words.push(word.clone());
            }
        }
        self.app_words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    }

    /// `question` without the app names it contains (and an `app`/公众号/小程序 after them), or
    /// `None` when it names no app. `四川医保APP里怎么续期` is a renewal question asked in an
    /// app; ranked with the app name it matched the list of apps instead.
    pub(super) fn without_app_words(&self, question: &str) -> Option<String> {
        let mut text = basic(question);
        let before = text.len();
        for word in &self.app_words {
            for suffix in ["app", "公众号", "小程序", ""] {
                text = text.replace(&format!("{word}{suffix}"), " ");
            }
        }
        (text.len() != before).then_some(text)
    }

    /// Whether normalised `text` names a subject the FAQ knows: a synonym term (续期, 起付线,
    /// 审核 …) that is neither generic nor an app name. `谁都能用吗` left after taking out
    /// 四川医保app is still about the app; `里怎么续期` is about renewal.
    pub(super) fn names_subject(&self, text: &str) -> bool {
        self.terms.values().flatten().any(|t| {
            t.chars().count() >= 2
                && text.contains(t.as_str())
                && !self.generic.contains(t)
                && !self.app_words.contains(t)
        })
    }

    /// Records the characters of `text` as known (see [`Normaliser::has_unknown_word`]).
    pub(super) fn learn_chars(&mut self, text: &str) {
        self.known.extend(text.chars().filter(|c| is_han(*c)));
    }

    /// Records the pinyin syllables (and characters) of `text`, for splitting typed pinyin.
    pub(super) fn learn_syllables(&mut self, text: &str) {
        self.known.extend(text.chars().filter(|c| is_han(*c)));
        for c in text.chars() {
            if let Some(p) = c.to_pinyin() {
                self.syllables.insert(p.plain().to_string());
            }
        }
    }

    /// Full normalisation: basic clean-up, fillers dropped, synonyms rewritten.
    pub(super) fn prepare(&self, text: &str) -> String {
        self.rewrite(self.drop_fillers(&basic(text)).trim())
    }

    fn drop_fillers(&self, text: &str) -> String {
        let mut out = text.to_string();
        for f in &self.fillers {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), "");
            }
        }
        out
    }

    /// Rewrites synonym variants to their term, longest match first, left to right.
    fn rewrite(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let hit = self
                .synonyms
                .get(&c)
                .and_then(|list| list.iter().find(|(v, _)| rest.starts_with(v.as_str())));
            let hit = hit.map(|(v, t)| (v.len(), t.as_str())).or_else(|| self.sound_hit(rest));
            match hit {
                Some((len, term)) => {
                    out.push_str(term);
                    rest = &rest[len..];
                }
                None => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        out
    }

    /// The longest synonym word that sounds like the start of `rest`: (bytes, term).
    fn sound_hit(&self, rest: &str) -> Option<(usize, &str)> {
        let mut key = String::new();
        let mut best = None;
        for (k, (i, c)) in rest.char_indices().take(self.max_sound_chars).enumerate() {
            let syllable = c.to_pinyin().filter(|_| is_han(c))?.plain();
            key.push_str(&fuzzy(syllable));
            key.push(' ');
            if k >= 1 {
                if let Some(term) = self.by_sound.get(&key) {
                    best = Some((i + c.len_utf8(), term.as_str()));
                }
            }
        }
        best
    }

    /// Whether the question names something outside 门特, as typed or after synonyms.
    pub(super) fn is_off_topic(&self, question: &str, normalised: &str) -> bool {
        let typed = basic(question);
        self.off_topic.iter().any(|w| typed.contains(w.as_str()) || normalised.contains(w.as_str()))
    }

    pub(super) fn features(&self, text: &str) -> Vec<(u64, f32)> {
        self.features_of_normalised(&self.prepare(text))
    }

    /// Feature bag of normalised text: (feature, kind weight × (1 + ln count)).
    pub(super) fn features_of_normalised(&self, text: &str) -> Vec<(u64, f32)> {
        let mut counts: HashMap<u64, (f32, u32)> = HashMap::new();
        let mut add = |f: u64, w: f32| counts.entry(f).or_insert((w, 0)).1 += 1;
        for segment in text.split(' ').filter(|s| !s.is_empty()) {
            let mut prev_han: Option<char> = None;
            let mut syllables: Vec<&str> = Vec::new();
            let mut chars = segment.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if is_han(c) {
                    let (mut b1, mut b2) = ([0u8; 4], [0u8; 4]);
                    let this = &*c.encode_utf8(&mut b1);
                    add(hash(b"c", &[this]), W_CHAR);
                    if let Some(p) = prev_han {
                        add(hash(b"b", &[p.encode_utf8(&mut b2), this]), W_BIGRAM);
                    }
                    prev_han = Some(c);
                    match c.to_pinyin() {
                        Some(p) => syllables.push(p.plain()),
                        None => syllables.push(""),
                    }
                    continue;
                }
                prev_han = None;
                // An ASCII run: a number, an English word (APP) or typed pinyin.
                let mut end = i + c.len_utf8();
                while let Some((j, d)) = chars.peek().copied() {
                    if is_han(d) || d.is_ascii_digit() != c.is_ascii_digit() {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                let run = &segment[i..end];
                add(hash(b"w", &[run]), W_WORD);
                if c.is_ascii_alphabetic() {
                    if let Some(split) = self.split_pinyin(run) {
                        syllables.extend(split);
                        continue;
                    }
                }
                syllables.push("");
            }
            for (k, s) in syllables.iter().enumerate() {
                if s.is_empty() {
                    continue;
                }
                let s = fuzzy(s);
                add(hash(b"p", &[&s]), W_SYLLABLE);
                if let Some(next) = syllables.get(k + 1).filter(|n| !n.is_empty()) {
                    add(hash(b"q", &[&s, " ", &fuzzy(next)]), W_SYLLABLE_PAIR);
                }
            }
        }
        counts.into_iter().map(|(f, (w, n))| (f, w * (1.0 + (n as f32).ln()))).collect()
    }

    /// Splits typed pinyin ("qifuxian") into known syllables; `None` unless all of it splits.
    fn split_pinyin<'a>(&self, run: &'a str) -> Option<Vec<&'a str>> {
        let n = run.len();
        // best[i]: fewest syllables covering run[..i], with the start of the last one.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for i in 1..=n {
            for len in 1..=MAX_SYLLABLE.min(i) {
                let start = i - len;
                let Some((count, _)) = best[start] else { continue };
                if !run.is_char_boundary(start) || !self.syllables.contains(&run[start..i]) {
                    continue;
                }
                if best[i].map_or(true, |(c, _)| count + 1 < c) {
                    best[i] = Some((count + 1, start));
                }
            }
        }
        best[n]?;
        let mut out = Vec::new();
        let mut i = n;
        while i > 0 {
            let (_, start) = best[i]?;
            out.push(&run[start..i]);
            i = start;
        }
        out.reverse();
        Some(out)
    }
}

/// The character features (as in [`Normaliser::features_of_normalised`]) of the Han
/// characters of `text`.
pub(super) fn char_features(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.chars().filter(|c| is_han(*c)).map(|c| {
        let mut buf = [0u8; 4];
        hash(b"c", &[c.encode_utf8(&mut buf)])
    })
}

/// A syllable with the distinctions many southern speakers (and their typing) do not make
/// folded together: zh/ch/sh = z/c/s, -ng = -n, n- = l-. 变跟 then matches 变更.
fn fuzzy(syllable: &str) -> String {
    let mut s = syllable.to_string();
    for (from, to) in [("zh", "z"), ("ch", "c"), ("sh", "s")] {
        if let Some(rest) = s.strip_prefix(from) {
            s = format!("{to}{rest}");
        }
    }
    if let Some(rest) = s.strip_prefix('n') {
        s = format!("l{rest}");
    }
    if let Some(stem) = s.strip_suffix("ng") {
        s = format!("{stem}n");
    }
    s
}

/// Fuzzy pinyin of a word of two or more Han characters, syllables separated ("yan qi ").
fn sound_key(word: &str) -> Option<String> {
    if word.chars().count() < 2 || !word.chars().all(is_han) {
        return None;
    }
    let mut key = String::new();
    for c in word.chars() {
        key.push_str(&fuzzy(c.to_pinyin()?.plain()));
        key.push(' ');
    }
    Some(key)
}

/// The toneless pinyin of a word of two or more Han characters ("延期" → "yanqi").
fn typed_pinyin(word: &str) -> Option<String> {
    if word.chars().count() < 2 || !word.chars().all(is_han) {
        return None;
    }
    word.chars().map(|c| c.to_pinyin().map(|p| p.plain())).collect()
}

/// Full-width to half-width, lower case, punctuation and spaces to a single space.
fn basic(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        }
        .to_ascii_lowercase();
        if is_han(c) || c.is_ascii_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// FNV-1a over a kind tag and the feature's text pieces: features are compared as integers.
fn hash(tag: &[u8], parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.iter().chain(parts.iter().flat_map(|p| p.as_bytes())) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        serde_yaml::from_str(
            "synonyms:\n  - term: 起付线\n    also: [门槛费, 起付标准]\nfillers: [请问, 一下, 呢]\noff_topic: [护照]\n",
        )
        .unwrap()
    }

    #[test]
    fn normalises_width_punctuation_fillers_and_synonyms() {
        let n = Normaliser::new(&vocab());
        assert_eq!(n.prepare("请问，职工门槛费是多少呢？"), "职工起付线是多少");
        assert_eq!(n.prepare("ＡＰＰ　在哪下载"), "app 在哪下载");
    }

    #[test]
    fn splits_typed_pinyin_into_known_syllables() {
        let mut n = Normaliser::new(&vocab());
        n.learn_syllables("起付线");
        assert_eq!(n.split_pinyin("qifuxian"), Some(vec!["qi", "fu", "xian"]));
        assert_eq!(n.split_pinyin("hello"), None);
    }

    #[test]
    fn homophones_and_typed_pinyin_of_synonyms_are_rewritten_too() {
        let n = Normaliser::new(&vocab());
        assert_eq!(n.prepare("门坎费多少"), "起付线多少");
        assert_eq!(n.prepare("menkanfei"), "起付线");
        assert_eq!(n.prepare("起付限"), "起付线");
        // A single character is never rewritten by sound: too many homophones.
        assert_eq!(n.prepare("起"), "起");
    }

    #[test]
    fn fuzzy_pinyin_folds_southern_distinctions() {
        assert_eq!(fuzzy("geng"), "gen");
        assert_eq!(fuzzy("zhi"), "zi");
        assert_eq!(fuzzy("nan"), "lan");
        assert_eq!(fuzzy("bao"), "bao");
    }

    #[test]
    fn unknown_words_off_topic_and_vague_questions_are_recognised() {
        let mut n = Normaliser::new(&vocab());
        n.generic = vec!["怎么".into(), "办".into()];
        n.learn_chars("起付线怎么办");
        assert!(n.has_unknown_word("疫苗怎么办"));
        assert!(!n.has_unknown_word("起付钱怎么办"), "one unknown character is a typo");
        assert!(n.is_off_topic("护照怎么办", "护照怎么办"));
        assert!(n.is_vague("怎么办"));
        n.generic = vec!["起付".into(), "怎么".into()];
        assert_eq!(n.content_of("起付线怎么算"), "起付线 算", "a term keeps its generic part");
        assert!(!n.is_vague("起付线怎么办"));
    }
}
