//! Stage 2, validate: one YAML document -> a typed [`Site`], or every
//! problem in the file, located.
//!
//! Three passes over the same tree, all of which always run: the JSON
//! Schema (structure, types, ranges), library rules (names, consistency,
//! requirements) and the secret-material ban.

pub mod availability;
mod enabled;
mod kubernetes;
mod rules;
pub mod schema;
mod secrets;

use std::path::Path;

use crate::decode::decode;
use crate::diagnostic::Diagnostic;
use crate::library::Library;
use crate::load;
use crate::model::Site;
use crate::source::{FileId, Files, Layer};
use crate::yaml::{Node, Value};

/// A site file that passed validation.
pub struct CheckedSite {
    pub file: FileId,
    /// The document as written (spans for provenance and diagnostics).
    pub doc: Node,
    pub site: Site,
}

/// The outcome of checking one site file.
pub struct SiteCheck {
    /// The library's files plus the site file, for rendering diagnostics.
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
    /// Present when there are no errors.
    pub site: Option<CheckedSite>,
}

impl SiteCheck {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads, parses and validates one site file.
pub fn check_file(path: &Path, lib: &Library) -> SiteCheck {
    let mut files = lib.files.clone();
    let id = match load::read_file(path, Layer::Site, &mut files) {
        Ok(id) => id,
        Err(d) => {
            return SiteCheck {
                files,
                diagnostics: vec![d],
                site: None,
            };
        }
    };
    check_registered(id, files, lib)
}

/// Validates a file already registered in `files` (a git blob, a test).
pub fn check_registered(id: FileId, files: Files, lib: &Library) -> SiteCheck {
    let (doc, mut diagnostics) = load::parse_one(id, &files);
    let Some(mut doc) = doc else {
        return SiteCheck {
            files,
            diagnostics,
            site: None,
        };
    };
    normalize(&mut doc, &files);
    diagnostics.extend(check_doc(&doc, lib));
    let site = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        match decode::<Site>(&doc, "site") {
            Ok(site) => Some(CheckedSite {
                file: id,
                doc,
                site,
            }),
            Err(d) => {
                diagnostics.push(d);
                None
            }
        }
    };
    SiteCheck {
        files,
        diagnostics,
        site,
    }
}

/// All checks on a parsed document.
///
/// The typed model and the schema accept exactly the same documents (a test
/// and a property test prove it), so when the document decodes, the schema
/// pass is skipped: the schema engine only runs to explain what is wrong.
pub fn check_doc(doc: &Node, lib: &Library) -> Vec<Diagnostic> {
    let json = doc.to_json();
    let mut out = match crate::decode::from_node::<Site>(doc) {
        Ok(_) => Vec::new(),
        Err(_) => schema::check(doc, &json),
    };
    let mut effective = json;
    schema::apply_defaults(&mut effective);
    out.extend(rules::check(doc, &effective, lib));
    out.extend(secrets::check(doc));
    out
}

/// `release: 2025.1` (an unquoted number) means the series "2025.1", and
/// `kubeVersion: 1.30` the version "1.30": keep the text as written
/// instead of a float.
pub fn normalize(doc: &mut Node, files: &Files) {
    let Value::Map(root) = &mut doc.value else {
        return;
    };
    let Some(Value::Map(spec)) = root.get_mut("spec").map(|e| &mut e.node.value) else {
        return;
    };
    let as_written = |node: &mut Node| {
        if matches!(node.value, Value::Float(_) | Value::Int(_)) {
            let text = files.get(node.span.file).slice(node.span).trim();
            node.value = Value::String(text.to_string());
        }
    };
    if let Some(rel) = spec.get_mut("release") {
        as_written(&mut rel.node);
    }
    let clusters = spec
        .get_mut("kubernetes")
        .and_then(|k| match &mut k.node.value {
            Value::Map(m) => m.get_mut("clusters"),
            _ => None,
        });
    if let Some(Value::Seq(items)) = clusters.map(|c| &mut c.node.value) {
        for item in items {
            if let Value::Map(m) = &mut item.value
                && let Some(v) = m.get_mut("kubeVersion")
            {
                as_written(&mut v.node);
            }
        }
    }
}
