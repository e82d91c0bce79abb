//! The library's data for Kubernetes on this cloud (`kubernetes/`):
//! the published cloud-provider-openstack charts, stackc's values for them,
//! their key indexes, the cloud.conf key tables and what Magnum's Cluster
//! API driver needs in the management cluster.
//!
//! ```text
//! kubernetes/cloud-provider-openstack.yaml       published chart versions (generated)
//! kubernetes/charts/<chart>/values.yaml          stackc's values for the chart (values file)
//! kubernetes/charts/<chart>/chart-keys.txt       the keys the chart knows (generated)
//! kubernetes/cloud-conf-keys/<appVersion>.txt    cloud.conf keys of that release (generated)
//! kubernetes/management-cluster.yaml             what the Cluster API driver needs
//! ```

use indexmap::IndexMap;
use serde::Deserialize;

use super::conf_keys::LazyConfKeys;
use super::lazy::{LazyKeys, LazyValues};
use crate::source::FileId;

/// `kubernetes/cloud-provider-openstack.yaml`: the chart repository and
/// every version it publishes (a copy of its index, checked by a test).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpoDef {
    pub repository: String,
    /// Chart name -> published versions.
    pub charts: IndexMap<String, Vec<ChartVersion>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartVersion {
    pub version: String,
    pub app_version: String,
}

impl CpoDef {
    /// The newest published version of `chart` for a Kubernetes minor
    /// (cloud-provider-openstack publishes chart `2.<minor>.<patch>` for
    /// Kubernetes `1.<minor>`).
    pub fn for_minor(&self, chart: &str, minor: u32) -> Option<&ChartVersion> {
        self.charts
            .get(chart)?
            .iter()
            .filter(|v| parse_version(&v.version).is_some_and(|(_, m, _)| m == minor))
            .max_by_key(|v| parse_version(&v.version))
    }

    /// The Kubernetes minors with a published `chart`, ascending.
    pub fn minors(&self, chart: &str) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .charts
            .get(chart)
            .into_iter()
            .flatten()
            .filter_map(|v| parse_version(&v.version).map(|(_, m, _)| m))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The newest release of the project (the appVersion of the newest
    /// chart), e.g. `v1.36.0`: the tag of its other images.
    pub fn newest_app_version(&self) -> Option<&str> {
        self.charts
            .values()
            .flatten()
            .max_by_key(|v| parse_version(&v.version))
            .map(|v| v.app_version.as_str())
    }
}

/// `major.minor.patch`.
fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let mut it = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((it.next()??, it.next()??, it.next()??))
}

/// stackc's values for one cloud-provider-openstack chart.
#[derive(Debug, Default)]
pub struct CpoChart {
    pub values: Option<LazyValues>,
    pub keys: Option<LazyKeys>,
}

/// `kubernetes/management-cluster.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementDef {
    /// Where the versions come from.
    pub source: String,
    pub components: Vec<ManagementComponent>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementComponent {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    pub what: String,
    /// How to install it (stackc does not render it).
    pub install: String,
}

/// Everything under `kubernetes/`.
#[derive(Debug, Default)]
pub struct KubernetesLib {
    pub cpo: Option<(CpoDef, FileId)>,
    pub charts: IndexMap<String, CpoChart>,
    /// cloud.conf key tables by cloud-provider-openstack release (appVersion).
    pub conf_keys: IndexMap<String, LazyConfKeys>,
    pub management: Option<(ManagementDef, FileId)>,
}

/// Chart values that wire the `cloud-config` Secret, which stackc owns:
/// the first key of a value path in `chart`, and what to do instead.
pub fn owned_value(chart: &str, key: &str) -> Option<&'static str> {
    use crate::model::{CINDER_CSI, OCCM};
    match (chart, key) {
        (OCCM | CINDER_CSI, "secret") => Some(
            "stackc provides cloud.conf through the `cloud-config` Secret; set cloud.conf keys in `cloudConf`",
        ),
        (OCCM, "cloudConfig") => Some(
            "the chart ignores `cloudConfig` with stackc's external Secret (and it would put credentials into values); set cloud.conf keys in `cloudConf`",
        ),
        _ => None,
    }
}
