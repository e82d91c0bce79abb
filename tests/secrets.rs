//! No secret value, anywhere: the secret rule covers every shape of value
//! and key, in site files, layers, `--library` directories and computed
//! values; no diagnostic in any format prints a secret, whatever the
//! diagnostic (E0018, E0010, E0013, ...) and however the value is written
//! (anchors, block scalars, explicit keys, values on the next line).

mod common;

use std::path::{Path, PathBuf};

use common::*;

const CANARY: &str = "Zq7CanaryS3cret";

/// Runs a command in every message format; returns the JSON diagnostics.
/// Asserts the exit code and that the canary is printed nowhere.
fn diagnostics(args: &[&str], extra: &[PathBuf], want_exit: i32) -> Vec<serde_json::Value> {
    let mut json = Vec::new();
    for format in ["human", "json", "github", "gitlab"] {
        let (code, out, err) = run(stackc()
            .args(["--message-format", format])
            .args(args)
            .args(extra));
        assert_eq!(
            code, want_exit,
            "{args:?} {extra:?} ({format}):\n{out}{err}"
        );
        assert!(
            !out.contains(CANARY) && !err.contains(CANARY),
            "{args:?} {extra:?} ({format}) printed the secret:\n{out}{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        if format == "json" {
            json = out
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        }
    }
    json
}

fn codes(diags: &[serde_json::Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}",
                d["code"].as_str().unwrap(),
                d["line"],
                d["column"]
            )
        })
        .collect()
}

fn lab_site(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("sites/lab-aio.yaml")).unwrap();
    let text = edit(text);
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `services.nova.values.conf.nova` with `body` (indented by 10).
fn nova_conf(body: &str) -> impl Fn(String) -> String + '_ {
    move |t: String| {
        t.replace(
            "    nova: {}\n",
            &format!("    nova:\n      values:\n        conf:\n          nova:\n{body}"),
        )
    }
}

#[test]
fn every_shape_of_secret_in_a_site_is_rejected_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let c = CANARY;
    let cases: Vec<(&str, String)> = vec![
        ("list", format!("            password: [{c}]\n")),
        (
            "nested list",
            format!("            password:\n              - [{c}]\n"),
        ),
        (
            "map of passwords",
            format!("            passwords: {{admin: {c}}}\n"),
        ),
        ("plural keys", format!("            fernet_keys: [{c}]\n")),
        ("ssh key", format!("            ssh_key: {c}\n")),
        ("tls.key", format!("            tls.key: {c}\n")),
        ("tls key", format!("            tls: {{key: {c}}}\n")),
        ("upper case", format!("            PASS_WORD: {c}\n")),
        ("dashes", format!("            pass-phrase: {c}\n")),
        ("camel case", format!("            adminPassWord: {c}\n")),
        ("number", "            db_password: 987654321\n".into()),
        (
            "pem under any key",
            format!(
                "            cert: |\n              -----BEGIN RSA PRIVATE KEY-----\n              {c}\n              -----END RSA PRIVATE KEY-----\n"
            ),
        ),
        (
            "url",
            format!("            connection: \"mysql+pymysql://nova:{c}@db/nova\"\n"),
        ),
        (
            "anchor",
            format!("            a: &a {c}\n            password: *a\n"),
        ),
        ("anchored secret", format!("            password: &p {c}\n")),
        (
            "folded block",
            format!("            password: >-\n              {c}\n"),
        ),
        (
            "literal block",
            format!("            password: |\n              {c}\n"),
        ),
        (
            "next line",
            format!("            password:\n              {c}\n"),
        ),
        (
            "explicit key",
            format!("            ? password\n            : {c}\n"),
        ),
        ("quoted key", format!("            \"secret_key\": '{c}'\n")),
    ];
    for (name, body) in &cases {
        let p = lab_site(dir.path(), "s.yaml", nova_conf(body));
        let d = diagnostics(&["validate"], std::slice::from_ref(&p), 1);
        assert!(
            d.iter().any(|d| d["code"] == "E0018"),
            "{name}: {:?}",
            codes(&d)
        );
    }
    // INI sections named like secrets hold settings, not secrets.
    let p = lab_site(dir.path(), "ok.yaml", |t: String| {
        t.replace(
                "    keystone: {}\n",
                "    keystone:\n      values:\n        conf:\n          keystone:\n            token: {provider: fernet, expiration: 3600}\n            fernet_tokens: {max_active_keys: 7}\n",
            )
    });
    diagnostics(&["validate"], &[p], 0);
}

