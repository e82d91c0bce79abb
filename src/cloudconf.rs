//! cloud.conf: the gcfg (INI) file cloud-provider-openstack reads, as
//! stackc assembles it for a cluster on this cloud.
//!
//! Values are literals (catalogue facts, site settings) or placeholders for
//! secret material that external-secrets fills in at deploy time (a Go
//! template action over the ExternalSecret's data). Every section and key is
//! checked against the key table of the targeted cloud-provider-openstack
//! release: gcfg in `FatalOnly` mode drops unknown ones silently.

use crate::diagnostic::did_you_mean;
use crate::library::{ConfKeys, Subsections, split_section};
use crate::source::Span;

/// A value as written into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfText {
    /// Plain text, quoted on output.
    Literal(String),
    /// Filled in by external-secrets from the ExternalSecret data key of
    /// this name (escaped for gcfg by the template itself).
    Secret(String),
}

/// A fact a value is made of, and where it was written (for `explain`).
#[derive(Debug, Clone)]
pub struct Source {
    /// What it is: `catalogue: identity public host`, `site`, ...
    pub label: String,
    pub span: Span,
    pub value: String,
}

impl Source {
    pub fn new(label: impl Into<String>, span: Span, value: impl Into<String>) -> Source {
        Source {
            label: label.into(),
            span,
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub value: ConfText,
    /// The facts it is made of, lowest precedence first.
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub sub: Option<String>,
    pub entries: Vec<Entry>,
}

/// A cloud.conf document, sections and keys in the order set.
#[derive(Debug, Clone, Default)]
pub struct CloudConf {
    pub sections: Vec<Section>,
}

impl CloudConf {
    /// Sets `key` in `[section "sub"]`, replacing an earlier value
    /// (names compare case-insensitively, as gcfg's).
    pub fn set(
        &mut self,
        section: &str,
        sub: Option<&str>,
        key: &str,
        value: ConfText,
        sources: Vec<Source>,
    ) {
        let idx = match self
            .sections
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(section) && s.sub.as_deref() == sub)
        {
            Some(i) => i,
            None => {
                self.sections.push(Section {
                    name: section.to_string(),
                    sub: sub.map(str::to_string),
                    entries: Vec::new(),
                });
                self.sections.len() - 1
            }
        };
        let s = &mut self.sections[idx];
        let entry = Entry {
            key: key.to_string(),
            value,
            sources,
        };
        match s
            .entries
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(key))
        {
            Some(e) => *e = entry,
            None => s.entries.push(entry),
        }
    }

    /// The entry of `key` in `[section]` (no subsection).
    pub fn get(&self, section: &str, key: &str) -> Option<&Entry> {
        self.sections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(section) && s.sub.is_none())?
            .entries
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
    }

    /// The file as an external-secrets template (Go text/template):
    /// literal values quoted for gcfg (with `{{`/`}}` never in them: the
    /// site's values are checked), secrets as template actions.
    pub fn to_template(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match &s.sub {
                Some(sub) => out.push_str(&format!("[{} {}]\n", s.name, quote(sub))),
                None => out.push_str(&format!("[{}]\n", s.name)),
            }
            for e in &s.entries {
                out.push_str(&format!("{} = {}\n", e.key, text(&e.value)));
            }
        }
        out
    }
}

/// A value as gcfg text.
fn text(v: &ConfText) -> String {
    match v {
        ConfText::Literal(s) => quote(s),
        ConfText::Secret(name) => format!("\"{}\"", secret_action(name)),
    }
}

/// The Go template action that writes the data key `name` escaped for a
/// gcfg quoted string (`\` and `"` escaped).
pub fn secret_action(name: &str) -> String {
    format!(r#"{{{{ .{name} | replace "\\" "\\\\" | replace "\"" "\\\"" }}}}"#)
}

/// A gcfg quoted string.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Keys stackc writes itself, and where a site sets them instead.
pub fn owned(section: &str, key: &str) -> Option<&'static str> {
    let s = section.to_ascii_lowercase();
    let k = key.to_ascii_lowercase();
    match (s.as_str(), k.as_str()) {
        // Everything that authenticates: the application credential of
        // `credential`, against the catalogue's public Keystone, in the
        // site's region, trusting its CA. Other methods mixed in break
        // authentication.
        ("global", "tls-insecure" | "os-endpoint-type") => None,
        ("global", "auth-url" | "region" | "ca-file") => Some(
            "it comes from the catalogue (public Keystone endpoint, `spec.region`, `spec.tls.privateCA`)",
        ),
        ("global", _) => {
            Some("the cluster authenticates with the application credential in `credential`")
        }
        ("loadbalancer", "enabled") => {
            Some("set `loadBalancer` (or leave it out to turn load balancers off)")
        }
        ("loadbalancer", "lb-provider") => Some("set `loadBalancer.provider`"),
        ("loadbalancer", "lb-method") => Some("set `loadBalancer.method`"),
        ("loadbalancer", "floating-network-id") => Some("set `loadBalancer.floatingNetwork`"),
        ("loadbalancer", "floating-subnet") => Some("set `loadBalancer.floatingSubnet`"),
        _ => None,
    }
}

