//! Randomness inside a chart's templates that no value reaches, made
//! deterministic after Helm has run.
//!
//! Most random strings in openstack-helm come from a value the chart fills
//! when it is empty (`values.rs` supplies those). A few templates call
//! `randAlphaNum` or `uuidv4` on their own, so two `helm template` runs of
//! the same chart and values differ. Each such template is listed in
//! [`RULES`] with what it randomises; after Helm's output is split into
//! objects, the random part is replaced by one derived from the component
//! and the object (stable across runs and machines):
//!
//! - [`Random::NameSuffix`]: `randAlphaNum N | lower` appended to a name
//!   (`<name>-<N chars>`, where `<name>` is another object of the same
//!   template): the suffix becomes N characters of
//!   `sha256("<component>/<name>")` in `[a-z0-9]`, everywhere the template's
//!   objects name it (a Role and the RoleBinding's `roleRef`).
//! - [`Random::UuidAfter`]: `uuidv4` written after a marker in a data value:
//!   the UUID becomes the version-4-shaped UUID of
//!   `"<component>/<template>/<marker>"`.
//!
//! A changed template's checksum annotation (`<template>-hash`, openstack-
//! helm's `helm-toolkit.utils.hash`, a SHA-256 of the rendered template, so
//! as random as the template, and different in every workload that includes
//! it) is then set, in every object of the component, to the SHA-256 of the
//! normalised objects of that template as stackc writes them: it still
//! changes when, and only when, the template's output changes.
//!
//! `scripts/check-hydrate` hydrates every example twice against the real
//! charts and fails on any byte that differs: a template that starts
//! randomising something new shows up there and gets a rule here.

use std::collections::BTreeSet;

use serde_json::Value as J;
use sha2::{Digest, Sha256};

use super::objects::Object;

/// What a template randomises.
#[derive(Debug, Clone, Copy)]
pub enum Random {
    /// `randAlphaNum N | lower` appended to names.
    NameSuffix(usize),
    /// `uuidv4` right after this marker in a data value.
    UuidAfter(&'static str),
}

/// A template that randomises on its own.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub chart: &'static str,
    /// Relative to the chart, as in Helm's `# Source:` line.
    pub template: &'static str,
    pub random: Random,
}

/// Every template of the charts the library pins that randomises without
/// a value (openstack-helm 2026.1 series; found by `grep -E
/// 'randAlpha|uuidv4'` over the packaged charts and by hydrating twice).
/// Test-pod templates (swift's `pod-test.yaml`) are not listed: hydration
/// skips tests.
pub const RULES: &[Rule] = &[
    Rule {
        chart: "ceph-adapter-rook",
        template: "templates/job-namespace-client-key.yaml",
        random: Random::NameSuffix(5),
    },
    Rule {
        chart: "ceph-adapter-rook",
        template: "templates/job-namespace-client-ceph-config.yaml",
        random: Random::NameSuffix(5),
    },
    Rule {
        chart: "gnocchi",
        template: "templates/configmap-bin.yaml",
        random: Random::UuidAfter("RESOURCE_UUID="),
    },
];

/// Applies every rule for `chart` to the objects of `component`.
pub fn apply(chart: &str, component: &str, objs: &mut [Object]) {
    for rule in RULES.iter().filter(|r| r.chart == chart) {
        let source = format!("{chart}/{}", rule.template);
        let mine: Vec<usize> = (0..objs.len())
            .filter(|&i| objs[i].source == source)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let changed = match rule.random {
            Random::NameSuffix(len) => name_suffix(component, len, objs, &mine),
            Random::UuidAfter(marker) => {
                let uuid = super::values::uuid(&format!("{component}/{}/{marker}", rule.template));
                let mut changed = false;
                for &i in &mine {
                    changed |= each_string(&mut objs[i].doc, &mut |s| uuid_after(s, marker, &uuid));
                }
                changed
            }
        };
        if changed {
            rehash(rule.template, objs, &mine);
        }
    }
}

