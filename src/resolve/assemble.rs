//! Pass 2 of resolve: a staged component plus the catalogue rules becomes
//! a [`ResolvedComponent`]: final values, public routes, secret values and
//! secret objects.

use super::stage::Staged;
use super::{
    Catalogue, Inputs, LayerValues, ResolvedComponent, SecretObject, images, merge, merge_all,
    site_layer,
};
use crate::diagnostic::Diagnostic;

pub fn assemble(
    inputs: &Inputs<'_>,
    catalogue: &Catalogue,
    name: &str,
    st: Staged,
    mirror: Option<images::Mirror<'_>>,
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
    let mut values = merge_all(c.doc().span.with_len(0), layers.iter().map(|l| &l.tree));
    // Literal secrets were refused where they were written (site, layer,
    // library); this catches the ones expressions compute.
    diags.extend(
        crate::secret::find(&values, &|p| p.is_empty())
            .iter()
            .map(|f| crate::secret::diagnostic(f, &format!("the values of `{name}`"), "an expression here computes a secret value: stackc supplies secrets from the store named in the site's `spec.secrets`; never compute them into chart values")),
    );
    let (images, mirrored) = images::collect(name, keys, &layers, &values, mirror, diags);
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
        images,
    }
}
