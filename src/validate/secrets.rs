//! Rule: no secret material in a site file.

use crate::diagnostic::Diagnostic;
use crate::secret;
use crate::yaml::{Node, PathSeg};

/// Reports every secret value in the site document (the rule is
/// [`crate::secret`]'s: values under secret-looking keys, whatever their
/// shape, URL credentials and private keys anywhere).
pub fn check(doc: &Node) -> Vec<Diagnostic> {
    let values_root = |p: &[PathSeg]| {
        matches!(p, [PathSeg::Key(a), PathSeg::Key(b), _, PathSeg::Key(c)]
            if a == "spec" && b == "services" && c == "values")
    };
    secret::find(doc, &values_root)
        .iter()
        .map(|f| secret::diagnostic(f, "the site file", "remove the value: stackc supplies secrets from the store named in `spec.secrets` (list them with `stackc secrets SITE`)"))
        .collect()
}
