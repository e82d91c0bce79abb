use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};

use super::types::*;

/// A site file (`apiVersion: stackc.dev/v1alpha1`, `kind: Site`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Site {
    pub api_version: ApiVersion,
    pub kind: Kind,
    pub metadata: Metadata,
    pub spec: Spec,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    pub name: DnsLabel,
    #[serde(default)]
    pub labels: BTreeMap<LabelKey, LabelValue>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub release: LibraryName,
    #[serde(default = "default_profile")]
    pub profile: LibraryName,
    #[serde(default = "default_region")]
    pub region: RegionName,
    #[serde(default = "default_namespace")]
    pub namespace: DnsLabel,
    pub domain: DnsSubdomain,
    /// Extension: the cluster DNS domain.
    #[serde(default = "default_cluster_domain")]
    pub cluster_domain: DnsSubdomain,
    #[serde(default)]
    pub tls: Option<Tls>,
    /// Extension: the Gateway public endpoints attach to.
    #[serde(default)]
    pub gateway: Gateway,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub compute: Compute,
    #[serde(default)]
    pub nodes: Nodes,
    #[serde(default)]
    pub secrets: Secrets,
    /// Extension: Argo CD settings (target argocd).
    #[serde(default)]
    pub argocd: ArgoCd,
    /// Extension: Flux sync settings (target flux).
    #[serde(default)]
    pub flux: FluxSync,
    /// Where images come from (a registry mirror).
    #[serde(default)]
    pub images: Images,
    #[serde(default, deserialize_with = "services")]
    pub services: IndexMap<String, ServiceSpec>,
    /// Kubernetes consuming this cloud (PRODUCT.md §10).
    #[serde(default)]
    pub kubernetes: super::kubernetes::Kubernetes,
}

fn default_profile() -> LibraryName {
    LibraryName::try_from("minimal".to_string()).expect("valid")
}
fn default_region() -> RegionName {
    RegionName::try_from("RegionOne".to_string()).expect("valid")
}
fn default_cluster_domain() -> DnsSubdomain {
    DnsSubdomain::try_from("cluster.local".to_string()).expect("valid")
}
fn default_namespace() -> DnsLabel {
    DnsLabel::try_from("openstack".to_string()).expect("valid")
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    pub issuer: IssuerRef,
    /// Extension: the issuer's CA is private; its certificate (PEM) is in
    /// the store, so clients outside the cluster can trust it.
    #[serde(default, rename = "privateCA", deserialize_with = "some")]
    pub private_ca: Option<PrivateCa>,
}

/// Where the private CA certificate is kept.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateCa {
    /// Store key below the site prefix, e.g. `tls/ca`.
    pub key: StoreKey,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    #[serde(default)]
    pub kind: IssuerKind,
    pub name: DnsSubdomain,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum IssuerKind {
    #[default]
    ClusterIssuer,
    Issuer,
}

impl IssuerKind {
    /// The Kubernetes kind, as written in the site.
    pub fn as_str(self) -> &'static str {
        match self {
            IssuerKind::ClusterIssuer => "ClusterIssuer",
            IssuerKind::Issuer => "Issuer",
        }
    }
}

/// The Gateway API Gateway that public endpoints attach to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Gateway {
    #[serde(default = "gateway_name")]
    pub name: DnsSubdomain,
    #[serde(default = "gateway_namespace")]
    pub namespace: DnsLabel,
    #[serde(default, deserialize_with = "some")]
    pub section_name: Option<DnsLabel>,
}

fn gateway_name() -> DnsSubdomain {
    DnsSubdomain::try_from("gateway-default".to_string()).expect("valid")
}
fn gateway_namespace() -> DnsLabel {
    DnsLabel::try_from("envoy-gateway-system".to_string()).expect("valid")
}

impl Default for Gateway {
    fn default() -> Self {
        Gateway {
            name: gateway_name(),
            namespace: gateway_namespace(),
            section_name: None,
        }
    }
}

/// Where Argo CD Applications live.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArgoCd {
    #[serde(default = "argocd_namespace")]
    pub namespace: DnsLabel,
    #[serde(default = "argocd_project")]
    pub project: DnsSubdomain,
}

fn argocd_namespace() -> DnsLabel {
    DnsLabel::try_from("argocd".to_string()).expect("valid")
}
fn argocd_project() -> DnsSubdomain {
    DnsSubdomain::try_from("default".to_string()).expect("valid")
}

