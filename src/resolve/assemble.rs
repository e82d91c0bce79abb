//! Pass 2 of resolve: a staged component plus the catalogue rules becomes
//! a [`ResolvedComponent`]: final values, public routes, secret values and
//! secret objects.

use super::evaluate;
use super::stage::Staged;
use super::{
    Catalogue, Inputs, LayerValues, ResolvedComponent, SecretObject, images, merge, merge_all,
    site_layer,
};
use crate::diagnostic::Diagnostic;
use crate::template::Engine;

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
    let wanted: Vec<usize> = (0..c.def().secret_objects.len())
        .filter(|&i| {
            holds(
                "secretObjects",
                i,
                c.def().secret_objects[i].when.as_deref(),
            )
        })
        .collect();
    let secret_objects = wanted
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
                            secret_role(c, i, k, role, inputs.engine, &st.ctx, diags),
                        )
                    })
                    .collect(),
            }
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
        pin: inputs.release().pin_span(&c.def().chart),
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
