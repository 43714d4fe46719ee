//! Readable names for the sources content cites (`data/sources/*.yaml`). Staff write short ids
//! such as `seed 001` in `source:` fields so the link to the document stays checkable; users
//! are shown a title instead of a file name.

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// Source id → title pairs, longest id first so `seed 001_….txt` wins over `seed 001`.
#[derive(Debug, Clone, Default)]
pub struct Citations {
    pairs: Vec<(String, String)>,
    /// Source id → short name for the one-line source under an answer (title when none).
    short: Vec<(String, String)>,
    /// One (shortest id, title) per listed document, in file order: what the console offers
    /// as the source of a new entry.
    documents: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    title: String,
    /// A few characters for the source line under an answer; the title stays behind /source.
    #[serde(default)]
    short: Option<String>,
    keys: Vec<String>,
}

impl Citations {
    /// `raw` with every known source id replaced by its title.
    pub fn cite(&self, raw: &str) -> String {
        replace_ids(&self.pairs, raw)
    }

    /// One (id, title) per listed document, in file order; the id is its shortest key.
    pub fn documents(&self) -> &[(String, String)] {
        &self.documents
    }

    /// `raw` with every known source id replaced by its short name (for the line under an
    /// answer that must fit one phone screen; [`Citations::cite`] gives the full title).
    pub fn cite_short(&self, raw: &str) -> String {
        replace_ids(&self.short, raw)
    }
}

fn replace_ids(pairs: &[(String, String)], raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    'scan: while !rest.is_empty() {
        for (key, title) in pairs {
            if let Some(after) = rest.strip_prefix(key.as_str()) {
                out.push_str(title);
                rest = after;
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        out.extend(chars.next());
        rest = chars.as_str();
    }
    out
}

impl Citations {
    /// Whether every part of a `source:` value (parts separated by `;` or `；`) names a known
    /// source id, e.g. `seed 001；policy_research.md（Q-MED）`. An id must end at a word
    /// boundary, so a misspelt `seed 0001` is not taken for `seed 000`.
    pub fn names_known_sources(&self, raw: &str) -> bool {
        source_parts(raw).all(|part| self.pairs.iter().any(|(key, _)| contains_id(part, key)))
    }
}

/// The parts of a `source:` value separated by `;` or `；` outside brackets: a remark in
/// brackets such as `（慢性肾功能衰竭；血透需照片）` belongs to the part before it.
fn source_parts(raw: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    raw.split(move |c| {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            _ => {}
        }
        depth <= 0 && matches!(c, ';' | '；')
    })
}

/// Whether `text` contains `id` not directly followed by more of an id (letters, digits, `_`, `.`).
fn contains_id(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(at, _)| {
        !text[at + id.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    })
}

/// Stage 2: every `source:` / `sources:` value in FAQ, region and disease files names a source
/// listed in `data/sources/`, so that users are shown a title and not a typo. Skipped when no
/// source ids loaded at all (a broken titles file is reported on its own).
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    if content.citations.pairs.is_empty() {
        return;
    }
    let files = sources.faq.iter().chain(&sources.regions).chain(&sources.diseases);
    for file in files {
        for (line, value) in source_values(&file.text) {
            if !content.citations.names_known_sources(value) {
                diags.push(Diagnostic::new(
                    &file.path,
                    line,
                    format!(
                        "unknown source id in {value:?}; fix the spelling or add the id to data/sources/titles.yaml"
                    ),
                ));
            }
        }
    }
}

/// `(line, value)` of every `source: X` and of every item of a `sources:` list (block or
/// `[a, b]` flow style), quotes removed.
fn source_values(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut in_list: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(list_indent) = in_list {
            match line.trim_start().strip_prefix("- ") {
                Some(item) if indent >= list_indent => {
                    found.push((i + 1, unquote(item)));
                    continue;
                }
                _ if line.trim().is_empty() || line.trim_start().starts_with('#') => continue,
                _ => in_list = None,
            }
        }
        if let Some(value) = yaml::value_after_key(line, "source") {
            if !value.is_empty() && !value.starts_with(['|', '>']) {
                found.push((i + 1, unquote(value)));
            }
        } else if let Some(value) = yaml::value_after_key(line, "sources") {
            match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                Some(items) => found.extend(items.split(',').map(|v| (i + 1, unquote(v)))),
                None if value.is_empty() => in_list = Some(indent),
                None => {}
            }
        }
    }
    found.retain(|(_, v)| !v.is_empty());
    found
}

