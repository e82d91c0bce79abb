//! Hostile input: each is a clear, located diagnostic, never a panic.
//! (Time and memory are measured by the benchmark, not asserted here.)

mod common;

use common::*;

fn first_diagnostic(path: &std::path::Path) -> (i32, serde_json::Value) {
    let (code, out, err) = run(stackc()
        .args(["validate", "--message-format", "json"])
        .arg(path));
    assert!(!err.contains("panicked"), "{err}");
    let first = out
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no diagnostic for {}", path.display()));
    (code, serde_json::from_str(first).unwrap())
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn oversized_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = "# padding\n".repeat(500_000);
    let p = write(&dir, "big.yaml", big.as_bytes());
    let (code, d) = first_diagnostic(&p);
    assert_eq!((code, d["code"].as_str()), (1, Some("E0002")));
}

#[test]
fn twenty_thousand_deep_nesting() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("flow-seq.yaml", "[".repeat(20_000) + &"]".repeat(20_000)),
        (
            "flow-map.yaml",
            "{a: ".repeat(20_000) + "1" + &"}".repeat(20_000),
        ),
        ("block-seq.yaml", "- ".repeat(20_000) + "x\n"),
    ] {
        let p = write(&dir, name, text.as_bytes());
        let (code, d) = first_diagnostic(&p);
        assert_eq!((code, d["code"].as_str()), (1, Some("E0006")), "{name}");
        assert_eq!(d["line"], 1, "{name}");
    }
}

#[test]
fn alias_bomb_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..20u8 {
        let (prev, next) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        s.push_str(&format!(
            "{next}: &{next} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let p = write(&dir, "bomb.yaml", s.as_bytes());
    let (code, d) = first_diagnostic(&p);
    assert_eq!((code, d["code"].as_str()), (1, Some("E0006")));
}

#[test]
fn non_utf8_and_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "latin1.yaml",
        b"apiVersion: stackc.dev/v1alpha1\nkind: Site\nmetadata:\n  name: caf\xe9\n",
    );
    let (code, d) = first_diagnostic(&p);
    assert_eq!(
        (code, d["code"].as_str(), d["line"].as_u64()),
        (1, Some("E0003"), Some(4))
    );
    let utf16: Vec<u8> = "\u{feff}kind: Site\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let p = write(&dir, "utf16.yaml", &utf16);
    let (code, d) = first_diagnostic(&p);
    assert_eq!((code, d["code"].as_str()), (1, Some("E0003")));
}

#[test]
fn utf8_bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let site = std::fs::read_to_string(repo().join("sites/lab-aio.yaml")).unwrap();
    let p = write(&dir, "bom.yaml", format!("\u{feff}{site}").as_bytes());
    let (code, _, err) = run(stackc().arg("validate").arg(&p));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn directory_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, d) = first_diagnostic(dir.path());
    assert_eq!(
        (code, d["code"].as_str()),
        (2, Some("E0001")),
        "empty directory"
    );
    let (code, d) = first_diagnostic(&dir.path().join("missing.yaml"));
    assert_eq!((code, d["code"].as_str()), (2, Some("E0001")));
}

#[test]
fn positions_are_characters_not_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "utf8.yaml",
        "apiVersion: stackc.dev/v1alpha1\nkind: Site\nmetadata:\n  name: ok\n  labels: {é: x, \"ü\": y}\n".as_bytes(),
    );
    let (_, out, _) = run(stackc()
        .args(["validate", "--message-format", "json"])
        .arg(&p));
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    // `{é: x, "ü": y}`: the quoted second key starts at character 18 (its quote).
    let cols: Vec<u64> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| d["line"] == 5)
        .map(|d| d["column"].as_u64().unwrap())
        .collect();
    assert!(cols.contains(&12) && cols.contains(&18), "{cols:?} {first}");
}

