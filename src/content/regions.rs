//! Region policy data (`data/regions/*.yaml`): channels, hotline, time limits, offline window,
//! deductibles, reimbursement ratios, materials and reminder defaults for one region.
//!
//! Every number must come from a source named in the file's `sources`; a fact no source gives is
//! `null` in the data and listed under `unknown`, so the assistant can say honestly that it does
//! not know instead of guessing. Templates read facts through [`Region::fact`], which renders an
//! unknown fact as an explicit "暂无公开信息" text pointing at the hotline or the official app.

use std::collections::BTreeMap;

use chrono::NaiveTime;
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
    /// Other names people write for this region (districts, counties, local names): a message
    /// naming one is read as naming the region. Empty when the sources list none.
    #[serde(default)]
    pub places: Vec<String>,
    /// Hotline number; `None` when no official number is known.
    #[serde(default)]
    pub hotline: Option<String>,
    /// What the hotline is, or why there is none (e.g. an inferred number, not confirmed).
    #[serde(default)]
    pub hotline_note: Option<String>,
    /// What to call instead when there is no regional number (e.g. the national 12393 line),
    /// worded to fit where templates say "拨打 {region.hotline}".
    #[serde(default)]
    pub hotline_fallback: Option<String>,
    /// Review time limit in working days after acceptance (自受理之日起N个工作日); `None` when
    /// no source gives one. Use [`Region::review_days`] where a number is needed.
    #[serde(default)]
    pub review_working_days: Option<u32>,
    /// Online channels (apps, mini-programs, public accounts), main one first.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// The offline window, when known.
    #[serde(default)]
    pub offline: Option<Offline>,
    /// When staff answer live hand-offs (issue 18); `None`: never on duty, every hand-off is
    /// a question left for later.
    #[serde(default)]
    pub service_hours: Option<ServiceHours>,
    /// Annual deductible (起付线) per insurance type.
    #[serde(default)]
    pub deductible: Deductibles,
    /// Reimbursement ratios per insurance type.
    #[serde(default)]
    pub ratios: Ratios,
    /// Materials for an application.
    #[serde(default)]
    pub materials: Materials,
    /// When reminders go out.
    pub reminders: ReminderDefaults,
    /// Facts no source gives, in plain words (shown when users ask about them).
    #[serde(default)]
    pub unknown: Vec<String>,
    /// Where the facts come from (seed file names, research notes with their quality mark).
    pub sources: Vec<String>,
}

/// An online channel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Name as users know it, e.g. 四川医保APP.
    pub name: String,
    /// `app`, `mini_program` or `public_account`.
    pub kind: ChannelKind,
    /// How to get it (store search term, WeChat search …).
    #[serde(default)]
    pub how: Option<String>,
    /// What can be done there.
    #[serde(default)]
    pub functions: Vec<String>,
}

/// Kinds of online channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A phone app.
    App,
    /// A WeChat mini-program.
    MiniProgram,
    /// A WeChat public account (公众号).
    PublicAccount,
}

/// The offline window.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offline {
    /// Where to go; `None` when unknown.
    #[serde(default)]
    pub place: Option<String>,
    /// Opening hours; `None` when unknown.
    #[serde(default)]
    pub hours: Option<String>,
    /// What to bring or expect there.
    #[serde(default)]
    pub note: Option<String>,
    /// Hospitals the sources name as places to apply (examples, not a full list).
    #[serde(default)]
    pub hospitals: Vec<String>,
    /// Said when the user names another hospital (`{hospital}`): the sources neither include
    /// nor exclude it, and the one they name must not be presented as it.
    #[serde(default)]
    pub other_hospital: Option<String>,
    /// The opening hours as `HH:MM-HH:MM` windows on working days, when published: a question
    /// about going at a given time (`今天中午12点半过去得不`) is checked against them.
    #[serde(default)]
    pub windows: Vec<String>,
    /// What the sources do not say about going there at a time (取号, the lunch break), said
    /// with every answer on a time.
    #[serde(default)]
    pub hours_unknown: Option<String>,
}

impl Offline {
    /// The opening windows as times; one that does not parse (reported by `mente check`) is
    /// left out.
    pub fn parsed_windows(&self) -> Vec<(NaiveTime, NaiveTime)> {
        self.windows.iter().filter_map(|w| parse_window(w)).collect()
    }
}

