//! Hydration: the Kubernetes objects Helm makes from each component's
//! pinned chart and resolved values (`stackc hydrate`, `stackc diff
//! --hydrate`). A consumer of resolve and render: the values are the ones
//! the chosen target hands each chart.
//!
//! ```text
//! Resolved ──values.rs──▶ values with secret tokens ─┐
//!          ──charts.rs──▶ chart path + digest ───────┼─▶ cache.rs hit? ─▶ helm.rs ─▶ objects.rs ─▶ Manifests
//! ```
//!
//! Layout of `<out>/<site>/` (written by `emit`, atomically, like render):
//!
//! ```text
//! kustomization.yaml                 every object file, sorted
//! <component>/<kind>_<name>.yaml     one object per file, kind in lower case
//! ```
//!
//! Deterministic: values carry tokens, never secrets or random values; the
//! few templates that randomise on their own are normalised after Helm
//! (`unrandom.rs`); the Kubernetes version is fixed; Helm's YAML is
//! rewritten by stackc's writer.

mod cache;
mod charts;
mod objects;
mod unrandom;
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;
use serde_json::json;

pub use cache::Cache;
pub use charts::{ChartRef, ChartStore, Missing};
pub use objects::{HOOK, Object};

use crate::diagnostic::{Code, Diagnostic};
use crate::helm::{self, Failure, Helm, Template};
use crate::render::{CHART_REPOSITORY, Manifests, Target};
use crate::resolve::{Resolved, ResolvedComponent};

/// The Argo CD hook annotation.
pub const ARGOCD_HOOK: &str = "argocd.argoproj.io/hook";

/// How to hydrate.
pub struct Settings {
    pub store: ChartStore,
    /// The Helm binary (`--helm`, else `helm` on PATH), or why there is none.
    pub helm: Result<PathBuf, Failure>,
    pub cache: Option<Cache>,
    /// Per `helm template` run.
    pub timeout: Duration,
    pub target: Target,
}

/// A hydrated site.
#[derive(Debug, Clone)]
pub struct Hydrated {
    pub manifests: Manifests,
    /// Charts rendered by Helm in this run.
    pub rendered: usize,
    /// Charts served from the cache.
    pub cached: usize,
    /// Objects written.
    pub objects: usize,
}

/// One chart to render.
struct Job<'a> {
    component: &'a ResolvedComponent,
    chart: ChartRef,
    values: String,
}

