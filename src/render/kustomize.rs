//! Kustomize: per component a `kustomization.yaml` with a `helmCharts:`
//! entry, its `values.yaml`, and `secret-values.yaml` holding vals
//! references (`ref+k8s://...`) to the component's Secret — resolved with
//! `vals eval` by the deploy pipeline before `kustomize build --enable-helm`
//! (kustomize itself cannot read Secrets while inflating a chart).

use serde_json::{Value as J, json};

use super::common::vals_ref;
use crate::resolve::{Resolved, ResolvedComponent};
use crate::yaml::set_dotted;

/// The component's kustomize files; `resources` are the object files
/// rendered beside them (ExternalSecrets, routes, certificate).
pub fn component_files(
    resolved: &Resolved,
    c: &ResolvedComponent,
    resources: &[&str],
) -> Vec<(String, String)> {
    let site = &resolved.site;
    let ns = site.spec.namespace.as_str();
    let mut out = Vec::new();
    let mut chart = json!({
        "name": c.chart,
        "repo": super::CHART_REPOSITORY,
        "version": c.version,
        "releaseName": c.name,
        "namespace": ns,
        "valuesFile": "values.yaml",
    });
    if !c.secrets.is_empty() {
        chart["additionalValuesFiles"] = json!(["secret-values.yaml"]);
        let mut refs = J::Object(Default::default());
        for s in &c.secrets {
            set_dotted(&mut refs, &s.path, J::String(vals_ref(ns, &c.name, &s.key)));
        }
        out.push((
            "secret-values.yaml".to_string(),
            crate::yaml::to_string(&refs),
        ));
    }
    let mut resources = resources.to_vec();
    resources.sort();
    let mut k = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": ns,
    });
    if !resources.is_empty() {
        k["resources"] = json!(resources);
    }
    k["helmCharts"] = json!([chart]);
    out.push(("kustomization.yaml".to_string(), crate::yaml::to_string(&k)));
    out.push((
        "values.yaml".to_string(),
        crate::yaml::to_string(&super::chart_values(c, super::Target::Kustomize)),
    ));
    out
}
