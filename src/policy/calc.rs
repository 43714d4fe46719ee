//! Reimbursement estimate: from a region's deductible and ratios, what part of a year's eligible
//! expense the fund might pay.
//!
//! The sources give some figures exactly, some only as a range (攀枝花 residents 53%–68% by
//! tier) and some not at all (邵阳 employee deductible). The estimate never fills a gap with a
//! guess: an unknown bound stays `None` (JSON `null`), an unknown deductible widens the range,
//! and every simplification is listed in `assumptions`. Pure: no I/O.

use serde::Serialize;

use crate::content::regions::{Ratio, Region, Regions};

/// Insurance type (`employee` 职工 / `resident` 居民).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insurance {
    /// 城镇职工基本医疗保险.
    Employee,
    /// 城乡居民基本医疗保险.
    Resident,
}

impl Insurance {
    /// Parses the slot / command-line value.
    pub fn parse(value: &str) -> Option<Insurance> {
        match value {
            "employee" | "职工" => Some(Insurance::Employee),
            "resident" | "居民" => Some(Insurance::Resident),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Insurance::Employee => "职工医保",
            Insurance::Resident => "居民医保",
        }
    }
}

/// What the estimate is for.
#[derive(Debug, Clone, PartialEq)]
pub struct CalcInput {
    /// Region id.
    pub region: String,
    /// Insurance type.
    pub insurance: Insurance,
    /// Retired (职工 only).
    pub retired: bool,
    /// Contribution tier (档次, 1 = first), when known.
    pub tier: Option<u32>,
    /// Age in years, when known.
    pub age: Option<u32>,
    /// Eligible 门特 expense of the year, in yuan.
    pub expense: f64,
}

/// The estimate (also the `mente calc --json` shape). Ratios are fractions, money is yuan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Yearly deductible; `None` when no source gives it.
    pub deductible: Option<f64>,
    /// Lowest ratio the sources support.
    pub ratio_min: f64,
    /// Highest ratio; `None` when the sources give no upper end.
    pub ratio_max: Option<f64>,
    /// Lowest estimate.
    pub estimate_min: f64,
    /// Highest estimate; `None` when it cannot be bounded from the sources.
    pub estimate_max: Option<f64>,
    /// Every assumption and gap, in plain words; the last one says the settlement decides.
    pub assumptions: Vec<String>,
    /// Where the figures come from.
    pub sources: Vec<String>,
}

/// Input the estimate cannot work with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalcError {
    /// No such region id.
    #[error("unknown region `{0}` (known: {1})")]
    UnknownRegion(String, String),
    /// The expense is negative or not a number.
    #[error("the expense must be a number of yuan, 0 or more (got {0})")]
    BadExpense(f64),
    /// Tiers are counted from 1.
    #[error("the tier must be 1 or more (got {0})")]
    BadTier(u32),
    /// Nobody is this old.
    #[error("the age must be between 0 and 150 (got {0})")]
    BadAge(u32),
}

/// Every estimate leaves out the per-disease annual payment limits (their amounts are not
/// published); every place that shows a figure must carry this caveat with it.
pub const ANNUAL_LIMIT_CAVEAT: &str =
    "未计入各病种的年度支付限额（限额金额未公开），实际报销可能更低";

/// Estimates the yearly reimbursement for `input` from the region data.
pub fn estimate(regions: &Regions, input: &CalcInput) -> Result<Estimate, CalcError> {
    let region = regions.get(&input.region).ok_or_else(|| {
        let known: Vec<&str> = regions.keys().map(String::as_str).collect();
        CalcError::UnknownRegion(input.region.clone(), known.join(", "))
    })?;
    check_input(input)?;
    let mut notes = Notes::default();
    notes.push(format!(
        "按{}{}、全年符合门特政策范围的费用 {} 元计算",
        region.name,
        who(input),
        money(input.expense)
    ));
    let (ratio_min, ratio_max) = ratio_range(region, input, &mut notes);
    let (deductible, exempt) = deductible(region, input.insurance, &mut notes);
    let (estimate_min, estimate_max) = match deductible {
        Some(d) => {
            let base = (input.expense - d).max(0.0);
            // For a possibly exempt disease the whole expense counts towards the upper bound.
            let top = if exempt { input.expense } else { base };
            if exempt {
                notes.push("部分病种免起付线：估算上限按免起付线计算，下限按要交起付线计算".into());
            }
            // Nothing above the deductible: nothing to pay, whatever the unknown ratio.
            let max = if top == 0.0 { Some(0.0) } else { ratio_max.map(|r| round2(top * r)) };
            (round2(base * ratio_min), max)
        }
        None => {
            notes.push("起付线未公开：估算下限按0元计，上限按不设起付线计算".to_string());
            (0.0, ratio_max.map(|r| round2(input.expense * r)))
        }
    };
    notes.push(ANNUAL_LIMIT_CAVEAT.to_string());
    notes.push(
        "这只是估算，实际报销金额以医保经办机构的正式结算为准；政策以当地医保部门最新公布为准"
            .to_string(),
    );
    if notes.sources.is_empty() {
        notes.sources.extend(region.sources.iter().cloned());
    }
    Ok(Estimate {
        deductible,
        ratio_min,
        ratio_max,
        estimate_min,
        estimate_max,
        assumptions: notes.assumptions,
        sources: notes.sources,
    })
}

