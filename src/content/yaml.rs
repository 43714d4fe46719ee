//! YAML helpers shared by the content parsers: typed parsing with line numbers, and finding the
//! line where a value is defined (serde_yaml gives locations for syntax errors only, so
//! cross-reference problems are located by searching the source text).

use serde::de::DeserializeOwned;

use super::{Diagnostic, SourceFile};

/// Parses `file` as `T`; on failure records a diagnostic with the line serde_yaml reports.
pub fn parse<T: DeserializeOwned>(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<T> {
    // serde_yaml reports a control character (a NUL from a bad copy-paste) at line 1 with a byte
    // position; staff need the real line.
    if let Some(diag) = control_character(file) {
        diags.push(diag);
        return None;
    }
    match serde_yaml::from_str::<T>(&file.text) {
        Ok(value) => Some(value),
        Err(err) => {
            let line = err.location().map(|l| l.line()).unwrap_or(1);
            diags.push(Diagnostic::new(
                &file.path,
                line,
                format!("YAML: {}", strip_location(&err)),
            ));
            None
        }
    }
}

/// A diagnostic for the first character YAML does not allow (C0/C1 controls other than tab
/// and line ends), or that YAML reads as a line break although editors and `file:line`
/// numbering do not agree on it (a lone CR, NEL, U+2028, U+2029) — every line number after it
/// would be off. Reported at its line (counted in LF) and column.
fn control_character(file: &SourceFile) -> Option<Diagnostic> {
    file.text.lines().enumerate().find_map(|(i, line)| {
        let (column, c) = line.chars().enumerate().find(|&(_, c)| {
            (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}')
        })?;
        let what = if matches!(c, '\r' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            "is a line break only YAML sees; use plain line ends (LF or CRLF)"
        } else {
            "is not allowed in YAML; delete it"
        };
        let message = format!("character U+{:04X} at column {} {what}", c as u32, column + 1);
        Some(Diagnostic::new(&file.path, i + 1, message))
    })
}

/// serde_yaml appends " at line X column Y" to its messages; we already print the line.
fn strip_location(err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The 1-based line of the first line containing `key: value` (value optionally quoted),
/// or of the first line containing `needle` when it is not a key. 1 when nothing matches.
pub fn line_of(text: &str, key: &str, value: &str) -> usize {
    let plain = format!("{key}: {value}");
    let dq = format!("{key}: \"{value}\"");
    let sq = format!("{key}: '{value}'");
    let found = text.lines().position(|l| {
        let t = l.trim_start().trim_start_matches("- ");
        t.starts_with(&plain) || t.starts_with(&dq) || t.starts_with(&sq)
    });
    match found {
        Some(i) => i + 1,
        None => line_containing(text, value),
    }
}

/// The 1-based line of the first line containing `needle`, or 1.
pub fn line_containing(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or(1)
}

/// Whether `line` defines `key: value` (also as a list item `- key: value`, value optionally
/// quoted, optionally followed by a `#` comment).
pub fn is_key_value(line: &str, key: &str, value: &str) -> bool {
    let Some(rest) = value_after_key(line, key) else { return false };
    let rest = match rest.find(" #") {
        Some(i) => rest[..i].trim_end(),
        None => rest,
    };
    rest == value
        || rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) == Some(value)
        || rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) == Some(value)
}

/// The text after `key:` when `line` defines `key` (as a mapping key or list item), trimmed.
pub fn value_after_key<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let mut t = line.trim_start();
    while let Some(rest) = t.strip_prefix("- ") {
        t = rest.trim_start();
    }
    let t = t
        .strip_prefix(key)
        .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
        .or_else(|| t.strip_prefix(&format!("'{key}'")))?;
    let rest = t.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim())
}

/// The 1-based line numbers of list items `- key: value`, one per value and in order: each
/// is searched after the previous one, so repeated values (duplicate ids) get their own line.
/// Only indented lines or `- ` items count, so a top-level `key:` of the file is skipped.
/// A value that is not found gets the line of the previous item (or 1).
pub fn item_lines(text: &str, key: &str, values: &[&str]) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::with_capacity(values.len());
    let mut from = 0;
    for value in values {
        let hit = (from..lines.len()).find(|&i| {
            let l = lines[i];
            (l.starts_with(' ') || l.starts_with("- ")) && is_key_value(l, key, value)
        });
        match hit {
            Some(i) => {
                found.push(i + 1);
                from = i + 1;
            }
            None => found.push(from.max(1)),
        }
    }
    found
}

/// The 1-based line of the first line in `from..to` (1-based, `to` exclusive) for which `pred`
/// holds.
pub fn find_line(text: &str, from: usize, to: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .take(to.saturating_sub(from.max(1)))
        .find(|(_, l)| pred(l))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_their_line() {
        let file = SourceFile { path: "x.yaml".into(), text: "a: 1\nb: [1, 2\nc: 3\n".into() };
        let mut diags = Vec::new();
        let parsed: Option<serde_yaml::Value> = parse(&file, &mut diags);
        assert!(parsed.is_none());
        assert_eq!(diags.len(), 1);
        assert!(diags[0].line >= 2, "{:?}", diags[0]);
        assert!(!diags[0].message.contains(" at line "));
    }

    #[test]
    fn a_nul_byte_is_reported_at_its_line() {
        let file = SourceFile { path: "x.yaml".into(), text: "a: 1\nb: 2\nc: x\0y\n".into() };
        let mut diags = Vec::new();
        let parsed: Option<serde_yaml::Value> = parse(&file, &mut diags);
        assert!(parsed.is_none());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].line, 3, "{:?}", diags[0]);
    }

    #[test]
    fn line_breaks_only_yaml_sees_are_reported_where_editors_see_them() {
        for odd in ['\r', '\u{85}', '\u{2028}', '\u{2029}'] {
            let text = format!("a: 1\nb: x{odd}c\nd: [\n");
            let file = SourceFile { path: "x.yaml".into(), text };
            let mut diags = Vec::new();
            assert!(parse::<serde_yaml::Value>(&file, &mut diags).is_none());
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(diags[0].line, 2, "{:?}", diags[0]);
        }
        let crlf = SourceFile { path: "x.yaml".into(), text: "a: 1\r\nb: 2\r\n".into() };
        assert!(parse::<serde_yaml::Value>(&crlf, &mut Vec::new()).is_some(), "CRLF is fine");
    }

    #[test]
    fn finds_the_line_of_a_key_value() {
        let text = "steps:\n  - id: start\n    say: hi\n  - id: \"end\"\n";
        assert_eq!(line_of(text, "id", "start"), 2);
        assert_eq!(line_of(text, "id", "end"), 4);
        assert_eq!(line_of(text, "id", "missing"), 1);
    }

    #[test]
    fn list_items_are_found_in_order_even_when_repeated() {
        let text = "id: a\nsteps:\n  - id: a\n    next: b\n  - id: 'b' # x\n  - id: a\n";
        assert_eq!(item_lines(text, "id", &["a", "b", "a"]), vec![3, 5, 6]);
        assert_eq!(find_line(text, 3, 5, |l| is_key_value(l, "next", "b")), Some(4));
        assert_eq!(find_line(text, 5, 7, |l| is_key_value(l, "next", "b")), None);
        assert_eq!(value_after_key("    - label: \"\"", "label"), Some("\"\""));
        assert_eq!(value_after_key("    labels: x", "label"), None);
    }
}
