//! Every reply of 新申请 fits one phone screen: the texts of a turn together (a turn may send
//! two messages, read one after the other) stay within [`SCREEN_CHARS`] without buttons, in
//! both regions and along its branches (play-test round 11: P1's materials step after
//! `深圳的三甲医院开的 算不算` had 343 characters, P2's restart for 糖尿病 388).

use mente::engine::{Input, Reply};

use crate::replay::{self, Conversation, SCREEN_CHARS};

/// 2026-12-07 10:00 China time, a Monday.
const NOW: &str = "2026-12-07T10:00:00+08:00";

/// One walk through 新申请: the region, consent given beforehand or not, and the messages
/// (`tap:` marks a button label tapped).
struct Walk {
    region: &'static str,
    consent: bool,
    say: &'static [&'static str],
}

const WALKS: &[Walk] = &[
    // 攀枝花 职工, dialysis (extra photo), the hospital asked as a question, then recorded.
    Walk {
        region: "panzhihua",
        consent: false,
        say: &[
            "我是攀枝花职工医保 尿毒症一直在透析 能办门特不",
            "开始新申请",
            "同意",
            "深圳的三甲医院开的 算不算",
            "下一步",
            "下一步",
            "是",
            "线上",
            "今天",
            "PZH20261207999",
        ],
    },
    // 攀枝花 居民, 高血压 (a loose name), records from a community clinic (the note first).
    Walk {
        region: "panzhihua",
        consent: false,
        say: &[
            "我是攀枝花城乡居民医保 有高血压 想申请门特",
            "开始新申请",
            "同意",
            "社区医院开的",
            "医保欠费或停保了",
        ],
    },
    // 攀枝花, every step asked: for a relative, 职工, a transplant (unverified, extra photo).
    Walk {
        region: "panzhihua",
        consent: true,
        say: &[
            "新申请",
            "tap:替家人",
            "tap:父母",
            "tap:职工医保",
            "换肾了 吃抗排异的药",
            "tap:不清楚",
            "下一步",
            "下一步",
            "否",
        ],
    },
    // 邵阳 居民 for a grandmother, two diseases, then restarted for the other one.
    Walk {
        region: "shaoyang",
        consent: false,
        say: &[
            "我奶奶在邵阳 城乡居民医保 有高血压和糖尿病 能办门特不",
            "帮她开始新申请",
            "同意",
            "tap:高血压病3级",
            "那糖尿病能办不",
            "tap:用“糖尿病”开始新申请",
            "下一步",
            "下一步",
            "是",
            "王秀英",
            "tap:线下（窗口或医院）",
            "今天",
            "tap:没有受理号",
        ],
    },
    // 邵阳, every step asked: 本人, 职工, 脑瘫 (resident only) refused, then 糖尿病.
    Walk {
        region: "shaoyang",
        consent: false,
        say: &[
            "新申请",
            "tap:本人",
            "tap:职工医保",
            "同意",
            "脑瘫",
            "糖尿病",
            "下一步",
            "下一步",
            "否",
        ],
    },
];

/// The characters a turn shows without its buttons (the seams between messages not counted).
fn shown(replies: &[Reply]) -> usize {
    replies.iter().map(|r| r.text.trim().chars().count()).sum()
}

#[tokio::test]
async fn every_reply_of_a_new_application_fits_one_screen_in_both_regions() {
    let assistant = replay::assistant();
    let mut problems = Vec::new();
    for (n, walk) in WALKS.iter().enumerate() {
        let mut chat = Conversation::new(assistant.clone(), &format!("screen-{n}"), NOW).await;
        chat.preselect(walk.region).await;
        if walk.consent {
            chat.consent().await;
        }
        for line in walk.say {
            let input = match line.strip_prefix("tap:") {
                Some(label) => chat.tap(label),
                None => Input::Text(line.to_string()),
            };
            let replies = chat.send(input).await;
            let chars = shown(&replies);
            if chars > SCREEN_CHARS {
                problems.push(format!(
                    "{} walk {n} > {line}: {chars} chars\n{}",
                    walk.region,
                    replay::seen(&replies)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "replies over one screen:\n{}", problems.join("\n\n"));
}
