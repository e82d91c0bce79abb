//! The layered service library: component definitions, releases and
//! profiles. The default library is embedded in the binary; `--library DIR`
//! replaces it.
//!
//! Layout (documented in `library/README.md`):
//!
//! ```text
//! components/<name>/component.yaml   definition (chart, requirements, ...)
//! releases/<series>.yaml             one OpenStack release series
//! profiles/<name>/profile.yaml       one deployment profile
//! ```

mod component;
mod source;

use indexmap::IndexMap;
use serde::Deserialize;

pub use component::{ComponentDef, ComponentKind, Requirement};
pub use source::{RawTree, directory, embedded};

use crate::decode::decode;
use crate::diagnostic::{Code, Diagnostic};
use crate::load;
use crate::source::{FileId, Files, Layer, Span};
use crate::yaml::Node;

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
    /// Profiles by name, in name order.
    pub profiles: IndexMap<String, Profile>,
}

pub struct Component {
    pub name: String,
    pub def: ComponentDef,
    /// The definition document (for spans).
    pub doc: Node,
}

/// A release series (`releases/<series>.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReleaseDef {
    /// The series name, equal to the file name (`2025.1`).
    pub name: String,
    /// The OpenStack code name (`Epoxy`).
    pub codename: String,
    /// Whether this is a SLURP release (skip-level upgrades between them).
    #[serde(default)]
    pub slurp: bool,
    /// Releases a site may upgrade from directly into this one.
    #[serde(default)]
    pub upgrades_from: Vec<String>,
}

pub struct Release {
    pub def: ReleaseDef,
    pub file: FileId,
}

/// A profile (`profiles/<name>/profile.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDef {
    pub description: String,
}

pub struct Profile {
    pub name: String,
    pub def: ProfileDef,
}

impl Library {
    /// Loads the embedded default library.
    pub fn embedded() -> Result<Library, (Files, Vec<Diagnostic>)> {
        Library::from_tree(embedded())
    }

    /// Loads a library from a directory (`--library DIR`).
    pub fn from_dir(dir: &std::path::Path) -> Result<Library, (Files, Vec<Diagnostic>)> {
        match directory(dir) {
            Ok(tree) => Library::from_tree(tree),
            Err(d) => Err((Files::new(), vec![d])),
        }
    }

    /// Loads from a file tree; every problem is reported, located.
    pub fn from_tree(tree: RawTree) -> Result<Library, (Files, Vec<Diagnostic>)> {
        let mut lib = Library {
            files: Files::new(),
            root: tree.display_root.clone(),
            components: IndexMap::new(),
            releases: IndexMap::new(),
            profiles: IndexMap::new(),
        };
        let mut diags = Vec::new();
        for raw in tree.files {
            let parts: Vec<&str> = raw.rel.split('/').collect();
            let name = format!("{}/{}", tree.display_root, raw.rel);
            let layer = match parts.as_slice() {
                ["components", c, _] => Layer::Component(c.to_string()),
                ["releases", f] => Layer::Release(stem(f).to_string()),
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
            match parts.as_slice() {
                ["components", c, "component.yaml"] => {
                    if let Some(doc) = lib.parse(id, &mut diags) {
                        match decode::<ComponentDef>(&doc, &lib.files, "component definition") {
                            Ok(def) => {
                                lib.components.insert(
                                    c.to_string(),
                                    Component {
                                        name: c.to_string(),
                                        def,
                                        doc,
                                    },
                                );
                            }
                            Err(d) => diags.push(d),
                        }
                    }
                }
                ["releases", f] => {
                    if let Some(doc) = lib.parse(id, &mut diags) {
                        match decode::<ReleaseDef>(&doc, &lib.files, "release") {
                            Ok(def) if def.name != stem(f) => diags.push(
                                Diagnostic::error(Code::LibraryInvalid, doc.span, format!("release file `{f}` names release `{}`", def.name))
                                    .help("a release file is named after its series: releases/<name>.yaml"),
                            ),
                            Ok(def) => {
                                lib.releases.insert(def.name.clone(), Release { def, file: id });
                            }
                            Err(d) => diags.push(d),
                        }
                    }
                }
                ["profiles", p, "profile.yaml"] => {
                    if let Some(doc) = lib.parse(id, &mut diags) {
                        match decode::<ProfileDef>(&doc, &lib.files, "profile") {
                            Ok(def) => {
                                lib.profiles.insert(
                                    p.to_string(),
                                    Profile {
                                        name: p.to_string(),
                                        def,
                                    },
                                );
                            }
                            Err(d) => diags.push(d),
                        }
                    }
                }
                _ => {}
            }
        }
        lib.components.sort_keys();
        lib.releases.sort_keys();
        lib.profiles.sort_keys();
        lib.check_references(&mut diags);
        if diags.is_empty() {
            Ok(lib)
        } else {
            Err((lib.files, diags))
        }
    }

    fn parse(&self, id: FileId, diags: &mut Vec<Diagnostic>) -> Option<Node> {
        let (doc, mut d) = load::parse_one(id, &self.files);
        diags.append(&mut d);
        doc
    }

    /// Requirements must name existing components.
    fn check_references(&self, diags: &mut Vec<Diagnostic>) {
        for c in self.components.values() {
            for (field, reqs) in [
                ("requires", &c.def.requires),
                ("integrates", &c.def.integrates),
            ] {
                for (i, r) in reqs.iter().enumerate() {
                    if !self.components.contains_key(r.name()) {
                        let span = c
                            .doc
                            .get(field)
                            .and_then(|n| n.at(&[crate::yaml::PathSeg::Index(i)]))
                            .map_or(c.doc.span, |n| n.span);
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
        }
    }

    /// Span of a component's requirement entry, for diagnostics.
    pub fn requirement_span(&self, component: &str, index: usize) -> Option<Span> {
        let c = self.components.get(component)?;
        c.doc
            .get("requires")?
            .at(&[crate::yaml::PathSeg::Index(index)])
            .map(|n| n.span)
    }
}

fn stem(file: &str) -> &str {
    file.strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file)
}
