//! Whether the site's release can run a component: its chart needs a
//! version the repository published for the release (E0031), and the
//! release needs a build of its images (E0032). Neither ever falls back to
//! something of another release. Validation checks the services a site
//! lists; resolution checks every component of the plan (also those added
//! as requirements, and after `diff --release` swaps the release).

use crate::diagnostic::{Code, Diagnostic};
use crate::library::{Gap, Library};
use crate::source::Span;
use crate::yaml::{Node, Value};

/// Where the site asks for a component: the listed service that brings it
/// in (the component itself, or one that requires it), its span and label.
pub struct Asked<'a> {
    pub service: &'a str,
    pub span: Span,
    pub label: &'a str,
}

/// The error for a component the release cannot run; `None` when it can.
pub fn unavailable(
    lib: &Library,
    release_name: &str,
    name: &str,
    asked: Asked<'_>,
) -> Option<Diagnostic> {
    let release = &lib.releases[release_name];
    let gap = lib.gap(release, name)?;
    let others: Vec<&str> = lib
        .releases
        .values()
        .filter(|r| lib.gap(r, name).is_none())
        .map(|r| r.def.name.as_str())
        .collect();
    let elsewhere = if others.is_empty() {
        "no release of the library has it".to_string()
    } else {
        format!("it is available in {}", others.join(", "))
    };
    let chart = &lib.components[name].def().chart;
    let d = match gap {
        Gap::NoChart => Diagnostic::error(
            Code::NoChart,
            asked.span,
            format!(
                "`{name}` cannot run with release {release_name}: the `{chart}` chart has no published version for it"
            ),
        )
        .with_secondary(
            Span::file_start(release.file),
            format!("release {release_name} pins no `{chart}` chart (`charts:`)"),
        ),
        Gap::NoImages { reason, at } => Diagnostic::error(
            Code::Unavailable,
            asked.span,
            format!("`{name}` cannot run with release {release_name}: {reason}"),
        )
        .with_secondary(at, "the release's image catalogue says so"),
    };
    Some(d.label(asked.label).help(format!(
        "disable `{}` or choose another release: {elsewhere}",
        asked.service
    )))
}

/// The enabled services a site lists that its release cannot run.
pub fn check(spec: &Node, lib: &Library, out: &mut Vec<Diagnostic>) {
    let Some(release) = spec.get("release").and_then(Node::as_str) else {
        return;
    };
    if !lib.releases.contains_key(release) {
        return;
    }
    let Some(services) = spec.get("services").and_then(Node::as_map) else {
        return;
    };
    for (name, entry) in services {
        let disabled = matches!(
            entry.node.get("enabled").map(|n| &n.value),
            Some(Value::Bool(false))
        );
        if disabled || !lib.components.contains_key(name) {
            continue;
        }
        let asked = Asked {
            service: name,
            span: entry.key_span,
            label: "enabled here",
        };
        out.extend(unavailable(lib, release, name, asked));
    }
}
