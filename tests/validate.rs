//! `stackc validate` on the example sites and on every bad-input case.

mod common;

use common::*;

#[test]
fn example_sites_are_valid() {
    let sites = sites();
    assert!(sites.len() >= 3, "expected at least three example sites");
    for site in &sites {
        let (code, stdout, stderr) = run(stackc().args(["validate", site]));
        assert_eq!(code, 0, "{site} should validate:\n{stderr}");
        assert!(
            stderr.is_empty(),
            "{site} should have no diagnostics:\n{stderr}"
        );
        assert!(stdout.starts_with("ok: "), "{stdout}");
        let (code, stdout, _) = run(stackc().args(["validate", "--message-format", "json", site]));
        assert_eq!(
            (code, stdout.as_str()),
            (0, ""),
            "{site}: JSON mode prints only diagnostics"
        );
    }
}

#[test]
fn a_directory_validates_every_site_in_it() {
    let (code, stdout, _) = run(stackc().args(["validate", "sites"]));
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), sites().len());
}

/// Each case in tests/cases/invalid has a golden with the exit code, the
/// JSON diagnostics and the human report; and each golden has a case.
#[test]
fn invalid_cases_match_goldens() {
    let cases = files_in("tests/cases/invalid", &["yaml"]);
    assert!(cases.len() >= 25, "at least 25 bad-input cases");
    let mut expected_goldens = Vec::new();
    for case in &cases {
        let stem = case.rsplit('/').next().unwrap().trim_end_matches(".yaml");
        let (code, json, _) = run(stackc().args(["validate", "--message-format", "json", case]));
        let (code2, _, human) = run(stackc().args(["validate", case]));
        assert_eq!(code, code2, "{case}: both formats give the same exit code");
        let is_warning_case = stem.contains("-warn-");
        assert_eq!(
            code,
            if is_warning_case { 0 } else { 1 },
            "{case}: exit code\n{human}"
        );
        for line in json.lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).expect("one JSON object per line");
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                [
                    "code", "severity", "message", "file", "line", "column", "help"
                ]
            );
            assert!(v["line"].as_u64().unwrap() >= 1 && v["column"].as_u64().unwrap() >= 1);
            assert!(
                v["help"].is_string(),
                "every diagnostic has a help line: {line}"
            );
            assert_eq!(v["file"], case.as_str());
        }
        assert!(!json.is_empty(), "{case}: at least one diagnostic");
        let golden = format!("exit: {code}\n--- json\n{json}--- human\n{human}");
        let path = format!("golden/invalid/{stem}.txt");
        assert_golden(&path, &golden);
        expected_goldens.push(path);
    }
    let actual_goldens = files_in("golden/invalid", &["txt"]);
    assert_eq!(
        actual_goldens, expected_goldens,
        "every golden in golden/invalid has a case"
    );
}

/// All errors in a file are reported in one run, in file order, each once.
#[test]
fn all_errors_in_file_order_each_once() {
    let (code, json, _) = run(stackc().args([
        "validate",
        "--message-format",
        "json",
        "tests/cases/invalid/36-many-errors.yaml",
    ]));
    assert_eq!(code, 1);
    let diags: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(diags.len() >= 10, "{json}");
    let positions: Vec<(u64, u64)> = diags
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted, "file order");
    let mut unique: Vec<String> = json.lines().map(str::to_string).collect();
    unique.dedup();
    assert_eq!(unique.len(), diags.len(), "each once");
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    for code in [
        "E0008", "E0010", "E0013", "E0014", "E0015", "E0016", "E0017", "E0018",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
}

#[test]
fn io_errors_exit_2() {
    let (code, _, stderr) = run(stackc().args(["validate", "sites/does-not-exist.yaml"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("E0001") && stderr.contains("does-not-exist.yaml"),
        "{stderr}"
    );
    let (code, json, _) = run(stackc().args(["validate", "--message-format", "json", "docs"]));
    assert_eq!(code, 2, "a directory without site files");
    assert!(json.contains("\"E0001\""));
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = run(stackc().args(["validate"]));
    assert_eq!(code, 2);
    let (code, _, _) = run(stackc().args(["frobnicate"]));
    assert_eq!(code, 2);
}

/// Secret values planted in rejected inputs never reach any output.
#[test]
fn secret_values_are_never_printed() {
    for case in files_in("tests/cases/invalid", &["yaml"]) {
        let text = std::fs::read(common::repo().join(&case)).unwrap();
        let text = String::from_utf8_lossy(&text);
        let canaries: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("CANARY"))
            .collect();
        for format in ["human", "json", "github", "gitlab"] {
            let (_, out, err) = run(stackc().args(["validate", "--message-format", format, &case]));
            for canary in &canaries {
                assert!(
                    !out.contains(canary) && !err.contains(canary),
                    "{case} leaked {canary} in {format} output"
                );
            }
        }
    }
}
