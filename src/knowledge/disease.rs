//! Disease matcher: what a user typed ("尿毒症", "gaoxueya", "tnb", "高雪压") → ranked catalogue
//! diseases of one region, with a score and the spelling that matched.
//!
//! Stages, cheapest first:
//! 1. exact name or alias (one hash lookup — most typed answers end here);
//! 2. normalised substring, both ways ("我妈有糖尿病" contains 糖尿病, "类风湿" is part of an alias);
//! 3. pinyin: same syllables (homophones: 高雪压 = gao xue ya), full pinyin ("tangniaobing"),
//!    initials ("tnb");
//! 4. edit distance on characters, syllables and pinyin strings for typos.
//!
//! Everything derived from the catalogue (folded spellings, syllable ids, pinyin strings,
//! initials, notes) is computed once in [`DiseaseIndex::build`], so a query costs a few
//! microseconds. Edit distance only runs when the lengths are close enough to pass.

use std::collections::{BTreeMap, HashMap};

use pinyin::ToPinyin;

use super::DiseaseMatch;
use crate::content::diseases::{fold, Catalogue, Disease};

/// Below this score nothing is reported: "感冒" or "骨折" must not become a catalogue disease.
pub const MIN_SCORE: f64 = 0.6;
/// From this score a match is `strong`: accepted without a "did you mean …?" question.
pub const STRONG_SCORE: f64 = 0.85;
/// At most this many candidates are returned.
pub const MAX_CANDIDATES: usize = 5;

/// Words people put around a disease name; stripped from the ends of a query before the fuzzy
/// stages so that "我妈得了高雪压能办吗" is compared as "高雪压". Longest first.
const PREFIXES: &[&str] = &[
    "请问一下",
    "请问",
    "我妈妈",
    "我爸爸",
    "我老公",
    "我老婆",
    "我家老人",
    "家里老人",
    "我得了",
    "我妈",
    "我爸",
    "我有",
    "得了",
    "患有",
    "孩子",
    "小孩",
    "老人",
    "我是",
    "我",
];
const SUFFIXES: &[&str] = &[
    "能不能办门特",
    "可以办门特吗",
    "能办门特吗",
    "算不算门特",
    "能不能办",
    "能不能报",
    "可以办吗",
    "可以报吗",
    "能办吗",
    "能报吗",
    "怎么办",
    "门特病",
    "慢特病",
    "门特",
    "吗",
    "呢",
    "啊",
    "了",
];

/// Per-region indexes over the disease catalogue.
#[derive(Debug, Clone, Default)]
pub struct DiseaseIndex {
    regions: BTreeMap<String, RegionIndex>,
    /// Pinyin syllable (no tone) → small id, shared by all regions.
    syllables: HashMap<&'static str, u32>,
    /// Folded words that, right before a disease's spelling, say the person does not have it
    /// (`faq/understand.yaml` `negation`: 没有, 不是 …).
    negation: Vec<String>,
    /// Characters that may stand between a negation and the disease (没有得过癌症, 不是患的糖尿病;
    /// `negation_gap` of `faq/understand.yaml`).
    negation_gap: String,
}

/// At most this many `negation_gap` characters.
const MAX_NEGATION_GAP: usize = 2;

#[derive(Debug, Clone, Default)]
struct RegionIndex {
    /// Catalogue name and the note shown with it, by disease index.
    /// Name, note for the user, verified (from an official list).
    diseases: Vec<(String, Option<String>, bool)>,
    /// Folded spelling → alias index (fast path).
    exact: HashMap<String, usize>,
    aliases: Vec<Alias>,
}

/// One spelling of a disease with everything the fuzzy stages compare against.
#[derive(Debug, Clone)]
struct Alias {
    disease: usize,
    /// As written in the catalogue (reported as the matched alias).
    text: String,
    folded: String,
    chars: Vec<char>,
    /// One token per character: syllable id for Han characters, the character itself otherwise.
    tokens: Vec<u32>,
    /// Pinyin of the Han characters, letters and digits kept: 糖尿病 → "tangniaobing".
    full: String,
    /// First letters: 糖尿病 → "tnb".
    initials: String,
    masks: Masks,
}

