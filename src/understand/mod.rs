//! Understanding a free-text message: what a user wrote, read into facts the engine can act on —
//! every region and other place named (and whether it is where the person lives or is treated),
//! insurance type and status, age, money, dates, every disease, acceptance numbers, a yes/no
//! reply, and what they want (an action such as 新申请, or an FAQ question).
//!
//! Pure: no teloxide/sqlx/axum and no clock (`today` is a parameter). Every word list staff may
//! extend is content: `faq/understand.yaml` (replies, actions, insurance, place markers),
//! `faq/synonyms.yaml` (`regions`, `other_places`) and `data/regions/*.yaml` (names, provinces,
//! apps, `places`). Diseases go through [`crate::knowledge`]'s matcher.
//!
//! Reading a message stores nothing: whether any of it may be kept is the caller's decision
//! (consent), see [`Understanding::personal`].

mod dates;
pub mod memo;
mod numbers;
mod places;
mod reader;
mod times;
mod words;

use chrono::NaiveDate;

pub use crate::content::understand::Action;
pub use crate::policy::calc::Insurance;
pub use reader::Reader;

/// Every date `text` names, in the forms people use in chat (`上个月26号`, `明年元月15号`,
/// `昨天`), in text order: for readers of a single answer that do not need the whole
/// [`Understanding`].
pub fn dates_in(text: &str, today: chrono::NaiveDate) -> Vec<chrono::NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    dates::dates(&numbers::digitise(&chars), text, today).into_iter().map(|d| d.date).collect()
}

/// The codes in `text` shaped like an acceptance number (letters and digits, not a date, a
/// mobile number or an ID number), for a 受理号 said without its keyword.
pub fn codes_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    reader::acceptance_numbers(&chars)
}

/// The time of day `text` names (`中午12点半`, `下午3点`, `14:30`), for a question about going
/// somewhere then; `None` when it names none.
pub fn time_in(text: &str) -> Option<chrono::NaiveTime> {
    let chars: Vec<char> = text.chars().collect();
    times::time_of_day(&numbers::digitise(&chars))
}

/// The year and month of an end of validity said without its day (`明年6月到期`): the date
/// read from it is the month's first day (today in this month), which an answer must say.
pub fn month_only_end(text: &str, today: chrono::NaiveDate) -> Option<(i32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    dates::month_only_end(&numbers::digitise(&chars), today)
}

/// A count of days from today said for something to happen (`过十天`, `10天后`, `两个礼拜以后`,
/// `过3周`): the number of days, for a reminder's day. `None` when the message says none.
pub fn days_from_now(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    dates::days_from_now(&numbers::digitise(&chars))
}

/// The two days `上礼拜三` may mean when said on a Sunday (the later first); `None` when the
/// message names no such day or today is no Sunday. The reader asks which one was meant.
pub fn last_weekday_readings(
    text: &str,
    today: chrono::NaiveDate,
) -> Option<[chrono::NaiveDate; 2]> {
    dates::last_weekday_readings(text, today)
}

/// Everything read from one message. Lists are in the order they appear in the text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understanding {
    /// Supported regions named (city, province, the region's apps), once per region.
    pub regions: Vec<RegionMention>,
    /// Other places named (深圳, 成都 …), once per place.
    pub places: Vec<PlaceMention>,
    /// Insurance type, when named.
    pub insurance: Option<Insurance>,
    /// Employment status, when named (the first one named).
    pub status: Option<WorkStatus>,
    /// Every employment status named, once each, in text order: two of them
    /// (`单位上班的职工呢 退了休又是多少`) ask about both, not about one person's. A word inside a
    /// longer one of another status (退休 in 没退休) does not count.
    pub statuses: Vec<WorkStatus>,
    /// Age in years (`68岁`, `我爸七十了`).
    pub age: Option<u32>,
    /// Money amounts in yuan.
    pub amounts: Vec<f64>,
    /// An amount said as a range (`四五千`, `4000到5000`): its low and high end, both also in
    /// `amounts`. The estimate then gives both ends instead of picking one.
    pub amount_range: Option<(f64, f64)>,
    /// Dates (absolute, year-less, relative).
    pub dates: Vec<NaiveDate>,
    /// The same dates read as days still ahead (a year- or month-less date's next occurrence),
    /// for what the user asks to happen: `25号那天再提醒我` on 12-07 is 12-25.
    pub dates_ahead: Vec<NaiveDate>,
    /// Diseases named, confidently matched, per region searched.
    pub diseases: Vec<DiseaseMention>,
    /// When no disease is confident: the best weak candidate, to ask "您说的是…吗？" about.
    pub maybe_disease: Option<DiseaseMention>,
    /// Condition names that look like diseases (冠心病) but match no catalogue disease of the
    /// regions searched; only looked for when nothing else matched at that place.
    pub unknown_conditions: Vec<String>,
    /// Acceptance or application numbers (letters and digits, not an ID or phone number).
    pub acceptance_numbers: Vec<String>,
    /// A yes / no / don't-know reply (only for short messages that are not questions).
    pub reply: Option<Reply>,
    /// The message asks something (question word or question mark).
    pub question: bool,
    /// What the user wants done, when the message says it or gives its facts.
    pub action: Option<Action>,
    /// The message says something said or tapped before was a mistake (搞错了, 不对).
    pub correction: bool,
    /// The message says the last reply missed what was asked (我问的是, 到底).
    pub asked_again: bool,
}

