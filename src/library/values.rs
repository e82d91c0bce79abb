//! Values files: chart values as data.
//!
//! Every file that contributes chart values (a component's `values.yaml` and
//! `site.yaml`, a release's or profile's `<component>.yaml`, an organisation
//! layer's `<component>.yaml`) has the same shape:
//!
//! ```yaml
//! values:            # chart values; string leaves may hold expressions
//!   pod: {replicas: {api: 1}}
//! fragments:         # optional: merged in order when `when` holds
//!   - when: 'site.storage.backend == "ceph"'
//!     values: {storage: rbd}
//! ```
//!
//! A release's `<component>.yaml` may instead say that the release has no
//! build of the component's images: `unavailable: <reason>` (enabling the
//! component is then error E0032).

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::yaml::{Node, Value};

/// A parsed values file (expressions not yet evaluated).
#[derive(Debug, Clone)]
pub struct ValuesFile {
    pub file: FileId,
    pub values: Node,
    pub fragments: Vec<Fragment>,
    /// `unavailable: <reason>` (release files): the component cannot run
    /// with this release; the span is the reason's.
    pub unavailable: Option<(String, Span)>,
}

/// Values merged only when a condition holds.
#[derive(Debug, Clone)]
pub struct Fragment {
    pub when: String,
    pub when_span: Span,
    pub values: Node,
}

impl ValuesFile {
    /// Reads the `values:` / `fragments:` structure of a document;
    /// `unavailable:` only in a release's file (`release`).
    pub fn from_doc(file: FileId, doc: Node, release: bool) -> Result<ValuesFile, Diagnostic> {
        let Value::Map(mut top) = doc.value else {
            return Err(shape(
                doc.span,
                "a values file is a map with `values:` and optional `fragments:`",
            ));
        };
        for (k, e) in &top {
            if !matches!(
                k.as_str(),
                "values" | "fragments" | "description" | "unavailable"
            ) {
                return Err(Diagnostic::error(Code::LibraryInvalid, e.key_span, format!("unknown key `{k}` in a values file"))
                    .label("unknown key")
                    .help("a values file has `values:` (chart values), optional `fragments:` and `description:`; a release file may say `unavailable:`"));
            }
        }
        let unavailable = match top.shift_remove("unavailable") {
            Some(e) if !release => {
                return Err(Diagnostic::error(
                    Code::LibraryInvalid,
                    e.key_span,
                    "`unavailable` is only meaningful in a release's component file",
                )
                .label("not in a release")
                .help("a release says it has no build of a component's images in releases/<series>/<component>.yaml; remove it here"));
            }
            Some(e) => match e.node.value {
                Value::String(s) => Some((s, e.node.span)),
                _ => {
                    return Err(shape(
                        e.node.span,
                        "`unavailable` must be a string: why the release cannot run the component",
                    ));
                }
            },
            None => None,
        };
        let values = match top.shift_remove("values") {
            Some(e) if matches!(e.node.value, Value::Map(_)) => e.node,
            Some(e) if matches!(e.node.value, Value::Null) => {
                Node::new(Value::Map(Default::default()), e.node.span)
            }
            Some(e) => return Err(shape(e.node.span, "`values` must be a map of chart values")),
            None if unavailable.is_some() => {
                Node::new(Value::Map(Default::default()), doc.span.with_len(0))
            }
            None => return Err(shape(doc.span.with_len(0), "a values file needs `values:`")),
        };
        let mut fragments = Vec::new();
        if let Some(e) = top.shift_remove("fragments") {
            let Value::Seq(items) = e.node.value else {
                return Err(shape(
                    e.node.span,
                    "`fragments` must be a list of `{when, values}`",
                ));
            };
            for item in items {
                let span = item.span;
                let Value::Map(mut m) = item.value else {
                    return Err(shape(
                        span,
                        "a fragment is a map `{when: <expression>, values: {...}}`",
                    ));
                };
                let when = match m.shift_remove("when") {
                    Some(w) => match w.node.value {
                        Value::String(s) => (s, w.node.span),
                        _ => return Err(shape(w.node.span, "`when` must be an expression string")),
                    },
                    None => return Err(shape(span, "a fragment needs `when:`")),
                };
                let values = match m.shift_remove("values") {
                    Some(v) if matches!(v.node.value, Value::Map(_)) => v.node,
                    Some(v) => return Err(shape(v.node.span, "fragment `values` must be a map")),
                    None => return Err(shape(span, "a fragment needs `values:`")),
                };
                if let Some((k, e)) = m.first() {
                    return Err(Diagnostic::error(
                        Code::LibraryInvalid,
                        e.key_span,
                        format!("unknown key `{k}` in a fragment"),
                    )
                    .label("unknown key")
                    .help("a fragment has `when:` and `values:`"));
                }
                fragments.push(Fragment {
                    when: when.0,
                    when_span: when.1,
                    values,
                });
            }
        }
        Ok(ValuesFile {
            file,
            values,
            fragments,
            unavailable,
        })
    }
}

impl ValuesFile {
    /// Every value of the file and its fragments, tree by tree.
    pub fn trees(&self) -> impl Iterator<Item = &Node> {
        std::iter::once(&self.values).chain(self.fragments.iter().map(|f| &f.values))
    }

    /// E0018 for every secret value the file writes (`place` names the
    /// file's layer in the message).
    pub fn secret_values(&self, place: &str) -> Vec<Diagnostic> {
        self.trees()
            .flat_map(|t| crate::secret::find(t, &|p| p.is_empty()))
            .map(|f| crate::secret::diagnostic(&f, place, SECRET_HELP))
            .collect()
    }
}

/// Where secret values belong instead of a values file.
const SECRET_HELP: &str = "remove the value: layers and the library hold chart values, never secrets; stackc supplies secrets from the store named in the site's `spec.secrets`";

fn shape(span: Span, msg: &str) -> Diagnostic {
    Diagnostic::error(Code::LibraryInvalid, span, msg.to_string())
        .label("here")
        .help("see the values file format in library/README.md")
}
