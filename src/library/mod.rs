//! The layered service library: component definitions and values, release
//! data, profiles, and organisation layers. The default library is embedded
//! in the binary; `--library DIR` replaces it; `--layer DIR` adds layers.
//!
//! Layout (documented in `library/README.md`):
//!
//! ```text
//! components/<name>/component.yaml    definition (chart, requirements, catalogue, ...)
//! components/<name>/values.yaml       component defaults           (values file)
//! components/<name>/site.yaml         how the site spec maps in    (values file)
//! components/<name>/chart-keys.yaml   the keys the chart knows     (generated)
//! releases/<series>/release.yaml      release metadata, chart versions
//! releases/<series>/<name>.yaml       release values (image tags)  (values file)
//! releases/retired.yaml               releases no longer rendered, and why
//! components/unsupported.yaml         services openstack-helm has no chart for
//! profiles/<profile>/profile.yaml     profile description
//! profiles/<profile>/<name>.yaml      profile values               (values file)
//! ```
//!
//! A layer directory holds `<name>.yaml` values files and an optional
//! `layer.yaml` (`description:`).

mod component;
mod conf_keys;
mod key_check;
mod keys;
pub mod kubernetes;
mod lazy;
mod plan;
mod source;
mod values;

use indexmap::IndexMap;
use serde::Deserialize;

pub use component::{
    ComponentDef, ComponentKind, EndpointDef, NeedsCeph, RequiredSetting, Requirement, RouteDef,
    SecretValue, Selectors,
};
pub use conf_keys::{
    ConfKey, ConfKeys, ConfSection, ConfType, LazyConfKeys, Subsections, split_section,
};
pub use key_check::check as check_chart_keys;
pub use keys::{ChartKeys, KeyCheck, is_free_form};
pub use kubernetes::{CpoChart, CpoDef, KubernetesLib, ManagementDef};
pub use lazy::{LazyKeys, LazyValues};
pub use plan::{Edge, EdgeKind, Plan, Why, plan};
pub use source::{RawFile, RawTree, directory, embedded, embedded_releases, is_library_file};
pub use values::{Fragment, ValuesFile};

use crate::decode::decode;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::load;
use crate::source::{FileId, Files, Layer, Span};
use crate::yaml::{Node, PathSeg};

/// A loaded library. Every file is registered in `files`, so definitions and
/// values keep their spans.
pub struct Library {
    pub files: Files,
    /// Display root: `library` or the `--library` directory.
    pub root: String,
    /// Components by name, in name order.
    pub components: IndexMap<String, Component>,
    /// Release series by name, in name order.
    pub releases: IndexMap<String, Release>,
    /// Releases the library no longer renders (`releases/retired.yaml`).
    pub retired: IndexMap<String, RetiredRelease>,
    /// OpenStack services openstack-helm has no chart for
    /// (`components/unsupported.yaml`), and what to use instead.
    pub unsupported: IndexMap<String, Unsupported>,
    /// Profiles by name, in name order.
    pub profiles: IndexMap<String, Profile>,
    /// Organisation layers, lowest precedence first.
    pub layers: Vec<OrgLayer>,
    /// Data for Kubernetes on this cloud (`kubernetes/`).
    pub kubernetes: KubernetesLib,
}

pub struct Component {
    pub name: String,
    /// `component.yaml`, parsed on first use: `stackc validate` mostly needs
    /// only the names. A `--library` directory is parsed (and checked)
    /// when it loads; the embedded library is checked by the test suite.
    file: FileId,
    source: std::sync::Arc<crate::source::SourceFile>,
    parsed: std::sync::OnceLock<Result<(ComponentDef, Node), Vec<Diagnostic>>>,
    /// `values.yaml`: the component defaults layer.
    pub values: Option<LazyValues>,
    /// `site.yaml`: values derived from the site spec.
    pub site: Option<LazyValues>,
    /// `chart-keys.txt`: the keys the chart knows.
    pub keys: Option<LazyKeys>,
}

impl Component {
    fn parsed(&self) -> &Result<(ComponentDef, Node), Vec<Diagnostic>> {
        self.parsed.get_or_init(|| {
            let (doc, diags) = load::parse_one_source(self.file, &self.source);
            match doc {
                Some(doc) if diags.is_empty() => {
                    decode::<ComponentDef>(&doc, "component definition")
                        .map(|def| (def, doc))
                        .map_err(|d| vec![d])
                }
                _ => Err(diags),
            }
        })
    }