/// Staff service hours for live hand-offs: on working days (the calendar's, weekends outside
/// it), within one of `windows` (China time).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceHours {
    /// Windows as `HH:MM-HH:MM`, e.g. `09:00-12:00`.
    pub windows: Vec<String>,
    /// The hours in words, as users are told them (工作日 9:00-12:00，13:30-17:00).
    pub text: String,
    /// Where the hours come from: a source, or an operator setting (free text, not a citation:
    /// service hours are how the hotline staffs the inbox, not a policy fact).
    pub basis: String,
    /// The hours are a published fact (a source gives them, e.g. the 医保窗口's office hours),
    /// so users may be told them. Otherwise they are only an operator's setting: they decide
    /// when staff are on duty, but the assistant never states them (`faq/handoff.yaml`).
    #[serde(default)]
    pub published: bool,
}

impl ServiceHours {
    /// The windows as times; a window that does not parse (reported by `mente check`) is left
    /// out.
    pub fn parsed(&self) -> Vec<(NaiveTime, NaiveTime)> {
        self.windows.iter().filter_map(|w| parse_window(w)).collect()
    }

    /// Whether `time` (China time) falls in a window.
    pub fn covers(&self, time: NaiveTime) -> bool {
        self.parsed().iter().any(|(from, to)| *from <= time && time < *to)
    }
}

/// `09:00-12:00` as its two times, the first before the second.
fn parse_window(window: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (from, to) = window.split_once('-')?;
    let from = NaiveTime::parse_from_str(from.trim(), "%H:%M").ok()?;
    let to = NaiveTime::parse_from_str(to.trim(), "%H:%M").ok()?;
    (from < to).then_some((from, to))
}

/// A yearly deductible; `yuan: null` means no source gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deductible {
    /// Amount in yuan per year (0 = no deductible); `None` when unknown.
    #[serde(default)]
    pub yuan: Option<f64>,
    /// Exceptions and conditions (e.g. "部分病种免起付线").
    #[serde(default)]
    pub note: Option<String>,
    /// Some diseases are exempt (which ones the sources do not say): an estimate's upper bound
    /// must then assume no deductible.
    #[serde(default)]
    pub some_diseases_exempt: bool,
    /// What an estimate says about this deductible beside its one figure (an exemption, an
    /// unknown amount, whom to ask): wording is content, the figures are computed.
    #[serde(default)]
    pub in_estimate: Option<String>,
    /// Source of the figure.
    #[serde(default)]
    pub source: Option<String>,
}

/// Deductibles per insurance type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deductibles {
    /// 职工医保.
    #[serde(default)]
    pub employee: Deductible,
    /// 居民医保.
    #[serde(default)]
    pub resident: Deductible,
}

/// A reimbursement ratio (fraction, 0.85 = 85%) or a range of them; `None` bounds are unknown.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratio {
    /// Lowest ratio the source gives.
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest ratio the source gives; `None` when the source gives no upper end.
    #[serde(default)]
    pub max: Option<f64>,
    /// Ratio per contribution tier (档次), when a source gives the mapping.
    #[serde(default)]
    pub by_tier: BTreeMap<u32, f64>,
    /// Conditions (age steps, tiers, limits) in plain words.
    #[serde(default)]
    pub note: Option<String>,
    /// Said after one person's deductible-and-ratio line (`我是居民医保 报多少`) when the
    /// figure depends on what the line cannot say (攀枝花 居民: the contribution tier), as the
    /// answer for every insurance type says it.
    #[serde(default)]
    pub in_costs: Option<String>,
    /// Source of the figure.
    #[serde(default)]
    pub source: Option<String>,
}

/// Ratios per insurance type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratios {
    /// 职工医保, in service (在职).
    #[serde(default)]
    pub employee_in_service: Ratio,
    /// 职工医保, retired (退休).
    #[serde(default)]
    pub employee_retired: Ratio,
    /// 城乡居民医保.
    #[serde(default)]
    pub resident: Ratio,
}

/// Materials lists: what everyone brings, plus per insurance type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Materials {
    /// For every applicant of the region.
    #[serde(default)]
    pub base: Vec<String>,
    /// Extra for 职工医保.
    #[serde(default)]
    pub employee: Vec<String>,
    /// Extra for 居民医保.
    #[serde(default)]
    pub resident: Vec<String>,
    /// What a renewal (待遇延期) asks for, when a source says; not part of the new-application
    /// checklist.
    #[serde(default)]
    pub renewal: Vec<String>,
    /// How many months old the medical records (病历, 检查报告) may be, when a source says
    /// (攀枝花: 近半年内 → 6): a record's date said in the chat is checked against it.
    #[serde(default)]
    pub records_valid_months: Option<u32>,
    /// Source of the lists.
    #[serde(default)]
    pub source: Option<String>,
}

