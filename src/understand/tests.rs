//! The reader on the messages of issue 10 and the wordings people really use, against the
//! shipped content.

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::*;
use crate::assistant::Assistant;

fn assistant() -> &'static Assistant {
    static A: OnceLock<Assistant> = OnceLock::new();
    A.get_or_init(|| Assistant::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap())
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn read_in(text: &str, region: Option<&str>) -> Understanding {
    assistant().understand(text, Context { today: today(), region })
}

fn read(text: &str) -> Understanding {
    read_in(text, Some("shaoyang"))
}

fn regions(u: &Understanding) -> Vec<(&str, RegionRole)> {
    u.regions.iter().map(|m| (m.region.as_str(), m.role)).collect()
}

#[test]
fn a_city_named_in_a_question_is_read_without_switching() {
    let u = read("攀枝花 换医院");
    assert_eq!(regions(&u), vec![("panzhihua", RegionRole::Named)]);
    assert_eq!(u.region(), Some("panzhihua"));
    assert_eq!(u.switch_to(), None);
    assert_eq!(u.action, Some(Action::ChangeHospital));
}

#[test]
fn regions_by_province_app_pinyin_and_homophone() {
    for (text, region) in [
        ("湘医保上怎么弄", "shaoyang"),
        ("四川医保APP在哪下载", "panzhihua"),
        ("湖南的门特", "shaoyang"),
        ("panzhihua menteshenqing", "panzhihua"),
        ("少阳能办吗", "shaoyang"),
    ] {
        assert_eq!(read(text).region(), Some(region), "{text}");
    }
}

#[test]
fn home_and_switch_are_told_apart() {
    let u = read("我是攀枝花的 我妈糖尿病 怎么办门特");
    assert_eq!(regions(&u), vec![("panzhihua", RegionRole::Home)]);
    assert_eq!(u.disease_names(None), vec!["糖尿病"]);
    assert_eq!(u.action, Some(Action::Apply));
    assert_eq!(read("切换到攀枝花").switch_to(), Some("panzhihua"));
    assert_eq!(read("换成邵阳").switch_to(), Some("shaoyang"));
    assert_eq!(read("攀枝花和邵阳有什么不同").region(), None);
}

#[test]
fn a_region_where_the_person_only_lives_is_a_place_not_theirs() {
    let u = read("哦搞错了 我爸医保是在攀枝花交的 只是人在邵阳跟我住");
    assert_eq!(u.regions.iter().map(|m| m.region.as_str()).collect::<Vec<_>>(), ["panzhihua"]);
    assert_eq!(u.lives_elsewhere(), Some("邵阳"));
    let u = read("我妈在攀枝花参保 现在邵阳这边住");
    assert_eq!(u.region(), Some("panzhihua"));
    assert_eq!(u.lives_elsewhere(), Some("邵阳"));
    // One region alone stays the region, lived in or not.
    assert_eq!(read("我在邵阳住 门特怎么办").region(), Some("shaoyang"));
}

#[test]
fn another_place_where_the_person_lives_is_not_the_subject() {
    let u = read("那我爸一年有半年住我这深圳 在深圳拿药能报吗 要办什么");
    assert_eq!(u.lives_elsewhere(), Some("深圳"));
    assert_eq!(u.about_elsewhere(), None);
    let u = read("深圳的门特怎么办");
    assert_eq!(u.about_elsewhere(), Some("深圳"));
    assert_eq!(read("去成都看病要备案吗").lives_elsewhere(), Some("成都"));
    // 四川医保 is 攀枝花's app, not "somewhere in 四川".
    assert!(read("四川医保怎么用").places.is_empty());
}

