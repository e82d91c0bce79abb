//! Semantic rules that need the library: release, profile and service
//! names, storage consistency, provider networks and requirement chains.
//!
//! Rules read the document tree defensively, so they still run (and report)
//! when other parts of the file have structural errors.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use indexmap::IndexMap;
use serde_json::Value as J;

use crate::diagnostic::{Code, Diagnostic, did_you_mean, quoted_list, suggest};
use crate::library::Library;
use crate::source::Span;
use crate::yaml::{Node, Value};

pub fn check(doc: &Node, effective: &J, lib: &Library) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(spec) = doc.get("spec").filter(|s| s.as_map().is_some()) else {
        return out;
    };
    library_names(spec, lib, &mut out);
    super::availability::check(spec, lib, &mut out);
    storage(spec, &mut out);
    provider_networks(spec, &mut out);
    let listed = listed_services(spec, lib, &mut out);
    let mut reqs = super::enabled::Requirements::new(lib, effective);
    requirements(&listed, &mut reqs, &mut out);
    super::enabled::check(spec, &listed, &mut reqs, effective, &mut out);
    super::kubernetes::check(spec, effective, lib, &listed, &mut out);
    chart_values(spec, lib, &mut out);
    out
}

/// `services.<name>.values` may only use keys the chart has: Helm would
/// silently ignore the others.
fn chart_values(spec: &Node, lib: &Library, out: &mut Vec<Diagnostic>) {
    let Some(services) = spec.get("services").and_then(Node::as_map) else {
        return;
    };
    for (name, entry) in services {
        let Some(values) = entry.node.get("values").filter(|v| v.as_map().is_some()) else {
            continue;
        };
        let Some(c) = lib.components.get(name) else {
            continue;
        };
        if let Some(keys) = &c.keys {
            out.extend(crate::library::check_chart_keys(
                values,
                keys.get(&lib.files),
                &c.def().chart,
                &format!("spec.services.{name}.values"),
            ));
        }
    }
}

fn library_names(spec: &Node, lib: &Library, out: &mut Vec<Diagnostic>) {
    let checks: [(&str, Vec<&str>, Code, &str); 2] = [
        (
            "release",
            lib.releases.keys().map(String::as_str).collect(),
            Code::UnknownRelease,
            "releases",
        ),
        (
            "profile",
            lib.profiles.keys().map(String::as_str).collect(),
            Code::UnknownProfile,
            "profiles",
        ),
    ];
    for (key, known, code, dir) in checks {
        let Some(node) = spec.get(key) else { continue };
        let Some(name) = node.as_str() else { continue };
        if known.contains(&name) {
            continue;
        }
        if key == "release"
            && let Some(r) = lib.retired.get(name)
        {
            out.push(
                Diagnostic::error(
                    Code::RetiredRelease,
                    node.span,
                    format!("release `{name}` ({}) is retired: {}", r.codename, r.reason),
                )
                .label("no longer in the library")
                .help(r.help.clone()),
            );
            continue;
        }
        let help = suggest(name, known.iter().copied(), dir);
        out.push(
            Diagnostic::error(code, node.span, format!("unknown {key} `{name}`"))
                .label(format!("not in the library's {dir}/"))
                .help(help),
        );
    }
}

fn storage(spec: &Node, out: &mut Vec<Diagnostic>) {
    let Some(storage) = spec.get("storage") else {
        return;
    };
    let backend = storage.get("backend");
    let ceph = storage.entry("ceph");
    let is_ceph = backend.and_then(Node::as_str) == Some("ceph");
    let ceph_given = ceph.is_some_and(|e| !matches!(e.node.value, Value::Null));
    if is_ceph && !ceph_given {
        let b = backend.expect("checked above");
        let mut d = Diagnostic::error(
            Code::Inconsistent,
            b.span,
            "storage backend `ceph` needs `storage.ceph`",
        )
        .label("ceph selected here")
        .help("add `storage.ceph` with `rbdSecretUUID` and either `monitors` (an existing cluster) or `provider: rook`, or use `backend: local`");
        if let Some(e) = ceph {
            d = d.with_secondary(e.key_span, "empty");
        }
        out.push(d);
    } else if !is_ceph && ceph_given {
        let e = ceph.expect("checked above");
        out.push(
            Diagnostic::warning(
                Code::Ineffective,
                e.key_span,
                "`storage.ceph` is ignored: the storage backend is not `ceph`",
            )
            .label("ignored")
            .help("set `storage.backend: ceph` to use this cluster, or remove `storage.ceph`"),
        );
    }
    if let Some(e) = ceph.filter(|_| ceph_given) {
        ceph_provider(&e.node, out);
    }
}

/// Settings of the other Ceph provider have no effect.
fn ceph_provider(ceph: &Node, out: &mut Vec<Diagnostic>) {
    let rook = ceph.get("provider").and_then(Node::as_str) == Some("rook");
    let (key, help) = if rook {
        (
            "monitors",
            "Rook's monitors are discovered (ceph-adapter-rook): remove `monitors`, or use `provider: external`",
        )
    } else {
        (
            "rook",
            "`rook` describes a Rook-managed cluster: remove it, or set `provider: rook`",
        )
    };
    if let Some(e) = ceph.entry(key) {
        let provider = if rook { "rook" } else { "external" };
        out.push(
            Diagnostic::warning(
                Code::Ineffective,
                e.key_span,
                format!("`storage.ceph.{key}` is ignored with provider `{provider}`"),
            )
            .label("ignored")
            .help(help),
        );
    }
}

