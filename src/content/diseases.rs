//! Disease catalogue (`data/diseases/*.yaml`): names, aliases and colloquial names per region,
//! resident-only flag, extra materials, `verified` flag and source.
//!
//! One file per region (`region: shaoyang`). Names and aliases must be unique within a region,
//! because the matcher's fast path maps each spelling to exactly one disease. Entries that are
//! not from an official list carry `verified: false`, and users are told so.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// The catalogue: diseases per region id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Region id → diseases of that region.
    pub by_region: BTreeMap<String, Vec<Disease>>,
}

/// One catalogue disease.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disease {
    /// Catalogue-style name, e.g. 慢性肾功能衰竭(透析).
    pub name: String,
    /// Other names people use (尿毒症, 透析 …).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Only for 城乡居民 (resident) insurance.
    #[serde(default)]
    pub resident_only: bool,
    /// Materials needed on top of the usual list (e.g. a recent photo for dialysis).
    #[serde(default)]
    pub extra_materials: Vec<String>,
    /// From an official list (`false`: seen only in news or reference material).
    #[serde(default)]
    pub verified: bool,
    /// Where this entry comes from.
    pub source: String,
    /// Anything the user should know.
    #[serde(default)]
    pub note: Option<String>,
    /// What only 城乡居民 need to know (e.g. no stacking with the 两病 scheme): never shown to
    /// someone who said they have 职工医保.
    #[serde(default)]
    pub resident_note: Option<String>,
    /// Said when the user names the disease more loosely than the catalogue (高血压 for
    /// 高血压病3级): which form of it the catalogue lists.
    #[serde(default)]
    pub loose_name_note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    region: String,
    diseases: Vec<Disease>,
}

/// Stage 1: parses every catalogue file (one region per file).
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Catalogue {
    let mut catalogue = Catalogue::default();
    for file in files {
        if let Some(raw) = yaml::parse::<RawFile>(file, diags) {
            catalogue.by_region.entry(raw.region).or_default().extend(raw.diseases);
        }
    }
    catalogue
}

impl Catalogue {
    /// The diseases of `region` (empty for an unknown region).
    pub fn region(&self, region: &str) -> &[Disease] {
        self.by_region.get(region).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The disease called `name` in `region`.
    pub fn find(&self, region: &str, name: &str) -> Option<&Disease> {
        self.region(region).iter().find(|d| d.name == name)
    }
}

impl Disease {
    /// The name followed by the aliases: every spelling that identifies this disease.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// The form spellings are compared in: full-width letters and digits made half-width, ASCII
/// lower-cased, everything but letters and digits (spaces, punctuation, brackets) dropped.
/// The matcher folds queries the same way, so two aliases that fold alike are duplicates.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Stage 2: the region exists, and no name or alias is used twice within a region (the matcher
/// would not know which disease is meant).
pub fn validate(content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    // Spelling (normalised) → (region, disease, file) of its first use.
    let mut seen: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for file in &sources.diseases {
        // Files that did not parse were reported in stage 1.
        let Ok(raw) = serde_yaml::from_str::<RawFile>(&file.text) else { continue };
        if !super::regions::is_known(content, sources, &raw.region) {
            let known: Vec<&str> = content.regions.keys().map(String::as_str).collect();
            diags.push(Diagnostic::new(
                &file.path,
                yaml::line_of(&file.text, "region", &raw.region),
                format!("unknown region `{}` (known: {})", raw.region, known.join(", ")),
            ));
        }
        for disease in &raw.diseases {
            check_disease(file, &raw.region, disease, &mut seen, diags);
        }
    }
}

fn check_disease(
    file: &SourceFile,
    region: &str,
    disease: &Disease,
    seen: &mut BTreeMap<(String, String), (String, String)>,
    diags: &mut Vec<Diagnostic>,
) {
    let name_line = yaml::line_of(&file.text, "name", &disease.name);
    if disease.source.trim().is_empty() {
        diags.push(Diagnostic::new(
            &file.path,
            name_line,
            format!("{}: source is empty", disease.name),
        ));
    }
    for spelling in disease.spellings() {
        let key = fold(spelling);
        let line = if spelling == disease.name {
            name_line
        } else {
            line_of_alias(&file.text, name_line, spelling)
        };
        if key.is_empty() {
            diags.push(Diagnostic::new(
                &file.path,
                line,
                format!("{}: empty name or alias", disease.name),
            ));
            continue;
        }
        match seen.get(&(region.to_string(), key.clone())) {
            Some((other, other_file)) => diags.push(Diagnostic::new(
                &file.path,
                line,
                format!(
                    "`{spelling}` is used twice in region {region}: by {} and by {other} ({other_file})",
                    disease.name
                ),
            )),
            None => {
                seen.insert((region.to_string(), key), (disease.name.clone(), file.path.clone()));
            }
        }
    }
}

/// The line of `alias` at or after the disease's `name:` line (aliases follow their name).
fn line_of_alias(text: &str, from_line: usize, alias: &str) -> usize {
    text.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find(|(_, l)| l.contains(alias))
        .map(|(i, _)| i + 1)
        .unwrap_or(from_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGION: &str = "id: x\nname: X\nprovince: P\nreminders:\n  renewal_days_before: [30]\n  supplement_days_before: [3]\nsources: [seed]\n";

    fn disease_diags(diseases: &str) -> Vec<String> {
        let sources = Sources {
            regions: vec![SourceFile { path: "data/regions/x.yaml".into(), text: REGION.into() }],
            diseases: vec![SourceFile {
                path: "data/diseases/x.yaml".into(),
                text: diseases.into(),
            }],
            ..Sources::default()
        };
        match crate::content::from_sources(&sources) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .iter()
                .filter(|d| d.file.starts_with("data/diseases/"))
                .map(ToString::to_string)
                .collect(),
        }
    }

    #[test]
    fn a_spelling_belongs_to_one_disease_per_region() {
        let text = "region: x\ndiseases:\n  - name: 甲\n    aliases: [乙]\n    source: s\n  - name: 丙\n    aliases: [丁, \"乙 \"]\n    source: s\n";
        let diags = disease_diags(text);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert!(
            diags[0].starts_with(
                "data/diseases/x.yaml:7: `乙 ` is used twice in region x: by 丙 and by 甲"
            ),
            "{diags:?}"
        );
    }

    #[test]
    fn the_region_must_exist() {
        let diags = disease_diags("region: y\ndiseases:\n  - name: 甲\n    source: s\n");
        assert_eq!(diags, ["data/diseases/x.yaml:1: unknown region `y` (known: x)"]);
    }

    #[test]
    fn fold_ignores_width_case_spaces_and_brackets() {
        assert_eq!(fold(" ＣＯＰＤ "), "copd");
        assert_eq!(fold("慢性肾功能衰竭(透析)"), "慢性肾功能衰竭透析");
    }
}