/// Reminder timing defaults of a region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderDefaults {
    /// Days before the benefit's validity ends, one reminder each (e.g. `[30, 7]`).
    pub renewal_days_before: Vec<u32>,
    /// Days before a supplement-materials deadline.
    pub supplement_days_before: Vec<u32>,
    /// Days before the end of validity that a source recommends starting the renewal (邵阳 seed
    /// 001: 到期前一个月左右); `None` when no source recommends a time. Our own reminders
    /// (`renewal_days_before`) are a service, not advice from the source, so they must not be
    /// presented as such.
    #[serde(default)]
    pub renewal_recommended_days_before: Option<u32>,
}

impl Region {
    /// Names usable in templates as `{region.KEY}`.
    pub const FACT_KEYS: &'static [&'static str] = &[
        "id",
        "name",
        "province",
        "hotline",
        "app",
        "channels",
        "offline_place",
        "offline_hours",
        "review_working_days",
    ];

    /// Who to call, as a phrase: "攀枝花医保服务热线 0812-3323000", or for a region without a
    /// published number what the data offers instead (the national line, labelled as such).
    pub fn contact(&self) -> String {
        match &self.hotline {
            Some(number) => format!("{}医保服务热线 {number}", self.name),
            None => format!("{}：{}", self.name, self.fact("hotline").unwrap_or_default()),
        }
    }

    /// [`Region::contact`] without its note in brackets (`全国医疗保障服务热线12393`), short
    /// enough to go inside a reminder's task.
    pub fn short_contact(&self) -> String {
        match &self.hotline {
            Some(_) => self.contact(),
            None => {
                let fact = self.fact("hotline").unwrap_or_default();
                fact.split(['（', '(']).next().unwrap_or_default().trim().to_string()
            }
        }
    }

    /// A fact for templates (`{region.hotline}`); `None` for an unknown key. A fact the sources
    /// do not give renders as an explicit "暂无公开信息" text, never as an empty string.
    pub fn fact(&self, key: &str) -> Option<String> {
        let value = match key {
            "id" => Some(self.id.clone()),
            "name" => Some(self.name.clone()),
            "province" => Some(self.province.clone()),
            "hotline" => self.hotline.clone().or_else(|| self.hotline_fallback.clone()),
            "app" => self.channels.first().map(|c| c.name.clone()),
            "channels" => (!self.channels.is_empty()).then(|| {
                self.channels.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("、")
            }),
            "offline_place" => self.offline.as_ref().and_then(|o| o.place.clone()),
            "offline_hours" => self.offline.as_ref().and_then(|o| o.hours.clone()),
            "review_working_days" => self.review_working_days.map(|d| d.to_string()),
            _ => return None,
        };
        Some(value.unwrap_or_else(|| self.unknown_text()))
    }

    /// What to say for a fact no source gives: where to ask instead.
    pub fn unknown_text(&self) -> String {
        match (&self.hotline, self.channels.first()) {
            (Some(hotline), _) => {
                format!("暂无公开信息，请咨询{}医保服务热线 {hotline}", self.name)
            }
            (None, Some(app)) => {
                format!("暂无公开信息，请咨询{}当地医保部门或在“{}”上查询", self.name, app.name)
            }
            (None, None) => format!("暂无公开信息，请咨询{}当地医保部门", self.name),
        }
    }

    /// The published review time limit in working days, `None` when the region publishes none.
    /// There is deliberately no fallback: another region's figure would give users a deadline
    /// date, "超期" and an overdue reminder the region never promised. Say
    /// [`Region::no_review_limit_text`] instead.
    pub fn review_days(&self) -> Option<u32> {
        self.review_working_days
    }

    /// What to say where a deadline would go when the region publishes no review time limit:
    /// that fact, and where to check progress instead (its app, its contact).
    pub fn no_review_limit_text(&self) -> String {
        let app = self.channels.first().map(|c| format!("在“{}”查询办理进度，或", c.name));
        format!(
            "{}没有公布门特审核时限，所以算不出到期日。可以{}咨询{}。",
            self.name,
            app.unwrap_or_default(),
            self.contact()
        )
    }
}

/// Stage 1: parses every region file and checks its values on their own.
pub fn parse_all(files: &[SourceFile], diags: &mut Vec<Diagnostic>) -> Regions {
    let mut regions = Regions::new();
    for file in files {
        let Some(region) = yaml::parse::<Region>(file, diags) else { continue };
        check_values(file, &region, diags);
        // First definition wins; the duplicate is reported in stage 2.
        regions.entry(region.id.clone()).or_insert(region);
    }
    regions
}

