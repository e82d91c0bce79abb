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

mod assemble;
mod availability;
mod catalogue;
pub mod cluster;
mod evaluate;
mod images;
mod merge;
mod origin;
mod site_layer;
mod stage;

use indexmap::IndexMap;

pub use crate::library::{Edge, EdgeKind, Plan, Why};
pub use catalogue::{Catalogue, Route};
pub use images::Image;
pub use merge::{from_json, merge};
pub use site_layer::SecretRef;

use origin::SiteSpans;

use crate::diagnostic::Diagnostic;
use crate::library::{ComponentKind, Library};
use crate::model::Site;
use crate::source::{FileId, Span};
use crate::template::Engine;
use crate::validate::CheckedSite;
use crate::yaml::Node;

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

/// What every pass reads: the site, the library and the decisions made
/// before values are merged (the plan and the catalogue).
struct Inputs<'a> {
    checked: &'a CheckedSite,
    lib: &'a Library,
    engine: &'a Engine,
    /// The `site` object of expressions.
    site_json: serde_json::Value,
    spans: SiteSpans<'a>,
    plan: &'a Plan,
    release_name: &'a str,
}

impl Inputs<'_> {
    fn site(&self) -> &Site {
        &self.checked.site
    }

    fn release(&self) -> &crate::library::Release {
        &self.lib.releases[self.release_name]
    }

    /// The expression context of a component.
    fn context(&self, name: &str, catalogue: &Catalogue) -> minijinja::Value {
        let c = &self.lib.components[name];
        let site = self.site();
        let component = serde_json::json!({
            "name": name,
            "chart": c.def().chart,
            "replicas": site.spec.services.get(name).and_then(|s| s.replicas).map(|r| r.get()),
        });
        minijinja::context! {
            site => minijinja::Value::from(minijinja::value::Serde(&self.site_json)),
            component => minijinja::Value::from(minijinja::value::Serde(component)),
            release => minijinja::Value::from(minijinja::value::Serde(serde_json::json!({
                "name": self.release_name,
                "codename": self.release().def.codename,
            }))),
            profile => site.spec.profile.as_str(),
            enabled => minijinja::Value::from(minijinja::value::Serde(self.plan.components.keys().collect::<Vec<_>>())),
            catalogue => minijinja::Value::from(minijinja::value::Serde(catalogue.to_context())),
        }
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

/// The `site` object of expressions, from the typed site.
pub fn site_json(site: &Site) -> serde_json::Value {
    let doc = serde_json::to_value(site).expect("the site model serialises");
    crate::context::site_json(&doc)
}

/// Resolves a checked site, in passes:
///
/// 1. [`plan`](crate::library::plan): the components and their order, each one
///    available in the release ([`availability::check`]);
/// 2. [`Catalogue::build`]: every endpoint, from the definitions;
/// 3. [`stage::stage_all`]: each component's layers below the catalogue
///    rules (in parallel);
/// 4. [`Catalogue::evaluate`]: catalogue entries that read their
///    provider's values;
/// 5. [`assemble::assemble`]: the catalogue rules, the final merge,
///    secrets and routes of each component.
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
    let inputs = Inputs {
        checked,
        lib,
        engine: &engine,
        site_json,
        spans,
        plan: &plan,
        release_name: site.spec.release.as_str(),
    };
    let mut catalogue = Catalogue::build(lib, &plan, site, &inputs.spans);
    let mut diags = Vec::new();
    let staged = stage::stage_all(&inputs, &catalogue, &mut diags);
    catalogue.evaluate(&inputs, &staged, &mut diags);
    let mirror = site.spec.images.registry.as_ref().map(|r| images::Mirror {
        prefix: r.as_str(),
        span: inputs
            .spans
            .value("spec.images.registry")
            .unwrap_or(inputs.spans.root),
    });
    let components: IndexMap<String, ResolvedComponent> = staged
        .into_iter()
        .map(|(name, st)| {
            let c = assemble::assemble(&inputs, &catalogue, &name, st, mirror, &mut diags);
            (name, c)
        })
        .collect();
    let clusters = cluster::resolve(
        &cluster::Facts {
            lib,
            site,
            spans: &inputs.spans,
            catalogue: &catalogue,
            components: &components,
            engine: &engine,
            ctx: &site_ctx,
            mirror,
        },
        &mut diags,
    );
    if let Some(m) = mirror {
        let services = components.values().flat_map(|c| {
            c.images
                .iter()
                .map(move |i| (format!("{} images.tags.{}", c.name, i.key), i))
        });
        let clusters = clusters.iter().flat_map(|c| {
            c.charts.iter().flat_map(move |ch| {
                ch.images
                    .iter()
                    .map(move |i| (format!("cluster {} {} {}", c.name, ch.chart, i.key), i))
            })
        });
        diags.extend(images::conflicts(services.chain(clusters), m));
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
