//! The CI recipes (ci/github, ci/gitlab) and the pre-commit hooks: they
//! parse as YAML (PyYAML, an independent parser), and every stackc command
//! line they contain runs, exactly as written, against example sites in a
//! git repository with a pull-request-like change; the review comment they
//! build stays within a pull-request comment.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value as J;

const GITHUB_ACTION: &str = "ci/github/action.yml";
const GITHUB_WORKFLOW: &str = "ci/github/workflow.yml";
const GITLAB_TEMPLATE: &str = "ci/gitlab/stackc.gitlab-ci.yml";
const PRE_COMMIT: &str = ".pre-commit-hooks.yaml";

/// GitHub's limit on a comment body.
const COMMENT_LIMIT: usize = 65_536;

/// A YAML file as PyYAML reads it (BaseLoader: every scalar a string, so
/// `on:` stays a key as GitHub reads it).
fn yaml(path: &str) -> J {
    let out = Command::new(tool("python"))
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)))",
        ])
        .arg(repo().join(path))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{path} does not parse: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The shell scripts of a recipe: the `run:` of each GitHub step, or the
/// `before_script:`/`script:` lines of each GitLab job.
fn scripts(path: &str) -> Vec<String> {
    let doc = yaml(path);
    let mut out = Vec::new();
    if let Some(steps) = doc["runs"]["steps"].as_array() {
        out.extend(
            steps
                .iter()
                .filter_map(|s| s["run"].as_str().map(str::to_string)),
        );
    } else {
        for job in doc.as_object().unwrap().values() {
            for key in ["before_script", "script"] {
                if let Some(lines) = job[key].as_array() {
                    out.extend(lines.iter().map(|l| l.as_str().unwrap().to_string()));
                }
            }
        }
    }
    out
}

/// The lines of the scripts that run stackc.
fn stackc_lines(path: &str) -> Vec<String> {
    scripts(path)
        .iter()
        .flat_map(|s| {
            s.lines()
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.starts_with("stackc "))
        .collect()
}

/// A site repository: `main` holds the example sites and their rendered
/// output; the working tree is a pull request on top of it (`change`
/// applied to the sites, then rendered again).
fn site_repo(change: impl Fn(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites");
    std::fs::create_dir(&sites).unwrap();
    for site in common::sites() {
        let name = Path::new(&site).file_name().unwrap();
        std::fs::copy(repo().join(&site), sites.join(name)).unwrap();
    }
    let render = || {
        let (code, _, err) = run(stackc().current_dir(dir.path()).args(["render", "sites"]));
        assert_eq!(code, 0, "{err}");
    };
    render();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "sites"]);
    git(dir.path(), &["checkout", "-qb", "pr"]);
    change(&sites);
    render();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "change", "--allow-empty"]);
    dir
}

