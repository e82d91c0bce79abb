//! The files inside ConfigMaps and Secrets, decoded and diffed by format:
//! INI (oslo `*.conf`, `*.ini`) by section and key, YAML and JSON by path,
//! anything else by line. Secret material inside them is masked unless it
//! is a secret token (hydrated output holds tokens, never values).

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::tree::{self, Op, path_string};
use crate::secret;

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Ini,
    Yaml,
    Json,
    Text,
    Binary,
}

/// One changed line, key or path of a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileChange {
    /// The data key (the file name: `nova.conf`).
    pub file: String,
    pub format: Format,
    /// `[DEFAULT] cpu_allocation_ratio`, `a.b[name=x]`, `line 12`.
    pub location: String,
    /// INI section and key (for attribution).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub op: Op,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The data maps of a ConfigMap or Secret, decoded: file -> bytes.
pub fn files(doc: &J, secret: bool) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for (field, encoded) in [
        ("data", secret),
        ("stringData", false),
        ("binaryData", true),
    ] {
        let Some(J::Object(m)) = doc.get(field) else {
            continue;
        };
        for (k, v) in m {
            let text = match v {
                J::String(s) => s.clone(),
                J::Null => String::new(),
                other => other.to_string(),
            };
            let bytes = if encoded {
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                data_encoding::BASE64
                    .decode(compact.as_bytes())
                    .unwrap_or_else(|_| text.into_bytes())
            } else {
                text.into_bytes()
            };
            out.insert(k.clone(), bytes);
        }
    }
    out
}

/// Every change between two versions of the files of one object.
pub fn diff(old: &BTreeMap<String, Vec<u8>>, new: &BTreeMap<String, Vec<u8>>) -> Vec<FileChange> {
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        let (a, b) = (old.get(name), new.get(name));
        if a == b {
            continue;
        }
        let text = |x: Option<&Vec<u8>>| x.map(|b| String::from_utf8(b.clone()));
        let (ta, tb) = (text(a), text(b));
        let (Some(Ok(_)) | None, Some(Ok(_)) | None) = (&ta, &tb) else {
            out.push(FileChange {
                file: name.clone(),
                format: Format::Binary,
                location: "content".into(),
                section: None,
                key: None,
                op: op(a.is_some(), b.is_some()),
                old: a.map(|x| format!("{} bytes", x.len())),
                new: b.map(|x| format!("{} bytes", x.len())),
            });
            continue;
        };
        let ta = ta.and_then(Result::ok).unwrap_or_default();
        let tb = tb.and_then(Result::ok).unwrap_or_default();
        // Private key material is shown as one masked change: no line of it
        // is printed.
        if secret::is_key_material(&ta) || secret::is_key_material(&tb) {
            let masked = |present: bool| present.then(|| super::MASK.to_string());
            out.push(FileChange {
                file: name.clone(),
                format: Format::Text,
                location: "content".into(),
                section: None,
                key: None,
                op: op(a.is_some(), b.is_some()),
                old: masked(a.is_some()),
                new: masked(b.is_some()),
            });
            continue;
        }
        let format = format_of(name, if tb.is_empty() { &ta } else { &tb });
        let changes = match format {
            Format::Ini => ini_diff(&ta, &tb),
            Format::Yaml => structured(yaml(&ta), yaml(&tb)),
            Format::Json => structured(json(&ta), json(&tb)),
            _ => None,
        };
        let (format, changes) = match changes {
            Some(c) => (format, c),
            None => (Format::Text, text_diff(&ta, &tb)),
        };
        out.extend(changes.into_iter().map(|c| FileChange {
            file: name.clone(),
            format,
            ..c
        }));
    }
    out
}

fn op(had: bool, has: bool) -> Op {
    match (had, has) {
        (false, _) => Op::Added,
        (_, false) => Op::Removed,
        _ => Op::Changed,
    }
}

fn format_of(name: &str, text: &str) -> Format {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("conf" | "ini" | "cfg") if looks_ini(text) => Format::Ini,
        Some("yaml" | "yml") => Format::Yaml,
        Some("json") => Format::Json,
        _ => Format::Text,
    }
}

/// An INI file starts (after comments) with a `[section]`.
fn looks_ini(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .is_none_or(|l| l.starts_with('['))
}

