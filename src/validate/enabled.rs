//! Rules over the components a site will run: the enabled services it lists
//! and everything they require, found the way the plan will find them.
//! Two of them may not serve one endpoint (E0058), a component may need
//! Ceph storage (E0059) or a setting only the site can give (E0060).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use indexmap::IndexMap;
use serde_json::Value as J;

use super::rules::Listed;
use crate::diagnostic::{Code, Diagnostic};
use crate::library::Library;
use crate::source::Span;
use crate::template::Engine;
use crate::yaml::{Node, Value};

/// Requirement edges, with their conditions evaluated against the
/// effective site; a condition that fails to evaluate is reported once.
pub struct Requirements<'a> {
    lib: &'a Library,
    engine: Engine,
    ctx: minijinja::Value,
    broken: BTreeSet<(String, usize)>,
}

impl<'a> Requirements<'a> {
    pub fn new(lib: &'a Library, effective: &J) -> Self {
        Requirements {
            lib,
            engine: Engine::new(),
            ctx: crate::context::site_context(&crate::context::site_json(effective)),
            broken: BTreeSet::new(),
        }
    }

    /// The components `name` requires on this site, in definition order.
    pub fn of(&mut self, name: &str, out: &mut Vec<Diagnostic>) -> Vec<String> {
        let Some(c) = self.lib.components.get(name) else {
            return Vec::new();
        };
        let mut next = Vec::new();
        for (i, req) in c.def().requires.iter().enumerate() {
            match c.when_holds("requires", i, req.condition(), &self.engine, &self.ctx) {
                Ok(true) => next.push(req.name().to_string()),
                Ok(false) => {}
                Err(d) => {
                    if self.broken.insert((name.to_string(), i)) {
                        out.push(d);
                    }
                }
            }
        }
        next
    }

    /// Whether a definition condition holds (errors reported, as false).
    fn holds(
        &self,
        name: &str,
        field: &str,
        when: Option<&str>,
        out: &mut Vec<Diagnostic>,
    ) -> bool {
        let c = &self.lib.components[name];
        c.when_holds(field, 0, when, &self.engine, &self.ctx)
            .unwrap_or_else(|d| {
                out.push(d);
                false
            })
    }
}

/// Every component the site will run, in discovery order, with the chain
/// from the listed service that brings it in (`[root, ..., component]`).
/// Explicitly disabled components are left out (E0017 reports chains that
/// reach them).
fn closure(
    listed: &IndexMap<String, Listed>,
    reqs: &mut Requirements<'_>,
    out: &mut Vec<Diagnostic>,
) -> IndexMap<String, Vec<String>> {
    let mut chains: IndexMap<String, Vec<String>> = IndexMap::new();
    let mut queue = VecDeque::new();
    for (name, _) in listed.iter().filter(|(_, l)| l.enabled) {
        chains.insert(name.clone(), vec![name.clone()]);
        queue.push_back(name.clone());
    }
    while let Some(cur) = queue.pop_front() {
        for next in reqs.of(&cur, out) {
            if chains.contains_key(&next) || listed.get(&next).is_some_and(|l| !l.enabled) {
                continue;
            }
            let mut chain = chains[&cur].clone();
            chain.push(next.clone());
            chains.insert(next.clone(), chain);
            queue.push_back(next);
        }
    }
    chains
}

/// Where the site asks for a component, and how to say so.
fn asked(chain: &[String], listed: &IndexMap<String, Listed>) -> (Span, String) {
    let span = listed[&chain[0]].key_span;
    let label = if chain.len() == 1 {
        format!("`{}` is enabled here", chain[0])
    } else {
        format!("requires it: {}", chain.join(" → "))
    };
    (span, label)
}

