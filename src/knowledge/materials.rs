//! The materials checklist for an application, tailored to region, insurance type and disease
//! (region data plus the disease's extra materials). Used by the engine's `materials` action.
//!
//! The lists come only from the region files and the disease catalogue, so staff correct them
//! in YAML; this module only puts them in order and names where they come from.

use crate::content::Content;

/// What to bring or upload, with where the list comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checklist {
    /// One line per item, in the order an applicant gathers them.
    pub items: Vec<String>,
    /// Sources of the list (seed file names, research notes).
    pub sources: Vec<String>,
}

/// The checklist for `region` (`insurance`: `employee` / `resident`; `disease`: catalogue name).
/// Empty when the region is unknown. An unknown insurance type or disease only leaves out
/// what depends on it.
pub fn checklist(
    content: &Content,
    region: &str,
    insurance: Option<&str>,
    disease: Option<&str>,
) -> Checklist {
    let Some(data) = content.regions.get(region) else { return Checklist::default() };
    let materials = &data.materials;
    let mut list = Checklist::default();
    add_all(&mut list.items, &materials.base);
    match insurance {
        Some("employee") => add_all(&mut list.items, &materials.employee),
        Some("resident") => add_all(&mut list.items, &materials.resident),
        _ => {}
    }
    add_source(&mut list.sources, materials.source.as_deref());
    if let Some(d) = disease.and_then(|name| content.diseases.find(region, name)) {
        add_all(&mut list.items, &d.extra_materials);
        // The document the extra item comes from, bare: the disease's notes (where its name
        // or aliases come from) say nothing about materials, and pushed the checklist past one
        // screen (play-test round 11, P1).
        if let Some(first) = parts(&d.source).first().filter(|_| !d.extra_materials.is_empty()) {
            add_source(&mut list.sources, Some(bare(first)));
        }
    }
    list
}

/// Appends items not already listed (a disease may repeat a base item).
fn add_all(items: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !items.contains(item) {
            items.push(item.clone());
        }
    }
}

/// Adds each part of a `source:` value once; a document cited bare and again with a note
/// (`seed 001` and `seed 001（血透需照片）`) is cited once, with the note (one source line
/// naming the same document twice pushed the checklist past one screen).
fn add_source(sources: &mut Vec<String>, source: Option<&str>) {
    let Some(source) = source else { return };
    for part in parts(source) {
        if !sources.iter().any(|x| x == part) {
            sources.push(part.to_string());
        }
    }
    let noted = |bare: &str, other: &str| {
        other.strip_prefix(bare).is_some_and(|rest| rest.starts_with(['（', '(']))
    };
    let all = sources.clone();
    sources.retain(|s| !all.iter().any(|o| noted(s, o)));
}

/// A source without its note in brackets (`seed 000（血透需照片）` → `seed 000`).
fn bare(source: &str) -> &str {
    source.split(['（', '(']).next().unwrap_or(source).trim()
}

/// The parts of a `source:` value: split at `；`/`;` outside brackets (a note in brackets may
/// hold one: `seed 001（慢性肾功能衰竭；血透需照片）`).
fn parts(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in source.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            '；' | ';' if depth == 0 => {
                out.push(source[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(source[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        crate::content::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn dialysis_in_panzhihua_adds_a_recent_photo() {
        let c = content();
        let base = checklist(&c, "panzhihua", Some("employee"), Some("高血压"));
        let dialysis = checklist(&c, "panzhihua", Some("employee"), Some("慢性肾功能衰竭(透析)"));
        assert!(!base.items.iter().any(|i| i.contains("免冠照片")));
        assert!(dialysis.items.iter().any(|i| i.contains("免冠照片")));
        assert!(dialysis.items.iter().any(|i| i.contains("诊断证明")));
        assert!(!dialysis.sources.is_empty());
    }

    #[test]
    fn regions_get_their_own_list() {
        let c = content();
        let shaoyang = checklist(&c, "shaoyang", None, None);
        assert!(shaoyang.items.iter().any(|i| i.contains("湘医保")));
        assert!(!shaoyang.items.iter().any(|i| i.contains("四川")));
        assert_eq!(checklist(&c, "chengdu", None, None), Checklist::default());
    }

    #[test]
    fn a_document_cited_bare_and_with_a_note_is_cited_once_with_the_note() {
        let mut sources = Vec::new();
        add_source(&mut sources, Some("seed 001"));
        add_source(
            &mut sources,
            Some("seed 001（慢性肾功能衰竭；血透需照片）；policy_research.md（Q-REF）"),
        );
        assert_eq!(
            sources,
            ["seed 001（慢性肾功能衰竭；血透需照片）", "policy_research.md（Q-REF）"]
        );
    }
}