    /// The definition's problems, if any (parses it).
    pub fn problems(&self) -> &[Diagnostic] {
        match self.parsed() {
            Ok(_) => &[],
            Err(d) => d,
        }
    }

    /// The definition. Definitions are checked before use: when a
    /// `--library` directory loads, and by the test suite for the embedded
    /// library, so this never sees a broken one.
    pub fn def(&self) -> &ComponentDef {
        &self
            .parsed()
            .as_ref()
            .expect("component definitions are checked when the library loads")
            .0
    }

    /// Whether the `when:` condition of `<field>[index]` of the definition
    /// (a requirement, an integration, a secret, ...) holds; no condition
    /// holds. A failing expression is an error at the condition.
    pub fn when_holds(
        &self,
        field: &str,
        index: usize,
        when: Option<&str>,
        engine: &crate::template::Engine,
        ctx: &minijinja::Value,
    ) -> Result<bool, Diagnostic> {
        let Some(cond) = when else { return Ok(true) };
        engine.eval_bool(cond, ctx).map_err(|e| {
            // A list field's entry (`requires[i]`), or a map field itself
            // (`needsCeph`).
            let field_node = self.doc().get(field);
            let is_map = field_node.is_some_and(|n| n.as_map().is_some());
            let entry = field_node.and_then(|n| match is_map {
                true => Some(n),
                false => n.at(&[PathSeg::Index(index)]),
            });
            let at = match is_map {
                true => field.to_string(),
                false => format!("{field}[{index}]"),
            };
            let span = entry
                .and_then(|n| n.get("when"))
                .or(entry)
                .map_or(self.doc().span.with_len(0), |n| n.span);
            Diagnostic::error(
                e.code(),
                span,
                format!(
                    "`{}` {at}: condition failed: {}",
                    self.name,
                    e.describe()
                ),
            )
            .label("in this condition")
            .help(crate::template::suggest_undefined(cond, ctx).unwrap_or_else(|| {
                "a condition must be true or false; fix the expression in the library (see library/README.md)".into()
            }))
        })
    }

    /// The definition document (for spans).
    pub fn doc(&self) -> &Node {
        &self
            .parsed()
            .as_ref()
            .expect("component definitions are checked when the library loads")
            .1
    }
}

/// `releases/<series>/release.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReleaseDef {
    /// The series name, equal to the directory name (`2025.1`).
    pub name: String,
    /// The OpenStack code name (`Epoxy`).
    pub codename: String,
    /// Whether this is a SLURP release (skip-level upgrades between them).
    #[serde(default)]
    pub slurp: bool,
    /// Releases a site may upgrade from directly into this one.
    #[serde(default)]
    pub upgrades_from: Vec<String>,
    /// The openstack-helm chart series the pins come from (`2026.1`).
    #[serde(default)]
    pub chart_series: Option<String>,
    /// What the release's image catalogue is derived from.
    #[serde(default)]
    pub images: Option<ReleaseImages>,
    /// The chart version pinned per chart. A chart without a pin has no
    /// published version for this release: enabling it is an error (E0031).
    #[serde(default)]
    pub charts: IndexMap<String, String>,
}

/// `images:` of a release: the inputs of `scripts/gen-release-values`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseImages {
    /// The Ubuntu release of the OpenStack images (`noble`).
    pub distro: String,
    /// The RabbitMQ broker version every RabbitMQ image follows.
    pub rabbitmq: String,
}

/// An entry of `releases/retired.yaml`: a release the library no longer
/// renders, and what a site naming it should do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredRelease {
    pub codename: String,
    pub reason: String,
    pub help: String,
}

/// An entry of `components/unsupported.yaml`: an OpenStack service that
/// openstack-helm has no chart for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsupported {
    /// What the service does (`containers as a service`).
    pub what: String,
    /// What a site uses instead.
    pub instead: String,
}

pub struct Release {
    pub def: ReleaseDef,
    pub file: FileId,
    /// The parsed `release.yaml` (for the spans of chart pins).
    pub doc: Node,
    /// Release values per component (image tags).
    pub values: IndexMap<String, LazyValues>,
}

