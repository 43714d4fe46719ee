//! `mente disease` and `mente calc` as scripts use them: the built binary, its JSON shapes and
//! exit code 2 for bad arguments.

use std::process::{Command, Output};

use serde_json::Value;

fn mente(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mente"))
        .args(args)
        .env("MENTE_CONTENT", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("mente runs")
}

fn json(args: &[&str]) -> Value {
    let out = mente(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn assert_usage_error(args: &[&str], mentions: &str) {
    let out = mente(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(mentions), "{args:?}: stderr {err:?} should mention {mentions:?}");
}

#[test]
fn disease_json_lists_matches_best_first_with_alias_and_note() {
    let v = json(&["disease", "--region", "panzhihua", "--json", "尿毒症"]);
    let matches = v["matches"].as_array().unwrap();
    let top = &matches[0];
    assert_eq!(top["name"], "慢性肾功能衰竭(透析)");
    assert_eq!(top["alias"], "尿毒症");
    assert!(top["score"].as_f64().unwrap() > 0.9);
    assert!(top["note"].as_str().unwrap().contains("免冠照片"));
    let fuzzy = json(&["disease", "--region", "shaoyang", "--json", "gao", "xue", "ya"]);
    let scores: Vec<f64> =
        fuzzy["matches"].as_array().unwrap().iter().map(|m| m["score"].as_f64().unwrap()).collect();
    assert_eq!(fuzzy["matches"][0]["name"], "高血压病3级");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn disease_json_is_empty_for_non_catalogue_words() {
    for text in ["感冒", "骨折"] {
        let v = json(&["disease", "--json", text]);
        assert_eq!(v["matches"], serde_json::json!([]), "{text}");
    }
}

#[test]
fn disease_without_region_searches_both_and_labels_them() {
    let v = json(&["disease", "--json", "脑瘫"]);
    let regions: Vec<&str> =
        v["matches"].as_array().unwrap().iter().map(|m| m["region"].as_str().unwrap()).collect();
    assert_eq!(regions, ["shaoyang"], "脑瘫 is only in the 邵阳 resident list");
    let out = mente(&["disease", "高血压"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("攀枝花") && text.contains("邵阳"), "{text}");
    assert!(text.contains("高血压病3级"), "{text}");
}

#[test]
fn calc_json_has_the_documented_shape_for_both_regions() {
    let v = json(&[
        "calc",
        "--region",
        "panzhihua",
        "--insurance",
        "employee",
        "--expense",
        "10800",
        "--json",
    ]);
    assert_eq!(v["deductible"], 800.0);
    assert_eq!(v["ratio_min"], 0.85);
    assert_eq!(v["ratio_max"], Value::Null);
    assert_eq!(v["estimate_min"], 8500.0);
    assert_eq!(v["estimate_max"], Value::Null);
    assert!(v["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a.as_str().unwrap().contains("正式结算为准")));
    assert!(!v["sources"].as_array().unwrap().is_empty());

    let v = json(&[
        "calc",
        "--region",
        "shaoyang",
        "--insurance",
        "employee",
        "--retired",
        "--age",
        "66",
        "--expense",
        "2000",
        "--json",
    ]);
    assert_eq!(v["deductible"], Value::Null, "邵阳 employee deductible is not published");
    assert_eq!(v["ratio_min"], 0.85);
    assert_eq!(v["estimate_min"], 0.0);
    assert_eq!(v["estimate_max"], 1700.0);
}

#[test]
fn calc_text_names_unknowns() {
    let out =
        mente(&["calc", "--region", "shaoyang", "--insurance", "employee", "--expense", "5000"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("起付线：未公开"), "{text}");
}

#[test]
fn bad_arguments_exit_with_code_2_and_say_why() {
    assert_usage_error(&["disease", "--region", "chengdu", "糖尿病"], "panzhihua, shaoyang");
    assert_usage_error(&["disease", "  "], "disease");
    assert_usage_error(
        &["calc", "--region", "chengdu", "--insurance", "employee", "--expense", "1"],
        "unknown region",
    );
    assert_usage_error(
        &["calc", "--region", "shaoyang", "--insurance", "employee", "--expense", "-100"],
        "0 or more",
    );
    assert_usage_error(
        &["calc", "--region", "shaoyang", "--insurance", "boss", "--expense", "1"],
        "employee",
    );
    assert_usage_error(
        &[
            "calc",
            "--region",
            "shaoyang",
            "--insurance",
            "resident",
            "--tier",
            "0",
            "--expense",
            "1",
        ],
        "tier",
    );
}
