//! `--message-format gitlab`: a GitLab Code Quality report, one JSON array
//! of issues for the whole run (`artifacts:reports:codequality`):
//!
//! ```json
//! [{"description": "...", "check_name": "E0008", "fingerprint": "…",
//!   "severity": "major", "location": {"path": "sites/lab.yaml", "lines": {"begin": 12}}}]
//! ```
//!
//! A fingerprint identifies an issue across pipelines, so GitLab can tell
//! new problems from old ones: it hashes the code, the file and the
//! message (not the line, so an issue keeps its identity when lines move
//! above it) and the issue's rank among identical ones in that file.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::report::location;
use super::{Diagnostic, Severity};
use crate::source::Files;

/// The issues of one run, printed once at its end.
#[derive(Debug, Default)]
pub struct CodeQuality {
    issues: Vec<serde_json::Value>,
    /// How often each (code, file, message) was seen: its next rank.
    seen: BTreeMap<(String, String, String), usize>,
}

impl CodeQuality {
    /// Adds one diagnostic.
    pub fn push(&mut self, files: &Files, d: &Diagnostic) {
        let loc = location(files, d);
        let code = d.code.as_str();
        let rank = self
            .seen
            .entry((code.to_string(), loc.file.clone(), d.message.clone()))
            .or_default();
        let fingerprint = fingerprint(&[code, &loc.file, &d.message, &rank.to_string()]);
        *rank += 1;
        let description = match &d.help {
            Some(help) => format!("{} (help: {help})", d.message),
            None => d.message.clone(),
        };
        self.issues.push(json!({
            "description": description,
            "check_name": code,
            "fingerprint": fingerprint,
            "severity": match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
            },
            "location": {"path": loc.file, "lines": {"begin": loc.line}},
        }));
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.issues.is_empty()
    }

    /// The report: a JSON array (`[]` when there is nothing to report),
    /// with a final newline.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(&self.issues).expect("JSON values serialise");
        out.push('\n');
        out
    }
}

/// The first 128 bits of SHA-256 over the NUL-separated parts, in hex.
fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_separate_their_parts() {
        // Pinned (computed independently with Python's hashlib): a
        // fingerprint must not change between stackc versions.
        assert_eq!(
            fingerprint(&["E0008", "sites/a.yaml", "unknown key", "0"]),
            "708eca3131a41702b91438d3641bac95"
        );
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["x"]).len(), 32);
    }
}
