//! Fuzz parse + validate: any bytes, as a site file, must give diagnostics
//! inside the file's bounds, never a panic, in bounded time.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use stackc::library::Library;
use stackc::source::Layer;

static LIB: LazyLock<Library> =
    LazyLock::new(|| Library::embedded().unwrap_or_else(|_| panic!("embedded library")));

fuzz_target!(|data: &[u8]| {
    let mut files = LIB.files.clone();
    let id = match stackc::load::add_bytes("fuzz.yaml".into(), data.to_vec(), Layer::Site, &mut files) {
        Ok(id) => id,
        Err(_) => return,
    };
    let len = files.get(id).text.len() as u32;
    let check = stackc::validate::check_registered(id, files, &LIB);
    for d in &check.diagnostics {
        if let Some(span) = d.span().filter(|s| s.file == id) {
            assert!(span.end <= len);
        }
    }
});
