//! FAQ retrieval for Chinese free text.
//!
//! People type short, colloquial questions with typos, homophones (起付限 for 起付线), pinyin
//! (qifuxian) and filler words, in any word order. So a question is matched by overlap of small
//! pieces rather than words: after normalising (full-width → half-width, punctuation and filler
//! words dropped, synonyms rewritten to one term from `faq/synonyms.yaml`) it becomes a bag of
//! character unigrams and bigrams plus pinyin syllable unigrams and bigrams. These are weighted
//! by TF-IDF and compared by cosine with every paraphrased FAQ question; an entry scores as its
//! best question. Everything is precomputed in [`FaqIndex::build`]; a query is one pass over
//! an inverted index.
//!
//! Confidence is the cosine itself. Below [`THRESHOLD`], or when the question names something
//! outside 门特 (护照, 天气, 公积金 … from the vocabulary's `off_topic`), the reply says it is not
//! sure, suggests up to three questions and gives the hotline(s), and `id` is `None`.

use std::collections::{BTreeSet, HashMap, HashSet};

use pinyin::ToPinyin;

use super::Answer;
use crate::content::faq::{FaqEntry, Vocabulary};
use crate::content::Content;

/// Minimum cosine for a confident answer; tuned on `tests/devset/questions.tsv`.
pub const THRESHOLD: f32 = 0.30;

/// Minimum cosine for a question to be offered as a suggestion.
const SUGGEST_MIN: f32 = 0.12;

/// Relative weights of the feature kinds: bigrams carry word order and meaning, unigrams and
/// pinyin make typos and homophones still overlap.
const W_CHAR: f32 = 0.5;
const W_BIGRAM: f32 = 1.0;
const W_SYLLABLE: f32 = 0.5;
const W_SYLLABLE_PAIR: f32 = 1.0;
const W_WORD: f32 = 1.0;

/// How much a word found only in an entry's answer counts towards coverage (one in its
/// questions counts 1): answers hold the facts people ask about, but also many incidental words.
const COVERAGE_ANSWER: f32 = 0.5;

/// Factor on the squared score of a question containing an unknown word.
const UNKNOWN_WORD: f32 = 0.6;

/// Factor on the squared score of a question made of generic words only.
const VAGUE: f32 = 0.1;

/// Longest pinyin syllable (zhuang, chuang, shuang).
const MAX_SYLLABLE: usize = 6;

/// The precomputed FAQ index.
#[derive(Debug, Clone, Default)]
pub struct FaqIndex {
    entries: Vec<Entry>,
    /// Each indexed question: the entry it belongs to.
    doc_entry: Vec<u32>,
    /// Feature → where it occurs.
    postings: HashMap<u64, Posting>,
    /// idf given to a feature no FAQ question has: unknown words weigh like the rarest ones.
    unseen_idf: f32,
    text: Normaliser,
    regions: Vec<RegionInfo>,
}

/// Where one feature occurs.
#[derive(Debug, Clone, Default)]
struct Posting {
    /// Inverse document frequency over the indexed questions.
    idf: f32,
    /// (question, weight normalised by the question's length).
    questions: Vec<(u32, f32)>,
    /// Entries whose questions contain the feature.
    entry_questions: Vec<u32>,
    /// Entries whose answer contains the feature.
    entry_answers: Vec<u32>,
}

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    regions: Vec<String>,
    topic: Option<String>,
    first_question: String,
    answer: String,
    source: String,
    as_of: String,
    verified: bool,
}

#[derive(Debug, Clone)]
struct RegionInfo {
    id: String,
    name: String,
    hotline: String,
}

/// Text normalisation shared by the index and the queries.
#[derive(Debug, Clone, Default)]
struct Normaliser {
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
    /// Every Han character of the FAQ and the vocabulary.
    known: HashSet<char>,
    /// Words that say nothing about the subject, longest first.
    generic: Vec<String>,
}