/// Replaces `<name>-<random>` by `<name>-<derived>` in the template's
/// objects, where `<name>` is the name of one of them.
fn name_suffix(component: &str, len: usize, objs: &mut [Object], mine: &[usize]) -> bool {
    let names: BTreeSet<String> = mine.iter().map(|&i| objs[i].name.clone()).collect();
    let fix = |s: &str| -> Option<String> {
        if s.len() <= len + 1 {
            return None;
        }
        let (base, suffix) = s.split_at(s.len() - len);
        let base = base.strip_suffix('-')?;
        let random = suffix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        (random && names.contains(base))
            .then(|| format!("{base}-{}", derived(component, base, len)))
    };
    let mut changed = false;
    for &i in mine {
        changed |= each_string(&mut objs[i].doc, &mut |s| fix(s));
        if let Some(name) = fix(&objs[i].name) {
            objs[i].name = name;
        }
    }
    changed
}

/// `len` characters in `[a-z0-9]` from `sha256("<component>/<name>")`.
fn derived(component: &str, name: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    Sha256::digest(format!("{component}/{name}").as_bytes())
        .iter()
        .take(len)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// `s` with the UUID after each `marker` replaced by `uuid`, if any.
fn uuid_after(s: &str, marker: &str, uuid: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(i) = rest.find(marker) {
        let start = i + marker.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.get(..36).is_some_and(crate::model::is_uuid) {
            out.push_str(uuid);
            rest = &rest[36..];
            changed = true;
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Calls `f` on every string value (not keys) of `v`, replacing it by what
/// `f` returns. True when anything changed.
fn each_string(v: &mut J, f: &mut dyn FnMut(&str) -> Option<String>) -> bool {
    match v {
        J::String(s) => match f(s) {
            Some(new) => {
                *s = new;
                true
            }
            None => false,
        },
        J::Array(a) => a.iter_mut().fold(false, |c, x| each_string(x, f) | c),
        J::Object(m) => m.values_mut().fold(false, |c, x| each_string(x, f) | c),
        _ => false,
    }
}

/// Sets every `<template stem>-hash` annotation of the component to the
/// SHA-256 of the template's objects as stackc writes them.
fn rehash(template: &str, objs: &mut [Object], mine: &[usize]) {
    let stem = template
        .rsplit('/')
        .next()
        .unwrap_or(template)
        .trim_end_matches(".yaml");
    let key = format!("{stem}-hash");
    let mut h = Sha256::new();
    for &i in mine {
        h.update(crate::yaml::to_string(&objs[i].doc).as_bytes());
    }
    let hash = super::charts::hex(&h.finalize());
    for o in objs.iter_mut() {
        set_annotations(&mut o.doc, &key, &hash);
    }
}

/// Sets `key` in every `annotations` map of `v` that has it.
fn set_annotations(v: &mut J, key: &str, value: &str) {
    match v {
        J::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "annotations"
                    && let Some(J::String(s)) = x.get_mut(key)
                {
                    *s = value.to_string();
                } else {
                    set_annotations(x, key, value);
                }
            }
        }
        J::Array(a) => a.iter_mut().for_each(|x| set_annotations(x, key, value)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(kind: &str, name: &str, source: &str, doc: J) -> Object {
        Object {
            kind: kind.into(),
            name: name.into(),
            namespace: None,
            source: source.into(),
            doc,
        }
    }

    #[test]
    fn random_name_suffixes_are_derived_and_stable() {
        let src = "ceph-adapter-rook/templates/job-namespace-client-key.yaml";
        let run = |suffix: &str| {
            let name = format!("r-namespace-client-key-{suffix}");
            let mut objs = vec![
                obj(
                    "ServiceAccount",
                    "r-namespace-client-key",
                    src,
                    json!({"metadata": {"name": "r-namespace-client-key"}}),
                ),
                obj("Role", &name, src, json!({"metadata": {"name": name}})),
                obj(
                    "RoleBinding",
                    &name,
                    src,
                    json!({"metadata": {"name": name}, "roleRef": {"name": name}}),
                ),
                // Another template's names are left alone.
                obj(
                    "Role",
                    "other-abcde",
                    "ceph-adapter-rook/templates/x.yaml",
                    json!({"metadata": {"name": "other-abcde"}}),
                ),
            ];
            apply("ceph-adapter-rook", "rook", &mut objs);
            objs
        };
        let (a, b) = (run("dqpgf"), run("x1y2z"));
        assert_eq!(a[1].name, b[1].name);
        assert_ne!(a[1].name, "r-namespace-client-key-dqpgf");
        assert_eq!(a[1].doc, b[1].doc);
        assert_eq!(a[2].doc["roleRef"]["name"], json!(a[1].name));
        assert_eq!(a[0].name, "r-namespace-client-key");
        assert_eq!(a[3].name, "other-abcde");
        let suffix = &a[1].name["r-namespace-client-key-".len()..];
        assert_eq!(suffix.len(), 5);
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }

    #[test]
    fn uuids_in_scripts_are_derived_and_their_hashes_follow() {
        let src = "gnocchi/templates/configmap-bin.yaml";
        let run = |uuid: &str, hash: &str| {
            let mut objs = vec![
                obj(
                    "ConfigMap",
                    "gnocchi-bin",
                    src,
                    json!({"data": {"test.sh": format!("A\nRESOURCE_UUID={uuid}\nB ${{RESOURCE_UUID}}\n")}}),
                ),
                obj(
                    "Deployment",
                    "api",
                    "gnocchi/templates/deployment-api.yaml",
                    json!({"spec": {"template": {"metadata": {"annotations": {"configmap-bin-hash": hash, "configmap-etc-hash": "e"}}}}}),
                ),
            ];
            apply("gnocchi", "gnocchi", &mut objs);
            objs
        };
        let a = run("8ea6b645-ab6f-4300-a9b0-18534c8cf636", "1");
        let b = run("0ea6b645-ab6f-4300-a9b0-18534c8cf637", "2");
        assert_eq!(a[0].doc, b[0].doc);
        assert_eq!(a[1].doc, b[1].doc);
        let script = a[0].doc["data"]["test.sh"].as_str().unwrap();
        assert!(!script.contains("8ea6b645"), "{script}");
        assert!(script.ends_with("\nB ${RESOURCE_UUID}\n"), "{script}");
        let ann = &a[1].doc["spec"]["template"]["metadata"]["annotations"];
        assert_eq!(ann["configmap-etc-hash"], "e");
        assert_eq!(ann["configmap-bin-hash"].as_str().unwrap().len(), 64);
        // Another chart's scripts are not touched.
        let mut other = vec![obj(
            "ConfigMap",
            "x-bin",
            "nova/templates/configmap-bin.yaml",
            json!({"data": {"t": "RESOURCE_UUID=8ea6b645-ab6f-4300-a9b0-18534c8cf636"}}),
        )];
        apply("nova", "nova", &mut other);
        assert!(
            other[0].doc["data"]["t"]
                .as_str()
                .unwrap()
                .contains("8ea6b645")
        );
    }

    #[test]
    fn a_marker_without_a_uuid_is_left_alone() {
        assert_eq!(
            uuid_after("RESOURCE_UUID=$(uuidgen)", "RESOURCE_UUID=", "u"),
            None
        );
        assert_eq!(uuid_after("RESOURCE_UUID=", "RESOURCE_UUID=", "u"), None);
        assert_eq!(
            uuid_after(
                "x RESOURCE_UUID=8ea6b645-ab6f-4300-a9b0-18534c8cf636 é",
                "RESOURCE_UUID=",
                "U"
            ),
            Some("x RESOURCE_UUID=U é".into())
        );
    }
}
