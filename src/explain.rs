//! `stackc explain`: the final value at a path and every layer that set it.

use crate::cloudconf::{CloudConf, ConfText};
use crate::diagnostic::{Code, Diagnostic, did_you_mean, quoted_list};
use crate::library::{ChartKeys, KeyCheck, Library};
use crate::resolve::{LayerValues, Resolved};
use crate::source::{Files, Location};
use crate::yaml::{Node, PathSeg, Value, path_to_string};

/// One layer's say on the path.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Setting {
    pub layer: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The value this layer wrote (`null` when it deleted the key).
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    pub component: String,
    pub path: String,
    /// `None` when no layer sets it (the chart's own default applies).
    pub value: Option<serde_json::Value>,
    /// Lowest precedence first; the last one wins.
    pub set_by: Vec<Setting>,
}

/// Explains `component.path.to.value`, or a value of a cluster on the
/// cloud: `clusters.<cluster>.cloud.conf.<Section>.<key>`,
/// `clusters.<cluster>.manila.<key>` (the Manila CSI secret) or
/// `clusters.<cluster>.<chart>.<path>`.
pub fn explain(
    resolved: &Resolved,
    lib: &Library,
    files: &Files,
    dotted: &str,
) -> Result<Explanation, Diagnostic> {
    let (head, rest) = dotted.split_once('.').unwrap_or((dotted, ""));
    if head == "clusters"
        && !resolved.clusters.is_empty()
        && !resolved.components.contains_key(head)
    {
        return explain_cluster(resolved, lib, files, dotted, rest);
    }
    let Some(c) = resolved.components.get(head) else {
        let names: Vec<&str> = resolved.components.keys().map(String::as_str).collect();
        let help = if lib.components.contains_key(head) {
            format!("`{head}` is not enabled in this site")
        } else {
            let close = (head.len() <= 100)
                .then(|| did_you_mean(head, names.iter().copied()))
                .flatten();
            match close {
                Some(s) => format!(
                    "did you mean `{s}`? A path starts with a component: `nova.pod.replicas.osapi`"
                ),
                None => format!(
                    "a path starts with one of the site's components: {}",
                    names.join(", ")
                ),
            }
        };
        return Err(Diagnostic::at_path(
            Code::UnknownPath,
            clip(dotted),
            format!("`{}` is not a component of this site", clip(head)),
        )
        .help(help));
    };
    let keys = lib.components[&c.name]
        .keys
        .as_ref()
        .map(|k| k.get(&lib.files));
    let values = Values {
        name: &c.name,
        chart: &c.chart,
        values: &c.values,
        layers: &c.layers,
        keys,
    };
    values.explain(files, dotted, rest)
}

/// A chart's values in layers, explained the same way for components and
/// the charts of clusters.
struct Values<'a> {
    /// `nova`, `clusters.apps.openstack-cinder-csi`.
    name: &'a str,
    chart: &'a str,
    values: &'a Node,
    layers: &'a [LayerValues],
    keys: Option<&'a ChartKeys>,
}

impl Values<'_> {
    fn explain(&self, files: &Files, dotted: &str, rest: &str) -> Result<Explanation, Diagnostic> {
        let raw: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('.').collect()
        };
        let path = match resolve_path(self.values, self.layers, &raw) {
            Some(p) => p,
            None => return self.not_found(dotted, &raw),
        };
        let mut set_by = Vec::new();
        for layer in self.layers {
            if let Some(node) = layer.tree.at(&path) {
                set_by.push(setting(files, &layer.label, node));
            }
        }
        let value = self.values.at(&path).map(Node::to_sorted_json);
        if value.is_none() && set_by.is_empty() {
            return self.not_found(dotted, &raw);
        }
        Ok(Explanation {
            component: self.name.to_string(),
            path: path_to_string(&path),
            value,
            set_by,
        })
    }
}

