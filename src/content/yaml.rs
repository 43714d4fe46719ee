//! YAML helpers shared by the content parsers: typed parsing with line numbers, and finding the
//! line where a value is defined (serde_yaml gives locations for syntax errors only, so
//! cross-reference problems are located by searching the source text).

use serde::de::DeserializeOwned;

use super::{Diagnostic, SourceFile};

/// Parses `file` as `T`; on failure records a diagnostic with the line serde_yaml reports.
pub fn parse<T: DeserializeOwned>(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<T> {
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
    fn finds_the_line_of_a_key_value() {
        let text = "steps:\n  - id: start\n    say: hi\n  - id: \"end\"\n";
        assert_eq!(line_of(text, "id", "start"), 2);
        assert_eq!(line_of(text, "id", "end"), 4);
        assert_eq!(line_of(text, "id", "missing"), 1);
    }
}
