//! Rules for `spec.kubernetes`: unique cluster names, the services each
//! setting needs, published charts for each Kubernetes version, cloud.conf
//! keys cloud-provider-openstack reads, and values stackc owns.
//!
//! The settings are decoded piece by piece, so one malformed cluster (a
//! schema error) does not hide the problems of the others.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::Value as J;

use super::rules::Listed;
use crate::cloudconf::{self, Problem};
use crate::decode::from_node;
use crate::diagnostic::{Code, Diagnostic, quoted_list};
use crate::library::{ConfKeys, Library};
use crate::model::{Cluster, KEYSTONE_WEBHOOK, KeystoneAuth, LbMethod, LbProvider, Uuid};
use crate::source::Span;
use crate::template::Engine;
use crate::yaml::{Node, Value};

pub fn check(
    spec: &Node,
    effective: &J,
    lib: &Library,
    listed: &IndexMap<String, Listed>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(k8s) = spec.get("kubernetes").filter(|n| n.as_map().is_some()) else {
        return;
    };
    let site_name = effective
        .pointer("/metadata/name")
        .and_then(J::as_str)
        .unwrap_or("site");
    let keystone_auth = k8s
        .entry("keystoneAuth")
        .and_then(|e| Some((e, from_node::<Option<KeystoneAuth>>(&e.node).ok()??)))
        .filter(|(_, k)| k.enabled);
    let needs = Needs::new(lib, listed, effective, keystone_auth.is_some());

    if let Some((entry, ka)) = &keystone_auth {
        needs.check(entry.key_span, "`keystoneAuth`", "keystone", out);
        webhook(spec, entry.key_span, ka, listed, out);
    }
    if let Some(e) = k8s
        .entry("magnum")
        .filter(|e| !matches!(e.node.value, Value::Null))
    {
        needs.check(e.key_span, "`magnum`", "magnum", out);
    }
    let Some(Value::Seq(items)) = k8s.get("clusters").map(|n| &n.value) else {
        return;
    };
    let mut names: BTreeMap<String, Span> = BTreeMap::new();
    let mut cpo_names: BTreeMap<(String, String), Span> = BTreeMap::new();
    let mut library_reported = false;
    for item in items {
        let Ok(cluster) = from_node::<Cluster>(item) else {
            continue;
        };
        let name_span = item.get("name").map_or(item.span, |n| n.span);
        if let Some(first) = names.get(cluster.name.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateCluster,
                    name_span,
                    format!("two clusters are named `{}`", cluster.name),
                )
                .label("again here")
                .with_secondary(*first, "first here")
                .help("give every cluster its own name: it names its output directory and its load balancers"),
            );
        } else {
            names.insert(cluster.name.to_string(), name_span);
            // One cloud-provider-openstack cluster name per project.
            let cpo = cluster.cpo_cluster_name(site_name);
            let at = item
                .get_path("values.openstack-cloud-controller-manager.cluster.name")
                .map_or(name_span, |n| n.span);
            let key = (cluster.project.to_string(), cpo.clone());
            if let Some(first) = cpo_names.get(&key) {
                out.push(
                    Diagnostic::error(
                        Code::DuplicateCluster,
                        at,
                        format!(
                            "two clusters in project `{}` would both be `{cpo}` to cloud-provider-openstack",
                            cluster.project
                        ),
                    )
                    .label("same cluster name")
                    .with_secondary(*first, "first here")
                    .help("cloud-provider-openstack names load balancers after the cluster: give each cluster in a project its own `cluster.name`"),
                );
            } else {
                cpo_names.insert(key, at);
            }
        }
        let key_span = |k: &str| item.entry(k).map_or(name_span, |e| e.key_span);
        let what = format!("cluster `{}`", cluster.name);
        for service in ["nova", "neutron", "keystone"] {
            needs.check(name_span, &what, service, out);
        }
        if cluster.load_balancer.is_some() {
            needs.check(key_span("loadBalancer"), "`loadBalancer`", "octavia", out);
        }
        let storage = item.get("storage");
        let storage_key = |k: &str| {
            storage
                .and_then(|s| s.entry(k))
                .map_or(name_span, |e| e.key_span)
        };
        if cluster.storage.cinder.is_some() {
            needs.check(storage_key("cinder"), "`storage.cinder`", "cinder", out);
        }
        if cluster.storage.manila.is_some() {
            needs.check(storage_key("manila"), "`storage.manila`", "manila", out);
        }
        load_balancer(item, &cluster, out);
        let Some((cpo, _)) = &lib.kubernetes.cpo else {
            if !library_reported {
                library_reported = true;
                out.push(missing_library(
                    key_span("kubeVersion"),
                    "the library has no cloud-provider-openstack chart list",
                    "kubernetes/cloud-provider-openstack.yaml",
                ));
            }
            continue;
        };
        let version_span = item.get("kubeVersion").map_or(name_span, |n| n.span);
        let minor = cluster.kube_version.minor();
        let missing: Vec<&str> = cluster
            .charts()
            .into_iter()
            .filter(|c| cpo.for_minor(c, minor).is_none())
            .collect();
        if !missing.is_empty() {
            let minors = cpo.minors(missing[0]);
            let have = if minors.is_empty() {
                "none".to_string()
            } else {
                minors
                    .iter()
                    .map(|m| format!("1.{m}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(
                Diagnostic::error(
                    Code::NoChartForKubeVersion,
                    version_span,
                    format!(
                        "cloud-provider-openstack publishes no {} chart for Kubernetes 1.{minor}",
                        quoted_list(&missing)
                    ),
                )
                .label("no chart for this minor")
                .help(format!(
                    "charts are published for Kubernetes {have} (the repository's index, in the library's kubernetes/cloud-provider-openstack.yaml)"
                )),
            );
            continue;
        }
        let app = cpo
            .for_minor(crate::model::OCCM, minor)
            .map(|v| v.app_version.clone())
            .unwrap_or_default();
        chart_values(item, &cluster, lib, out);
        let Some(table) = lib.kubernetes.conf_keys.get(&app) else {
            out.push(missing_library(
                version_span,
                &format!(
                    "the library has no cloud.conf key table for cloud-provider-openstack {app}"
                ),
                &format!("kubernetes/cloud-conf-keys/{app}.txt"),
            ));
            continue;
        };
        if let Some(conf) = item.get("cloudConf") {
            cloud_conf(
                conf,
                table.get(&lib.files),
                cluster.load_balancer.is_some(),
                out,
            );
        }
    }
}

