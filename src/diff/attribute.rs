//! Which site or layer line caused a changed line of a config file inside
//! a hydrated ConfigMap or Secret, from the provenance resolution keeps:
//!
//! 1. the chart value the line is rendered from: `conf.<file>.<section>.<key>`
//!    (any `conf.*` map holding `[section] key` whose value, formatted the
//!    way Go templates print it, is the line's value; the map named like the
//!    file wins): helm-toolkit's `to_oslo_conf` writes
//!    `conf.nova.DEFAULT.cpu_allocation_ratio` as `[DEFAULT]
//!    cpu_allocation_ratio` in `nova.conf`;
//! 2. otherwise a chart value of the component that changed and whose new
//!    text the line contains (an endpoint host inside a URL, ...);
//! 3. otherwise, when the component's chart version changed, the pin in the
//!    release file (the chart's own defaults changed).

use super::config::{FileChange, Format};
use super::{Op, Origin, Side};
use crate::source::{Files, Span};
use crate::yaml::{Node, PathSeg, Value};

/// The origin of a changed config line of `component`, if one is found.
pub fn config_line(old: &Side, new: &Side, component: &str, change: &FileChange) -> Option<Origin> {
    let (side, value) = match change.op {
        Op::Removed => (old, change.old.as_deref()),
        _ => (new, change.new.as_deref()),
    };
    let (files, resolved) = side.resolved.as_ref()?;
    let c = resolved.components.get(component)?;
    if let Some(span) = direct(&c.values, change, value) {
        return Some(origin(files, span, None));
    }
    let old_c = old
        .resolved
        .as_ref()
        .and_then(|(_, r)| r.components.get(component));
    let new_c = new
        .resolved
        .as_ref()
        .and_then(|(_, r)| r.components.get(component));
    if let (Some(oc), Some(nc), Some(v)) = (old_c, new_c, value)
        && let Some(span) = contained(&oc.values, &nc.values, v)
    {
        let files = &new.resolved.as_ref()?.0;
        return Some(origin(files, span, None));
    }
    if let (Some(oc), Some(nc)) = (old_c, new_c)
        && oc.version != nc.version
    {
        let files = &new.resolved.as_ref()?.0;
        return Some(origin(
            files,
            nc.pin,
            Some(format!(
                "chart {} {} -> {}",
                nc.chart, oc.version, nc.version
            )),
        ));
    }
    None
}

/// The origin of a changed field of a hydrated object (an image, a
/// replica count...): the component's changed chart value it holds.
pub fn field(old: &Side, new: &Side, component: &str, value: &str) -> Option<Origin> {
    let (files, resolved) = new.resolved.as_ref()?;
    let nc = resolved.components.get(component)?;
    let oc = old.resolved.as_ref()?.1.components.get(component)?;
    contained(&oc.values, &nc.values, value).map(|span| origin(files, span, None))
}

fn origin(files: &Files, span: Span, cause: Option<String>) -> Origin {
    let loc = files.location(span);
    Origin {
        layer: files.get(span.file).layer.to_string(),
        file: loc.file,
        line: loc.line,
        cause,
    }
}

/// The `conf.*` value a config line is rendered from.
fn direct(values: &Node, change: &FileChange, value: Option<&str>) -> Option<Span> {
    let conf = values.get("conf")?.as_map()?;
    let inner: Vec<String> = match change.format {
        Format::Ini => vec![change.section.clone()?, change.key.clone()?],
        Format::Yaml | Format::Json if !change.location.contains(['[', ' ']) => {
            change.location.split('.').map(str::to_string).collect()
        }
        _ => return None,
    };
    let inner: Vec<PathSeg> = inner.into_iter().map(PathSeg::Key).collect();
    let stem = change
        .file
        .split('.')
        .next()
        .unwrap_or_default()
        .replace('-', "_");
    // conf.<name>.<inner> and conf.<group>.<name>.<inner>, the map named
    // like the file first.
    let mut candidates: Vec<(bool, &Node)> = Vec::new();
    for (name, e) in conf {
        if let Some(n) = e.node.at(&inner) {
            candidates.push((*name == stem, n));
        }
        if let Some(group) = e.node.as_map() {
            for (sub, e2) in group {
                if let Some(n) = e2.node.at(&inner) {
                    candidates.push((*sub == stem, n));
                }
            }
        }
    }
    candidates.sort_by_key(|(named, _)| !named);
    candidates
        .into_iter()
        .find(|(_, n)| value.is_none_or(|v| go_text(n).as_deref() == Some(v)))
        .map(|(_, n)| n.span)
}

/// A value of the component that changed and whose new text the line holds
/// (the longest such value).
fn contained(old: &Node, new: &Node, line: &str) -> Option<Span> {
    let mut best: Option<(usize, Span)> = None;
    let mut path = Vec::new();
    walk(new, &mut path, &mut |p, n| {
        let Some(t) = go_text(n) else { return };
        if t.len() < 3 || !line.contains(&t) || old.at(p).and_then(go_text).as_deref() == Some(&t) {
            return;
        }
        if best.is_none_or(|(len, _)| t.len() > len) {
            best = Some((t.len(), n.span));
        }
    });
    best.map(|(_, s)| s)
}

fn walk(n: &Node, path: &mut Vec<PathSeg>, f: &mut dyn FnMut(&[PathSeg], &Node)) {
    match &n.value {
        Value::Map(m) => {
            for (k, e) in m {
                path.push(PathSeg::Key(k.clone()));
                walk(&e.node, path, f);
                path.pop();
            }
        }
        Value::Seq(_) | Value::Null => {}
        _ => f(path, n),
    }
}

/// A value as a Go template prints it (`{{ $value }}`): numbers as Helm
/// holds them (float64, `%v`), lists joined with commas (helm-toolkit), a
/// `{type, values}` map as its values.
pub fn go_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(go_float(*i as f64)),
        Value::Float(f) => Some(go_float(*f)),
        Value::Seq(items) => items
            .iter()
            .map(go_text)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        Value::Map(_) => n.get("values").and_then(go_text),
        Value::Null => None,
    }
}

/// Go's `%v` of a float64 (`strconv` 'g', shortest): exponent form below
/// 1e-4 and from 1e6 (so Helm prints a value of 1000000 as `1e+06`).
fn go_float(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    if (-4..6).contains(&exp) {
        return format!("{f}");
    }
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_formatting() {
        assert_eq!(go_float(4.0), "4");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(300.0), "300");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1e-5), "1e-05");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(1234567.0), "1.234567e+06");
    }
}
