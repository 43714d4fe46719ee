//! Disease matcher quality on the labelled dev set (`tests/devset/diseases.tsv`): top-1 accuracy
//! per category is printed; the test fails below 97% overall, below 93% in any category, when a
//! query that must match nothing (感冒, 骨折 …) gets a candidate, or when rows of a category are
//! deleted.

use std::collections::BTreeMap;
use std::path::Path;

use mente::assistant::Assistant;

const REGIONS: [&str; 2] = ["panzhihua", "shaoyang"];

struct Case {
    category: String,
    query: String,
    /// Expected top-1 per region; `None` = must match nothing.
    expected: [Option<String>; 2],
}

fn devset() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/devset/diseases.tsv");
    let text = std::fs::read_to_string(path).expect("dev set readable");
    let expect = |s: &str| (s != "-").then(|| s.to_string());
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "dev set line needs 4 tab-separated columns: {l}");
            Case {
                category: cols[0].into(),
                query: cols[1].into(),
                expected: [expect(cols[2]), expect(cols[3])],
            }
        })
        .collect()
}

fn assistant() -> Assistant {
    Assistant::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("content loads")
}

/// Queries per category as of the last review: deleting hard rows (typos, pinyin, initials,
/// must-match-nothing) fails here even when the total stays above a round number.
const ROWS: [(&str, usize); 8] = [
    ("colloquial", 33),
    ("exact", 10),
    ("homophone", 12),
    ("initials", 8),
    ("none", 24),
    ("pinyin", 18),
    ("sentence", 19),
    ("typo", 14),
];
/// Measured 100% overall and in every category (2026-11-28); a few points under it.
const OVERALL_FLOOR: f64 = 0.97;
/// Per category: the smallest (initials, 8 queries × 2 regions) may lose one pair.
const CATEGORY_FLOOR: f64 = 0.93;

#[test]
fn dev_set_is_big_and_varied_enough() {
    let cases = devset();
    for (category, at_least) in ROWS {
        let n = cases.iter().filter(|c| c.category == category).count();
        assert!(n >= at_least, "{category}: {n} queries, expected at least {at_least}");
    }
    let nothing = cases.iter().filter(|c| c.expected.iter().all(Option::is_none)).count();
    assert!(nothing >= 24, "{nothing} must-match-nothing queries");
}

#[test]
fn top1_accuracy_is_at_least_97_percent_overall_and_93_percent_per_category() {
    let assistant = assistant();
    // category → (right, total)
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut false_matches = Vec::new();
    for case in devset() {
        for (region, expected) in REGIONS.iter().zip(&case.expected) {
            let matches = assistant.knowledge.match_disease(&case.query, region);
            let top = matches.first().map(|m| m.name.as_str());
            let entry = tally.entry(case.category.clone()).or_default();
            entry.1 += 1;
            if top == expected.as_deref() {
                entry.0 += 1;
            } else if expected.is_none() {
                false_matches.push(format!("{region}: {} → {:?}", case.query, top));
            } else {
                wrong
                    .push(format!("{region}: {} → {:?}, expected {:?}", case.query, top, expected));
            }
        }
    }
    let (mut right, mut total) = (0, 0);
    let mut weak = Vec::new();
    for (category, (r, t)) in &tally {
        let share = *r as f64 / *t as f64;
        println!("{category:<12} {r:>3}/{t:<3} {:.1}%", 100.0 * share);
        if share < CATEGORY_FLOOR {
            weak.push(format!("{category} {r}/{t}"));
        }
        right += r;
        total += t;
    }
    let accuracy = right as f64 / total as f64;
    println!("{:<12} {right:>3}/{total:<3} {:.1}%", "all", 100.0 * accuracy);
    for w in &wrong {
        println!("wrong: {w}");
    }
    assert!(false_matches.is_empty(), "must match nothing, but matched: {false_matches:#?}");
    assert!(accuracy >= OVERALL_FLOOR, "top-1 accuracy {:.1}%: {wrong:#?}", 100.0 * accuracy);
    assert!(weak.is_empty(), "categories below {CATEGORY_FLOOR}: {weak:?}\n{wrong:#?}");
}

#[test]
fn matches_carry_alias_score_and_notes_users_need() {
    let assistant = assistant();
    let k = &assistant.knowledge;
    let uremia = &k.match_disease("尿毒症", "panzhihua")[0];
    assert_eq!(uremia.alias.as_deref(), Some("尿毒症"));
    assert!(uremia.strong);
    assert!(uremia.note.as_deref().unwrap_or("").contains("免冠照片"), "{uremia:?}");
    let palsy = &k.match_disease("脑瘫", "shaoyang")[0];
    assert!(palsy.note.as_deref().unwrap_or("").contains("城乡居民"), "{palsy:?}");
    let unverified = &k.match_disease("冠心病", "shaoyang")[0];
    assert!(unverified.note.as_deref().unwrap_or("").contains("以当地医保部门最新公布为准"));
    // A vague typed answer is offered, not accepted.
    for text in ["关节炎", "甲状腺", "心脏病"] {
        let vague = k.match_disease(text, "shaoyang");
        assert!(!vague.is_empty() && !vague[0].strong, "{text}: {vague:?}");
    }
    // Ranked best first.
    let ranked = k.match_disease("高雪压", "panzhihua");
    assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score), "{ranked:?}");
    assert!(k.match_disease("糖尿病", "chengdu").is_empty());
}

#[test]
fn pinyin_inside_a_sentence_matches_only_whole_syllables() {
    let k = assistant().knowledge;
    // shang chuan shen me holds "huanshen" (换肾) across syllables: no disease was named.
    for text in ["要上传什么", "上传什么"] {
        let found = k.match_disease(text, "shaoyang");
        assert!(found.iter().all(|m| !m.strong), "{text}: {found:?}");
    }
    // Pinyin typed in letters, and homophones, still find the disease.
    assert_eq!(k.match_disease("wo you tangniaobing", "panzhihua")[0].name, "糖尿病");
    assert_eq!(k.match_disease("我妈做了换肾", "shaoyang")[0].name, "器官移植抗排异治疗");
}
