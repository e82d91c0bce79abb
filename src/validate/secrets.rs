//! Rule: no secret material in a site file.

use crate::diagnostic::{Code, Diagnostic};
use crate::secret;
use crate::yaml::{Node, PathSeg, Value, path_to_string};

/// Fields that name a key in the secret store (its value is no secret).
fn is_store_key(path: &[PathSeg]) -> bool {
    let k = |s: &str| PathSeg::Key(s.to_string());
    matches!(path, [a, b, c, PathSeg::Index(_), d]
        if *a == k("spec") && *b == k("kubernetes") && *c == k("clusters") && *d == k("credential"))
}

/// Reports every scalar under a secret-looking key, and every string that
/// embeds URL credentials, anywhere in the site document.
pub fn check(doc: &Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    doc.walk(&mut |path, key_span, node| {
        let key = match path.last() {
            Some(PathSeg::Key(k)) => Some(k.as_str()),
            _ => None,
        };
        let has_value = match &node.value {
            Value::String(s) => !s.is_empty(),
            Value::Int(_) | Value::Float(_) => true,
            _ => false,
        };
        if !has_value {
            return;
        }
        let at = path_to_string(path);
        if key.is_some_and(secret::is_secret_key) && !is_store_key(path) {
            out.push(
                Diagnostic::error(Code::SecretInSite, node.span, format!("secret value in the site file at `{at}`"))
                    .label("secret value (not shown)")
                    .with_secondary(key_span.unwrap_or(node.span), "this key holds secret material")
                    .help("remove the value: stackc supplies secrets from the store named in `spec.secrets` (list them with `stackc secrets SITE`)"),
            );
        } else if matches!(&node.value, Value::String(s) if secret::has_url_credentials(s)) {
            out.push(
                Diagnostic::error(Code::SecretInSite, node.span, format!("URL with a password in the site file at `{at}`"))
                    .label("credentials in URL (not shown)")
                    .help("remove the credentials: stackc builds connection URLs and takes passwords from `spec.secrets`"),
            );
        }
    });
    out
}