/// What is wrong with a site's cloud.conf entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The header is not `Name` or `Name "sub"`.
    BadHeader,
    UnknownSection {
        suggestion: Option<String>,
        known: Vec<String>,
    },
    SubsectionRequired {
        section: String,
    },
    SubsectionNotAllowed {
        section: String,
    },
    UnknownKey {
        section: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    BadValue {
        key: String,
        expected: &'static str,
    },
}

/// A checked entry: canonical section, subsection and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub section: String,
    pub sub: Option<String>,
    pub key: String,
}

/// Checks a section header (`Name` or `Name "sub"`) against a release's
/// key table: the canonical section name and the subsection.
pub fn check_section<'a>(
    keys: &'a ConfKeys,
    header: &str,
) -> Result<(&'a crate::library::ConfSection, Option<String>), Problem> {
    let (name, sub) = split_section(header.trim()).ok_or(Problem::BadHeader)?;
    let Some(section) = keys.section(name) else {
        let known: Vec<String> = keys.sections.keys().cloned().collect();
        return Err(Problem::UnknownSection {
            suggestion: did_you_mean(name, known.iter().map(String::as_str)).map(str::to_string),
            known,
        });
    };
    match (section.subsections, sub) {
        (Subsections::Required, None) => Err(Problem::SubsectionRequired {
            section: section.name.clone(),
        }),
        (Subsections::None, Some(_)) => Err(Problem::SubsectionNotAllowed {
            section: section.name.clone(),
        }),
        _ => Ok((section, sub.map(str::to_string))),
    }
}

/// Checks one entry against a release's key table.
pub fn check(
    keys: &ConfKeys,
    header: &str,
    key: &str,
    value: Option<&str>,
) -> Result<Checked, Problem> {
    let (section, sub) = check_section(keys, header)?;
    let Some(k) = section.key(key) else {
        let known: Vec<String> = section.keys.keys().cloned().collect();
        return Err(Problem::UnknownKey {
            section: section.name.clone(),
            suggestion: did_you_mean(key, known.iter().map(String::as_str)).map(str::to_string),
            known,
        });
    };
    if let Some(v) = value
        && !k.ty.accepts(v)
    {
        return Err(Problem::BadValue {
            key: k.name.clone(),
            expected: k.ty.as_str(),
        });
    }
    Ok(Checked {
        section: section.name.clone(),
        sub,
        key: k.name.clone(),
    })
}

/// Whether a literal may go into the template as it is: no template
/// delimiters, no line breaks.
pub fn is_plain(value: &str) -> bool {
    !value.contains("{{") && !value.contains("}}") && !value.contains(['\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_actions() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(
            secret_action("x"),
            r#"{{ .x | replace "\\" "\\\\" | replace "\"" "\\\"" }}"#
        );
    }

    #[test]
    fn template_text() {
        let mut c = CloudConf::default();
        let lit = |s: &str| ConfText::Literal(s.into());
        c.set("Global", None, "auth-url", lit("https://k/v3"), vec![]);
        let id = ConfText::Secret("id".into());
        c.set("Global", None, "application-credential-id", id, vec![]);
        c.set("global", None, "AUTH-URL", lit("https://x/v3"), vec![]);
        c.set(
            "LoadBalancerClass",
            Some("a"),
            "network-id",
            lit("n"),
            vec![],
        );
        assert_eq!(
            c.to_template(),
            "[Global]\nAUTH-URL = \"https://x/v3\"\napplication-credential-id = \"{{ .id | replace \"\\\\\" \"\\\\\\\\\" | replace \"\\\"\" \"\\\\\\\"\" }}\"\n\n[LoadBalancerClass \"a\"]\nnetwork-id = \"n\"\n"
        );
        assert!(c.get("GLOBAL", "auth-url").is_some());
    }
}