/// Runs one recipe line in bash, with the variables the recipe sets.
fn run_line(dir: &Path, line: &str, comment: &Path) -> (i32, String, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_stackc"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-eo", "pipefail", "-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("STACKC_SITES", "sites")
        .env("STACKC_OUTPUT", "rendered")
        .env("STACKC_TARGET", "flux")
        .env("STACKC_ARGS", "")
        .env("STACKC_DIFF_ARGS", "")
        .env("STACKC_BASE", "main")
        .env("STACKC_COMMENT", comment)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs every stackc line of a recipe in the repository; returns the
/// review comment it built (the marker line first, as the recipe writes).
fn run_recipe(path: &str, dir: &Path) -> String {
    let lines = stackc_lines(path);
    let commands: Vec<&str> = lines
        .iter()
        .map(|l| {
            l.split_whitespace()
                .find(|w| !w.starts_with('$') && *w != "stackc")
                .unwrap()
        })
        .collect();
    assert_eq!(
        commands,
        ["validate", "render", "diff", "diff"],
        "{path}: the stackc commands it runs"
    );
    let comment = dir.join("stackc-diff.md");
    std::fs::write(&comment, "<!-- stackc-diff -->\n\n").unwrap();
    for line in &lines {
        let (code, stdout, stderr) = run_line(dir, line, &comment);
        assert_eq!(code, 0, "{path}: `{line}` failed:\n{stdout}\n{stderr}");
        if line.contains("--message-format github") {
            assert!(
                !stdout.contains("::error"),
                "no annotation for good sites: {stdout}"
            );
        }
        if line.contains("--message-format gitlab") {
            assert!(stdout.is_empty(), "redirected to the report file");
        }
    }
    std::fs::read_to_string(&comment).unwrap()
}

fn more_nova(sites: &Path) {
    let lab = sites.join("lab-aio.yaml");
    let text = std::fs::read_to_string(&lab).unwrap();
    std::fs::write(
        &lab,
        text.replace("    nova: {}", "    nova: {replicas: 2}"),
    )
    .unwrap();
}

#[test]
fn recipes_parse_as_yaml_and_hang_together() {
    let action = yaml(GITHUB_ACTION);
    assert_eq!(action["runs"]["using"], "composite");
    for step in action["runs"]["steps"].as_array().unwrap() {
        if step["run"].is_null() {
            assert!(step["uses"].as_str().unwrap().starts_with("actions/cache@"));
            continue;
        }
        assert_eq!(step["shell"], "bash", "composite steps name their shell");
        // GH_TOKEN is read by `gh` itself.
        for (var, _) in step["env"].as_object().into_iter().flatten() {
            assert!(
                var == "GH_TOKEN" || step["run"].as_str().unwrap().contains(&format!("${var}")),
                "{var} is used by the step that sets it"
            );
        }
    }
    for input in [
        "sites",
        "output",
        "target",
        "args",
        "diff-args",
        "comment",
        "github-token",
    ] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "{input}"
        );
    }

    let workflow = yaml(GITHUB_WORKFLOW);
    let steps = workflow["jobs"]["stackc"]["steps"].as_array().unwrap();
    assert!(
        steps[1]["uses"]
            .as_str()
            .unwrap()
            .contains("/stackc/ci/github@")
    );
    assert_eq!(workflow["permissions"]["pull-requests"], "write");
    assert!(workflow["on"]["pull_request"].is_string() || workflow["on"]["pull_request"].is_null());

    let gitlab = yaml(GITLAB_TEMPLATE);
    let report = gitlab["stackc-validate"]["artifacts"]["reports"]["codequality"]
        .as_str()
        .unwrap();
    let script = gitlab["stackc-validate"]["script"][0].as_str().unwrap();
    assert!(script.ends_with(&format!("> {report}")), "{script}");
    for job in ["stackc-validate", "stackc-render-check", "stackc-diff"] {
        assert_eq!(gitlab[job]["extends"], ".stackc", "{job}");
    }
    assert_eq!(
        gitlab["stackc-diff"]["rules"][0]["if"],
        "$CI_PIPELINE_SOURCE == \"merge_request_event\""
    );
}

#[test]
fn github_recipe_runs_as_written() {
    let dir = site_repo(more_nova);
    let comment = run_recipe(GITHUB_ACTION, dir.path());
    assert!(
        comment.starts_with("<!-- stackc-diff -->\n\n## stackc diff: `sites` against `main`\n"),
        "{comment}"
    );
    assert!(
        comment.contains(&format!(
            "**1 of {} sites change**; no changes: ",
            sites().len()
        )),
        "{comment}"
    );
    assert!(
        comment.contains("`spec.values.pod.replicas.osapi` | `1` | `2` | site sites/lab-aio.yaml:"),
        "{comment}"
    );
}

#[test]
fn gitlab_recipe_runs_as_written_and_reports_code_quality() {
    let dir = site_repo(more_nova);
    let comment = run_recipe(GITLAB_TEMPLATE, dir.path());
    let n = sites().len();
    assert!(
        comment.contains(&format!("**1 of {n} sites change**")),
        "{comment}"
    );
    // The report file the validate job leaves for GitLab.
    let report: J = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report, serde_json::json!([]));
}

/// Stale output and a bad site fail the recipe's commands, with the
/// annotations pointing at the files.
#[test]
fn recipes_fail_on_a_bad_site_and_on_stale_output() {
    let dir = site_repo(|_| {});
    let lab = dir.path().join("sites/lab-aio.yaml");
    let text = std::fs::read_to_string(&lab).unwrap();
    std::fs::write(
        &lab,
        text.replace("    nova: {}", "    nova: {replcias: 2}"),
    )
    .unwrap();
    let comment = dir.path().join("c.md");
    let lines = stackc_lines(GITHUB_ACTION);
    let (code, stdout, _) = run_line(dir.path(), &lines[0], &comment);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(
            "::error file=sites/lab-aio.yaml,line=18,col=12,title=E0008::unknown key `replcias`"
        ),
        "{stdout}"
    );
    std::fs::write(
        &lab,
        text.replace("    nova: {}", "    nova: {replicas: 2}"),
    )
    .unwrap();
    let (code, stdout, _) = run_line(dir.path(), &lines[1], &comment);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(
            "::error file=rendered/lab-aio/nova/helmrelease.yaml,line=1,col=1,title=E0054::stale"
        ),
        "{stdout}"
    );
}

