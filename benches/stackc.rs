//! Benchmarks (`cargo bench`): figures for the closing notes, not pass/fail.
//!
//! - validate: the largest example, in-process and as a whole process
//!   (process start included), plus the error path.
//! - resolve: the largest example, in-process.
//! - diff: two renders of the largest example (as a process and in-process).
//! - render: the largest example (in-process and as a process), and 100
//!   generated sites in one call; then `kubectl kustomize` over the same
//!   100 output trees, for the ratio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

const LARGEST: &str = "sites/prod-ha.yaml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stackc(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_stackc"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run stackc");
    assert!(out.status.code().is_some());
}

fn validate(c: &mut Criterion) {
    let lib = stackc::library::Library::embedded().unwrap_or_else(|_| panic!("embedded library"));
    let site = root().join(LARGEST);
    let mut g = c.benchmark_group("validate");
    g.bench_function("in-process/prod-ha", |b| {
        b.iter(|| {
            let check = stackc::validate::check_file(&site, &lib);
            assert!(check.site.is_some());
        })
    });
    g.bench_function("in-process/load-library", |b| {
        b.iter(|| stackc::library::Library::embedded().is_ok())
    });
    g.bench_function("process/prod-ha", |b| {
        b.iter(|| stackc(&["validate", LARGEST]))
    });
    g.bench_function("process/36-many-errors", |b| {
        b.iter(|| {
            stackc(&[
                "validate",
                "--message-format",
                "json",
                "tests/cases/invalid/36-many-errors.yaml",
            ])
        })
    });
    g.finish();
}

fn resolve(c: &mut Criterion) {
    let lib = stackc::library::Library::embedded().unwrap_or_else(|_| panic!("embedded library"));
    let site = root().join(LARGEST);
    let check = stackc::validate::check_file(&site, &lib);
    let checked = check.site.expect("valid");
    let mut g = c.benchmark_group("resolve");
    g.bench_function("in-process/prod-ha", |b| {
        b.iter(|| {
            stackc::resolve::resolve(&checked, &lib)
                .map(|r| r.components.len())
                .unwrap_or(0)
        })
    });
    g.bench_function("in-process/validate+resolve/prod-ha", |b| {
        b.iter(|| {
            let check = stackc::validate::check_file(&site, &lib);
            let checked = check.site.expect("valid");
            stackc::resolve::resolve(&checked, &lib)
                .map(|r| r.components.len())
                .unwrap_or(0)
        })
    });
    g.finish();
}

/// 100 sites: variations of the coverage site enabling every component.
fn hundred_sites(dir: &Path) -> PathBuf {
    let sites = dir.join("sites");
    std::fs::create_dir_all(&sites).unwrap();
    let base =
        std::fs::read_to_string(root().join("tests/cases/valid/everything-ovn-ceph-tls.yaml"))
            .unwrap();
    for i in 0..100 {
        let text = base
            .replace("name: everything", &format!("name: site-{i:03}"))
            .replace("cloud.example.com", &format!("s{i:03}.example.com"));
        std::fs::write(sites.join(format!("site-{i:03}.yaml")), text).unwrap();
    }
    sites
}

fn render(c: &mut Criterion) {
    let lib = stackc::library::Library::embedded().unwrap_or_else(|_| panic!("embedded library"));
    let site = root().join(LARGEST);
    let check = stackc::validate::check_file(&site, &lib);
    let checked = check.site.expect("valid");
    let resolved = stackc::resolve::resolve(&checked, &lib).unwrap_or_else(|_| panic!("resolves"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap().to_string();
    let mut g = c.benchmark_group("render");
    g.bench_function("in-process/prod-ha/flux", |b| {
        b.iter(|| {
            stackc::render::render(&resolved, stackc::render::Target::Flux)
                .files
                .len()
        })
    });
    g.bench_function("process/prod-ha/flux", |b| {
        b.iter(|| stackc(&["render", "-o", &out_s, LARGEST]))
    });
    let sites = hundred_sites(tmp.path());
    let sites_s = sites.to_str().unwrap().to_string();
    g.sample_size(10);
    g.bench_function("process/100-sites/flux", |b| {
        b.iter(|| stackc(&["render", "-o", &out_s, &sites_s]))
    });
    g.finish();

    // kubectl kustomize re-reading the same 100 trees (not a criterion
    // benchmark: one timed pass, for the ratio).
    let kubectl = root().join(".tools/bin/kubectl");
    if !kubectl.exists() {
        println!("kubectl kustomize: skipped (run scripts/setup for the comparison)");
        return;
    }
    let t = std::time::Instant::now();
    stackc(&["render", "-o", &out_s, &sites_s]);
    let stackc_time = t.elapsed();
    let t = std::time::Instant::now();
    for i in 0..100 {
        let st = Command::new(&kubectl)
            .arg("kustomize")
            .arg(out.join(format!("site-{i:03}")))
            .output()
            .expect("kubectl");
        assert!(st.status.success());
    }
    let kustomize_time = t.elapsed();
    println!(
        "100 sites: stackc render {:.0} ms, kubectl kustomize of the output {:.0} ms; stackc needs {:.1}% of kustomize's time",
        stackc_time.as_secs_f64() * 1e3,
        kustomize_time.as_secs_f64() * 1e3,
        100.0 * stackc_time.as_secs_f64() / kustomize_time.as_secs_f64()
    );
}

fn diff(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let (a_s, b_s) = (
        a.to_str().unwrap().to_string(),
        b.to_str().unwrap().to_string(),
    );
    // Two renders of the largest example: as it is, and one release later.
    let newer = tmp.path().join("newer.yaml");
    std::fs::write(
        &newer,
        std::fs::read_to_string(root().join(LARGEST))
            .unwrap()
            .replace("release: \"2025.1\"", "release: \"2025.2\""),
    )
    .unwrap();
    stackc(&["render", "-o", &a_s, LARGEST]);
    stackc(&["render", "-o", &b_s, newer.to_str().unwrap()]);
    let (da, db) = (a.join("prod-east"), b.join("prod-east"));
    let (da_s, db_s) = (
        da.to_str().unwrap().to_string(),
        db.to_str().unwrap().to_string(),
    );
    let mut g = c.benchmark_group("diff");
    g.bench_function("process/two-renders-of-prod-ha", |bch| {
        bch.iter(|| stackc(&["diff", &da_s, &db_s]))
    });
    g.bench_function("process/prod-ha--release-2025.2", |bch| {
        bch.iter(|| stackc(&["diff", LARGEST, "--release", "2025.2"]))
    });
    let lib = stackc::library::Library::embedded().unwrap_or_else(|_| panic!("embedded library"));
    let read = |d: &Path| {
        let mut files = std::collections::BTreeMap::new();
        for e in walkdir::WalkDir::new(d)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "yaml") {
                let rel = e
                    .path()
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read_to_string(e.path()).unwrap());
            }
        }
        stackc::diff::Side {
            label: d.display().to_string(),
            files,
            resolved: None,
        }
    };
    let (sa, sb) = (read(&da), read(&db));
    g.bench_function("in-process/two-renders-of-prod-ha", |bch| {
        bch.iter(|| {
            stackc::diff::diff(&sa, &sb, &lib, stackc::render::Target::Flux)
                .map(|d| d.objects.len())
                .unwrap_or(0)
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = validate, resolve, render, diff
}
criterion_main!(benches);