fn blank(location: String, op: Op, old: Option<String>, new: Option<String>) -> FileChange {
    FileChange {
        file: String::new(),
        format: Format::Text,
        location,
        section: None,
        key: None,
        op,
        old,
        new,
    }
}

/// (section, key) -> values (a key repeats for oslo multistring options).
type IniMap = BTreeMap<(String, String), Vec<String>>;

fn ini(text: &str) -> Option<IniMap> {
    let opt = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    };
    let parsed = ini::Ini::load_from_str_opt(text, opt).ok()?;
    let mut out = IniMap::new();
    for (section, props) in parsed.iter() {
        let section = section.unwrap_or("").to_string();
        for (k, v) in props.iter() {
            out.entry((section.clone(), k.to_string()))
                .or_default()
                .push(v.to_string());
        }
    }
    Some(out)
}

fn ini_diff(a: &str, b: &str) -> Option<Vec<FileChange>> {
    let (ma, mb) = (ini(a)?, ini(b)?);
    let keys: std::collections::BTreeSet<&(String, String)> = ma.keys().chain(mb.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let (va, vb) = (ma.get(k), mb.get(k));
        if va == vb {
            continue;
        }
        let join = |v: Option<&Vec<String>>| v.map(|v| v.join(","));
        let location = if k.0.is_empty() {
            k.1.clone()
        } else {
            format!("[{}] {}", k.0, k.1)
        };
        out.push(FileChange {
            section: Some(k.0.clone()),
            key: Some(k.1.clone()),
            ..blank(location, op(va.is_some(), vb.is_some()), join(va), join(vb))
        });
    }
    Some(out)
}

fn yaml(text: &str) -> Option<J> {
    let mut files = crate::source::Files::new();
    let id = files.add(crate::source::SourceFile::new(
        "file",
        text,
        crate::source::Layer::Rendered,
    ));
    let crate::yaml::Parsed { docs, errors, .. } = crate::yaml::parse_stream(id, files.get(id));
    if !errors.is_empty() || docs.len() > 1 {
        return None;
    }
    Some(docs.first().map_or(J::Null, |d| d.to_json()))
}

fn json(text: &str) -> Option<J> {
    if text.trim().is_empty() {
        return Some(J::Null);
    }
    serde_json::from_str(text).ok()
}

fn structured(a: Option<J>, b: Option<J>) -> Option<Vec<FileChange>> {
    let (a, b) = (a?, b?);
    let show = |v: Option<J>| {
        v.map(|v| match v {
            J::String(s) => s,
            other => other.to_string(),
        })
    };
    Some(
        tree::diff(&a, &b)
            .into_iter()
            .map(|c| {
                let key = c.path.iter().rev().find_map(|s| match s {
                    tree::Seg::Key(k) => Some(k.clone()),
                    _ => None,
                });
                let location = if c.path.is_empty() {
                    "(document)".to_string()
                } else {
                    path_string(&c.path)
                };
                FileChange {
                    key,
                    ..blank(location, c.op, show(c.old), show(c.new))
                }
            })
            .collect(),
    )
}