pub fn check(
    spec: &Node,
    listed: &IndexMap<String, Listed>,
    reqs: &mut Requirements<'_>,
    effective: &J,
    out: &mut Vec<Diagnostic>,
) {
    let lib = reqs.lib;
    let chains = closure(listed, reqs, out);
    let known: IndexMap<&String, &Vec<String>> = chains
        .iter()
        .filter(|(n, _)| lib.components.contains_key(*n))
        .collect();
    endpoint_conflicts(&known, listed, lib, out);
    let backend = effective
        .pointer("/spec/storage/backend")
        .and_then(J::as_str)
        .unwrap_or("local");
    // Components reported for needing Ceph: what they require is not
    // reported again (the cause is theirs).
    let mut without_ceph: BTreeSet<&str> = BTreeSet::new();
    for (name, chain) in &known {
        let def = lib.components[*name].def();
        if let Some(needs) = &def.needs_ceph
            && backend != "ceph"
            && !chain.iter().any(|c| without_ceph.contains(c.as_str()))
            && reqs.holds(name, "needsCeph", needs.when.as_deref(), out)
        {
            without_ceph.insert(name.as_str());
            out.push(needs_ceph(spec, name, chain, listed, needs, backend));
        }
        for setting in &def.required_settings {
            let given = spec
                .get_path(&format!("services.{name}.{}", setting.key))
                .is_some_and(|n| !matches!(n.value, Value::Null));
            if !given {
                let (span, label) = asked(chain, listed);
                out.push(
                    Diagnostic::error(
                        Code::MissingServiceSetting,
                        span,
                        format!("`{name}` needs `spec.services.{name}.{}`", setting.key),
                    )
                    .label(label)
                    .help(format!(
                        "{}: add `{name}: {{{}: {}}}` under `spec.services`",
                        setting.why, setting.key, setting.example
                    )),
                );
            }
        }
    }
}

/// Two components serving one endpoint type: the later one is the error.
fn endpoint_conflicts(
    known: &IndexMap<&String, &Vec<String>>,
    listed: &IndexMap<String, Listed>,
    lib: &Library,
    out: &mut Vec<Diagnostic>,
) {
    let mut served: BTreeMap<&str, &String> = BTreeMap::new();
    for (name, chain) in known {
        for kind in lib.components[*name].def().provides.keys() {
            let Some(first) = served.get(kind.as_str()) else {
                served.insert(kind, name);
                continue;
            };
            let (span, label) = asked(chain, listed);
            let (first_span, first_label) = asked(known[first], listed);
            let endpoint = kind.replace('_', "-");
            out.push(
                Diagnostic::error(
                    Code::EndpointConflict,
                    span,
                    format!("`{name}` and `{first}` both serve the `{endpoint}` endpoint: a site has one"),
                )
                .label(label)
                .with_secondary(first_span, first_label)
                .help(format!("enable only one of `{first}` and `{name}`")),
            );
        }
    }
}

fn needs_ceph(
    spec: &Node,
    name: &str,
    chain: &[String],
    listed: &IndexMap<String, Listed>,
    needs: &crate::library::NeedsCeph,
    backend: &str,
) -> Diagnostic {
    let (mut span, mut label) = asked(chain, listed);
    // A condition on a setting the site wrote points at that setting.
    if let Some(when) = &needs.when {
        let written = crate::template::dotted_names(when)
            .into_iter()
            .find_map(|p| {
                (p.len() > 1 && p[0] == "site")
                    .then(|| spec.get_path(&p[1..].join(".")))
                    .flatten()
            });
        if let Some(n) = written {
            span = n.span;
            label = "chosen here".into();
        }
    }
    let mut d = Diagnostic::error(
        Code::NeedsCeph,
        span,
        format!("`{name}` needs Ceph storage: {}", needs.why),
    )
    .label(label);
    if let Some(b) = spec.get_path("storage.backend") {
        d = d.with_secondary(b.span, format!("storage is `{backend}` here"));
    }
    let instead = needs
        .instead
        .as_deref()
        .map(|i| format!(", {i}"))
        .unwrap_or_default();
    d.help(format!(
        "use Ceph storage (`spec.storage.backend: ceph` with `spec.storage.ceph`){instead}, or disable `{}`",
        chain[0]
    ))
}
