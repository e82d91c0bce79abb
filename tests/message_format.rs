//! `--message-format github` (workflow commands) and `gitlab` (a Code
//! Quality report): the exact output for a set of bad inputs is golden;
//! both carry what the JSON format carries, nothing secret.

mod common;

use common::*;

/// Bad inputs covering: a syntax error, secondary labels, a secret, many
/// errors in one file, a warning, an unreadable file, and a file name that
/// needs escaping in a workflow-command property (copied to a temporary
/// directory, where the command runs).
const CASES: [&str; 6] = [
    "01-yaml-syntax.yaml",
    "24-requirement-disabled.yaml",
    "26-secret-in-values.yaml",
    "36-many-errors.yaml",
    "37-warn-ceph-ignored.yaml",
    "missing.yaml",
];

const ODD_NAME: &str = "odd,name:100%.yaml";

/// Runs `stackc validate --message-format FORMAT` over the cases from a
/// temporary directory holding copies of them.
fn validate(format: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    for case in CASES {
        let from = repo().join("tests/cases/invalid").join(case);
        if from.exists() {
            std::fs::copy(&from, dir.path().join(case)).unwrap();
        }
    }
    std::fs::copy(
        repo().join("tests/cases/invalid/19-replicas-zero.yaml"),
        dir.path().join(ODD_NAME),
    )
    .unwrap();
    run(stackc()
        .current_dir(dir.path())
        .args(["validate", "--message-format", format])
        .args(CASES)
        .arg(ODD_NAME))
}

#[test]
fn github_annotations_are_exact() {
    let (code, stdout, stderr) = validate("github");
    assert_eq!(
        (code, stderr.as_str()),
        (2, ""),
        "missing.yaml is an I/O error"
    );
    let (_, json, _) = validate("json");
    assert_eq!(
        stdout.lines().count(),
        json.lines().count(),
        "one line per diagnostic"
    );
    for (line, json) in stdout.lines().zip(json.lines()) {
        let j: serde_json::Value = serde_json::from_str(json).unwrap();
        let level = if j["severity"] == "warning" {
            "warning"
        } else {
            "error"
        };
        let head = format!(
            "::{level} file={},line={},col={},title={}::",
            j["file"]
                .as_str()
                .unwrap()
                .replace('%', "%25")
                .replace(':', "%3A")
                .replace(',', "%2C"),
            j["line"],
            j["column"],
            j["code"].as_str().unwrap()
        );
        assert!(line.starts_with(&head), "{line}\nshould start with {head}");
        assert!(!line.contains('\r'), "{line}");
    }
    assert!(
        stdout.contains("file=odd%2Cname%3A100%25.yaml,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("%0Ahelp: "),
        "help on the annotation's second line"
    );
    assert!(!stdout.contains("CANARY"), "no secret value:\n{stdout}");
    assert_golden("golden/message-format/github.txt", &stdout);
}

#[test]
fn gitlab_code_quality_report_is_exact() {
    let (code, stdout, stderr) = validate("gitlab");
    assert_eq!((code, stderr.as_str()), (2, ""));
    let (_, json, _) = validate("json");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let issues = report.as_array().expect("an array of issues");
    assert_eq!(
        issues.len(),
        json.lines().count(),
        "one issue per diagnostic"
    );
    let mut fingerprints = std::collections::BTreeSet::new();
    for (issue, json) in issues.iter().zip(json.lines()) {
        let j: serde_json::Value = serde_json::from_str(json).unwrap();
        let keys: Vec<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "description",
                "check_name",
                "fingerprint",
                "severity",
                "location"
            ]
        );
        assert_eq!(issue["check_name"], j["code"]);
        assert_eq!(issue["location"]["path"], j["file"]);
        assert_eq!(issue["location"]["lines"]["begin"], j["line"]);
        let severity = if j["severity"] == "warning" {
            "minor"
        } else {
            "major"
        };
        assert_eq!(issue["severity"], severity);
        assert!(
            issue["description"]
                .as_str()
                .unwrap()
                .starts_with(j["message"].as_str().unwrap())
        );
        assert!(
            fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()),
            "fingerprints are unique: {issue}"
        );
    }
    assert!(!stdout.contains("CANARY"), "no secret value:\n{stdout}");
    assert_golden("golden/message-format/gitlab.json", &stdout);
}

#[test]
fn gitlab_report_is_an_empty_array_when_all_is_well() {
    let (code, stdout, stderr) =
        run(stackc().args(["validate", "--message-format", "gitlab", "sites"]));
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "[]\n", ""));
}

/// A command whose stdout is its output keeps it clean: the report is
/// printed only when it has issues.
#[test]
fn gitlab_report_leaves_command_output_alone() {
    let plain = run(stackc().args(["values", "sites/lab-aio.yaml", "keystone"]));
    let gitlab = run(stackc().args([
        "--message-format",
        "gitlab",
        "values",
        "sites/lab-aio.yaml",
        "keystone",
    ]));
    assert_eq!(plain.0, 0);
    assert_eq!(gitlab, plain);
    // With an issue, the report is there (and the command fails).
    let (code, stdout, _) = run(stackc().args([
        "--message-format",
        "gitlab",
        "values",
        "tests/cases/invalid/08-unknown-spec-key.yaml",
    ]));
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(!report.as_array().unwrap().is_empty(), "{stdout}");
}

#[test]
fn github_annotations_are_silent_when_all_is_well() {
    let (code, stdout, stderr) =
        run(stackc().args(["validate", "--message-format", "github", "sites"]));
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}

/// `render --check` reports each drifted file as E0054 in the machine
/// formats (in path order), so CI annotates the files themselves.
#[test]
fn render_check_annotates_drifted_files() {
    let dir = tempfile::tempdir().unwrap();
    let site = repo().join("sites/lab-aio.yaml");
    let render = |args: &[&str]| {
        run(stackc()
            .current_dir(dir.path())
            .arg("render")
            .args(args)
            .arg(&site))
    };
    assert_eq!(render(&[]).0, 0);
    let tree = dir.path().join("rendered/lab-aio");
    std::fs::write(tree.join("nova/helmrelease.yaml"), "edited\n").unwrap();
    std::fs::remove_file(tree.join("namespace.yaml")).unwrap();
    std::fs::write(tree.join("nova/extra.yaml"), "x: 1\n").unwrap();

    let (code, stdout, stderr) = render(&["--check", "--message-format", "github"]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    let help = "%0Ahelp: run `stackc render` and commit the result";
    assert_eq!(
        stdout,
        format!(
            "::error file=rendered/lab-aio/namespace.yaml,line=1,col=1,title=E0054::missing: rendered, but not on disk{help}\n\
             ::error file=rendered/lab-aio/nova/extra.yaml,line=1,col=1,title=E0054::extra: on disk, but no longer rendered{help}\n\
             ::error file=rendered/lab-aio/nova/helmrelease.yaml,line=1,col=1,title=E0054::stale: differs from what the sites render{help}\n"
        )
    );

    let (code, stdout, _) = render(&["--check", "--message-format", "gitlab"]);
    assert_eq!(code, 1);
    let report: serde_json::Value =
        serde_json::from_str(&stdout).expect("only the report on stdout");
    let paths: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "rendered/lab-aio/namespace.yaml",
            "rendered/lab-aio/nova/extra.yaml",
            "rendered/lab-aio/nova/helmrelease.yaml"
        ]
    );
}