impl FaqIndex {
    /// Builds the index from validated content.
    pub fn build(content: &Content) -> FaqIndex {
        let mut text = Normaliser::new(&content.faq_vocabulary);
        let entries: Vec<Entry> = content.faq.iter().map(Entry::from).collect();
        // Syllables first: typed pinyin in the questions themselves must be split with them.
        for entry in &content.faq {
            for q in &entry.questions {
                text.learn_syllables(q);
            }
        }
        for group in &content.faq_vocabulary.synonyms {
            text.learn_syllables(&group.term);
            for word in &group.also {
                text.learn_syllables(word);
            }
        }
        for entry in &content.faq {
            text.known.extend(entry.answer.chars().filter(|c| is_han(*c)));
        }
        let mut docs: Vec<(u32, Vec<(u64, f32)>)> = Vec::new();
        for (i, entry) in content.faq.iter().enumerate() {
            for q in &entry.questions {
                docs.push((i as u32, text.features(q)));
            }
        }
        let regions = content
            .regions
            .values()
            .map(|r| RegionInfo {
                id: r.id.clone(),
                name: r.name.clone(),
                hotline: r.fact("hotline").unwrap_or_default(),
            })
            .collect();
        let mut index = FaqIndex {
            entries,
            doc_entry: docs.iter().map(|(e, _)| *e).collect(),
            postings: HashMap::new(),
            unseen_idf: 0.0,
            text,
            regions,
        };
        index.fill_postings(&docs);
        for (i, entry) in content.faq.iter().enumerate() {
            for (f, _) in index.text.features(&entry.answer) {
                let slot = index.postings.entry(f).or_default();
                if slot.idf == 0.0 {
                    slot.idf = index.unseen_idf;
                }
                if slot.entry_answers.last() != Some(&(i as u32)) {
                    slot.entry_answers.push(i as u32);
                }
            }
        }
        index
    }

    fn fill_postings(&mut self, docs: &[(u32, Vec<(u64, f32)>)]) {
        let mut df: HashMap<u64, u32> = HashMap::new();
        for (_, feats) in docs {
            for (f, _) in feats {
                *df.entry(*f).or_default() += 1;
            }
        }
        let n = docs.len().max(1) as f32;
        let idf = |d: u32| (1.0 + n / d as f32).ln();
        self.unseen_idf = (1.0 + n).ln();
        for (doc, (entry, feats)) in docs.iter().enumerate() {
            let weighted: Vec<(u64, f32)> =
                feats.iter().map(|(f, w)| (*f, w * idf(df[f]))).collect();
            let norm = weighted.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(1e-6);
            for (f, w) in weighted {
                let slot = self.postings.entry(f).or_default();
                slot.idf = idf(df[&f]);
                slot.questions.push((doc as u32, w / norm));
                if slot.entry_questions.last() != Some(entry) {
                    slot.entry_questions.push(*entry);
                }
            }
        }
    }

    /// Answers `question` for `region` (every region when `None` or unknown).
    pub fn answer(&self, question: &str, region: Option<&str>) -> Answer {
        let region = region.filter(|r| self.regions.iter().any(|info| info.id == *r));
        let normalised = self.text.prepare(question);
        if normalised.trim().is_empty() {
            return self.not_sure(region, Vec::new(), 0.0, false);
        }
        if self.text.is_off_topic(&normalised) {
            return self.not_sure(region, Vec::new(), 0.0, true);
        }
        let region = region.or_else(|| self.text.region_named_in(question));
        let ranked = self.rank(&normalised, region);
        match ranked.first().copied() {
            Some((entry, score)) if score >= THRESHOLD => self.confident(entry, score, region),
            best => self.not_sure(region, ranked, best.map_or(0.0, |b| b.1), false),
        }
    }