fn provider_networks(spec: &Node, out: &mut Vec<Diagnostic>) {
    let Some(Value::Seq(items)) = spec.get_path("network.external").map(|n| &n.value) else {
        return;
    };
    for field in ["physnet", "interface"] {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for item in items {
            let Some(n) = item.get(field) else { continue };
            let Some(v) = n.as_str() else { continue };
            if let Some(first) = seen.get(v) {
                out.push(
                    Diagnostic::error(
                        Code::Inconsistent,
                        n.span,
                        format!("{field} `{v}` is used by two provider networks"),
                    )
                    .label("again here")
                    .with_secondary(*first, "first used here")
                    .help(format!("each provider network needs its own {field}")),
                );
            } else {
                seen.insert(v, n.span);
            }
        }
    }
}

/// A service listed in `spec.services`.
pub struct Listed {
    pub key_span: Span,
    pub enabled: bool,
    /// The `enabled: false` value, when explicitly disabled.
    pub disabled_at: Option<Span>,
}

fn listed_services(
    spec: &Node,
    lib: &Library,
    out: &mut Vec<Diagnostic>,
) -> IndexMap<String, Listed> {
    let mut listed = IndexMap::new();
    let Some(services) = spec.get("services").and_then(Node::as_map) else {
        return listed;
    };
    let known: Vec<&str> = lib.components.keys().map(String::as_str).collect();
    for (name, entry) in services {
        if let Some(u) = lib.unsupported.get(name) {
            out.push(
                Diagnostic::error(
                    Code::UnsupportedService,
                    entry.key_span,
                    format!("openstack-helm has no chart for `{name}` ({})", u.what),
                )
                .label("no chart to deploy it with")
                .help(format!("use {}", u.instead)),
            );
            continue;
        }
        if !lib.components.contains_key(name) {
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(s) => {
                    format!("did you mean `{s}`? (`stackc library list` shows every component)")
                }
                None => format!("known services: {}", known.join(", ")),
            };
            out.push(
                Diagnostic::error(
                    Code::UnknownService,
                    entry.key_span,
                    format!("unknown service `{name}`"),
                )
                .label("not in the library")
                .help(help),
            );
            continue;
        }
        let enabled_node = entry.node.get("enabled");
        let enabled = !matches!(enabled_node.map(|n| &n.value), Some(Value::Bool(false)));
        if !enabled {
            for key in ["replicas", "values"] {
                if let Some(e) = entry.node.entry(key) {
                    out.push(
                        Diagnostic::warning(
                            Code::Ineffective,
                            e.key_span,
                            format!("`{key}` has no effect: `{name}` is disabled"),
                        )
                        .label("ignored")
                        .help(format!("remove `{key}`, or enable `{name}`")),
                    );
                }
            }
        }
        listed.insert(
            name.clone(),
            Listed {
                key_span: entry.key_span,
                enabled,
                disabled_at: (!enabled).then(|| enabled_node.map_or(entry.key_span, |n| n.span)),
            },
        );
    }
    listed
}

fn requirements(
    listed: &IndexMap<String, Listed>,
    reqs: &mut super::enabled::Requirements<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if !listed.values().any(|l| !l.enabled) {
        return;
    }
    // disabled component -> chains that reach it
    let mut hits: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for (root, _) in listed.iter().filter(|(_, l)| l.enabled) {
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = VecDeque::from([root.clone()]);
        let mut seen = BTreeSet::from([root.clone()]);
        while let Some(cur) = queue.pop_front() {
            for next in reqs.of(&cur, out) {
                if !seen.insert(next.clone()) {
                    continue;
                }
                parent.insert(next.clone(), cur.clone());
                if listed.get(&next).is_some_and(|n| !n.enabled) {
                    let mut chain = vec![next.clone()];
                    let mut at = &next;
                    while let Some(p) = parent.get(at) {
                        chain.push(p.clone());
                        at = p;
                    }
                    chain.reverse();
                    hits.entry(next).or_default().push((root.clone(), chain));
                } else {
                    queue.push_back(next);
                }
            }
        }
    }
    for (disabled, mut chains) in hits {
        // Keep the chains that do not pass through another reported root.
        chains.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(&b.0)));
        let roots: BTreeSet<&String> = chains.iter().map(|(r, _)| r).collect();
        let direct: Vec<&(String, Vec<String>)> = chains
            .iter()
            .filter(|(_, c)| !c[1..c.len() - 1].iter().any(|m| roots.contains(m)))
            .collect();
        let shown: Vec<String> = direct.iter().take(4).map(|(_, c)| c.join(" → ")).collect();
        let more = direct.len().saturating_sub(4);
        let l = &listed[&disabled];
        let mut msg = format!(
            "`{disabled}` is disabled, but {} it: {}",
            if direct.len() == 1 {
                "an enabled service requires"
            } else {
                "enabled services require"
            },
            shown.join("; ")
        );
        if more > 0 {
            msg.push_str(&format!(" (and {more} more)"));
        }
        let mut d = Diagnostic::error(
            Code::RequirementDisabled,
            l.disabled_at.unwrap_or(l.key_span),
            msg,
        )
        .label(format!("`{disabled}` disabled here"))
        .help(format!(
            "remove `enabled: false` from `{disabled}`, or disable {}",
            quoted_list(direct.iter().map(|(r, _)| r))
        ));
        for (root, _) in direct.iter().take(4) {
            d = d.with_secondary(listed[root].key_span, format!("`{root}` is enabled here"));
        }
        out.push(d);
    }
}