/// A query, prepared once and compared with every alias.
struct Query {
    folded: String,
    chars: Vec<char>,
    tokens: Vec<u32>,
    full: String,
    /// Byte offsets in `full` where a character's pinyin starts, and its end: a pinyin match
    /// must start and end on them (上传什么 = shang chuan shen me holds huanshen = 换肾, but
    /// not as syllables).
    bounds: Vec<usize>,
    /// Only letters (the user typed pinyin or initials).
    ascii: bool,
    masks: Masks,
}

impl Query {
    /// Whether `part` is in `full` from one syllable's start to another's end.
    fn has_syllables(&self, part: &str) -> bool {
        // From each syllable's start, not by a substring search: setting one up for every
        // alias cost more than comparing at the few starts a short message has.
        let on = |i: usize| self.bounds.binary_search(&i).is_ok();
        self.bounds.iter().any(|&i| self.full[i..].starts_with(part) && on(i + part.len()))
    }
}

/// Which characters, tokens and pinyin letters occur (one bit each, hashed into 64): a cheap
/// lower bound on the edit distance, so most aliases are rejected without computing it.
#[derive(Debug, Clone, Copy, Default)]
struct Masks {
    chars: u64,
    tokens: u64,
    full: u64,
}

impl Masks {
    fn of(chars: &[char], tokens: &[u32], full: &str) -> Masks {
        let mask = |it: &mut dyn Iterator<Item = u32>| it.fold(0u64, |m, x| m | 1 << (x % 64));
        Masks {
            chars: mask(&mut chars.iter().map(|&c| c as u32)),
            tokens: mask(&mut tokens.iter().copied()),
            full: mask(&mut full.bytes().map(u32::from)),
        }
    }
}

/// Every symbol present in one side only needs an edit of its own, so the edit distance is at
/// least the larger count of such symbols (bit collisions only make the bound lower).
fn mask_bound(q: u64, a: u64) -> usize {
    (q & !a).count_ones().max((a & !q).count_ones()) as usize
}

/// Marks tokens that are characters rather than syllable ids.
const CHAR_TOKEN: u32 = 1 << 31;
/// Token for a Han character whose syllable appears in no alias (can match nothing).
const UNSEEN_SYLLABLE: u32 = CHAR_TOKEN - 1;

impl DiseaseIndex {
    /// Precomputes folded spellings, pinyin and notes for every region of the catalogue.
    pub fn build(catalogue: &Catalogue) -> DiseaseIndex {
        let mut index = DiseaseIndex::default();
        for (region, diseases) in &catalogue.by_region {
            let built = index.build_region(diseases);
            index.regions.insert(region.clone(), built);
        }
        index
    }

    /// The words that negate a disease named right after them (`没有`, `不是` …), and the
    /// characters that may stand between them (`gap`: 没有得过癌症).
    pub fn with_negation(mut self, words: &[String], gap: &str) -> DiseaseIndex {
        self.negation = words.iter().map(|w| fold(w)).filter(|w| !w.is_empty()).collect();
        self.negation_gap = gap.to_string();
        self
    }

    fn build_region(&mut self, diseases: &[Disease]) -> RegionIndex {
        let mut region = RegionIndex::default();
        for (i, disease) in diseases.iter().enumerate() {
            region.diseases.push((disease.name.clone(), note_for(disease), disease.verified));
            for spelling in disease.spellings() {
                let folded = fold(spelling);
                if folded.is_empty() || region.exact.contains_key(&folded) {
                    // Duplicates are reported by content validation; the first one wins here.
                    continue;
                }
                let alias = self.alias(i, spelling, folded);
                region.exact.insert(alias.folded.clone(), region.aliases.len());
                region.aliases.push(alias);
            }
        }
        region
    }

    fn alias(&mut self, disease: usize, text: &str, folded: String) -> Alias {
        let chars: Vec<char> = folded.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut full = String::new();
        let mut initials = String::new();
        for &c in &chars {
            match c.to_pinyin() {
                Some(p) => {
                    let next = self.syllables.len() as u32;
                    tokens.push(*self.syllables.entry(p.plain()).or_insert(next));
                    full.push_str(p.plain());
                    initials.push_str(p.first_letter());
                }
                None => {
                    tokens.push(CHAR_TOKEN | c as u32);
                    full.push(c);
                    initials.push(c);
                }
            }
        }
        let masks = Masks::of(&chars, &tokens, &full);
        Alias { disease, text: text.to_string(), folded, chars, tokens, full, initials, masks }
    }

