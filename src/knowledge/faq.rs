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
//! outside 门特 (护照, 天气, 公积金 … from the vocabulary's `off_topic`) and not 门特 itself, the
//! reply says it is not sure, suggests up to three questions and gives the hotline(s), and `id`
//! is `None`. An entry never wins on generic words alone: its questions must contain some of
//! what the question is about ("我要报销" is not "我要找人工").
//!
//! Two kinds of question get more than an entry's text: one naming a place other than the
//! supported regions (北京, 成都) gets the entry saying which regions are supported, never
//! another region's rules; one asking whether a named disease can be covered gets what the
//! disease catalogue says about that disease in the user's region(s).

mod places;
mod text;

use std::collections::HashMap;

use super::disease::DiseaseIndex;
use super::{Answer, DiseaseMatch};
use crate::content::citations::Citations;
use crate::content::faq::FaqEntry;
use crate::content::Content;
use places::Places;
use text::Normaliser;

/// Minimum cosine for a confident answer; tuned on `tests/devset/questions.tsv`.
pub const THRESHOLD: f32 = 0.30;

/// Minimum cosine for a question to be offered as a suggestion.
const SUGGEST_MIN: f32 = 0.12;

/// How much a word found only in an entry's answer counts towards coverage (one in its
/// questions counts 1): answers hold the facts people ask about, but also many incidental words.
const COVERAGE_ANSWER: f32 = 0.5;

/// Factor on the squared score of a question containing an unknown word.
const UNKNOWN_WORD: f32 = 0.6;

/// Factor on the squared score of a question made of generic words only.
const VAGUE: f32 = 0.1;

/// Minimum share of the query's content (its words other than generic ones) that an entry must
/// contain to be a candidate at all: below it the entry matched on 我要, 能不能 … only.
const MIN_CONTENT: f32 = 0.1;

/// Topics of the entries about the disease catalogue: questions matching them may name a disease.
const DISEASE_TOPICS: &[&str] = &["diseases", "resident-diseases"];

/// How the catalogue entries' questions refer to a disease ("我这个病能不能办").
const DISEASE_PLACEHOLDER: &str = "这个病";

/// A question about the disease catalogue names a disease of its own ("感冒能办吗", not "哪些病
/// 能办") when at least this share of its content is in no FAQ question.
const NAMES_SOMETHING: f32 = 0.3;

/// The entry for questions about a place the assistant does not cover.
const OTHER_PLACES_ENTRY: &str = "general.regions";

/// The topic whose answers are about using one's 门特 somewhere else (异地): a question naming
/// another city may well mean it.
const ELSEWHERE_TOPIC: &str = "remote";

/// An entry offered for a query by [`FaqIndex::candidates`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Entry id.
    pub id: String,
    /// Its first question.
    pub question: String,
    /// Its answer.
    pub answer: String,
    /// How well it matches, in [0, 1].
    pub score: f64,
}

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
    /// Places other than the supported regions.
    places: Places,
    /// (region id, catalogue name) → (source, source as users read it) of the disease.
    disease_sources: HashMap<(String, String), (String, String)>,
    /// The word every question about the subject contains after synonyms (门诊慢特病, 特病 →
    /// 门特: `faq_subject` of `faq/understand.yaml`).
    subject: String,
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
    /// `source` as users read it (document titles instead of file ids).
    cited: String,
    as_of: String,
    verified: bool,
}

#[derive(Debug, Clone)]
struct RegionInfo {
    id: String,
    name: String,
    hotline: String,
}

