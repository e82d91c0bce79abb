//! Stage 3, resolve: a checked site + the library -> the complete chart
//! values of every component, with provenance.
//!
//! Layers, lowest precedence first:
//!
//! ```text
//! component defaults -> release -> profile -> each --layer -> site spec -> services.<name>.values
//! ```
//!
//! Maps merge deeply, scalars and lists replace, an explicit `null`
//! deletes. Every node keeps the span of the layer that set it.

mod availability;
mod catalogue;
pub mod cluster;
mod evaluate;
mod images;
mod merge;
mod origin;
mod site_layer;

use indexmap::IndexMap;

pub use crate::library::{Edge, EdgeKind, Plan, Why};
pub use catalogue::{Catalogue, Route};
pub use images::Image;
pub use merge::{from_json, merge};
pub use site_layer::SecretRef;

use evaluate::{Evaluator, site_fields};
use origin::SiteSpans;

use crate::diagnostic::Diagnostic;
use crate::library::{ComponentKind, Library, check_chart_keys};
use crate::model::Site;
use crate::source::{FileId, Span};
use crate::template::Engine;
use crate::validate::CheckedSite;
use crate::yaml::{Node, Value};

/// One layer's contribution to a component's values.
#[derive(Debug, Clone)]
pub struct LayerValues {
    /// `component nova`, `release 2025.1`, `profile ha`, `layer acme`,
    /// `site`, `site values`.
    pub label: String,
    pub tree: Node,
}

/// A component, fully resolved.
#[derive(Debug, Clone)]
pub struct ResolvedComponent {
    pub name: String,
    pub kind: ComponentKind,
    pub chart: String,
    /// The chart version pinned by the release.
    pub version: String,
    /// Where the release pins it (`charts.<chart>` or `chartVersion`).
    pub pin: Span,
    pub tier: u32,
    /// Components this one waits for (outside its readiness group).
    pub depends_on: Vec<String>,
    /// The final chart values.
    pub values: Node,
    /// Each layer's values, lowest first (for `explain`).
    pub layers: Vec<LayerValues>,
    /// Chart values supplied from the secret store.
    pub secrets: Vec<SecretRef>,
    /// Public endpoints this component serves.
    pub routes: Vec<Route>,
    /// Kubernetes Secrets the chart reads by name, filled from the store.
    pub secret_objects: Vec<SecretObject>,
    /// The images it pulls (`images.tags`), by key.
    pub images: Vec<Image>,
}

/// A Kubernetes Secret a chart reads by name, and where its data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretObject {
    pub name: String,
    /// Secret data key -> secret role.
    pub data: Vec<(String, String)>,
}

/// A resolved site.
pub struct Resolved {
    pub site: Site,
    pub site_file: FileId,
    pub plan: Plan,
    pub catalogue: Catalogue,
    /// Components in deployment order (tier, then name).
    pub components: IndexMap<String, ResolvedComponent>,
    /// Clusters on this cloud (`spec.kubernetes.clusters`), in site order.
    pub clusters: Vec<cluster::ResolvedCluster>,
    /// With `spec.kubernetes.magnum`: what its management cluster runs.
    pub management: Option<crate::library::ManagementDef>,
}

/// The expression context for a component.
fn context(
    site_json: &serde_json::Value,
    resolved: &Resolved0<'_>,
    name: &str,
) -> minijinja::Value {
    let c = &resolved.lib.components[name];
    let component = serde_json::json!({
        "name": name,
        "chart": c.def().chart,
        "replicas": resolved.site.spec.services.get(name).and_then(|s| s.replicas).map(|r| r.get()),
    });
    minijinja::context! {
        site => minijinja::Value::from(minijinja::value::Serde(site_json)),
        component => minijinja::Value::from(minijinja::value::Serde(component)),
        release => minijinja::Value::from(minijinja::value::Serde(serde_json::json!({
            "name": resolved.release_name,
            "codename": resolved.lib.releases[resolved.release_name].def.codename,
        }))),
        profile => resolved.site.spec.profile.as_str(),
        enabled => minijinja::Value::from(minijinja::value::Serde(resolved.plan.components.keys().collect::<Vec<_>>())),
        catalogue => minijinja::Value::from(minijinja::value::Serde(resolved.catalogue.to_context())),
    }
}