impl Release {
    /// The chart version pinned for a chart in this release, if upstream
    /// published one that fits it.
    pub fn chart_version(&self, chart: &str) -> Option<&str> {
        self.def.charts.get(chart).map(String::as_str)
    }

    /// Where the chart version of a chart is pinned: its `charts:` entry
    /// (the start of the file when there is none).
    pub fn pin_span(&self, chart: &str) -> Span {
        self.doc
            .get("charts")
            .and_then(|c| c.get(chart))
            .map_or(self.doc.span.with_len(0), |n| n.span)
    }
}

/// Why a release cannot run a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The release pins no version of the component's chart.
    NoChart,
    /// The release's image catalogue says `unavailable:` (at `at`).
    NoImages { reason: String, at: Span },
}

/// `profiles/<name>/profile.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDef {
    pub description: String,
}

pub struct Profile {
    pub name: String,
    pub def: ProfileDef,
    pub values: IndexMap<String, LazyValues>,
}

/// An organisation layer (`--layer DIR`).
pub struct OrgLayer {
    pub name: String,
    pub dir: String,
    pub description: Option<String>,
    pub values: IndexMap<String, ValuesFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerDef {
    description: String,
}

/// A values file waiting for its owner to be known.
struct Pending {
    owner: String,
    component: String,
    file: FileId,
}

impl Library {
    /// Loads the embedded default library. Its definitions are parsed on
    /// first use; `Library::check` (run by the test suite) verifies them.
    pub fn embedded() -> Result<Library, (Files, Vec<Diagnostic>)> {
        Library::build(embedded())
    }

    /// Loads from a file tree and checks every definition; every problem is
    /// reported, located.
    pub fn from_tree(tree: RawTree) -> Result<Library, (Files, Vec<Diagnostic>)> {
        let lib = Library::build(tree)?;
        let diags = lib.check();
        if diags.is_empty() {
            Ok(lib)
        } else {
            Err((lib.files, diags))
        }
    }

    /// Why `release` cannot run `component`; `None` when it can. The
    /// release and component must exist.
    pub fn gap(&self, release: &Release, component: &str) -> Option<Gap> {
        let chart = &self.components[component].def().chart;
        if release.chart_version(chart).is_none() {
            return Some(Gap::NoChart);
        }
        let vf = release.values.get(component)?.get(&self.files).ok()?;
        vf.unavailable.as_ref().map(|(reason, at)| Gap::NoImages {
            reason: reason.clone(),
            at: *at,
        })
    }

    /// Parses and checks every component definition and the references
    /// between them.
    pub fn check(&self) -> Vec<Diagnostic> {
        let mut diags: Vec<Diagnostic> = self
            .components
            .values()
            .flat_map(|c| c.problems().iter().cloned())
            .collect();
        if diags.is_empty() {
            self.check_references(&mut diags);
        }
        self.check_values(&mut diags);
        diags
    }

    /// Every values file parses and holds no secret value.
    fn check_values(&self, diags: &mut Vec<Diagnostic>) {
        let components = self
            .components
            .values()
            .flat_map(|c| [c.values.as_ref(), c.site.as_ref()])
            .flatten();
        let releases = self.releases.values().flat_map(|r| r.values.values());
        let profiles = self.profiles.values().flat_map(|p| p.values.values());
        for lazy in components.chain(releases).chain(profiles) {
            match lazy.get(&self.files) {
                Ok(vf) => diags.extend(vf.secret_values("the library")),
                Err(d) => diags.extend(d.iter().cloned()),
            }
        }
    }