    /// Ranked matches for `text` in `region`, best first; empty when nothing scores
    /// [`MIN_SCORE`] or more, or the region is unknown. A disease the text says the person does
    /// not have (`我又没得癌症`) is no match: every place its spelling is written is negated.
    pub fn find(&self, text: &str, region: &str) -> Vec<DiseaseMatch> {
        let mut found = self.find_written(text, region);
        if !self.negation.is_empty() {
            let folded = fold(text);
            found.retain(|m| !m.alias.as_deref().is_some_and(|a| self.negated(&folded, &fold(a))));
        }
        found
    }

    /// Whether `text` names a disease of `region` only to say the person does not have it
    /// (`我又没得癌症`): a statement, not a question about the catalogue.
    pub fn only_negated(&self, text: &str, region: &str) -> bool {
        self.find(text, region).is_empty()
            && self.find_written(text, region).iter().any(|m| m.strong)
    }

    /// Whether `alias` is written in `text` and each time right after a negation word
    /// (`有没有糖尿病` asks, so 没有 after 有 is none).
    fn negated(&self, text: &str, alias: &str) -> bool {
        if alias.is_empty() {
            return false;
        }
        let starts: Vec<usize> = text.match_indices(alias).map(|(at, _)| at).collect();
        !starts.is_empty() && starts.iter().all(|&at| self.negated_at(&text[..at]))
    }

    fn negated_at(&self, before: &str) -> bool {
        let chars: Vec<char> = before.chars().collect();
        (0..=MAX_NEGATION_GAP.min(chars.len())).any(|gap| {
            let (head, between) = chars.split_at(chars.len() - gap);
            if !between.iter().all(|c| self.negation_gap.contains(*c)) {
                return false;
            }
            let head: String = head.iter().collect();
            self.negation
                .iter()
                .any(|w| head.ends_with(w.as_str()) && !head.ends_with(&format!("有{w}")))
        })
    }

    /// [`DiseaseIndex::find`] before negations are taken out; once per text and region in a
    /// turn ([`crate::understand::memo`]): `find` and `only_negated` both ask it.
    fn find_written(&self, text: &str, region: &str) -> Vec<DiseaseMatch> {
        let index = self as *const DiseaseIndex as usize;
        crate::understand::memo::recall_matches(index, text, region, || {
            self.find_written_anew(text, region)
        })
    }

    fn find_written_anew(&self, text: &str, region: &str) -> Vec<DiseaseMatch> {
        let Some(index) = self.regions.get(region) else { return Vec::new() };
        let folded = fold(text);
        if folded.is_empty() {
            return Vec::new();
        }
        if let Some(&a) = index.exact.get(&folded) {
            return vec![index.report(a, 1.0)];
        }
        let core = strip_fillers(&folded);
        if core.is_empty() {
            return Vec::new();
        }
        if let Some(&a) = index.exact.get(core) {
            return vec![index.report(a, 0.98)];
        }
        let query = self.query(core);
        // Best (score, alias) per disease.
        let mut best: Vec<(f64, usize)> = vec![(0.0, usize::MAX); index.diseases.len()];
        for (a, alias) in index.aliases.iter().enumerate() {
            let score = score(&query, alias);
            let slot = &mut best[alias.disease];
            if score > slot.0 {
                *slot = (score, a);
            }
        }
        let mut ranked: Vec<(f64, usize)> =
            best.into_iter().filter(|&(s, _)| s >= MIN_SCORE).collect();
        // Stable: equal scores keep catalogue order.
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0));
        ranked.truncate(MAX_CANDIDATES);
        ranked.into_iter().map(|(s, a)| index.report(a, s)).collect()
    }

    fn query(&self, folded: &str) -> Query {
        let chars: Vec<char> = folded.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut full = String::with_capacity(folded.len() * 2);
        let mut bounds = Vec::with_capacity(chars.len() + 1);
        for &c in &chars {
            bounds.push(full.len());
            match c.to_pinyin() {
                Some(p) => {
                    tokens.push(self.syllables.get(p.plain()).copied().unwrap_or(UNSEEN_SYLLABLE));
                    full.push_str(p.plain());
                }
                None => {
                    tokens.push(CHAR_TOKEN | c as u32);
                    full.push(c);
                }
            }
        }
        bounds.push(full.len());
        let ascii = chars.iter().all(|c| c.is_ascii_lowercase());
        let masks = Masks::of(&chars, &tokens, &full);
        Query { folded: folded.to_string(), chars, tokens, full, bounds, ascii, masks }
    }
}

