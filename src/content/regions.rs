//! Region policy data (`data/regions/*.yaml`): channels, hotline, time limits, deductibles,
//! reimbursement ratios and reminder defaults for one region. Unknown facts are explicit.
//!
//! STUB: owned by the knowledge-base work (issue 2), which fills in the schema.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{yaml, Content, Diagnostic, SourceFile, Sources};

/// All regions, by id (`panzhihua`, `shaoyang`).
pub type Regions = BTreeMap<String, Region>;

/// One region's policy facts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Stable id used in sessions and on the command line.
    pub id: String,
    /// Display name, e.g. 攀枝花.
    pub name: String,
    /// Province, e.g. 四川.
    pub province: String,
    /// Hotline number; `None` when no official number is known.
    #[serde(default)]
    pub hotline: Option<String>,
    /// Review time limit in working days after acceptance (自受理之日起N个工作日).
    pub review_working_days: u32,
    /// When reminders go out.
    pub reminders: ReminderDefaults,
}

/// Reminder timing defaults of a region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderDefaults {
    /// Days before the benefit's validity ends, one reminder each (e.g. `[30, 7]`).
    pub renewal_days_before: Vec<u32>,
    /// Days before a supplement-materials deadline.
    pub supplement_days_before: Vec<u32>,
}

impl Region {
    /// Names usable in templates as `{region.KEY}`.
    pub const FACT_KEYS: &'static [&'static str] = &["id", "name", "province", "hotline"];

    /// A fact for templates (`{region.hotline}`); `None` for an unknown key.
    pub fn fact(&self, key: &str) -> Option<String> {
        match key {
            "id" => Some(self.id.clone()),
            "name" => Some(self.name.clone()),
            "province" => Some(self.province.clone()),
            "hotline" => {
                Some(self.hotline.clone().unwrap_or_else(|| "（暂无公开的专线号码）".to_string()))
            }
            _ => None,
        }
    }
}

/// Stage 1: parses every region file.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Regions {
    let mut regions = Regions::new();
    for file in files {
        if let Some(region) = yaml::parse::<Region>(file, diags) {
            regions.insert(region.id.clone(), region);
        }
    }
    regions
}

/// Stage 2: cross-checks regions against the rest of the content.
pub fn validate(_content: &Content, _sources: &Sources, _diags: &mut Vec<Diagnostic>) {}
