fn main() {
    faq_speed();
}

// ---- FAQ answering speed (issue 2, `mente ask`): owned by the FAQ work -------------------
/// FAQ queries per second on one thread over a mix of dev-set questions (answered, not-sure,
/// off-topic, with and without a region). Goal: ≥ 20,000 q/s.
fn faq_speed() {
    use std::time::Instant;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let assistant = mente::assistant::Assistant::load(root).expect("content loads");
    println!("faq: content loaded and indexed in {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let text = std::fs::read_to_string(root.join("tests/devset/questions.tsv")).expect("dev set");
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
    let rounds = 200;
    let started = Instant::now();
    let mut answered = 0usize;
    for _ in 0..rounds {
        for (q, region) in &queries {
            let answer = assistant.knowledge.answer(std::hint::black_box(q), region.as_deref());
            answered += usize::from(answer.id.is_some());
        }
    }
    let n = rounds * queries.len();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "faq: {n} queries in {secs:.2} s = {:.0} queries/s (goal ≥ 20000; {answered} confident)",
        n as f64 / secs
    );
}
