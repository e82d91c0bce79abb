//! Fuzz resolve + render: a valid site (the lab-aio example) whose
//! `services.nova.values` and an organisation layer's `nova.yaml` are
//! generated trees (chart keys, secret keys, expressions including the
//! ones that blow up unbounded). Never a panic or an abort; every
//! diagnostic is located inside its file; a render that succeeds holds no
//! secret the generator planted.
#![no_main]

use std::sync::{LazyLock, Mutex};

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use stackc::library::{Library, RawFile, RawTree};
use stackc::render::Target;
use stackc::source::Layer;
use stackc_fuzz::{CANARY, map};

const SITE: &str = include_str!("../../sites/lab-aio.yaml");

static LIB: LazyLock<Mutex<Library>> = LazyLock::new(|| {
    Mutex::new(Library::embedded().unwrap_or_else(|_| panic!("embedded library")))
});

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(site_values), Ok(layer_values)) = (map(&mut u, 4), map(&mut u, 4)) else {
        return;
    };
    // One library for the run (its values files are parsed once); each
    // input's layer is added, then removed.
    let mut lib = LIB.lock().unwrap_or_else(|e| e.into_inner());
    lib.layers.clear();
    let layer = stackc::yaml::to_string(&json!({"values": layer_values}));
    let tree = RawTree {
        display_root: "fuzz-layer".into(),
        files: vec![RawFile {
            rel: "nova.yaml".into(),
            bytes: layer.into_bytes(),
        }],
    };
    if lib.add_layer(std::path::Path::new("fuzz-layer"), tree).is_err() {
        return;
    }
    let values = stackc::yaml::to_string(&json!({"values": site_values}));
    let indented: String = values.lines().map(|l| format!("      {l}\n")).collect();
    let site = SITE.replace("    nova: {}\n", &format!("    nova:\n{indented}"));
    let mut files = lib.files.clone();
    let Ok(id) = stackc::load::add_bytes("fuzz.yaml".into(), site.into_bytes(), Layer::Site, &mut files) else {
        return;
    };
    let check = stackc::validate::check_registered(id, files, &lib);
    let bound = |d: &stackc::diagnostic::Diagnostic| {
        if let Some(s) = d.span() {
            assert!(s.end as usize <= check.files.get(s.file).text.len());
        }
    };
    check.diagnostics.iter().for_each(bound);
    let Some(site) = &check.site else { return };
    match stackc::resolve::resolve(site, &lib) {
        Ok(resolved) => {
            for target in [Target::Flux, Target::Kustomize] {
                let m = stackc::render::render(&resolved, target);
                for (path, text) in &m.files {
                    assert!(!text.contains(CANARY), "secret rendered into {path}");
                }
            }
        }
        Err(diags) => diags.iter().for_each(bound),
    }
});