/// An upgrade of every site is far more than a comment holds: the recipe's
/// comment falls back to each site's summary and stays within the limit.
#[test]
fn a_large_review_stays_within_one_comment() {
    let dir = site_repo(|sites| {
        for e in std::fs::read_dir(sites).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            // Every site one release up (newest first, so none moves twice).
            let upgraded = text
                .replace("release: \"2025.2\"", "release: \"2026.1\"")
                .replace("release: \"2025.1\"", "release: \"2025.2\"");
            std::fs::write(&p, upgraded).unwrap();
        }
    });
    let comment = run_recipe(GITHUB_ACTION, dir.path());
    let chars = comment.chars().count();
    assert!(chars <= COMMENT_LIMIT, "{chars} characters");
    let n = sites().len();
    assert!(
        comment.contains(&format!("**{n} of {n} sites change**")),
        "{comment}"
    );
    assert!(
        comment.contains("Field-by-field changes are left out"),
        "{comment}"
    );
    for site in ["lab-aio", "prod-ha", "provider-ovs"] {
        assert!(
            comment.contains(&format!("`sites/{site}.yaml@main` → `sites/{site}.yaml`")),
            "{site}"
        );
    }
    // One site alone is cut, not summarised: and still fits.
    let (code, md, _) = run(stackc().current_dir(dir.path()).args([
        "diff",
        "sites/lab-aio.yaml",
        "sites/prod-ha.yaml",
        "--format",
        "markdown",
    ]));
    assert_eq!(code, 1);
    assert!(md.chars().count() <= 60_000, "{}", md.chars().count());
    assert!(md.contains("**Not shown**"), "{md}");
}

/// A site added or removed by the pull request is a diff from or to
/// nothing.
#[test]
fn added_and_removed_sites_are_reviewed() {
    let dir = site_repo(|sites| {
        std::fs::rename(sites.join("provider-ovs.yaml"), sites.join("edge.yaml")).unwrap();
    });
    let (code, text, err) = run(stackc().current_dir(dir.path()).args([
        "diff",
        "sites",
        "--against",
        "main",
        "--summary",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains("stackc diff sites/edge.yaml@main (no such site) -> sites/edge.yaml"),
        "{text}"
    );
    assert!(
        text.contains(
            "stackc diff sites/provider-ovs.yaml@main -> sites/provider-ovs.yaml (removed)"
        ),
        "{text}"
    );
    let (code, json, _) = run(stackc().current_dir(dir.path()).args([
        "diff",
        "sites",
        "--against",
        "main",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1);
    let docs: J = serde_json::from_str(&json).unwrap();
    assert_eq!(
        docs.as_array().unwrap().len(),
        sites().len() + 1,
        "every site file, then and now (one renamed)"
    );
}

#[test]
fn pre_commit_hooks_run_as_declared() {
    let hooks = yaml(PRE_COMMIT);
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["stackc-validate", "stackc-render-check"]);
    let dir = site_repo(|_| {});
    let cli = stackc::cli::Cli::command();
    for hook in hooks {
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "stackc");
        assert_eq!(hook["language"], "rust", "built from this repository");
        let sub = cli.find_subcommand(entry[1]).expect("an existing command");
        let args: Vec<String> = hook["args"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        for flag in entry[2..]
            .iter()
            .copied()
            .chain(args.iter().map(String::as_str))
        {
            if let Some(long) = flag.strip_prefix("--") {
                assert!(
                    sub.get_arguments().any(|a| a.get_long() == Some(long)),
                    "`stackc {}` has {flag}",
                    entry[1]
                );
            }
        }
        // As pre-commit runs it: entry, args, then the matching files.
        let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
        let mut staged: Vec<String> = vec!["sites/lab-aio.yaml".into(), "README.md".into()];
        staged.retain(|f| files.is_match(f));
        let pass = hook["pass_filenames"].as_str() != Some("false");
        let (code, _, err) = run(stackc()
            .current_dir(dir.path())
            .args(&entry[1..])
            .args(&args)
            .args(if pass { staged.clone() } else { vec![] }));
        assert_eq!(code, 0, "{}: {err}", hook["id"]);
    }
}