#[test]
fn insurance_status_and_age() {
    let u = read("攀枝花 职工 退休了 全年6000");
    assert_eq!(u.insurance, Some(Insurance::Employee));
    assert_eq!(u.status, Some(WorkStatus::Retired));
    assert_eq!(u.amounts, vec![6000.0]);
    assert_eq!(u.action, Some(Action::Estimate));
    assert_eq!(read("我是新农合的").insurance, Some(Insurance::Resident));
    assert_eq!(read("我还在上班").status, Some(WorkStatus::InService));
    assert_eq!(read("灵活就业能办吗").status, Some(WorkStatus::Flexible));
    let both = read("还在上班的报几成 退了休的又是多少");
    assert_eq!(both.statuses, vec![WorkStatus::InService, WorkStatus::Retired]);
    assert_eq!(read("我还没退休").statuses, vec![WorkStatus::InService], "退休 inside 没退休");
    assert_eq!(read("我68岁了").age, Some(68));
    assert_eq!(read("我爸七十了").age, Some(70));
}

#[test]
fn money_in_the_ways_people_write_it() {
    for (text, yuan) in [
        ("一年花6000", 6000.0),
        ("一年六千", 6000.0),
        ("6千左右", 6000.0),
        ("1.2万", 12000.0),
        ("一万二", 12000.0),
        ("花了6000块", 6000.0),
    ] {
        assert_eq!(read(text).amounts, vec![yuan], "{text}");
    }
}

#[test]
fn a_rough_amount_is_a_range_of_both_ends() {
    assert_eq!(read("他一年吃药要四五千块钱").amount_range, Some((4000.0, 5000.0)));
    assert_eq!(read("一年4000到5000").amount_range, Some((4000.0, 5000.0)));
    assert_eq!(read("一个月三四百块").amount_range, Some((3600.0, 4800.0)), "a month's, yearly");
    assert_eq!(read("一年四千五").amount_range, None);
    assert_eq!(read("花了3000 又花了2000").amount_range, None, "two amounts, no range mark");
}

#[test]
fn acceptance_dates_give_the_deadline_action() {
    let u = read("9月26受理 哪天到期");
    assert_eq!(u.dates, vec![NaiveDate::from_ymd_opt(2026, 9, 26).unwrap()]);
    assert_eq!(u.action, Some(Action::Deadline));
    assert_eq!(read("昨天受理的 啥时候出结果").action, Some(Action::Deadline));
    // Said as news, acceptance is progress to record (the deadline follows from it).
    assert_eq!(read("昨天受理了").action, Some(Action::Progress));
    assert!(read("9月26受理 哪天到期").amounts.is_empty());
}

#[test]
fn every_disease_named_not_only_the_first() {
    let u = read_in("我问你我糖尿病高血压能不能办门特", Some("panzhihua"));
    assert_eq!(u.disease_names(None), vec!["糖尿病", "高血压"]);
    let u = read_in("糖尿病和高雪压", Some("panzhihua"));
    assert_eq!(u.disease_names(None), vec!["糖尿病", "高血压"]);
    // No region anywhere: both catalogues are searched and labelled.
    let u = read_in("糖尿病怎么申请", None);
    assert_eq!(u.action, Some(Action::Apply));
    let mut found: Vec<&str> = u.diseases.iter().map(|d| d.region.as_str()).collect();
    found.sort();
    assert_eq!(found, vec!["panzhihua", "shaoyang"]);
    assert!(read("感冒能报吗").diseases.is_empty());
}

#[test]
fn yes_no_and_unsure_in_many_wordings() {
    for text in [
        "是的",
        "是的 一直在交",
        "对",
        "嗯",
        "嗯嗯",
        "好",
        "好的",
        "行",
        "可以",
        "要得",
        "没问题",
        "同意",
        "ok",
    ] {
        assert_eq!(read(text).reply, Some(Reply::Yes), "{text}");
    }
    for text in ["不", "不用", "不用了", "不要", "算了", "不行", "不同意", "不想给", "莫得"]
    {
        assert_eq!(read(text).reply, Some(Reply::No), "{text}");
    }
    for text in ["不知道", "晓不得", "不清楚"] {
        assert_eq!(read(text).reply, Some(Reply::Unsure), "{text}");
    }
    // Questions and sentences that merely start with such a word are not replies.
    for text in ["可以报吗", "要申请门特", "行不行啊", "好多钱能报"] {
        assert_eq!(read(text).reply, None, "{text}");
    }
}