impl Default for ArgoCd {
    fn default() -> Self {
        ArgoCd {
            namespace: argocd_namespace(),
            project: argocd_project(),
        }
    }
}

/// The Flux Kustomization that syncs the rendered site.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FluxSync {
    #[serde(default = "flux_namespace")]
    pub namespace: DnsLabel,
    #[serde(default = "flux_source")]
    pub source: DnsSubdomain,
    /// `./rendered/<site>` when absent.
    #[serde(default, deserialize_with = "some_path")]
    pub path: Option<String>,
}

fn flux_namespace() -> DnsLabel {
    DnsLabel::try_from("flux-system".to_string()).expect("valid")
}
fn flux_source() -> DnsSubdomain {
    DnsSubdomain::try_from("flux-system".to_string()).expect("valid")
}

impl Default for FluxSync {
    fn default() -> Self {
        FluxSync {
            namespace: flux_namespace(),
            source: flux_source(),
            path: None,
        }
    }
}

/// A repository path `./...` (the schema's pattern).
fn some_path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    let ok = s.len() <= 253
        && s.strip_prefix("./").is_some_and(|r| {
            r.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
        });
    if ok {
        Ok(Some(s))
    } else {
        Err(serde::de::Error::custom("a path like ./rendered/site"))
    }
}

