//! Everything YAML: the spanned tree ([`Node`]), the hardened reader
//! ([`parse_stream`]) and the writer ([`to_string`]).
//!
//! This module is the only place that calls `serde_yaml` (deprecated upstream;
//! keeping it here means it can be swapped in one place).

mod node;
mod parse;

pub use node::{Entry, Map, Node, PathSeg, Value, path_to_string};
pub use parse::{MAX_DEPTH, MAX_NODES, ParseError, ParseErrorKind, parse_stream, resolve_plain};

/// Writes one YAML document (no leading `---`), LF line endings.
pub fn to_string(value: &serde_json::Value) -> String {
    // serde_yaml only fails for non-string map keys, which serde_json::Value
    // cannot hold.
    serde_yaml::to_string(value).expect("JSON values always serialise to YAML")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_strings_are_quoted() {
        // Helm reads values with YAML 1.1 rules: these must stay strings.
        let v = serde_json::json!({"a": "yes", "b": "on", "c": "2025.1", "d": "null", "e": "0755", "f": "y", "g": "1e3"});
        let s = to_string(&v);
        for bare in [
            "a: yes",
            "b: on",
            "c: 2025.1",
            "d: null",
            "e: 0755",
            "f: y",
            "g: 1e3",
        ] {
            assert!(
                !s.contains(&format!("{bare}\n")),
                "{bare} left unquoted:\n{s}"
            );
        }
    }
}
