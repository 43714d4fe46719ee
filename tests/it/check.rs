//! `mente check` on content fixtures: every deliberate problem in `tests/fixtures/broken` is
//! reported at its file and line with exit code 1; clean content gives a one-line summary; other
//! commands refuse to start on broken content.
//!
//! The fixtures hold their own `dialogs/` and `faq/`; their `data/` is a symlink to the
//! repository's real region, disease and calendar data, so those schemas can evolve without
//! touching the fixtures (and the checks that need region ids use the real ones).

use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn mente(content: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_mente"))
        .arg("--content")
        .arg(content)
        // Never touch a database outside the test's own folder.
        .arg("--db")
        .arg(crate::db::test_db_url(dir.path(), "t.sqlite"))
        .args(args)
        .env_remove("MENTE_CONTENT")
        .env_remove("MENTE_DB")
        .output()
        .expect("run mente")
}

/// Each deliberate problem of the broken fixture: where it is and a word of the message.
const EXPECTED: &[(&str, &str)] = &[
    ("faq/syntax.yaml:4: ", "YAML"),
    ("dialogs/syntax.yaml:6: ", "YAML: mapping values are not allowed"),
    ("dialogs/bad_input.yaml:7: ", "unknown variant `emial`"),
    ("dialogs/zz_duplicate.yaml:2: ", "duplicate dialog id \"target\""),
    ("dialogs/bad_start.yaml:4: ", "start step \"begin\""),
    ("dialogs/broken.yaml:7: ", "unknown slot {nickname}"),
    ("dialogs/broken.yaml:12: ", "\"no_such_step\""),
    ("dialogs/broken.yaml:13: ", "empty button label"),
    ("dialogs/broken.yaml:15: ", "72 bytes"),
    ("dialogs/broken.yaml:16: ", "no dialog \"nowhere\""),
    ("dialogs/broken.yaml:19: ", "no slot"),
    ("dialogs/broken.yaml:20: ", "unknown region fact {region.fax}"),
    ("dialogs/broken.yaml:25: ", "unknown slot \"favourite\""),
    ("dialogs/broken.yaml:26: ", "\"gone\""),
    ("dialogs/broken.yaml:28: ", "has no step \"nope\""),
    ("dialogs/broken.yaml:29: ", "topic = \"打字\" never holds"),
    ("dialogs/broken.yaml:34: ", "\"nxt_missing\""),
    ("dialogs/broken.yaml:37: ", "no choices"),
    ("dialogs/broken.yaml:41: ", "unknown action \"teleport\""),
    ("dialogs/broken.yaml:44: ", "\"beijing\" is not a region"),
    ("dialogs/broken.yaml:48: ", "4097 characters"),
    ("dialogs/broken.yaml:50: ", "next and end"),
    ("dialogs/broken.yaml:54: ", "dead end"),
    ("dialogs/broken.yaml:56: ", "duplicate step id \"run\""),
    ("dialogs/broken.yaml:59: ", "\"orphan\" is unreachable"),
    ("dialogs/broken.yaml:62: ", "never waits"),
    // One entry's type error does not hide the other entries' problems (issue 11).
    ("faq/typed.yaml:6: ", "YAML: as_of: input contains invalid characters"),
    ("faq/typed.yaml:7: ", "unknown region `beijing`"),
    ("faq/typed.yaml:16: ", "unknown source id in \"seed 0009\""),
];

#[test]
fn check_reports_every_problem_with_file_and_line() {
    let out = mente(&fixture("broken"), &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    for (at, words) in EXPECTED {
        assert!(
            lines.iter().any(|l| l.starts_with(at) && l.contains(words)),
            "missing `{at}…{words}…` in:\n{stdout}"
        );
    }
    // Nothing but the deliberate problems: no follow-on noise staff would have to wade through.
    assert_eq!(lines.len(), EXPECTED.len(), "{stdout}");
}

#[test]
fn check_on_clean_content_prints_a_summary() {
    let out = mente(&fixture("ok"), &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("content OK: 1 dialogs, 1 FAQ entries, 2 regions"), "{stdout}");
}

#[test]
fn check_on_the_shipped_content_passes() {
    let out = mente(env!("CARGO_MANIFEST_DIR"), &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("content OK: "), "{stdout}");
}

#[test]
fn other_commands_refuse_to_start_on_broken_content() {
    let out = mente(&fixture("broken"), &["ask", "x"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains("dialogs/broken.yaml:62: "), "{stderr}");
    assert!(stderr.contains("mente check"), "{stderr}");
}

/// The example in the content editors' "Dialog YAML reference" (docs/content.md) stays valid as the
/// checker evolves.
#[test]
fn the_readme_example_dialog_passes_the_check() {
    let readme = std::fs::read_to_string(format!("{}/docs/content.md", env!("CARGO_MANIFEST_DIR")))
        .expect("docs/content.md");
    let section = &readme[readme.find("### Dialog YAML reference").expect("section")..];
    let start = section.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let example = &section[start..start + section[start..].find("```").expect("block end")];
    let root = tempfile::tempdir().expect("temp dir");
    copy_tree(&std::path::PathBuf::from(fixture("ok")), root.path());
    std::fs::write(root.path().join("dialogs/channels.yaml"), example).expect("write");
    // The example jumps to the `rejected` dialog.
    let rejected =
        "id: rejected\ntitle: 被退回\nsteps:\n  - id: start\n    say: 好的。\n    end: true\n";
    std::fs::write(root.path().join("dialogs/rejected.yaml"), rejected).expect("write");
    let out = mente(&root.path().display().to_string(), &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("content OK: 3 dialogs"), "{stdout}");
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A copy of the clean fixture that a test may change.
fn ok_copy() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    copy_tree(&std::path::PathBuf::from(fixture("ok")), root.path());
    root
}

fn check(root: &std::path::Path) -> (Option<i32>, String) {
    let out = mente(&root.display().to_string(), &["check"]);
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

#[test]
fn yaml_files_are_read_whatever_the_case_of_their_extension() {
    let root = ok_copy();
    let dialogs = root.path().join("dialogs");
    std::fs::rename(dialogs.join("hello.yaml"), dialogs.join("HELLO.YAML")).expect("rename");
    let hello = std::fs::read_to_string(dialogs.join("HELLO.YAML")).expect("read");
    std::fs::write(dialogs.join("again.Yml"), hello.replace("id: hello", "id: again"))
        .expect("write");
    let (code, text) = check(root.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("content OK: 2 dialogs"), "both files were read: {text}");
}

#[test]
fn a_content_tree_without_dialogs_is_an_error() {
    let root = ok_copy();
    std::fs::remove_file(root.path().join("dialogs/hello.yaml")).expect("rm");
    let (code, text) = check(root.path());
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("dialogs:1: no dialog files"), "{text}");
}

#[test]
fn a_nul_byte_is_reported_at_its_own_line() {
    let root = ok_copy();
    let faq = root.path().join("faq/basic.yaml");
    let mut text = std::fs::read_to_string(&faq).expect("read");
    text = text.replacen("门特是", "门特\0是", 1);
    let line = text.lines().position(|l| l.contains('\0')).expect("NUL written") + 1;
    assert!(line > 1, "the test needs the NUL past line 1");
    std::fs::write(&faq, text).expect("write");
    let (code, text) = check(root.path());
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("faq/basic.yaml:{line}: character U+0000")), "{text}");
}

