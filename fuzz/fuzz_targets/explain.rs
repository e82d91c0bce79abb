//! Fuzz explain paths: any text as `stackc explain` PATH on the resolved
//! prod-ha example. Never a panic, bounded time; an answer's path exists.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stackc::library::Library;
use stackc::resolve::Resolved;
use stackc::source::{Files, Layer};

static LIB: LazyLock<Library> =
    LazyLock::new(|| Library::embedded().unwrap_or_else(|_| panic!("embedded library")));

static RESOLVED: LazyLock<(Files, Resolved)> = LazyLock::new(|| {
    let mut files = LIB.files.clone();
    let text = include_str!("../../sites/prod-ha.yaml");
    let id = stackc::load::add_bytes("prod-ha.yaml".into(), text.into(), Layer::Site, &mut files)
        .unwrap_or_else(|_| panic!("prod-ha reads"));
    let check = stackc::validate::check_registered(id, files, &LIB);
    let site = check.site.as_ref().expect("prod-ha validates");
    let resolved = stackc::resolve::resolve(site, &LIB).unwrap_or_else(|_| panic!("prod-ha resolves"));
    (check.files, resolved)
});

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    let (files, resolved) = &*RESOLVED;
    if let Ok(e) = stackc::explain::explain(resolved, &LIB, files, path) {
        assert!(resolved.components.contains_key(&e.component));
        let text = stackc::explain::to_text(&e);
        assert!(!text.is_empty());
    }
});
