//! Benchmarks (`cargo bench`): figures for the closing notes, not pass/fail.
//!
//! - validate: the largest example, in-process and as a whole process
//!   (process start included), plus the error path.

use std::path::Path;
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = validate
}
criterion_main!(benches);
