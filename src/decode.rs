//! Typed decoding of a spanned YAML tree, with the failing path located.

use serde::de::DeserializeOwned;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Files;
use crate::yaml::{Node, PathSeg};

/// Decodes `node` into `T`; on failure, the diagnostic points at the key or
/// value where decoding stopped.
pub fn decode<T: DeserializeOwned>(
    node: &Node,
    files: &Files,
    what: &str,
) -> Result<T, Diagnostic> {
    let json = node.to_json();
    serde_path_to_error::deserialize::<_, T>(json).map_err(|e| {
        let path: Vec<PathSeg> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
                _ => None,
            })
            .collect();
        let span = node.value_span_at(&path);
        let _ = files;
        let inner = e.into_inner().to_string();
        let (code, msg) = if inner.starts_with("unknown field") {
            (Code::UnknownKey, inner)
        } else if inner.starts_with("missing field") {
            (Code::MissingKey, inner)
        } else {
            (Code::InvalidValue, inner)
        };
        Diagnostic::error(code, span, format!("invalid {what}: {msg}"))
            .label("here")
            .help(format!("see the {what} format in library/README.md"))
    })
}
