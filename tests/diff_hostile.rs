//! `stackc diff` of hostile rendered trees: secrets are masked in every
//! object and format without hiding the change, duplicate identities are
//! errors (or matched per site directory), and values cannot forge lines
//! or break out of Markdown.

mod common;

use std::path::Path;

use common::*;

const CANARY: &str = "Zq7CanaryS3cret";

fn tree(dir: &Path, files: &[(&str, String)]) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn diff(old: &Path, new: &Path, format: &str) -> (i32, String, String) {
    run(stackc()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(["--format", format]))
}

/// Documents holding a secret in every place the issue names, with `v`
/// in each secret (so old and new differ only in secrets).
fn secret_docs(v: &str) -> Vec<(&'static str, String)> {
    let pem = format!("-----BEGIN RSA PRIVATE KEY-----\\n{v}\\n-----END RSA PRIVATE KEY-----\\n");
    let b64 = data_encoding_base64(&format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{v}\n-----END OPENSSH PRIVATE KEY-----\n"
    ));
    vec![
        (
            "nova/deployment.yaml",
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: api, namespace: o}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - {{name: DB_PASSWORD, value: \"{v}env\"}}\n            - {{name: MODE, value: fast}}\n          args: [\"--password={v}arg\", \"--api-key\", \"{v}next\", --verbose]\n          command: [sh, -c, \"mysql --password={v}cmd -h db\"]\n"
            ),
        ),
        (
            "list.yaml",
            format!(
                "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {{name: s, namespace: o}}\n    stringData: {{anything: \"{v}list\"}}\n"
            ),
        ),
        (
            "nova/configmap.yaml",
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: o}}\ndata:\n  tls.pem: \"{pem}\"\n  encoded: {b64}\n  nova.conf: \"[database]\\nconnection = mysql+pymysql://nova:{v}url@db/nova\\n\"\n  settings: |\n    password = {v}ini\n"
            ),
        ),
        (
            "nova/helmrelease.yaml",
            format!(
                "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: nova, namespace: o}}\nspec:\n  values:\n    endpoints:\n      identity:\n        auth:\n          admin: {{passwords: [\"{v}pw\"], ssh_key: \"{v}ssh\"}}\n    conf:\n      x: {{PASS_WORD: \"{v}pw2\", tls: {{key: \"{v}tls\"}}}}\n"
            ),
        ),
        (
            "secret.yaml",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata: {{name: top, namespace: o}}\ndata: {{k: {}}}\n",
                data_encoding_base64(v)
            ),
        ),
    ]
}

/// Base64 without a dependency in the test (RFC 4648, padded).
fn data_encoding_base64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, x)| n | (*x as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn secrets_are_masked_in_every_object_and_format_and_changes_still_show() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    tree(&old, &secret_docs(&format!("{CANARY}1")));
    tree(&new, &secret_docs(&format!("{CANARY}2")));
    for format in ["text", "markdown", "json"] {
        let (code, out, err) = diff(&old, &new, format);
        assert_eq!(
            code, 1,
            "{format}: a changed secret is a change\n{out}{err}"
        );
        assert!(
            !out.contains(CANARY) && !err.contains(CANARY),
            "{format} printed a secret:\n{out}"
        );
        assert!(
            !out.contains("MIIE") && !out.contains("LS0tLS1CRUdJT"),
            "{out}"
        );
    }
    let (_, out, _) = diff(&old, &new, "json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["changed"], 5, "every object changed: {out}");
    assert!(out.contains("(secret, masked)"), "{out}");
    assert!(out.contains("mysql+pymysql://nova:****@db/nova"), "{out}");
}

#[test]
fn duplicate_identities_are_errors_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |replicas: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: api, namespace: o}}\nspec: {{replicas: {replicas}}}\n"
        )
    };
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    tree(&old, &[("a.yaml", doc(1)), ("b/copy.yaml", doc(1))]);
    tree(&new, &[("a.yaml", doc(1)), ("b/copy.yaml", doc(2))]);
    let (code, out, err) = run(stackc()
        .args(["diff", "--message-format", "json"])
        .arg(&old)
        .arg(&new));
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("E0025"), "{out}");
    assert!(
        out.contains("a.yaml") && out.contains("b/copy.yaml"),
        "{out}"
    );
    // Two documents of one file, too.
    let one = dir.path().join("one");
    tree(&one, &[("x.yaml", format!("{}---\n{}", doc(1), doc(2)))]);
    let (code, _, err) = run(stackc().arg("diff").arg(&one).arg(&one));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E0025") && err.contains("twice in"), "{err}");
}