#[test]
fn other_diagnostics_on_a_secret_value_do_not_echo_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("mysql://u:{CANARY}@h");
    let long = format!("mysql://user:{CANARY}{}@host/db", "x".repeat(80));
    type Edit = Box<dyn Fn(String) -> String>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "domain",
            Box::new({
                let url = url.clone();
                move |t: String| t.replace("domain: lab.example.net", &format!("domain: \"{url}\""))
            }),
            "E0010",
        ),
        (
            "long domain (clipped in the message)",
            Box::new(move |t: String| {
                t.replace("domain: lab.example.net", &format!("domain: \"{long}\""))
            }),
            "E0010",
        ),
        (
            "release",
            Box::new({
                let url = url.clone();
                move |t: String| t.replace("release: \"2025.1\"", &format!("release: \"{url}\""))
            }),
            "E0013",
        ),
        (
            "profile",
            Box::new({
                let url = url.clone();
                move |t: String| t.replace("  domain:", &format!("  profile: \"{url}\"\n  domain:"))
            }),
            "E0014",
        ),
        (
            "region",
            Box::new({
                let url = url.clone();
                move |t: String| t.replace("  domain:", &format!("  region: \"{url}\"\n  domain:"))
            }),
            "E0018",
        ),
        (
            "service name",
            Box::new({
                let url = url.clone();
                move |t: String| t.replace("    nova: {}", &format!("    \"{url}\": {{}}"))
            }),
            "E0015",
        ),
        (
            "node label",
            Box::new({
                let url = url.clone();
                move |t: String| {
                    t.replace(
                        "  domain:",
                        &format!("  nodes:\n    compute: {{\"x\": \"{url}\"}}\n  domain:"),
                    )
                }
            }),
            "E0018",
        ),
        (
            "interface name",
            Box::new({
                let url = url.clone();
                move |t: String| {
                    t.replace(
                        "  domain:",
                        &format!("  network:\n    tunnelInterface: \"{url}\"\n  domain:"),
                    )
                }
            }),
            "E0010",
        ),
        (
            "secret as an unknown key's value",
            Box::new(|t: String| {
                t.replace("  domain:", &format!("  password: {CANARY}\n  domain:"))
            }),
            "E0008",
        ),
        (
            "secret as a wrong type",
            Box::new(|t: String| {
                t.replace(
                    "    nova: {}",
                    &format!("    nova: {{replicas: {{password: {CANARY}}}}}"),
                )
            }),
            "E0009",
        ),
    ];
    for (name, edit, code) in cases {
        let p = lab_site(dir.path(), "s.yaml", edit);
        let d = diagnostics(&["validate"], &[p], 1);
        assert!(
            d.iter().any(|d| d["code"] == code),
            "{name}: {:?}",
            codes(&d)
        );
    }
}

/// A layer directory with one `<component>.yaml`.
fn layer(dir: &Path, name: &str, component: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join(format!("{component}.yaml")), text).unwrap();
    p
}

#[test]
fn layers_obey_the_secret_rule() {
    let dir = tempfile::tempdir().unwrap();
    let c = CANARY;
    for (i, text) in [
        format!("values:\n  conf:\n    nova:\n      database:\n        password: {c}\n"),
        format!("values:\n  conf:\n    nova:\n      database:\n        connection: \"mysql://nova:{c}@db/nova\"\n"),
        format!("values:\n  conf:\n    nova:\n      DEFAULT:\n        key: \"-----BEGIN PRIVATE KEY-----\\n{c}\\n\"\n"),
        format!("values:\n  conf:\n    nova:\n      DEFAULT:\n        passwords: {{a: {c}}}\n"),
        format!("values: {{}}\nfragments:\n  - when: 'true'\n    values:\n      conf:\n        nova:\n          DEFAULT:\n            token: [{c}]\n"),
    ]
    .iter()
    .enumerate()
    {
        let l = layer(dir.path(), &format!("l{i}"), "nova", text);
        for cmd in [
            vec!["render", "sites/lab-aio.yaml", "-o"],
            vec!["values", "sites/lab-aio.yaml", "nova"],
            vec!["explain", "sites/lab-aio.yaml", "nova.conf.nova"],
        ] {
            let mut args: Vec<&str> = vec!["--layer", l.to_str().unwrap()];
            args.extend(cmd.iter().copied());
            let out = dir.path().join("out");
            let extra: Vec<PathBuf> = if cmd[0] == "render" { vec![out.clone()] } else { vec![] };
            let d = diagnostics(&args, &extra, 1);
            let layer_file = format!("l{i}/nova.yaml");
            assert!(
                d.iter().any(|d| d["code"] == "E0018"
                    && d["file"].as_str().unwrap().ends_with(&layer_file)),
                "{text}: {:?}",
                codes(&d)
            );
            assert!(!out.exists(), "nothing is rendered");
        }
    }
}

#[test]
fn computed_secrets_are_caught_where_the_expression_is() {
    let dir = tempfile::tempdir().unwrap();
    let l = layer(
        dir.path(),
        "computed",
        "nova",
        "values:\n  conf:\n    nova:\n      database:\n        connection: \"{{ 'mysql://nova:' ~ 'Zq7Canary' ~ 'S3cret@db/nova' }}\"\n      DEFAULT:\n        x: \"{{ {'password': 'pw'} }}\"\n",
    );
    let d = diagnostics(
        &[
            "--layer",
            l.to_str().unwrap(),
            "values",
            "sites/lab-aio.yaml",
            "nova",
        ],
        &[],
        1,
    );
    let e18: Vec<String> = d
        .iter()
        .filter(|d| d["code"] == "E0018")
        .map(|d| format!("{}:{}", d["line"], d["column"]))
        .collect();
    assert_eq!(e18, ["5:21", "7:12"], "{:?}", codes(&d));
}

#[test]
fn library_values_obey_the_secret_rule() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    for e in walkdir::WalkDir::new(repo().join("library")) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(repo().join("library")).unwrap();
        let to = lib.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    let values = lib.join("components/keystone/values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(
        &values,
        text.replacen(
            "values:\n",
            &format!("values:\n  secrets_extra:\n    tokens: [{CANARY}]\n"),
            1,
        ),
    )
    .unwrap();
    let d = diagnostics(
        &[
            "--library",
            lib.to_str().unwrap(),
            "validate",
            "sites/lab-aio.yaml",
        ],
        &[],
        1,
    );
    assert!(
        d.iter().any(|d| d["code"] == "E0018"
            && d["file"]
                .as_str()
                .unwrap()
                .ends_with("components/keystone/values.yaml")),
        "{:?}",
        codes(&d)
    );
}