/// Hydrates a resolved site. `done` is called with each component's name
/// when its chart is rendered (for progress).
pub fn hydrate(
    resolved: &Resolved,
    settings: &Settings,
    done: &(dyn Fn(&str) + Sync),
) -> Result<Hydrated, Vec<Diagnostic>> {
    let namespace = resolved.site.spec.namespace.as_str();
    let mut diags = Vec::new();
    let mut jobs = Vec::new();
    for c in resolved.components.values() {
        match settings.store.find(&c.chart, &c.version) {
            Ok(chart) => jobs.push(Job {
                component: c,
                chart,
                values: serde_json::to_string(&values::chart_values(resolved, c, settings.target))
                    .expect("serialisable"),
            }),
            Err(m) => diags.push(missing(c, m, &settings.store.root)),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let names = || {
        jobs.iter()
            .map(|j| j.component.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cannot_run = |f: Failure| {
        vec![
            Diagnostic::at_path(Code::HelmMissing, "helm", f.to_string()).help(format!(
                "hydrating {} needs Helm: install it, put it on PATH or pass --helm PATH",
                names()
            )),
        ]
    };
    let helm_path = settings.helm.clone().map_err(cannot_run)?;
    let helm_version = version(&helm_path, settings).map_err(cannot_run)?;
    let helm = Helm {
        path: helm_path,
        version: helm_version,
    };
    let args = Helm::template_args(
        &Template {
            release: "RELEASE",
            chart: Path::new("CHART"),
            namespace: "NAMESPACE",
            values: "",
        },
        Path::new("VALUES"),
    );
    let outputs: Vec<Result<Output, Vec<Diagnostic>>> = jobs
        .par_iter()
        .map(|j| {
            let c = j.component;
            let key = cache::Key {
                chart_digest: &j.chart.digest,
                values: &j.values,
                release: &c.name,
                namespace,
                kube_version: helm::KUBE_VERSION,
                helm_version: &helm.version,
                args: &args,
            }
            .hash();
            // The objects also depend on the target (the Argo CD hook check).
            let objects_key = format!("{key}|{:?}", settings.target);
            if let Some(files) = settings
                .cache
                .as_ref()
                .and_then(|c| c.get_objects(&objects_key))
                .filter(|files| own_files(&c.name, files))
            {
                done(&c.name);
                return Ok(Output {
                    files,
                    cached: true,
                    hook_errors: Vec::new(),
                });
            }
            let (text, cached) = match settings.cache.as_ref().and_then(|cache| cache.get(&key)) {
                Some(hit) => (hit, true),
                None => {
                    let t = Template {
                        release: &c.name,
                        chart: &j.chart.path,
                        namespace,
                        values: &j.values,
                    };
                    let out = helm
                        .template(&t, settings.timeout)
                        .map_err(|f| vec![failed(c, &j.chart, f)])?;
                    if let Some(cache) = &settings.cache {
                        cache.put(&key, &out);
                    }
                    (out, false)
                }
            };
            done(&c.name);
            let out = write_objects(c, &text, cached, settings.target)?;
            if let Some(cache) = &settings.cache
                && out.hook_errors.is_empty()
            {
                cache.put_objects(&objects_key, &out.files);
            }
            Ok(out)
        })
        .collect();
    let mut files = BTreeMap::new();
    let (mut rendered, mut cached, mut count) = (0, 0, 0);
    for out in outputs {
        match out {
            Ok(o) => {
                if o.cached {
                    cached += 1;
                } else {
                    rendered += 1;
                }
                count += o.files.len();
                diags.extend(o.hook_errors);
                files.extend(o.files);
            }
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let resources: Vec<&String> = files.keys().collect();
    let root = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    });
    files.insert("kustomization.yaml".into(), crate::yaml::to_string(&root));
    Ok(Hydrated {
        manifests: Manifests {
            site: resolved.site.metadata.name.to_string(),
            files,
        },
        rendered,
        cached,
        objects: count,
    })
}

/// One chart's objects, as files of the site tree (one object a file).
struct Output {
    files: Vec<(String, String)>,
    /// Served from the cache rather than rendered by Helm.
    cached: bool,
    /// Hook Jobs Argo CD would run in the wrong phase (errors).
    hook_errors: Vec<Diagnostic>,
}

/// Helm's output for `c` -> its object files (`<component>/<file>`):
/// split, made deterministic, named and written.
fn write_objects(
    c: &ResolvedComponent,
    text: &str,
    cached: bool,
    target: Target,
) -> Result<Output, Vec<Diagnostic>> {
    let mut objs = objects::split(&c.name, text).map_err(|d| vec![d])?;
    unrandom::apply(&c.chart, &c.name, &mut objs);
    let names = objects::file_names(&c.name, &objs).map_err(|d| vec![d])?;
    let hook_errors = if target == Target::Argocd {
        argocd_hooks(c, &objs)
    } else {
        Vec::new()
    };
    let files = objs
        .iter()
        .zip(names)
        .map(|(o, name)| (format!("{}/{name}", c.name), crate::yaml::to_string(&o.doc)))
        .collect();
    Ok(Output {
        files,
        cached,
        hook_errors,
    })
}

/// Whether cached object files are all `<component>/<one file name>.yaml`
/// (an entry edited by hand is a miss, never a path outside the tree).
fn own_files(component: &str, files: &[(String, String)]) -> bool {
    files.iter().all(|(path, _)| {
        path.strip_prefix(component)
            .and_then(|p| p.strip_prefix('/'))
            .is_some_and(|f| f.ends_with(".yaml") && !f.contains('/') && !f.starts_with('.'))
    })
}

/// Helm's version, remembered per binary (path, size, modification time)
/// in the cache, so a warm run starts no process.
fn version(path: &Path, settings: &Settings) -> Result<String, Failure> {
    let fingerprint = cache::file_fingerprint(path).ok();
    let note = fingerprint.map(|f| {
        use sha2::Digest;
        format!(
            "helm-version-{}",
            charts::hex(&sha2::Sha256::digest(f.as_bytes()))
        )
    });
    if let (Some(cache), Some(note)) = (&settings.cache, &note)
        && let Some(v) = cache.note(note)
    {
        return Ok(v);
    }
    let v = Helm::version(path, settings.timeout)?;
    if let (Some(cache), Some(note)) = (&settings.cache, &note) {
        cache.set_note(note, &v);
    }
    Ok(v)
}

/// A pinned chart that cannot be used: located at the pin.
fn missing(c: &ResolvedComponent, m: Missing, root: &Path) -> Diagnostic {
    let pull = format!(
        "helm pull {} --repo {CHART_REPOSITORY} --version '{}' --destination {}",
        c.chart,
        c.version,
        root.display()
    );
    match m {
        Missing::NotFound(have) => {
            let have = if have.is_empty() {
                format!("no version of `{}` is there", c.chart)
            } else {
                format!("it has {}", have.join(", "))
            };
            Diagnostic::error(
                Code::ChartMissing,
                c.pin,
                format!(
                    "chart `{}` {} (component {}) is not in {}",
                    c.chart,
                    c.version,
                    c.name,
                    root.display()
                ),
            )
            .label("pinned here")
            .help(format!("{have}; fetch it with `{pull}`"))
        }
        Missing::DigestMismatch {
            file,
            expected,
            actual,
        } => Diagnostic::error(
            Code::ChartDigest,
            c.pin,
            format!(
                "{} does not match its index: sha256 {actual}, the index says {expected}",
                file.display()
            ),
        )
        .label("pinned here")
        .help(format!(
            "the package is damaged or was replaced: fetch it again with `{pull}`"
        )),
        Missing::Unreadable(e) => Diagnostic::error(
            Code::ChartsDirectory,
            c.pin,
            format!("cannot read chart `{}` {}: {e}", c.chart, c.version),
        )
        .label("pinned here")
        .help("check the permissions of the charts directory"),
    }
}

/// A failed `helm template`, naming the component.
fn failed(c: &ResolvedComponent, chart: &ChartRef, f: Failure) -> Diagnostic {
    let what = format!("helm template {} ({} {})", c.name, c.chart, c.version);
    match f {
        Failure::NotRunnable(e) => Diagnostic::at_path(Code::HelmMissing, what, format!("cannot run helm: {e}"))
            .help("install Helm, put it on PATH or pass --helm PATH"),
        Failure::TimedOut(d) => Diagnostic::at_path(
            Code::HelmTimeout,
            what,
            format!("helm did not finish within {} s and was stopped; nothing was written", d.as_secs()),
        )
        .help(format!("a chart that loops forever never finishes: check {}; or raise --timeout", chart.path.display())),
        Failure::Failed { status, stderr } => Diagnostic::at_path(
            Code::HelmFailed,
            what,
            format!("helm failed ({status}): {stderr}"),
        )
        .help("the chart rejected its values: check the values stackc resolved (`stackc values SITE COMPONENT`) against the chart; nothing was written"),
    }
}

/// Under Argo CD, a Helm hook Job without Argo CD's own hook annotation
/// becomes an Argo CD hook of the matching phase (post-install -> PostSync):
/// it would run after the workloads that wait for it.
fn argocd_hooks(c: &ResolvedComponent, objs: &[Object]) -> Vec<Diagnostic> {
    objs.iter()
        .filter(|o| o.kind == "Job" && o.annotation(ARGOCD_HOOK).is_none())
        .filter_map(|o| {
            let hook = o.annotation(HOOK)?;
            let phase = if hook.contains("post-") {
                "PostSync"
            } else if hook.contains("pre-") {
                "PreSync"
            } else {
                "a hook"
            };
            Some(
                Diagnostic::at_path(
                    Code::ArgoHook,
                    format!("helm template {} ({})", c.name, o.source),
                    format!(
                        "Job {} is a Helm `{hook}` hook without the Argo CD hook annotations stackc sets: Argo CD would run it as {phase}",
                        o.name
                    ),
                )
                .help("stackc sets annotations.job.default for Argo CD; this Job's template does not read it: disable the Job (manifests.*) or add the annotations for it under annotations.job.<job name>"),
            )
        })
        .collect()
}