#[test]
fn actions_in_dialect_voice_typos_and_pinyin() {
    for (text, action) in [
        ("我觉得不合理 我要投诉 找哪个", Action::Appeal),
        ("米易医保局说我爸的病不给办门特", Action::Appeal),
        ("上次申请门特被拒了 还能再申请不", Action::Appeal),
        ("咋个办门特嘛", Action::Apply),
        ("快到期了咋个整", Action::Renew),
        ("我的门特要续其了", Action::Renew),
        ("在外地拿药要备案不", Action::Remote),
        ("wo xiang huan yi yuan", Action::ChangeHospital),
        ("转人工", Action::Human),
        ("能报好多", Action::Estimate),
        ("我的申请", Action::MyApplications),
        ("审核通过了", Action::Progress),
    ] {
        assert_eq!(read(text).action, Some(action), "{text}");
    }
    assert_eq!(read("职工起付线多少").action, None);
}

#[test]
fn a_denied_action_word_asks_for_nothing() {
    // The user says what it is not: no renewal, no 异地 procedure.
    assert_ne!(read("不是延期啊他是头一回办 要带些啥东西去").action, Some(Action::Renew));
    assert_ne!(read("不是异地 就在本地看病").action, Some(Action::Remote));
    // Asking whether it is one still asks about it.
    assert_eq!(read("是不是要延期了").action, Some(Action::Renew));
}

#[test]
fn acceptance_numbers_but_not_phones_or_ids() {
    let u = read("受理号MT20260926001 电话13812345678");
    assert_eq!(u.acceptance_numbers, vec!["MT20260926001".to_string()]);
    assert!(read("身份证11010519491231002X").acceptance_numbers.is_empty());
    assert!(u.amounts.is_empty());
}

#[test]
fn questions_are_recognised() {
    assert!(read("起付线是好多").question);
    assert!(read("要带啥子").question);
    assert!(read("能报吗").question);
    assert!(!read("是的").question);
}

#[test]
fn yes_no_questions_by_their_ending_and_conditions_the_catalogue_lacks() {
    assert!(read("两个都能报不").question);
    assert!(read("报得了没").question);
    let u = read_in("高血压 糖尿病 冠心病 哪些能办", Some("panzhihua"));
    assert_eq!(u.disease_names(None), vec!["高血压", "糖尿病"]);
    assert_eq!(u.unknown_conditions, vec!["冠心病".to_string()]);
    let u = read_in("尿毒症加高血压 两个都能报不", Some("panzhihua"));
    assert_eq!(u.disease_names(None).len(), 2, "{u:?}");
    assert!(u.unknown_conditions.is_empty(), "{u:?}");
    assert!(read("门特病怎么申请 什么病可以办").unknown_conditions.is_empty());
}

#[test]
fn renewing_for_a_parent_is_a_renewal_not_a_new_application() {
    let u = read("我帮我爸办的邵阳门特 他的卡12月20号到期 要续期 咋个弄");
    assert_eq!(u.action, Some(Action::Renew));
    assert_eq!(u.dates, vec![NaiveDate::from_ymd_opt(2026, 12, 20).unwrap()]);
}

#[test]
fn a_validity_end_written_with_a_dash_is_a_date() {
    let u = read("我爸在邵阳那边的门特 卡上写的有效期到12-20 我想帮他续一下 要准备啥子");
    assert_eq!(u.action, Some(Action::Renew));
    assert_eq!(u.dates, vec![NaiveDate::from_ymd_opt(2026, 12, 20).unwrap()]);
}

#[test]
fn a_region_said_not_to_be_the_users_is_not_named() {
    let u = read("哎呀搞错了 我是湖南邵阳的不是攀枝花 点错了");
    assert_eq!(u.region(), Some("shaoyang"));
    assert!(u.regions.iter().all(|m| m.region != "panzhihua"), "{:?}", u.regions);
    assert!(u.correction);
    assert_eq!(read("切回攀枝花").switch_to(), Some("panzhihua"));
    assert_eq!(read("是不是攀枝花的规定").region(), Some("panzhihua"), "是不是 asks");
}