    /// Entries applicable to `region`, best first, with their score: the geometric mean of
    /// (a) the cosine with the entry's closest question — how alike the whole texts are — and
    /// (b) how much of the query's weight the entry's questions and answer contain — so that a
    /// short query ("申诉找谁") still scores against a longer question, while a query whose
    /// main words are unknown (天气) does not.
    fn rank(&self, normalised: &str, region: Option<&str>) -> Vec<(usize, f32)> {
        let query = self.text.features_of_normalised(normalised);
        let weighted: Vec<(Option<&Posting>, f32)> = query
            .iter()
            .map(|(f, w)| {
                let posting = self.postings.get(f);
                let idf = posting.map_or(self.unseen_idf, |p| p.idf);
                (posting, w * idf)
            })
            .collect();
        let norm = weighted.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(1e-6);
        let total: f32 = weighted.iter().map(|(_, w)| w).sum::<f32>().max(1e-6);
        // One character ("报") can be about anything: never enough on its own.
        let brevity = if normalised.chars().filter(|c| *c != ' ').count() < 2 { 0.25 } else { 1.0 };
        // Two unknown characters in a row are an unknown word (疫苗), not a typo: whatever
        // else matches, the question is about something the FAQ does not know.
        let unknown = if self.text.has_unknown_word(normalised) { UNKNOWN_WORD } else { 1.0 };
        // Only generic words ("怎么办"): suggestions, never an answer.
        let vague = if self.text.is_vague(normalised) { VAGUE } else { 1.0 };
        let brevity = brevity * unknown * vague;
        let mut doc_scores = vec![0.0f32; self.doc_entry.len()];
        let mut in_questions = vec![0.0f32; self.entries.len()];
        let mut in_answer = vec![0.0f32; self.entries.len()];
        for (posting, w) in &weighted {
            let Some(p) = posting else { continue };
            for (doc, dw) in &p.questions {
                doc_scores[*doc as usize] += w / norm * dw;
            }
            for e in &p.entry_questions {
                in_questions[*e as usize] += w;
            }
            for e in &p.entry_answers {
                in_answer[*e as usize] += w;
            }
        }
        let mut cosine = vec![0.0f32; self.entries.len()];
        for (doc, score) in doc_scores.iter().enumerate() {
            let e = self.doc_entry[doc] as usize;
            cosine[e] = cosine[e].max(*score);
        }
        let mut ranked: Vec<(usize, f32)> = (0..self.entries.len())
            .filter(|e| self.entries[*e].applies_to(region))
            .map(|e| {
                let coverage =
                    (in_questions[e] + COVERAGE_ANSWER * in_answer[e]).min(total) / total;
                (e, (cosine[e].max(0.0) * coverage * brevity).sqrt())
            })
            .filter(|(_, s)| *s > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }

    fn confident(&self, best: usize, score: f32, region: Option<&str>) -> Answer {
        let entry = &self.entries[best];
        let siblings = self.siblings(best);
        if region.is_none() && siblings.len() > 1 {
            return self.side_by_side(entry, &siblings, score);
        }
        let answer_region = match (region, entry.regions.as_slice()) {
            (Some(r), _) => Some(r.to_string()),
            (None, [only]) => Some(only.clone()),
            _ => None,
        };
        Answer {
            id: Some(entry.id.clone()),
            score: round(score),
            answer: self.render(entry, answer_region.as_deref()),
            region: answer_region,
            source: Some(entry.source.clone()),
            suggestions: Vec::new(),
        }
    }

    /// The regional versions of `best` (same topic, region-specific), in region order.
    fn siblings(&self, best: usize) -> Vec<usize> {
        let entry = &self.entries[best];
        let Some(topic) = entry.topic.as_deref().filter(|_| !entry.regions.is_empty()) else {
            return vec![best];
        };
        let mut found: Vec<usize> = (0..self.entries.len())
            .filter(|i| {
                let e = &self.entries[*i];
                e.topic.as_deref() == Some(topic) && !e.regions.is_empty()
            })
            .collect();
        found.sort_by_key(|i| self.region_order(&self.entries[*i].regions[0]));
        found
    }

    fn region_order(&self, id: &str) -> usize {
        self.regions.iter().position(|r| r.id == id).unwrap_or(usize::MAX)
    }

    /// Region unknown and the regions answer differently: every version, labelled.
    fn side_by_side(&self, best: &Entry, siblings: &[usize], score: f32) -> Answer {
        let parts: Vec<String> = siblings
            .iter()
            .map(|i| {
                let e = &self.entries[*i];
                format!("【{}】\n{}", self.region_names(&e.regions), self.render(e, None))
            })
            .collect();
        let mut sources: Vec<&str> = Vec::new();
        for i in siblings {
            let s = self.entries[*i].source.as_str();
            if !sources.contains(&s) {
                sources.push(s);
            }
        }
        Answer {
            id: best.topic.clone(),
            score: round(score),
            answer: format!("各地规定不同，请看您参保的地区：\n\n{}", parts.join("\n\n")),
            region: None,
            source: Some(sources.join("; ")),
            suggestions: Vec::new(),
        }
    }

    /// The answer text with its source, region and date.
    fn render(&self, entry: &Entry, region: Option<&str>) -> String {
        let where_ = match region {
            Some(r) if !entry.regions.is_empty() || self.regions.len() == 1 => {
                self.region_names(&[r])
            }
            _ if entry.regions.is_empty() => "各地通用".to_string(),
            _ => self.region_names(&entry.regions),
        };
        let caveat = if entry.verified {
            ""
        } else {
            "\n（此条不是官方文件原文，以当地医保部门最新公布为准）"
        };
        format!(
            "{}{caveat}\n——来源：{}｜地区：{where_}｜截至 {}",
            entry.answer.trim_end(),
            entry.source,
            entry.as_of
        )
    }

    fn region_names<S: AsRef<str>>(&self, ids: &[S]) -> String {
        let names: Vec<&str> = ids
            .iter()
            .map(|id| {
                let id = id.as_ref();
                self.regions.iter().find(|r| r.id == id).map_or(id, |r| r.name.as_str())
            })
            .collect();
        names.join("、")
    }

    fn not_sure(
        &self,
        region: Option<&str>,
        ranked: Vec<(usize, f32)>,
        score: f32,
        off_topic: bool,
    ) -> Answer {
        let suggestions = self.suggestions(&ranked);
        let mut text = if off_topic {
            "抱歉，这个问题不在门特（门诊慢特病）业务范围内，我回答不了。".to_string()
        } else {
            "抱歉，这个问题我没有把握回答准确。".to_string()
        };
        if !suggestions.is_empty() {
            text.push_str("您是不是想问：");
            for (i, s) in suggestions.iter().enumerate() {
                text.push_str(&format!("\n{}. {s}", i + 1));
            }
            text.push('\n');
        }
        text.push_str(if off_topic {
            "门特的问题可以问我，或者咨询医保经办机构："
        } else {
            "也可以换个说法再问，或者咨询医保经办机构："
        });
        let hotlines: Vec<String> = self
            .regions
            .iter()
            .filter(|r| region.map_or(true, |id| id == r.id))
            .map(|r| format!("{} {}", r.name, r.hotline))
            .collect();
        text.push_str(&hotlines.join("；"));
        Answer {
            id: None,
            score: round(score),
            answer: text,
            region: region.map(str::to_string),
            source: None,
            suggestions,
        }
    }

    /// Up to three likely questions: one per topic, above a minimal overlap.
    fn suggestions(&self, ranked: &[(usize, f32)]) -> Vec<String> {
        let mut topics: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (e, score) in ranked {
            if *score < SUGGEST_MIN || out.len() == 3 {
                break;
            }
            let entry = &self.entries[*e];
            let key = entry.topic.as_deref().unwrap_or(entry.id.as_str());
            if !topics.contains(&key) {
                topics.push(key);
                out.push(entry.first_question.clone());
            }
        }
        out
    }

    /// Ids of every indexed entry (for coverage tests and tools).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }
}

fn round(score: f32) -> f64 {
    (f64::from(score.clamp(0.0, 1.0)) * 1000.0).round() / 1000.0
}

impl From<&FaqEntry> for Entry {
    fn from(e: &FaqEntry) -> Entry {
        Entry {
            id: e.id.clone(),
            regions: e.regions.clone(),
            topic: e.topic.clone(),
            first_question: e.questions.first().cloned().unwrap_or_default(),
            answer: e.answer.clone(),
            source: e.source.clone(),
            as_of: e.as_of.to_string(),
            verified: e.verified,
        }
    }
}

impl Entry {
    fn applies_to(&self, region: Option<&str>) -> bool {
        match region {
            None => true,
            Some(r) => self.regions.is_empty() || self.regions.iter().any(|x| x == r),
        }
    }
}

impl Normaliser {
    fn new(vocab: &Vocabulary) -> Normaliser {
        let mut n = Normaliser::default();
        n.fillers = vocab.fillers.iter().map(|f| basic(f)).filter(|f| !f.is_empty()).collect();
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
    fn is_vague(&self, text: &str) -> bool {
        let mut rest = text.replace(' ', "");
        for w in &self.generic {
            rest = rest.replace(w.as_str(), "");
        }
        rest.chars().count() < 1
    }

    /// Whether `text` has two adjacent Han characters that occur nowhere in the content.
    fn has_unknown_word(&self, text: &str) -> bool {
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
    fn region_named_in(&self, question: &str) -> Option<&str> {
        let text = basic(question);
        let mut found = self.region_words.iter().filter(|(w, _)| text.contains(w.as_str()));
        let (_, first) = found.next()?;
        if found.all(|(_, r)| r == first) {
            Some(first.as_str())
        } else {
            None
        }
    }

    fn learn_syllables(&mut self, text: &str) {
        self.known.extend(text.chars().filter(|c| is_han(*c)));
        for c in text.chars() {
            if let Some(p) = c.to_pinyin() {
                self.syllables.insert(p.plain().to_string());
            }
        }
    }

    /// Full normalisation: basic clean-up, fillers dropped, synonyms rewritten.
    fn prepare(&self, text: &str) -> String {
        self.rewrite(&self.drop_fillers(&basic(text)))
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

    fn is_off_topic(&self, normalised: &str) -> bool {
        self.off_topic.iter().any(|w| normalised.contains(w.as_str()))
    }

    fn features(&self, text: &str) -> Vec<(u64, f32)> {
        self.features_of_normalised(&self.prepare(text))
    }

    /// Feature bag of normalised text: (feature, kind weight × (1 + ln count)).
    fn features_of_normalised(&self, text: &str) -> Vec<(u64, f32)> {
        let mut counts: HashMap<u64, (f32, u32)> = HashMap::new();
        let mut add = |f: u64, w: f32| counts.entry(f).or_insert((w, 0)).1 += 1;
        for segment in text.split(' ').filter(|s| !s.is_empty()) {
            let mut prev_han: Option<char> = None;
            let mut syllables: Vec<&str> = Vec::new();
            let mut chars = segment.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if is_han(c) {
                    add(hash(&[b'c'], &c.to_string()), W_CHAR);
                    if let Some(p) = prev_han {
                        add(hash(&[b'b'], &format!("{p}{c}")), W_BIGRAM);
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
                add(hash(&[b'w'], run), W_WORD);
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
                add(hash(&[b'p'], &s), W_SYLLABLE);
                if let Some(next) = syllables.get(k + 1).filter(|n| !n.is_empty()) {
                    add(hash(&[b'q'], &format!("{s} {}", fuzzy(next))), W_SYLLABLE_PAIR);
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

/// FNV-1a over a kind tag and the feature text: features are compared as integers.
fn hash(tag: &[u8], text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.iter().chain(text.as_bytes()) {
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
}