/// A 1 MiB scalar aliased 1,000 times (1.1 MB of file, 1 GB expanded):
/// E0006 wherever the reader serves, a site, a layer or a rendered
/// directory, never an allocation failure.
#[test]
fn aliased_megabyte_scalar_is_bounded_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = format!("a: &a {}\nb: [", "x".repeat(1024 * 1024));
    bomb.push_str(&vec!["*a"; 1000].join(", "));
    bomb.push_str("]\n");
    let site = write(&dir, "site.yaml", bomb.as_bytes());
    let (code, d) = first_diagnostic(&site);
    assert_eq!((code, d["code"].as_str()), (1, Some("E0006")), "{d}");
    let layer = dir.path().join("layer");
    std::fs::create_dir(&layer).unwrap();
    std::fs::write(
        layer.join("nova.yaml"),
        format!("values:\n  {}", bomb.replace('\n', "\n  ")),
    )
    .unwrap();
    let (code, _, err) = run(stackc()
        .arg("--layer")
        .arg(&layer)
        .args(["validate", "sites/lab-aio.yaml"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0006"), "{err}");
    let rendered = dir.path().join("rendered");
    std::fs::create_dir(&rendered).unwrap();
    std::fs::write(rendered.join("x.yaml"), &bomb).unwrap();
    let (code, _, err) = run(stackc().arg("diff").arg(&rendered).arg(&rendered));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E0006"), "{err}");
}

/// Ten thousand errors in one file: every one in JSON, the first 50 and a
/// count in human output.
#[test]
fn human_output_is_capped_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let site = std::fs::read_to_string(repo().join("sites/lab-aio.yaml")).unwrap();
    let keys: String = (0..10_000)
        .map(|i| format!("  unknown{i}: {i}\n"))
        .collect();
    let p = write(
        &dir,
        "many.yaml",
        site.replace("  domain:", &format!("{keys}  domain:"))
            .as_bytes(),
    );
    let (code, out, _) = run(stackc()
        .args(["validate", "--message-format", "json"])
        .arg(&p));
    assert_eq!((code, out.lines().count()), (1, 10_000));
    let (code, _, err) = run(stackc().arg("validate").arg(&p));
    assert_eq!(code, 1);
    assert_eq!(err.matches("error[E0008]").count(), 50, "{err}");
    assert!(err.contains("… and 9950 more diagnostics in"), "{err}");
}

/// A layer directory with `nova.yaml` holding `values`.
fn nova_layer(dir: &tempfile::TempDir, name: &str, values: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("nova.yaml"), format!("values:\n{values}")).unwrap();
    p
}

/// Runs `values` (and `explain`, `render`) with a layer; returns the JSON
/// diagnostics of `values` after checking every command ends the same way.
fn with_layer(layer: &std::path::Path) -> (i32, Vec<serde_json::Value>) {
    let out_dir = tempfile::tempdir().unwrap();
    let mut first = None;
    for cmd in [
        vec!["values", "sites/lab-aio.yaml", "nova"],
        vec!["explain", "sites/lab-aio.yaml", "nova.conf"],
        vec![
            "render",
            "sites/lab-aio.yaml",
            "-o",
            out_dir.path().to_str().unwrap(),
        ],
    ] {
        let (code, out, err) = run(stackc()
            .arg("--layer")
            .arg(layer)
            .args(["--message-format", "json"])
            .args(&cmd));
        assert!(
            !err.contains("panicked") && !err.contains("overflow"),
            "{err}"
        );
        let diags: Vec<serde_json::Value> = out
            .lines()
            .filter(|l| l.starts_with("{\"code\""))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        first.get_or_insert((code, diags));
    }
    first.unwrap()
}