/// A component after pass 1.
struct Staged {
    /// Component defaults, release, profile and organisation layers.
    below: Vec<LayerValues>,
    /// The site rules (region, selectors, replicas) and `site.yaml`.
    site_yaml: Node,
    /// `spec.services.<name>.values`.
    site_values: Option<Node>,
}

impl Staged {
    /// Everything merged, without the catalogue rules (what a catalogue
    /// entry reads of its provider).
    fn premerged(&self, root: Span) -> Node {
        let trees = self.below.iter().map(|l| &l.tree);
        merge_all(
            root,
            trees.chain([&self.site_yaml]).chain(&self.site_values),
        )
    }
}

/// Merges trees, lowest precedence first, into an empty map at `root`.
fn merge_all<'a>(root: Span, trees: impl IntoIterator<Item = &'a Node>) -> Node {
    let mut out = merge::empty_map(root);
    for tree in trees {
        merge(&mut out, tree.clone());
    }
    out
}

struct Resolved0<'a> {
    lib: &'a Library,
    site: &'a Site,
    release_name: &'a str,
    plan: &'a Plan,
    catalogue: &'a Catalogue,
}

/// The `site` object of expressions, from the typed site.
pub fn site_json(site: &Site) -> serde_json::Value {
    let doc = serde_json::to_value(site).expect("the site model serialises");
    crate::context::site_json(&doc)
}