/// A supported region named in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionMention {
    /// Region id (`panzhihua`).
    pub region: String,
    /// The word as written in the content (攀枝花, 湘医保 …).
    pub word: String,
    /// What the message says about it.
    pub role: RegionRole,
}

/// How a supported region is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionRole {
    /// The subject of a question (`攀枝花 换医院`): answer for it, keep the session's region.
    Named,
    /// The user's own region (`我是攀枝花的`, `在攀枝花`).
    Home,
    /// The user asks to switch to it (`切换到攀枝花`).
    Switch,
}

/// Another place (not a supported region) named in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceMention {
    /// As written (深圳).
    pub name: String,
    /// Where the person lives or is treated, or what the question is about.
    pub role: PlaceRole,
}

/// Why a place is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceRole {
    /// Where the insured person lives or gets treated (`住我这深圳`, `在深圳拿药`): 异地.
    LivesOrTreated,
    /// The question is about that place's own rules (`深圳的门特怎么办`): not served.
    Subject,
}

/// Employment status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkStatus {
    /// 在职.
    InService,
    /// 退休.
    Retired,
    /// 灵活就业.
    Flexible,
}

/// A short reply to a yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// 是的、对、嗯、要得 …
    Yes,
    /// 不、不用、算了 …
    No,
    /// 不知道、不清楚 …
    Unsure,
}

/// A disease named in a message, for one region's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct DiseaseMention {
    /// Region whose catalogue matched.
    pub region: String,
    /// Catalogue name.
    pub name: String,
    /// The spelling that matched (尿毒症 for 慢性肾功能衰竭).
    pub alias: Option<String>,
    /// Matcher score in [0, 1].
    pub score: f64,
    /// Resident-only, unverified, extra materials … (the matcher's note).
    pub note: Option<String>,
}

/// The facts a turn needs around the message.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today in China (dates without a year, 昨天, 下周一).
    pub today: NaiveDate,
    /// The session's region, if chosen: diseases are matched in it when the message names none.
    pub region: Option<&'a str>,
}

impl Understanding {
    /// The one region the message is about: a region it switches to, else the user's home,
    /// else the only one named. `None` when none or several different ones are named.
    pub fn region(&self) -> Option<&str> {
        for role in [RegionRole::Switch, RegionRole::Home] {
            if let Some(m) = self.regions.iter().find(|m| m.role == role) {
                return Some(&m.region);
            }
        }
        match self.regions.as_slice() {
            [only] => Some(&only.region),
            _ => None,
        }
    }

    /// Whether the user asked to switch the session to a region.
    pub fn switch_to(&self) -> Option<&str> {
        self.regions.iter().find(|m| m.role == RegionRole::Switch).map(|m| m.region.as_str())
    }

    /// The place the insured person lives or is treated in, when it is not a supported region.
    pub fn lives_elsewhere(&self) -> Option<&str> {
        self.places.iter().find(|p| p.role == PlaceRole::LivesOrTreated).map(|p| p.name.as_str())
    }

    /// The place the question is about, when it is not a supported region and nothing says the
    /// person only lives or is treated there.
    pub fn about_elsewhere(&self) -> Option<&str> {
        if self.lives_elsewhere().is_some() {
            return None;
        }
        self.places.iter().find(|p| p.role == PlaceRole::Subject).map(|p| p.name.as_str())
    }

    /// Distinct disease names, for `region` (or every region when `None`), in text order.
    pub fn disease_names(&self, region: Option<&str>) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for d in self.diseases.iter().filter(|d| region.map_or(true, |r| d.region == r)) {
            if !names.contains(&d.name.as_str()) {
                names.push(&d.name);
            }
        }
        names
    }

    /// The first amount, in yuan.
    pub fn amount(&self) -> Option<f64> {
        self.amounts.first().copied()
    }

    /// Whether the message carries anything personal (diseases, age, dates, amounts, numbers):
    /// without consent none of it may be stored, only used for the turn.
    pub fn personal(&self) -> bool {
        !self.diseases.is_empty()
            || self.maybe_disease.is_some()
            || self.age.is_some()
            || !self.dates.is_empty()
            || !self.amounts.is_empty()
            || !self.acceptance_numbers.is_empty()
    }
}

#[cfg(test)]
mod tests;
