//! The cloud.conf keys a cloud-provider-openstack release reads
//! (`kubernetes/cloud-conf-keys/<appVersion>.txt`, generated from its
//! source by `scripts/gen-cloud-conf-keys`).
//!
//! cloud-provider-openstack parses cloud.conf with gcfg in `FatalOnly`
//! mode: an unknown section or key is dropped without a word. stackc checks
//! every key it writes, and every key a site adds, against this table.
//! gcfg matches section and key names case-insensitively; lookups here do
//! too and return the canonical spelling.

use std::sync::OnceLock;

use indexmap::IndexMap;

use crate::source::{FileId, Files};

/// Whether a section takes subsections (`[LoadBalancerClass "name"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subsections {
    None,
    Optional,
    Required,
}

/// A value type, as gcfg parses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfType {
    String,
    Bool,
    Int,
    Uint,
    Duration,
    /// Multi-valued (the key may repeat); each value a string.
    List,
}

impl ConfType {
    fn parse(s: &str) -> ConfType {
        match s {
            "bool" => ConfType::Bool,
            "int" => ConfType::Int,
            "uint" => ConfType::Uint,
            "duration" => ConfType::Duration,
            "list" => ConfType::List,
            _ => ConfType::String,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConfType::String => "a string",
            ConfType::Bool => "true or false",
            ConfType::Int => "an integer",
            ConfType::Uint => "a non-negative integer",
            ConfType::Duration => "a duration such as `5s` or `1m30s`",
            ConfType::List => "a string",
        }
    }

    /// Whether gcfg accepts `value` for this type.
    pub fn accepts(self, value: &str) -> bool {
        let v = value.trim();
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        match self {
            ConfType::String | ConfType::List => true,
            ConfType::Bool => matches!(
                v.to_ascii_lowercase().as_str(),
                "true" | "false" | "yes" | "no" | "on" | "off" | "1" | "0"
            ),
            ConfType::Int => digits(v.strip_prefix(['-', '+']).unwrap_or(v)),
            ConfType::Uint => digits(v),
            ConfType::Duration => go_duration(v),
        }
    }
}

/// Go's `time.ParseDuration`: `0`, or a signed sequence of decimal numbers
/// each with a unit (ns, us, µs, ms, s, m, h).
fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[n..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[derive(Debug, Clone)]
pub struct ConfKey {
    pub name: String,
    pub ty: ConfType,
    /// The programs that read it (`occm`, `cinder-csi`).
    pub readers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ConfSection {
    pub name: String,
    pub subsections: Subsections,
    pub keys: IndexMap<String, ConfKey>,
}

/// One release's table.
#[derive(Debug, Clone, Default)]
pub struct ConfKeys {
    /// The header comment (version and commit it was generated from).
    pub source: String,
    pub sections: IndexMap<String, ConfSection>,
    /// The keys of the Manila CSI secret (`os-authURL`, ...).
    pub manila: Vec<String>,
}

impl ConfKeys {
    pub fn parse(text: &str) -> ConfKeys {
        let mut out = ConfKeys::default();
        for line in text.lines() {
            if let Some(c) = line.strip_prefix("# ") {
                if out.sections.is_empty() && out.source.len() < 400 {
                    out.source.push_str(c);
                    out.source.push(' ');
                }
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let [reader, section, sub, key, ty] = f.as_slice() else {
                continue;
            };
            if *reader == "manila-csi" {
                out.manila.push(key.to_string());
                continue;
            }
            let sub = match *sub {
                "?" => Subsections::Optional,
                "*" => Subsections::Required,
                _ => Subsections::None,
            };
            let s = out
                .sections
                .entry(section.to_string())
                .or_insert_with(|| ConfSection {
                    name: section.to_string(),
                    subsections: sub,
                    keys: IndexMap::new(),
                });
            s.subsections = s.subsections.max(sub);
            let k = s.keys.entry(key.to_string()).or_insert_with(|| ConfKey {
                name: key.to_string(),
                ty: ConfType::parse(ty),
                readers: Vec::new(),
            });
            k.readers.push(reader.to_string());
        }
        out
    }

    /// The section named `name` (case-insensitive, as gcfg).
    pub fn section(&self, name: &str) -> Option<&ConfSection> {
        self.sections
            .values()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

impl ConfSection {
    /// The key named `name` (case-insensitive, as gcfg).
    pub fn key(&self, name: &str) -> Option<&ConfKey> {
        self.keys
            .values()
            .find(|k| k.name.eq_ignore_ascii_case(name))
    }
}

/// A key table, parsed when first asked for.
#[derive(Debug)]
pub struct LazyConfKeys {
    pub file: FileId,
    cell: OnceLock<ConfKeys>,
}

impl LazyConfKeys {
    pub fn new(file: FileId) -> LazyConfKeys {
        LazyConfKeys {
            file,
            cell: OnceLock::new(),
        }
    }

    pub fn get(&self, files: &Files) -> &ConfKeys {
        self.cell
            .get_or_init(|| ConfKeys::parse(&files.get(self.file).text))
    }
}

/// Splits a section header as a site writes it: `LoadBalancerClass "x"`
/// -> (`LoadBalancerClass`, Some(`x`)).
pub fn split_section(s: &str) -> Option<(&str, Option<&str>)> {
    match s.split_once(char::is_whitespace) {
        None => Some((s, None)),
        Some((name, rest)) => {
            let sub = rest.trim().strip_prefix('"')?.strip_suffix('"')?;
            (!sub.is_empty() && !sub.contains(['"', '\\', '\n'])).then_some((name, Some(sub)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_numbers() {
        for ok in ["5s", "1m30s", "0", "1.5h", "300ms", "-2s"] {
            assert!(ConfType::Duration.accepts(ok), "{ok}");
        }
        for bad in ["5", "s", "1x", "", "1..5s"] {
            assert!(!ConfType::Duration.accepts(bad), "{bad}");
        }
        assert!(ConfType::Uint.accepts("3") && !ConfType::Uint.accepts("-3"));
        assert!(ConfType::Int.accepts("-3") && !ConfType::Int.accepts("x"));
        assert!(ConfType::Bool.accepts("True") && !ConfType::Bool.accepts("maybe"));
    }

    #[test]
    fn table_lookups_ignore_case() {
        let t = ConfKeys::parse(
            "# v1 (commit x)\nocm Global - auth-url string\ncinder-csi Global ? auth-url string\nocm LoadBalancerClass * network-id string\nmanila-csi secret - os-authURL string\n",
        );
        let g = t.section("global").unwrap();
        assert_eq!(g.subsections, Subsections::Optional);
        assert_eq!(g.key("AUTH-URL").unwrap().readers, ["ocm", "cinder-csi"]);
        assert_eq!(t.manila, ["os-authURL"]);
        assert_eq!(
            split_section("LoadBalancerClass \"x\""),
            Some(("LoadBalancerClass", Some("x")))
        );
        assert_eq!(split_section("Global"), Some(("Global", None)));
        assert_eq!(split_section("Global x"), None);
    }
}
