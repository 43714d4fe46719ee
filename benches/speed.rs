//! Speed figures (a bench binary, not a test): loading + indexing all content, disease matching
//! queries per second, and FAQ queries per second. Run with `cargo bench --bench speed`; the
//! figures go into README. Single-threaded, so the numbers are per core.
//!
//! Goals (issue 2): loading < 50 ms, disease matching ≥ 100,000 q/s, FAQ ≥ 20,000 q/s.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mente::assistant::Assistant;

const REGIONS: [&str; 2] = ["panzhihua", "shaoyang"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    let assistant = load_bench(&root());
    disease_bench(&assistant);
    // ---- FAQ: the FAQ work adds its measurement in `faq_bench` below. ----
    faq_bench(&assistant);
}

/// Loading, validating and indexing all content, as at start-up.
fn load_bench(root: &Path) -> Assistant {
    let mut times = Vec::new();
    let mut assistant = None;
    for _ in 0..20 {
        let start = Instant::now();
        let loaded = Assistant::load(root).expect("content loads");
        times.push(start.elapsed());
        assistant = Some(black_box(loaded));
    }
    times.sort();
    println!(
        "load + index all content: median {:.2} ms, min {:.2} ms (20 runs; goal < 50 ms)",
        ms(times[times.len() / 2]),
        ms(times[0])
    );
    assistant.expect("loaded at least once")
}

/// Disease matching over the dev-set queries, each in both regions.
fn disease_bench(assistant: &Assistant) {
    let queries = devset_queries();
    let run = |q: &str, r: &str| black_box(assistant.knowledge.match_disease(q, r)).len();
    let per_round = queries.len() * REGIONS.len();
    let (rounds, elapsed) = repeat_for(Duration::from_secs(2), || {
        for q in &queries {
            for r in REGIONS {
                run(q, r);
            }
        }
    });
    let qps = (rounds * per_round) as f64 / elapsed.as_secs_f64();
    println!(
        "disease matching: {:.0} queries/s ({} dev-set queries × {} regions, {rounds} rounds; goal ≥ 100,000)",
        qps,
        queries.len(),
        REGIONS.len()
    );
}

/// FAQ answering q/s over the FAQ dev set (answered, not-sure, off-topic; with the region each
/// row gives, or none).
fn faq_bench(assistant: &Assistant) {
    let text = std::fs::read_to_string(root().join("tests/devset/questions.tsv")).expect("dev set");
    let queries: Vec<(String, Option<String>)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("region\t"))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let region = cols.next()?;
            let question = cols.next()?;
            Some((question.to_string(), (region != "-").then(|| region.to_string())))
        })
        .collect();
    let (rounds, elapsed) = repeat_for(Duration::from_secs(2), || {
        for (q, region) in &queries {
            black_box(assistant.knowledge.answer(black_box(q), region.as_deref()));
        }
    });
    let qps = (rounds * queries.len()) as f64 / elapsed.as_secs_f64();
    println!(
        "FAQ answering: {qps:.0} queries/s ({} dev-set questions, {rounds} rounds; goal ≥ 20,000)",
        queries.len()
    );
}

/// Runs `round` until `budget` has passed; returns the rounds run and the time taken.
fn repeat_for(budget: Duration, mut round: impl FnMut()) -> (usize, Duration) {
    round(); // warm-up
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < budget {
        round();
        rounds += 1;
    }
    (rounds, start.elapsed())
}

fn devset_queries() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/devset/diseases.tsv"))
        .expect("tests/devset/diseases.tsv readable");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(1).map(str::to_string))
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
