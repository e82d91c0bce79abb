//! Generators shared by the fuzz targets: YAML-shaped trees built from
//! fuzz input, with the keys, secrets and expressions stackc cares about,
//! so the fuzzer spends its time past the parser.

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use serde_json::{Map, Value as J, json};

/// Marks every secret the generators plant (in URLs, private keys, Secret
/// data, secret environment variables and flags): it must never be printed.
pub const CANARY: &str = "Zq7FuzzCanary";

/// A secret value: the canary and an arbitrary alphanumeric suffix.
pub fn secret(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    let n = u.int_in_range(0..=9999)?;
    Ok(format!("{CANARY}{n}"))
}

/// Keys: real chart and Kubernetes keys (so values reach deep), secret
/// keys in many spellings, and arbitrary text.
const KEYS: &[&str] = &[
    "pod", "replicas", "osapi", "conf", "nova", "DEFAULT", "debug", "images", "tags",
    "endpoints", "identity", "auth", "admin", "manifests", "labels", "network", "api",
    "password", "PASS_WORD", "pass-phrase", "passwords", "fernet_keys", "ssh_key", "tls",
    "key", "tls.key", "token", "secret_key", "db_password", "name", "value", "env", "args",
    "data", "stringData", "kind", "apiVersion", "metadata", "namespace", "spec", "items",
    "values", "containers", "fernet_tokens", "service_credentials", "x", "",
];

/// Pieces of expressions: names of the context, operators, literals and
/// filters, including the ones that blow up without bounds.
const EXPR: &[&str] = &[
    "site.region", "site.domain", "site.storage", "site.network.external", "component.replicas",
    "release.name", "profile", "enabled", "catalogue", "loop.index", "n", " ~ ", " + ", " * ",
    " - ", " and ", " or ", "not ", " == ", " in ", "'x'", "'}}'", "\"{{\"", "1000", "100000000",
    "-1", "0", "true", "none", "(", ")", "[", "]", "{", "}", ": ", ", ", "|join(',')", "|length",
    "|upper", "|default('d')", "|replace('', 'yy')", "|indent(1000)", "|tojson", "|map(attribute='physnet')",
    "|list", "|first", "range(", "dict(", ".", "[0]", " if ", " else ", " is defined", "|format('%s')",
];

/// A string: plain text, a `{{ }}` expression, a template with a loop, a
/// URL with a password or a PEM key (secret anywhere).
fn string(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    Ok(match u.int_in_range(0..=7)? {
        0 | 1 => String::arbitrary(u)?,
        2 | 3 => format!("{{{{ {} }}}}", expr(u)?),
        4 => format!(
            "{{% for n in {} %}}{{{{ {} }}}}{{% endfor %}}",
            expr(u)?,
            expr(u)?
        ),
        5 => format!("mysql://nova:{}@db/nova", secret(u)?),
        6 => format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
            secret(u)?
        ),
        _ => "plain".to_string(),
    })
}

fn expr(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    let n = u.int_in_range(1..=12)?;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(u.choose(EXPR)?);
    }
    Ok(s)
}

fn key(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    if u.ratio(1, 8)? {
        String::arbitrary(u)
    } else {
        Ok(u.choose(KEYS)?.to_string())
    }
}

/// A JSON tree at most `depth` deep.
pub fn tree(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<J> {
    let pick = if depth == 0 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=7)?
    };
    Ok(match pick {
        0 => J::Null,
        1 => J::Bool(bool::arbitrary(u)?),
        2 => json!(i64::arbitrary(u)?),
        3 | 4 => J::String(string(u)?),
        5 => J::Array(
            (0..u.int_in_range(0..=4)?)
                .map(|_| tree(u, depth - 1))
                .collect::<arbitrary::Result<_>>()?,
        ),
        _ => map(u, depth - 1)?,
    })
}

/// A JSON map at most `depth` deep below it.
pub fn map(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<J> {
    let mut m = Map::new();
    for _ in 0..u.int_in_range(0..=5)? {
        m.insert(key(u)?, tree(u, depth)?);
    }
    Ok(J::Object(m))
}

/// A Kubernetes-shaped document: a kind stackc diffs specially, with
/// secrets where they are usually found, and an arbitrary body.
pub fn document(u: &mut Unstructured<'_>, name: &str) -> arbitrary::Result<J> {
    let kind = *u.choose(&["Secret", "List", "ConfigMap", "Deployment", "HelmRelease"])?;
    let mut doc = json!({
        "apiVersion": if kind == "HelmRelease" { "helm.toolkit.fluxcd.io/v2" } else { "v1" },
        "kind": kind,
        "metadata": {"name": name, "namespace": "openstack"},
    });
    let body = match kind {
        "Secret" => json!({"stringData": {"k": secret(u)?}}),
        "List" => json!({"items": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": secret(u)?}}, tree(u, 2)?]}),
        "Deployment" => json!({"spec": {"containers": [{
            "name": "c",
            "env": [
                {"name": *u.choose(&["DB_PASSWORD", "API_TOKEN", "ssh-key"])?, "value": secret(u)?},
                {"name": "MODE", "value": string(u)?},
            ],
            "args": [format!("--password={}", secret(u)?), "--api-key".to_string(), secret(u)?, string(u)?],
        }], "extra": tree(u, 3)?}}),
        _ => json!({"spec": {"values": map(u, 4)?}, "data": tree(u, 2)?}),
    };
    if let (J::Object(d), J::Object(b)) = (&mut doc, body) {
        d.extend(b);
    }
    Ok(doc)
}
