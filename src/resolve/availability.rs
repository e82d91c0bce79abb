//! Every component of the plan must run with the site's release (see
//! `validate::availability`): services the site lists are checked when it
//! is validated; this also covers the components added as requirements, and
//! a release swapped in after validation (`diff --release`).

use super::origin::SiteSpans;
use super::plan::{Plan, Why};
use crate::diagnostic::Diagnostic;
use crate::library::Library;
use crate::source::Span;
use crate::validate::availability::{Asked, unavailable};

/// The planned components the release cannot run, as located errors.
pub fn check(lib: &Library, release: &str, plan: &Plan, spans: &SiteSpans) -> Vec<Diagnostic> {
    plan.components
        .keys()
        .filter_map(|name| {
            lib.gap(&lib.releases[release], name)?;
            let (service, span, label) = site_location(name, plan, spans);
            let asked = Asked {
                service: &service,
                span,
                label: &label,
            };
            unavailable(lib, release, name, asked)
        })
        .collect()
}

/// Where the site asks for a component: its `spec.services` entry, or the
/// entry of the listed component that requires it; else `spec.release`.
/// Returns the listed service, the span and a label.
fn site_location(name: &str, plan: &Plan, spans: &SiteSpans) -> (String, Span, String) {
    let mut chain = vec![name.to_string()];
    // The plan adds each component once, so the chain ends at a listed
    // component; the bound guards against a malformed plan.
    while chain.len() <= plan.components.len() {
        match plan.components.get(chain.last().expect("not empty")) {
            Some(Why::RequiredBy(by)) => chain.push(by.clone()),
            _ => break,
        }
    }
    let root = chain.last().expect("not empty").clone();
    if let Some(span) = spans.key(&format!("spec.services.{root}")) {
        let label = if chain.len() == 1 {
            "enabled here".to_string()
        } else {
            chain.reverse();
            format!("requires it: {}", chain.join(" → "))
        };
        return (root, span, label);
    }
    let span = spans.value("spec.release").unwrap_or(spans.root);
    (root, span, "release chosen here".into())
}