impl FaqIndex {
    /// Builds the index from validated content.
    pub fn build(content: &Content) -> FaqIndex {
        let mut text = Normaliser::new(&content.faq_vocabulary);
        let entries: Vec<Entry> =
            content.faq.iter().map(|e| Entry::new(e, &content.citations)).collect();
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
            text.learn_chars(&entry.answer);
        }
        for r in content.regions.values() {
            let channels: Vec<&str> = r.channels.iter().map(|c| c.name.as_str()).collect();
            text.learn_app_words(&r.name, &channels);
        }
        let mut docs: Vec<(u32, Vec<(u64, f32)>)> = Vec::new();
        for (i, entry) in content.faq.iter().enumerate() {
            for q in &entry.questions {
                docs.push((i as u32, text.features(q)));
            }
        }
        let regions: Vec<RegionInfo> = content
            .regions
            .values()
            .map(|r| RegionInfo {
                id: r.id.clone(),
                name: r.name.clone(),
                hotline: r.fact("hotline").unwrap_or_default(),
            })
            .collect();
        let places = other_places(content, &regions);
        let disease_sources = content
            .diseases
            .by_region
            .iter()
            .flat_map(|(region, list)| list.iter().map(move |d| (region, d)))
            .map(|(region, d)| {
                let cited = content.citations.cite_short(&d.source);
                ((region.clone(), d.name.clone()), (d.source.clone(), cited))
            })
            .collect();
        let mut index = FaqIndex {
            entries,
            doc_entry: docs.iter().map(|(e, _)| *e).collect(),
            postings: HashMap::new(),
            unseen_idf: 0.0,
            text,
            regions,
            places,
            disease_sources,
            subject: content.understand.reading.faq_subject.clone(),
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

    /// Whether `question` is made of generic words only (`那我要咋个办`): it asks nothing the
    /// FAQ could tell apart.
    pub fn is_vague(&self, question: &str) -> bool {
        let normalised = self.text.prepare(question);
        normalised.trim().is_empty() || self.text.is_vague(&normalised)
    }

    /// Answers `question` for `region` (every region when `None` or unknown); `diseases` looks
    /// up a disease the question names.
    pub fn answer(&self, question: &str, region: Option<&str>, diseases: &DiseaseIndex) -> Answer {
        let region = region.filter(|r| self.regions.iter().any(|info| info.id == *r));
        // Not sure of a question naming a region (`邵阳职工呢 材料和时间也说下` with 攀枝花
        // chosen): that region's hotline, never another region's.
        let unsure_region = self.text.region_named_in(question).or(region);
        let normalised = self.text.prepare(question);
        if normalised.trim().is_empty() {
            return self.not_sure(unsure_region, Vec::new(), 0.0, false);
        }
        // 住院 or 身份证丢了 next to 门特 is a 门特 question: ranking decides, not the word list,
        // but the off-topic word is something the FAQ does not cover, like an unknown word.
        let off_topic = self.text.is_off_topic(question, &normalised);
        let about_subject = !self.subject.is_empty() && normalised.contains(&self.subject);
        if off_topic && !about_subject {
            return self.not_sure(unsure_region, Vec::new(), 0.0, true);
        }
        let region = region.or_else(|| self.text.region_named_in(question));
        let ranked = self.rank(&normalised, region, off_topic);
        let ranked = match self.without_app_names(question, region, off_topic) {
            // `湘医保上面能不能换`: an entry on the subject in that app (its questions name the
            // app) that the rest of the question fits as well keeps the full ranking.
            Some(rest) if !Self::app_entry_fits(&ranked, &rest) => rest,
            Some(_) | None => ranked,
        };
        if self.names_other_place(question) {
            return self.other_place(ranked, region, unsure_region);
        }
        if let Some(answer) = self.disease_answer(question, &normalised, &ranked, region, diseases)
        {
            return answer;
        }
        if ranked.first().map_or(true, |(_, score)| *score < THRESHOLD) {
            if let Some(answer) = self.unlisted_disease(question, region, diseases) {
                return answer;
            }
        }
        self.decide(ranked, region, unsure_region)
    }

    /// The ranking of `question` with the region's app names taken out, when it names one and
    /// the rest is still a confident question (`湘医保怎么续期` → renewal, not the app entry).
    /// `None` keeps the full ranking when the rest names no subject of its own (`湘医保怎么下载`,
    /// `四川医保app谁都能用吗` are about the app).
    fn without_app_names(
        &self,
        question: &str,
        region: Option<&str>,
        off_topic: bool,
    ) -> Option<Vec<(usize, f32)>> {
        let rest = self.text.prepare(&self.text.without_app_words(question)?);
        if !self.text.names_subject(&rest) {
            return None;
        }
        let ranked = self.rank(&rest, region, off_topic);
        (ranked.first()?.1 >= THRESHOLD).then_some(ranked)
    }

    /// Whether the full ranking's first entry (the app name counted) is confident and also
    /// fits the question without the app name (`rest`): then it answers the subject in that app.
    fn app_entry_fits(full: &[(usize, f32)], rest: &[(usize, f32)]) -> bool {
        let Some(&(entry, score)) = full.first() else { return false };
        score >= THRESHOLD && rest.iter().any(|&(e, s)| e == entry && s >= THRESHOLD)
    }

    /// A disease no FAQ question of the region names ("尿毒症能办吗" in 邵阳): asked again with
    /// the disease as "这个病", a question about the catalogue gets the disease answer. Only
    /// tried when nothing else fits, so the matcher costs nothing on ordinary questions.
    fn unlisted_disease(
        &self,
        question: &str,
        region: Option<&str>,
        diseases: &DiseaseIndex,
    ) -> Option<Answer> {
        let named = self
            .regions
            .iter()
            .filter(|r| region.map_or(true, |id| id == r.id))
            .flat_map(|r| diseases.find(question, &r.id))
            .filter(|m| m.strong)
            .find_map(|m| m.alias.filter(|a| question.contains(a.as_str())))?;
        let general = question.replacen(&named, DISEASE_PLACEHOLDER, 1);
        let normalised = self.text.prepare(&general);
        let ranked = self.rank(&normalised, region, false);
        self.disease_answer(question, &normalised, &ranked, region, diseases)
    }

    /// The best entry if it is confident, else the not-sure reply.
    /// The first entry when confident, else "not sure" with `unsure_region`'s hotline.
    fn decide(
        &self,
        ranked: Vec<(usize, f32)>,
        region: Option<&str>,
        unsure_region: Option<&str>,
    ) -> Answer {
        match ranked.first().copied() {
            Some((entry, score)) if score >= THRESHOLD => self.confident(entry, score, region),
            best => self.not_sure(unsure_region, ranked, best.map_or(0.0, |b| b.1), false),
        }
    }

    /// Whether the question names a place other than the supported regions, and none of those.
    fn names_other_place(&self, question: &str) -> bool {
        self.places.named_in(question).is_some()
            && !self.regions.iter().any(|r| question.contains(r.name.as_str()))
    }

    /// Another place: the answer about 异地 when that is what is asked ("住在成都看病能报吗"),
    /// otherwise the entry saying which regions are supported, never a region's own rules.
    fn other_place(
        &self,
        ranked: Vec<(usize, f32)>,
        region: Option<&str>,
        unsure_region: Option<&str>,
    ) -> Answer {
        let best = ranked.first().copied();
        if let Some((entry, score)) = best {
            let topic = self.entries[entry].topic.as_deref();
            if score >= THRESHOLD && topic == Some(ELSEWHERE_TOPIC) {
                return self.confident(entry, score, region);
            }
        }
        let score = best.map_or(0.0, |b| b.1);
        match self.entries.iter().position(|e| e.id == OTHER_PLACES_ENTRY) {
            Some(entry) => self.confident(entry, score.max(THRESHOLD), None),
            None => self.not_sure(unsure_region, ranked, score, false),
        }
    }

    /// A question matching a disease-catalogue entry that names a disease: what the catalogue
    /// says about that disease in `region` (or in every region, labelled). `None` when the
    /// question is about the catalogue itself ("哪些病能办") — the entry answers that.
    fn disease_answer(
        &self,
        question: &str,
        normalised: &str,
        ranked: &[(usize, f32)],
        region: Option<&str>,
        diseases: &DiseaseIndex,
    ) -> Option<Answer> {
        let &(best, score) = ranked.first()?;
        let entry = &self.entries[best];
        if score < THRESHOLD || !DISEASE_TOPICS.contains(&entry.topic.as_deref()?) {
            return None;
        }
        let found: Vec<(&RegionInfo, Vec<DiseaseMatch>)> = self
            .regions
            .iter()
            .filter(|r| region.map_or(true, |id| id == r.id))
            .map(|r| (r, diseases.find(question, &r.id)))
            .collect();
        let nothing_found = found.iter().all(|(_, m)| m.is_empty());
        let negated = found.iter().any(|(r, _)| diseases.only_negated(question, &r.id));
        if nothing_found && (negated || self.unknown_share(normalised) < NAMES_SOMETHING) {
            return None;
        }
        let parts: Vec<(String, Vec<(String, String)>)> =
            found.iter().map(|(r, matches)| self.disease_part(r, matches)).collect();
        let mut sources: Vec<&str> = Vec::new();
        for (raw, _) in parts.iter().flat_map(|(_, s)| s) {
            if !raw.is_empty() && !sources.contains(&raw.as_str()) {
                sources.push(raw);
            }
        }
        let rendered = |(text, cited): &(String, Vec<(String, String)>)| {
            let mut titles: Vec<&str> = Vec::new();
            for (_, title) in cited {
                if !title.is_empty() && !titles.contains(&title.as_str()) {
                    titles.push(title);
                }
            }
            format!("{text}\n来源：{}", titles.join("；"))
        };
        let (id, answer) = match (region, parts.as_slice()) {
            (Some(r), [part]) => {
                (entry.id.clone(), format!("{}｜地区：{}", rendered(part), self.region_names(&[r])))
            }
            _ => {
                let labelled: Vec<String> = found
                    .iter()
                    .zip(&parts)
                    .map(|((r, _), part)| format!("【{}】\n{}", r.name, rendered(part)))
                    .collect();
                let id = entry.topic.clone().unwrap_or_else(|| entry.id.clone());
                (id, format!("各地规定不同，请看您参保的地区：\n\n{}", labelled.join("\n\n")))
            }
        };
        Some(Answer {
            id: Some(id),
            score: round(score),
            answer,
            region: region.map(str::to_string),
            source: Some(sources.join("; ")),
            suggestions: Vec::new(),
        })
    }

    /// What one region's catalogue says about the disease the question names, with the
    /// (source, cited source) pairs it rests on.
    fn disease_part(
        &self,
        region: &RegionInfo,
        matches: &[DiseaseMatch],
    ) -> (String, Vec<(String, String)>) {
        let name = &region.name;
        let ask = format!("能不能办请拨打{}咨询，以医保部门公布的目录为准。", region.hotline);
        let Some(best) = matches.first() else {
            let text = format!(
                "在我掌握的{name}门特病种资料里没有找到您说的这个病。这份资料不是完整目录，{ask}"
            );
            return (text, self.catalogue_source(&region.id));
        };
        let source_of = |m: &DiseaseMatch| {
            self.disease_sources
                .get(&(region.id.clone(), m.name.clone()))
                .cloned()
                .unwrap_or_else(|| (String::new(), String::new()))
        };
        if !best.strong {
            let names: Vec<String> =
                matches.iter().take(3).map(|m| format!("“{}”", m.name)).collect();
            let text = format!(
                "在我掌握的{name}门特病种里没有完全对上的，相近的有：{}。请对照诊断书上的病名再问我，{ask}",
                names.join("、")
            );
            return (text, matches.iter().take(3).map(source_of).collect());
        }
        let typed = best.alias.as_deref().filter(|a| *a != best.name);
        let mut text = match typed {
            Some(alias) => format!("在我掌握的{name}门特病种里，“{alias}”对应“{}”，", best.name),
            None => format!("“{}”在我掌握的{name}门特病种里，", best.name),
        };
        if best.verified {
            text.push_str("可以按这个病种申请门特认定，能否通过以医保部门审核为准。");
        } else {
            // Seen only in reference material: possibly covered, never promised.
            text.push_str(&format!("可能可以申请门特，但它是否在官方病种目录里还没有核实。{ask}"));
        }
        if let Some(note) = &best.note {
            text.push_str(&format!("\n注意：{note}。"));
        }
        (text, vec![source_of(best)])
    }

    /// Sources of `region`'s entry about the catalogue, for "not in the catalogue".
    fn catalogue_source(&self, region: &str) -> Vec<(String, String)> {
        self.entries
            .iter()
            .filter(|e| e.topic.as_deref() == Some(DISEASE_TOPICS[0]))
            .filter(|e| e.regions.iter().any(|r| r == region))
            .map(|e| (e.source.clone(), e.cited.clone()))
            .collect()
    }

    /// Entries applicable to `region`, best first, with their score: the geometric mean of
    /// (a) the cosine with the entry's closest question — how alike the whole texts are — and
    /// (b) how much of the query's weight the entry's questions and answer contain — so that a
    /// short query ("申诉找谁") still scores against a longer question, while a query whose
    /// main words are unknown (天气) does not. Entries whose questions hold less than
    /// [`MIN_CONTENT`] of the query's content are left out; `foreign` (an off-topic word in a
    /// 门特 question) weighs like an unknown word.
    fn rank(&self, normalised: &str, region: Option<&str>, foreign: bool) -> Vec<(usize, f32)> {
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
        let unknown =
            if foreign || self.text.has_unknown_word(normalised) { UNKNOWN_WORD } else { 1.0 };
        // Only generic words ("怎么办"): suggestions, never an answer.
        let vague = if self.text.is_vague(normalised) { VAGUE } else { 1.0 };
        let brevity = brevity * unknown * vague;
        let mut doc_scores = vec![0.0f32; self.doc_entry.len()];
        let mut in_questions = vec![0.0f32; self.entries.len()];
        let mut in_answer = vec![0.0f32; self.entries.len()];
        let content = self.content_shares(normalised);
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
            .filter(|e| self.entries[*e].applies_to(region) && content[*e] >= MIN_CONTENT)
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

    /// The share of the query's content characters that no FAQ question contains (感冒 in
    /// "感冒能办吗"; 比 of "居民比职工多几个病" is in 报销比例).
    fn unknown_share(&self, normalised: &str) -> f32 {
        let (mut total, mut unknown) = (0.0f32, 0.0f32);
        for feature in text::char_features(&self.text.content_of(normalised)) {
            let posting = self.postings.get(&feature).filter(|p| !p.questions.is_empty());
            let w = posting.map_or(self.unseen_idf, |p| p.idf);
            total += w;
            if posting.is_none() {
                unknown += w;
            }
        }
        if total > 0.0 {
            unknown / total
        } else {
            0.0
        }
    }

    /// For every entry, the share of the query's content (its words other than generic ones)
    /// that the entry's questions contain. Answers do not count: they hold many incidental words
    /// (12393 is in several, but no entry is about it). A query of generic words only has no
    /// content: every entry covers all of it.
    fn content_shares(&self, normalised: &str) -> Vec<f32> {
        let content = self.text.features_of_normalised(&self.text.content_of(normalised));
        let mut covered = vec![0.0f32; self.entries.len()];
        let mut total = 0.0f32;
        for (f, w) in &content {
            let posting = self.postings.get(f);
            let w = w * posting.map_or(self.unseen_idf, |p| p.idf);
            total += w;
            for e in posting.iter().flat_map(|p| &p.entry_questions) {
                covered[*e as usize] += w;
            }
        }
        if total <= 0.0 {
            return vec![1.0; self.entries.len()];
        }
        covered.iter().map(|c| c / total).collect()
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
        // One short line: short source name, region, as-of date; full titles behind /source.
        format!(
            "{}{caveat}\n来源：{}｜地区：{where_}｜截至{}",
            entry.answer.trim_end(),
            entry.cited,
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
        // The suggestions themselves are the answer's buttons (`suggestions`): every channel
        // shows them (web and Telegram as buttons, WeChat and the terminal as numbered lines),
        // so listing them in the text too showed each twice.
        if !suggestions.is_empty() {
            text.push_str("您是不是想问下面的问题？\n");
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
            // Two entries asked the same way (转人工 general and per region): one button.
            if !topics.contains(&key) && !out.contains(&entry.first_question) {
                topics.push(key);
                out.push(entry.first_question.clone());
            }
        }
        out
    }

    /// Up to `n` entries of `region` (or general ones) ranked for `query`, best first, with
    /// their first question, answer and score: the console's picker of the entry a new wording
    /// belongs to. Unlike [`FaqIndex::answer`] it applies no threshold: staff judge.
    pub fn candidates(&self, query: &str, region: Option<&str>, n: usize) -> Vec<Candidate> {
        let normalised = self.text.prepare(query);
        if normalised.trim().is_empty() {
            return Vec::new();
        }
        self.rank(&normalised, region, false)
            .into_iter()
            .filter(|(e, score)| *score > 0.0 && self.entries[*e].applies_to(region))
            .take(n)
            .map(|(e, score)| {
                let entry = &self.entries[e];
                Candidate {
                    id: entry.id.clone(),
                    question: entry.first_question.clone(),
                    answer: entry.answer.clone(),
                    score: round(score),
                }
            })
            .collect()
    }

    /// Ids of every indexed entry (for coverage tests and tools).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }
}

fn round(score: f32) -> f64 {
    (f64::from(score.clamp(0.0, 1.0)) * 1000.0).round() / 1000.0
}

impl Entry {
    fn new(e: &FaqEntry, citations: &Citations) -> Entry {
        Entry {
            id: e.id.clone(),
            regions: e.regions.clone(),
            topic: e.topic.clone(),
            first_question: e.questions.first().cloned().unwrap_or_default(),
            answer: e.answer.clone(),
            source: e.source.clone(),
            cited: citations.cite_short(&e.source),
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

/// Places other than the supported regions, leaving out any that a region's name or words, or
/// a region's own FAQ entries, contain (四川 of 四川医保; a place the FAQ talks about is not
/// somewhere else).
fn other_places(content: &Content, regions: &[RegionInfo]) -> Places {
    let vocab = &content.faq_vocabulary;
    let region_words: Vec<&str> = regions
        .iter()
        .map(|r| r.name.as_str())
        .chain(vocab.regions.values().flatten().map(String::as_str))
        .collect();
    let regional_text: Vec<&str> = content
        .faq
        .iter()
        .filter(|e| !e.regions.is_empty())
        .flat_map(|e| e.questions.iter().chain(std::iter::once(&e.answer)))
        .map(String::as_str)
        .collect();
    Places::new(content.faq_vocabulary.other_places.values().flatten(), |place| {
        region_words.iter().any(|w| w.contains(place) || place.contains(w))
            || regional_text.iter().any(|t| t.contains(place))
    })
}
