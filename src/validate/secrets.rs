//! Rule: no secret material in a site file.

use crate::diagnostic::Diagnostic;
use crate::secret;
use crate::yaml::{Node, PathSeg};

/// Fields that name a key in the secret store (their value is no secret):
/// a cluster's `credential`.
fn is_store_key(path: &[PathSeg]) -> bool {
    matches!(path, [PathSeg::Key(a), PathSeg::Key(b), PathSeg::Key(c), PathSeg::Index(_), PathSeg::Key(d)]
        if a == "spec" && b == "kubernetes" && c == "clusters" && d == "credential")
}

/// Reports every secret value in the site document (the rule is
/// [`crate::secret`]'s: values under secret-looking keys, whatever their
/// shape, URL credentials and private keys anywhere).
pub fn check(doc: &Node) -> Vec<Diagnostic> {
    // Chart values: a service's, and those of a cluster's charts.
    let values_root = |p: &[PathSeg]| match p {
        [PathSeg::Key(a), PathSeg::Key(b), _, PathSeg::Key(c)] => {
            a == "spec" && b == "services" && c == "values"
        }
        [
            PathSeg::Key(a),
            PathSeg::Key(b),
            PathSeg::Key(c),
            PathSeg::Index(_),
            PathSeg::Key(d),
            _,
        ] => a == "spec" && b == "kubernetes" && c == "clusters" && d == "values",
        _ => false,
    };
    secret::find(doc, &values_root)
        .iter()
        .filter(|f| !(f.why == secret::Why::Key && is_store_key(&f.path)))
        .map(|f| secret::diagnostic(f, "the site file", "remove the value: stackc supplies secrets from the store named in `spec.secrets` (list them with `stackc secrets SITE`)"))
        .collect()
}
