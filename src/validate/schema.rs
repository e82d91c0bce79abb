//! Structural checks: the site JSON Schema (`schemas/site.schema.json`),
//! with every schema error turned into a located diagnostic.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value as J;

use crate::diagnostic::{Code, Diagnostic, did_you_mean, quoted_list};
use crate::yaml::{Node, PathSeg, path_to_string};

/// The site schema, as shipped in `schemas/site.schema.json`.
pub const SITE_SCHEMA: &str = include_str!("../../schemas/site.schema.json");

static SCHEMA: LazyLock<J> = LazyLock::new(|| {
    serde_json::from_str(SITE_SCHEMA).expect("the embedded site schema is valid JSON")
});

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    jsonschema::draft202012::options()
        .build(&SCHEMA)
        .expect("the embedded site schema compiles")
});

/// The parsed schema document.
pub fn schema() -> &'static J {
    &SCHEMA
}

/// Checks `doc` against the schema.
pub fn check(doc: &Node, json: &J) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for err in VALIDATOR.iter_errors(json) {
        let path: Vec<PathSeg> = err
            .instance_path()
            .iter()
            .map(|s| match s {
                jsonschema::paths::LocationSegment::Property(p) => PathSeg::Key(p.to_string()),
                jsonschema::paths::LocationSegment::Index(i) => PathSeg::Index(i),
            })
            .collect();
        out.extend(diagnose(doc, &path, err.kind(), err.instance()));
    }
    out
}

/// Whether `json` is valid against the schema (used by tests and `schema`).
pub fn is_valid(json: &J) -> bool {
    VALIDATOR.is_valid(json)
}

