//! Masking secret values in diffed documents, by the rule of
//! [`crate::secret`] (the one validation uses), for every object and
//! every output format. Reusable by any diff of Kubernetes documents
//! (rendered trees, hydrated objects and the config files decoded from
//! them): [`masked`] for a document, [`mask_text`] for one string (a line
//! of a config file, a command line).
//!
//! What is masked, in any document:
//!
//! - values under secret-looking keys, whatever their shape (lists,
//!   collections such as `passwords: {...}`);
//! - the `data` and `stringData` of every `kind: Secret`, at any depth
//!   (a Secret inside a `kind: List`, a template);
//! - the `value` beside a `name` (or `key`) that names a secret
//!   (`env: [{name: DB_PASSWORD, value: ...}]`);
//! - the item after a command-line flag naming a secret
//!   (`args: [--password, X]`);
//! - inside any string: the value of `key=value`, `--key=value`,
//!   `key: value` and `key = value` with a secret key, URL passwords and
//!   private key material (also base64-encoded).
//!
//! Masking never hides a change: [`super::diff`] finds changes on the
//! documents as they are and prints values taken from their masked
//! copies.

use std::borrow::Cow;

use serde_json::Value as J;

use crate::secret::{self, Scope};

/// What a masked value is replaced with.
pub const MASK: &str = "(secret, masked)";

/// What replaces a secret part of a string.
const PART: &str = "****";

/// A copy of `doc` with every secret value masked.
pub fn masked(doc: &J) -> J {
    let mut out = doc.clone();
    walk(&mut out, None, Scope::Plain);
    out
}

/// `s` with every secret part replaced by `****` (borrowed when nothing
/// is secret).
pub fn mask_text(s: &str) -> Cow<'_, str> {
    let ranges = secret::text_ranges(s);
    if ranges.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for (start, end) in ranges {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&s[at..start]);
        out.push_str(PART);
        at = end;
    }
    out.push_str(&s[at..]);
    Cow::Owned(out)
}

fn walk(v: &mut J, key: Option<&str>, scope: Scope) {
    match v {
        J::Object(m) => {
            let is_secret = m.get("kind").and_then(J::as_str) == Some("Secret")
                && m.get("apiVersion")
                    .and_then(J::as_str)
                    .is_none_or(|a| a == "v1");
            let named_secret = ["name", "key"].iter().any(|k| {
                m.get(*k)
                    .and_then(J::as_str)
                    .is_some_and(secret::is_secret_key)
            });
            for (k, x) in m.iter_mut() {
                let inner = if (is_secret && (k == "data" || k == "stringData"))
                    || (named_secret && k == "value")
                {
                    Scope::All
                } else {
                    scope.enter_key(key, k, false)
                };
                walk(x, Some(k), inner);
            }
        }
        J::Array(items) => {
            let mut after_flag = false;
            for x in items.iter_mut() {
                let inner = if after_flag {
                    Scope::All
                } else {
                    scope.enter_item()
                };
                after_flag = x.as_str().is_some_and(is_secret_flag);
                walk(x, key, inner);
            }
        }
        J::String(s) if scope.string_is_secret(s) => *v = J::String(MASK.into()),
        J::Number(_) if scope.number_is_secret() => *v = J::String(MASK.into()),
        J::String(s) => {
            if let Cow::Owned(m) = mask_text(s) {
                *v = J::String(m);
            }
        }
        _ => {}
    }
}

/// `--password`, `-db-password`: a flag whose value is the next argument.
fn is_secret_flag(s: &str) -> bool {
    s.strip_prefix('-')
        .map(|f| f.trim_start_matches('-'))
        .is_some_and(|f| !f.is_empty() && !f.contains(['=', ' ']) && secret::is_secret_key(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_shape() {
        let doc = json!({
            "kind": "List",
            "items": [
                {"apiVersion": "v1", "kind": "Secret", "data": {"a": "eA=="}, "stringData": {"b": "x"}},
                {"kind": "Deployment", "spec": {"containers": [{
                    "env": [{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "MODE", "value": "fast"}],
                    "args": ["--password=s3cr3t", "--verbose", "--api-key", "k3y", "plain"],
                }]}},
                {"kind": "ConfigMap", "data": {
                    "nova.conf": "[database]\nconnection = mysql://nova:dbpw@db/nova\npassword = pw2\n",
                    "key.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
                }},
                {"passwords": {"admin": 7}, "token": {"provider": "fernet"}, "tls": {"key": "k"}},
            ],
        });
        let m = masked(&doc).to_string();
        for leak in [
            "eA==", "\"x\"", "hunter2", "s3cr3t", "k3y", "dbpw", "pw2", "MIIE", ":7", "\"k\"",
        ] {
            assert!(!m.contains(leak), "{leak} in {m}");
        }
        for kept in [
            "fast",
            "--verbose",
            "plain",
            "fernet",
            "connection = mysql://nova:****@db/nova",
        ] {
            assert!(m.contains(kept), "{kept} missing in {m}");
        }
    }
}
