//! Disease catalogue (`data/diseases/*.yaml`): names, aliases and colloquial names per region,
//! resident-only flag, extra materials, `verified` flag and source.
//!
//! STUB: owned by the knowledge-base work (issue 2).

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
}

#[derive(Debug, Deserialize)]
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

/// Stage 2: cross-checks the catalogue (regions exist, no duplicate names).
pub fn validate(_content: &Content, _sources: &Sources, _diags: &mut Vec<Diagnostic>) {}