fn diagnose(
    doc: &Node,
    path: &[PathSeg],
    kind: &ValidationErrorKind,
    instance: &J,
) -> Vec<Diagnostic> {
    let raw = subschema(path);
    let sub = raw.map(resolve);
    let here = path_to_string(path);
    let name = if here.is_empty() {
        "the document".to_string()
    } else {
        format!("`{here}`")
    };
    let value_span = doc.value_span_at(path);
    let describe = || {
        raw.and_then(|s| s.get("description"))
            .and_then(J::as_str)
            .map(str::to_string)
    };
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<&str> = sub
                .and_then(|s| s.get("properties"))
                .and_then(J::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let mut full = path.to_vec();
                    full.push(PathSeg::Key(key.clone()));
                    let span = doc.key_span_at(&full);
                    let help = match did_you_mean(key, known.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if known.is_empty() => "remove this key".to_string(),
                        None => format!("known keys here: {}", quoted_list(&known)),
                    };
                    let place = if here.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in `{here}`")
                    };
                    Diagnostic::error(
                        Code::UnknownKey,
                        span,
                        format!("unknown key `{key}` {place}"),
                    )
                    .label("unknown key")
                    .help(help)
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let prop = property.as_str().unwrap_or_default();
            let span = if path.is_empty() {
                doc.span.with_len(0)
            } else {
                doc.key_span_at(path)
            };
            let prop_desc = sub
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.get(prop))
                .and_then(|p| {
                    p.get("description")
                        .or_else(|| resolve(p).get("description"))
                })
                .and_then(J::as_str);
            let help = match prop_desc {
                Some(d) => format!("add `{prop}`: {}", lower_first(d)),
                None => format!("add `{prop}`"),
            };
            let place = if here.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `{here}`")
            };
            vec![
                Diagnostic::error(
                    Code::MissingKey,
                    span,
                    format!("missing required key `{prop}` {place}"),
                )
                .label(format!("`{prop}` is missing"))
                .help(help),
            ]
        }
        ValidationErrorKind::Type { .. } => {
            let expected = sub.map(type_names).unwrap_or_else(|| "another type".into());
            let found = doc.at(path).map_or("nothing", |n| n.value.kind());
            let mut help = match describe() {
                Some(d) => format!("write {expected} here ({})", lower_first(&d)),
                None => format!("write {expected} here"),
            };
            if path.is_empty() {
                help = "a site file is a map with `apiVersion`, `kind`, `metadata` and `spec` (see `stackc schema`)".into();
            }
            if here.ends_with("release") && found == "number" {
                help = "quote the release: release: \"2025.1\"".into();
            }
            vec![
                Diagnostic::error(
                    Code::WrongType,
                    value_span,
                    format!("{name} must be {expected}, found {found}"),
                )
                .label(format!("expected {expected}"))
                .help(help),
            ]
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(json_text).collect())
                .unwrap_or_default();
            let got = json_text(instance);
            let help = match did_you_mean(&got, opts.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? (one of {})", quoted_list(&opts)),
                None => format!("use one of {}", quoted_list(&opts)),
            };
            vec![
                Diagnostic::error(
                    Code::InvalidValue,
                    value_span,
                    format!(
                        "{name} must be one of {}, found `{}`",
                        quoted_list(&opts),
                        clip(&got)
                    ),
                )
                .label("not allowed here")
                .help(help),
            ]
        }
        ValidationErrorKind::Constant { expected_value } => {
            let want = json_text(expected_value);
            vec![
                Diagnostic::error(
                    Code::InvalidValue,
                    value_span,
                    format!(
                        "{name} must be `{want}`, found `{}`",
                        clip(&json_text(instance))
                    ),
                )
                .label("unexpected value")
                .help(format!(
                    "write `{}: {want}`",
                    path.last().map(|p| p.to_string()).unwrap_or_default()
                )),
            ]
        }
        ValidationErrorKind::Pattern { .. }
        | ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::MinLength { .. } => {
            let what = raw.and_then(def_name).map(human_def).unwrap_or("value");
            let desc = sub
                .and_then(|s| s.get("description"))
                .and_then(J::as_str)
                .unwrap_or("see `stackc schema`");
            // Property names (label keys) have no value span of their own.
            let is_key = instance.is_string()
                && doc
                    .at(path)
                    .is_some_and(|n| n.as_str() != instance.as_str());
            let span = if is_key {
                doc.key_span_at(path)
            } else {
                value_span
            };
            vec![
                Diagnostic::error(
                    Code::InvalidValue,
                    span,
                    format!(
                        "{name}: `{}` is not a valid {what}",
                        clip(&json_text(instance))
                    ),
                )
                .label(format!("invalid {what}"))
                .help(format!("use {}", lower_first(desc))),
            ]
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => vec![
            Diagnostic::error(
                Code::InvalidValue,
                value_span,
                format!(
                    "{name} must be at least {limit}, found {}",
                    json_text(instance)
                ),
            )
            .label("too small")
            .help(
                describe().map_or(format!("use a value of {limit} or more"), |d| {
                    format!("use a value of {limit} or more ({})", lower_first(&d))
                }),
            ),
        ],
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => vec![
            Diagnostic::error(
                Code::InvalidValue,
                value_span,
                format!(
                    "{name} must be at most {limit}, found {}",
                    json_text(instance)
                ),
            )
            .label("too large")
            .help(format!("use a value of {limit} or less")),
        ],
        ValidationErrorKind::MinProperties { .. } | ValidationErrorKind::MaxProperties { .. } => vec![
            Diagnostic::error(Code::InvalidValue, value_span, format!("{name} must hold exactly one label"))
                .label("one label here")
                .help("openstack-helm charts select nodes by a single label (node_selector_key/value); label the nodes with one dedicated label"),
        ],
        ValidationErrorKind::MaxItems { limit } => vec![
            Diagnostic::error(Code::InvalidValue, value_span, format!("{name} takes at most {limit} items"))
                .label("too many")
                .help(describe().map_or(format!("keep at most {limit} items"), |d| format!("keep at most {limit} items: {}", lower_first(&d)))),
        ],
        ValidationErrorKind::MinItems { limit } => vec![
            Diagnostic::error(
                Code::InvalidValue,
                value_span,
                format!("{name} needs at least {limit} item(s)"),
            )
            .label("empty")
            .help(describe().map_or("add an item".to_string(), |d| {
                format!("add an item: {}", lower_first(&d))
            })),
        ],
        ValidationErrorKind::PropertyNames { error } => {
            // Re-diagnose the key itself.
            let key = json_text(error.instance());
            let mut full = path.to_vec();
            full.push(PathSeg::Key(key.clone()));
            let span = doc.key_span_at(&full);
            vec![
                Diagnostic::error(Code::InvalidValue, span, format!("`{}` is not a valid label key in {name}", clip(&key)))
                    .label("invalid key")
                    .help("use a Kubernetes label key: optional DNS prefix and '/', then letters, digits, '-', '_' or '.'"),
            ]
        }
        other => vec![
            Diagnostic::error(
                Code::InvalidValue,
                value_span,
                format!("{name} is invalid: {}", other.keyword()),
            )
            .label("invalid")
            .help(describe().unwrap_or_else(|| "see `stackc schema`".into())),
        ],
    }
}

/// Follows `$ref` to the referenced `$defs` entry (merging sibling keys).
fn resolve(s: &J) -> &J {
    match s
        .get("$ref")
        .and_then(J::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => SCHEMA.get("$defs").and_then(|d| d.get(name)).unwrap_or(s),
        None => s,
    }
}