#[derive(Default)]
struct Notes {
    assumptions: Vec<String>,
    sources: Vec<String>,
}

impl Notes {
    fn push(&mut self, text: String) {
        self.assumptions.push(text);
    }

    fn source(&mut self, source: &Option<String>) {
        if let Some(s) = source {
            if !self.sources.contains(s) {
                self.sources.push(s.clone());
            }
        }
    }
}

fn check_input(input: &CalcInput) -> Result<(), CalcError> {
    if !input.expense.is_finite() || input.expense < 0.0 {
        return Err(CalcError::BadExpense(input.expense));
    }
    if input.tier == Some(0) {
        return Err(CalcError::BadTier(0));
    }
    match input.age {
        Some(age) if age > 150 => Err(CalcError::BadAge(age)),
        _ => Ok(()),
    }
}

fn who(input: &CalcInput) -> String {
    match (input.insurance, input.retired) {
        (Insurance::Employee, true) => "职工医保退休人员".to_string(),
        (Insurance::Employee, false) => "职工医保在职人员".to_string(),
        (Insurance::Resident, _) => input.insurance.label().to_string(),
    }
}

/// The ratio bounds for the insurance type, narrowed by tier when the data maps tiers.
fn ratio_range(region: &Region, input: &CalcInput, notes: &mut Notes) -> (f64, Option<f64>) {
    let ratio: &Ratio = match (input.insurance, input.retired) {
        (Insurance::Employee, false) => &region.ratios.employee_in_service,
        (Insurance::Employee, true) => &region.ratios.employee_retired,
        (Insurance::Resident, retired) => {
            if retired {
                notes.push("居民医保不区分在职和退休，已忽略“退休”".to_string());
            }
            &region.ratios.resident
        }
    };
    notes.source(&ratio.source);
    if let Some(note) = &ratio.note {
        notes.push(format!("报销比例：{note}"));
    }
    let (mut min, mut max) = (ratio.min, ratio.max);
    match (input.insurance, input.tier) {
        (Insurance::Resident, Some(tier)) => match ratio.by_tier.get(&tier) {
            Some(&r) => (min, max) = (Some(r), Some(r)),
            None if min != max => {
                notes.push(format!("来源没有给出第{tier}档对应的比例，按所有档次的范围计算"))
            }
            None => {}
        },
        (Insurance::Employee, Some(_)) => {
            notes.push("职工医保不按缴费档次区分，已忽略档次".to_string())
        }
        _ => {}
    }
    if let Some(age) = input.age {
        if max.is_none() || min != max {
            notes.push(format!("{age}岁：来源没有给出按年龄区分的比例，年龄未用于计算"));
        }
    }
    if max.is_none() {
        notes.push("报销比例上限未公开，估算上限未知".to_string());
    }
    let min = min.unwrap_or_else(|| {
        notes.push("报销比例未公开，估算下限按0计".to_string());
        0.0
    });
    (min, max)
}