/// `clusters.<cluster>.<what>`.
fn explain_cluster(
    resolved: &Resolved,
    lib: &Library,
    files: &Files,
    dotted: &str,
    rest: &str,
) -> Result<Explanation, Diagnostic> {
    let (name, what) = rest.split_once('.').unwrap_or((rest, ""));
    let names: Vec<&str> = resolved.clusters.iter().map(|c| c.name.as_str()).collect();
    let Some(c) = resolved.clusters.iter().find(|c| c.name == name) else {
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `clusters.{s}`?"),
            None => format!("the site's clusters: {}", quoted_list(&names)),
        };
        return Err(Diagnostic::at_path(
            Code::UnknownPath,
            clip(dotted),
            format!("`{}` is not a cluster of this site", clip(name)),
        )
        .help(help));
    };
    let display = format!("clusters.{}", c.name);
    let conf_entry = |conf: &CloudConf, section: &str, key: &str, path: String| {
        let e = conf
            .sections
            .iter()
            .filter(|s| s.name.eq_ignore_ascii_case(section))
            .flat_map(|s| &s.entries)
            .find(|e| e.key.eq_ignore_ascii_case(key))?;
        let value = match &e.value {
            ConfText::Literal(v) => v.clone(),
            ConfText::Secret(_) => format!(
                "(from the secret store: {})",
                e.sources.first().map_or(String::new(), |s| s.value.clone())
            ),
        };
        Some(Explanation {
            component: display.clone(),
            path,
            value: Some(serde_json::Value::String(value)),
            set_by: e
                .sources
                .iter()
                .map(|s| {
                    let Location { file, line, column } = files.location(s.span);
                    Setting {
                        layer: s.label.clone(),
                        file,
                        line,
                        column,
                        value: serde_json::Value::String(s.value.clone()),
                    }
                })
                .collect(),
        })
    };
    let unknown = |what: &str, known: Vec<String>| {
        Diagnostic::at_path(
            Code::UnknownPath,
            clip(dotted),
            format!("cluster `{}` has no value `{}`", c.name, clip(what)),
        )
        .help(match did_you_mean(what, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{display}.{s}`?"),
            None => format!("values here: {}", quoted_list(known.iter().take(15))),
        })
    };
    if let Some(r) = what.strip_prefix("cloud.conf.") {
        let (section, key) = r.split_once('.').unwrap_or((r, ""));
        return conf_entry(
            &c.cloud_conf,
            section,
            key,
            format!("cloud.conf.{section}.{key}"),
        )
        .ok_or_else(|| {
            unknown(
                what,
                c.cloud_conf
                    .sections
                    .iter()
                    .flat_map(|s| {
                        s.entries
                            .iter()
                            .map(move |e| format!("cloud.conf.{}.{}", s.name, e.key))
                    })
                    .collect(),
            )
        });
    }
    if let (Some(key), Some(m)) = (what.strip_prefix("manila."), &c.manila_secret) {
        return conf_entry(m, "", key, format!("manila.{key}")).ok_or_else(|| {
            unknown(
                what,
                m.sections
                    .iter()
                    .flat_map(|s| &s.entries)
                    .map(|e| format!("manila.{}", e.key))
                    .collect(),
            )
        });
    }
    let (chart, path) = what.split_once('.').unwrap_or((what, ""));
    match c.chart(chart) {
        Some(ch) => {
            let name = format!("{display}.{}", ch.chart);
            Values {
                name: &name,
                chart: &ch.chart,
                values: &ch.values,
                layers: &ch.layers,
                keys: lib
                    .kubernetes
                    .charts
                    .get(&ch.chart)
                    .and_then(|k| k.keys.as_ref())
                    .map(|k| k.get(&lib.files)),
            }
            .explain(files, dotted, path)
        }
        None => {
            let mut known = vec!["cloud.conf".to_string()];
            if c.manila_secret.is_some() {
                known.push("manila".into());
            }
            known.extend(c.charts.iter().map(|ch| ch.chart.clone()));
            Err(unknown(what, known))
        }
    }
}

fn setting(files: &Files, label: &str, node: &Node) -> Setting {
    let Location { file, line, column } = files.location(node.span);
    Setting {
        layer: label.to_string(),
        file,
        line,
        column,
        value: node.to_sorted_json(),
    }
}

/// Matches path words to keys, joining words for keys that contain dots:
/// at each step the longest key of the maps there (in the final values or
/// any layer) that the rest of the path starts with, or a list index. Time
/// is linear in the path's length (each step consumes what it matched;
/// nothing is re-joined).
fn resolve_path(values: &Node, layers: &[LayerValues], raw: &[&str]) -> Option<Vec<PathSeg>> {
    let trees: Vec<&Node> = std::iter::once(values)
        .chain(layers.iter().map(|l| &l.tree))
        .collect();
    let joined = raw.join(".");
    let mut rest = joined.as_str();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let here: Vec<&Node> = trees.iter().filter_map(|t| t.at(&out)).collect();
        let key = here
            .iter()
            .filter_map(|n| n.as_map())
            .flat_map(|m| m.keys())
            .filter(|k| {
                rest.strip_prefix(k.as_str())
                    .is_some_and(|after| after.is_empty() || after.starts_with('.'))
            })
            .max_by_key(|k| k.len());
        let word = rest.split('.').next().unwrap_or("");
        let (seg, used) = match key {
            Some(k) => (PathSeg::Key(k.clone()), k.len()),
            None => {
                let i: usize = word.parse().ok()?;
                let is_item = here
                    .iter()
                    .any(|n| matches!(&n.value, Value::Seq(items) if i < items.len()));
                if !is_item {
                    return None;
                }
                (PathSeg::Index(i), word.len())
            }
        };
        out.push(seg);
        rest = &rest[used..];
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if out.len() > 1024 {
            return None;
        }
    }
    Some(out)
}

/// A path as shown in a message (a hostile one can be megabytes long).
fn clip(path: &str) -> String {
    if path.chars().count() > 200 {
        let mut s: String = path.chars().take(197).collect();
        s.push_str("...");
        s
    } else {
        path.to_string()
    }
}

impl Values<'_> {
    fn not_found(&self, dotted: &str, raw: &[&str]) -> Result<Explanation, Diagnostic> {
        let segs: Vec<PathSeg> = raw.iter().map(|s| PathSeg::Key(s.to_string())).collect();
        let keys = self.keys;
        // A key the chart has but no layer sets: the chart default applies.
        if let Some(keys) = keys
            && keys.check(&segs) == KeyCheck::Known
            && !raw.is_empty()
        {
            return Ok(Explanation {
                component: self.name.to_string(),
                path: raw.join("."),
                value: None,
                set_by: Vec::new(),
            });
        }
        // Suggest from what exists at the deepest point reached.
        let mut node = self.values;
        let mut depth = 0;
        for seg in &segs {
            match node.at(std::slice::from_ref(seg)) {
                Some(n) => {
                    node = n;
                    depth += 1;
                }
                None => break,
            }
        }
        let mut candidates: Vec<String> = match &node.value {
            Value::Map(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        if let Some(KeyCheck::Unknown { siblings, .. }) = keys.map(|k| k.check(&segs)) {
            candidates.extend(siblings);
        }
        candidates.sort();
        candidates.dedup();
        let word = raw.get(depth).copied().unwrap_or("");
        // A hostile path's word can be huge: suggest only for plausible ones.
        let suggestion = (word.len() <= 100)
            .then(|| did_you_mean(word, candidates.iter().map(String::as_str)))
            .flatten();
        let help = match suggestion {
            Some(s) => {
                let mut fixed: Vec<&str> = raw[..depth].to_vec();
                fixed.push(s);
                format!("did you mean `{}.{}`?", self.name, clip(&fixed.join(".")))
            }
            None if candidates.is_empty() => {
                "`stackc values SITE COMPONENT` prints every value".into()
            }
            None => format!("keys here: {}", quoted_list(candidates.iter().take(15))),
        };
        Err(Diagnostic::at_path(
            Code::UnknownPath,
            clip(dotted),
            format!(
                "the `{}` chart has no value `{}`",
                self.chart,
                clip(&raw.join("."))
            ),
        )
        .help(help))
    }
}

/// The human text of an explanation.
pub fn to_text(e: &Explanation) -> String {
    let mut out = String::new();
    let full = if e.path.is_empty() {
        e.component.clone()
    } else {
        format!("{}.{}", e.component, e.path)
    };
    match &e.value {
        None if e.set_by.is_empty() => {
            out.push_str(&format!(
                "{full} is not set by stackc: the chart's default applies\n"
            ));
            return out;
        }
        None => out.push_str(&format!(
            "{full} is deleted (the chart's default applies)\n"
        )),
        Some(v) if is_scalar(v) => out.push_str(&format!("{full} = {}\n", inline(v))),
        Some(v) => {
            out.push_str(&format!("{full} =\n"));
            for line in crate::yaml::to_string(v).lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    out.push_str("\nset by (lowest precedence first, the last one wins):\n");
    let lw = e.set_by.iter().map(|s| s.layer.len()).max().unwrap_or(0);
    let locs: Vec<String> = e
        .set_by
        .iter()
        .map(|s| format!("{}:{}:{}", s.file, s.line, s.column))
        .collect();
    let fw = locs.iter().map(String::len).max().unwrap_or(0);
    for (s, loc) in e.set_by.iter().zip(&locs) {
        let v = match &s.value {
            serde_json::Value::Null => "(deleted)".to_string(),
            v if is_scalar(v) => inline(v),
            serde_json::Value::Array(a) => format!("[{} items]", a.len()),
            serde_json::Value::Object(m) => format!("{{{} keys}}", m.len()),
            _ => String::new(),
        };
        out.push_str(&format!("  {:lw$}  {:fw$}  {v}\n", s.layer, loc));
    }
    out
}

fn is_scalar(v: &serde_json::Value) -> bool {
    !matches!(
        v,
        serde_json::Value::Object(_) | serde_json::Value::Array(_)
    ) || matches!(v, serde_json::Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()))
}

fn inline(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
