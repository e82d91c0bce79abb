//! A component definition (`components/<name>/component.yaml`).

use serde::Deserialize;

/// What a component is and what it needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComponentDef {
    /// One line shown by `stackc library list`.
    pub description: String,
    pub kind: ComponentKind,
    /// The openstack-helm chart that deploys it.
    pub chart: String,
    /// Components this one cannot run without. They are added to a site
    /// automatically; disabling one of them is an error.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Components this one is wired to when both are enabled (ordering and
    /// configuration), but which it does not force into the site.
    #[serde(default)]
    pub integrates: Vec<Requirement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    /// An OpenStack service.
    Service,
    /// Infrastructure (database, queue, cache, hypervisor, switch).
    Infrastructure,
}

impl ComponentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Service => "service",
            ComponentKind::Infrastructure => "infrastructure",
        }
    }
}

/// `nova` or `{name: ovn, when: 'site.network.backend == "ovn"'}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Requirement {
    Always(String),
    When {
        name: String,
        /// A library expression over the site; the edge exists when true.
        when: String,
    },
}

impl Requirement {
    pub fn name(&self) -> &str {
        match self {
            Requirement::Always(n) | Requirement::When { name: n, .. } => n,
        }
    }

    pub fn condition(&self) -> Option<&str> {
        match self {
            Requirement::Always(_) => None,
            Requirement::When { when, .. } => Some(when),
        }
    }
}