/// The services the site runs: its enabled services and everything they
/// require (the plan's closure).
struct Needs<'a> {
    lib: &'a Library,
    listed: &'a IndexMap<String, Listed>,
    enabled: BTreeSet<String>,
}

impl<'a> Needs<'a> {
    fn new(
        lib: &'a Library,
        listed: &'a IndexMap<String, Listed>,
        effective: &J,
        webhook: bool,
    ) -> Needs<'a> {
        let mut list: Vec<(String, bool)> =
            listed.iter().map(|(n, l)| (n.clone(), l.enabled)).collect();
        if webhook && !listed.contains_key(KEYSTONE_WEBHOOK) {
            list.push((KEYSTONE_WEBHOOK.to_string(), true));
        }
        let ctx = crate::context::site_context(&crate::context::site_json(effective));
        let enabled = match crate::library::plan(lib, &list, &ctx, &Engine::new()) {
            Ok(plan) => plan.components.into_keys().collect(),
            // Broken conditions are reported by the requirement rules.
            Err(_) => list
                .into_iter()
                .filter(|(_, e)| *e)
                .map(|(n, _)| n)
                .collect(),
        };
        Needs {
            lib,
            listed,
            enabled,
        }
    }

    fn check(&self, at: Span, setting: &str, service: &str, out: &mut Vec<Diagnostic>) {
        if self.enabled.contains(service) {
            return;
        }
        let d = if !self.lib.components.contains_key(service) {
            Diagnostic::error(
                Code::KubernetesNeedsService,
                at,
                format!(
                    "{setting} needs the `{service}` service, which this library does not have"
                ),
            )
            .label(format!("needs {service}"))
            .help(format!(
                "remove {setting} (`stackc library list` shows the services the library has)"
            ))
        } else if let Some(l) = self.listed.get(service).filter(|l| !l.enabled) {
            Diagnostic::error(
                Code::KubernetesNeedsService,
                at,
                format!("{setting} needs the `{service}` service, which is disabled"),
            )
            .label(format!("needs {service}"))
            .with_secondary(
                l.disabled_at.unwrap_or(l.key_span),
                format!("`{service}` disabled here"),
            )
            .help(format!(
                "remove `enabled: false` from `{service}`, or remove {setting}"
            ))
        } else {
            Diagnostic::error(
                Code::KubernetesNeedsService,
                at,
                format!("{setting} needs the `{service}` service, which the site does not run"),
            )
            .label(format!("needs {service}"))
            .help(format!(
                "add `{service}: {{}}` to `spec.services`, or remove {setting}"
            ))
        };
        out.push(d);
    }
}

