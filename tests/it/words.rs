//! The word lists the answers read are content (issue 17: `faq/understand.yaml`, not Rust): a
//! staff edit of one list changes what the assistant understands, with no rebuild.

use std::path::Path;

use chrono::{TimeZone, Utc};
use mente::assistant::Assistant;
use mente::engine::{self, Input, Session, UserData};

/// A deductible question with a wording of "what ratio" no list has (赔几成).
const QUESTION: &str = "起付线多少 赔几成";

/// The replies to [`QUESTION`] in 攀枝花, with the content under `root`.
fn replies(root: &Path) -> String {
    let assistant = Assistant::load(root).expect("content loads");
    let session = Session { region: Some("panzhihua".into()), turn: 3, ..Session::default() };
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
    let out = engine::handle(
        &assistant,
        &session,
        &UserData::default(),
        Input::Text(QUESTION.into()),
        now,
    );
    out.replies.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_ratio_word_added_by_staff_is_read_as_a_ratio_question() {
    let root = tempfile::tempdir().expect("temp dir");
    for sub in ["dialogs", "faq", "data"] {
        crate::wechat::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(sub),
            &root.path().join(sub),
        );
    }
    // As shipped: only the deductible is asked about, so its answer alone comes back.
    let before = replies(root.path());
    assert!(before.contains("起付") && !before.contains("报销85%"), "{before}");
    let file = root.path().join("faq/understand.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen("  ratio: [", "  ratio: [赔几成, ", 1);
    assert_ne!(edited, text, "the ratio list is in faq/understand.yaml");
    std::fs::write(&file, edited).expect("write");
    // With 赔几成 a ratio word: deductible and ratio together, as for 起付线多少 报销比例呢.
    let after = replies(root.path());
    assert!(after.contains("起付线800元") && after.contains("报销85%"), "{after}");
}