#[test]
fn one_broken_region_file_is_one_problem_not_a_cascade() {
    let root = ok_copy();
    let region = root.path().join("data/regions/shaoyang.yaml");
    let text = std::fs::read_to_string(&region).expect("read");
    // A value of the wrong type makes the whole region file fail to parse.
    let broken = text.replacen("name: 邵阳", "name: [邵阳", 1);
    assert_ne!(broken, text);
    std::fs::write(&region, broken).expect("write");
    let (code, text) = check(root.path());
    assert_eq!(code, Some(1), "{text}");
    let problems: Vec<&str> = text.lines().filter(|l| l.contains(".yaml:")).collect();
    assert_eq!(problems.len(), 1, "{text}");
    assert!(problems[0].starts_with("data/regions/shaoyang.yaml:"), "{text}");
}

/// A FIFO named like a content file would block `open` until some writer came along.
#[cfg(unix)]
#[test]
fn a_fifo_among_the_dialogs_is_refused_without_hanging() {
    let root = ok_copy();
    let fifo = root.path().join("dialogs/x.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let content = root.path().display().to_string();
    for args in [&["check"][..], &["chat"][..]] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_mente"))
            .args(["--content", &content, "--db"])
            .arg(crate::db::test_db_url(dir.path(), "t.sqlite"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run mente");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().expect("wait").is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().expect("kill");
                panic!("mente {args:?} hangs on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().expect("output");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains("dialogs/x.yaml:1: not a regular file"), "{args:?}: {text}");
    }
}

/// `faq/understand.yaml` (issue 17: every word list the assistant reads): an empty list, an
/// empty word or character string and a word listed twice in one list are each reported at the
/// line of their key, whatever group the list is in.
#[test]
fn word_list_mistakes_in_understand_yaml_are_reported_with_their_line() {
    let root = ok_copy();
    let words = "\
yes: [是]
asks:
  ratio: []
  deductible: [起付线, 门槛, 起付线]
reading:
  day_words: [今天, \"\"]
  negation_gap: \"\"
  faq_subject: 门特
commands:
  say:
    menu: [主菜单, 菜单, 主菜单]
topic_names:
  remot: 异地备案
";
    std::fs::write(root.path().join("faq/understand.yaml"), words).expect("write");
    let (code, text) = check(root.path());
    assert_eq!(code, Some(1), "{text}");
    for (line, message) in [
        (3, "`asks.ratio` is an empty list"),
        (4, "`起付线` is listed twice in `asks.deductible`"),
        (6, "empty word in `reading.day_words`"),
        (7, "`reading.negation_gap` is an empty string"),
        (11, "`主菜单` is listed twice in `commands.say.menu`"),
        (13, "`topic_names.remot`: no FAQ entry has the topic `remot`"),
    ] {
        assert!(text.contains(&format!("faq/understand.yaml:{line}: {message}")), "{text}");
    }
    assert!(!text.contains("faq_subject"), "a filled string is fine: {text}");
}

#[test]
fn an_faq_brief_longer_than_a_line_is_reported() {
    let root = ok_copy();
    let faq = root.path().join("faq/basic.yaml");
    let text = std::fs::read_to_string(&faq).expect("read");
    let long = "门特是门诊慢特病待遇的简称，".repeat(5);
    let with_brief =
        text.replacen("  source: seed 000", &format!("  brief: {long}\n  source: seed 000"), 1);
    assert_ne!(with_brief, text);
    std::fs::write(&faq, &with_brief).expect("write");
    let (code, out) = check(root.path());
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("faq/basic.yaml:2: FAQ `what_is_mente`: brief has 70 characters"),
        "{out}"
    );
    // One short line passes.
    std::fs::write(&faq, with_brief.replace(&long, "门诊慢特病待遇的简称。")).expect("write");
    let (code, out) = check(root.path());
    assert_eq!(code, Some(0), "{out}");
}