/// The webhook's serving certificate needs an issuer that signs in-cluster
/// names, and its component must not be disabled.
fn webhook(
    spec: &Node,
    at: Span,
    ka: &KeystoneAuth,
    listed: &IndexMap<String, Listed>,
    out: &mut Vec<Diagnostic>,
) {
    let tls = spec
        .get("tls")
        .is_some_and(|t| !matches!(t.value, Value::Null));
    if ka.issuer.is_none() && !tls {
        out.push(
            Diagnostic::error(
                Code::WebhookIssuer,
                at,
                "`keystoneAuth` needs a cert-manager issuer for the webhook's certificate",
            )
            .label("no issuer")
            .help("set `keystoneAuth.issuer` to an issuer of a private CA (or `spec.tls`, whose issuer is used otherwise)"),
        );
    }
    if let Some(l) = listed.get(KEYSTONE_WEBHOOK).filter(|l| !l.enabled) {
        out.push(
            Diagnostic::error(
                Code::Inconsistent,
                l.disabled_at.unwrap_or(l.key_span),
                format!("`{KEYSTONE_WEBHOOK}` is disabled, but `keystoneAuth` deploys it"),
            )
            .label("disabled here")
            .with_secondary(at, "enabled by this")
            .help(format!(
                "remove `enabled: false` from `{KEYSTONE_WEBHOOK}`, or remove `keystoneAuth`"
            )),
        );
    }
}

fn load_balancer(item: &Node, cluster: &Cluster, out: &mut Vec<Diagnostic>) {
    let Some(lb) = &cluster.load_balancer else {
        return;
    };
    let node = item.get("loadBalancer");
    if let (Some(LbProvider::Ovn), Some(m)) = (lb.provider, lb.method)
        && m != LbMethod::SourceIpPort
    {
        let span = node
            .and_then(|n| n.get("method"))
            .map_or(item.span, |n| n.span);
        out.push(
            Diagnostic::error(
                Code::Inconsistent,
                span,
                format!("the ovn provider does not support `{}`", m.as_str()),
            )
            .label("not supported by ovn")
            .help("use `method: SOURCE_IP_PORT` (the only method of Octavia's ovn provider), or the amphora provider"),
        );
    }
    if let Some(net) = &lb.floating_network
        && !Uuid::is_valid(net)
    {
        let span = node
            .and_then(|n| n.get("floatingNetwork"))
            .map_or(item.span, |n| n.span);
        out.push(
            Diagnostic::warning(
                Code::Ineffective,
                span,
                format!("cloud-provider-openstack takes the floating network by ID, not by name (`{net}`)"),
            )
            .label("a name")
            .help("write the network's ID (`openstack network show -f value -c id NAME`) to pin it; with a name, cloud-provider-openstack picks the first external network itself"),
        );
    }
}

/// Raw chart values: keys the chart has, none of the ones stackc owns, and
/// only for charts the cluster runs.
fn chart_values(item: &Node, cluster: &Cluster, lib: &Library, out: &mut Vec<Diagnostic>) {
    let Some(values) = item.get("values").and_then(Node::as_map) else {
        return;
    };
    let runs = cluster.charts();
    for (chart, entry) in values {
        if !runs.contains(&chart.as_str()) {
            out.push(
                Diagnostic::warning(
                    Code::Ineffective,
                    entry.key_span,
                    format!("`{chart}` values have no effect: the cluster does not run that chart"),
                )
                .label("ignored")
                .help("the Cinder and Manila CSI charts run with `storage.cinder` and `storage.manila`"),
            );
            continue;
        }
        let Some(map) = entry.node.as_map() else {
            continue;
        };
        for (key, e) in map {
            if let Some(why) = crate::library::kubernetes::owned_value(chart, key) {
                out.push(
                    Diagnostic::error(
                        Code::SetByStackc,
                        e.key_span,
                        format!("`{key}` of the `{chart}` chart is set by stackc"),
                    )
                    .label("set by stackc")
                    .help(why),
                );
            }
        }
        match lib
            .kubernetes
            .charts
            .get(chart)
            .and_then(|c| c.keys.as_ref())
        {
            Some(keys) => out.extend(crate::library::check_chart_keys(
                &entry.node,
                keys.get(&lib.files),
                chart,
                &format!("cluster `{}` values", cluster.name),
            )),
            None => out.push(missing_library(
                entry.key_span,
                &format!("the library has no key index for the `{chart}` chart"),
                &format!("kubernetes/charts/{chart}/chart-keys.txt"),
            )),
        }
    }
}