/// Resolves a checked site.
pub fn resolve(checked: &CheckedSite, lib: &Library) -> Result<Resolved, Vec<Diagnostic>> {
    let site = &checked.site;
    let engine = Engine::new();
    let site_json = site_json(site);
    let site_ctx = crate::context::site_context(&site_json);
    let mut listed: Vec<(String, bool)> = site
        .spec
        .services
        .iter()
        .map(|(n, s)| (n.clone(), s.enabled))
        .collect();
    for implied in site.spec.kubernetes.implied_components() {
        if !site.spec.services.contains_key(implied) {
            listed.push((implied.to_string(), true));
        }
    }
    let plan = crate::library::plan(lib, &listed, &site_ctx, &engine)?;
    let spans = SiteSpans::new(&checked.doc);
    let unavailable = availability::check(lib, site.spec.release.as_str(), &plan, &spans);
    if !unavailable.is_empty() {
        return Err(unavailable);
    }
    let catalogue = Catalogue::build(lib, &plan, site, &spans);
    let release_name = site.spec.release.as_str();
    let release = &lib.releases[release_name];
    let profile = &lib.profiles[site.spec.profile.as_str()];
    let r0 = Resolved0 {
        lib,
        site,
        release_name,
        plan: &plan,
        catalogue: &catalogue,
    };

    let mut diags = Vec::new();
    // Pass 1: every layer but the catalogue-driven rules. Components are
    // independent here, so they are evaluated in parallel (results keep the
    // deployment order).
    let order = plan.order();
    let stage = |name: &String| -> (Staged, minijinja::Value, Vec<Diagnostic>) {
        let name = name.clone();
        let mut diags = Vec::new();
        let c = &lib.components[&name];
        let ctx = context(&site_json, &r0, &name);
        let plain = Evaluator {
            engine: &engine,
            ctx: &ctx,
            attribution: None,
        };
        let mut below: Vec<LayerValues> = Vec::new();
        let mut eval_lazy = |label: String,
                             lazy: Option<&crate::library::LazyValues>,
                             ev: &Evaluator<'_>,
                             diags: &mut Vec<Diagnostic>| {
            let Some(lazy) = lazy else { return };
            match lazy.get(&lib.files) {
                Ok(vf) => below.push(LayerValues {
                    label,
                    tree: ev.file(vf, diags),
                }),
                Err(d) => diags.extend(d.iter().cloned()),
            }
        };
        eval_lazy(
            format!("component {name}"),
            c.values.as_ref(),
            &plain,
            &mut diags,
        );
        eval_lazy(
            format!("release {release_name}"),
            release.values.get(&name),
            &plain,
            &mut diags,
        );
        eval_lazy(
            format!("profile {}", profile.name),
            profile.values.get(&name),
            &plain,
            &mut diags,
        );
        for layer in &lib.layers {
            if let Some(vf) = layer.values.get(&name) {
                let tree = plain.file(vf, &mut diags);
                // Keys an expression computed (a map result) are checked
                // like written ones (those were checked when it loaded).
                if let Some(keys) = &c.keys {
                    diags.extend(check_chart_keys(
                        &tree,
                        keys.get(&lib.files),
                        &c.def().chart,
                        &format!("layer {}", layer.name),
                    ));
                }
                below.push(LayerValues {
                    label: format!("layer {}", layer.name),
                    tree,
                });
            }
        }
        let mut site_yaml = site_layer::rules(c, site, &spans);
        if let Some(lazy) = &c.site {
            match lazy.get(&lib.files) {
                Ok(vf) => {
                    let attribute = site_fields(&spans, &name);
                    let attributed = Evaluator {
                        engine: &engine,
                        ctx: &ctx,
                        attribution: Some(&attribute),
                    };
                    merge(&mut site_yaml, attributed.file(vf, &mut diags));
                }
                Err(d) => diags.extend(d.iter().cloned()),
            }
        }
        let site_values = checked
            .doc
            .get_path(&format!("spec.services.{name}.values"))
            .filter(|v| matches!(v.value, Value::Map(_)))
            .cloned();
        (
            Staged {
                below,
                site_yaml,
                site_values,
            },
            ctx,
            diags,
        )
    };
    let results: Vec<(Staged, minijinja::Value, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        order.par_iter().map(stage).collect()
    };
    let mut staged: IndexMap<String, Staged> = IndexMap::new();
    let mut contexts: IndexMap<String, minijinja::Value> = IndexMap::new();
    for (name, (st, ctx, d)) in order.iter().zip(results) {
        diags.extend(d);
        staged.insert(name.clone(), st);
        contexts.insert(name.clone(), ctx);
    }

    // Catalogue entries may read their provider's values
    // (`{{ values.pod.replicas.server }}`).
    let mut catalogue = catalogue;
    let mut providers: std::collections::BTreeMap<String, (Node, serde_json::Value)> =
        Default::default();
    for entry in catalogue.entries.values_mut() {
        if !has_template(&entry.values) {
            continue;
        }
        let (premerged, values) = providers.entry(entry.provider.clone()).or_insert_with(|| {
            let root = lib.components[&entry.provider].doc().span.with_len(0);
            let premerged = staged[&entry.provider].premerged(root);
            let values = crate::values_output::sorted_json(&premerged);
            (premerged, values)
        });
        let premerged = &*premerged;
        let values = values.clone();
        let ctx = minijinja::context! {
            ..contexts[&entry.provider].clone(),
            ..minijinja::context! { values => minijinja::Value::from(minijinja::value::Serde(values)) }
        };
        let attribute = |expr: &str| provider_value_span(premerged, expr);
        let ev = Evaluator {
            engine: &engine,
            ctx: &ctx,
            attribution: Some(&attribute),
        };
        entry.values = ev.tree(&entry.values, &mut diags);
    }

    // Pass 2: the site layer (rules + site.yaml), then the final merge.
    let mirror = site.spec.images.registry.as_ref().map(|r| images::Mirror {
        prefix: r.as_str(),
        span: spans.value("spec.images.registry").unwrap_or(spans.root),
    });
    let mut components = IndexMap::new();
    for (name, st) in staged {
        let c = &lib.components[&name];
        let keys = c.keys.as_ref().map(|k| k.get(&lib.files));
        let mut site_tree = site_layer::endpoints(c, &catalogue, keys);
        merge(&mut site_tree, st.site_yaml);
        let mut layers = st.below;
        layers.push(LayerValues {
            label: "site".into(),
            tree: site_tree,
        });
        if let Some(v) = st.site_values {
            layers.push(LayerValues {
                label: "site values".into(),
                tree: v,
            });
        }
        let mut values = merge_all(c.doc().span.with_len(0), layers.iter().map(|l| &l.tree));
        // Literal secrets were refused where they were written (site,
        // layer, library); this catches the ones expressions compute.
        diags.extend(
            crate::secret::find(&values, &|p| p.is_empty())
                .iter()
                .map(|f| crate::secret::diagnostic(f, &format!("the values of `{name}`"), "an expression here computes a secret value: stackc supplies secrets from the store named in the site's `spec.secrets`; never compute them into chart values")),
        );
        let (images, mirrored) = images::collect(&name, keys, &layers, &values, mirror, &mut diags);
        if let Some(layer) = mirrored {
            merge(&mut values, layer.tree.clone());
            layers.push(layer);
        }
        let routes = c
            .def()
            .provides
            .keys()
            .filter_map(|k| catalogue.entries.get(k).and_then(|e| e.route.clone()))
            .collect();
        let ctx = &contexts[&name];
        let mut holds = |field: &str, i: usize, when: Option<&str>| {
            c.when_holds(field, i, when, &engine, ctx)
                .unwrap_or_else(|d| {
                    diags.push(d);
                    false
                })
        };
        let secrets = site_layer::secrets(c, |i| {
            holds("secrets", i, c.def().secrets[i].when.as_deref())
        });
        let wanted: Vec<usize> = (0..c.def().secret_objects.len())
            .filter(|i| {
                holds(
                    "secretObjects",
                    *i,
                    c.def().secret_objects[*i].when.as_deref(),
                )
            })
            .collect();
        let secret_objects: Vec<SecretObject> = wanted
            .into_iter()
            .map(|i| {
                let so = &c.def().secret_objects[i];
                SecretObject {
                    name: so.name.clone(),
                    data: so
                        .data
                        .iter()
                        .map(|(k, role)| {
                            (
                                k.clone(),
                                secret_role(c, i, k, role, &engine, ctx, &mut diags),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        components.insert(
            name.clone(),
            ResolvedComponent {
                name: name.clone(),
                kind: c.def().kind,
                chart: c.def().chart.clone(),
                version: release
                    .chart_version(&c.def().chart)
                    .expect("availability::check found every chart pinned")
                    .to_string(),
                pin: release.pin_span(&c.def().chart),
                tier: plan.tiers[&name],
                depends_on: plan.depends_on(&name),
                values,
                layers,
                secrets,
                routes,
                secret_objects,
                images,
            },
        );
    }
    let clusters = cluster::resolve(
        &cluster::Facts {
            lib,
            site,
            spans: &spans,
            catalogue: &catalogue,
            components: &components,
            engine: &engine,
            ctx: &site_ctx,
        },
        &mut diags,
    );
    if let Some(m) = mirror {
        let all = components
            .values()
            .flat_map(|c: &ResolvedComponent| c.images.iter().map(move |i| (c.name.as_str(), i)));
        diags.extend(images::conflicts(all, m));
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(Resolved {
        site: site.clone(),
        site_file: checked.file,
        plan,
        catalogue,
        components,
        clusters,
        management: site
            .spec
            .kubernetes
            .magnum
            .as_ref()
            .and(lib.kubernetes.management.as_ref())
            .map(|(m, _)| m.clone()),
    })
}

/// A secret object's role: as written, or an expression over the site
/// (`"{{ site.tls.privateCA.key }}"`, a store key the site names).
fn secret_role(
    c: &crate::library::Component,
    index: usize,
    key: &str,
    role: &str,
    engine: &Engine,
    ctx: &minijinja::Value,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if !evaluate::is_template(role) {
        return role.to_string();
    }
    engine.render(role, ctx).unwrap_or_else(|e| {
        let span = c
            .doc()
            .get("secretObjects")
            .and_then(|n| n.at(&[crate::yaml::PathSeg::Index(index)]))
            .and_then(|n| n.get("data"))
            .and_then(|n| n.get(key))
            .map_or(c.doc().span.with_len(0), |n| n.span);
        diags.push(
            Diagnostic::error(
                crate::diagnostic::Code::LibraryExpression,
                span,
                format!(
                    "`{}` secretObjects[{index}].data.{key}: {}",
                    c.name,
                    crate::template::describe(&e)
                ),
            )
            .label("in this expression")
            .help(
                "a secret role is a store key or an expression over `site` (see library/README.md)",
            ),
        );
        String::new()
    })
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
fn provider_value_span(values: &Node, expr: &str) -> Option<crate::source::Span> {
    let names = crate::template::dotted_names(expr);
    let path = names.iter().find(|n| n[0] == "values" && n.len() > 1)?;
    let path: Vec<crate::yaml::PathSeg> = path[1..]
        .iter()
        .map(|k| crate::yaml::PathSeg::Key(k.clone()))
        .collect();
    values.at(&path).map(|n| n.span)
}
