//! A component definition (`components/<name>/component.yaml`).

use indexmap::IndexMap;
use serde::Deserialize;

/// What a component is, what it needs and what it offers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComponentDef {
    /// One line shown by `stackc library list`.
    pub description: String,
    pub kind: ComponentKind,
    /// The openstack-helm chart that deploys it.
    pub chart: String,
    /// The lowest deployment tier it may take (dependencies can raise it).
    #[serde(default)]
    pub tier: u32,
    /// Components this one cannot run without. They are added to a site
    /// automatically; disabling one of them is an error.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Components this one is wired to when both are enabled (ordering and
    /// configuration), but which it does not force into the site.
    #[serde(default)]
    pub integrates: Vec<Requirement>,
    /// Catalogue entries this component serves, by endpoint type.
    #[serde(default)]
    pub provides: IndexMap<String, EndpointDef>,
    /// Endpoint types this chart consumes: `endpoints.<type>` is filled from
    /// the catalogue.
    #[serde(default)]
    pub uses: Vec<String>,
    /// Value paths set by `spec.services.<name>.replicas`.
    #[serde(default)]
    pub replicas: Vec<String>,
    /// `labels.<group>` node selector groups, by node role.
    #[serde(default)]
    pub selectors: Selectors,
    /// Service accounts by endpoint type: `endpoints.<type>.auth.<key>`
    /// -> account name. Identity accounts get the site's region; every
    /// account's password comes from the secret store.
    #[serde(default)]
    pub users: IndexMap<String, IndexMap<String, String>>,
    /// Other chart values that must come from the secret store.
    #[serde(default)]
    pub secrets: Vec<SecretValue>,
    /// Kubernetes Secrets the chart reads by name (keyrings, ...), filled
    /// from the secret store.
    #[serde(default)]
    pub secret_objects: Vec<SecretObjectDef>,
    /// Value paths (prefixes) that land in immutable Kubernetes fields, such
    /// as StatefulSet volume claim templates: `stackc diff` flags changes.
    #[serde(default)]
    pub immutable_values: Vec<String>,
    /// The component cannot run without Ceph storage (`spec.storage.backend:
    /// ceph`); enabling it otherwise is error E0059.
    #[serde(default)]
    pub needs_ceph: Option<NeedsCeph>,
    /// Settings under `spec.services.<name>` the site must give while the
    /// component is enabled (also when another service requires it);
    /// missing is error E0060.
    #[serde(default)]
    pub required_settings: Vec<RequiredSetting>,
}

/// Why (and when) a component needs Ceph storage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsCeph {
    /// Completes "`<name>` needs Ceph storage: ...".
    pub why: String,
    /// Only when this expression holds (e.g. a backend choice).
    #[serde(default)]
    pub when: Option<String>,
    /// What else a site can do (completes the help line).
    #[serde(default)]
    pub instead: Option<String>,
}

/// A `spec.services.<name>` setting the site must give.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredSetting {
    /// The key under `spec.services.<name>` (`image`).
    pub key: String,
    /// Why stackc cannot choose it (the help line).
    pub why: String,
    /// An example value for the help line.
    pub example: String,
}

/// A Kubernetes Secret the chart expects to exist.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretObjectDef {
    /// The Secret's name, as the chart's values refer to it.
    pub name: String,
    /// Only when this expression holds (e.g. Ceph storage).
    #[serde(default)]
    pub when: Option<String>,
    /// Secret data key -> secret role (remote key below the site prefix).
    pub data: indexmap::IndexMap<String, String>,
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

/// One catalogue entry: how other charts reach this component.
///
/// Becomes `endpoints.<type>` in every chart that uses the type, so hosts,
/// ports and paths are written once. Keys other than `public` and `route`
/// are endpoint values and are copied as written (e.g. RabbitMQ's
/// `statefulset`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointDef {
    /// `endpoints.<type>.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// Public hostname prefix: the public FQDN is `<public>.<domain>`.
    /// Absent for internal-only endpoints.
    #[serde(default)]
    pub public: Option<String>,
    /// `endpoints.<type>.hosts` (endpoint class -> host).
    pub hosts: serde_json::Value,
    /// `endpoints.<type>.path` (string or endpoint class map).
    #[serde(default)]
    pub path: Option<serde_json::Value>,
    /// `endpoints.<type>.scheme` (string or endpoint class map).
    #[serde(default)]
    pub scheme: Option<serde_json::Value>,
    /// `endpoints.<type>.port` (port name -> endpoint class -> number).
    #[serde(default)]
    pub port: Option<serde_json::Value>,
    /// For public endpoints: the port name routed from the gateway (default
    /// `api`) and the Service it lands on (default `hosts.internal`, else
    /// `hosts.default`).
    #[serde(default)]
    pub route: Option<RouteDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteDef {
    #[serde(default)]
    pub port: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
}

/// Node selector groups (`labels.<group>` in the chart) by node role.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selectors {
    #[serde(default)]
    pub control_plane: Vec<String>,
    #[serde(default)]
    pub compute: Vec<String>,
}

/// A chart value supplied from the secret store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretValue {
    /// Dotted value path, e.g. `conf.nova.neutron.metadata_proxy_shared_secret`.
    pub path: String,
    /// The secret's role: its remote key below the site prefix. Charts that
    /// must agree on a value (nova and neutron's metadata secret) share it.
    pub key: String,
    /// Only when this expression holds.
    #[serde(default)]
    pub when: Option<String>,
}
