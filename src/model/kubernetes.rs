//! `spec.kubernetes`: Kubernetes that consumes this cloud (PRODUCT.md §10):
//! Keystone login on the control-plane cluster, Magnum with the Cluster API
//! driver, and clusters running on this cloud's instances.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};

use super::site::{IssuerRef, StoreRef, some, yes};
use super::types::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Kubernetes {
    /// The control-plane cluster's API server accepts Keystone tokens.
    #[serde(default)]
    pub keystone_auth: Option<KeystoneAuth>,
    /// Magnum hands out Kubernetes clusters.
    #[serde(default)]
    pub magnum: Option<Magnum>,
    /// Clusters that run on this cloud's instances.
    #[serde(default, deserialize_with = "at_most_64")]
    pub clusters: Vec<Cluster>,
}

/// The library component that `keystoneAuth` enables.
pub const KEYSTONE_WEBHOOK: &str = "kubernetes-keystone-webhook";

impl Kubernetes {
    /// Whether the Keystone webhook is wanted.
    pub fn keystone_auth_enabled(&self) -> bool {
        self.keystone_auth.as_ref().is_some_and(|k| k.enabled)
    }

    /// Library components these settings enable (as if listed in
    /// `spec.services`).
    pub fn implied_components(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.keystone_auth_enabled() {
            v.push(KEYSTONE_WEBHOOK);
        }
        v
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeystoneAuth {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The cert-manager issuer of the webhook's serving certificate
    /// (in-cluster names: a private CA). Default: `spec.tls.issuer`.
    #[serde(default, deserialize_with = "some")]
    pub issuer: Option<IssuerRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Magnum {
    #[serde(default)]
    pub driver: MagnumDriver,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum MagnumDriver {
    /// vexxhost magnum-cluster-api.
    #[default]
    #[serde(rename = "cluster-api")]
    ClusterApi,
}

/// A Kubernetes cluster on this cloud's instances.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// DNS label, unique in the site; names `clusters/<name>/` and the
    /// cloud-provider-openstack cluster name (load balancer names).
    pub name: DnsLabel,
    /// The OpenStack project that owns its instances.
    pub project: OpenStackName,
    /// Store key (below the site prefix) of an application credential,
    /// with the properties `id` and `secret`.
    pub credential: StoreKey,
    /// The cluster's Kubernetes version (`1.36`, or `1.36.2`).
    pub kube_version: KubeVersion,
    /// Octavia load balancers for `Service` type `LoadBalancer`.
    #[serde(default, deserialize_with = "some")]
    pub load_balancer: Option<LoadBalancer>,
    #[serde(default)]
    pub storage: ClusterStorage,
    /// The external-secrets store in that cluster (default
    /// `spec.secrets.store`).
    #[serde(default, deserialize_with = "some")]
    pub secret_store: Option<StoreRef>,
    /// Extra cloud.conf settings: section -> key -> value.
    #[serde(default, deserialize_with = "some")]
    pub cloud_conf: Option<IndexMap<String, IndexMap<String, ConfValue>>>,
    /// Raw chart values per cloud-provider-openstack chart, merged last.
    #[serde(default, deserialize_with = "some")]
    pub values: Option<ClusterValues>,
}

/// The cloud-provider-openstack charts a cluster runs.
pub const OCCM: &str = "openstack-cloud-controller-manager";
pub const CINDER_CSI: &str = "openstack-cinder-csi";
pub const MANILA_CSI: &str = "openstack-manila-csi";

impl Cluster {
    /// The charts this cluster runs, in order.
    pub fn charts(&self) -> Vec<&'static str> {
        let mut v = vec![OCCM];
        if self.storage.cinder.is_some() {
            v.push(CINDER_CSI);
        }
        if self.storage.manila.is_some() {
            v.push(MANILA_CSI);
        }
        v
    }

    /// The site's raw values for one of its charts.
    pub fn chart_values(&self, chart: &str) -> Option<&serde_json::Map<String, serde_json::Value>> {
        let v = self.values.as_ref()?;
        match chart {
            OCCM => v.occm.as_ref(),
            CINDER_CSI => v.cinder_csi.as_ref(),
            MANILA_CSI => v.manila_csi.as_ref(),
            _ => None,
        }
    }

    /// The name cloud-provider-openstack knows the cluster by (load
    /// balancer names, volume and share metadata): `<site>-<cluster>`, or
    /// the site's `cluster.name` value for the controller manager.
    pub fn cpo_cluster_name(&self, site: &str) -> String {
        self.chart_values(OCCM)
            .and_then(|v| v.get("cluster")?.get("name")?.as_str())
            .map_or_else(|| format!("{site}-{}", self.name), str::to_string)
    }
}

/// A cloud.conf value as written in the site.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ConfValue {
    Bool(bool),
    Number(serde_json::Number),
    String(String),
}

impl ConfValue {
    /// The value as cloud.conf text.
    pub fn text(&self) -> String {
        match self {
            ConfValue::Bool(b) => b.to_string(),
            ConfValue::Number(n) => n.to_string(),
            ConfValue::String(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancer {
    /// The external network of floating IPs: its ID (written as
    /// `floating-network-id`) or its name.
    #[serde(default, deserialize_with = "some")]
    pub floating_network: Option<OpenStackName>,
    /// A name pattern of the floating IP subnet (`floating-subnet`).
    #[serde(default, deserialize_with = "some")]
    pub floating_subnet: Option<OpenStackName>,
    /// The Octavia provider (default: the cloud's default provider).
    #[serde(default, deserialize_with = "some")]
    pub provider: Option<LbProvider>,
    /// The load-balancing method (default `ROUND_ROBIN`; `SOURCE_IP_PORT`
    /// with the ovn provider, the only one it supports).
    #[serde(default, deserialize_with = "some")]
    pub method: Option<LbMethod>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LbProvider {
    Amphora,
    Ovn,
}

impl LbProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            LbProvider::Amphora => "amphora",
            LbProvider::Ovn => "ovn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LbMethod {
    RoundRobin,
    LeastConnections,
    SourceIp,
    SourceIpPort,
}

impl LbMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            LbMethod::RoundRobin => "ROUND_ROBIN",
            LbMethod::LeastConnections => "LEAST_CONNECTIONS",
            LbMethod::SourceIp => "SOURCE_IP",
            LbMethod::SourceIpPort => "SOURCE_IP_PORT",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterStorage {
    /// Cinder volumes (Cinder CSI).
    #[serde(default, deserialize_with = "some")]
    pub cinder: Option<CinderStorage>,
    /// Manila shares (Manila CSI).
    #[serde(default, deserialize_with = "some")]
    pub manila: Option<ManilaStorage>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CinderStorage {
    /// Whether `csi-cinder` (Cinder's default volume type) is the
    /// cluster's default StorageClass.
    #[serde(default = "yes")]
    pub default: bool,
    /// More StorageClasses, `csi-cinder-<type>`, one per volume type.
    #[serde(default)]
    pub volume_types: Vec<DnsSubdomain>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManilaStorage {
    #[serde(default)]
    pub protocol: ShareProtocol,
    /// The Manila share type of the StorageClass.
    #[serde(default = "default_share_type")]
    pub share_type: OpenStackName,
    /// The share network (ID), for share types that need one.
    #[serde(default, deserialize_with = "some")]
    pub share_network: Option<Uuid>,
}

fn default_share_type() -> OpenStackName {
    OpenStackName::try_from("default".to_string()).expect("valid")
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum ShareProtocol {
    #[default]
    #[serde(rename = "NFS")]
    Nfs,
    #[serde(rename = "CEPHFS")]
    Cephfs,
}

impl ShareProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareProtocol::Nfs => "NFS",
            ShareProtocol::Cephfs => "CEPHFS",
        }
    }
}

/// Chart values per cloud-provider-openstack chart.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterValues {
    #[serde(
        default,
        rename = "openstack-cloud-controller-manager",
        deserialize_with = "some"
    )]
    pub occm: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, rename = "openstack-cinder-csi", deserialize_with = "some")]
    pub cinder_csi: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, rename = "openstack-manila-csi", deserialize_with = "some")]
    pub manila_csi: Option<serde_json::Map<String, serde_json::Value>>,
}

fn at_most_64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cluster>, D::Error> {
    let v = Vec::<Cluster>::deserialize(d)?;
    if v.len() > 64 {
        return Err(serde::de::Error::invalid_length(
            v.len(),
            &"at most 64 clusters",
        ));
    }
    Ok(v)
}
