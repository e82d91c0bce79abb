//! Clusters on this cloud (`spec.kubernetes.clusters[]`): the
//! cloud-provider-openstack charts at the release of each cluster's
//! Kubernetes minor, their values in layers, and the cloud.conf and Manila
//! secret assembled from the catalogue and the secret store — every key
//! checked against the release's key table before anything is written.

use indexmap::IndexMap;

use super::catalogue::Catalogue;
use super::evaluate::Evaluator;
use super::merge::{empty_map, from_json, merge, set_path};
use super::origin::SiteSpans;
use super::{LayerValues, ResolvedComponent};
use crate::cloudconf::{self, CloudConf, ConfText, Source};
use crate::diagnostic::{Code, Diagnostic};
use crate::library::{ConfKeys, Library};
use crate::model::{
    CINDER_CSI, CinderStorage, Cluster, LbMethod, MANILA_CSI, ManilaStorage, OCCM, ShareProtocol,
    Site, StoreRef, Uuid,
};
use crate::source::Span;
use crate::template::Engine;
use crate::yaml::{Node, PathSeg, Value};

/// The ExternalSecret data keys the cloud.conf template reads.
pub const CREDENTIAL_ID: &str = "applicationCredentialID";
pub const CREDENTIAL_SECRET: &str = "applicationCredentialSecret";
pub const CA_CERT: &str = "caCert";

/// The namespace the charts and Secrets live in, in the cluster.
pub const NAMESPACE: &str = "kube-system";
/// The Secret holding cloud.conf (and ca.crt), read by the controller
/// manager and Cinder CSI at /etc/config.
pub const CLOUD_CONFIG: &str = "cloud-config";
/// The Secret the Manila StorageClasses name.
pub const MANILA_SECRET: &str = "csi-manila-secrets";
/// Where ca.crt sits beside cloud.conf in the pods.
const CA_FILE: &str = "/etc/config/ca.crt";

/// One chart of a cluster.
#[derive(Debug, Clone)]
pub struct ClusterChart {
    pub chart: String,
    pub version: String,
    pub app_version: String,
    pub values: Node,
    /// Each layer's values, lowest first (for `explain`).
    pub layers: Vec<LayerValues>,
    /// Every image the chart pulls, sorted by key.
    pub images: Vec<super::images::Image>,
}

/// A cluster, fully resolved.
#[derive(Debug, Clone)]
pub struct ResolvedCluster {
    pub name: String,
    pub project: String,
    /// The cloud-provider-openstack release (`v1.36.0`).
    pub app_version: String,
    /// The chart repository.
    pub repository: String,
    pub charts: Vec<ClusterChart>,
    pub cloud_conf: CloudConf,
    /// The Manila CSI secret (`os-*` keys), with Manila.
    pub manila_secret: Option<CloudConf>,
    /// The store the cluster's ExternalSecrets read.
    pub store: StoreRef,
    /// Store roles (below the site prefix): the application credential
    /// (properties `id`, `secret`) and the CA certificate.
    pub credential: String,
    pub ca: Option<String>,
    pub cinder: Option<CinderStorage>,
    pub manila: Option<ManilaStorage>,
}

impl ResolvedCluster {
    pub fn chart(&self, name: &str) -> Option<&ClusterChart> {
        self.charts.iter().find(|c| c.chart == name)
    }
}

/// What every cluster shares: the catalogue facts.
pub struct Facts<'a> {
    pub lib: &'a Library,
    pub site: &'a Site,
    pub spans: &'a SiteSpans<'a>,
    pub catalogue: &'a Catalogue,
    pub components: &'a IndexMap<String, ResolvedComponent>,
    pub engine: &'a Engine,
    pub ctx: &'a minijinja::Value,
    /// `spec.images.registry`.
    pub mirror: Option<super::images::Mirror<'a>>,
}

/// Resolves every cluster of the site.
pub fn resolve(f: &Facts<'_>, diags: &mut Vec<Diagnostic>) -> Vec<ResolvedCluster> {
    let Some(Value::Seq(items)) = f
        .spans
        .doc
        .get_path("spec.kubernetes.clusters")
        .map(|n| &n.value)
    else {
        return Vec::new();
    };
    f.site
        .spec
        .kubernetes
        .clusters
        .iter()
        .zip(items)
        .filter_map(|(c, node)| cluster(f, c, node, diags))
        .collect()
}