/// `v` without a trailing `# comment` and surrounding quotes.
fn unquote(v: &str) -> &str {
    let v = v.find(" #").map_or(v, |i| &v[..i]).trim();
    v.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
        .unwrap_or(v)
}

/// Stage 1: parses every titles file; an id given twice or an empty id is a problem.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Citations {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut short: Vec<(String, String)> = Vec::new();
    let mut documents: Vec<(String, String)> = Vec::new();
    for file in files {
        let Some(entries) = yaml::parse::<Vec<Entry>>(file, diags) else { continue };
        for entry in entries {
            let shortest =
                entry.keys.iter().filter(|k| !k.trim().is_empty()).min_by_key(|k| k.len());
            if let Some(key) = shortest.filter(|_| !entry.title.trim().is_empty()) {
                documents.push((key.clone(), entry.title.clone()));
            }
            for key in entry.keys {
                let line = yaml::line_of(&file.text, "keys", &key);
                if key.trim().is_empty() || entry.title.trim().is_empty() {
                    diags.push(Diagnostic::new(&file.path, line, "empty source id or title"));
                } else if pairs.iter().any(|(k, _)| *k == key) {
                    diags.push(Diagnostic::new(
                        &file.path,
                        line,
                        format!("source id {key:?} is given twice"),
                    ));
                } else {
                    let name = entry.short.clone().unwrap_or_else(|| entry.title.clone());
                    short.push((key.clone(), name));
                    pairs.push((key, entry.title.clone()));
                }
            }
        }
    }
    pairs.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    short.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    Citations { pairs, short, documents }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_id_wins_and_unknown_text_is_kept() {
        let file = SourceFile {
            path: "data/sources/titles.yaml".into(),
            text: "- title: 甲文件\n  keys: [\"seed 1\", \"seed 1_x.txt\"]\n- title: 笔记\n  keys: [notes.md]\n"
                .into(),
        };
        let mut diags = Vec::new();
        let c = parse_all(&[file], &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.cite("seed 1_x.txt; notes.md（Q-MED）"), "甲文件; 笔记（Q-MED）");
        assert_eq!(c.cite("seed 1"), "甲文件");
        assert_eq!(c.cite("官方通知"), "官方通知");
    }

    #[test]
    fn every_part_of_a_source_must_name_a_known_id() {
        let c = Citations {
            pairs: vec![
                ("seed 000".into(), "甲".into()),
                ("policy_research.md".into(), "乙".into()),
            ],
            short: vec![],
            documents: vec![],
        };
        assert!(c.names_known_sources("seed 000（材料清单）；别名见 policy_research.md（Q-REF）"));
        assert!(!c.names_known_sources("seed 0001"), "an id must end at a boundary");
        assert!(!c.names_known_sources("seed 000; seed 009"), "each part is checked");
        assert!(
            c.names_known_sources("seed 000（甲；乙）；policy_research.md"),
            "remarks in brackets"
        );
        assert!(!c.names_known_sources("polciy_research.md"));
    }

    #[test]
    fn source_values_are_found_with_their_lines() {
        let text = "id: x\nsources:\n  - seed 000（a）\n  - 'b'\nunknown: []\nfaq:\n  - source: c # n\n    sources: [d, \"e\"]\n";
        let found = source_values(text);
        assert_eq!(found, vec![(3, "seed 000（a）"), (4, "b"), (7, "c"), (8, "d"), (8, "e")]);
    }

    #[test]
    fn an_id_given_twice_is_reported() {
        let file = SourceFile {
            path: "data/sources/titles.yaml".into(),
            text: "- title: 甲\n  keys: [a]\n- title: 乙\n  keys: [a]\n".into(),
        };
        let mut diags = Vec::new();
        parse_all(&[file], &mut diags);
        assert_eq!(diags.len(), 1);
        assert!(diags[0].to_string().starts_with("data/sources/titles.yaml:"), "{}", diags[0]);
    }
}