/// Line changes, each changed run of lines as one change.
fn text_diff(a: &str, b: &str) -> Vec<FileChange> {
    let d = similar::TextDiff::from_lines(a, b);
    let mut out = Vec::new();
    for group in d.grouped_ops(0) {
        for o in group {
            let (old_range, new_range) = (o.old_range(), o.new_range());
            let take = |text: &str, r: std::ops::Range<usize>| -> Option<String> {
                if r.is_empty() {
                    return None;
                }
                Some(
                    text.lines()
                        .skip(r.start)
                        .take(r.len())
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            };
            let (old, new) = (take(a, old_range.clone()), take(b, new_range.clone()));
            if old.is_none() && new.is_none() {
                continue;
            }
            let line = if new.is_some() {
                new_range.start + 1
            } else {
                old_range.start + 1
            };
            let op = match (&old, &new) {
                (None, _) => Op::Added,
                (_, None) => Op::Removed,
                _ => Op::Changed,
            };
            out.push(blank(format!("line {line}"), op, old, new));
        }
    }
    out
}

/// Masks secret material in a changed value, by the diff's rule
/// ([`super::mask::mask_text`]). Masked whole, unless it is a secret token
/// (which names a store key): a value under a secret-looking key, and in a
/// Secret a data entry that is a bare value rather than a file (no
/// extension: `password`, `DB_CONNECTION`).
pub fn mask(change: &mut FileChange, in_secret: bool) {
    let whole = change.key.as_deref().is_some_and(secret::is_secret_key)
        || (in_secret && change.format == Format::Text && !change.file.contains('.'));
    let hide = |v: &mut Option<String>| {
        if let Some(s) = v {
            if whole && !super::mask::is_token(s.trim()) {
                *s = super::MASK.into();
            } else {
                *s = super::mask::mask_text(s).into_owned();
            }
        }
    };
    hide(&mut change.old);
    hide(&mut change.new);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_of(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    fn lines(c: &[FileChange]) -> Vec<String> {
        c.iter()
            .map(|c| {
                format!(
                    "{:?} {} {} {:?} -> {:?}",
                    c.op, c.file, c.location, c.old, c.new
                )
            })
            .collect()
    }

    #[test]
    fn oslo_conf_by_section_and_key() {
        let a = "[DEFAULT]\ncpu_allocation_ratio = 3\ndebug = false\n[oslo_messaging_notifications]\ndriver = messagingv2\ndriver = log\n[filter:authtoken]\npaste.filter_factory = keystonemiddleware.auth_token:filter_factory\n";
        let b = "[DEFAULT]\ncpu_allocation_ratio = 4\ndebug = false\n[oslo_messaging_notifications]\ndriver = messagingv2\n[filter:authtoken]\npaste.filter_factory = keystonemiddleware.auth_token:filter_factory\n[api]\n/v2.1: openstack_compute_api_v21\n";
        let c = diff(
            &files_of(&[("nova.conf", a)]),
            &files_of(&[("nova.conf", b)]),
        );
        assert_eq!(
            lines(&c),
            [
                "Changed nova.conf [DEFAULT] cpu_allocation_ratio Some(\"3\") -> Some(\"4\")",
                "Added nova.conf [api] /v2.1 None -> Some(\"openstack_compute_api_v21\")",
                "Changed nova.conf [oslo_messaging_notifications] driver Some(\"messagingv2,log\") -> Some(\"messagingv2\")",
            ]
        );
        assert_eq!(c[0].format, Format::Ini);
    }

    #[test]
    fn yaml_json_and_text() {
        let c = diff(
            &files_of(&[
                ("policy.yaml", "a: rule:x\nb: '@'\n"),
                ("e.json", "{\"x\": [1, 2]}"),
                ("run.sh", "#!/bin/sh\necho a\nexit 0\n"),
            ]),
            &files_of(&[
                ("policy.yaml", "a: rule:y\nb: '@'\n"),
                ("e.json", "{\"x\": [1, 3]}"),
                ("run.sh", "#!/bin/sh\necho b\nexit 0\n"),
            ]),
        );
        assert_eq!(
            lines(&c),
            [
                "Removed e.json x[1] Some(\"2\") -> None",
                "Added e.json x[1] None -> Some(\"3\")",
                "Changed policy.yaml a Some(\"rule:x\") -> Some(\"rule:y\")",
                "Changed run.sh line 2 Some(\"echo a\") -> Some(\"echo b\")",
            ]
        );
    }

    #[test]
    fn secrets_are_masked_unless_tokens() {
        let mut c = diff(
            &files_of(&[(
                "x.conf",
                "[a]\npassword = hunter2\nurl = mysql://u:pw@h/d\nt = mysql://u:stackc-secret.k@h/d\n",
            )]),
            &files_of(&[(
                "x.conf",
                "[a]\npassword = hunter3\nurl = mysql://u:pw2@h/d\nt = mysql://u:stackc-secret.k2@h/d\n",
            )]),
        );
        c.iter_mut().for_each(|c| mask(c, true));
        let shown = lines(&c).join("\n");
        assert!(
            !shown.contains("hunter") && !shown.contains("pw"),
            "{shown}"
        );
        assert!(shown.contains("stackc-secret.k2"), "{shown}");
    }
}