    /// Registers a file tree: releases and profiles parsed, the rest on
    /// first use.
    fn build(tree: RawTree) -> Result<Library, (Files, Vec<Diagnostic>)> {
        let mut lib = Library {
            files: Files::new(),
            root: tree.display_root.clone(),
            components: IndexMap::new(),
            releases: IndexMap::new(),
            retired: IndexMap::new(),
            unsupported: IndexMap::new(),
            profiles: IndexMap::new(),
            layers: Vec::new(),
            kubernetes: KubernetesLib::default(),
        };
        let mut diags = Vec::new();
        let mut release_values = Vec::new();
        let mut profile_values = Vec::new();
        let mut component_files = Vec::new();
        let mut definitions: Vec<(String, FileId)> = Vec::new();
        for raw in tree.files {
            let rel = raw.rel;
            let parts: Vec<&str> = rel.split('/').collect();
            let name = format!("{}/{}", tree.display_root, rel);
            let layer = match parts.as_slice() {
                ["components", c, "site.yaml"] => Layer::SiteMapping(c.to_string()),
                ["kubernetes", "charts", c, _] => Layer::Component(c.to_string()),
                ["components", c, _] => Layer::Component(c.to_string()),
                ["releases", r, _] => Layer::Release(r.to_string()),
                ["profiles", p, _] => Layer::Profile(p.to_string()),
                _ => Layer::Library,
            };
            let id = match load::add_bytes(name, raw.bytes, layer, &mut lib.files) {
                Ok(id) => id,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            // Component definitions, values files and key indexes are
            // parsed on first use; release and profile definitions now.
            match parts.as_slice() {
                ["components", c, "component.yaml"] => {
                    lib.components.insert(
                        c.to_string(),
                        Component {
                            name: c.to_string(),
                            file: id,
                            source: lib.files.get_arc(id),
                            parsed: std::sync::OnceLock::new(),
                            values: None,
                            site: None,
                            keys: None,
                        },
                    );
                }
                [
                    "components",
                    c,
                    f @ ("values.yaml" | "site.yaml" | "chart-keys.txt"),
                ] => component_files.push((c.to_string(), f.to_string(), id)),
                ["releases", "retired.yaml"]
                | ["components", "unsupported.yaml"]
                | ["releases", _, "release.yaml"]
                | ["profiles", _, "profile.yaml"] => definitions.push((rel.clone(), id)),
                [
                    "kubernetes",
                    "charts",
                    c,
                    f @ ("values.yaml" | "chart-keys.txt"),
                ] => {
                    let chart = lib.kubernetes.charts.entry(c.to_string()).or_default();
                    if *f == "values.yaml" {
                        chart.values = Some(LazyValues::new(id));
                    } else {
                        chart.keys = Some(LazyKeys::new(id));
                    }
                }
                ["kubernetes", "cloud-conf-keys", f] if f.ends_with(".txt") => {
                    lib.kubernetes.conf_keys.insert(
                        f.trim_end_matches(".txt").to_string(),
                        LazyConfKeys::new(id),
                    );
                }
                ["releases", r, f] => release_values.push(Pending {
                    owner: r.to_string(),
                    component: stem(f).to_string(),
                    file: id,
                }),
                ["profiles", p, f] => profile_values.push(Pending {
                    owner: p.to_string(),
                    component: stem(f).to_string(),
                    file: id,
                }),
                _ => definitions.push((rel.clone(), id)),
            }
        }
        // Release and profile definitions (and anything unexpected), in
        // path order.
        for (rel, id) in definitions {
            let (doc, mut d) = load::parse_one(id, &lib.files);
            diags.append(&mut d);
            let Some(doc) = doc else { continue };
            let parts: Vec<&str> = rel.split('/').collect();
            match parts.as_slice() {
                ["releases", "retired.yaml"] => {
                    match decode::<IndexMap<String, RetiredRelease>>(&doc, "retired releases") {
                        Ok(r) => lib.retired = r,
                        Err(d) => diags.push(d),
                    }
                }
                ["components", "unsupported.yaml"] => {
                    match decode::<IndexMap<String, Unsupported>>(&doc, "unsupported services") {
                        Ok(u) => lib.unsupported = u,
                        Err(d) => diags.push(d),
                    }
                }
                ["releases", r, "release.yaml"] => match decode::<ReleaseDef>(&doc, "release") {
                    Ok(def) if def.name != *r => diags.push(
                        Diagnostic::error(Code::LibraryInvalid, doc.span.with_len(0), format!("releases/{r}/release.yaml names release `{}`", def.name))
                            .help("a release directory is named after its series: releases/<name>/release.yaml"),
                    ),
                    Ok(def) => {
                        lib.releases.insert(
                            def.name.clone(),
                            Release {
                                def,
                                file: id,
                                doc: doc.clone(),
                                values: IndexMap::new(),
                            },
                        );
                    }
                    Err(d) => diags.push(d),
                },
                ["kubernetes", "cloud-provider-openstack.yaml"] => {
                    match decode::<CpoDef>(&doc, "cloud-provider-openstack chart list") {
                        Ok(def) => lib.kubernetes.cpo = Some((def, id)),
                        Err(d) => diags.push(d),
                    }
                }
                ["kubernetes", "management-cluster.yaml"] => {
                    match decode::<ManagementDef>(&doc, "management cluster list") {
                        Ok(def) => lib.kubernetes.management = Some((def, id)),
                        Err(d) => diags.push(d),
                    }
                }
                ["profiles", p, "profile.yaml"] => match decode::<ProfileDef>(&doc, "profile") {
                    Ok(def) => {
                        lib.profiles.insert(
                            p.to_string(),
                            Profile {
                                name: p.to_string(),
                                def,
                                values: IndexMap::new(),
                            },
                        );
                    }
                    Err(d) => diags.push(d),
                },
                _ => diags.push(
                    Diagnostic::error(Code::LibraryInvalid, doc.span.with_len(0), format!("unexpected library file `{rel}`"))
                        .help("library files are components/<name>/{component,values,site}.yaml and chart-keys.txt, releases/<series>/*.yaml, releases/retired.yaml, components/unsupported.yaml, profiles/<name>/*.yaml and kubernetes/ (see library/README.md)"),
                ),
            }
        }
        lib.components.sort_keys();
        lib.releases.sort_keys();
        lib.profiles.sort_keys();
        for (c, f, id) in component_files {
            let Some(comp) = lib.components.get_mut(&c) else {
                diags.push(
                    Diagnostic::error(
                        Code::LibraryInvalid,
                        Span::file_start(id),
                        format!("components/{c}/{f} has no component.yaml beside it"),
                    )
                    .help("every component directory needs a component.yaml"),
                );
                continue;
            };
            match f.as_str() {
                "chart-keys.txt" => comp.keys = Some(LazyKeys::new(id)),
                "values.yaml" => comp.values = Some(LazyValues::new(id)),
                _ => comp.site = Some(LazyValues::new(id)),
            }
        }
        for (kind, pending) in [("release", release_values), ("profile", profile_values)] {
            for p in pending {
                if !lib.components.contains_key(&p.component) {
                    diags.push(unknown_component_file(&lib, &p));
                    continue;
                }
                let slot = match kind {
                    "release" => lib.releases.get_mut(&p.owner).map(|r| &mut r.values),
                    _ => lib.profiles.get_mut(&p.owner).map(|r| &mut r.values),
                };
                match slot {
                    Some(values) => {
                        values.insert(p.component, LazyValues::new(p.file));
                    }
                    None => diags.push(
                        Diagnostic::error(
                            Code::LibraryInvalid,
                            Span::file_start(p.file),
                            format!("{kind}s/{}/ has no {kind}.yaml", p.owner),
                        )
                        .help(format!("every {kind} directory needs a {kind}.yaml")),
                    ),
                }
            }
        }
        if diags.is_empty() {
            Ok(lib)
        } else {
            Err((lib.files, diags))
        }
    }

    /// Adds an organisation layer (`--layer DIR`) on top of the others,
    /// from the directory's file tree (as it is, or at a git revision). The
    /// layer is named after the directory.
    pub fn add_layer(
        &mut self,
        dir: &std::path::Path,
        tree: RawTree,
    ) -> Result<(), Vec<Diagnostic>> {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| tree.display_root.clone());
        let mut layer = OrgLayer {
            name: name.clone(),
            dir: tree.display_root.clone(),
            description: None,
            values: IndexMap::new(),
        };
        let mut diags = Vec::new();
        for raw in tree.files {
            let display = format!("{}/{}", tree.display_root, raw.rel);
            let id = match load::add_bytes(
                display,
                raw.bytes,
                Layer::Org(name.clone()),
                &mut self.files,
            ) {
                Ok(id) => id,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            let Some(doc) = self.parse(id, &mut diags) else {
                continue;
            };
            if raw.rel == "layer.yaml" {
                match decode::<LayerDef>(&doc, "layer") {
                    Ok(d) => layer.description = Some(d.description),
                    Err(d) => diags.push(d),
                }
                continue;
            }
            let comp = stem(&raw.rel).to_string();
            if raw.rel.contains('/') || !self.components.contains_key(&comp) {
                diags.push(unknown_component_file(
                    self,
                    &Pending {
                        owner: name.clone(),
                        component: comp,
                        file: id,
                    },
                ));
                continue;
            }
            match ValuesFile::from_doc(id, doc, false) {
                Ok(v) => {
                    // A layer may only use keys the chart has, and holds no
                    // secret.
                    let c = &self.components[&comp];
                    if let Some(keys) = &c.keys {
                        let keys = keys.get(&self.files);
                        let what = format!("layer {name}");
                        for tree in v.trees() {
                            diags.extend(check_chart_keys(tree, keys, &c.def().chart, &what));
                        }
                    }
                    diags.extend(v.secret_values(&format!("layer `{name}`")));
                    layer.values.insert(comp, v);
                }
                Err(d) => diags.push(d),
            }
        }
        if diags.is_empty() {
            self.layers.push(layer);
            Ok(())
        } else {
            Err(diags)
        }
    }

    fn parse(&self, id: FileId, diags: &mut Vec<Diagnostic>) -> Option<Node> {
        let (doc, mut d) = load::parse_one(id, &self.files);
        diags.append(&mut d);
        doc
    }

    /// Requirements and catalogue uses must name existing things; a
    /// component is never also listed as unsupported.
    fn check_references(&self, diags: &mut Vec<Diagnostic>) {
        for name in self
            .unsupported
            .keys()
            .filter(|n| self.components.contains_key(*n))
        {
            let c = &self.components[name];
            diags.push(
                Diagnostic::error(
                    Code::LibraryInvalid,
                    c.doc().span.with_len(0),
                    format!("`{name}` is a component and listed in components/unsupported.yaml"),
                )
                .help("remove it from components/unsupported.yaml"),
            );
        }
        let provided: Vec<&str> = self
            .components
            .values()
            .flat_map(|c| c.def().provides.keys().map(String::as_str))
            .collect();
        for c in self.components.values() {
            for (field, reqs) in [
                ("requires", &c.def().requires),
                ("integrates", &c.def().integrates),
            ] {
                for (i, r) in reqs.iter().enumerate() {
                    if !self.components.contains_key(r.name()) {
                        let span = c
                            .doc()
                            .get(field)
                            .and_then(|n| n.at(&[PathSeg::Index(i)]))
                            .map_or(c.doc().span, |n| n.span);
                        diags.push(
                            Diagnostic::error(
                                Code::LibraryInvalid,
                                span,
                                format!("`{}` {field} unknown component `{}`", c.name, r.name()),
                            )
                            .label("not in components/")
                            .help("add the component to the library or fix the name"),
                        );
                    }
                }
            }
            for (i, u) in c.def().uses.iter().enumerate() {
                if !provided.contains(&u.as_str()) {
                    let span = c
                        .doc()
                        .get("uses")
                        .and_then(|n| n.at(&[PathSeg::Index(i)]))
                        .map_or(c.doc().span, |n| n.span);
                    let help = match did_you_mean(u, provided.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => {
                            "a used endpoint type must be provided by some component (`provides:`)"
                                .into()
                        }
                    };
                    diags.push(
                        Diagnostic::error(
                            Code::LibraryInvalid,
                            span,
                            format!(
                                "`{}` uses endpoint type `{u}` that no component provides",
                                c.name
                            ),
                        )
                        .label("unknown endpoint type")
                        .help(help),
                    );
                }
            }
        }
    }
}

fn unknown_component_file(lib: &Library, p: &Pending) -> Diagnostic {
    let known: Vec<&str> = lib.components.keys().map(String::as_str).collect();
    let help = match did_you_mean(&p.component, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}.yaml`? values files are named after components"),
        None => "values files are named after components (`stackc library list`)".into(),
    };
    Diagnostic::error(
        Code::LibraryInvalid,
        Span::file_start(p.file),
        format!("`{}.yaml` in `{}` names no component", p.component, p.owner),
    )
    .label("unknown component")
    .help(help)
}

fn stem(file: &str) -> &str {
    file.strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file)
}
