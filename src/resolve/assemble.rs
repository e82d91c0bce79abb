//! Pass 2 of resolve: a staged component plus the catalogue rules becomes
//! a [`ResolvedComponent`]: final values, public routes, secret values and
//! secret objects.

use super::stage::Staged;
use super::{
    Catalogue, Inputs, LayerValues, ResolvedComponent, SecretObject, merge, merge_all, site_layer,
};
use crate::diagnostic::Diagnostic;

pub fn assemble(
    inputs: &Inputs<'_>,
    catalogue: &Catalogue,
    name: &str,
    st: Staged,
    diags: &mut Vec<Diagnostic>,
) -> ResolvedComponent {
    let lib = inputs.lib;
    let c = &lib.components[name];
    let keys = c.keys.as_ref().map(|k| k.get(&lib.files));
    let mut site_tree = site_layer::endpoints(c, catalogue, keys);
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
    let values = merge_all(c.doc().span.with_len(0), layers.iter().map(|l| &l.tree));
    let routes = c
        .def()
        .provides
        .keys()
        .filter_map(|k| catalogue.entries.get(k).and_then(|e| e.route.clone()))
        .collect();
    let mut holds = |field: &str, i: usize, when: Option<&str>| {
        c.when_holds(field, i, when, inputs.engine, &st.ctx)
            .unwrap_or_else(|d| {
                diags.push(d);
                false
            })
    };
    let secrets = site_layer::secrets(c, |i| {
        holds("secrets", i, c.def().secrets[i].when.as_deref())
    });
    let secret_objects = c
        .def()
        .secret_objects
        .iter()
        .enumerate()
        .filter(|(i, so)| holds("secretObjects", *i, so.when.as_deref()))
        .map(|(_, so)| SecretObject {
            name: so.name.clone(),
            data: so
                .data
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
        .collect();
    ResolvedComponent {
        name: name.to_string(),
        kind: c.def().kind,
        chart: c.def().chart.clone(),
        version: inputs
            .release()
            .chart_version(&c.def().chart)
            .expect("availability::check found every chart pinned")
            .to_string(),
        tier: inputs.plan.tiers[name],
        depends_on: inputs.plan.depends_on(name),
        values,
        layers,
        secrets,
        routes,
        secret_objects,
    }
}
