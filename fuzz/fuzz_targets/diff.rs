//! Fuzz diff: two rendered trees of generated Kubernetes-shaped documents
//! (Secrets, Lists, Deployments with secret env and flags, HelmRelease
//! values with expressions and secret keys), diffed in every format.
//! Never a panic; a tree against itself has no changes; no secret the
//! generator planted is ever printed.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use stackc::diff::{self, Format, Side};
use stackc::library::Library;
use stackc::render::Target;
use stackc_fuzz::{CANARY, document};

static LIB: LazyLock<Library> =
    LazyLock::new(|| Library::embedded().unwrap_or_else(|_| panic!("embedded library")));

fn side(u: &mut Unstructured<'_>, label: &str) -> Side {
    let mut files = BTreeMap::new();
    let n = u.int_in_range(0..=5).unwrap_or(0);
    for i in 0..n {
        let name = format!("o{}", u.int_in_range(0..=3).unwrap_or(0));
        let Ok(doc) = document(u, &name) else {
            break;
        };
        let text = if u.ratio(1, 10).unwrap_or(false) {
            // Sometimes raw bytes: the reader must cope.
            String::from_utf8_lossy(u.bytes(u.len().min(200)).unwrap_or_default()).into_owned()
        } else {
            stackc::yaml::to_string(&doc)
        };
        files.insert(format!("c{}/f{i}.yaml", i % 2), text);
    }
    Side {
        label: label.into(),
        files,
        resolved: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let old = side(&mut u, "old");
    let new = side(&mut u, "new");
    if let Ok(d) = diff::diff(&old, &old, &LIB, Target::Flux) {
        assert!(d.is_empty(), "a tree differs from itself");
    }
    let Ok(d) = diff::diff(&old, &new, &LIB, Target::Flux) else {
        return;
    };
    for format in [Format::Text, Format::Markdown, Format::Json] {
        let out = diff::format(&d, format, false, false);
        assert!(!out.contains(CANARY), "secret printed in {format:?}:\n{out}");
    }
});
