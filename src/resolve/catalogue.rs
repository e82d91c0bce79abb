//! The catalogue: one computed description of every endpoint in the site
//! (hosts, ports, paths, schemes, public FQDNs, TLS), built once from the
//! enabled components' `provides:` and the site spec, and injected into
//! every chart's `endpoints` values — so the same fact is never written
//! twice.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::Inputs;
use super::evaluate::{self, Evaluator};
use super::merge::{from_json, set_path};
use super::origin::SiteSpans;
use super::stage::Staged;
use crate::cloudconf::Source;
use crate::diagnostic::Diagnostic;
use crate::library::Library;
use crate::library::Plan;
use crate::model::Site;
use crate::source::Span;
use crate::yaml::{Node, PathSeg, Value};

/// A public endpoint reached through the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The public FQDN, `<service>.<domain>`.
    pub host: String,
    /// The in-cluster Service and port the gateway forwards to.
    pub service: String,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// The component that serves it.
    pub provider: String,
    /// Present for public endpoints.
    pub route: Option<Route>,
    /// The `endpoints.<type>` values every user of the type receives.
    pub values: Node,
}

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub entries: BTreeMap<String, Entry>,
}

impl Catalogue {
    pub fn build(lib: &Library, plan: &Plan, site: &Site, spans: &SiteSpans<'_>) -> Catalogue {
        let tls = site.spec.tls.is_some();
        let domain_span = spans.value("spec.domain");
        let tls_span = spans
            .key("spec.tls")
            .unwrap_or(domain_span.unwrap_or(spans.root));
        let domain_span = domain_span.unwrap_or(spans.root);
        let mut entries = BTreeMap::new();
        for name in plan.components.keys() {
            let c = &lib.components[name];
            let Some(provides) = c.doc().get("provides") else {
                continue;
            };
            for (kind, def) in &c.def().provides {
                let Some(node) = provides.get(kind) else {
                    continue;
                };
                let mut values = node.clone();
                // Library-only keys, not chart values.
                if let Value::Map(m) = &mut values.value {
                    m.shift_remove("public");
                    m.shift_remove("route");
                }
                let mut route = None;
                if let Some(prefix) = &def.public {
                    let host = format!("{prefix}.{}", site.spec.domain);
                    set_path(
                        &mut values,
                        &["host_fqdn_override", "public", "host"],
                        from_json(&host.clone().into(), domain_span),
                    );
                    // Public scheme and port follow spec.tls.
                    if let Some(scheme) = values
                        .get("scheme")
                        .filter(|s| s.as_str().is_some())
                        .cloned()
                    {
                        set_path(&mut values, &["scheme", "default"], scheme);
                    }
                    let scheme = if tls { "https" } else { "http" };
                    set_path(
                        &mut values,
                        &["scheme", "public"],
                        from_json(&scheme.into(), tls_span),
                    );
                    let port_name = def
                        .route
                        .as_ref()
                        .and_then(|r| r.port.clone())
                        .unwrap_or_else(|| "api".into());
                    let public_port: i64 = if tls { 443 } else { 80 };
                    set_path(
                        &mut values,
                        &["port", &port_name, "public"],
                        from_json(&public_port.into(), tls_span),
                    );
                    let service = def
                        .route
                        .as_ref()
                        .and_then(|r| r.service.clone())
                        .or_else(|| {
                            ["internal", "default"]
                                .iter()
                                .find_map(|k| def.hosts.get(*k).and_then(|h| h.as_str()))
                                .map(str::to_string)
                        })
                        .unwrap_or_else(|| name.clone());
                    let ports = def.port.as_ref().and_then(|p| p.get(&port_name));
                    let port = ["service", "internal", "default"]
                        .iter()
                        .find_map(|k| ports.and_then(|p| p.get(k)).and_then(|v| v.as_u64()))
                        .unwrap_or(80) as u16;
                    route = Some(Route {
                        host,
                        service,
                        port,
                    });
                }
                entries.insert(
                    kind.clone(),
                    Entry {
                        provider: name.clone(),
                        route,
                        values,
                    },
                );
            }
        }
        Catalogue { entries }
    }