impl RegionIndex {
    fn report(&self, alias: usize, score: f64) -> DiseaseMatch {
        let alias = &self.aliases[alias];
        let (name, note, verified) = &self.diseases[alias.disease];
        DiseaseMatch {
            name: name.clone(),
            score: (score * 100.0).round() / 100.0,
            alias: Some(alias.text.clone()),
            note: note.clone(),
            strong: score >= STRONG_SCORE,
            verified: *verified,
        }
    }
}

/// What the user should know about a disease, in one line: resident-only, unverified, extra
/// materials, and the catalogue's own note.
fn note_for(disease: &Disease) -> Option<String> {
    let mut parts = Vec::new();
    if disease.resident_only {
        parts.push("仅限城乡居民医保参保人".to_string());
    }
    if !disease.verified {
        parts.push("非官方病种目录，以当地医保部门最新公布为准".to_string());
    }
    if !disease.extra_materials.is_empty() {
        parts.push(format!("需额外准备：{}", disease.extra_materials.join("、")));
    }
    if let Some(note) = &disease.note {
        parts.push(note.clone());
    }
    // The insurance type is not known here; the note names 居民 itself.
    if let Some(note) = &disease.resident_note {
        parts.push(note.clone());
    }
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// Strips filler words from both ends until none is left.
fn strip_fillers(mut text: &str) -> &str {
    loop {
        let before = text.len();
        if let Some(p) = PREFIXES.iter().find(|p| text.starts_with(**p) && text.len() > p.len()) {
            text = &text[p.len()..];
        }
        if let Some(s) = SUFFIXES.iter().find(|s| text.ends_with(**s) && text.len() > s.len()) {
            text = &text[..text.len() - s.len()];
        }
        if text.len() == before {
            return text;
        }
    }
}

/// The score of one alias for the query; 0 when it is not a candidate.
fn score(q: &Query, a: &Alias) -> f64 {
    let substring = substring_score(q, a);
    let mut best = substring.max(pinyin_score(q, a));
    if q.ascii {
        best = best.max(ascii_score(q, a));
    }
    // A substring hit already measured how much of the alias was typed; edit distance would
    // only re-score the missing part as "typos" (甲状腺 is not a misspelt 甲状腺癌).
    if best >= 0.93 || substring > 0.0 {
        return best;
    }
    best.max(typo_score(q, a))
}

/// Stage 2: the alias inside the typed text, or the typed text inside the alias.
fn substring_score(q: &Query, a: &Alias) -> f64 {
    let (ql, al) = (q.chars.len(), a.chars.len());
    if al < ql && holds(&q.folded, &a.folded) {
        // A one-character alias (癌) inside a longer text is a hint, never strong.
        if al >= 2 {
            0.86 + 0.1 * al as f64 / ql as f64
        } else {
            0.75
        }
    } else if ql >= 2 && ql < al && holds(&a.folded, &q.folded) {
        0.6 + 0.3 * ql as f64 / al as f64
    } else {
        0.0
    }
}

/// Stage 3: same syllables (homophones), same pinyin, or the alias's syllables or pinyin
/// inside a longer text.
fn pinyin_score(q: &Query, a: &Alias) -> f64 {
    let (ql, al) = (q.chars.len(), a.chars.len());
    if q.tokens == a.tokens || (q.full == a.full && !q.full.is_empty()) {
        0.93
    } else if al >= 2 && al < ql && contains_slice(&q.tokens, &a.tokens) {
        0.85 + 0.1 * al as f64 / ql as f64
    } else if a.full.len() >= 6 && a.full.len() < q.full.len() && q.has_syllables(&a.full) {
        // Pinyin inside a longer typed text ("gao xue ya 3 ji", "wo you tangniaobing").
        0.85 + 0.1 * a.full.len() as f64 / q.full.len() as f64
    } else {
        0.0
    }
}

/// Stage 4: typos, by edit distance on characters, syllables and pinyin letters.
fn typo_score(q: &Query, a: &Alias) -> f64 {
    let (ql, al) = (q.chars.len(), a.chars.len());
    let mut best: f64 = 0.0;
    // Characters and syllables only from 4 of them: one different character of two or three is
    // usually a different disease (冠心病 vs 肺心病), not a typo; short typos are caught by the
    // pinyin letters below, which tolerate only sound-alike slips.
    if ql.max(al) >= 4 {
        let allowed = if ql.max(al) >= 6 { 2 } else { 1 };
        if mask_bound(q.masks.chars, a.masks.chars) <= allowed {
            best = best.max(edit_score(&q.chars, &a.chars, allowed, 0.55));
        }
        if mask_bound(q.masks.tokens, a.masks.tokens) <= allowed {
            best = best.max(edit_score(&q.tokens, &a.tokens, allowed, 0.6));
        }
    }
    let (qf, af) = (q.full.as_bytes(), a.full.as_bytes());
    if qf.len() >= 5 && af.len() >= 5 {
        let allowed = (qf.len().max(af.len()) / 5).max(1);
        if mask_bound(q.masks.full, a.masks.full) <= allowed {
            best = best.max(edit_score(qf, af, allowed, 0.6));
        }
    }
    best
}

/// Pinyin typed in letters: initials ("tnb") and the start of the full pinyin ("tangniao").
fn ascii_score(q: &Query, a: &Alias) -> f64 {
    let ql = q.folded.len();
    if q.folded == a.initials && a.chars.len() >= 2 {
        // Two letters are too ambiguous to accept without asking.
        return if ql >= 3 { 0.88 } else { 0.7 };
    }
    if ql >= 4 && ql < a.full.len() && a.full.starts_with(&q.folded) {
        return 0.6 + 0.3 * ql as f64 / a.full.len() as f64;
    }
    0.0
}

/// Score from the edit distance between `q` and `a` when it is at most `allowed`:
/// `base` plus up to 0.35 for similarity, below [`STRONG_SCORE`] from two edits. 0 otherwise (and without computing it when the
/// lengths alone rule it out).
fn edit_score<T: PartialEq + Copy>(q: &[T], a: &[T], allowed: usize, base: f64) -> f64 {
    if q.len().abs_diff(a.len()) > allowed {
        return 0.0;
    }
    match levenshtein(q, a, allowed) {
        // Two or more edits can turn one word into another (肾功能不全 → 心功能不全): offered as a
        // candidate, never accepted without asking.
        Some(d) if d >= 2 => {
            (base + 0.35 * (1.0 - d as f64 / q.len().max(a.len()) as f64)).min(STRONG_SCORE - 0.01)
        }
        Some(d) => base + 0.35 * (1.0 - d as f64 / q.len().max(a.len()) as f64),
        None => 0.0,
    }
}

/// Levenshtein distance if it is at most `limit`; one row on the stack for short inputs.
fn levenshtein<T: PartialEq + Copy>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    const STACK: usize = 64;
    let mut stack = [0usize; STACK];
    let mut heap = Vec::new();
    let row: &mut [usize] = if b.len() < STACK {
        &mut stack[..=b.len()]
    } else {
        heap.resize(b.len() + 1, 0);
        &mut heap
    };
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        let mut row_min = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (diag + cost).min(above + 1).min(row[j] + 1);
            diag = above;
            row_min = row_min.min(row[j + 1]);
        }
        if row_min > limit {
            return None;
        }
    }
    let d = row[b.len()];
    (d <= limit).then_some(d)
}

/// `haystack.contains(needle)` for the short strings compared here, by sliding over the bytes:
/// the standard search prepares a searcher for every call, which cost more than the search
/// itself over every alias of every query (perf: the largest user-space cost of a web message).
fn holds(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w == n)
}

fn contains_slice(haystack: &[u32], needle: &[u32]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_respects_the_limit() {
        let a: Vec<char> = "高血压".chars().collect();
        let b: Vec<char> = "高雪压".chars().collect();
        assert_eq!(levenshtein(&a, &b, 1), Some(1));
        let c: Vec<char> = "糖尿病".chars().collect();
        assert_eq!(levenshtein(&a, &c, 2), None);
    }

    #[test]
    fn holds_is_contains() {
        for (h, n) in
            [("我妈有糖尿病", "糖尿病"), ("糖尿病", "尿"), ("高血压", "高雪"), ("a", ""), ("", "a")]
        {
            assert_eq!(holds(h, n), h.contains(n), "{n} in {h}");
        }
    }

    #[test]
    fn fillers_come_off_both_ends() {
        assert_eq!(strip_fillers("我妈得了高雪压能办吗"), "高雪压");
        // Never down to nothing: a filler alone stays as typed.
        assert_eq!(strip_fillers("门特"), "门特");
    }
}