#[test]
fn a_disease_the_person_does_not_have_is_none() {
    let u = read_in("我又没得癌症 就是血压高", Some("panzhihua"));
    assert!(u.diseases.iter().all(|d| d.name != "恶性肿瘤"), "{:?}", u.diseases);
    assert!(u.unknown_conditions.iter().all(|c| !c.contains('癌')), "{:?}", u.unknown_conditions);
    let asked = read_in("有没有癌症的能办", Some("panzhihua"));
    assert!(asked.diseases.iter().any(|d| d.name == "恶性肿瘤"), "有没有 asks: {asked:?}");
}

#[test]
fn two_conditions_written_together_are_two() {
    let u = read_in("有糖尿病冠心病", Some("panzhihua"));
    assert_eq!(u.unknown_conditions, vec!["冠心病".to_string()]);
}

#[test]
fn a_months_amount_is_twelve_times_for_the_year() {
    assert_eq!(read("一个月药钱一千块左右 职工医保").amounts, vec![12000.0]);
    assert_eq!(read("一年药钱一万二").amounts, vec![12000.0]);
    assert_eq!(read("每个月一千 一年一万二").amounts, vec![12000.0, 12000.0]);
}

#[test]
fn places_where_someone_lives_or_is_treated_are_remote() {
    assert_eq!(read("我们一家都搬深圳了 门特还能用不").lives_elsewhere(), Some("深圳"));
    assert_eq!(read("深圳那边的医院能刷门特不").lives_elsewhere(), Some("深圳"));
    assert_eq!(read("深圳的门特起付线多少").about_elsewhere(), Some("深圳"));
}

#[test]
fn a_correction_between_two_regions_keeps_the_one_named_after_it() {
    let u = read_in("邵阳的 不对 是攀枝花 门特电话多少", None);
    assert_eq!(regions(&u), vec![("panzhihua", RegionRole::Home)]);
    assert_eq!(u.region(), Some("panzhihua"));
    // Without a correction word both regions stay named (a comparison, or two questions).
    let both = read_in("攀枝花的门特起付线多少 邵阳的呢", None);
    assert_eq!(both.regions.len(), 2);
}

#[test]
fn a_regions_phone_number_is_no_amount() {
    // `12393是全国的吧` asks about the number: no estimate of 12,393元 (it had made the whole
    // message one estimate question and dropped the question about a local number).
    for text in ["12393是全国的吧", "0812-3323000打不通", "拨0739-12393有人接没"] {
        assert!(read(text).amounts.is_empty(), "{text}: {:?}", read(text).amounts);
    }
    assert_eq!(read("一年药费12393元").amounts, vec![12393.0], "with 元 it is money");
    assert_eq!(read("一年药费23000").amounts, vec![23000.0]);
}

#[test]
fn the_words_before_a_named_disease_are_no_condition_of_their_own() {
    // Play-test round 8, P8: `…城乡居民医保有类风湿` gave a phantom `医保有类风`.
    let u = read_in("我爸邵阳职工医保有类风湿 想问下", Some("shaoyang"));
    assert!(!u.diseases.is_empty(), "{u:?}");
    assert!(u.unknown_conditions.is_empty(), "{u:?}");
}

#[test]
fn a_condition_named_without_an_ending_is_one_the_catalogue_lacks() {
    // 老慢支 (no 病/症 ending) beside a catalogue disease: reported, not dropped.
    let u = read_in("我有高血压和老慢支 能办门特不", Some("panzhihua"));
    assert_eq!(u.disease_names(None), vec!["高血压"]);
    assert_eq!(u.unknown_conditions, vec!["老慢支".to_string()]);
    // Not when the person says they do not have it.
    assert!(read_in("我又没得老慢支", Some("panzhihua")).unknown_conditions.is_empty());
}

#[test]
fn a_code_said_without_its_keyword_is_found_but_not_a_phone_number() {
    assert_eq!(super::codes_in("医院给了个号SY20261208001你帮我记一下"), vec!["SY20261208001"]);
    assert!(super::codes_in("电话13812345678").is_empty());
}
