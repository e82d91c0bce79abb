//! Helm's output -> one normalised object per file.
//!
//! Helm's YAML is read the way Kubernetes reads it (YAML 1.1 scalars:
//! `defaultMode: 0555` is 365) and written again by stackc's writer, in a
//! fixed order: `apiVersion`, `kind`, `metadata` first, then every other
//! key; every map below sorted by key; lists keep their order. The file of
//! an object is `<kind in lower case>_<name>.yaml` (with `_<namespace>`
//! added when one chart renders the same kind and name in two namespaces).

use std::collections::BTreeMap;

use serde_json::Value as J;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Files, Layer, SourceFile};
use crate::yaml::Schema;

/// The Helm hook annotation.
pub const HOOK: &str = "helm.sh/hook";

/// One rendered object.
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The template it came from (`# Source:` line), for messages.
    pub source: String,
    pub doc: J,
}

impl Object {
    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.doc
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}

fn bad(component: &str, message: String) -> Diagnostic {
    Diagnostic::at_path(
        Code::HelmOutput,
        format!("helm template {component}"),
        message,
    )
    .help("the chart rendered something that is not a Kubernetes object list; check the chart and the values stackc gave it (`stackc values SITE COMPONENT`)")
}

/// The objects of one `helm template` output.
pub fn split(component: &str, output: &str) -> Result<Vec<Object>, Diagnostic> {
    let mut files = Files::new();
    let id = files.add(SourceFile::new(
        format!("helm template {component}"),
        output,
        Layer::Rendered,
    ));
    let file = files.get(id);
    let crate::yaml::Parsed { docs, errors, .. } =
        crate::yaml::parse_stream_with(id, file, Schema::Kubernetes);
    if let Some(e) = errors.first() {
        let loc = files.location(e.span);
        return Err(bad(
            component,
            format!(
                "{} (output line {}, from {})",
                e.message,
                loc.line,
                source_at(output, e.span.start as usize)
            ),
        ));
    }
    let mut out = Vec::new();
    for doc in docs {
        let source = source_at(output, doc.span.start as usize);
        let json = doc.to_json();
        if json.is_null() {
            continue;
        }
        let s = |p: &str| json.pointer(p).and_then(J::as_str).map(str::to_string);
        let (Some(_), Some(kind), Some(name)) = (s("/apiVersion"), s("/kind"), s("/metadata/name"))
        else {
            return Err(bad(
                component,
                format!("{source} rendered a document without apiVersion, kind and metadata.name"),
            ));
        };
        out.push(Object {
            kind,
            name,
            namespace: s("/metadata/namespace"),
            source,
            doc: normalise(json),
        });
    }
    Ok(out)
}

/// The `# Source: <template>` comment Helm writes above the document at
/// `offset`.
fn source_at(output: &str, offset: usize) -> String {
    let mut end = offset.min(output.len());
    while !output.is_char_boundary(end) {
        end -= 1;
    }
    output[..end]
        .rfind("# Source: ")
        .map(|i| {
            output[i + 10..]
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| "the chart".into())
}

/// The documented key order.
fn normalise(doc: J) -> J {
    let J::Object(mut m) = sorted(doc) else {
        unreachable!("objects are maps")
    };
    let mut out = serde_json::Map::new();
    for k in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = m.remove(k) {
            out.insert(k.to_string(), v);
        }
    }
    out.extend(m);
    J::Object(out)
}

fn sorted(v: J) -> J {
    match v {
        J::Object(m) => {
            let mut entries: Vec<(String, J)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            J::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        J::Array(a) => J::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The file names of a component's objects (relative to its directory),
/// in object order. Two objects with one identity are an error.
pub fn file_names(component: &str, objects: &[Object]) -> Result<Vec<String>, Diagnostic> {
    let base = |o: &Object| format!("{}_{}", o.kind.to_ascii_lowercase(), o.name);
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for o in objects {
        *count.entry(base(o)).or_default() += 1;
    }
    let mut seen: BTreeMap<String, &Object> = BTreeMap::new();
    let mut names = Vec::new();
    for o in objects {
        let mut name = base(o);
        if count[&name] > 1 {
            name = format!("{name}_{}", o.namespace.as_deref().unwrap_or("default"));
        }
        if let Some(first) = seen.get(&name) {
            return Err(bad(
                component,
                format!(
                    "{} {} is rendered twice (by {} and {}): Kubernetes would keep only one",
                    o.kind, o.name, first.source, o.source
                ),
            ));
        }
        seen.insert(name.clone(), o);
        names.push(format!("{name}.yaml"));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  z: \"1\"\n  b: x\n---\n# Source: c/templates/d.yaml\nkind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      volumes:\n      - name: v\n        secret:\n          defaultMode: 0555\n";

    #[test]
    fn objects_are_read_as_kubernetes_reads_them_and_sorted() {
        let objs = split("c", OUT).unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[1].source, "c/templates/d.yaml");
        let text = crate::yaml::to_string(&objs[1].doc);
        assert!(
            text.starts_with("apiVersion: apps/v1\nkind: Deployment\n"),
            "{text}"
        );
        assert!(text.contains("defaultMode: 365"), "{text}");
        let cm = crate::yaml::to_string(&objs[0].doc);
        assert!(cm.contains("data:\n  b: x\n  z: '1'\n"), "{cm}");
        assert_eq!(
            file_names("c", &objs).unwrap(),
            ["configmap_a.yaml", "deployment_a.yaml"]
        );
    }

    #[test]
    fn bad_output_is_an_error_naming_the_template() {
        let e = split("c", "---\n# Source: c/templates/x.yaml\nfoo: [\n").unwrap_err();
        assert!(e.message.contains("c/templates/x.yaml"), "{}", e.message);
        let e = split("c", "---\n# Source: c/templates/y.yaml\nfoo: 1\n").unwrap_err();
        assert!(e.message.contains("c/templates/y.yaml"), "{}", e.message);
        let twice = format!(
            "{OUT}---\n# Source: c/templates/z.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
        );
        let objs = split("c", &twice).unwrap();
        assert!(
            file_names("c", &objs)
                .unwrap_err()
                .message
                .contains("twice")
        );
    }
}
