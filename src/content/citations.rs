//! Readable names for the sources content cites (`data/sources/*.yaml`). Staff write short ids
//! such as `seed 001` in `source:` fields so the link to the document stays checkable; users
//! are shown a title instead of a file name.

use serde::Deserialize;

use super::{yaml, Diagnostic, SourceFile};

/// Source id → title pairs, longest id first so `seed 001_….txt` wins over `seed 001`.
#[derive(Debug, Clone, Default)]
pub struct Citations {
    pairs: Vec<(String, String)>,
    /// Source id → short name for the one-line source under an answer (title when none).
    short: Vec<(String, String)>,
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

/// Stage 1: parses every titles file; an id given twice or an empty id is a problem.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Citations {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut short: Vec<(String, String)> = Vec::new();
    for file in files {
        let Some(entries) = yaml::parse::<Vec<Entry>>(file, diags) else { continue };
        for entry in entries {
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
    Citations { pairs, short }
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