/// Ratios must be fractions and ranges ordered, or the estimate would print nonsense.
fn check_values(file: &SourceFile, region: &Region, diags: &mut Vec<Diagnostic>) {
    let ratios = [
        ("employee_in_service", &region.ratios.employee_in_service),
        ("employee_retired", &region.ratios.employee_retired),
        ("resident", &region.ratios.resident),
    ];
    for (key, ratio) in ratios {
        let line = line_after(&file.text, "ratios:", &format!("{key}:"));
        let values = ratio.min.iter().chain(ratio.max.iter()).chain(ratio.by_tier.values());
        for value in values {
            if !(0.0..=1.0).contains(value) {
                diags.push(Diagnostic::new(
                    &file.path,
                    line,
                    format!("ratio {value} of {key} is not a fraction between 0 and 1 (write 0.85 for 85%)"),
                ));
            }
        }
        if let (Some(min), Some(max)) = (ratio.min, ratio.max) {
            if min > max {
                diags.push(Diagnostic::new(
                    &file.path,
                    line,
                    format!("{key}: min {min} is larger than max {max}"),
                ));
            }
        }
    }
    for (key, deductible) in
        [("employee", &region.deductible.employee), ("resident", &region.deductible.resident)]
    {
        if deductible.yuan.is_some_and(|y| y < 0.0) {
            let line = yaml::line_containing(&file.text, "deductible:");
            diags.push(Diagnostic::new(
                &file.path,
                line,
                format!("deductible of {key} is negative"),
            ));
        }
    }
    if region.sources.is_empty() {
        diags.push(Diagnostic::new(&file.path, 1, "sources: name at least one source"));
    }
    check_service_hours(file, region, diags);
    let windows = region.offline.as_ref().map(|o| o.windows.as_slice()).unwrap_or_default();
    for window in windows.iter().filter(|w| parse_window(w).is_none()) {
        diags.push(Diagnostic::new(
            &file.path,
            line_after(&file.text, "offline:", window),
            format!("offline: window {window:?} is not HH:MM-HH:MM with the start first"),
        ));
    }
}

/// Every window must read `HH:MM-HH:MM` with the start first, and there must be one.
fn check_service_hours(file: &SourceFile, region: &Region, diags: &mut Vec<Diagnostic>) {
    let Some(hours) = &region.service_hours else { return };
    let line = yaml::line_containing(&file.text, "service_hours:");
    if hours.windows.is_empty() {
        diags.push(Diagnostic::new(&file.path, line, "service_hours: list at least one window"));
    }
    for window in hours.windows.iter().filter(|w| parse_window(w).is_none()) {
        diags.push(Diagnostic::new(
            &file.path,
            line_after(&file.text, "service_hours:", window),
            format!("service_hours: window {window:?} is not HH:MM-HH:MM with the start first"),
        ));
    }
}

/// The line of the first `needle` after the line containing `section` (keys such as `resident:`
/// appear under several sections).
fn line_after(text: &str, section: &str, needle: &str) -> usize {
    let start = yaml::line_containing(text, section);
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .unwrap_or(start)
}

/// Whether other files may refer to region `id`: it loaded, or it is the name of a region file
/// that failed to parse. The second case keeps one broken region file from cascading into an
/// "unknown region" line for every FAQ entry, disease file and dialog that names it.
pub fn is_known(content: &Content, sources: &Sources, id: &str) -> bool {
    if content.regions.contains_key(id) {
        return true;
    }
    let all_parsed = content.regions.len() == sources.regions.len();
    !all_parsed
        && sources
            .regions
            .iter()
            .any(|f| std::path::Path::new(&f.path).file_stem().is_some_and(|stem| stem == id))
}