/// A site's cloud.conf settings, checked against the release's keys.
fn cloud_conf(conf: &Node, keys: &ConfKeys, load_balancer: bool, out: &mut Vec<Diagnostic>) {
    let Some(sections) = conf.as_map() else {
        return;
    };
    for (header, s) in sections {
        if let Err(p) = cloudconf::check_section(keys, header) {
            out.push(problem(p, s.key_span, header, "", keys));
            continue;
        }
        let Some(entries) = s.node.as_map() else {
            continue;
        };
        for (key, e) in entries {
            let value = match &e.node.value {
                Value::String(v) => v.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                _ => continue,
            };
            let checked = match cloudconf::check(keys, header, key, Some(&value)) {
                Ok(c) => c,
                Err(p) => {
                    let span = match p {
                        Problem::BadValue { .. } => e.node.span,
                        _ => e.key_span,
                    };
                    out.push(problem(p, span, header, key, keys));
                    continue;
                }
            };
            if crate::secret::is_secret_key(key) {
                // Reported as secret material (E0018).
                continue;
            }
            if let Some(why) = cloudconf::owned(&checked.section, &checked.key) {
                out.push(
                    Diagnostic::error(
                        Code::SetByStackc,
                        e.key_span,
                        format!(
                            "cloud.conf `[{}] {}` is set by stackc",
                            checked.section, checked.key
                        ),
                    )
                    .label("set by stackc")
                    .help(format!("remove it: {why}")),
                );
                continue;
            }
            if !cloudconf::is_plain(&value) {
                out.push(
                    Diagnostic::error(
                        Code::InvalidCloudConfValue,
                        e.node.span,
                        format!(
                            "cloud.conf `[{}] {}` holds a line break or `{{{{`/`}}}}`",
                            checked.section, checked.key
                        ),
                    )
                    .label("not allowed here")
                    .help("write the value on one line, without template delimiters"),
                );
                continue;
            }
            if checked.section == "LoadBalancer" && !load_balancer {
                out.push(
                    Diagnostic::warning(
                        Code::Ineffective,
                        e.key_span,
                        format!("`[LoadBalancer] {}` has no effect: the cluster has no `loadBalancer`", checked.key),
                    )
                    .label("ignored")
                    .help("add `loadBalancer` to the cluster (stackc writes `enabled = false` without it)"),
                );
            }
        }
    }
}

fn problem(p: Problem, at: Span, header: &str, key: &str, keys: &ConfKeys) -> Diagnostic {
    let release = keys.source.split(" (").next().unwrap_or_default();
    let release = release.trim_start_matches("cloud.conf sections and keys read by ");
    match p {
        Problem::BadHeader => Diagnostic::error(
            Code::UnknownCloudConfKey,
            at,
            format!("`{header}` is not a cloud.conf section"),
        )
        .label("bad section")
        .help(
            "a section is `Name` or `Name \"subsection\"`, e.g. `LoadBalancerClass \"internal\"`",
        ),
        Problem::UnknownSection { suggestion, known } => {
            let help = match suggestion {
                Some(s) => format!(
                    "did you mean `{s}`? (cloud-provider-openstack would silently ignore `[{header}]`)"
                ),
                None => format!("{release} reads {}", quoted_list(&known)),
            };
            Diagnostic::error(
                Code::UnknownCloudConfKey,
                at,
                format!("cloud-provider-openstack has no cloud.conf section `[{header}]`"),
            )
            .label("unknown section")
            .help(help)
        }
        Problem::SubsectionRequired { section } => Diagnostic::error(
            Code::UnknownCloudConfKey,
            at,
            format!("`[{section}]` needs a name"),
        )
        .label("no subsection")
        .help(format!(
            "write `{section} \"<name>\"` (a named class a Service selects)"
        )),
        Problem::SubsectionNotAllowed { section } => Diagnostic::error(
            Code::UnknownCloudConfKey,
            at,
            format!("`[{section}]` takes no subsection"),
        )
        .label("subsection not read")
        .help(format!("write `{section}`")),
        Problem::UnknownKey {
            section,
            suggestion,
            known,
        } => {
            let help = match suggestion {
                Some(s) => format!(
                    "did you mean `{s}`? (cloud-provider-openstack would silently ignore `{key}`)"
                ),
                None => format!("[{section}] takes {}", quoted_list(known.iter().take(16))),
            };
            Diagnostic::error(
                Code::UnknownCloudConfKey,
                at,
                format!("cloud-provider-openstack has no cloud.conf key `[{section}] {key}`"),
            )
            .label("unknown key")
            .help(help)
        }
        Problem::BadValue { key, expected } => Diagnostic::error(
            Code::InvalidCloudConfValue,
            at,
            format!("cloud.conf `{key}` must be {expected}"),
        )
        .label("wrong form")
        .help(format!("write {expected}")),
    }
}

fn missing_library(at: Span, message: &str, file: &str) -> Diagnostic {
    Diagnostic::error(Code::LibraryKubernetes, at, message.to_string())
        .label("needs library data")
        .help(format!(
            "add `{file}` to the library (see library/README.md)"
        ))
}
