//! The dialect lexicon (`faq/dialect.yaml`): 四川话/湖南话 words and the plain Mandarin they mean
//! (咋个 → 怎么, 好久 → 多久, 找哪个 → 找谁, 娘老子 → 父母 …), edited by staff without Rust.
//!
//! [`Dialect::plain`] rewrites a message into plain Mandarin: the free-text reader reads the
//! rewritten text, the FAQ retrieval ranks both and keeps the surer answer, and yes/no answers
//! that echo the question are compared through it — a word added here is understood everywhere. Stage 1
//! parses the file; stage 2 reports, with `file:line`, a blank word or meaning, a word that means
//! itself, a word listed twice and a meaning that is itself a dialect word (rewriting is done
//! once, so a chain would silently stop half-way).

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// The file under `faq/` that holds the lexicon (it is not a list of FAQ entries).
pub const DIALECT_FILE: &str = "faq/dialect.yaml";

/// One dialect word and its plain-Mandarin sense.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialectWord {
    /// As people type it (啷个).
    pub say: String,
    /// What it means in plain Mandarin (怎么).
    pub means: String,
}

/// The whole lexicon, longest word first (so 晓不晓得 is rewritten before 晓得).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dialect {
    words: Vec<DialectWord>,
    /// First character of a word → the indexes in `words` of the words starting with it, in
    /// `words`' order: [`Dialect::plain`] tries only those at each place of a message instead
    /// of every word (it runs on every message, several times).
    by_first: HashMap<char, Vec<usize>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDialect {
    #[serde(default)]
    words: Vec<DialectWord>,
}

impl Dialect {
    /// A lexicon of these words (tests and tools).
    pub fn new(mut words: Vec<DialectWord>) -> Dialect {
        words.retain(|w| !w.say.trim().is_empty());
        words.sort_by_key(|w| std::cmp::Reverse(w.say.chars().count()));
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            if let Some(first) = w.say.trim().chars().next() {
                by_first.entry(first).or_default().push(i);
            }
        }
        Dialect { words, by_first }
    }

    /// `text` with every dialect word replaced by its meaning, left to right, longest word
    /// first at each place, in one pass (a meaning is never rewritten again).
    pub fn plain(&self, text: &str) -> String {
        if self.words.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'outer: while let Some(first) = rest.chars().next() {
            let starting = self.by_first.get(&first).map_or(&[][..], Vec::as_slice);
            for w in starting.iter().map(|&i| &self.words[i]) {
                if let Some(after) = rest.strip_prefix(w.say.trim()) {
                    out.push_str(w.means.trim());
                    rest = after;
                    continue 'outer;
                }
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
        out
    }

    /// The words, longest first.
    pub fn words(&self) -> &[DialectWord] {
        &self.words
    }
}

/// Stage 1: parses `faq/dialect.yaml` (an absent file means an empty lexicon).
pub fn parse(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Dialect {
    files
        .iter()
        .find(|f| f.path == DIALECT_FILE)
        .and_then(|file| yaml::parse::<RawDialect>(file, diags))
        .map(|raw| Dialect::new(raw.words))
        .unwrap_or_default()
}

/// Stage 2: blank entries, a word meaning itself, duplicates and chains, each at its line.
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let Some(file) = sources.faq.iter().find(|f| f.path == DIALECT_FILE) else { return };
    let mut seen = BTreeSet::new();
    let said: BTreeSet<&str> = content.dialect.words.iter().map(|w| w.say.trim()).collect();
    let at = |word: &str| yaml::line_containing(&file.text, &format!("say: {word}"));
    for w in &content.dialect.words {
        let (say, means) = (w.say.trim(), w.means.trim());
        let problem = if means.is_empty() {
            Some(format!("`{say}` has no meaning"))
        } else if say == means {
            Some(format!("`{say}` means itself"))
        } else if !seen.insert(say) {
            Some(format!("`{say}` is listed twice"))
        } else if said.contains(means) {
            Some(format!("`{say}` means `{means}`, which is itself a dialect word here"))
        } else {
            None
        };
        if let Some(message) = problem {
            diags.push(Diagnostic::new(&file.path, at(say), message));
        }
    }
    if file.text.contains("say: ''") || file.text.contains("say: \"\"") {
        let line = yaml::line_containing(&file.text, "say: ");
        diags.push(Diagnostic::new(&file.path, line, "empty dialect word"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(pairs: &[(&str, &str)]) -> Dialect {
        Dialect::new(
            pairs
                .iter()
                .map(|(s, m)| DialectWord { say: s.to_string(), means: m.to_string() })
                .collect(),
        )
    }

    fn diags(text: &str) -> Vec<String> {
        let sources = Sources {
            faq: vec![SourceFile { path: DIALECT_FILE.into(), text: text.into() }],
            ..Sources::default()
        };
        match crate::content::from_sources(&sources) {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn rewrites_longest_word_first_in_one_pass() {
        let d = lexicon(&[
            ("晓得", "知道"),
            ("晓不晓得", "知不知道"),
            ("好久", "多久"),
            ("咋个", "怎么"),
        ]);
        assert_eq!(d.plain("晓不晓得审核要好久"), "知不知道审核要多久");
        assert_eq!(d.plain("咋个办"), "怎么办");
        assert_eq!(d.plain("起付线"), "起付线");
    }

    #[test]
    fn problems_are_reported_with_their_line() {
        let found = diags("words:\n  - say: 咋个\n    means: 咋个\n  - say: 好久\n    means: 多久\n  - say: 好久\n    means: 很久\n");
        assert!(
            found.iter().any(|d| d.starts_with("faq/dialect.yaml:2:") && d.contains("itself")),
            "{found:?}"
        );
        assert!(found.iter().any(|d| d.contains("listed twice")), "{found:?}");
        let chain =
            diags("words:\n  - say: 老汉\n    means: 老头\n  - say: 老头\n    means: 父亲\n");
        assert!(chain.iter().any(|d| d.contains("itself a dialect word")), "{chain:?}");
        let unknown = diags("words:\n  - say: 老汉\n    mean: 父亲\n");
        assert!(unknown.iter().any(|d| d.starts_with("faq/dialect.yaml:3:")), "{unknown:?}");
    }

    #[test]
    fn the_shipped_file_is_valid_and_reads_the_issue_words() {
        let sources = Sources {
            faq: vec![SourceFile {
                path: DIALECT_FILE.into(),
                text: include_str!("../../faq/dialect.yaml").into(),
            }],
            ..Sources::default()
        };
        let mut found = Vec::new();
        let d = parse(&sources.faq, &mut found);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(d.plain("审核要好久"), "审核要多久");
        assert_eq!(d.plain("办门特找哪个"), "办门特找谁");
        assert_eq!(d.plain("我娘老子"), "我父母");
        assert_eq!(d.plain("啷个申请"), "怎么申请");
        // Words of the second round (issue 17 item 5) and the phrases guarding them.
        assert_eq!(d.plain("我娭毑冒得社保卡 办得门特啵"), "我奶奶没有社保卡 办得门特吗");
        assert_eq!(d.plain("何解没批"), "为什么没批");
        assert_eq!(d.plain("这个问题如何解决"), "这个问题怎么解决");
        assert_eq!(d.plain("晓得哒 咋个整"), "知道了 怎么办");
        // App and place names as voice input spells them (play-test round 5).
        assert_eq!(d.plain("是不是要下那个鞋医保"), "是不是要下那个湘医保");
        assert_eq!(d.plain("我是攀技花的 4川医保在哪下"), "我是攀枝花的 四川医保在哪下");
    }
}