fn cluster(
    f: &Facts<'_>,
    c: &Cluster,
    node: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<ResolvedCluster> {
    let site = f.site;
    let name_span = node.get("name").map_or(node.span, |n| n.span);
    let at = |path: &str| node.get_path(path).map(|n| n.span);
    let (cpo, _) = f.lib.kubernetes.cpo.as_ref()?;
    let minor = c.kube_version.minor();
    // Validation proved these exist.
    let app_version = cpo.for_minor(OCCM, minor)?.app_version.clone();
    let table = f
        .lib
        .kubernetes
        .conf_keys
        .get(&app_version)?
        .get(&f.lib.files);

    // Chart values: stackc's, then the per-cluster rules, then the site's.
    let cpo_name = c.cpo_cluster_name(&site.metadata.name);
    let mut charts = Vec::new();
    for chart in c.charts() {
        let v = cpo.for_minor(chart, minor)?;
        let mut layers = Vec::new();
        if let Some(lazy) = f
            .lib
            .kubernetes
            .charts
            .get(chart)
            .and_then(|x| x.values.as_ref())
        {
            match lazy.get(&f.lib.files) {
                Ok(vf) => {
                    let ev = Evaluator {
                        engine: f.engine,
                        ctx: f.ctx,
                        attribution: None,
                    };
                    layers.push(LayerValues {
                        label: format!("component {chart}"),
                        tree: ev.file(vf, diags),
                    });
                }
                Err(d) => diags.extend(d.iter().cloned()),
            }
        }
        layers.push(LayerValues {
            label: "site".into(),
            tree: rules(chart, c, &cpo_name, name_span, node),
        });
        if let Some(v) = node
            .get("values")
            .and_then(|v| v.get(chart))
            .filter(|v| matches!(v.value, Value::Map(_)))
        {
            layers.push(LayerValues {
                label: "site values".into(),
                tree: v.clone(),
            });
        }
        let mut values = empty_map(name_span.with_len(0));
        for l in &layers {
            merge(&mut values, l.tree.clone());
        }
        let (images, mirror) = super::images::collect_chart(&values, &v.app_version, f.mirror);
        if let Some(layer) = mirror {
            merge(&mut values, layer.tree.clone());
            layers.push(layer);
        }
        charts.push(ClusterChart {
            chart: chart.to_string(),
            version: v.version.clone(),
            app_version: v.app_version.clone(),
            values,
            layers,
            images,
        });
    }

    let ca = site
        .spec
        .tls
        .as_ref()
        .and_then(|t| t.private_ca.as_ref())
        .map(|p| p.key.to_string());
    let auth = f.catalogue.public_url("identity");
    let region = (
        site.spec.region.to_string(),
        Source::new(
            "site: spec.region",
            f.spans.value("spec.region").unwrap_or(f.spans.root),
            site.spec.region.as_str(),
        ),
    );
    let ca_source = || {
        Source::new(
            "site: spec.tls.privateCA",
            f.spans.key("spec.tls.privateCA").unwrap_or(f.spans.root),
            CA_FILE,
        )
    };

    let mut conf = CloudConf::default();
    let lit = |s: &str| ConfText::Literal(s.to_string());
    let cred_span = at("credential").unwrap_or(name_span);
    let cred_key = format!("{}/{}", site.secret_prefix(), c.credential);
    let cred_source = |what: &str| {
        vec![Source::new(
            "site: credential (secret store)",
            cred_span,
            format!("{cred_key}, property {what}"),
        )]
    };
    // Authentication, as cloud.conf [Global] and Manila secret keys.
    let mut login: Vec<(&str, &str, ConfText, Vec<Source>)> = Vec::new();
    if let Some((url, sources)) = &auth {
        login.push(("auth-url", "os-authURL", lit(url), sources.clone()));
    }
    login.push((
        "region",
        "os-region",
        lit(&region.0),
        vec![region.1.clone()],
    ));
    login.push((
        "application-credential-id",
        "os-applicationCredentialID",
        ConfText::Secret(CREDENTIAL_ID.into()),
        cred_source("id"),
    ));
    login.push((
        "application-credential-secret",
        "os-applicationCredentialSecret",
        ConfText::Secret(CREDENTIAL_SECRET.into()),
        cred_source("secret"),
    ));
    for (key, _, value, sources) in &login {
        conf.set("Global", None, key, value.clone(), sources.clone());
    }
    if ca.is_some() {
        conf.set("Global", None, "ca-file", lit(CA_FILE), vec![ca_source()]);
    }
    load_balancer(f, c, node, &mut conf);
    if c.storage.cinder.is_some() {
        let (ignore, sources) = volume_az(f);
        conf.set(
            "BlockStorage",
            None,
            "ignore-volume-az",
            lit(&ignore.to_string()),
            sources,
        );
    }
    // The site's own settings, last (validated: known keys, not owned).
    if let Some(extra) = node.get("cloudConf").and_then(Node::as_map) {
        for (header, s) in extra {
            for (key, e) in s.node.as_map().into_iter().flatten() {
                let text = scalar_text(&e.node);
                let Ok(ch) = cloudconf::check(table, header, key, Some(&text)) else {
                    continue;
                };
                conf.set(
                    &ch.section,
                    ch.sub.as_deref(),
                    &ch.key,
                    lit(&text),
                    vec![Source::new("site: cloudConf", e.node.span, &text)],
                );
            }
        }
    }
    self_check(&conf, table, &c.name, name_span, diags);

    let manila_secret = c.storage.manila.as_ref().map(|_| {
        let mut m = CloudConf::default();
        for (_, key, value, sources) in login {
            m.set("", None, key, value, sources);
        }
        if ca.is_some() {
            m.set(
                "",
                None,
                "os-certAuthority",
                ConfText::Secret(CA_CERT.into()),
                vec![ca_source()],
            );
        }
        for e in m.sections.iter().flat_map(|s| &s.entries) {
            if !table.manila.contains(&e.key) {
                diags.push(self_check_error(
                    e.sources.first().map_or(name_span, |s| s.span),
                    &c.name,
                    &format!("Manila secret key `{}`", e.key),
                ));
            }
        }
        m
    });

    Some(ResolvedCluster {
        name: c.name.to_string(),
        project: c.project.to_string(),
        app_version,
        repository: cpo.repository.clone(),
        charts,
        cloud_conf: conf,
        manila_secret,
        store: c
            .secret_store
            .clone()
            .unwrap_or_else(|| site.spec.secrets.store.clone()),
        credential: c.credential.to_string(),
        ca,
        cinder: c.storage.cinder.clone(),
        manila: c.storage.manila.clone(),
    })
}

/// Per-cluster chart values: the cluster name cloud-provider-openstack
/// uses, and Manila's share protocol.
fn rules(chart: &str, c: &Cluster, cpo_name: &str, span: Span, node: &Node) -> Node {
    let mut out = empty_map(span.with_len(0));
    let name = from_json(&cpo_name.into(), span);
    match chart {
        OCCM => set_path(&mut out, &["cluster", "name"], name),
        CINDER_CSI => set_path(&mut out, &["clusterID"], name),
        MANILA_CSI => {
            set_path(&mut out, &["csimanila", "clusterID"], name);
            let m = c
                .storage
                .manila
                .as_ref()
                .expect("manila chart with storage.manila");
            let pspan = node
                .get_path("storage.manila.protocol")
                .or_else(|| node.get_path("storage.manila"))
                .map_or(span, |n| n.span);
            let fwd = match m.protocol {
                ShareProtocol::Nfs => "/var/lib/kubelet/plugins/csi-nfsplugin",
                ShareProtocol::Cephfs => "/var/lib/kubelet/plugins/cephfs.csi.ceph.com",
            };
            let mut proto = serde_json::json!({
                "protocolSelector": m.protocol.as_str(),
                "fwdNodePluginEndpoint": {"dir": fwd, "sockFile": "csi.sock"},
            });
            if m.protocol == ShareProtocol::Nfs {
                proto["fsGroupPolicy"] = "None".into();
            }
            set_path(
                &mut out,
                &["shareProtocols"],
                from_json(&serde_json::json!([proto]), pspan),
            );
        }
        _ => {}
    }
    out
}

/// `[LoadBalancer]`: off without `loadBalancer`; else Octavia's provider
/// (the cloud's default unless the cluster picks one), its method, and
/// the floating network.
fn load_balancer(f: &Facts<'_>, c: &Cluster, node: &Node, conf: &mut CloudConf) {
    let lit = |s: &str| ConfText::Literal(s.to_string());
    let lb_node = node.entry("loadBalancer");
    let Some(lb) = &c.load_balancer else {
        conf.set(
            "LoadBalancer",
            None,
            "enabled",
            lit("false"),
            vec![Source::new("site: no loadBalancer", node.span, "false")],
        );
        return;
    };
    let lb_span = lb_node.map_or(node.span, |e| e.key_span);
    let field = |k: &str| lb_node.and_then(|e| e.node.get(k)).map(|n| n.span);
    let (provider, psource) = match lb.provider {
        Some(p) => (
            p.as_str().to_string(),
            Source::new(
                "site: loadBalancer.provider",
                field("provider").unwrap_or(lb_span),
                p.as_str(),
            ),
        ),
        None => octavia_provider(f, f.spans.key("spec.services.octavia").unwrap_or(lb_span)),
    };
    conf.set(
        "LoadBalancer",
        None,
        "lb-provider",
        lit(&provider),
        vec![psource],
    );
    let (method, msource) = match lb.method {
        Some(m) => (
            m.as_str(),
            Source::new(
                "site: loadBalancer.method",
                field("method").unwrap_or(lb_span),
                m.as_str(),
            ),
        ),
        None => {
            // Octavia's ovn provider supports only SOURCE_IP_PORT.
            let m = if provider == "ovn" {
                LbMethod::SourceIpPort
            } else {
                LbMethod::RoundRobin
            };
            (
                m.as_str(),
                Source::new("stackc: the provider's method", lb_span, m.as_str()),
            )
        }
    };
    conf.set(
        "LoadBalancer",
        None,
        "lb-method",
        lit(method),
        vec![msource],
    );
    if let Some(net) = lb.floating_network.as_ref().filter(|n| Uuid::is_valid(n)) {
        conf.set(
            "LoadBalancer",
            None,
            "floating-network-id",
            lit(net),
            vec![Source::new(
                "site: loadBalancer.floatingNetwork",
                field("floatingNetwork").unwrap_or(lb_span),
                net.as_str(),
            )],
        );
    }
    if let Some(sub) = &lb.floating_subnet {
        conf.set(
            "LoadBalancer",
            None,
            "floating-subnet",
            lit(sub),
            vec![Source::new(
                "site: loadBalancer.floatingSubnet",
                field("floatingSubnet").unwrap_or(lb_span),
                sub.as_str(),
            )],
        );
    }
}

/// Octavia's default provider: its `api_settings.default_provider_driver`
/// when the site's octavia values set one, else Octavia's own default,
/// amphora.
fn octavia_provider(f: &Facts<'_>, fallback: Span) -> (String, Source) {
    let set = f.components.get("octavia").and_then(|o| {
        o.values.at(&path(&[
            "conf",
            "octavia",
            "api_settings",
            "default_provider_driver",
        ]))
    });
    match set.and_then(|n| n.as_str().map(|s| (s, n.span))) {
        Some((p, span)) => (
            p.to_string(),
            Source::new("catalogue: octavia default_provider_driver", span, p),
        ),
        None => (
            "amphora".into(),
            Source::new(
                "catalogue: octavia's default provider (amphora)",
                fallback,
                "amphora",
            ),
        ),
    }
}

/// Whether Cinder's availability zone differs from Nova's (volumes must
/// then be created without the instance's zone).
fn volume_az(f: &Facts<'_>) -> (bool, Vec<Source>) {
    let zone = |comp: &str, keys: &[&str]| -> (String, Option<Span>) {
        let n = f
            .components
            .get(comp)
            .and_then(|c| c.values.at(&path(keys)));
        match n.and_then(|n| n.as_str().map(|s| (s.to_string(), n.span))) {
            Some((z, span)) => (z, Some(span)),
            // Both services default to the zone `nova`.
            None => ("nova".into(), None),
        }
    };
    let (nova, nspan) = zone(
        "nova",
        &["conf", "nova", "DEFAULT", "default_availability_zone"],
    );
    let (cinder, cspan) = zone(
        "cinder",
        &["conf", "cinder", "DEFAULT", "storage_availability_zone"],
    );
    let root = f.spans.root;
    let sources = vec![
        Source::new(
            "catalogue: nova availability zone",
            nspan.unwrap_or(root),
            &nova,
        ),
        Source::new(
            "catalogue: cinder availability zone",
            cspan.unwrap_or(root),
            &cinder,
        ),
    ];
    (nova != cinder, sources)
}

fn path(keys: &[&str]) -> Vec<PathSeg> {
    keys.iter().map(|k| PathSeg::Key(k.to_string())).collect()
}

fn scalar_text(n: &Node) -> String {
    match &n.value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => x.to_string(),
        _ => String::new(),
    }
}

/// Every section and key stackc assembled is one the release reads.
fn self_check(
    conf: &CloudConf,
    table: &ConfKeys,
    cluster: &str,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    for s in &conf.sections {
        let header = match &s.sub {
            Some(sub) => format!("{} {}", s.name, cloudconf::quote(sub)),
            None => s.name.clone(),
        };
        for e in &s.entries {
            let value = match &e.value {
                ConfText::Literal(v) => Some(v.as_str()),
                ConfText::Secret(_) => None,
            };
            if cloudconf::check(table, &header, &e.key, value).is_err() {
                let span = e.sources.first().map_or(at, |s| s.span);
                diags.push(self_check_error(
                    span,
                    cluster,
                    &format!("cloud.conf `[{}] {}`", s.name, e.key),
                ));
            }
        }
    }
}

fn self_check_error(span: Span, cluster: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::KubernetesSelfCheck,
        span,
        format!("cluster `{cluster}`: {what} is not read by the targeted cloud-provider-openstack release"),
    )
    .label("assembled from here")
    .help("the library's cloud.conf key table and what stackc writes disagree: regenerate the table (scripts/gen-cloud-conf-keys) for the charts' appVersion")
}
