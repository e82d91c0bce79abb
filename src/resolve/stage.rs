//! Pass 1 of resolve: every layer of a component except the catalogue
//! rules — component defaults, release, profile, organisation layers, the
//! site rules and `site.yaml`, and `spec.services.<name>.values`.
//! Components are independent here, so they are staged in parallel.

use indexmap::IndexMap;

use super::evaluate::{Evaluator, site_fields};
use super::{Catalogue, Inputs, LayerValues, merge, merge_all, site_layer};
use crate::diagnostic::Diagnostic;
use crate::library::{LazyValues, check_chart_keys};
use crate::source::Span;
use crate::yaml::{Node, Value};

/// A component after pass 1.
pub struct Staged {
    /// Component defaults, release, profile and organisation layers.
    pub below: Vec<LayerValues>,
    /// The site rules (region, selectors, replicas) and `site.yaml`.
    pub site_yaml: Node,
    /// `spec.services.<name>.values`.
    pub site_values: Option<Node>,
    /// The component's expression context.
    pub ctx: minijinja::Value,
}

impl Staged {
    /// Everything merged, without the catalogue rules (what a catalogue
    /// entry reads of its provider).
    pub fn premerged(&self, root: Span) -> Node {
        let trees = self.below.iter().map(|l| &l.tree);
        merge_all(
            root,
            trees.chain([&self.site_yaml]).chain(&self.site_values),
        )
    }
}

/// Stages every planned component, in deployment order.
pub fn stage_all(
    inputs: &Inputs<'_>,
    catalogue: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) -> IndexMap<String, Staged> {
    use rayon::prelude::*;
    let order = inputs.plan.order();
    let results: Vec<(Staged, Vec<Diagnostic>)> = order
        .par_iter()
        .map(|name| stage(inputs, catalogue, name))
        .collect();
    order
        .iter()
        .zip(results)
        .map(|(name, (st, d))| {
            diags.extend(d);
            (name.clone(), st)
        })
        .collect()
}

/// One component's layers below the catalogue rules.
fn stage(inputs: &Inputs<'_>, catalogue: &Catalogue, name: &str) -> (Staged, Vec<Diagnostic>) {
    let lib = inputs.lib;
    let mut diags = Vec::new();
    let c = &lib.components[name];
    let ctx = inputs.context(name, catalogue);
    let plain = Evaluator {
        engine: inputs.engine,
        ctx: &ctx,
        attribution: None,
    };
    let mut below: Vec<LayerValues> = Vec::new();
    let profile = &lib.profiles[inputs.site().spec.profile.as_str()];
    let lazy_layers: [(String, Option<&LazyValues>); 3] = [
        (format!("component {name}"), c.values.as_ref()),
        (
            format!("release {}", inputs.release_name),
            inputs.release().values.get(name),
        ),
        (
            format!("profile {}", profile.name),
            profile.values.get(name),
        ),
    ];
    for (label, lazy) in lazy_layers {
        let Some(lazy) = lazy else { continue };
        match lazy.get(&lib.files) {
            Ok(vf) => below.push(LayerValues {
                label,
                tree: plain.file(vf, &mut diags),
            }),
            Err(d) => diags.extend(d.iter().cloned()),
        }
    }
    for layer in &lib.layers {
        if let Some(vf) = layer.values.get(name) {
            let tree = plain.file(vf, &mut diags);
            // Keys an expression computed (a map result) are checked like
            // written ones (those were checked when it loaded).
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
    let keys = c.keys.as_ref().map(|k| k.get(&lib.files));
    let mut site_yaml = site_layer::rules(c, inputs.site(), &inputs.spans, keys);
    if let Some(lazy) = &c.site {
        match lazy.get(&lib.files) {
            Ok(vf) => {
                let attribute = site_fields(&inputs.spans, name);
                let attributed = Evaluator {
                    engine: inputs.engine,
                    ctx: &ctx,
                    attribution: Some(&attribute),
                };
                merge(&mut site_yaml, attributed.file(vf, &mut diags));
            }
            Err(d) => diags.extend(d.iter().cloned()),
        }
    }
    let site_values = inputs
        .checked
        .doc
        .get_path(&format!("spec.services.{name}.values"))
        .filter(|v| matches!(v.value, Value::Map(_)))
        .cloned();
    (
        Staged {
            below,
            site_yaml,
            site_values,
            ctx,
        },
        diags,
    )
}