/// Decodes a present value (rejects an explicit null, like the schema).
pub(super) fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `spec.images`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    /// A registry mirror prefix: every image of every chart is pulled from
    /// it (air-gapped sites).
    #[serde(
        default,
        deserialize_with = "some",
        skip_serializing_if = "Option::is_none"
    )]
    pub registry: Option<RegistryPrefix>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Network {
    #[serde(default)]
    pub backend: NetworkBackend,
    #[serde(default, deserialize_with = "some")]
    pub tunnel_interface: Option<InterfaceName>,
    #[serde(default, deserialize_with = "at_most_8")]
    pub external: Vec<ProviderNetwork>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkBackend {
    #[default]
    Ovn,
    Openvswitch,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderNetwork {
    pub physnet: PhysnetName,
    pub interface: InterfaceName,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    #[serde(default)]
    pub backend: StorageBackend,
    #[serde(default)]
    pub ceph: Option<Ceph>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    #[default]
    Local,
    Ceph,
}

/// The Ceph cluster of `storage.backend: ceph`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(try_from = "CephFields", rename_all = "camelCase")]
pub struct Ceph {
    /// Who runs the cluster: an existing cluster (`external`) or Rook in
    /// this Kubernetes cluster (`rook`).
    pub provider: CephProvider,
    /// The monitors of an external cluster (Rook's are discovered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitors: Option<Vec<MonitorAddress>>,
    /// Where Rook runs the cluster (`provider: rook`).
    pub rook: Rook,
    pub pools: CephPools,
    #[serde(rename = "rbdSecretUUID")]
    pub rbd_secret_uuid: Uuid,
}

/// `storage.ceph` as written; [`Ceph`] adds the rule the schema states with
/// `if`/`else`: an external cluster names its monitors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CephFields {
    #[serde(default)]
    provider: CephProvider,
    #[serde(default, deserialize_with = "some_non_empty")]
    monitors: Option<Vec<MonitorAddress>>,
    #[serde(default)]
    rook: Rook,
    #[serde(default)]
    pools: CephPools,
    #[serde(rename = "rbdSecretUUID")]
    rbd_secret_uuid: Uuid,
}

impl TryFrom<CephFields> for Ceph {
    type Error = String;
    fn try_from(f: CephFields) -> Result<Ceph, String> {
        if f.provider == CephProvider::External && f.monitors.is_none() {
            return Err("an external Ceph cluster needs `monitors`".into());
        }
        Ok(Ceph {
            provider: f.provider,
            monitors: f.monitors,
            rook: f.rook,
            pools: f.pools,
            rbd_secret_uuid: f.rbd_secret_uuid,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CephProvider {
    /// A cluster run outside this site: stackc writes its ceph.conf from
    /// `monitors` and takes the client keys from the secret store.
    #[default]
    External,
    /// Rook in this Kubernetes cluster: openstack-helm's ceph-adapter-rook
    /// copies its ceph.conf and admin key into the OpenStack namespace.
    Rook,
}

/// The Rook-managed cluster.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rook {
    /// The namespace of Rook's CephCluster.
    #[serde(default = "rook_namespace")]
    pub namespace: DnsLabel,
    /// The monitor count of the CephCluster (`spec.mon.count`).
    #[serde(default = "rook_mon_count")]
    pub mon_count: MonCount,
}

fn rook_namespace() -> DnsLabel {
    DnsLabel::try_from("rook-ceph".to_string()).expect("valid")
}
fn rook_mon_count() -> MonCount {
    MonCount::try_from(serde_json::Number::from(3)).expect("valid")
}

impl Default for Rook {
    fn default() -> Self {
        Rook {
            namespace: rook_namespace(),
            mon_count: rook_mon_count(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CephPools {
    #[serde(default = "pool_images")]
    pub images: PoolName,
    #[serde(default = "pool_volumes")]
    pub volumes: PoolName,
    #[serde(default = "pool_vms")]
    pub vms: PoolName,
}

fn pool(name: &str) -> PoolName {
    PoolName::try_from(name.to_string()).expect("valid")
}
fn pool_images() -> PoolName {
    pool("images")
}
fn pool_volumes() -> PoolName {
    pool("volumes")
}
fn pool_vms() -> PoolName {
    pool("vms")
}

impl Default for CephPools {
    fn default() -> Self {
        CephPools {
            images: pool_images(),
            volumes: pool_volumes(),
            vms: pool_vms(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Compute {
    #[serde(default)]
    pub virt_type: VirtType,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VirtType {
    #[default]
    Kvm,
    Qemu,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Nodes {
    #[serde(default = "control_plane_selector", deserialize_with = "one_label")]
    pub control_plane: Selector,
    #[serde(default = "compute_selector", deserialize_with = "one_label")]
    pub compute: Selector,
}

/// A node selector: Kubernetes label key -> value.
pub type Selector = BTreeMap<LabelKey, LabelValue>;

fn selector(key: &str) -> Selector {
    BTreeMap::from([(
        LabelKey::try_from(key.to_string()).expect("valid"),
        LabelValue::try_from("enabled".to_string()).expect("valid"),
    )])
}
fn control_plane_selector() -> Selector {
    selector("openstack-control-plane")
}
fn compute_selector() -> Selector {
    selector("openstack-compute-node")
}

impl Default for Nodes {
    fn default() -> Self {
        Nodes {
            control_plane: control_plane_selector(),
            compute: compute_selector(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    #[serde(default)]
    pub backend: SecretsBackend,
    #[serde(default)]
    pub store: StoreRef,
    /// Remote key prefix; `None` means `metadata.name`.
    #[serde(default, deserialize_with = "some")]
    pub prefix: Option<SecretPrefix>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum SecretsBackend {
    #[default]
    #[serde(rename = "external-secrets")]
    ExternalSecrets,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreRef {
    #[serde(default)]
    pub kind: StoreKind,
    pub name: DnsSubdomain,
}

impl Default for StoreRef {
    fn default() -> Self {
        StoreRef {
            kind: StoreKind::ClusterSecretStore,
            name: DnsSubdomain::try_from("openstack".to_string()).expect("valid"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum StoreKind {
    #[default]
    ClusterSecretStore,
    SecretStore,
}

impl StoreKind {
    /// The Kubernetes kind, as written in the site.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::ClusterSecretStore => "ClusterSecretStore",
            StoreKind::SecretStore => "SecretStore",
        }
    }
}

/// One entry of `spec.services`. `keystone: {}` and `keystone:` (null) both
/// mean "enabled, with defaults". Some services take typed options of their
/// own (the schema's `$defs/<name>Service`); each is `None` for the others.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceSpec {
    pub enabled: bool,
    pub replicas: Option<Replicas>,
    /// Raw chart values merged last (the escape hatch).
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// manila: the share backend (default `generic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<ShareBackend>,
    /// gnocchi: the image of every gnocchi process (no maintained upstream
    /// image exists, so the site names one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
}

pub(super) fn yes() -> bool {
    true
}

impl Default for ServiceSpec {
    fn default() -> Self {
        ServiceSpec {
            enabled: true,
            replicas: None,
            values: None,
            backend: None,
            image: None,
        }
    }
}

/// manila's share backend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShareBackend {
    /// The generic driver: share servers are nova instances with cinder
    /// volumes (needs nova, neutron, cinder and glance).
    #[default]
    Generic,
    /// CephFS, native protocol (needs Ceph storage).
    Cephfs,
}

/// The fields every service entry has.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainService {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    replicas: Option<Replicas>,
    #[serde(default)]
    values: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `services.manila`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManilaService {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    replicas: Option<Replicas>,
    #[serde(default)]
    values: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    backend: ShareBackend,
}

/// `services.gnocchi`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GnocchiService {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    replicas: Option<Replicas>,
    #[serde(default)]
    values: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, deserialize_with = "some")]
    image: Option<ImageRef>,
}

impl From<PlainService> for ServiceSpec {
    fn from(s: PlainService) -> Self {
        ServiceSpec {
            enabled: s.enabled,
            replicas: s.replicas,
            values: s.values,
            ..ServiceSpec::default()
        }
    }
}

impl From<ManilaService> for ServiceSpec {
    fn from(s: ManilaService) -> Self {
        ServiceSpec {
            enabled: s.enabled,
            replicas: s.replicas,
            values: s.values,
            backend: Some(s.backend),
            ..ServiceSpec::default()
        }
    }
}

impl From<GnocchiService> for ServiceSpec {
    fn from(s: GnocchiService) -> Self {
        ServiceSpec {
            enabled: s.enabled,
            replicas: s.replicas,
            values: s.values,
            image: s.image,
            ..ServiceSpec::default()
        }
    }
}

/// Provider networks become bridges br-ex, br-ex1, ... br-ex7.
fn at_most_8<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ProviderNetwork>, D::Error> {
    let v = Vec::<ProviderNetwork>::deserialize(d)?;
    if v.len() > 8 {
        return Err(serde::de::Error::invalid_length(
            v.len(),
            &"at most 8 provider networks",
        ));
    }
    Ok(v)
}

/// A present, non-empty list (rejects an explicit null, like the schema).
fn some_non_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    non_empty(d).map(Some)
}

fn non_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let v = Vec::<T>::deserialize(d)?;
    if v.is_empty() {
        return Err(serde::de::Error::invalid_length(0, &"at least one item"));
    }
    Ok(v)
}

/// openstack-helm charts select nodes by one label (`node_selector_key` /
/// `node_selector_value`).
fn one_label<'de, D: Deserializer<'de>>(d: D) -> Result<Selector, D::Error> {
    let m = Selector::deserialize(d)?;
    if m.len() != 1 {
        return Err(serde::de::Error::invalid_length(
            m.len(),
            &"exactly one label",
        ));
    }
    Ok(m)
}

/// `spec.services`: each entry decoded as its service's type (manila and
/// gnocchi take options the others do not).
fn services<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, ServiceSpec>, D::Error> {
    struct Services;
    impl<'de> serde::de::Visitor<'de> for Services {
        type Value = IndexMap<String, ServiceSpec>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of services")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = IndexMap::new();
            while let Some(name) = map.next_key::<String>()? {
                let spec = match name.as_str() {
                    "manila" => map
                        .next_value::<Option<ManilaService>>()?
                        .map(ServiceSpec::from),
                    "gnocchi" => map
                        .next_value::<Option<GnocchiService>>()?
                        .map(ServiceSpec::from),
                    _ => map
                        .next_value::<Option<PlainService>>()?
                        .map(ServiceSpec::from),
                };
                let spec = spec.unwrap_or_else(|| match name.as_str() {
                    "manila" => ServiceSpec {
                        backend: Some(ShareBackend::default()),
                        ..ServiceSpec::default()
                    },
                    _ => ServiceSpec::default(),
                });
                out.insert(name, spec);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Services)
}

/// `apiVersion`: only `stackc.dev/v1alpha1` exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum ApiVersion {
    #[serde(rename = "stackc.dev/v1alpha1")]
    V1Alpha1,
}

/// `kind`: always `Site`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Kind {
    Site,
}

impl Site {
    /// The remote key prefix for secrets (`spec.secrets.prefix`, default
    /// `metadata.name`).
    pub fn secret_prefix(&self) -> &str {
        self.spec
            .secrets
            .prefix
            .as_deref()
            .unwrap_or(&self.metadata.name)
    }
}