/// The deductible, and whether some diseases are exempt from it.
fn deductible(region: &Region, insurance: Insurance, notes: &mut Notes) -> (Option<f64>, bool) {
    let d = match insurance {
        Insurance::Employee => &region.deductible.employee,
        Insurance::Resident => &region.deductible.resident,
    };
    notes.source(&d.source);
    if let Some(note) = &d.note {
        notes.push(format!("起付线：{note}"));
    }
    (d.yuan, d.some_diseases_exempt)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Yuan without a useless ".00".
pub fn money(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> Regions {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = |dir: &str| {
            let mut out = Vec::new();
            for id in ["panzhihua", "shaoyang"] {
                let path = format!("{dir}/{id}.yaml");
                let text = std::fs::read_to_string(root.join(&path)).unwrap();
                out.push(crate::content::SourceFile { path, text });
            }
            out
        };
        let mut diags = Vec::new();
        let regions = crate::content::regions::parse_all(&files("data/regions"), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        regions
    }

    fn input(region: &str, insurance: Insurance, retired: bool, expense: f64) -> CalcInput {
        CalcInput { region: region.into(), insurance, retired, tier: None, age: None, expense }
    }

    #[test]
    fn panzhihua_employee_subtracts_800_and_has_no_upper_ratio() {
        let e = estimate(&regions(), &input("panzhihua", Insurance::Employee, false, 10_800.0))
            .unwrap();
        assert_eq!(e.deductible, Some(800.0));
        assert_eq!(e.ratio_min, 0.85);
        assert_eq!(e.ratio_max, None, "the age steps are not published");
        assert_eq!(e.estimate_min, 8_500.0);
        assert_eq!(e.estimate_max, None);
    }

    #[test]
    fn panzhihua_resident_tier_stays_a_range() {
        let mut i = input("panzhihua", Insurance::Resident, false, 10_500.0);
        i.tier = Some(2);
        let e = estimate(&regions(), &i).unwrap();
        assert_eq!(e.deductible, Some(500.0));
        assert_eq!((e.ratio_min, e.ratio_max), (0.53, Some(0.68)));
        // Upper bound: a disease exempt from the deductible at the highest tier ratio.
        assert_eq!((e.estimate_min, e.estimate_max), (5_300.0, Some(7_140.0)));
        assert!(e.assumptions.iter().any(|a| a.contains("第2档")), "{:?}", e.assumptions);
    }

    #[test]
    fn shaoyang_employee_deductible_is_unknown_not_zero() {
        let e =
            estimate(&regions(), &input("shaoyang", Insurance::Employee, true, 10_000.0)).unwrap();
        assert_eq!(e.deductible, None);
        assert_eq!((e.ratio_min, e.ratio_max), (0.85, Some(0.85)));
        assert_eq!((e.estimate_min, e.estimate_max), (0.0, Some(8_500.0)));
        assert!(e.assumptions.iter().any(|a| a.contains("起付线未公开")));
    }

    #[test]
    fn shaoyang_resident_has_no_deductible_and_pays_70_percent() {
        let e =
            estimate(&regions(), &input("shaoyang", Insurance::Resident, false, 2_000.0)).unwrap();
        assert_eq!(e.deductible, Some(0.0));
        assert_eq!((e.estimate_min, e.estimate_max), (1_400.0, Some(1_400.0)));
    }

    #[test]
    fn expense_below_the_deductible_pays_nothing_unless_the_disease_is_exempt() {
        let e =
            estimate(&regions(), &input("panzhihua", Insurance::Resident, false, 300.0)).unwrap();
        assert_eq!((e.estimate_min, e.estimate_max), (0.0, Some(204.0)));
        assert!(e.assumptions.iter().any(|a| a.contains("免起付线")), "{:?}", e.assumptions);
    }

    #[test]
    fn an_open_ratio_leaves_the_upper_bound_unknown_even_below_the_deductible() {
        let e =
            estimate(&regions(), &input("panzhihua", Insurance::Employee, true, 800.0)).unwrap();
        assert_eq!((e.estimate_min, e.estimate_max), (0.0, None));
    }

    #[test]
    fn every_estimate_says_the_settlement_decides_and_names_sources() {
        for region in ["panzhihua", "shaoyang"] {
            for ins in [Insurance::Employee, Insurance::Resident] {
                let e = estimate(&regions(), &input(region, ins, false, 5_000.0)).unwrap();
                assert!(e.assumptions.last().unwrap().contains("正式结算为准"));
                assert!(!e.sources.is_empty());
            }
        }
    }

    #[test]
    fn bad_input_is_refused() {
        let r = regions();
        let bad = estimate(&r, &input("chengdu", Insurance::Employee, false, 1.0));
        assert!(matches!(bad, Err(CalcError::UnknownRegion(..))));
        let bad = estimate(&r, &input("shaoyang", Insurance::Employee, false, -1.0));
        assert_eq!(bad, Err(CalcError::BadExpense(-1.0)));
    }
}