/// Layer expressions are bounded in size, output and nesting: each case is
/// a located E0006 (or E0102 for what values do not support), never an
/// abort, whatever the thread it runs on.
#[test]
fn hostile_layer_expressions_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let doubled = ["('x' * 100000000)"; 5].join(" ~ ");
    let cases: Vec<(String, &str)> = vec![
        (format!("\"{{{{ {doubled} }}}}\""), "E0006"),
        ("\"{% set s = 'x' * 1000000 %}{% set s = s ~ s %}{{ s }}\"".into(), "E0102"),
        (format!("\"{{{{ {}true }}}}\"", "not ".repeat(5000)), "E0006"),
        (format!("\"{{{{ 1{} }}}}\"", " | abs".repeat(3000)), "E0006"),
        (format!("\"{{{{ {}1 }}}}\"", "- ".repeat(8000)), "E0006"),
        (format!("\"{{{{ {}1{} }}}}\"", "(".repeat(3000), ")".repeat(3000)), "E0006"),
        ("\"{{ range(100000) | join('y' * 100000) }}\"".into(), "E0006"),
        ("\"{% for i in range(100000) %}{% for j in range(100000) %}zz{% endfor %}{% endfor %}\"".into(), "E0006"),
        ("\"{{ 'x' | indent(1000000000000) }}\"".into(), "E0006"),
        ("\"{{ debug() }}\"".into(), "E0102"),
    ];
    for (i, (expr, code)) in cases.iter().enumerate() {
        let layer = nova_layer(
            &dir,
            &format!("l{i}"),
            &format!("  conf:\n    nova:\n      DEFAULT:\n        x: {expr}\n"),
        );
        let (exit, diags) = with_layer(&layer);
        assert_eq!(exit, 1, "{expr}: {diags:?}");
        let d = diags
            .iter()
            .find(|d| d["code"] == *code)
            .unwrap_or_else(|| panic!("{}: no {code} in {diags:?}", &expr[..expr.len().min(80)]));
        assert!(
            d["file"]
                .as_str()
                .unwrap()
                .ends_with(&format!("l{i}/nova.yaml")),
            "{d}"
        );
        assert_eq!(d["line"], 5, "{d}");
    }
}

/// A single `{{ }}` keeps its type even when it holds `}}` (a nested map
/// literal), and keys an expression computes are checked against the chart.
#[test]
fn expression_maps_keep_their_type_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let ok = nova_layer(
        &dir,
        "ok",
        "  conf:\n    nova:\n      DEFAULT: \"{{ {'debug': {'x': 1}['x'] == 1, 'verbose': true} }}\"\n",
    );
    let (code, out, err) = run(stackc().arg("--layer").arg(&ok).args([
        "explain",
        "sites/lab-aio.yaml",
        "nova.conf.nova.DEFAULT.debug",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["value"], true, "{out}");
    let bad = nova_layer(
        &dir,
        "bad",
        "  pod: \"{{ {'replicas': {'osapi': 2}, 'replcias': {'osapi': 3}} }}\"\n",
    );
    let (exit, diags) = with_layer(&bad);
    assert_eq!(exit, 1);
    let d = diags.iter().find(|d| d["code"] == "E0019").expect("E0019");
    assert!(
        d["message"].as_str().unwrap().contains("pod.replcias"),
        "{d}"
    );
    assert_eq!(d["line"], 2, "{d}");
}

/// Symbolic links in a layer are followed; a loop or a broken link is an
/// error naming it, never a file skipped silently.
#[test]
fn symlinks_in_layers_are_followed_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let real = nova_layer(&dir, "real", "  pod: {replicas: {osapi: 7}}\n");
    let linked = dir.path().join("linked");
    std::fs::create_dir(&linked).unwrap();
    std::os::unix::fs::symlink(real.join("nova.yaml"), linked.join("nova.yaml")).unwrap();
    let (code, out, err) = run(stackc().arg("--layer").arg(&linked).args([
        "explain",
        "sites/lab-aio.yaml",
        "nova.pod.replicas.osapi",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("= 7"), "{out}");
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere.yaml"), broken.join("nova.yaml")).unwrap();
    let looped = dir.path().join("looped");
    std::fs::create_dir(&looped).unwrap();
    std::os::unix::fs::symlink(&looped, looped.join("again")).unwrap();
    for (layer, what) in [
        (&broken, "broken symbolic link"),
        (&looped, "symbolic link loop"),
    ] {
        let (code, _, err) = run(stackc()
            .arg("--layer")
            .arg(layer)
            .args(["validate", "sites/lab-aio.yaml"]));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("E0001") && err.contains(what), "{err}");
    }
}

/// `explain` with a path of 120 KB answers at once (was quadratic).
#[test]
fn very_long_explain_paths_are_linear() {
    let path = format!("nova.{}x", "pod.".repeat(30_000));
    let (code, _, err) = run(stackc().args(["explain", "sites/lab-aio.yaml", &path]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("E0021") && err.len() < 4000,
        "{}",
        &err[..err.len().min(400)]
    );
}