    /// The public URL of an endpoint type (`https://keystone.example.com/v3`:
    /// scheme, FQDN, the port when not the scheme's default, the default
    /// path) and the facts it is made of, with the lines that set them.
    pub fn public_url(&self, kind: &str) -> Option<(String, Vec<Source>)> {
        let e = self.entries.get(kind)?;
        let v = &e.values;
        let host = v.get_path("host_fqdn_override.public.host")?;
        let scheme = v.get_path("scheme.public")?;
        let port = v.get_path("port.api.public");
        let path = v.get("path").and_then(|p| p.get("default").or(Some(p)));
        let (host_s, scheme_s) = (host.as_str()?, scheme.as_str()?);
        let port_n = port.and_then(|p| match p.value {
            Value::Int(i) => Some(i),
            _ => None,
        });
        let path_s = path.and_then(Node::as_str).unwrap_or("");
        let default_port = if scheme_s == "https" { 443 } else { 80 };
        let mut url = format!("{scheme_s}://{host_s}");
        if let Some(p) = port_n.filter(|p| *p != default_port) {
            url.push_str(&format!(":{p}"));
        }
        url.push_str(path_s);
        let what = |part: &str| format!("catalogue: {kind} public {part} ({})", e.provider);
        let mut sources = vec![
            Source::new(what("host"), host.span, host_s),
            Source::new(what("scheme"), scheme.span, scheme_s),
        ];
        if let (Some(p), Some(n)) = (port, port_n) {
            sources.push(Source::new(what("port"), p.span, n.to_string()));
        }
        if let Some(p) = path {
            sources.push(Source::new(what("path"), p.span, path_s));
        }
        Some((url, sources))
    }

    /// Evaluates the entries that read their provider's values
    /// (`{{ values.pod.replicas.server }}`): the provider's layers below
    /// the catalogue rules, merged once per provider that needs them.
    pub(super) fn evaluate(
        &mut self,
        inputs: &Inputs<'_>,
        staged: &IndexMap<String, Staged>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut providers: BTreeMap<String, (Node, serde_json::Value)> = BTreeMap::new();
        for entry in self.entries.values_mut() {
            if !has_template(&entry.values) {
                continue;
            }
            let provider = &staged[&entry.provider];
            let (premerged, values) =
                providers.entry(entry.provider.clone()).or_insert_with(|| {
                    let root = inputs.lib.components[&entry.provider]
                        .doc()
                        .span
                        .with_len(0);
                    let premerged = provider.premerged(root);
                    let values = premerged.to_sorted_json();
                    (premerged, values)
                });
            let premerged = &*premerged;
            let ctx = minijinja::context! {
                ..provider.ctx.clone(),
                ..minijinja::context! { values => minijinja::Value::from(minijinja::value::Serde(values.clone())) }
            };
            let attribute = |expr: &str| provider_value_span(premerged, expr);
            let ev = Evaluator {
                engine: inputs.engine,
                ctx: &ctx,
                attribution: Some(&attribute),
            };
            entry.values = ev.tree(&entry.values, diags);
        }
    }

    /// The expression view: `catalogue.<type>.public_host`, `.scheme`,
    /// `.provider`.
    pub fn to_context(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (kind, e) in &self.entries {
            m.insert(
                kind.clone(),
                serde_json::json!({
                    "provider": e.provider,
                    "public_host": e.route.as_ref().map(|r| r.host.clone()),
                }),
            );
        }
        serde_json::Value::Object(m)
    }
}

/// Whether a tree holds an expression leaf.
fn has_template(node: &Node) -> bool {
    match &node.value {
        Value::String(s) => evaluate::is_template(s),
        Value::Map(m) => m.values().any(|e| has_template(&e.node)),
        Value::Seq(items) => items.iter().any(has_template),
        _ => false,
    }
}

/// The span of the provider value an expression reads (`values.a.b`).
fn provider_value_span(values: &Node, expr: &str) -> Option<Span> {
    let names = crate::template::dotted_names(expr);
    let path = names.iter().find(|n| n[0] == "values" && n.len() > 1)?;
    let path: Vec<PathSeg> = path[1..].iter().map(|k| PathSeg::Key(k.clone())).collect();
    values.at(&path).map(|n| n.span)
}