/// Stage 2: each region id once, and each file named after the id it defines (so staff find
/// `data/regions/shaoyang.yaml` when a message mentions `shaoyang`).
pub fn validate(_content: &Content, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for file in &sources.regions {
        // Only the id is needed here; files that did not parse were reported in stage 1.
        let Ok(head) = serde_yaml::from_str::<IdOnly>(&file.text) else { continue };
        let line = yaml::line_of(&file.text, "id", &head.id);
        if let Some(first) = seen.get(&head.id) {
            diags.push(Diagnostic::new(
                &file.path,
                line,
                format!("region id `{}` is already defined in {first}", head.id),
            ));
        } else {
            seen.insert(head.id.clone(), file.path.clone());
        }
        let stem = file_stem(&file.path);
        if stem != head.id {
            diags.push(Diagnostic::new(
                &file.path,
                line,
                format!(
                    "region id `{}` does not match the file name `{stem}` (rename one of them)",
                    head.id
                ),
            ));
        }
    }
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

/// `data/regions/shaoyang.yaml` → `shaoyang`.
pub(crate) fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile { path: path.into(), text: text.into() }
    }

    const MINIMAL: &str = "id: x\nname: X\nprovince: P\nreminders:\n  renewal_days_before: [30]\n  supplement_days_before: [3]\nsources: [seed]\n";

    #[test]
    fn unknown_facts_say_so_and_point_to_someone() {
        let mut diags = Vec::new();
        let regions = parse_all(&[file("data/regions/x.yaml", MINIMAL)], &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let x = &regions["x"];
        for key in ["hotline", "app", "offline_place", "offline_hours", "review_working_days"] {
            let text = x.fact(key).unwrap();
            assert!(text.starts_with("暂无公开信息"), "{key}: {text}");
        }
        assert_eq!(x.review_days(), None, "no borrowed figure for an unpublished limit");
        assert!(x.no_review_limit_text().contains("没有公布"));
        assert_eq!(x.fact("nonsense"), None);
    }

    #[test]
    fn ratios_must_be_fractions() {
        let text = format!("{MINIMAL}ratios:\n  resident:\n    min: 70\n");
        let mut diags = Vec::new();
        parse_all(&[file("data/regions/x.yaml", &text)], &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].line, 9, "the line of `resident:` under `ratios:`");
        assert!(diags[0].message.contains("0.85"));
    }

    #[test]
    fn service_hours_must_be_windows_with_the_start_first() {
        let hours = "service_hours:\n  windows: [\"09:00-12:00\", \"17:00-13:30\", \"9点\"]\n  text: 工作日\n  basis: 运营设置\n";
        let text = format!("{MINIMAL}{hours}");
        let mut diags = Vec::new();
        let regions = parse_all(&[file("data/regions/x.yaml", &text)], &mut diags);
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(diags.len(), 2, "{shown:#?}");
        assert!(shown[0].contains("\"17:00-13:30\"") && shown[1].contains("\"9点\""), "{shown:#?}");
        assert!(diags.iter().all(|d| d.line == 9), "the line of the windows: {shown:#?}");
        let hours = regions["x"].service_hours.as_ref().unwrap();
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(hours.covers(at(9, 0)) && hours.covers(at(11, 59)));
        assert!(
            !hours.covers(at(12, 0)) && !hours.covers(at(14, 0)),
            "a bad window counts for nothing"
        );
    }

    /// Diagnostics about region files when only `regions` are given.
    fn region_diags(regions: Vec<SourceFile>) -> Vec<Diagnostic> {
        let sources = Sources { regions, ..Sources::default() };
        match crate::content::from_sources(&sources) {
            Ok(_) => Vec::new(),
            Err(e) => {
                e.diagnostics.into_iter().filter(|d| d.file.starts_with("data/regions/")).collect()
            }
        }
    }

    #[test]
    fn a_region_id_is_defined_once_in_a_file_of_its_name() {
        let y = MINIMAL.replace("id: x", "id: y");
        let diags = region_diags(vec![
            file("data/regions/x.yaml", MINIMAL),
            file("data/regions/x2.yaml", MINIMAL),
            file("data/regions/y.yaml", &y),
        ]);
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(diags.len(), 2, "{shown:#?}");
        assert!(shown[0].starts_with(
            "data/regions/x2.yaml:1: region id `x` is already defined in data/regions/x.yaml"
        ));
        assert!(shown[1].contains("does not match the file name `x2`"));
    }

    #[test]
    fn shipped_regions_give_sourced_facts_and_admit_gaps() {
        let content = crate::content::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
            .expect("shipped content is valid");
        let pzh = &content.regions["panzhihua"];
        assert_eq!(pzh.fact("hotline").as_deref(), Some("0812-3323000"));
        assert_eq!(pzh.fact("app").as_deref(), Some("四川医保APP"));
        assert_eq!(pzh.fact("review_working_days").as_deref(), Some("15"));
        assert!(pzh.fact("offline_hours").unwrap().contains("13:30-17:00"));
        let sy = &content.regions["shaoyang"];
        assert!(sy.fact("channels").unwrap().contains("湘医保"));
        for key in ["review_working_days", "offline_place", "offline_hours"] {
            assert!(sy.fact(key).unwrap().starts_with("暂无公开信息"), "{key}");
        }
        // No 邵阳 门特 line is published: the national line stands in, saying so.
        let hotline = sy.fact("hotline").unwrap();
        assert!(hotline.contains("12393") && hotline.contains("全国"), "{hotline}");
        assert_eq!((sy.review_days(), pzh.review_days()), (None, Some(15)));
        let text = sy.no_review_limit_text();
        assert!(text.contains("湘医保") && text.contains("12393"), "{text}");
    }
}