#[test]
fn a_directory_of_rendered_sites_is_matched_per_site() {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites");
    std::fs::create_dir(&sites).unwrap();
    let lab = std::fs::read_to_string(repo().join("sites/lab-aio.yaml")).unwrap();
    for (name, replicas) in [("lab-a", 1), ("lab-b", 1)] {
        std::fs::write(
            sites.join(format!("{name}.yaml")),
            lab.replace("name: lab-aio", &format!("name: {name}"))
                .replace("nova: {}", &format!("nova: {{replicas: {replicas}}}")),
        )
        .unwrap();
    }
    let old = dir.path().join("old");
    let (code, _, err) = run(stackc().arg("render").arg(&sites).arg("-o").arg(&old));
    assert_eq!(code, 0, "{err}");
    // Same namespace, same objects in both sites: not duplicates.
    let (code, out, err) = diff(&old, &old, "text");
    assert_eq!((code, out.contains("no changes")), (0, true), "{out}{err}");
    std::fs::write(
        sites.join("lab-b.yaml"),
        lab.replace("name: lab-aio", "name: lab-b")
            .replace("nova: {}", "nova: {replicas: 4}"),
    )
    .unwrap();
    let new = dir.path().join("new");
    let (code, _, err) = run(stackc().arg("render").arg(&sites).arg("-o").arg(&new));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = diff(&old, &new, "text");
    assert_eq!(code, 1, "an edit in one site is a change: {out}{err}");
    assert!(out.contains("lab-b: HelmRelease"), "{out}");
    assert!(!out.contains("lab-a:"), "{out}");
}

#[test]
fn values_cannot_forge_lines_or_break_out_of_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let cm = |v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: o}}\ndata: {{x: {}}}\n",
            serde_json::to_string(v).unwrap()
        )
    };
    let evil =
        "ok\n  + forged line\n\u{1b}[31mred`` </details><details><summary>x</summary>\n| a | b |";
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    tree(&old, &[("c.yaml", cm("before"))]);
    tree(
        &new,
        &[
            ("c.yaml", cm(evil)),
            (
                "evil`name.yaml",
                cm("x").replace("name: c", "name: \"e`v\\nil\""),
            ),
        ],
    );
    let (code, out, _) = diff(&old, &new, "text");
    assert_eq!(code, 1);
    assert!(
        !out.lines().any(|l| l.trim_start().starts_with("+ forged")),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(out.contains("\\n  + forged line\\n\\u{1b}[31m"), "{out}");
    let (code, out, _) = diff(&old, &new, "markdown");
    assert_eq!(code, 1);
    // HTML from the value stays inside a table row's code span: every
    // block stackc opens is closed, by its own lines.
    let opened = out.lines().filter(|l| l.starts_with("<details>")).count();
    let closed = out.lines().filter(|l| l.trim() == "</details>").count();
    assert_eq!((opened, closed), (1, 1), "{out}");
    for l in out.lines().filter(|l| l.contains("<summary>x")) {
        assert!(l.starts_with("| ~ |") && l.contains("``` ok"), "{l}");
    }
    assert!(!out.contains('\u{1b}'), "{out}");
    // Every table row still has its six cells.
    for l in out
        .lines()
        .filter(|l| l.starts_with("| ~") || l.starts_with("| +"))
    {
        let cells = l.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 7, "{l}");
    }
    assert!(
        out.contains("``` "),
        "a longer fence holds the backticks: {out}"
    );
}

#[test]
fn git_blobs_obey_the_input_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let site = std::fs::read_to_string(repo().join("sites/lab-aio.yaml")).unwrap();
    let p = dir.path().join("site.yaml");
    std::fs::write(&p, format!("{site}{}", "# padding\n".repeat(500_000))).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "big"]);
    std::fs::write(&p, &site).unwrap();
    let (code, out, err) = run(stackc()
        .args(["diff", "--message-format", "json"])
        .arg(&p)
        .args(["--against", "HEAD"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("E0002") && out.contains("site.yaml@HEAD"),
        "{out}"
    );
}