fn def_name(s: &J) -> Option<&str> {
    s.get("$ref")
        .and_then(J::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
}

/// The subschema describing the instance at `path` (best effort, for help).
pub fn subschema(path: &[PathSeg]) -> Option<&'static J> {
    let mut s: &J = &SCHEMA;
    for seg in path {
        let r = resolve(s);
        s = match seg {
            PathSeg::Key(k) => r
                .get("properties")
                .and_then(|p| p.get(k))
                .or_else(|| r.get("additionalProperties").filter(|a| a.is_object()))?,
            PathSeg::Index(_) => r.get("items")?,
        };
    }
    Some(s)
}

/// Keeps the `$ref` (for the def name) but reads keywords from the target.
fn type_names(s: &J) -> String {
    let r = resolve(s);
    let one = |t: &str| match t {
        "object" => "a map",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "empty",
        _ => "a value",
    };
    match r.get("type") {
        Some(J::String(t)) => one(t).to_string(),
        Some(J::Array(ts)) => ts
            .iter()
            .filter_map(J::as_str)
            .filter(|t| *t != "null")
            .map(one)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "another type".into(),
    }
}

fn human_def(def: &str) -> &'static str {
    match def {
        "dnsLabel" => "DNS label",
        "dnsSubdomain" => "DNS name",
        "uuid" => "UUID",
        "interfaceName" => "interface name",
        "physnetName" => "physical network name",
        "regionName" => "region name",
        "monitorAddress" => "monitor address",
        "poolName" => "pool name",
        "labelKey" => "label key",
        "labelValue" => "label value",
        "secretPrefix" => "key prefix",
        "libraryName" => "name",
        "storeKey" => "store key",
        "kubeVersion" => "Kubernetes version",
        "openstackName" => "OpenStack name",
        _ => "value",
    }
}

fn json_text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        let mut c: String = s.chars().take(57).collect();
        c.push_str("...");
        c
    } else {
        s.to_string()
    }
}

/// Lowercases the first letter of a description so it reads inside a
/// sentence, except for acronyms and proper nouns ("DNS", "OpenStack").
fn lower_first(s: &str) -> String {
    const PROPER: &[&str] = &[
        "Kubernetes",
        "Keystone",
        "Neutron",
        "Ceph",
        "Nova",
        "Glance",
        "Cinder",
        "Linux",
        "RBD",
    ];
    let s = s.trim_end_matches('.');
    let first = s.split([' ', ':', ',']).next().unwrap_or("");
    let keep = first.chars().skip(1).any(char::is_uppercase) || PROPER.contains(&first);
    let mut c = s.chars();
    match c.next() {
        Some(f) if !keep => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// Fills in schema defaults for absent keys, so rules see the effective site.
///
/// An absent object is created (with its own defaults) when its schema's
/// type is the string `"object"`, as serde does for a defaulted struct;
/// optional settings (`Option` in the model: `tls`, a cluster's
/// `loadBalancer`, ...) are typed `["object"]` or `["object", "null"]` and
/// stay absent.
pub fn apply_defaults(json: &mut J) {
    // `keystone:` (null) is a service with defaults, like `keystone: {}`.
    if let Some(J::Object(services)) = json.pointer_mut("/spec/services") {
        for v in services.values_mut() {
            if v.is_null() {
                *v = J::Object(Default::default());
            }
        }
    }
    fill(json, &SCHEMA);
}

fn fill(value: &mut J, schema: &J) {
    let schema = resolve(schema);
    match value {
        J::Object(map) => {
            if let Some(props) = schema.get("properties").and_then(J::as_object) {
                for (k, ps) in props {
                    let ps_r = resolve(ps);
                    if !map.contains_key(k) {
                        if let Some(d) = ps.get("default").or_else(|| ps_r.get("default")) {
                            map.insert(k.clone(), d.clone());
                        } else if ps_r.get("type").and_then(J::as_str) == Some("object") {
                            let mut sub = J::Object(Default::default());
                            fill(&mut sub, ps);
                            if sub.as_object().is_some_and(|m| !m.is_empty()) {
                                map.insert(k.clone(), sub);
                            }
                        }
                    }
                }
            }
            for (k, v) in map.iter_mut() {
                let sub = schema
                    .get("properties")
                    .and_then(|p| p.get(k))
                    .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                if let Some(sub) = sub {
                    fill(v, sub);
                }
            }
        }
        J::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for v in items {
                    fill(v, item_schema);
                }
            }
        }
        _ => {}
    }
}
