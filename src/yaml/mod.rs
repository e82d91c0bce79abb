//! Everything YAML: the spanned tree ([`Node`]), the hardened reader
//! ([`parse_stream`]) and the writer ([`to_string`]).
//!
//! This module is the only place that calls `serde_yaml` (deprecated
//! upstream; keeping it here means it can be swapped in one place). stackc
//! reads and writes YAML itself; serde_yaml serves as an independent reader
//! that cross-checks the writer ([`reparse`]).

mod emit;
mod node;
mod parse;

pub use node::{Entry, Map, Node, PathSeg, Value, Visit, path_to_string, set_dotted};
pub use parse::{
    MAX_DEPTH, MAX_NODES, MAX_TEXT_BYTES, ParseError, ParseErrorKind, Parsed, Schema, parse_stream,
    parse_stream_with, resolve_plain,
};

/// Whether a string, written without quotes, reads back as something else
/// (null, a boolean, a number, a timestamp) in YAML 1.1 or 1.2.
pub fn reads_as_non_string(s: &str) -> bool {
    s.is_empty() || emit::looks_typed(s)
}

/// Writes one YAML document (no leading `---`), LF line endings.
pub fn to_string(value: &serde_json::Value) -> String {
    emit::write(value)
}

/// Writes several documents as one stream, each introduced by `---`.
pub fn to_string_multi(values: &[serde_json::Value]) -> String {
    let mut out = String::new();
    for v in values {
        out.push_str("---\n");
        out.push_str(&to_string(v));
    }
    out
}

/// Reads YAML with serde_yaml, an implementation independent of stackc's,
/// to cross-check what the writer produced.
pub fn reparse(text: &str) -> Result<serde_json::Value, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}
