//! The data library expressions see.
//!
//! `site` is the effective site spec (defaults filled in) plus `name` and
//! `labels` from metadata. Later stages add more names next to it.

use serde_json::Value as J;

/// Builds the `site` object from an effective site document (the whole
/// file as JSON, defaults applied).
pub fn site_json(doc: &J) -> J {
    let mut site = doc
        .get("spec")
        .cloned()
        .unwrap_or(J::Object(Default::default()));
    if let J::Object(m) = &mut site {
        let meta = doc.get("metadata");
        m.insert(
            "name".into(),
            meta.and_then(|x| x.get("name")).cloned().unwrap_or(J::Null),
        );
        m.insert(
            "labels".into(),
            meta.and_then(|x| x.get("labels"))
                .cloned()
                .unwrap_or(J::Object(Default::default())),
        );
    }
    site
}

/// The expression context `{site: ...}` for requirement conditions.
pub fn site_context(site: &J) -> minijinja::Value {
    minijinja::context! { site => minijinja::Value::from(minijinja::value::Serde(site)) }
}
